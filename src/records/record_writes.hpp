// The steps of the write path, shared by single-record and bulk operations of RecordService.
// Each runs on a connection inside the caller's write transaction; none commits. Internal to
// the records module.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/result.hpp"
#include "metadata/catalog.hpp"
#include "query/compiler.hpp"
#include "records/record_codec.hpp"
#include "security/authorizer.hpp"
#include "storage/database.hpp"

namespace p360::records::detail {

// Everything one write needs to know about who, what and when.
struct WriteScope {
    const metadata::Catalog& catalog;
    const metadata::ObjectDef& object;
    const security::Actor& actor;
    std::int64_t now_millis;
    std::string now;  // canonical UTC datetime of now_millis
    // Reference targets already seen to exist in this transaction, as "Object/id".
    std::unordered_set<std::string>* known_references = nullptr;
    // The records the actor may read: a reference must point at one of them, so writes cannot
    // probe for records the actor may not see. Null = every record.
    const query::RecordScope* readable = nullptr;
};

// All columns of a record (in ObjectDef::fields order), or nothing.
Result<std::optional<storage::Row>> LoadRow(storage::Connection& connection,
                                            const metadata::ObjectDef& object, std::string_view id);

// The same, if the record also satisfies `scope` (a condition over alias `t`).
Result<std::optional<storage::Row>> LoadRowWithin(storage::Connection& connection,
                                                  const metadata::ObjectDef& object,
                                                  std::string_view id,
                                                  const storage::SqlCondition& scope);

// The record whose unique field `key` equals `value`, or nothing.
Result<std::optional<storage::Row>> LoadRowBy(storage::Connection& connection,
                                              const metadata::ObjectDef& object,
                                              const metadata::FieldDef& key,
                                              const storage::Value& value);

std::int64_t VersionOf(const storage::Row& row);

// Inserts a new record: system fields, required fields, references, outbox. Returns the row.
Result<storage::Row> InsertRecord(storage::Connection& connection, const WriteScope& scope,
                                  const std::vector<FieldAssignment>& assignments);

enum class UpdateResult { kUpdated, kUnchanged };

// Applies assignments to the stored `row` (updated in place); writes history for tracked
// fields and an outbox event. Nothing is written when no value changes.
Result<UpdateResult> UpdateRecord(storage::Connection& connection, const WriteScope& scope,
                                  storage::Row& row,
                                  const std::vector<FieldAssignment>& assignments);

// Deletes a record after applying the onDelete rule of every reference to it.
Status DeleteRecord(storage::Connection& connection, const WriteScope& scope, const std::string& id,
                    int depth_left);

json::object EncodeRecord(const metadata::ObjectDef& object, const storage::Row& row,
                          const std::function<bool(const metadata::FieldDef&)>& include);

// The same record as JSON text, without building a JSON object first.
std::string EncodeRecordText(const metadata::ObjectDef& object, const storage::Row& row,
                             const std::function<bool(const metadata::FieldDef&)>& include);

}  // namespace p360::records::detail
