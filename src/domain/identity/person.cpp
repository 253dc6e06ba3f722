#include "domain/identity/person.hpp"

#include "domain/identity/comparators.hpp"
#include "domain/identity/standardise.hpp"

namespace p360::identity {
namespace {

std::string& At(StandardPerson& person, Slot slot) {
    return person.text[static_cast<std::size_t>(slot)];
}

// The house number is the first word when it starts with a digit ("12a main st" → "12a").
void SplitStreet(StandardPerson& person, const std::string& address) {
    const std::size_t space = address.find(' ');
    const bool numbered = !address.empty() && address[0] >= '0' && address[0] <= '9';
    if (!numbered) {
        At(person, Slot::kStreet) = address;
        return;
    }
    At(person, Slot::kHouseNumber) = address.substr(0, space);
    At(person, Slot::kStreet) =
        space == std::string::npos ? std::string() : address.substr(space + 1);
}

}  // namespace

std::string_view FieldName(Field field) {
    constexpr std::string_view kNames[kFieldCount] = {
        "givenName", "familyName",   "birthDate",  "sex",        "houseNumber",
        "street",    "addressLine2", "city",       "postalCode", "state",
        "phone",     "email",        "nationalId", "memberId",
    };
    return kNames[static_cast<std::size_t>(field)];
}

int LevelCount(Field field) {
    switch (field) {
        case Field::kGivenName:
        case Field::kFamilyName:
        case Field::kBirthDate:
            return 4;
        case Field::kSex:
        case Field::kHouseNumber:
        case Field::kState:
            return 2;
        default:
            return 3;
    }
}

StandardPerson Standardise(const PersonRecord& record) {
    StandardPerson person;
    At(person, Slot::kGivenName) = StandardiseGivenName(record.given_name);
    At(person, Slot::kFamilyName) = StandardiseFamilyName(record.family_name);
    At(person, Slot::kGivenCode) = Nysiis(person.Get(Slot::kGivenName));
    At(person, Slot::kFamilyCode) = Nysiis(person.Get(Slot::kFamilyName));
    At(person, Slot::kSex) = StandardiseSex(record.sex);
    SplitStreet(person, StandardiseAddress(record.street));
    At(person, Slot::kAddressLine2) = StandardiseAddress(record.address_line2);
    At(person, Slot::kCity) = FoldText(record.city);
    At(person, Slot::kPostalCode) = StandardisePostalCode(record.postal_code);
    At(person, Slot::kState) = FoldText(record.state);
    At(person, Slot::kPhone) = StandardisePhone(record.phone);
    At(person, Slot::kEmail) = StandardiseEmail(record.email);
    At(person, Slot::kNationalId) = StandardiseIdentifier(record.national_id);
    At(person, Slot::kMemberId) = StandardiseIdentifier(record.member_id);
    person.birth_date = StandardiseDate(record.birth_date).Packed();
    return person;
}

PersonView ViewOf(const StandardPerson& person) {
    PersonView view;
    for (std::size_t slot = 0; slot < kSlotCount; ++slot) {
        view.text[slot] = person.text[slot];
    }
    view.birth_date = person.birth_date;
    return view;
}

ComparisonVector ComparePeople(const PersonView& left, const PersonView& right) {
    const auto name = [&](Slot left_name, Slot left_code, Slot right_name, Slot right_code) {
        return CompareName(left.Get(left_name), right.Get(right_name), left.Get(left_code),
                           right.Get(right_code));
    };
    int given = name(Slot::kGivenName, Slot::kGivenCode, Slot::kGivenName, Slot::kGivenCode);
    int family = name(Slot::kFamilyName, Slot::kFamilyCode, Slot::kFamilyName, Slot::kFamilyCode);
    const int given_as_family =
        name(Slot::kGivenName, Slot::kGivenCode, Slot::kFamilyName, Slot::kFamilyCode);
    const int family_as_given =
        name(Slot::kFamilyName, Slot::kFamilyCode, Slot::kGivenName, Slot::kGivenCode);
    // Only a swap where both crosswise names are present and agree strongly counts; a single
    // crosswise agreement is too easy (a given name that is also a surname: Thomas, James).
    if (given_as_family >= 2 && family_as_given >= 2 &&
        given_as_family + family_as_given > given + family) {
        given = given_as_family;
        family = family_as_given;
    }
    const auto text = [&](Slot slot) { return std::pair(left.Get(slot), right.Get(slot)); };
    ComparisonVector levels{};
    const auto set = [&](Field field, int level) {
        levels[static_cast<std::size_t>(field)] = static_cast<std::int8_t>(level);
    };
    set(Field::kGivenName, given);
    set(Field::kFamilyName, family);
    set(Field::kBirthDate, CompareDate(left.birth_date, right.birth_date));
    const auto exact = [&](Slot slot) {
        const auto [a, b] = text(slot);
        return CompareExact(a, b);
    };
    const auto identifier = [&](Slot slot) {
        const auto [a, b] = text(slot);
        return CompareIdentifier(a, b);
    };
    set(Field::kSex, exact(Slot::kSex));
    set(Field::kHouseNumber, exact(Slot::kHouseNumber));
    set(Field::kStreet, CompareText(left.Get(Slot::kStreet), right.Get(Slot::kStreet), 0.88));
    set(Field::kAddressLine2,
        CompareText(left.Get(Slot::kAddressLine2), right.Get(Slot::kAddressLine2), 0.88));
    set(Field::kCity, CompareText(left.Get(Slot::kCity), right.Get(Slot::kCity), 0.88));
    set(Field::kPostalCode,
        ComparePostalCode(left.Get(Slot::kPostalCode), right.Get(Slot::kPostalCode)));
    set(Field::kState, exact(Slot::kState));
    set(Field::kPhone, identifier(Slot::kPhone));
    set(Field::kEmail, CompareEmail(left.Get(Slot::kEmail), right.Get(Slot::kEmail)));
    set(Field::kNationalId, identifier(Slot::kNationalId));
    set(Field::kMemberId, identifier(Slot::kMemberId));
    return levels;
}

}  // namespace p360::identity
