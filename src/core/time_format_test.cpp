#include "core/time_format.hpp"

#include <gtest/gtest.h>

namespace p360 {
namespace {

TEST(TimeFormatTest, AcceptsValidDatesOnly) {
    EXPECT_EQ(NormalizeDate("2024-02-29"), "2024-02-29");
    EXPECT_FALSE(NormalizeDate("2023-02-29"));
    EXPECT_FALSE(NormalizeDate("2024-13-01"));
    EXPECT_FALSE(NormalizeDate("2024-1-01"));
    EXPECT_FALSE(NormalizeDate("2024-01-01T00:00:00Z"));
    EXPECT_FALSE(NormalizeDate(""));
}

TEST(TimeFormatTest, NormalisesDateTimesToUtcWithMilliseconds) {
    EXPECT_EQ(NormalizeDateTime("2024-03-01T10:15:00Z"), "2024-03-01T10:15:00.000Z");
    EXPECT_EQ(NormalizeDateTime("2024-03-01T10:15:00.5+01:00"), "2024-03-01T09:15:00.500Z");
    EXPECT_EQ(NormalizeDateTime("2024-03-01T00:30:00-01:00"), "2024-03-01T01:30:00.000Z");
    EXPECT_EQ(NormalizeDateTime("2024-01-01T00:30:00+01:00"), "2023-12-31T23:30:00.000Z");
}

TEST(TimeFormatTest, RejectsAmbiguousOrMalformedDateTimes) {
    EXPECT_FALSE(NormalizeDateTime("2024-03-01T10:15:00"));  // no offset
    EXPECT_FALSE(NormalizeDateTime("2024-03-01T25:15:00Z"));
    EXPECT_FALSE(NormalizeDateTime("2024-03-01T10:15:00Zjunk"));
    EXPECT_FALSE(NormalizeDateTime("2024-03-01"));
}

TEST(TimeFormatTest, FormatsEpochMillis) {
    EXPECT_EQ(FormatDateTime(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(FormatDateTime(951782400123), "2000-02-29T00:00:00.123Z");
    EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
}

}  // namespace
}  // namespace p360
