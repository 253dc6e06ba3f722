// The master member index: standardised people, their blocking keys and the trained model,
// for matching one new record (Match) and for deduplicating everything at once (Dedupe).
//
//   MemberIndex index;
//   for (const PersonRecord& record : records) index.Add(record);
//   index.Train();                          // EM, no labels
//   DedupeResult result = index.Dedupe();   // cluster per record, pairs for review
//   auto best = index.Match(new_record);    // ranked, each with per-field weights
//
// Layout for a million records: values and record ids are interned (StringPool) and a stored
// person is 17 integers (15 values, the birth date, the id); a blocking key holds its one
// record in place, or a small vector of record ids. Pair scoring in Train and Dedupe runs on
// `threads` threads, each over its own share of records.
//
// Thread-safety: Add, Train, TrainFromLabels and set_model write; everything else is const and
// may run concurrently with other const calls (Match from many request threads).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "domain/identity/blocking.hpp"
#include "domain/identity/clustering.hpp"
#include "domain/identity/comparators.hpp"
#include "domain/identity/fellegi_sunter.hpp"
#include "domain/identity/person.hpp"
#include "domain/identity/string_pool.hpp"

namespace p360::identity {

struct IndexOptions {
    Thresholds thresholds;
    double cluster_support = 0.6;      // see ClusterOptions
    std::size_t max_block_size = 400;  // larger blocks are skipped (see blocking.hpp)
    int threads = 2;
};

struct TrainingOptions {
    std::size_t random_pairs = 200'000;         // sampled for u
    std::size_t max_training_records = 50'000;  // records whose candidate pairs feed EM
    std::uint64_t seed = 6;
    EmOptions em;
};

struct TrainingReport {
    std::size_t random_pairs = 0;
    std::uint64_t candidate_pairs = 0;
    std::size_t patterns = 0;  // distinct comparison vectors of the candidate pairs
    int em_runs = 0;           // EM runs that estimated m
    EmReport em;               // converged: every run did; prior_match: among candidate pairs
};

struct FieldEvidence {
    Field field = Field::kGivenName;
    int level = kMissing;
    double weight = 0;  // log2 Bayes factor this field contributed
};

struct MatchCandidate {
    std::uint32_t record = 0;
    std::string record_id;
    double match_weight = 0;  // log2 prior odds + sum of field weights
    double probability = 0;
    Decision decision = Decision::kNoLink;
    bool contradicted = false;          // two people by ContradictsIdentity, whatever the weight
    std::vector<FieldEvidence> fields;  // every field, in Field order
};

struct DedupeResult {
    std::vector<std::uint32_t> cluster_of;  // per record: smallest record id in its cluster
    std::vector<ScoredPair> review;         // pairs between the thresholds left in two clusters
    std::uint64_t compared_pairs = 0;
    std::uint64_t linked_pairs = 0;    // pairs at or above the link threshold
    std::uint64_t skipped_blocks = 0;  // oversized blocks (counted once per record visit)
};

class MemberIndex {
public:
    explicit MemberIndex(IndexOptions options = {});

    // Standardises and stores a record as the newest entry of its record id; returns its dense
    // id (0, 1, 2, …). An earlier entry of the same record id stays, superseded.
    std::uint32_t Add(const PersonRecord& record);
    std::size_t size() const { return people_.size(); }
    std::string_view record_id(std::uint32_t record) const {
        return record_ids_.View(people_[record].record_id);
    }

    // The newest entry of `record_id`, unless it has none or was forgotten since.
    std::optional<std::uint32_t> NewestEntry(std::string_view record_id) const;
    // Forgets `record_id` (its record is gone): NewestEntry finds nothing until it is added
    // again. Its entries stay, so callers skip candidates that are not a newest entry.
    void Forget(std::string_view record_id);

    // Estimates the model without labels: u from random pairs, then EM over candidate pairs.
    TrainingReport Train(const TrainingOptions& options = {});

    // Sets m and u from labelled pairs of stored records.
    void TrainFromLabels(std::span<const std::pair<std::uint32_t, std::uint32_t>> matches,
                         std::span<const std::pair<std::uint32_t, std::uint32_t>> non_matches);

    // Stored records that may be the same person as `candidate`, best first, at most `limit`,
    // including those below the review threshold (their decision says kNoLink).
    std::vector<MatchCandidate> Match(const PersonRecord& candidate, std::size_t limit = 10) const;

    // The score of two stored records, with per-field evidence.
    MatchCandidate Explain(std::uint32_t left, std::uint32_t right) const;

    // Every candidate pair scored, links clustered without chaining.
    DedupeResult Dedupe() const;

    const MatchModel& model() const { return model_; }
    void set_model(const MatchModel& model) { model_ = model; }
    const IndexOptions& options() const { return options_; }

private:
    struct StoredPerson {
        std::array<std::uint32_t, kSlotCount> text{};
        std::uint32_t birth_date = 0;
        std::uint32_t record_id = 0;  // in record_ids_
    };
    static constexpr std::uint32_t kNoEntry = UINT32_MAX;

    // One side of the pairs being scored: its values and, looked up once rather than per
    // pair, how many records share its term-frequency values.
    struct Probe {
        PersonView view;
        std::array<std::uint32_t, 3> value_counts{};
    };

    // A record under a key of up to four interned values.
    using KeyedRecord = std::pair<std::array<std::uint32_t, 4>, std::uint32_t>;

    PersonView View(std::uint32_t record) const;
    // Scoring a block visits records all over memory: fetch the next ones while scoring this.
    void PrefetchRecord(std::uint32_t record) const { __builtin_prefetch(&people_[record]); }
    void PrefetchView(std::uint32_t record) const;
    // Different given names and different birth dates: two people, not one with errors.
    bool LikelyDifferentPeople(std::uint32_t left, std::uint32_t right) const;
    // Pairs of records under one key that are likely different people.
    std::uint64_t DifferentPeopleSharing(std::vector<KeyedRecord> keyed) const;
    // The bound on the home fields' evidence (MatchModel::set_home_evidence_limit).
    double HomeEvidenceLimit() const;
    Probe ProbeOf(std::uint32_t record) const;
    Probe ProbeOf(const PersonView& person) const;
    std::uint32_t CountOf(std::size_t tf_field, std::uint32_t value) const;
    std::array<double, kFieldCount> TermFrequencyShifts(const Probe& probe,
                                                        const ComparisonVector& levels) const;
    PairScore Score(const Probe& left, const PersonView& right) const;
    double PairSupport(std::uint32_t left, std::uint32_t right) const;
    MatchCandidate ToCandidate(std::uint32_t record, const PairScore& score) const;
    // Candidate records sharing a key of `rules` with `person`, above `after` only, sorted.
    void CollectCandidates(const PersonView& person, std::int64_t after,
                           std::vector<std::uint32_t>& candidates, std::uint64_t& skipped_blocks,
                           RuleSet rules = kAllRules) const;
    // Comparison patterns of the candidate pairs of every `stride`-th record.
    std::vector<PatternCount> CandidatePatterns(RuleSet rules, std::size_t stride,
                                                std::uint64_t& pair_count) const;
    void EstimateUFromRandomPairs(const TrainingOptions& options, TrainingReport& report);
    // m of every field, by EM runs over candidate pairs of one training rule at a time.
    void EstimateM(const TrainingOptions& options, std::size_t stride, TrainingReport& report);

    IndexOptions options_;
    StringPool pool_;
    std::vector<StoredPerson> people_;
    // Record ids, interned: a person id is stored once however often it is added, and its
    // newest entry is found through the pool's own map (newest_entry_ by pool id).
    StringPool record_ids_;
    std::vector<std::uint32_t> newest_entry_;
    BlockingIndex blocks_;
    // Record counts per value id, for the fields with term-frequency adjustment.
    std::array<std::vector<std::uint32_t>, 3> value_counts_;
    MatchModel model_;
};

}  // namespace p360::identity
