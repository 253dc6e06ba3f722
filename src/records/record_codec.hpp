// Record codec: JSON request bodies to typed, validated column values, and back.
//
// Decoding checks everything that can be checked without the database: the body is a JSON
// object, every key is a field of the object, system fields are not assigned, each value has the
// field's type (strings, numbers within precision, booleans, valid dates and datetimes, active
// picklist values, e-mail/phone/url shapes, well-formed reference ids) and respects length
// limits. All problems are reported together, each naming its field. Required fields, reference
// existence and uniqueness are checked by the records layer, which has the database.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "metadata/catalog.hpp"
#include "storage/database.hpp"
#include "storage/value.hpp"

namespace p360::records {

namespace json = boost::json;

// One assigned field: its position in ObjectDef::fields and its storage value.
struct FieldAssignment {
    std::size_t field_index;
    storage::Value value;
};

// Decides whether the caller may assign a field; rejected fields are reported as errors.
using EditCheck = std::function<bool(const metadata::FieldDef&)>;

// Decodes `body` (which must be a JSON object) into assignments, in body order.
Result<std::vector<FieldAssignment>> DecodeFields(const metadata::Catalog& catalog,
                                                  const metadata::ObjectDef& object,
                                                  const json::value& body,
                                                  const EditCheck& can_edit);

// Decodes one value for one field (used by DecodeFields and by importers).
Result<storage::Value> DecodeValue(const metadata::Catalog& catalog,
                                   const metadata::FieldDef& field, const json::value& value);

// The JSON form of a stored value of `field`.
json::value EncodeValue(const metadata::FieldDef& field, const storage::Value& value);

// Appends the same JSON as EncodeValue, as text: the fast path for pages of records.
void AppendJsonValue(std::string& out, const metadata::FieldDef& field,
                     const storage::Value& value);

// The same for the cell `column` of a row read in place: the text goes from the database's
// buffer straight into `out`.
void AppendJsonCell(std::string& out, const metadata::FieldDef& field, const storage::RowView& row,
                    std::size_t column);

// Appends `text` as a JSON string literal (quoted and escaped).
void AppendJsonString(std::string& out, std::string_view text);

// Appends any JSON value as text. Numbers are written the way people write them (840, 88.25,
// 0.0001) — shortest round-trip form — rather than Boost.JSON's exponent form (8.4E2).
void AppendJson(std::string& out, const json::value& value);
std::string SerializeJson(const json::value& value);

// Parses a JSON document with bounded depth; errors name `location`. `storage` lets hot loops
// parse into a reusable arena.
Result<json::value> ParseJson(std::string_view text, std::string_view location,
                              json::storage_ptr storage = {});

}  // namespace p360::records
