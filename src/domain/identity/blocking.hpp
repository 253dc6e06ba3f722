// Blocking: which pairs are worth comparing. Comparing every pair of a million records is
// 5 · 10^11 comparisons; instead each record gets a handful of keys, one per rule, and only
// records sharing a key are compared.
//
// Several independent rules, so a pair that one typo hides from one rule is still found by
// another: a surname typo misses the surname rule but not the given-initial + birth-date rule;
// a swapped day and month miss that one but not the postcode + given-name rule, and so on.
//
// A block larger than the configured cap says its key is not discriminating (a placeholder
// email, a date shared by thousands); comparing all its pairs would cost s²/2 and find little
// the other rules do not, so oversized blocks are skipped and counted.
#pragma once

#include <boost/container/small_vector.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "domain/identity/person.hpp"

namespace p360::identity {

enum class BlockingRule : std::uint8_t {
    kFamilyCodeBirthYear,     // NYSIIS(family name) + year of birth
    kGivenInitialBirthDate,   // first letter of given name + full birth date
    kFamilyInitialBirthDate,  // first letter of family name + full birth date
    kPostalGivenPrefix,       // postal code + first three letters of given name
    kNameCodes,               // both NYSIIS codes, order-free (catches swapped names, bad dates)
    kBirthDatePostal,         // full birth date + postal code
    kBirthDateCity,           // full birth date + city
    kNationalId,
    kMemberId,
    kEmail,
    kPhone,
    kBirthDate,          // full birth date alone (about 30 people a day in a million)
    kEmailLocalPart,     // the part before '@' (catches typos in the domain)
    kGivenFamilyDecade,  // given name + family name's first two letters + decade of birth
};
inline constexpr std::size_t kBlockingRuleCount = 14;

std::string_view BlockingRuleName(BlockingRule rule);

// A set of rules, one bit per BlockingRule.
using RuleSet = std::uint32_t;
inline constexpr RuleSet kAllRules = (1u << kBlockingRuleCount) - 1;
constexpr RuleSet RuleBit(BlockingRule rule) { return 1u << static_cast<unsigned>(rule); }

// Appends one key per rule in `rules` whose inputs the person has; keys of different rules
// never collide by construction (the rule is part of the hashed text).
void AppendBlockingKeys(const PersonView& person, std::vector<std::uint64_t>& keys,
                        RuleSet rules = kAllRules);

// Record ids (dense, from 0) by blocking key. Not thread-safe for writes; concurrent reads are
// safe once writing has stopped.
//
// A million people give about five million keys, and most (email, phone, identifiers, address
// and birth date) name a single record: such a key holds its record in the map's own slot, and
// only a key shared by several records points to a list of its own. Record ids must be below
// 2^31 (the top bit tells the two apart).
class BlockingIndex {
public:
    void Add(std::uint32_t record, std::span<const std::uint64_t> keys);

    // The records sharing `key`, or nothing if none do.
    std::span<const std::uint32_t> Block(std::uint64_t key) const;

    std::size_t key_count() const { return heads_.size(); }

private:
    static constexpr std::uint32_t kSharedBit = 1u << 31;
    using Records = boost::container::small_vector<std::uint32_t, 2>;
    // A single record, or kSharedBit | the index of the key's list in shared_.
    boost::unordered_flat_map<std::uint64_t, std::uint32_t> heads_;
    std::vector<Records> shared_;
};

}  // namespace p360::identity
