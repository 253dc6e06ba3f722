#include "domain/identity/clustering.hpp"

#include <gtest/gtest.h>

#include <map>
#include <utility>
#include <vector>

namespace p360::identity {
namespace {

// Support of each pair, symmetric; pairs not listed have none.
class SupportTable {
public:
    SupportTable(
        std::initializer_list<std::pair<std::pair<std::uint32_t, std::uint32_t>, double>> rows) {
        for (const auto& [pair, support] : rows) {
            table_[pair] = support;
            table_[{pair.second, pair.first}] = support;
        }
    }
    double operator()(std::uint32_t left, std::uint32_t right) const {
        const auto found = table_.find({left, right});
        return found == table_.end() ? 0.0 : found->second;
    }

private:
    std::map<std::pair<std::uint32_t, std::uint32_t>, double> table_;
};

TEST(ClusteringTest, DecisionsFollowThresholds) {
    const Thresholds thresholds{.link_probability = 0.8, .review_probability = 0.3};
    EXPECT_EQ(Decide(0.95, thresholds), Decision::kLink);
    EXPECT_EQ(Decide(0.8, thresholds), Decision::kLink);
    EXPECT_EQ(Decide(0.5, thresholds), Decision::kReview);
    EXPECT_EQ(Decide(0.1, thresholds), Decision::kNoLink);
}

// A–B and B–C are both strong links, but A and C plainly disagree: transitive closure would
// put all three together; average linkage keeps C out.
TEST(ClusteringTest, OneBridgeDoesNotChainUnrelatedRecords) {
    const SupportTable support({{{0, 1}, 0.99}, {{1, 2}, 0.95}, {{0, 2}, 0.001}});
    const std::vector<ScoredPair> links = {{0, 1, 0.99}, {1, 2, 0.95}};
    const std::vector<std::uint32_t> clusters = ClusterRecords(3, links, support, ClusterOptions{});
    EXPECT_EQ(clusters[0], clusters[1]);
    EXPECT_NE(clusters[1], clusters[2]);
}

// The same shape, but A and C merely lack fields to compare (support 1/2): C joins.
TEST(ClusteringTest, ASparseRecordJoinsAClusterItDoesNotContradict) {
    const SupportTable support({{{0, 1}, 0.99}, {{1, 2}, 0.95}, {{0, 2}, 0.5}});
    const std::vector<ScoredPair> links = {{1, 2, 0.95}, {0, 1, 0.99}};
    const std::vector<std::uint32_t> clusters = ClusterRecords(3, links, support, ClusterOptions{});
    EXPECT_EQ(clusters, (std::vector<std::uint32_t>{0, 0, 0}));
}

TEST(ClusteringTest, TwoFamiliesJoinedByOneWrongLinkStayApart) {
    // {0,1,2} and {3,4,5} are tight groups; 2–5 is one strong but wrong link.
    SupportTable support({{{0, 1}, 0.99},
                          {{0, 2}, 0.99},
                          {{1, 2}, 0.99},
                          {{3, 4}, 0.99},
                          {{3, 5}, 0.99},
                          {{4, 5}, 0.99},
                          {{2, 5}, 0.99}});
    const std::vector<ScoredPair> links = {{0, 1, 0.99}, {0, 2, 0.99}, {1, 2, 0.99}, {3, 4, 0.99},
                                           {3, 5, 0.99}, {4, 5, 0.99}, {2, 5, 0.99}};
    const std::vector<std::uint32_t> clusters = ClusterRecords(6, links, support, ClusterOptions{});
    EXPECT_EQ(clusters, (std::vector<std::uint32_t>{0, 0, 0, 3, 3, 3}));
}

TEST(ClusteringTest, LinksBelowThresholdAreIgnored) {
    const SupportTable support({{{0, 1}, 0.99}});
    const std::vector<ScoredPair> links = {{0, 1, 0.5}};
    const std::vector<std::uint32_t> clusters = ClusterRecords(2, links, support, ClusterOptions{});
    EXPECT_NE(clusters[0], clusters[1]);
}

TEST(ClusteringTest, PairwiseAccuracyByHand) {
    // Predicted {0,1,2} {3}; truth {0,1} {2,3}. Predicted pairs 01 02 12; true pairs 01 23.
    const std::vector<std::uint32_t> predicted = {0, 0, 0, 3};
    const std::vector<std::uint32_t> truth = {0, 0, 2, 2};
    const PairwiseAccuracy accuracy = ComparePairwise(predicted, truth);
    EXPECT_EQ(accuracy.true_positives, 1u);
    EXPECT_EQ(accuracy.predicted_pairs, 3u);
    EXPECT_EQ(accuracy.true_pairs, 2u);
    EXPECT_NEAR(accuracy.precision, 1.0 / 3, 1e-12);
    EXPECT_NEAR(accuracy.recall, 0.5, 1e-12);
    EXPECT_NEAR(accuracy.f1, 0.4, 1e-12);
}

}  // namespace
}  // namespace p360::identity
