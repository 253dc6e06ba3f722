// JSON forms of object and field definitions: the describe output of the API, the bodies of
// custom object/field requests, and the stored form of custom metadata.
//
// Describe output gives each field its name, label, type and every flag as a boolean, plus the
// type's settings (maxLength, precision/scale, picklist values, referenceTo/onDelete).
#pragma once

#include <boost/json.hpp>
#include <functional>

#include "core/result.hpp"
#include "metadata/object_def.hpp"

namespace p360::records {

namespace json = boost::json;

json::object FieldToJson(const metadata::FieldDef& field);

// `include_field` filters the fields shown (field-level security); empty shows all.
json::object ObjectToJson(const metadata::ObjectDef& object,
                          const std::function<bool(const metadata::FieldDef&)>& include_field = {});

// A field definition from a request body or from storage. Unknown keys and wrong types are
// errors naming the key. System-only flags (system, custom) are not accepted from callers.
Result<metadata::FieldDef> FieldFromJson(const json::value& body);

// A custom object definition from a request body: name, label, pluralLabel, description and
// optional fields. System fields are added by the caller.
Result<metadata::ObjectDef> ObjectFromJson(const json::value& body);

}  // namespace p360::records
