#include "domain/identity/standardise.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <vector>

namespace p360::identity {
namespace {

// ---------------------------------------------------------------------------------------------
// UTF-8 decoding with a Latin-1 fallback

// ASCII spellings of U+00C0..U+00FF; a space marks the two symbols (× and ÷).
constexpr std::array<std::string_view, 64> kLatin1Letters = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  " ", "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  " ", "o", "u", "u", "u", "u", "y", "th", "y",
};

// ASCII bases of U+0100..U+017F (Latin Extended-A), one letter each; the two ligatures
// (U+0132/3 ĳ and U+0152/3 œ) are handled in code and marked '?' here.
constexpr std::string_view kLatinExtendedA =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii??jjkkkllllllllllnnnnnnnnnoooooo??rrrrrrss"
    "ssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
static_assert(kLatinExtendedA.size() == 128);

struct CodePoint {
    char32_t value = 0;
    std::size_t length = 1;  // bytes consumed
};

// Strict UTF-8 (no overlongs, surrogates or values past U+10FFFF). A byte that does not start a
// valid sequence is read as one Latin-1 character, so legacy Latin-1 text still folds well.
CodePoint DecodeAt(std::string_view text, std::size_t pos) {
    const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
    const unsigned char lead = byte(pos);
    if (lead < 0x80) {
        return {lead, 1};
    }
    std::size_t length = 0;
    char32_t value = 0;
    char32_t minimum = 0;
    if ((lead & 0xE0) == 0xC0) {
        length = 2, value = lead & 0x1F, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, value = lead & 0x0F, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, value = lead & 0x07, minimum = 0x10000;
    }
    if (length == 0 || pos + length > text.size()) {
        return {lead, 1};
    }
    for (std::size_t offset = 1; offset < length; ++offset) {
        if ((byte(pos + offset) & 0xC0) != 0x80) {
            return {lead, 1};
        }
        value = (value << 6) | (byte(pos + offset) & 0x3F);
    }
    const bool surrogate = value >= 0xD800 && value <= 0xDFFF;
    if (value < minimum || value > 0x10FFFF || surrogate) {
        return {lead, 1};
    }
    return {value, length};
}

void AppendUtf8(std::string& out, char32_t value) {
    if (value < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (value >> 6)));
    } else if (value < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (value >> 12)));
        out.push_back(static_cast<char>(0x80 | ((value >> 6) & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (value >> 18)));
        out.push_back(static_cast<char>(0x80 | ((value >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((value >> 6) & 0x3F)));
    }
    out.push_back(static_cast<char>(0x80 | (value & 0x3F)));
}

bool IsApostrophe(char32_t value) {
    return value == '\'' || value == '`' || value == 0xB4 || value == 0x2BC || value == 0x2018 ||
           value == 0x2019;
}

bool IsSeparator(char32_t value) {
    return value < 0xC0 || value == 0xD7 || value == 0xF7 || (value >= 0x2000 && value <= 0x206F) ||
           (value >= 0x3000 && value <= 0x303F) || value == 0xFEFF;
}

// Appends the folded form of one code point: ASCII for Latin letters, a space for separators,
// nothing for apostrophes and combining accents, the character itself otherwise.
void AppendFolded(std::string& out, char32_t value) {
    if (value < 0x80 && std::isalnum(static_cast<unsigned char>(value))) {
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(value))));
    } else if (IsApostrophe(value) || (value >= 0x300 && value <= 0x36F)) {
        return;
    } else if (IsSeparator(value)) {
        out.push_back(' ');
    } else if (value < 0x100) {
        out.append(kLatin1Letters[value - 0xC0]);
    } else if (value < 0x180) {
        if (value == 0x132 || value == 0x133) {
            out.append("ij");
        } else if (value == 0x152 || value == 0x153) {
            out.append("oe");
        } else {
            out.push_back(kLatinExtendedA[value - 0x100]);
        }
    } else {
        AppendUtf8(out, value);
    }
}

// ---------------------------------------------------------------------------------------------
// Words

std::vector<std::string_view> SplitWords(std::string_view text) {
    std::vector<std::string_view> words;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t end = std::min(text.find(' ', pos), text.size());
        if (end > pos) {
            words.push_back(text.substr(pos, end - pos));
        }
        pos = end + 1;
    }
    return words;
}

// Cuts at the last word boundary within kMaxStandardBytes, so every word kept is whole and the
// result standardises to itself; a single overlong word is cut at a character boundary.
void CapLength(std::string& text) {
    if (text.size() <= kMaxStandardBytes) {
        return;
    }
    std::size_t cut = text.rfind(' ', kMaxStandardBytes);
    if (cut == std::string::npos || cut == 0) {
        cut = kMaxStandardBytes;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
            --cut;
        }
    }
    text.resize(cut);
    while (!text.empty() && text.back() == ' ') {
        text.pop_back();
    }
}

std::string JoinWords(const std::vector<std::string_view>& words) {
    std::string out;
    for (const std::string_view word : words) {
        if (!out.empty()) {
            out.push_back(' ');
        }
        out.append(word);
    }
    CapLength(out);
    return out;
}

bool IsOneOf(std::string_view word, std::initializer_list<std::string_view> list) {
    return std::find(list.begin(), list.end(), word) != list.end();
}

bool IsTitle(std::string_view word) {
    return IsOneOf(word, {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir"});
}

bool IsSuffix(std::string_view word) {
    return IsOneOf(word, {"jr", "sr", "ii", "iii", "iv", "md", "phd", "esq"});
}

bool IsParticle(std::string_view word) {
    return IsOneOf(word,
                   {"van", "von", "der", "den", "de", "del", "della", "di",  "da",  "du",  "la",
                    "le",  "mc",  "mac", "o",   "d",  "al",  "el",    "ten", "ter", "dos", "das"});
}

// Drops the words `drop` selects, unless nothing else would remain: a name that is only
// "Jr" stays "jr" rather than vanishing.
std::vector<std::string_view> DropUnlessAlone(std::vector<std::string_view> words,
                                              bool (*drop)(std::string_view)) {
    std::vector<std::string_view> kept;
    for (const std::string_view word : words) {
        if (!drop(word)) {
            kept.push_back(word);
        }
    }
    return kept.empty() ? words : kept;
}

bool IsTitleOrSuffix(std::string_view word) { return IsTitle(word) || IsSuffix(word); }

// ---------------------------------------------------------------------------------------------
// Nicknames: each row is a canonical name followed by the names that standardise to it. A
// nickname shared by several names (Al, Pat, Sam) is left out rather than guessed.

constexpr std::string_view kNicknameRows[] = {
    "william bill billy will willy",
    "robert bob bobby rob robbie bert",
    "james jim jimmy jamie",
    "michael mike mikey mick mickey",
    "david dave davey",
    "richard rick ricky rich richie dick",
    "joseph joe joey",
    "thomas tom tommy",
    "christopher chris kit",
    "charles charlie chuck",
    "daniel dan danny",
    "matthew matt matty",
    "anthony tony",
    "donald don donnie",
    "steven steve stephen stevie",
    "andrew andy drew",
    "joshua josh",
    "kenneth ken kenny",
    "timothy tim timmy",
    "gregory greg",
    "alexander alex xander",
    "samuel sammy",
    "benjamin ben benny",
    "nicholas nick nicky",
    "jacob jake",
    "jeffrey jeff geoffrey",
    "lawrence larry laurence",
    "gerald jerry",
    "raymond ray",
    "henry harry hank",
    "frederick fred freddie freddy",
    "walter walt",
    "edward ed eddie eddy ted teddy ned",
    "theodore theo",
    "philip phil phillip",
    "douglas doug",
    "vincent vince",
    "stanley stan",
    "oliver ollie olly",
    "nathaniel nathan nate",
    "jonathan jon jonny",
    "john johnny",
    "elizabeth liz lizzie beth betty bess eliza libby",
    "margaret maggie meg peggy",
    "katherine kate katie kathy cathy catherine kathryn kat",
    "susan sue susie",
    "jennifer jen jenny",
    "patricia patty trish tricia",
    "deborah debbie deb debra",
    "rebecca becky",
    "amanda mandy",
    "sandra sandy",
    "abigail abby abbie",
    "victoria vicky vikki tori",
    "jessica jess jessie",
    "christine chrissy tina christina",
    "cynthia cindy",
    "dorothy dot dottie",
    "mary molly polly",
    "stephanie steph",
    "pamela pam",
    "barbara barb babs",
    "nicole nikki",
    "jacqueline jackie",
    "isabella bella izzy isabel",
    "gabriel gabe",
    "eleanor ellie nora",
    "valerie val",
    "judith judy",
};

// Looks a word up in the rows above (the list is small; a linear scan costs less than the
// UTF-8 work around it).
std::optional<std::string_view> LookUpNickname(std::string_view word) {
    for (const std::string_view row : kNicknameRows) {
        const std::string_view canonical = row.substr(0, row.find(' '));
        for (const std::string_view name : SplitWords(row)) {
            if (name == word) {
                return canonical;
            }
        }
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Dates

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
    constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

bool IsValidDate(int year, int month, int day) {
    return year >= 1800 && year <= 2199 && month >= 1 && month <= 12 && day >= 1 &&
           day <= DaysInMonth(year, month);
}

StandardDate MakeDate(int year, int month, int day) {
    if (!IsValidDate(year, month, day)) {
        return {.iso = {}, .problem = DateProblem::kImpossible};
    }
    std::string iso(10, '0');
    const auto put = [&](std::size_t at, int value, int width) {
        for (int digit = width - 1; digit >= 0; --digit) {
            iso[at + static_cast<std::size_t>(digit)] = static_cast<char>('0' + value % 10);
            value /= 10;
        }
    };
    put(0, year, 4);
    iso[4] = '-';
    put(5, month, 2);
    iso[7] = '-';
    put(8, day, 2);
    return {.iso = std::move(iso), .problem = DateProblem::kNone};
}

struct DateToken {
    std::string_view text;
    bool numeric = false;
    int Number() const {
        int value = 0;
        std::from_chars(text.data(), text.data() + text.size(), value);
        return value;
    }
};

std::vector<DateToken> TokeniseDate(std::string_view text) {
    std::vector<DateToken> tokens;
    std::size_t pos = 0;
    while (pos < text.size() && tokens.size() <= 4) {
        const auto kind = [&](std::size_t at) {
            const auto c = static_cast<unsigned char>(text[at]);
            return std::isdigit(c) ? 1 : (std::isalpha(c) ? 2 : 0);
        };
        const int token_kind = kind(pos);
        std::size_t end = pos;
        while (end < text.size() && token_kind != 0 && kind(end) == token_kind) {
            ++end;
        }
        if (token_kind != 0) {
            tokens.push_back({text.substr(pos, end - pos), token_kind == 1});
        }
        pos = token_kind == 0 ? pos + 1 : end;
    }
    return tokens;
}

int MonthFromName(std::string_view word) {
    constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
    if (word.size() < 3 || word.size() > 9) {
        return 0;
    }
    std::string prefix;
    for (const char c : word.substr(0, 3)) {
        prefix.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    for (int month = 0; month < 12; ++month) {
        if (kMonths[month] == prefix) {
            return month + 1;
        }
    }
    return 0;
}

// Eight digits: YYYYMMDD first, then the US and day-first orders.
StandardDate DateFromCompact(std::string_view digits) {
    const auto part = [&](std::size_t at, std::size_t width) {
        return DateToken{digits.substr(at, width), true}.Number();
    };
    StandardDate date = MakeDate(part(0, 4), part(4, 2), part(6, 2));
    if (date.problem == DateProblem::kNone) {
        return date;
    }
    date = MakeDate(part(4, 4), part(0, 2), part(2, 2));
    if (date.problem == DateProblem::kNone) {
        return date;
    }
    return MakeDate(part(4, 4), part(2, 2), part(0, 2));
}

StandardDate DateFromNumbers(const DateToken& first, const DateToken& second,
                             const DateToken& third) {
    if (first.text.size() == 4) {
        return MakeDate(first.Number(), second.Number(), third.Number());
    }
    if (third.text.size() != 4 || first.text.size() > 2 || second.text.size() > 2) {
        return {.iso = {}, .problem = DateProblem::kUnrecognised};
    }
    // US order unless the first part cannot be a month.
    if (first.Number() > 12) {
        return MakeDate(third.Number(), second.Number(), first.Number());
    }
    return MakeDate(third.Number(), first.Number(), second.Number());
}

StandardDate DateWithMonthName(const std::vector<DateToken>& tokens) {
    int month = 0;
    std::vector<DateToken> numbers;
    for (const DateToken& token : tokens) {
        if (token.numeric) {
            numbers.push_back(token);
        } else if (month == 0) {
            month = MonthFromName(token.text);
        }
    }
    if (month == 0 || numbers.size() != 2) {
        return {.iso = {}, .problem = DateProblem::kUnrecognised};
    }
    const bool year_first = numbers[0].text.size() == 4;
    const DateToken& year = year_first ? numbers[0] : numbers[1];
    const DateToken& day = year_first ? numbers[1] : numbers[0];
    if (year.text.size() != 4 || day.text.size() > 2) {
        return {.iso = {}, .problem = DateProblem::kUnrecognised};
    }
    return MakeDate(year.Number(), month, day.Number());
}

// An ISO datetime keeps its date: "1980-01-02T10:00:00Z" → "1980-01-02".
std::string_view StripTimeOfDay(std::string_view text) {
    if (text.size() > 10 && text[4] == '-' && text[7] == '-' &&
        (text[10] == 'T' || text[10] == ' ')) {
        return text.substr(0, 10);
    }
    return text;
}

std::string_view TrimAscii(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.remove_suffix(1);
    }
    return text;
}

// ---------------------------------------------------------------------------------------------
// Addresses

std::string_view AbbreviateAddressWord(std::string_view word) {
    struct Abbreviation {
        std::string_view from;
        std::string_view to;
    };
    static constexpr Abbreviation kAbbreviations[] = {
        {"street", "st"},      {"str", "st"},         {"avenue", "ave"},   {"av", "ave"},
        {"road", "rd"},        {"drive", "dr"},       {"lane", "ln"},      {"court", "ct"},
        {"place", "pl"},       {"boulevard", "blvd"}, {"circle", "cir"},   {"circuit", "cct"},
        {"crescent", "cres"},  {"terrace", "ter"},    {"highway", "hwy"},  {"parkway", "pkwy"},
        {"square", "sq"},      {"parade", "pde"},     {"close", "cl"},     {"grove", "gr"},
        {"trail", "trl"},      {"mount", "mt"},       {"point", "pt"},     {"expressway", "expy"},
        {"north", "n"},        {"south", "s"},        {"east", "e"},       {"west", "w"},
        {"northeast", "ne"},   {"northwest", "nw"},   {"southeast", "se"}, {"southwest", "sw"},
        {"apartment", "unit"}, {"apt", "unit"},       {"suite", "unit"},   {"ste", "unit"},
        {"flat", "unit"},      {"room", "unit"},      {"rm", "unit"},
    };
    for (const Abbreviation& abbreviation : kAbbreviations) {
        if (abbreviation.from == word) {
            return abbreviation.to;
        }
    }
    return word;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string FoldText(std::string_view text) {
    std::string folded;
    folded.reserve(std::min(text.size(), kMaxStandardBytes * 4) + 8);
    for (std::size_t pos = 0; pos < text.size();) {
        const CodePoint code_point = DecodeAt(text, pos);
        AppendFolded(folded, code_point.value);
        pos += code_point.length;
    }
    return JoinWords(SplitWords(folded));
}

std::string_view CanonicalGivenName(std::string_view word) {
    return LookUpNickname(word).value_or(word);
}

std::string StandardiseGivenName(std::string_view text) {
    const std::string folded = FoldText(text);
    std::vector<std::string_view> words = DropUnlessAlone(SplitWords(folded), IsTitleOrSuffix);
    for (std::string_view& word : words) {
        word = CanonicalGivenName(word);
    }
    return JoinWords(words);
}

std::string StandardiseFamilyName(std::string_view text) {
    const std::string folded = FoldText(text);
    const std::vector<std::string_view> words = DropUnlessAlone(SplitWords(folded), IsSuffix);
    // A particle joins the word after it; the joined word is checked again, so "d e smith"
    // becomes "desmith" at once rather than "de smith" now and "desmith" next time.
    std::string joined;
    std::size_t word_start = 0;
    bool after_particle = false;
    for (const std::string_view word : words) {
        const bool joins =
            after_particle || IsParticle(std::string_view(joined).substr(word_start));
        if (!joined.empty() && !joins) {
            joined.push_back(' ');
            word_start = joined.size();
        }
        joined.append(word);
        after_particle = IsParticle(word);
    }
    CapLength(joined);
    return joined;
}

std::uint32_t StandardDate::Packed() const {
    if (problem != DateProblem::kNone || iso.size() != 10) {
        return 0;
    }
    const auto part = [&](std::size_t at, std::size_t width) {
        return static_cast<std::uint32_t>(
            DateToken{std::string_view(iso).substr(at, width), true}.Number());
    };
    return part(0, 4) * 10000 + part(5, 2) * 100 + part(8, 2);
}

StandardDate StandardiseDate(std::string_view text) {
    text = StripTimeOfDay(TrimAscii(text));
    if (text.empty()) {
        return {.iso = {}, .problem = DateProblem::kEmpty};
    }
    const std::vector<DateToken> tokens = TokeniseDate(text.substr(0, 64));
    if (tokens.size() == 1 && tokens[0].numeric && tokens[0].text.size() == 8) {
        return DateFromCompact(tokens[0].text);
    }
    if (tokens.size() != 3) {
        return {.iso = {}, .problem = DateProblem::kUnrecognised};
    }
    const bool all_numeric = tokens[0].numeric && tokens[1].numeric && tokens[2].numeric;
    for (const DateToken& token : tokens) {
        if (token.text.size() > 9) {
            return {.iso = {}, .problem = DateProblem::kUnrecognised};
        }
    }
    return all_numeric ? DateFromNumbers(tokens[0], tokens[1], tokens[2])
                       : DateWithMonthName(tokens);
}

std::string StandardisePhone(std::string_view text) {
    std::string digits;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalpha(byte)) {
            break;  // an extension follows
        }
        if (std::isdigit(byte)) {
            digits.push_back(c);
            if (digits.size() > 15) {
                return {};
            }
        }
    }
    if (digits.size() == 11 && digits.front() == '1') {
        digits.erase(0, 1);
    }
    if (digits.size() < 7) {
        return {};
    }
    return digits;
}

std::string StandardisePostalCode(std::string_view text) {
    std::string code;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte)) {
            code.push_back(static_cast<char>(std::toupper(byte)));
            if (code.size() > 10) {
                return {};
            }
        }
    }
    const bool all_digits = std::all_of(code.begin(), code.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
    });
    if (all_digits && code.size() == 9) {
        code.resize(5);  // ZIP+4 → ZIP
    }
    return code;
}

std::string StandardiseAddress(std::string_view text) {
    std::string spaced;
    spaced.reserve(std::min(text.size(), kMaxStandardBytes * 4));
    for (const char c : text) {
        if (c == '#') {
            spaced.append(" unit ");
        } else {
            spaced.push_back(c);
        }
    }
    const std::string folded = FoldText(spaced);
    std::vector<std::string_view> words;
    for (const std::string_view word : SplitWords(folded)) {
        const std::string_view abbreviated = AbbreviateAddressWord(word);
        // "Apt #4" reads "unit unit 4" after both are unified; say it once.
        if (abbreviated == "unit" && !words.empty() && words.back() == "unit") {
            continue;
        }
        words.push_back(abbreviated);
    }
    return JoinWords(words);
}

std::string StandardiseEmail(std::string_view text) {
    text = TrimAscii(text);
    if (text.size() > 254) {
        return {};
    }
    std::string email;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isspace(byte) || byte >= 0x80 || std::iscntrl(byte)) {
            return {};
        }
        email.push_back(static_cast<char>(std::tolower(byte)));
    }
    const std::size_t at = email.find('@');
    const bool well_formed = at != std::string::npos && at > 0 && at + 1 < email.size() &&
                             email.find('@', at + 1) == std::string::npos;
    return well_formed ? email : std::string();
}

std::string StandardiseIdentifier(std::string_view text) {
    std::string id;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte)) {
            id.push_back(static_cast<char>(std::toupper(byte)));
            if (id.size() > 40) {
                return {};
            }
        }
    }
    // "000000000" and "999999999" are placeholders, not identifiers.
    const bool one_repeated_character =
        !id.empty() && std::all_of(id.begin(), id.end(), [&](char c) { return c == id.front(); });
    return one_repeated_character ? std::string() : id;
}

std::string StandardiseSex(std::string_view text) {
    const std::string folded = FoldText(text.substr(0, 32));
    if (IsOneOf(folded, {"f", "female", "w", "woman", "girl"})) {
        return "f";
    }
    if (IsOneOf(folded, {"m", "male", "man", "boy"})) {
        return "m";
    }
    return {};
}

}  // namespace p360::identity
