#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <set>

namespace p360 {
namespace {

TEST(IdsTest, HasPrefixAndUlidShape) {
    const std::string id = NewId("per", 1'700'000'000'000);
    EXPECT_TRUE(IsWellFormedId(id, "per")) << id;
    EXPECT_FALSE(IsWellFormedId(id, "hh"));
    EXPECT_FALSE(IsWellFormedId("per_short", "per"));
    EXPECT_FALSE(IsWellFormedId("per_01HV0000000000000000000I0", "per"));  // I is not Crockford
}

TEST(IdsTest, LaterTimeSortsAfterEarlierTime) {
    const std::string earlier = NewId("per", 1'700'000'000'000);
    const std::string later = NewId("per", 1'700'000'000'001);
    EXPECT_LT(earlier, later);
}

TEST(IdsTest, IdsInTheSameMillisecondAreDistinct) {
    std::set<std::string> seen;
    for (int id_idx = 0; id_idx < 10'000; ++id_idx) {
        seen.insert(NewId("per", 1'700'000'000'000));
    }
    EXPECT_EQ(seen.size(), 10'000U);
}

}  // namespace
}  // namespace p360
