// The Fellegi–Sunter model: for each field and agreement level, m = P(level | same person) and
// u = P(level | different people). A pair's match weight is log2 of the prior odds plus, per
// field, log2(m/u) of the level observed; the per-field terms are returned so every score can
// be explained.
//
// Parameters are learned without labels by expectation–maximisation over the comparison
// patterns of candidate pairs (the pairs blocking produces): u comes from random pairs, m
// starts from agreement-favouring priors, and EM fits m and the prior match rate. When
// labelled pairs are available they can set m and u directly instead.
//
// Term frequency: agreeing exactly on "smith" is weaker evidence than agreeing on "zbigniew".
// For fields that opt in, an exact agreement's weight is shifted by log2(u_exact / f), where f
// is the value's frequency and u_exact the chance that two random records agree on that field.
//
// Two guards keep an unlabelled model a model of *same people*:
// - Fields that describe a home (address parts and phone) are not independent of each other:
//   people who share one mostly share all, and whole households share them. Summed as if
//   independent they say "same person" some forty bits strongly when they only say "same
//   home". Their positive evidence together is therefore bounded by how rare sharing a home
//   is among different people (set from the data, see MemberIndex::Train).
// - EM fits whichever split of the candidate pairs explains them best. With few duplicates
//   in the data that split can be "same neighbourhood" or "same household", whose pairs
//   disagree on given name and birth date. m of outright disagreement on the identity fields
//   is held below what any same-person class shows, so the fitted class stays one of people.
// And one rule overrides the model: two records that disagree outright on two of given name,
// birth date and national id, with no member id or email in common, are two people (a spouse,
// a child, a stranger on a shared line), whatever else they share. On the labelled sets about
// 1% of true pairs look like that (FEBRL corrupts SSNs freely), and most of those stay linked
// through the rest of their cluster: F1 moved by at most 0.005.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "domain/identity/person.hpp"

namespace p360::identity {

struct LevelParameters {
    std::vector<double> m;  // per level, sums to 1
    std::vector<double> u;  // per level, sums to 1
};

// A comparison pattern and how many candidate pairs showed it.
struct PatternCount {
    ComparisonVector levels{};
    double count = 0;
};

// The fields whose agreement says "same home" rather than "same person".
inline constexpr std::array<Field, 7> kHomeFields = {
    Field::kHouseNumber, Field::kStreet, Field::kAddressLine2, Field::kCity,
    Field::kPostalCode,  Field::kState,  Field::kPhone,
};

// Per field, the largest m of outright disagreement (level 0) a same-person class may have;
// 1 where no bound applies. The bounds sit well above what labelled sets show (given name
// 10–16% of true pairs, family name 6–12%, birth date 5–19%, SSN 5–7%), so they bind only
// on a class that is not one of same people.
std::array<double, kFieldCount> SamePersonDisagreementBounds();
// Per home field, the smallest m of outright disagreement: people move and change numbers,
// so a class that never disagrees on where someone lives is a class of neighbours.
std::array<double, kFieldCount> MovedHomeDisagreementBounds();

// Whether the comparison shows two different people by the rule above.
bool ContradictsIdentity(const ComparisonVector& levels);

struct EmOptions {
    int max_iterations = 200;
    double tolerance = 1e-6;    // largest parameter change that counts as converged
    double pseudo_count = 0.1;  // added to every level's count so no probability is zero
    // Whether EM also refits u. Off by default: u from random pairs is an accurate estimate
    // already, and letting EM move it lets the two classes drift apart along some other split
    // of the candidate pairs (present versus missing fields, say) instead of match/non-match.
    bool estimate_u = false;
    bool estimate_m = true;  // off: only the prior is fitted
    // Fields left out of this run entirely (neither evidence nor refitted), typically the
    // fields the candidate pairs were blocked on: blocking made them agree, so their
    // agreement says nothing about which pairs match.
    std::array<bool, kFieldCount> ignored{};
    std::array<double, kFieldCount> max_disagreement = SamePersonDisagreementBounds();
    std::array<double, kFieldCount> min_disagreement = MovedHomeDisagreementBounds();
};

struct EmReport {
    int iterations = 0;
    bool converged = false;
    double prior_match = 0;  // fitted share of candidate pairs that are matches
};

// Weights of one compared pair.
struct PairScore {
    ComparisonVector levels{};
    std::array<double, kFieldCount> field_weights{};  // log2(m/u) (+ term frequency), 0 if missing
    double match_weight = 0;                          // log2 prior odds + sum of field weights
    double probability = 0;     // 2^w / (1 + 2^w); 0 when the identity is contradicted
    bool contradicted = false;  // ContradictsIdentity: two people, whatever the weight says
};

class MatchModel {
public:
    // Agreement-favouring priors for m, uniform u and a 1% prior; a starting point for EM.
    MatchModel();

    // Sets u (and the random-pair baseline used by term-frequency adjustment) from the
    // comparison patterns of random pairs, which are almost all non-matches.
    void EstimateUFromRandomPairs(std::span<const PatternCount> random_pairs);

    // Fits m, u and the prior by EM over candidate-pair patterns; no labels needed.
    EmReport TrainUnsupervised(std::span<const PatternCount> candidate_pairs,
                               const EmOptions& options = {});

    // Sets m from labelled matches and u from labelled non-matches, and the prior from their
    // proportions. Both sets must be non-empty.
    void TrainFromLabels(std::span<const ComparisonVector> matches,
                         std::span<const ComparisonVector> non_matches);

    // log2(m/u) of a field at a level; 0 for kMissing. Levels are ordered by how much the
    // values agree, so a level never weighs more than the level above it: where sparse data
    // says otherwise (a level almost never seen, m and u both at their floor), the weight is
    // capped at the next level's.
    double FieldWeight(Field field, int level) const;

    // Chance that two random records agree exactly on the field (the term-frequency baseline).
    double RandomExactAgreement(Field field) const;

    // Scores levels; `tf_adjustment` (optional) is added to fields that agree exactly.
    PairScore Score(const ComparisonVector& levels,
                    const std::array<double, kFieldCount>* tf_adjustment = nullptr) const;

    double prior_match() const { return prior_match_; }
    const LevelParameters& parameters(Field field) const {
        return fields_[static_cast<std::size_t>(field)];
    }
    void set_prior_match(double prior) { prior_match_ = prior; }
    // Replaces m of a field (one probability per level, summing to 1).
    void set_m(Field field, std::vector<double> m);

    // The most evidence, in bits, that the home fields together may add to a pair's weight
    // (kHomeFields); unbounded until set.
    double home_evidence_limit() const { return home_evidence_limit_; }
    void set_home_evidence_limit(double bits) { home_evidence_limit_ = bits; }

private:
    void RefreshWeights();
    // Natural log of m/u over the fields of a pattern, the home fields' evidence bounded.
    double LogLikelihoodRatio(const ComparisonVector& levels,
                              const std::array<bool, kFieldCount>& ignored) const;

    std::array<LevelParameters, kFieldCount> fields_;
    std::array<double, kFieldCount> random_exact_{};
    std::array<std::vector<double>, kFieldCount> weights_;  // FieldWeight by field and level
    double prior_match_ = 0.01;
    double home_evidence_limit_ = std::numeric_limits<double>::infinity();
};

// The term-frequency shift for an exact agreement on a value seen with frequency `frequency`
// (share of records), bounded so one rare value cannot decide a pair alone.
double TermFrequencyAdjustment(double random_exact_agreement, double frequency);

}  // namespace p360::identity
