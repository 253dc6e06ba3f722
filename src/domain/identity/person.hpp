// The person as the matching engine sees it: raw values from a source, their standardised
// form, and the comparison of two standardised people field by field.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace p360::identity {

// One source record of a person, values as the source sent them; any may be empty.
struct PersonRecord {
    std::string record_id;  // the source's own id, carried through to results
    std::string given_name;
    std::string family_name;
    std::string birth_date;
    std::string sex;
    std::string street;         // "12 Main Street Apt 4"
    std::string address_line2;  // building or locality line
    std::string city;
    std::string postal_code;
    std::string state;
    std::string phone;
    std::string email;
    std::string national_id;  // SSN or equivalent
    std::string member_id;    // payer member id, MBI, …
};

// The fields the model weighs. Order is part of the model's layout; append only.
enum class Field : std::uint8_t {
    kGivenName,
    kFamilyName,
    kBirthDate,
    kSex,
    kHouseNumber,
    kStreet,
    kAddressLine2,
    kCity,
    kPostalCode,
    kState,
    kPhone,
    kEmail,
    kNationalId,
    kMemberId,
};
inline constexpr std::size_t kFieldCount = 14;

std::string_view FieldName(Field field);

// Number of agreement levels the field's comparator yields (top level = exact).
int LevelCount(Field field);

// Text slots of a standardised person: the compared values plus the phonetic codes of the
// names, which blocking and the name comparator share.
enum class Slot : std::uint8_t {
    kGivenName,
    kFamilyName,
    kGivenCode,
    kFamilyCode,
    kSex,
    kHouseNumber,
    kStreet,
    kAddressLine2,
    kCity,
    kPostalCode,
    kState,
    kPhone,
    kEmail,
    kNationalId,
    kMemberId,
};
inline constexpr std::size_t kSlotCount = 15;

struct StandardPerson {
    std::array<std::string, kSlotCount> text;
    std::uint32_t birth_date = 0;  // YYYYMMDD, 0 when missing or invalid

    const std::string& Get(Slot slot) const { return text[static_cast<std::size_t>(slot)]; }
};

// A borrowed view of a standardised person, from a StandardPerson or from the index's pool.
struct PersonView {
    std::array<std::string_view, kSlotCount> text;
    std::uint32_t birth_date = 0;

    std::string_view Get(Slot slot) const { return text[static_cast<std::size_t>(slot)]; }
};

StandardPerson Standardise(const PersonRecord& record);
PersonView ViewOf(const StandardPerson& person);

// Agreement level per field (kMissing where either side lacks the value).
using ComparisonVector = std::array<std::int8_t, kFieldCount>;

// Compares two people. Given and family names are also compared crosswise, and the crosswise
// reading wins when it agrees better: sources do swap the two name fields.
ComparisonVector ComparePeople(const PersonView& left, const PersonView& right);

}  // namespace p360::identity
