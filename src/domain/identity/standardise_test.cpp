#include "domain/identity/standardise.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace p360::identity {
namespace {

TEST(StandardiseTest, FoldsCaseAccentsAndPunctuation) {
    EXPECT_EQ(FoldText("  O'Brien-SMITH  "), "obrien smith");
    EXPECT_EQ(FoldText("Jos\xC3\xA9 \xC3\x91\xC3\xBA\xC3\xB1\x65z"), "jose nunez");  // José Ñúñez
    EXPECT_EQ(FoldText("Stra\xC3\x9F\x65"), "strasse");                              // Straße
    EXPECT_EQ(FoldText("\xC5\x81\xC3\xB3\x64\xC5\xBA"), "lodz");                     // Łódź
    EXPECT_EQ(FoldText("Zo\xC3\xAB \xC3\x86sir"), "zoe aesir");                      // Zoë Æsir
    EXPECT_EQ(FoldText("e\xCC\x81l\xC3\xA8ve"), "eleve");  // combining acute accent dropped
    EXPECT_EQ(FoldText("d\xE2\x80\x99\x41rcy"), "darcy");  // typographic apostrophe
    EXPECT_EQ(FoldText("a\tb\n\nc"), "a b c");
}

TEST(StandardiseTest, ReadsInvalidUtf8AsLatin1) {
    EXPECT_EQ(FoldText("Jos\xE9"), "jose");         // é in Latin-1
    EXPECT_EQ(FoldText("M\xFCller"), "muller");     // ü in Latin-1
    EXPECT_EQ(FoldText("\xC3"), "a");               // truncated sequence: the lead byte alone
    EXPECT_EQ(FoldText("a\xED\xA0\x80z"), "ai z");  // an encoded surrogate is not UTF-8
}

TEST(StandardiseTest, KeepsLettersOfOtherScripts) {
    const std::string greek = "\xCE\x91\xCE\xBB\xCE\xAD\xCE\xBE\xCE\xB7\xCF\x82";  // Αλέξης
    EXPECT_EQ(FoldText(greek), greek);
    EXPECT_EQ(FoldText("\xE7\x8E\x8B \xE5\xB0\x8F\xE6\x98\x8E"),
              "\xE7\x8E\x8B \xE5\xB0\x8F\xE6\x98\x8E");
}

TEST(StandardiseTest, GivenNamesDropTitlesAndUseCanonicalNicknames) {
    EXPECT_EQ(StandardiseGivenName("Dr. William Jr"), "william");
    EXPECT_EQ(StandardiseGivenName("Bill"), "william");
    EXPECT_EQ(StandardiseGivenName("BOBBY"), "robert");
    EXPECT_EQ(StandardiseGivenName("Peggy Sue"), "margaret susan");
    EXPECT_EQ(StandardiseGivenName("Jr"), "jr");  // nothing else to keep
    EXPECT_EQ(StandardiseGivenName("Zbigniew"), "zbigniew");
}

TEST(StandardiseTest, NicknameTableIsClosed) {
    for (const std::string_view name :
         {"bill", "william", "bob", "robert", "kate", "catherine", "katherine", "harry", "henry",
          "stephen", "steven", "ted", "edward", "liz", "elizabeth", "jon", "john", "zoe"}) {
        const std::string_view canonical = CanonicalGivenName(name);
        EXPECT_EQ(CanonicalGivenName(canonical), canonical) << name;
    }
    EXPECT_EQ(CanonicalGivenName("bill"), CanonicalGivenName("william"));
    EXPECT_EQ(CanonicalGivenName("catherine"), CanonicalGivenName("kate"));
}

TEST(StandardiseTest, FamilyNamesJoinParticlesAndDropSuffixes) {
    EXPECT_EQ(StandardiseFamilyName("van der Berg"), "vanderberg");
    EXPECT_EQ(StandardiseFamilyName("Vanderberg"), "vanderberg");
    EXPECT_EQ(StandardiseFamilyName("Mc Donald"), "mcdonald");
    EXPECT_EQ(StandardiseFamilyName("O'Neil"), "oneil");
    EXPECT_EQ(StandardiseFamilyName("Smith Jr."), "smith");
    EXPECT_EQ(StandardiseFamilyName("De La Cruz"), "delacruz");
    EXPECT_EQ(StandardiseFamilyName("d e smith"), "desmith");
    EXPECT_EQ(StandardiseFamilyName("Smith-Jones"), "smith jones");
}

TEST(StandardiseTest, DatesInSeveralFormats) {
    for (const char* text :
         {"1980-02-29", "19800229", "1980/02/29", "02/29/1980", "29/02/1980", "29.02.1980",
          "Feb 29, 1980", "29 February 1980", "1980-02-29T10:00:00Z", " 1980-02-29 "}) {
        const StandardDate date = StandardiseDate(text);
        EXPECT_EQ(date.iso, "1980-02-29") << text;
        EXPECT_EQ(date.problem, DateProblem::kNone) << text;
    }
    EXPECT_EQ(StandardiseDate("03/04/1980").iso, "1980-03-04");  // US order when ambiguous
    EXPECT_EQ(StandardiseDate("1980-02-29").Packed(), 19800229u);
}

TEST(StandardiseTest, ImpossibleAndUnreadableDatesAreReported) {
    EXPECT_EQ(StandardiseDate("1981-02-29").problem, DateProblem::kImpossible);
    EXPECT_EQ(StandardiseDate("1980-13-01").problem, DateProblem::kImpossible);
    EXPECT_EQ(StandardiseDate("1200-01-01").problem, DateProblem::kImpossible);
    EXPECT_EQ(StandardiseDate("99999999").problem, DateProblem::kImpossible);
    EXPECT_EQ(StandardiseDate("02/03/80").problem, DateProblem::kUnrecognised);
    EXPECT_EQ(StandardiseDate("not a date").problem, DateProblem::kUnrecognised);
    EXPECT_EQ(StandardiseDate("1980-01-01-01").problem, DateProblem::kUnrecognised);
    EXPECT_EQ(StandardiseDate("1980-99999999999999999999-01").problem, DateProblem::kUnrecognised);
    EXPECT_EQ(StandardiseDate("").problem, DateProblem::kEmpty);
    EXPECT_EQ(StandardiseDate("1981-02-29").Packed(), 0u);
}

TEST(StandardiseTest, PhonesPostalCodesEmailsAndIdentifiers) {
    EXPECT_EQ(StandardisePhone("+1 (555) 123-4567"), "5551234567");
    EXPECT_EQ(StandardisePhone("555.123.4567 ext. 89"), "5551234567");
    EXPECT_EQ(StandardisePhone("+44 20 7946 0958"), "442079460958");
    EXPECT_EQ(StandardisePhone("123"), "");
    EXPECT_EQ(StandardisePhone("1234567890123456"), "");
    EXPECT_EQ(StandardisePostalCode("sw1a 1aa"), "SW1A1AA");
    EXPECT_EQ(StandardisePostalCode("12345-6789"), "12345");
    EXPECT_EQ(StandardiseEmail(" John.Doe@Example.COM "), "john.doe@example.com");
    EXPECT_EQ(StandardiseEmail("not-an-email"), "");
    EXPECT_EQ(StandardiseEmail("a@b@c"), "");
    EXPECT_EQ(StandardiseEmail("@example.com"), "");
    EXPECT_EQ(StandardiseIdentifier("123-45-6789"), "123456789");
    EXPECT_EQ(StandardiseIdentifier("000-00-0000"), "");
    EXPECT_EQ(StandardiseIdentifier("1eg4-te5-mk72"), "1EG4TE5MK72");
    EXPECT_EQ(StandardiseSex("Female"), "f");
    EXPECT_EQ(StandardiseSex("M"), "m");
    EXPECT_EQ(StandardiseSex("unknown"), "");
}

TEST(StandardiseTest, AddressesAbbreviateSuffixesDirectionsAndUnits) {
    EXPECT_EQ(StandardiseAddress("12 North Main Street, Apt #4"), "12 n main st unit 4");
    EXPECT_EQ(StandardiseAddress("12 N. Main St Suite 4"), "12 n main st unit 4");
    EXPECT_EQ(StandardiseAddress("7 Wallaby Place"), "7 wallaby pl");
    EXPECT_EQ(StandardiseAddress("40 Sunset Boulevard"), "40 sunset blvd");
}

TEST(StandardiseTest, HugeInputIsBounded) {
    std::string huge;
    for (int i = 0; i < 20000; ++i) {
        huge += "abc ";
    }
    EXPECT_LE(FoldText(huge).size(), kMaxStandardBytes);
    EXPECT_LE(StandardiseGivenName(huge).size(), kMaxStandardBytes);
    EXPECT_LE(StandardiseFamilyName(huge).size(), kMaxStandardBytes);
    EXPECT_LE(StandardiseAddress(huge).size(), kMaxStandardBytes);
    EXPECT_EQ(StandardisePhone(std::string(100000, '5')), "");
    EXPECT_EQ(StandardiseDate(huge).problem, DateProblem::kUnrecognised);
    const std::string one_long_word(5000, 'x');
    EXPECT_EQ(FoldText(one_long_word), std::string(kMaxStandardBytes, 'x'));
}

// Inputs that stress the word rules, the Latin-1 fallback and the length cap.
std::vector<std::string> TrickyInputs() {
    std::vector<std::string> inputs = {
        "",    " ",        "'",         "jr",       "mr jr",    "van",        "van der",
        "d e", "o jr",     "de la",     "Bill Bob", "\xC3",     "\xFF\xFE",   "\xE2\x80\x99",
        "#",   "apt # 4",  "unit unit", "a'b-c",    "\x01\x02", "1980-02-29", "+1 555",
        "x@y", "\xCE\x91",
    };
    // A deterministic spread of short byte strings, valid UTF-8 or not.
    std::uint64_t state = 42;
    for (int sample = 0; sample < 3000; ++sample) {
        std::string bytes;
        const int length = static_cast<int>(state % 24);
        for (int i = 0; i < length; ++i) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            const auto pick = static_cast<unsigned>(state >> 56);
            // Mostly letters, spaces and separators, some high bytes.
            const char* alphabet = "abcdejrmnov '-.#/0123456789";
            bytes.push_back(pick < 200 ? alphabet[pick % 27] : static_cast<char>(pick));
        }
        inputs.push_back(bytes);
        state = state * 6364136223846793005ull + 1442695040888963407ull;
    }
    std::string long_words;
    for (int i = 0; i < 60; ++i) {
        long_words += "van de jr abc ";
    }
    inputs.push_back(long_words);
    return inputs;
}

TEST(StandardiseTest, EveryStandardiserIsIdempotent) {
    const std::vector<std::pair<const char*, std::function<std::string(std::string_view)>>>
        functions = {
            {"FoldText", FoldText},
            {"GivenName", StandardiseGivenName},
            {"FamilyName", StandardiseFamilyName},
            {"Date", [](std::string_view text) { return StandardiseDate(text).iso; }},
            {"Phone", StandardisePhone},
            {"PostalCode", StandardisePostalCode},
            {"Address", StandardiseAddress},
            {"Email", StandardiseEmail},
            {"Identifier", StandardiseIdentifier},
            {"Sex", StandardiseSex},
        };
    for (const std::string& input : TrickyInputs()) {
        for (const auto& [name, standardise] : functions) {
            const std::string once = standardise(input);
            EXPECT_EQ(standardise(once), once) << name << " of \"" << input << "\"";
        }
    }
}

}  // namespace
}  // namespace p360::identity
