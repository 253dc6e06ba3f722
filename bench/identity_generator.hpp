// Synthetic people with known truth for the identity benchmark: each entity is a person drawn
// deterministically from its number, and its records are copies with the errors real sources
// make (typos, nicknames, swapped day and month, a digit wrong in the year, moves, swapped
// name fields, missing fields). People also live in households that share an address, a phone
// and mostly a family name, as members of one policy do. No real person's data: names come
// from small built-in lists.
#pragma once

#include <cstdint>
#include <string>

#include "domain/identity/person.hpp"

namespace p360::bench {

// A small deterministic generator (SplitMix64).
class Random {
public:
    explicit Random(std::uint64_t seed) : state_(seed) {}
    std::uint64_t Next();
    int Below(int bound) { return static_cast<int>(Next() % static_cast<std::uint64_t>(bound)); }
    bool Chance(double probability) {
        return static_cast<double>(Next() >> 11) * 0x1.0p-53 < probability;
    }

private:
    std::uint64_t state_;
};

// The true person behind entity `entity` (same entity, same person, every time).
identity::PersonRecord EntityPerson(std::uint64_t entity);

// How many records entity `entity` has: 1 to 4, most have one.
int RecordCount(std::uint64_t entity);

// A copy of `person` as another source might hold it, with errors drawn from `random`.
identity::PersonRecord WithSourceErrors(identity::PersonRecord person, Random& random);

}  // namespace p360::bench
