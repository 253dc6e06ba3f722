// Standardisation: the one place where raw person data becomes comparable.
//
// Every function here is total (any bytes in, a value out: empty, garbage, huge and non-UTF-8
// input included) and idempotent: standardising a standardised value returns it unchanged, so
// the engine may standardise at every boundary without drift. Outputs are bounded in size.
//
// Text is folded to lowercase ASCII where a Latin letter has an ASCII base (é → e, ß → ss,
// Ł → l); bytes that are not valid UTF-8 are read as Latin-1, the usual legacy encoding of
// enrollment files. Letters of other scripts are kept as they are.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace p360::identity {

// Longest standardised text value, in bytes; longer values are cut at a word boundary.
inline constexpr std::size_t kMaxStandardBytes = 120;

// Lowercase, accent-free, punctuation replaced by single spaces, apostrophes dropped
// ("O'Brien-Smith" → "obrien smith"), trimmed.
std::string FoldText(std::string_view text);

// A given name: folded, titles and generational suffixes dropped when something else remains,
// each word mapped to its canonical form by the nickname table ("Bill" → "william").
std::string StandardiseGivenName(std::string_view text);

// A family name: folded, suffixes dropped, name particles joined to the following word
// ("van der Berg" → "vanderberg", "Mc Donald" → "mcdonald").
std::string StandardiseFamilyName(std::string_view text);

// The canonical form of one folded given-name word ("bob" → "robert"); the word itself when it
// is not in the nickname table. Canonical forms map to themselves.
std::string_view CanonicalGivenName(std::string_view word);

enum class DateProblem : std::uint8_t {
    kNone,
    kEmpty,
    kUnrecognised,  // not a date shape we read (includes two-digit years: they are ambiguous)
    kImpossible,    // a date shape, but no such day (2023-02-29, month 13, year 1200)
};

struct StandardDate {
    std::string iso;  // YYYY-MM-DD, empty unless problem == kNone
    DateProblem problem = DateProblem::kNone;
    std::uint32_t Packed() const;  // YYYYMMDD as a number, 0 when there is no date
};

// Reads YYYY-MM-DD (also with / or .), YYYYMMDD, MM/DD/YYYY (DD/MM/YYYY when the first part
// cannot be a month), "12 Jan 1980", "Jan 12, 1980", and ISO datetimes (date part).
StandardDate StandardiseDate(std::string_view text);

// Digits only; a leading US country code 1 on an 11-digit number is dropped; an extension
// ("x12", "ext 12") is dropped. Fewer than 7 or more than 15 digits: empty.
std::string StandardisePhone(std::string_view text);

// Uppercase letters and digits without spaces; a US ZIP+4 keeps its five-digit ZIP.
std::string StandardisePostalCode(std::string_view text);

// A street line: folded, street suffixes and directions abbreviated (Street → st,
// North → n), unit designators unified ("Apt 4", "Suite 4", "#4" → "unit 4").
std::string StandardiseAddress(std::string_view text);

// Trimmed and lowercased; empty unless it has one '@' with text on both sides.
std::string StandardiseEmail(std::string_view text);

// Identifiers (SSN, member id, MBI): uppercase letters and digits only.
std::string StandardiseIdentifier(std::string_view text);

// "f", "m" or "" from the usual spellings (F, female, W, M, male, …).
std::string StandardiseSex(std::string_view text);

}  // namespace p360::identity
