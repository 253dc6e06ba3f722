#include "domain/identity/fellegi_sunter.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace p360::identity {
namespace {

constexpr double kMinProbability = 1e-6;
constexpr double kMaxPrior = 0.999;

// Per field and level, accumulated (weighted) pair counts.
using LevelCounts = std::array<std::vector<double>, kFieldCount>;

LevelCounts ZeroCounts() {
    LevelCounts counts;
    for (std::size_t field = 0; field < kFieldCount; ++field) {
        counts[field].assign(static_cast<std::size_t>(LevelCount(static_cast<Field>(field))), 0.0);
    }
    return counts;
}

void AddLevels(LevelCounts& counts, const ComparisonVector& levels, double weight) {
    for (std::size_t field = 0; field < kFieldCount; ++field) {
        const int level = levels[field];
        if (level >= 0 && static_cast<std::size_t>(level) < counts[field].size()) {
            counts[field][static_cast<std::size_t>(level)] += weight;
        }
    }
}

// Turns counts into probabilities, each level floored by a pseudo-count so that a level never
// seen in a small training set does not get a weight of ±infinity.
std::vector<double> Normalise(const std::vector<double>& counts, double pseudo_count) {
    double total = 0;
    for (const double count : counts) {
        total += count + pseudo_count;
    }
    std::vector<double> probabilities(counts.size());
    for (std::size_t level = 0; level < counts.size(); ++level) {
        probabilities[level] = std::max((counts[level] + pseudo_count) / total, kMinProbability);
    }
    return probabilities;
}

double LargestChange(const std::vector<double>& before, const std::vector<double>& after) {
    double change = 0;
    for (std::size_t i = 0; i < before.size(); ++i) {
        change = std::max(change, std::abs(before[i] - after[i]));
    }
    return change;
}

// Starting m: most mass on exact agreement, a little on each lower level.
std::vector<double> PriorM(int levels) {
    std::vector<double> m(static_cast<std::size_t>(levels), 0.0);
    double remaining = 1.0;
    for (int level = levels - 1; level > 0; --level) {
        const double share = level == levels - 1 ? 0.8 : 0.6;
        m[static_cast<std::size_t>(level)] = remaining * share;
        remaining -= m[static_cast<std::size_t>(level)];
    }
    m[0] = remaining;
    return m;
}

// Holds m of outright disagreement at `bound` at most. The excess goes to exact agreement,
// which is what a same-person class shows most; giving it to the partial levels instead would
// let a "similar people" class (siblings born a year apart) keep its shape.
void BoundDisagreement(std::vector<double>& m, double bound) {
    if (m.size() < 2 || m[0] <= bound) {
        return;
    }
    m.back() += m[0] - bound;
    m[0] = bound;
}

// Holds m of outright disagreement at `bound` at least, taken from exact agreement.
void LowerBoundDisagreement(std::vector<double>& m, double bound) {
    if (m.size() < 2 || m[0] >= bound) {
        return;
    }
    const double shortfall = std::min(bound - m[0], m.back());
    m.back() -= shortfall;
    m[0] += shortfall;
}

// Scales the home fields' positive evidence down so that together it is at most `limit`
// (in whatever unit the evidence is in); their negative evidence stands.
void BoundHomeEvidence(std::array<double, kFieldCount>& evidence, double limit) {
    double positive = 0;
    for (const Field field : kHomeFields) {
        positive += std::max(evidence[static_cast<std::size_t>(field)], 0.0);
    }
    if (positive <= limit) {
        return;
    }
    const double scale = limit / positive;
    for (const Field field : kHomeFields) {
        double& value = evidence[static_cast<std::size_t>(field)];
        value = value > 0 ? value * scale : value;
    }
}

}  // namespace

std::array<double, kFieldCount> MovedHomeDisagreementBounds() {
    std::array<double, kFieldCount> bounds{};
    for (const Field field : kHomeFields) {
        bounds[static_cast<std::size_t>(field)] = 0.05;
    }
    return bounds;
}

bool ContradictsIdentity(const ComparisonVector& levels) {
    const auto level = [&levels](Field field) { return levels[static_cast<std::size_t>(field)]; };
    const auto exact = [&](Field field) { return level(field) == LevelCount(field) - 1; };
    const int disagreements = (level(Field::kGivenName) == 0 ? 1 : 0) +
                              (level(Field::kBirthDate) == 0 ? 1 : 0) +
                              (level(Field::kNationalId) == 0 ? 1 : 0);
    return disagreements >= 2 && !exact(Field::kMemberId) && !exact(Field::kEmail);
}

std::array<double, kFieldCount> SamePersonDisagreementBounds() {
    std::array<double, kFieldCount> bounds{};
    bounds.fill(1.0);
    bounds[static_cast<std::size_t>(Field::kGivenName)] = 0.15;
    bounds[static_cast<std::size_t>(Field::kFamilyName)] = 0.3;  // names change on marriage
    bounds[static_cast<std::size_t>(Field::kBirthDate)] = 0.2;
    bounds[static_cast<std::size_t>(Field::kSex)] = 0.1;
    bounds[static_cast<std::size_t>(Field::kNationalId)] = 0.1;
    return bounds;
}

MatchModel::MatchModel() {
    for (std::size_t field = 0; field < kFieldCount; ++field) {
        const int levels = LevelCount(static_cast<Field>(field));
        fields_[field].m = PriorM(levels);
        fields_[field].u.assign(static_cast<std::size_t>(levels), 1.0 / levels);
        random_exact_[field] = 1.0 / levels;
    }
    RefreshWeights();
}

void MatchModel::EstimateUFromRandomPairs(std::span<const PatternCount> random_pairs) {
    LevelCounts counts = ZeroCounts();
    for (const PatternCount& pattern : random_pairs) {
        AddLevels(counts, pattern.levels, pattern.count);
    }
    for (std::size_t field = 0; field < kFieldCount; ++field) {
        fields_[field].u = Normalise(counts[field], 0.5);
        random_exact_[field] = fields_[field].u.back();
    }
    RefreshWeights();
}

EmReport MatchModel::TrainUnsupervised(std::span<const PatternCount> candidate_pairs,
                                       const EmOptions& options) {
    EmReport report;
    double prior = std::clamp(prior_match_ < 0.05 ? 0.1 : prior_match_, 0.001, 0.9);
    for (report.iterations = 1; report.iterations <= options.max_iterations; ++report.iterations) {
        // E step: the posterior chance that each pattern is a match, under current parameters.
        LevelCounts match_counts = ZeroCounts();
        LevelCounts non_match_counts = ZeroCounts();
        double expected_matches = 0;
        double total = 0;
        for (const PatternCount& pattern : candidate_pairs) {
            const double log_odds =
                std::log(prior / (1 - prior)) + LogLikelihoodRatio(pattern.levels, options.ignored);
            const double posterior =
                ContradictsIdentity(pattern.levels) ? 0.0 : 1.0 / (1.0 + std::exp(-log_odds));
            AddLevels(match_counts, pattern.levels, pattern.count * posterior);
            AddLevels(non_match_counts, pattern.levels, pattern.count * (1 - posterior));
            expected_matches += pattern.count * posterior;
            total += pattern.count;
        }
        if (total == 0) {
            break;
        }
        // M step: parameters from the expected counts.
        double change = 0;
        for (std::size_t field = 0; field < kFieldCount; ++field) {
            if (options.ignored[field] || !options.estimate_m) {
                continue;
            }
            std::vector<double> m = Normalise(match_counts[field], options.pseudo_count);
            BoundDisagreement(m, options.max_disagreement[field]);
            LowerBoundDisagreement(m, options.min_disagreement[field]);
            std::vector<double> u = options.estimate_u
                                        ? Normalise(non_match_counts[field], options.pseudo_count)
                                        : fields_[field].u;
            change = std::max(
                {change, LargestChange(fields_[field].m, m), LargestChange(fields_[field].u, u)});
            fields_[field].m = std::move(m);
            fields_[field].u = std::move(u);
        }
        const double next_prior = std::clamp(expected_matches / total, kMinProbability, kMaxPrior);
        change = std::max(change, std::abs(next_prior - prior));
        prior = next_prior;
        if (change < options.tolerance) {
            report.converged = true;
            break;
        }
    }
    report.iterations = std::min(report.iterations, options.max_iterations);
    prior_match_ = prior;
    report.prior_match = prior;
    RefreshWeights();
    return report;
}

double MatchModel::LogLikelihoodRatio(const ComparisonVector& levels,
                                      const std::array<bool, kFieldCount>& ignored) const {
    std::array<double, kFieldCount> evidence{};
    for (std::size_t field = 0; field < kFieldCount; ++field) {
        const int level = levels[field];
        if (level >= 0 && !ignored[field]) {
            const LevelParameters& parameters = fields_[field];
            evidence[field] = std::log(parameters.m[static_cast<std::size_t>(level)] /
                                       parameters.u[static_cast<std::size_t>(level)]);
        }
    }
    BoundHomeEvidence(evidence, home_evidence_limit_ * std::numbers::ln2);
    double sum = 0;
    for (const double value : evidence) {
        sum += value;
    }
    return sum;
}

void MatchModel::TrainFromLabels(std::span<const ComparisonVector> matches,
                                 std::span<const ComparisonVector> non_matches) {
    LevelCounts match_counts = ZeroCounts();
    LevelCounts non_match_counts = ZeroCounts();
    for (const ComparisonVector& levels : matches) {
        AddLevels(match_counts, levels, 1.0);
    }
    for (const ComparisonVector& levels : non_matches) {
        AddLevels(non_match_counts, levels, 1.0);
    }
    for (std::size_t field = 0; field < kFieldCount; ++field) {
        fields_[field].m = Normalise(match_counts[field], 0.5);
        fields_[field].u = Normalise(non_match_counts[field], 0.5);
    }
    const double labelled = static_cast<double>(matches.size() + non_matches.size());
    if (labelled > 0) {
        prior_match_ =
            std::clamp(static_cast<double>(matches.size()) / labelled, kMinProbability, kMaxPrior);
    }
    RefreshWeights();
}

double MatchModel::FieldWeight(Field field, int level) const {
    const std::vector<double>& weights = weights_[static_cast<std::size_t>(field)];
    if (level < 0 || static_cast<std::size_t>(level) >= weights.size()) {
        return 0;
    }
    return weights[static_cast<std::size_t>(level)];
}

void MatchModel::set_m(Field field, std::vector<double> m) {
    fields_[static_cast<std::size_t>(field)].m = std::move(m);
    RefreshWeights();
}

void MatchModel::RefreshWeights() {
    for (std::size_t field = 0; field < kFieldCount; ++field) {
        const LevelParameters& parameters = fields_[field];
        std::vector<double>& weights = weights_[field];
        weights.resize(parameters.m.size());
        for (std::size_t level = weights.size(); level-- > 0;) {
            weights[level] = std::log2(parameters.m[level] / parameters.u[level]);
            if (level + 1 < weights.size()) {
                weights[level] = std::min(weights[level], weights[level + 1]);
            }
        }
    }
}

double MatchModel::RandomExactAgreement(Field field) const {
    return random_exact_[static_cast<std::size_t>(field)];
}

PairScore MatchModel::Score(const ComparisonVector& levels,
                            const std::array<double, kFieldCount>* tf_adjustment) const {
    PairScore score;
    score.levels = levels;
    for (std::size_t field = 0; field < kFieldCount; ++field) {
        const auto field_id = static_cast<Field>(field);
        double weight = FieldWeight(field_id, levels[field]);
        const bool exact = levels[field] == LevelCount(field_id) - 1;
        if (exact && tf_adjustment != nullptr) {
            weight += (*tf_adjustment)[field];
        }
        score.field_weights[field] = weight;
    }
    BoundHomeEvidence(score.field_weights, home_evidence_limit_);
    score.match_weight = std::log2(prior_match_ / (1 - prior_match_));
    for (const double weight : score.field_weights) {
        score.match_weight += weight;
    }
    score.contradicted = ContradictsIdentity(levels);
    score.probability = score.contradicted ? 0.0 : 1.0 / (1.0 + std::exp2(-score.match_weight));
    return score;
}

double TermFrequencyAdjustment(double random_exact_agreement, double frequency) {
    constexpr double kLowest = -4;
    constexpr double kHighest = 4;
    if (frequency <= 0 || random_exact_agreement <= 0) {
        return 0;
    }
    return std::clamp(std::log2(random_exact_agreement / frequency), kLowest, kHighest);
}

}  // namespace p360::identity
