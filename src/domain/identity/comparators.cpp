#include "domain/identity/comparators.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>

namespace p360::identity {
namespace {

// Names are short; longer inputs are compared on their first kMaxCompared bytes so a huge value
// cannot make one comparison slow.
constexpr std::size_t kMaxCompared = 64;

// Emails and identifiers may be longer than names; edit distance looks at this much of them.
constexpr std::size_t kMaxEditCompared = 4 * kMaxCompared;

std::string_view Clip(std::string_view text) { return text.substr(0, kMaxCompared); }

// YYYYMMDD as eight digit characters, without allocating (this runs for every compared pair).
std::array<char, 8> DateDigits(std::uint32_t date) {
    std::array<char, 8> digits{};
    for (std::size_t position = 8; position-- > 0;) {
        digits[position] = static_cast<char>('0' + date % 10);
        date /= 10;
    }
    return digits;
}

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

std::string NysiisLetters(std::string_view name) {
    std::string letters;
    for (const char c : Clip(name)) {
        if (c >= 'a' && c <= 'z') {
            letters.push_back(c);
        } else if (c >= 'A' && c <= 'Z') {
            letters.push_back(static_cast<char>(c - 'A' + 'a'));
        }
    }
    return letters;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// NYSIIS steps 1 and 2: the first and last letters are rewritten before coding.
void RewriteEnds(std::string& name) {
    struct Rewrite {
        std::string_view from;
        std::string_view to;
    };
    constexpr Rewrite kFirst[] = {{"mac", "mcc"}, {"kn", "nn"}, {"k", "c"},
                                  {"ph", "ff"},   {"pf", "ff"}, {"sch", "sss"}};
    for (const Rewrite& rewrite : kFirst) {
        if (StartsWith(name, rewrite.from)) {
            name.replace(0, rewrite.from.size(), rewrite.to);
            break;
        }
    }
    constexpr Rewrite kLast[] = {{"ee", "y"}, {"ie", "y"}, {"dt", "d"}, {"rt", "d"},
                                 {"rd", "d"}, {"nt", "d"}, {"nd", "d"}};
    for (const Rewrite& rewrite : kLast) {
        if (EndsWith(name, rewrite.from)) {
            name.replace(name.size() - rewrite.from.size(), rewrite.from.size(), rewrite.to);
            break;
        }
    }
}

// NYSIIS step 4 for the letter at `pos`: the replacement text, and how many letters it consumes.
std::string_view NysiisReplacement(const std::string& name, std::size_t pos,
                                   std::size_t& consumed) {
    const std::string_view rest = std::string_view(name).substr(pos);
    const char letter = name[pos];
    consumed = 1;
    if (StartsWith(rest, "ev")) {
        consumed = 2;
        return "af";
    }
    if (IsVowel(letter)) {
        return "a";
    }
    if (StartsWith(rest, "kn")) {
        consumed = 2;
        return "n";
    }
    if (StartsWith(rest, "sch")) {
        consumed = 3;
        return "sss";
    }
    if (StartsWith(rest, "ph")) {
        consumed = 2;
        return "ff";
    }
    switch (letter) {
        case 'q':
            return "g";
        case 'z':
            return "s";
        case 'm':
            return "n";
        case 'k':
            return "c";
        default:
            break;
    }
    const char previous = name[pos - 1];
    const bool next_is_vowel = pos + 1 < name.size() && IsVowel(name[pos + 1]);
    if (letter == 'h' && (!IsVowel(previous) || !next_is_vowel)) {
        return std::string_view(&name[pos - 1], 1);
    }
    if (letter == 'w' && IsVowel(previous)) {
        return std::string_view(&name[pos - 1], 1);
    }
    return std::string_view(&name[pos], 1);
}

}  // namespace

double Jaro(std::string_view left, std::string_view right) {
    left = Clip(left);
    right = Clip(right);
    if (left.empty() && right.empty()) {
        return 1.0;
    }
    if (left.empty() || right.empty()) {
        return 0.0;
    }
    const std::size_t longest = std::max(left.size(), right.size());
    const std::size_t window = longest >= 2 ? longest / 2 - 1 : 0;
    std::array<bool, kMaxCompared> left_matched{};
    std::array<bool, kMaxCompared> right_matched{};
    int matches = 0;
    for (std::size_t i = 0; i < left.size(); ++i) {
        const std::size_t from = i > window ? i - window : 0;
        const std::size_t to = std::min(i + window + 1, right.size());
        for (std::size_t j = from; j < to; ++j) {
            if (!right_matched[j] && left[i] == right[j]) {
                left_matched[i] = right_matched[j] = true;
                ++matches;
                break;
            }
        }
    }
    if (matches == 0) {
        return 0.0;
    }
    int half_transpositions = 0;
    std::size_t j = 0;
    for (std::size_t i = 0; i < left.size(); ++i) {
        if (!left_matched[i]) {
            continue;
        }
        while (!right_matched[j]) {
            ++j;
        }
        half_transpositions += left[i] != right[j] ? 1 : 0;
        ++j;
    }
    const double m = matches;
    return (m / static_cast<double>(left.size()) + m / static_cast<double>(right.size()) +
            (m - half_transpositions / 2) / m) /
           3.0;
}

double JaroWinkler(std::string_view left, std::string_view right) {
    const double jaro = Jaro(left, right);
    std::size_t prefix = 0;
    while (prefix < 4 && prefix < left.size() && prefix < right.size() &&
           left[prefix] == right[prefix]) {
        ++prefix;
    }
    return jaro + static_cast<double>(prefix) * 0.1 * (1.0 - jaro);
}

int BoundedLevenshtein(std::string_view left, std::string_view right, int bound) {
    const auto length_gap = static_cast<int>(left.size()) - static_cast<int>(right.size());
    if (std::abs(length_gap) > bound) {
        return bound + 1;
    }
    left = left.substr(0, kMaxEditCompared);
    right = right.substr(0, kMaxEditCompared);
    // Two-row dynamic programme on the stack (it runs for every compared pair). Only cells
    // within `bound` of the diagonal can lie on a path of cost ≤ bound, so each row computes
    // at most 2·bound + 1 of them (Ukkonen's band); everything outside counts as over.
    const int over = bound + 1;
    const auto rows = static_cast<int>(left.size());
    const auto columns = static_cast<int>(right.size());
    std::array<int, kMaxEditCompared + 2> previous;
    std::array<int, kMaxEditCompared + 2> current;
    for (int j = 0; j <= columns; ++j) {
        previous[static_cast<std::size_t>(j)] = j <= bound ? j : over;
    }
    for (int i = 1; i <= rows; ++i) {
        const int from = std::max(1, i - bound);
        const int to = std::min(columns, i + bound);
        current[0] = i <= bound ? i : over;
        current[static_cast<std::size_t>(from - 1)] = from > 1 ? over : current[0];
        int row_minimum = current[0];
        for (int j = from; j <= to; ++j) {
            const auto at = static_cast<std::size_t>(j);
            const bool same = left[static_cast<std::size_t>(i - 1)] == right[at - 1];
            int cost = std::min(previous[at - 1] + (same ? 0 : 1), current[at - 1] + 1);
            if (j <= i - 1 + bound) {  // the cell above is inside the previous row's band
                cost = std::min(cost, previous[at] + 1);
            }
            current[at] = std::min(cost, over);
            row_minimum = std::min(row_minimum, current[at]);
        }
        if (row_minimum > bound) {
            return over;
        }
        std::swap(previous, current);
    }
    return std::min(previous[static_cast<std::size_t>(columns)], over);
}

bool IsAdjacentTransposition(std::string_view left, std::string_view right) {
    if (left.size() != right.size() || left.size() < 2) {
        return false;
    }
    std::size_t first = 0;
    while (first < left.size() && left[first] == right[first]) {
        ++first;
    }
    if (first + 1 >= left.size()) {
        return false;
    }
    return left[first] == right[first + 1] && left[first + 1] == right[first] &&
           left.substr(first + 2) == right.substr(first + 2);
}

int HammingDistance(std::string_view left, std::string_view right) {
    const std::size_t common = std::min(left.size(), right.size());
    int distance = static_cast<int>(std::max(left.size(), right.size()) - common);
    for (std::size_t i = 0; i < common; ++i) {
        distance += left[i] != right[i] ? 1 : 0;
    }
    return distance;
}

std::string Nysiis(std::string_view name) {
    std::string letters = NysiisLetters(name);
    if (letters.empty()) {
        return {};
    }
    RewriteEnds(letters);
    std::string code(1, letters[0]);
    for (std::size_t pos = 1; pos < letters.size();) {
        std::size_t consumed = 1;
        const std::string replacement(NysiisReplacement(letters, pos, consumed));
        // The rewritten letters stand in the name, so later rules see them (as in the original
        // algorithm, where the name is transformed in place).
        letters.replace(pos, consumed, replacement);
        for (const char c : replacement) {
            if (code.back() != c) {
                code.push_back(c);
            }
        }
        pos += replacement.size();
    }
    if (code.size() > 1 && code.back() == 's') {
        code.pop_back();
    }
    if (EndsWith(code, "ay")) {
        code.replace(code.size() - 2, 2, "y");
    }
    if (code.size() > 1 && code.back() == 'a') {
        code.pop_back();
    }
    return code;
}

// ---------------------------------------------------------------------------------------------

int CompareName(std::string_view left, std::string_view right, std::string_view left_code,
                std::string_view right_code) {
    if (left.empty() || right.empty()) {
        return kMissing;
    }
    if (left == right) {
        return 3;
    }
    const double similarity = JaroWinkler(left, right);
    if (similarity >= 0.92) {
        return 2;
    }
    const bool initial = (left.size() == 1 || right.size() == 1) && left[0] == right[0];
    const bool sounds_alike = !left_code.empty() && left_code == right_code;
    return similarity >= 0.80 || sounds_alike || initial ? 1 : 0;
}

int CompareDate(std::uint32_t left, std::uint32_t right) {
    if (left == 0 || right == 0) {
        return kMissing;
    }
    if (left == right) {
        return 3;
    }
    const std::array<char, 8> left_array = DateDigits(left);
    const std::array<char, 8> right_array = DateDigits(right);
    const std::string_view left_digits(left_array.data(), left_array.size());
    const std::string_view right_digits(right_array.data(), right_array.size());
    const std::uint32_t left_year = left / 10000;
    const std::uint32_t left_month = left / 100 % 100;
    const std::uint32_t left_day = left % 100;
    const std::uint32_t swapped = left_year * 10000 + left_day * 100 + left_month;
    const int differing_digits = HammingDistance(left_digits, right_digits);
    if (differing_digits == 1 || swapped == right ||
        IsAdjacentTransposition(left_digits, right_digits)) {
        return 2;
    }
    const auto days = [](std::uint32_t date) {
        return static_cast<int>(date / 10000) * 372 + static_cast<int>(date / 100 % 100) * 31 +
               static_cast<int>(date % 100);
    };
    return differing_digits == 2 || std::abs(days(left) - days(right)) <= 400 ? 1 : 0;
}

int CompareIdentifier(std::string_view left, std::string_view right) {
    if (left.empty() || right.empty()) {
        return kMissing;
    }
    if (left == right) {
        return 2;
    }
    const bool one_substitution = left.size() == right.size() && HammingDistance(left, right) == 1;
    return one_substitution || IsAdjacentTransposition(left, right) ? 1 : 0;
}

int CompareText(std::string_view left, std::string_view right, double close) {
    if (left.empty() || right.empty()) {
        return kMissing;
    }
    if (left == right) {
        return 2;
    }
    return JaroWinkler(left, right) >= close ? 1 : 0;
}

int CompareEmail(std::string_view left, std::string_view right) {
    if (left.empty() || right.empty()) {
        return kMissing;
    }
    if (left == right) {
        return 2;
    }
    const std::string_view left_local = left.substr(0, left.find('@'));
    const std::string_view right_local = right.substr(0, right.find('@'));
    return left_local == right_local || BoundedLevenshtein(left, right, 2) <= 2 ? 1 : 0;
}

int ComparePostalCode(std::string_view left, std::string_view right) {
    if (left.empty() || right.empty()) {
        return kMissing;
    }
    if (left == right) {
        return 2;
    }
    const bool same_area =
        left.size() >= 3 && right.size() >= 3 && left.substr(0, 3) == right.substr(0, 3);
    return same_area || CompareIdentifier(left, right) == 1 ? 1 : 0;
}

int CompareExact(std::string_view left, std::string_view right) {
    if (left.empty() || right.empty()) {
        return kMissing;
    }
    return left == right ? 1 : 0;
}

}  // namespace p360::identity
