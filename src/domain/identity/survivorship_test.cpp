#include "domain/identity/survivorship.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace p360::identity {
namespace {

// An enrollment file (most trusted, older), a claim and a portal sign-up (newest).
std::vector<SourceRecord> ThreeSources() {
    return {
        {.record_id = "834-1",
         .source = "enrollment-834",
         .trust_rank = 1,
         .updated_at_ms = 1000,
         .fields = {{"familyName", "Thornbury"},
                    {"phone", "3125550101"},
                    {"email", ""},
                    {"city", "Chicago"}}},
        {.record_id = "clm-7",
         .source = "claims",
         .trust_rank = 2,
         .updated_at_ms = 2000,
         .fields = {{"familyName", "Thornberry"}, {"phone", "3125550199"}, {"city", "Evanston"}}},
        {.record_id = "web-3",
         .source = "portal",
         .trust_rank = 3,
         .updated_at_ms = 3000,
         .fields = {{"familyName", "Thornbury"},
                    {"phone", "3125550123"},
                    {"email", "jane@example.org"},
                    {"city", "Evanston"}}},
    };
}

TEST(SurvivorshipTest, EachFieldFollowsItsRuleAndKeepsLineage) {
    const std::vector<FieldRule> rules = {
        {"familyName", SurvivorshipRule::kMostTrustedSource},
        {"phone", SurvivorshipRule::kMostRecent},
        {"city", SurvivorshipRule::kMostFrequent},
        {"email", SurvivorshipRule::kMostTrustedSource},
    };
    const GoldenRecord golden = BuildGoldenRecord(ThreeSources(), rules);

    EXPECT_EQ(golden.fields.at("familyName").value, "Thornbury");
    EXPECT_EQ(golden.fields.at("familyName").record_id, "834-1");
    EXPECT_EQ(golden.fields.at("phone").value, "3125550123");
    EXPECT_EQ(golden.fields.at("phone").source, "portal");
    EXPECT_EQ(golden.fields.at("city").value, "Evanston");   // two of three say so
    EXPECT_EQ(golden.fields.at("city").record_id, "clm-7");  // the more trusted of the two
    // The trusted source's email is empty, so the value comes from the only source with one.
    EXPECT_EQ(golden.fields.at("email").value, "jane@example.org");
    EXPECT_EQ(golden.fields.at("email").rule, SurvivorshipRule::kMostTrustedSource);
}

TEST(SurvivorshipTest, FieldsWithoutRuleOrValueAreLeftOut) {
    const std::vector<FieldRule> rules = {{"middleName", SurvivorshipRule::kMostRecent}};
    const GoldenRecord golden = BuildGoldenRecord(ThreeSources(), rules);
    EXPECT_TRUE(golden.fields.empty());
}

TEST(SurvivorshipTest, TiesAreBrokenTheSameWayWhateverTheInputOrder) {
    std::vector<SourceRecord> sources = {
        {.record_id = "b",
         .source = "s",
         .trust_rank = 1,
         .updated_at_ms = 5,
         .fields = {{"x", "2"}}},
        {.record_id = "a",
         .source = "s",
         .trust_rank = 1,
         .updated_at_ms = 5,
         .fields = {{"x", "1"}}},
    };
    const std::vector<FieldRule> rules = {{"x", SurvivorshipRule::kMostTrustedSource}};
    const GoldenRecord forward = BuildGoldenRecord(sources, rules);
    std::swap(sources[0], sources[1]);
    const GoldenRecord backward = BuildGoldenRecord(sources, rules);
    EXPECT_EQ(forward.fields.at("x").record_id, "a");
    EXPECT_EQ(backward.fields.at("x").record_id, "a");
}

}  // namespace
}  // namespace p360::identity
