// Comparators: similarity of two standardised values, and the discrete agreement levels the
// Fellegi–Sunter model weighs.
//
// Levels count up from 0 (disagree) to the comparator's top level (exact agreement); kMissing
// means one side has no value, which carries no evidence either way. All functions are pure
// and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace p360::identity {

inline constexpr int kMissing = -1;

// Jaro similarity in [0, 1] (1 for two empty strings).
double Jaro(std::string_view left, std::string_view right);

// Jaro–Winkler: Jaro plus a bonus for a common prefix of up to 4 characters (scale 0.1).
double JaroWinkler(std::string_view left, std::string_view right);

// Levenshtein distance if it is at most `bound`, otherwise bound + 1. Costs O(n · bound).
int BoundedLevenshtein(std::string_view left, std::string_view right, int bound);

// True when the strings have the same length and differ by one swap of adjacent characters.
bool IsAdjacentTransposition(std::string_view left, std::string_view right);

// Number of positions that differ; the length difference counts as that many positions.
int HammingDistance(std::string_view left, std::string_view right);

// NYSIIS phonetic code (New York State Identification and Intelligence System, 1970), full
// length, of a folded name: letters a–z are coded, everything else is ignored.
std::string Nysiis(std::string_view name);

// ---------------------------------------------------------------------------------------------
// Agreement levels

// Names: 3 exact, 2 Jaro–Winkler ≥ 0.92, 1 Jaro–Winkler ≥ 0.80 or same NYSIIS code or one is the
// initial of the other, 0 otherwise. Codes are passed in so callers can compute them once.
int CompareName(std::string_view left, std::string_view right, std::string_view left_code,
                std::string_view right_code);

// Birth dates as YYYYMMDD numbers (0 = missing): 3 exact; 2 one typo away (one digit
// different, two adjacent digits swapped, or day and month swapped); 1 two digits different or
// within 31 days; 0 otherwise.
int CompareDate(std::uint32_t left, std::uint32_t right);

// Numeric or alphanumeric identifiers (SSN, phone, member id): 2 exact; 1 one typo away (one
// character different or adjacent characters swapped); 0 otherwise.
int CompareIdentifier(std::string_view left, std::string_view right);

// Free text (street, city, line 2): 2 exact, 1 Jaro–Winkler ≥ `close`, 0 otherwise.
int CompareText(std::string_view left, std::string_view right, double close);

// Email: 2 exact, 1 same local part or within two edits, 0 otherwise.
int CompareEmail(std::string_view left, std::string_view right);

// Postal codes: 2 exact, 1 one typo away or same first three characters, 0 otherwise.
int ComparePostalCode(std::string_view left, std::string_view right);

// Values that only agree or not (sex, state, house number): 1 exact, 0 otherwise.
int CompareExact(std::string_view left, std::string_view right);

}  // namespace p360::identity
