#include "domain/identity/blocking.hpp"

#include <algorithm>
#include <initializer_list>

namespace p360::identity {
namespace {

// FNV-1a over the parts with a separator byte between them, then a final avalanche (from
// SplitMix64) so nearby texts land far apart in the hash table.
std::uint64_t HashKey(BlockingRule rule, std::initializer_list<std::string_view> parts) {
    std::uint64_t hash = 1469598103934665603ull;
    const auto mix_byte = [&](unsigned char byte) {
        hash ^= byte;
        hash *= 1099511628211ull;
    };
    mix_byte(static_cast<unsigned char>(rule));
    for (const std::string_view part : parts) {
        mix_byte(0x1F);
        for (const char c : part) {
            mix_byte(static_cast<unsigned char>(c));
        }
    }
    hash ^= hash >> 30;
    hash *= 0xbf58476d1ce4e5b9ull;
    hash ^= hash >> 27;
    hash *= 0x94d049bb133111ebull;
    hash ^= hash >> 31;
    return hash;
}

std::string_view Prefix(std::string_view text, std::size_t length) {
    return text.substr(0, std::min(length, text.size()));
}

}  // namespace

std::string_view BlockingRuleName(BlockingRule rule) {
    constexpr std::string_view kNames[kBlockingRuleCount] = {
        "familyCode+birthYear",
        "givenInitial+birthDate",
        "familyInitial+birthDate",
        "postalCode+givenPrefix",
        "nameCodes",
        "birthDate+postalCode",
        "birthDate+city",
        "nationalId",
        "memberId",
        "email",
        "phone",
        "birthDate",
        "emailLocalPart",
        "givenName+familyPrefix+decade",
    };
    return kNames[static_cast<std::size_t>(rule)];
}

void AppendBlockingKeys(const PersonView& person, std::vector<std::uint64_t>& keys, RuleSet rules) {
    const std::string_view given = person.Get(Slot::kGivenName);
    const std::string_view family = person.Get(Slot::kFamilyName);
    const std::string_view given_code = person.Get(Slot::kGivenCode);
    const std::string_view family_code = person.Get(Slot::kFamilyCode);
    const std::string_view postal = person.Get(Slot::kPostalCode);
    const std::string_view city = person.Get(Slot::kCity);
    const std::string birth_date =
        person.birth_date == 0 ? std::string() : std::to_string(person.birth_date);
    const std::string_view birth_year = Prefix(birth_date, 4);
    const auto add = [&](BlockingRule rule, std::initializer_list<std::string_view> parts) {
        if ((rules & RuleBit(rule)) == 0) {
            return;
        }
        for (const std::string_view part : parts) {
            if (part.empty()) {
                return;
            }
        }
        keys.push_back(HashKey(rule, parts));
    };
    add(BlockingRule::kFamilyCodeBirthYear, {family_code, birth_year});
    add(BlockingRule::kGivenInitialBirthDate, {Prefix(given, 1), birth_date});
    add(BlockingRule::kFamilyInitialBirthDate, {Prefix(family, 1), birth_date});
    add(BlockingRule::kPostalGivenPrefix, {postal, Prefix(given, 3)});
    const bool codes_in_order = given_code <= family_code;
    add(BlockingRule::kNameCodes,
        {codes_in_order ? given_code : family_code, codes_in_order ? family_code : given_code});
    add(BlockingRule::kBirthDatePostal, {birth_date, postal});
    add(BlockingRule::kBirthDateCity, {birth_date, city});
    add(BlockingRule::kNationalId, {person.Get(Slot::kNationalId)});
    add(BlockingRule::kMemberId, {person.Get(Slot::kMemberId)});
    add(BlockingRule::kEmail, {person.Get(Slot::kEmail)});
    add(BlockingRule::kPhone, {person.Get(Slot::kPhone)});
    add(BlockingRule::kBirthDate, {birth_date});
    const std::string_view email = person.Get(Slot::kEmail);
    add(BlockingRule::kEmailLocalPart, {email.substr(0, email.find('@'))});
    add(BlockingRule::kGivenFamilyDecade, {given, Prefix(family, 2), Prefix(birth_date, 3)});
}

void BlockingIndex::Add(std::uint32_t record, std::span<const std::uint64_t> keys) {
    for (const std::uint64_t key : keys) {
        const auto [head, added] = heads_.try_emplace(key, record);
        if (added) {
            continue;
        }
        // Two rules can give a record the same key only by a hash collision; keep it once.
        if ((head->second & kSharedBit) == 0) {
            if (head->second != record) {
                shared_.push_back(Records{head->second, record});
                head->second = kSharedBit | static_cast<std::uint32_t>(shared_.size() - 1);
            }
            continue;
        }
        Records& records = shared_[head->second & ~kSharedBit];
        if (records.back() != record) {
            records.push_back(record);
        }
    }
}

std::span<const std::uint32_t> BlockingIndex::Block(std::uint64_t key) const {
    const auto found = heads_.find(key);
    if (found == heads_.end()) {
        return {};
    }
    if ((found->second & kSharedBit) == 0) {
        return {&found->second, 1};
    }
    const Records& records = shared_[found->second & ~kSharedBit];
    return {records.data(), records.size()};
}

}  // namespace p360::identity
