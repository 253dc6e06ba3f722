#include "domain/identity/blocking.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace p360::identity {
namespace {

PersonRecord Jane() {
    PersonRecord record;
    record.given_name = "Jane";
    record.family_name = "Thornbury";
    record.birth_date = "1984-07-12";
    record.postal_code = "60601";
    record.city = "Chicago";
    record.email = "jane.t@example.org";
    record.phone = "312-555-0101";
    record.national_id = "123-45-6789";
    record.member_id = "M100";
    return record;
}

std::vector<std::uint64_t> KeysOf(const PersonRecord& record) {
    std::vector<std::uint64_t> keys;
    const StandardPerson person = Standardise(record);
    AppendBlockingKeys(ViewOf(person), keys);
    return keys;
}

bool ShareAKey(const PersonRecord& left, const PersonRecord& right) {
    std::vector<std::uint64_t> left_keys = KeysOf(left);
    std::vector<std::uint64_t> right_keys = KeysOf(right);
    std::sort(left_keys.begin(), left_keys.end());
    std::sort(right_keys.begin(), right_keys.end());
    std::vector<std::uint64_t> shared;
    std::set_intersection(left_keys.begin(), left_keys.end(), right_keys.begin(), right_keys.end(),
                          std::back_inserter(shared));
    return !shared.empty();
}

TEST(BlockingTest, OneKeyPerApplicableRule) {
    EXPECT_EQ(KeysOf(Jane()).size(), kBlockingRuleCount);
    PersonRecord sparse;
    sparse.family_name = "Thornbury";
    sparse.birth_date = "1984-07-12";
    // familyCode+birthYear, familyInitial+birthDate, birthDate.
    EXPECT_EQ(KeysOf(sparse).size(), 3u);
    EXPECT_TRUE(KeysOf(PersonRecord{}).empty());
}

// Every single error is survived by at least one rule; the errors are the kinds the
// rules were chosen for.
TEST(BlockingTest, TruePairsWithOneErrorStillShareAKey) {
    const PersonRecord original = Jane();
    PersonRecord stripped = original;  // only names, birth date and postal code left
    stripped.email.clear();
    stripped.phone.clear();
    stripped.national_id.clear();
    stripped.member_id.clear();
    stripped.city.clear();

    PersonRecord family_typo = stripped;
    family_typo.family_name = "Xhornbury";
    EXPECT_TRUE(ShareAKey(stripped, family_typo));

    PersonRecord swapped_date = stripped;
    swapped_date.birth_date = "1984-12-07";
    EXPECT_TRUE(ShareAKey(stripped, swapped_date));

    PersonRecord swapped_names = stripped;
    swapped_names.postal_code = "99999";
    swapped_names.birth_date = "1985-08-13";
    std::swap(swapped_names.given_name, swapped_names.family_name);
    EXPECT_TRUE(ShareAKey(stripped, swapped_names));

    PersonRecord moved = stripped;
    moved.postal_code = "10001";
    moved.family_name = "Thornbery";
    EXPECT_TRUE(ShareAKey(stripped, moved));
}

TEST(BlockingTest, DifferentPeopleShareNoKey) {
    PersonRecord other;
    other.given_name = "Robert";
    other.family_name = "Ashford";
    other.birth_date = "1950-01-30";
    other.postal_code = "77002";
    other.city = "Houston";
    EXPECT_FALSE(ShareAKey(Jane(), other));
}

TEST(BlockingTest, IndexReturnsRecordsByKey) {
    BlockingIndex index;
    const std::vector<std::uint64_t> first = {10, 20};
    const std::vector<std::uint64_t> second = {20, 30};
    index.Add(0, first);
    index.Add(1, second);
    const auto shared = index.Block(20);
    ASSERT_EQ(shared.size(), 2u);
    EXPECT_EQ(shared[0], 0u);
    EXPECT_EQ(shared[1], 1u);
    EXPECT_EQ(index.Block(30).size(), 1u);
    EXPECT_TRUE(index.Block(99).empty());
    EXPECT_EQ(index.key_count(), 3u);
}

// A key holds one record in place and moves to a list of its own at the second; the list
// keeps every record in the order added, and a record given the same key twice once.
TEST(BlockingTest, AKeyKeepsEveryRecordInOrderHoweverManyShareIt) {
    BlockingIndex index;
    const std::vector<std::uint64_t> shared_key = {7};
    const std::vector<std::uint64_t> twice = {7, 7};
    index.Add(5, shared_key);
    ASSERT_EQ(index.Block(7).size(), 1u);
    EXPECT_EQ(index.Block(7)[0], 5u);
    index.Add(5, shared_key);  // the same record again: still one
    EXPECT_EQ(index.Block(7).size(), 1u);
    for (std::uint32_t record = 6; record < 106; ++record) {
        index.Add(record, record == 50 ? twice : shared_key);
        const std::vector<std::uint64_t> own = {1000 + record};
        index.Add(record, own);
    }
    const auto block = index.Block(7);
    ASSERT_EQ(block.size(), 101u);
    for (std::uint32_t offset = 0; offset < 101; ++offset) {
        EXPECT_EQ(block[offset], 5 + offset);
    }
    // Keys of one record each stay apart from the shared one.
    ASSERT_EQ(index.Block(1050).size(), 1u);
    EXPECT_EQ(index.Block(1050)[0], 50u);
    EXPECT_EQ(index.key_count(), 101u);
}

}  // namespace
}  // namespace p360::identity
