#include "domain/identity/string_pool.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace p360::identity {
namespace {

// Enough values to make the set of ids grow many times over, each found again by its text.
TEST(StringPoolTest, EachTextHasOneIdWhichFindsItAgainAfterTheSetGrew) {
    StringPool pool;
    EXPECT_EQ(pool.Intern(""), 0u);
    std::vector<std::uint32_t> ids;
    for (int value = 0; value < 50'000; ++value) {
        ids.push_back(pool.Intern("value-" + std::to_string(value)));
    }
    EXPECT_EQ(pool.size(), 50'001u);
    for (int value = 0; value < 50'000; value += 7) {
        const std::string text = "value-" + std::to_string(value);
        EXPECT_EQ(pool.Intern(text), ids[value]);
        EXPECT_EQ(pool.Find(text), ids[value]);
        EXPECT_EQ(pool.View(ids[value]), text);
    }
    EXPECT_FALSE(pool.Find("value-50000").has_value());
    EXPECT_EQ(pool.size(), 50'001u);  // looking up added nothing
}

TEST(StringPoolTest, AMovedPoolStillFindsAndAddsText) {
    StringPool first;
    const std::uint32_t smith = first.Intern("SMITH");
    StringPool moved = std::move(first);
    EXPECT_EQ(moved.Find("SMITH"), smith);
    const std::uint32_t jones = moved.Intern("JONES");
    EXPECT_NE(jones, smith);
    EXPECT_EQ(moved.Intern("SMITH"), smith);
    EXPECT_EQ(moved.View(jones), "JONES");
}

}  // namespace
}  // namespace p360::identity
