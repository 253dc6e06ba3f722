// Fuzz target for identity standardisation (src/domain/identity): any bytes go through every
// standardiser; nothing may crash, every output is bounded, and standardising an output again
// changes nothing (N(N(x)) == N(x)). The whole person is then standardised, compared with
// itself (which must agree wherever it has a value) and given its blocking keys.
//
// Seeds: fuzz/corpus/identity_standardise/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "domain/identity/blocking.hpp"
#include "domain/identity/comparators.hpp"
#include "domain/identity/person.hpp"
#include "domain/identity/standardise.hpp"

namespace {

using p360::identity::kMaxStandardBytes;

template <typename Standardiser>
void CheckIdempotent(const Standardiser& standardise, std::string_view input, std::size_t bound) {
    const std::string once = standardise(input);
    if (once.size() > bound || standardise(once) != once) {
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace identity = p360::identity;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    CheckIdempotent(identity::FoldText, text, kMaxStandardBytes);
    CheckIdempotent(identity::StandardiseGivenName, text, kMaxStandardBytes);
    CheckIdempotent(identity::StandardiseFamilyName, text, kMaxStandardBytes);
    CheckIdempotent(identity::StandardiseAddress, text, kMaxStandardBytes);
    CheckIdempotent(identity::StandardisePhone, text, 15);
    CheckIdempotent(identity::StandardisePostalCode, text, 10);
    CheckIdempotent(identity::StandardiseEmail, text, 254);
    CheckIdempotent(identity::StandardiseIdentifier, text, 40);
    CheckIdempotent(identity::StandardiseSex, text, 1);
    CheckIdempotent([](std::string_view value) { return identity::StandardiseDate(value).iso; },
                    text, 10);

    // The same bytes as every field of one person, split at '|'.
    std::vector<std::string> parts(14);
    std::size_t part = 0;
    for (const char c : text) {
        if (c == '|' && part + 1 < parts.size()) {
            ++part;
        } else {
            parts[part].push_back(c);
        }
    }
    identity::PersonRecord record{parts[0],  parts[1],  parts[2],  parts[3], parts[4],
                                  parts[5],  parts[6],  parts[7],  parts[8], parts[9],
                                  parts[10], parts[11], parts[12], parts[13]};
    const identity::StandardPerson person = identity::Standardise(record);
    const identity::PersonView view = identity::ViewOf(person);
    for (const std::int8_t level : identity::ComparePeople(view, view)) {
        if (level == 0) {
            std::abort();  // a value that disagrees with itself
        }
    }
    std::vector<std::uint64_t> keys;
    identity::AppendBlockingKeys(view, keys);
    if (keys.size() > identity::kBlockingRuleCount) {
        std::abort();
    }
    return 0;
}
