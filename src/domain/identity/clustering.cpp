#include "domain/identity/clustering.hpp"

#include <algorithm>
#include <boost/unordered/unordered_flat_map.hpp>
#include <numeric>

namespace p360::identity {
namespace {

class Clusters {
public:
    explicit Clusters(std::size_t count) : parent_(count), members_(count) {
        std::iota(parent_.begin(), parent_.end(), 0u);
        for (std::uint32_t record = 0; record < count; ++record) {
            members_[record] = {record};
        }
    }

    std::uint32_t Find(std::uint32_t record) {
        while (parent_[record] != record) {
            parent_[record] = parent_[parent_[record]];  // path halving
            record = parent_[record];
        }
        return record;
    }

    const std::vector<std::uint32_t>& Members(std::uint32_t root) const { return members_[root]; }

    void Merge(std::uint32_t left_root, std::uint32_t right_root) {
        if (members_[left_root].size() < members_[right_root].size()) {
            std::swap(left_root, right_root);
        }
        parent_[right_root] = left_root;
        std::vector<std::uint32_t>& into = members_[left_root];
        into.insert(into.end(), members_[right_root].begin(), members_[right_root].end());
        members_[right_root] = {};
    }

private:
    std::vector<std::uint32_t> parent_;
    std::vector<std::vector<std::uint32_t>> members_;
};

// Mean support over the pairs across two clusters; past `max_pairs`, over a fixed
// spread of them (deterministic, so a rerun clusters the same way).
double MeanCrossSupport(const std::vector<std::uint32_t>& left,
                        const std::vector<std::uint32_t>& right, const PairSupport& support,
                        std::size_t max_pairs) {
    const std::size_t all_pairs = left.size() * right.size();
    const std::size_t pairs = std::min(all_pairs, std::max<std::size_t>(max_pairs, 1));
    double total = 0;
    for (std::size_t pair = 0; pair < pairs; ++pair) {
        const std::size_t index = pairs == all_pairs ? pair : pair * all_pairs / pairs;
        total += support(left[index / right.size()], right[index % right.size()]);
    }
    return total / static_cast<double>(pairs);
}

std::uint64_t PairsOf(std::uint64_t size) { return size * (size - 1) / 2; }

}  // namespace

Decision Decide(double probability, const Thresholds& thresholds) {
    if (probability >= thresholds.link_probability) {
        return Decision::kLink;
    }
    return probability >= thresholds.review_probability ? Decision::kReview : Decision::kNoLink;
}

std::vector<std::uint32_t> ClusterRecords(std::size_t record_count,
                                          std::span<const ScoredPair> links,
                                          const PairSupport& support,
                                          const ClusterOptions& options) {
    std::vector<ScoredPair> strong;
    for (const ScoredPair& link : links) {
        if (link.probability >= options.link_probability && link.left != link.right &&
            link.left < record_count && link.right < record_count) {
            strong.push_back(link);
        }
    }
    // Strongest first, ties by ids, so the result does not depend on the input order.
    std::sort(strong.begin(), strong.end(), [](const ScoredPair& a, const ScoredPair& b) {
        if (a.probability != b.probability) {
            return a.probability > b.probability;
        }
        return std::pair(a.left, a.right) < std::pair(b.left, b.right);
    });
    Clusters clusters(record_count);
    for (const ScoredPair& link : strong) {
        const std::uint32_t left_root = clusters.Find(link.left);
        const std::uint32_t right_root = clusters.Find(link.right);
        if (left_root == right_root) {
            continue;
        }
        const auto& left = clusters.Members(left_root);
        const auto& right = clusters.Members(right_root);
        if (MeanCrossSupport(left, right, support, options.max_support_pairs) >=
            options.cluster_support) {
            clusters.Merge(left_root, right_root);
        }
    }
    std::vector<std::uint32_t> cluster_of(record_count);
    std::vector<std::uint32_t> smallest(record_count, UINT32_MAX);
    for (std::uint32_t record = 0; record < record_count; ++record) {
        const std::uint32_t root = clusters.Find(record);
        smallest[root] = std::min(smallest[root], record);
    }
    for (std::uint32_t record = 0; record < record_count; ++record) {
        cluster_of[record] = smallest[clusters.Find(record)];
    }
    return cluster_of;
}

PairwiseAccuracy ComparePairwise(std::span<const std::uint32_t> predicted,
                                 std::span<const std::uint32_t> truth) {
    boost::unordered_flat_map<std::uint32_t, std::uint64_t> predicted_sizes;
    boost::unordered_flat_map<std::uint32_t, std::uint64_t> true_sizes;
    boost::unordered_flat_map<std::uint64_t, std::uint64_t> overlap_sizes;
    const std::size_t count = std::min(predicted.size(), truth.size());
    for (std::size_t record = 0; record < count; ++record) {
        ++predicted_sizes[predicted[record]];
        ++true_sizes[truth[record]];
        ++overlap_sizes[(static_cast<std::uint64_t>(predicted[record]) << 32) | truth[record]];
    }
    PairwiseAccuracy accuracy;
    for (const auto& [cluster, size] : predicted_sizes) {
        accuracy.predicted_pairs += PairsOf(size);
    }
    for (const auto& [cluster, size] : true_sizes) {
        accuracy.true_pairs += PairsOf(size);
    }
    for (const auto& [cell, size] : overlap_sizes) {
        accuracy.true_positives += PairsOf(size);
    }
    const auto ratio = [](std::uint64_t part, std::uint64_t whole) {
        return whole == 0 ? 1.0 : static_cast<double>(part) / static_cast<double>(whole);
    };
    accuracy.precision = ratio(accuracy.true_positives, accuracy.predicted_pairs);
    accuracy.recall = ratio(accuracy.true_positives, accuracy.true_pairs);
    const double sum = accuracy.precision + accuracy.recall;
    accuracy.f1 = sum == 0 ? 0 : 2 * accuracy.precision * accuracy.recall / sum;
    return accuracy;
}

}  // namespace p360::identity
