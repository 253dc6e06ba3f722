// Object and field definitions: the data that drives storage, validation, query and API.
//
// An object (Person, Claim, a custom object) is a named set of typed fields. Every object also
// has the system fields listed in `kSystemFields`, which the platform maintains and nobody may
// assign. Definitions are plain values; a `Catalog` (catalog.hpp) holds an immutable set of them.
//
// Names: objects are UpperCamelCase (`MemberPlan`), fields lowerCamelCase (`birthDate`). The
// names are also the table and column names, always quoted in SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace p360::metadata {

enum class FieldType : std::uint8_t {
    kText,
    kLongText,
    kNumber,
    kCurrency,
    kPercent,
    kDate,
    kDateTime,
    kBoolean,
    kPicklist,
    kMultiPicklist,
    kEmail,
    kPhone,
    kUrl,
    kReference,
    kExternalId,
};

// How a field's values are stored and compared.
enum class StorageClass : std::uint8_t { kText, kReal, kInteger };

std::string_view FieldTypeName(FieldType type);  // "text", "longText", "multiPicklist", …
std::optional<FieldType> ParseFieldType(std::string_view name);
StorageClass StorageClassOf(FieldType type);
bool IsTextual(FieldType type);  // compared as strings: text, email, picklist, reference, …
bool IsNumeric(FieldType type);  // number, currency, percent

// What happens to records that reference a record being deleted.
enum class OnDelete : std::uint8_t { kRestrict, kCascade, kSetNull };

std::string_view OnDeleteName(OnDelete on_delete);
std::optional<OnDelete> ParseOnDelete(std::string_view name);

struct PicklistValue {
    std::string value;
    std::string label;
    bool active = true;
};

struct FieldDef {
    std::string name;
    std::string label;
    std::string description;
    FieldType type = FieldType::kText;

    bool required = false;
    bool unique = false;
    bool indexed = false;
    bool searchable = false;
    bool phi = false;          // protected health information: audited and restricted
    bool tracked = false;      // changes are written to field history
    bool external_id = false;  // a source system's key; unique, indexed, usable for upsert
    bool system = false;       // maintained by the platform; never assignable
    bool custom = false;       // added by an administrator at run time

    std::optional<int> max_length;      // text-like types
    int precision = 18;                 // numeric types: total digits
    int scale = 2;                      // numeric types: digits after the point (0 = integer)
    std::vector<PicklistValue> values;  // picklist and multi-picklist

    std::string reference_to;  // reference: the target object's name
    OnDelete on_delete = OnDelete::kRestrict;

    const PicklistValue* FindValue(std::string_view value) const;
};

// A composite index declared on an object, e.g. (lastName, firstName).
struct IndexDef {
    std::vector<std::string> fields;
    bool unique = false;
};

struct ObjectDef {
    std::string name;
    std::string label;
    std::string plural_label;
    std::string description;
    std::string id_prefix;  // e.g. "per" for Person: ids look like per_01J…
    bool custom = false;
    // The reference field that ties this object's records to a member (Person), if any.
    // Member-centred tables carry it so they can be distributed by person later.
    std::string person_field;

    std::vector<FieldDef> fields;  // system fields first, then declared fields
    std::vector<IndexDef> indexes;

    const FieldDef* FindField(std::string_view field_name) const;
};

// Names of the system fields every object has, in order.
inline constexpr std::string_view kIdField = "id";
inline constexpr std::string_view kVersionField = "version";
inline constexpr std::string_view kOwnerField = "ownerId";
inline constexpr std::string_view kCreatedAtField = "createdAt";
inline constexpr std::string_view kCreatedByField = "createdBy";
inline constexpr std::string_view kModifiedAtField = "modifiedAt";
inline constexpr std::string_view kModifiedByField = "modifiedBy";

// The system field definitions, to be placed first in every ObjectDef's `fields`.
std::vector<FieldDef> SystemFields();

bool IsUpperCamelCase(std::string_view name);
bool IsLowerCamelCase(std::string_view name);

}  // namespace p360::metadata
