#include "domain/identity/comparators.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace p360::identity {
namespace {

// Reference values from Winkler (1990) and the record-linkage literature that repeats them.
TEST(ComparatorsTest, JaroAndJaroWinklerMatchPublishedValues) {
    EXPECT_NEAR(Jaro("martha", "marhta"), 0.944, 0.001);
    EXPECT_NEAR(JaroWinkler("martha", "marhta"), 0.961, 0.001);
    EXPECT_NEAR(Jaro("dwayne", "duane"), 0.822, 0.001);
    EXPECT_NEAR(JaroWinkler("dwayne", "duane"), 0.840, 0.001);
    EXPECT_NEAR(Jaro("dixon", "dicksonx"), 0.767, 0.001);
    EXPECT_NEAR(JaroWinkler("dixon", "dicksonx"), 0.813, 0.001);
    EXPECT_DOUBLE_EQ(JaroWinkler("same", "same"), 1.0);
    EXPECT_DOUBLE_EQ(Jaro("abc", "xyz"), 0.0);
    EXPECT_DOUBLE_EQ(Jaro("", "abc"), 0.0);
    EXPECT_DOUBLE_EQ(Jaro("a", "a"), 1.0);
}

// The textbook full-table edit distance, as an oracle for the banded one.
int FullLevenshtein(const std::string& left, const std::string& right) {
    std::vector<std::vector<int>> table(left.size() + 1, std::vector<int>(right.size() + 1));
    for (std::size_t i = 0; i <= left.size(); ++i) {
        for (std::size_t j = 0; j <= right.size(); ++j) {
            table[i][j] = i == 0 ? static_cast<int>(j)
                          : j == 0
                              ? static_cast<int>(i)
                              : std::min({table[i - 1][j] + 1, table[i][j - 1] + 1,
                                          table[i - 1][j - 1] + (left[i - 1] != right[j - 1])});
        }
    }
    return table[left.size()][right.size()];
}

TEST(ComparatorsTest, BoundedLevenshteinAgreesWithTheFullTableUpToItsBound) {
    std::uint64_t state = 12345;
    const auto next = [&state](int bound) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<int>((state >> 33) % static_cast<std::uint64_t>(bound));
    };
    for (int trial = 0; trial < 20000; ++trial) {
        std::string left;
        std::string right;
        const int length = next(12);
        for (int i = 0; i < length; ++i) {
            left.push_back(static_cast<char>('a' + next(3)));  // few letters: many near strings
        }
        right = left;
        for (int edits = next(4); edits > 0; --edits) {
            const auto at = static_cast<std::size_t>(next(static_cast<int>(right.size()) + 1));
            switch (next(3)) {
                case 0:
                    right.insert(at, 1, static_cast<char>('a' + next(3)));
                    break;
                case 1:
                    if (at < right.size()) right.erase(at, 1);
                    break;
                default:
                    if (at < right.size()) right[at] = static_cast<char>('a' + next(3));
                    break;
            }
        }
        const int bound = next(4);
        const int full = FullLevenshtein(left, right);
        EXPECT_EQ(BoundedLevenshtein(left, right, bound), std::min(full, bound + 1))
            << left << " / " << right << " bound " << bound;
    }
}

TEST(ComparatorsTest, BoundedLevenshtein) {
    EXPECT_EQ(BoundedLevenshtein("kitten", "sitting", 5), 3);
    EXPECT_EQ(BoundedLevenshtein("flaw", "lawn", 5), 2);
    EXPECT_EQ(BoundedLevenshtein("", "abc", 5), 3);
    EXPECT_EQ(BoundedLevenshtein("same", "same", 0), 0);
    // Past the bound the answer is bound + 1, whatever the true distance.
    EXPECT_EQ(BoundedLevenshtein("kitten", "sitting", 2), 3);
    EXPECT_EQ(BoundedLevenshtein("a", "abcdefgh", 2), 3);
}

TEST(ComparatorsTest, TranspositionAndHamming) {
    EXPECT_TRUE(IsAdjacentTransposition("123456789", "123456798"));
    EXPECT_TRUE(IsAdjacentTransposition("ab", "ba"));
    EXPECT_FALSE(IsAdjacentTransposition("1234", "4231"));
    EXPECT_FALSE(IsAdjacentTransposition("1234", "1234"));
    EXPECT_FALSE(IsAdjacentTransposition("123", "1234"));
    EXPECT_EQ(HammingDistance("19800102", "19810102"), 1);
    EXPECT_EQ(HammingDistance("abc", "abcde"), 2);
}

// Worked by hand from the NYSIIS rules (Taft 1970); the same codes appear in published tables.
TEST(ComparatorsTest, NysiisCodes) {
    EXPECT_EQ(Nysiis("knight"), "nagt");
    EXPECT_EQ(Nysiis("mitchell"), "matcal");
    EXPECT_EQ(Nysiis("watkins"), "watcan");
    EXPECT_EQ(Nysiis("bishop"), "basap");
    EXPECT_EQ(Nysiis("carlson"), "carlsan");
    EXPECT_EQ(Nysiis("brian"), "bran");
    EXPECT_EQ(Nysiis("macintosh"), "mcant");
    EXPECT_EQ(Nysiis("lawson"), "lasan");
    EXPECT_EQ(Nysiis("Knight"), Nysiis("knight"));
    EXPECT_EQ(Nysiis("johnson"), Nysiis("jonson"));
    EXPECT_EQ(Nysiis(""), "");
    EXPECT_EQ(Nysiis("123 !"), "");
}

TEST(ComparatorsTest, NameLevels) {
    EXPECT_EQ(CompareName("william", "william", "walan", "walan"), 3);
    EXPECT_EQ(CompareName("martha", "marhta", "", ""), 2);
    EXPECT_EQ(CompareName("j", "john", "", ""), 1);  // an initial
    EXPECT_EQ(CompareName("katherine", "kathryn", Nysiis("katherine"), Nysiis("kathryn")), 1);
    EXPECT_EQ(CompareName("mary", "robert", Nysiis("mary"), Nysiis("robert")), 0);
    EXPECT_EQ(CompareName("", "robert", "", "rabad"), kMissing);
}

TEST(ComparatorsTest, DateLevelsForgiveTypos) {
    EXPECT_EQ(CompareDate(19800102, 19800102), 3);
    EXPECT_EQ(CompareDate(19800102, 19800201), 2);  // day and month swapped
    EXPECT_EQ(CompareDate(19800102, 19810102), 2);  // one digit of the year
    EXPECT_EQ(CompareDate(19800102, 19080102), 2);  // two year digits transposed
    EXPECT_EQ(CompareDate(19800102, 19800125), 1);  // two digits, 23 days apart
    EXPECT_EQ(CompareDate(19800102, 19801220), 1);  // within about a year
    EXPECT_EQ(CompareDate(19800102, 19990909), 0);
    EXPECT_EQ(CompareDate(0, 19800102), kMissing);
}

TEST(ComparatorsTest, IdentifierLevelsForgiveOneTypo) {
    EXPECT_EQ(CompareIdentifier("123456789", "123456789"), 2);
    EXPECT_EQ(CompareIdentifier("123456789", "123456798"), 1);  // adjacent swap
    EXPECT_EQ(CompareIdentifier("123456789", "123456780"), 1);  // one digit
    EXPECT_EQ(CompareIdentifier("123456789", "987654321"), 0);
    EXPECT_EQ(CompareIdentifier("123456789", "12345678"), 0);
    EXPECT_EQ(CompareIdentifier("", "123"), kMissing);
}

TEST(ComparatorsTest, OtherLevels) {
    EXPECT_EQ(CompareEmail("a.b@x.com", "a.b@x.com"), 2);
    EXPECT_EQ(CompareEmail("a.b@x.com", "a.b@y.org"), 1);
    EXPECT_EQ(CompareEmail("anna@x.com", "anne@x.com"), 1);
    EXPECT_EQ(CompareEmail("anna@x.com", "bob@y.org"), 0);
    EXPECT_EQ(ComparePostalCode("12345", "12345"), 2);
    EXPECT_EQ(ComparePostalCode("12345", "12399"), 1);
    EXPECT_EQ(ComparePostalCode("12345", "54321"), 0);
    EXPECT_EQ(CompareText("wallaby pl", "walaby pl", 0.88), 1);
    EXPECT_EQ(CompareText("wallaby pl", "main st", 0.88), 0);
    EXPECT_EQ(CompareExact("f", "f"), 1);
    EXPECT_EQ(CompareExact("f", ""), kMissing);
}

}  // namespace
}  // namespace p360::identity
