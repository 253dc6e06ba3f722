// Decisions and clustering: from scored pairs to groups of records that are one person.
//
// Pairs at or above the link threshold are auto-linked, pairs between the thresholds go to
// review, pairs below are left apart.
//
// Plain transitive closure of the links (connected components) chains: A–B strong and B–C
// strong puts A and C together even when A and C plainly disagree, and one wrong link (a
// shared phone, a twin) joins two whole families. Here clusters grow by average linkage
// instead: links are taken strongest first, and two clusters merge only when the mean support
// over all pairs across them reaches `cluster_support`. Support is the pair's match
// probability at even prior odds: near 1 when fields agree, near 1/2 when there is little to
// compare, near 0 when fields disagree. So a record missing most fields still joins a
// cluster it does not contradict, while a single bridge cannot pull in a record that the
// rest of the cluster contradicts (with a threshold above 1/2, one contradiction outweighs
// one agreement).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace p360::identity {

enum class Decision : std::uint8_t { kNoLink, kReview, kLink };

struct Thresholds {
    double link_probability = 0.8;    // at or above: link without review
    double review_probability = 0.3;  // at or above (and below link): review queue
};

Decision Decide(double probability, const Thresholds& thresholds);

struct ScoredPair {
    std::uint32_t left = 0;
    std::uint32_t right = 0;
    double probability = 0;
};

// Support in [0, 1] for two records being one person (the clustering asks about pairs across
// clusters that blocking may never have produced).
using PairSupport = std::function<double(std::uint32_t, std::uint32_t)>;

struct ClusterOptions {
    double link_probability = 0.8;
    double cluster_support = 0.6;         // mean cross-cluster support needed to merge
    std::size_t max_support_pairs = 256;  // beyond this, the mean is taken over a fixed sample
};

// Cluster id per record (the smallest record id in the cluster). `links` may be in any order
// and may hold pairs below the link threshold (they are ignored).
std::vector<std::uint32_t> ClusterRecords(std::size_t record_count,
                                          std::span<const ScoredPair> links,
                                          const PairSupport& support,
                                          const ClusterOptions& options);

// Pairwise precision, recall and F1 of a clustering against the true one (both one id per
// record): a pair counts when both records share a cluster.
struct PairwiseAccuracy {
    std::uint64_t true_positives = 0;
    std::uint64_t predicted_pairs = 0;
    std::uint64_t true_pairs = 0;
    double precision = 0;
    double recall = 0;
    double f1 = 0;
};

PairwiseAccuracy ComparePairwise(std::span<const std::uint32_t> predicted,
                                 std::span<const std::uint32_t> truth);

}  // namespace p360::identity
