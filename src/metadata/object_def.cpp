#include "metadata/object_def.hpp"

#include <array>
#include <utility>

namespace p360::metadata {
namespace {

constexpr std::array<std::pair<FieldType, std::string_view>, 15> kFieldTypeNames{{
    {FieldType::kText, "text"},
    {FieldType::kLongText, "longText"},
    {FieldType::kNumber, "number"},
    {FieldType::kCurrency, "currency"},
    {FieldType::kPercent, "percent"},
    {FieldType::kDate, "date"},
    {FieldType::kDateTime, "datetime"},
    {FieldType::kBoolean, "boolean"},
    {FieldType::kPicklist, "picklist"},
    {FieldType::kMultiPicklist, "multiPicklist"},
    {FieldType::kEmail, "email"},
    {FieldType::kPhone, "phone"},
    {FieldType::kUrl, "url"},
    {FieldType::kReference, "reference"},
    {FieldType::kExternalId, "externalId"},
}};

bool IsAsciiLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAsciiUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

bool IsCamelTail(std::string_view name) {
    for (char c : name.substr(1)) {
        if (!IsAsciiLower(c) && !IsAsciiUpper(c) && !IsAsciiDigit(c)) {
            return false;
        }
    }
    return true;
}

FieldDef SystemField(std::string_view name, std::string_view label, FieldType type) {
    FieldDef field;
    field.name = name;
    field.label = label;
    field.type = type;
    field.system = true;
    return field;
}

}  // namespace

std::string_view FieldTypeName(FieldType type) {
    for (const auto& [candidate, name] : kFieldTypeNames) {
        if (candidate == type) {
            return name;
        }
    }
    return "text";
}

std::optional<FieldType> ParseFieldType(std::string_view name) {
    for (const auto& [type, candidate] : kFieldTypeNames) {
        if (candidate == name) {
            return type;
        }
    }
    return std::nullopt;
}

StorageClass StorageClassOf(FieldType type) {
    if (IsNumeric(type)) {
        return StorageClass::kReal;
    }
    if (type == FieldType::kBoolean) {
        return StorageClass::kInteger;
    }
    return StorageClass::kText;
}

bool IsNumeric(FieldType type) {
    return type == FieldType::kNumber || type == FieldType::kCurrency ||
           type == FieldType::kPercent;
}

bool IsTextual(FieldType type) { return !IsNumeric(type) && type != FieldType::kBoolean; }

std::string_view OnDeleteName(OnDelete on_delete) {
    switch (on_delete) {
        case OnDelete::kRestrict:
            return "restrict";
        case OnDelete::kCascade:
            return "cascade";
        case OnDelete::kSetNull:
            return "setNull";
    }
    return "restrict";
}

std::optional<OnDelete> ParseOnDelete(std::string_view name) {
    if (name == "restrict") {
        return OnDelete::kRestrict;
    }
    if (name == "cascade") {
        return OnDelete::kCascade;
    }
    if (name == "setNull") {
        return OnDelete::kSetNull;
    }
    return std::nullopt;
}

const PicklistValue* FieldDef::FindValue(std::string_view value) const {
    for (const PicklistValue& candidate : values) {
        if (candidate.value == value) {
            return &candidate;
        }
    }
    return nullptr;
}

const FieldDef* ObjectDef::FindField(std::string_view field_name) const {
    for (const FieldDef& field : fields) {
        if (field.name == field_name) {
            return &field;
        }
    }
    return nullptr;
}

std::vector<FieldDef> SystemFields() {
    std::vector<FieldDef> fields;
    fields.push_back(SystemField(kIdField, "Record ID", FieldType::kText));
    fields.back().unique = true;
    fields.push_back(SystemField(kVersionField, "Version", FieldType::kNumber));
    fields.back().scale = 0;
    fields.push_back(SystemField(kOwnerField, "Owner", FieldType::kText));
    fields.back().tracked = true;  // who held a record, and when it moved, is history
    fields.push_back(SystemField(kCreatedAtField, "Created At", FieldType::kDateTime));
    fields.push_back(SystemField(kCreatedByField, "Created By", FieldType::kText));
    fields.push_back(SystemField(kModifiedAtField, "Modified At", FieldType::kDateTime));
    fields.push_back(SystemField(kModifiedByField, "Modified By", FieldType::kText));
    return fields;
}

bool IsUpperCamelCase(std::string_view name) {
    return !name.empty() && name.size() <= 64 && IsAsciiUpper(name.front()) && IsCamelTail(name);
}

bool IsLowerCamelCase(std::string_view name) {
    return !name.empty() && name.size() <= 64 && IsAsciiLower(name.front()) && IsCamelTail(name);
}

}  // namespace p360::metadata
