// Reading payer360 records (JSON keyed by field name) while building FHIR resources. Internal to
// formats/fhir.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace p360::formats::fhir::detail {

namespace json = boost::json;

// A text field's value, or "" when it is absent (unreadable, or null).
inline std::string FieldText(const json::object& record, std::string_view field) {
    const json::value* value = record.if_contains(field);
    return value != nullptr && value->is_string() ? std::string(value->get_string())
                                                  : std::string();
}

// resourceType, id, and meta (versionId, lastUpdated) from the record's system fields.
inline json::object ResourceShell(std::string_view type, const json::object& record) {
    json::object resource{{"resourceType", type}, {"id", FieldText(record, "id")}};
    json::object meta;
    if (const json::value* version = record.if_contains("version");
        version && version->is_int64()) {
        meta["versionId"] = std::to_string(version->get_int64());
    }
    if (const std::string modified = FieldText(record, "modifiedAt"); !modified.empty()) {
        meta["lastUpdated"] = modified;
    }
    if (!meta.empty()) {
        resource["meta"] = std::move(meta);
    }
    return resource;
}

// A number field's value, or null when it is absent.
inline const json::value* Number(const json::object& record, std::string_view field) {
    const json::value* value = record.if_contains(field);
    return value != nullptr && value->is_number() ? value : nullptr;
}

inline json::object Coding(std::string_view system, std::string_view code) {
    return json::object{{"system", system}, {"code", code}};
}

inline json::object Concept(std::string_view system, std::string_view code) {
    return json::object{{"coding", json::array{Coding(system, code)}}};
}

inline json::object Reference(std::string_view type, std::string_view id) {
    return json::object{{"reference", std::string(type) + "/" + std::string(id)}};
}

inline void PutIf(json::object& resource, std::string_view key, std::string value) {
    if (!value.empty()) {
        resource[key] = std::move(value);
    }
}

inline void PutArray(json::object& resource, std::string_view key, json::array values) {
    if (!values.empty()) {
        resource[key] = std::move(values);
    }
}

// A JSON array kept in a long-text field, or an empty one.
json::array KeptArray(const json::object& record, std::string_view field);

// id, meta, and the identifiers and extensions every resource carries.
json::object Resource(std::string_view type, const json::object& record);

// The record's identifiers that have no field of their own: `sourceId` (as the identifier it
// stands for) and those kept whole in `fhirIdentifiers`, each once.
json::array KeptIdentifiers(const json::object& record);

// The extensions kept whole in `fhirExtensions` (none when the field is empty or unreadable).
json::array KeptExtensions(const json::object& record);

}  // namespace p360::formats::fhir::detail
