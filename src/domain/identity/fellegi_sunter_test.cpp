#include "domain/identity/fellegi_sunter.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "domain/identity/comparators.hpp"

namespace p360::identity {
namespace {

// Three two-level fields (sex, house number, state) with known parameters; every other
// field is missing. The counts are the exact expected counts of 100,000 pairs, so EM has a
// unique answer to find and the test needs no randomness.
constexpr Field kFields[] = {Field::kSex, Field::kHouseNumber, Field::kState};
constexpr double kTrueM[] = {0.9, 0.8, 0.95};  // P(agree | match)
constexpr double kTrueU[] = {0.1, 0.05, 0.3};  // P(agree | non-match)
constexpr double kTruePrior = 0.2;
constexpr double kPairs = 100000;

ComparisonVector AllMissing() {
    ComparisonVector levels;
    levels.fill(static_cast<std::int8_t>(kMissing));
    return levels;
}

std::vector<PatternCount> ExpectedPatterns(bool matches, bool non_matches) {
    std::vector<PatternCount> patterns;
    for (int bits = 0; bits < 8; ++bits) {
        ComparisonVector levels = AllMissing();
        double match_share = kTruePrior;
        double non_match_share = 1 - kTruePrior;
        for (int field = 0; field < 3; ++field) {
            const bool agree = (bits >> field) & 1;
            levels[static_cast<std::size_t>(kFields[field])] = agree ? 1 : 0;
            match_share *= agree ? kTrueM[field] : 1 - kTrueM[field];
            non_match_share *= agree ? kTrueU[field] : 1 - kTrueU[field];
        }
        const double share = (matches ? match_share : 0) + (non_matches ? non_match_share : 0);
        patterns.push_back({levels, share * kPairs});
    }
    return patterns;
}

TEST(FellegiSunterTest, EmRecoversKnownParametersWithoutLabels) {
    MatchModel model;
    model.EstimateUFromRandomPairs(ExpectedPatterns(false, true));  // u from non-matches
    const EmReport report = model.TrainUnsupervised(ExpectedPatterns(true, true));
    EXPECT_TRUE(report.converged);
    EXPECT_NEAR(report.prior_match, kTruePrior, 0.01);
    for (int field = 0; field < 3; ++field) {
        const LevelParameters& parameters = model.parameters(kFields[field]);
        EXPECT_NEAR(parameters.m[1], kTrueM[field], 0.01) << field;
        EXPECT_NEAR(parameters.u[1], kTrueU[field], 0.01) << field;
    }
}

TEST(FellegiSunterTest, EmCanAlsoRefitU) {
    MatchModel model;
    EmOptions options;
    options.estimate_u = true;
    const EmReport report = model.TrainUnsupervised(ExpectedPatterns(true, true), options);
    EXPECT_TRUE(report.converged);
    EXPECT_NEAR(report.prior_match, kTruePrior, 0.02);
    EXPECT_NEAR(model.parameters(Field::kSex).m[1], 0.9, 0.02);
    EXPECT_NEAR(model.parameters(Field::kState).u[1], 0.3, 0.02);
}

TEST(FellegiSunterTest, WeightsFromLabelsAreLogRatios) {
    // 3 of 4 matches agree on sex, 1 of 4 non-matches does: m = 3.5/5, u = 1.5/5 with the
    // half-count smoothing, so the agreement weight is log2(3.5/1.5).
    ComparisonVector agree = AllMissing();
    agree[static_cast<std::size_t>(Field::kSex)] = 1;
    ComparisonVector disagree = AllMissing();
    disagree[static_cast<std::size_t>(Field::kSex)] = 0;
    const std::vector<ComparisonVector> matches = {agree, agree, agree, disagree};
    const std::vector<ComparisonVector> non_matches = {agree, disagree, disagree, disagree};
    MatchModel model;
    model.TrainFromLabels(matches, non_matches);
    EXPECT_NEAR(model.FieldWeight(Field::kSex, 1), std::log2(3.5 / 1.5), 1e-9);
    EXPECT_NEAR(model.FieldWeight(Field::kSex, 0), std::log2(1.5 / 3.5), 1e-9);
    EXPECT_EQ(model.FieldWeight(Field::kSex, kMissing), 0);
    EXPECT_NEAR(model.prior_match(), 0.5, 1e-9);
}

TEST(FellegiSunterTest, ScoreIsPriorPlusFieldWeights) {
    MatchModel model;
    model.EstimateUFromRandomPairs(ExpectedPatterns(false, true));
    model.TrainUnsupervised(ExpectedPatterns(true, true));
    ComparisonVector levels = AllMissing();
    levels[static_cast<std::size_t>(Field::kSex)] = 1;
    levels[static_cast<std::size_t>(Field::kState)] = 0;
    const PairScore score = model.Score(levels);
    const double prior_weight = std::log2(model.prior_match() / (1 - model.prior_match()));
    EXPECT_NEAR(
        score.match_weight,
        prior_weight + model.FieldWeight(Field::kSex, 1) + model.FieldWeight(Field::kState, 0),
        1e-9);
    EXPECT_NEAR(score.field_weights[static_cast<std::size_t>(Field::kSex)],
                model.FieldWeight(Field::kSex, 1), 1e-9);
    EXPECT_EQ(score.field_weights[static_cast<std::size_t>(Field::kEmail)], 0);
    EXPECT_NEAR(score.probability, 1 / (1 + std::exp2(-score.match_weight)), 1e-12);
}

TEST(FellegiSunterTest, TermFrequencyShiftsExactAgreementOnly) {
    MatchModel model;
    ComparisonVector levels = AllMissing();
    levels[static_cast<std::size_t>(Field::kFamilyName)] = 3;  // exact
    levels[static_cast<std::size_t>(Field::kGivenName)] = 2;   // close, not exact
    std::array<double, kFieldCount> shifts{};
    shifts[static_cast<std::size_t>(Field::kFamilyName)] = -2;
    shifts[static_cast<std::size_t>(Field::kGivenName)] = 5;
    const PairScore plain = model.Score(levels);
    const PairScore shifted = model.Score(levels, &shifts);
    EXPECT_NEAR(shifted.match_weight - plain.match_weight, -2, 1e-9);
}

TEST(FellegiSunterTest, TermFrequencyAdjustmentValues) {
    // A value four times as common as the average agreement is worth 2 bits less; a value
    // four times rarer, 2 bits more; the shift is bounded at 4 bits either way.
    EXPECT_NEAR(TermFrequencyAdjustment(0.01, 0.04), -2, 1e-9);
    EXPECT_NEAR(TermFrequencyAdjustment(0.01, 0.0025), 2, 1e-9);
    EXPECT_NEAR(TermFrequencyAdjustment(0.01, 1e-9), 4, 1e-9);
    EXPECT_NEAR(TermFrequencyAdjustment(0.01, 0.9), -4, 1e-9);
    EXPECT_EQ(TermFrequencyAdjustment(0.01, 0), 0);
}

}  // namespace
}  // namespace p360::identity
