#include "domain/identity/member_index.hpp"

#include <algorithm>
#include <atomic>
#include <boost/unordered/unordered_flat_map.hpp>
#include <cmath>
#include <thread>

namespace p360::identity {
namespace {

struct TermFrequencyField {
    Field field;
    Slot slot;
};
// Names and cities have a few very common values, where exact agreement means little.
constexpr std::array<TermFrequencyField, 3> kTermFrequencyFields = {{
    {Field::kGivenName, Slot::kGivenName},
    {Field::kFamilyName, Slot::kFamilyName},
    {Field::kCity, Slot::kCity},
}};

// Levels packed 3 bits a field (level + 1, so kMissing is 0), for counting patterns.
std::uint64_t PackLevels(const ComparisonVector& levels) {
    std::uint64_t packed = 0;
    for (std::size_t field = 0; field < kFieldCount; ++field) {
        packed |= static_cast<std::uint64_t>(levels[field] + 1) << (3 * field);
    }
    return packed;
}

ComparisonVector UnpackLevels(std::uint64_t packed) {
    ComparisonVector levels{};
    for (std::size_t field = 0; field < kFieldCount; ++field) {
        levels[field] = static_cast<std::int8_t>(static_cast<int>((packed >> (3 * field)) & 7) - 1);
    }
    return levels;
}

using PatternHistogram = boost::unordered_flat_map<std::uint64_t, double>;

std::vector<PatternCount> ToPatterns(const PatternHistogram& histogram) {
    std::vector<PatternCount> patterns;
    patterns.reserve(histogram.size());
    for (const auto& [packed, count] : histogram) {
        patterns.push_back({UnpackLevels(packed), count});
    }
    // A fixed order, so EM sums in the same order on every run.
    std::sort(patterns.begin(), patterns.end(), [](const PatternCount& a, const PatternCount& b) {
        return PackLevels(a.levels) < PackLevels(b.levels);
    });
    return patterns;
}

// SplitMix64: a small deterministic generator for sampling random pairs.
class SplitMix {
public:
    explicit SplitMix(std::uint64_t seed) : state_(seed) {}
    std::uint64_t Next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    std::uint32_t Below(std::size_t bound) { return static_cast<std::uint32_t>(Next() % bound); }

private:
    std::uint64_t state_;
};

// Runs `work(thread, item)` for items [0, count) on `threads` threads; items are handed out in
// batches so uneven blocks do not leave one thread idle.
template <typename Work>
void ParallelFor(std::size_t count, int threads, const Work& work) {
    constexpr std::size_t kBatch = 256;
    std::atomic<std::size_t> next{0};
    const auto run = [&](int thread) {
        for (std::size_t begin = next.fetch_add(kBatch); begin < count;
             begin = next.fetch_add(kBatch)) {
            const std::size_t end = std::min(begin + kBatch, count);
            for (std::size_t item = begin; item < end; ++item) {
                work(thread, item);
            }
        }
    };
    const int extra_threads = std::max(threads, 1) - 1;
    std::vector<std::jthread> pool;
    for (int thread = 1; thread <= extra_threads; ++thread) {
        pool.emplace_back(run, thread);
    }
    run(0);
}

}  // namespace

MemberIndex::MemberIndex(IndexOptions options) : options_(options) {}

std::uint32_t MemberIndex::Add(const PersonRecord& record) {
    const StandardPerson person = Standardise(record);
    StoredPerson stored;
    for (std::size_t slot = 0; slot < kSlotCount; ++slot) {
        stored.text[slot] = pool_.Intern(person.text[slot]);
    }
    stored.birth_date = person.birth_date;
    stored.record_id = record_ids_.Intern(record.record_id);
    const auto id = static_cast<std::uint32_t>(people_.size());
    people_.push_back(stored);
    if (stored.record_id >= newest_entry_.size()) {
        newest_entry_.resize(stored.record_id + 1, kNoEntry);
    }
    newest_entry_[stored.record_id] = id;

    std::vector<std::uint64_t> keys;
    AppendBlockingKeys(ViewOf(person), keys);
    blocks_.Add(id, keys);
    for (std::size_t tf = 0; tf < kTermFrequencyFields.size(); ++tf) {
        const std::uint32_t value =
            stored.text[static_cast<std::size_t>(kTermFrequencyFields[tf].slot)];
        std::vector<std::uint32_t>& counts = value_counts_[tf];
        if (value >= counts.size()) {
            counts.resize(std::max<std::size_t>(value + 1, counts.size() * 2), 0);
        }
        ++counts[value];
    }
    return id;
}

std::optional<std::uint32_t> MemberIndex::NewestEntry(std::string_view record_id) const {
    const std::optional<std::uint32_t> interned = record_ids_.Find(record_id);
    if (!interned || *interned >= newest_entry_.size() || newest_entry_[*interned] == kNoEntry) {
        return std::nullopt;
    }
    return newest_entry_[*interned];
}

void MemberIndex::Forget(std::string_view record_id) {
    const std::optional<std::uint32_t> interned = record_ids_.Find(record_id);
    if (interned && *interned < newest_entry_.size()) {
        newest_entry_[*interned] = kNoEntry;
    }
}

PersonView MemberIndex::View(std::uint32_t record) const {
    const StoredPerson& stored = people_[record];
    PersonView view;
    for (std::size_t slot = 0; slot < kSlotCount; ++slot) {
        view.text[slot] = pool_.View(stored.text[slot]);
    }
    view.birth_date = stored.birth_date;
    return view;
}

void MemberIndex::PrefetchView(std::uint32_t record) const {
    for (const std::uint32_t text : people_[record].text) {
        pool_.Prefetch(text);
    }
}

MemberIndex::Probe MemberIndex::ProbeOf(std::uint32_t record) const {
    Probe probe{View(record), {}};
    for (std::size_t tf = 0; tf < kTermFrequencyFields.size(); ++tf) {
        probe.value_counts[tf] = CountOf(
            tf, people_[record].text[static_cast<std::size_t>(kTermFrequencyFields[tf].slot)]);
    }
    return probe;
}

MemberIndex::Probe MemberIndex::ProbeOf(const PersonView& person) const {
    Probe probe{person, {}};
    for (std::size_t tf = 0; tf < kTermFrequencyFields.size(); ++tf) {
        const auto id = pool_.Find(person.Get(kTermFrequencyFields[tf].slot));
        probe.value_counts[tf] = id ? CountOf(tf, *id) : 0;
    }
    return probe;
}

std::uint32_t MemberIndex::CountOf(std::size_t tf_field, std::uint32_t value) const {
    const std::vector<std::uint32_t>& counts = value_counts_[tf_field];
    return value < counts.size() ? counts[value] : 0;
}

std::array<double, kFieldCount> MemberIndex::TermFrequencyShifts(
    const Probe& probe, const ComparisonVector& levels) const {
    std::array<double, kFieldCount> shifts{};
    const double total = static_cast<double>(std::max<std::size_t>(people_.size(), 1));
    for (std::size_t tf = 0; tf < kTermFrequencyFields.size(); ++tf) {
        const auto field = static_cast<std::size_t>(kTermFrequencyFields[tf].field);
        if (levels[field] != LevelCount(kTermFrequencyFields[tf].field) - 1) {
            continue;
        }
        const double count = std::max<double>(probe.value_counts[tf], 1.0);
        shifts[field] = TermFrequencyAdjustment(
            model_.RandomExactAgreement(kTermFrequencyFields[tf].field), count / total);
    }
    return shifts;
}

PairScore MemberIndex::Score(const Probe& left, const PersonView& right) const {
    const ComparisonVector levels = ComparePeople(left.view, right);
    const std::array<double, kFieldCount> shifts = TermFrequencyShifts(left, levels);
    return model_.Score(levels, &shifts);
}

double MemberIndex::PairSupport(std::uint32_t left, std::uint32_t right) const {
    // The prior says how rare matches are among all pairs; inside a candidate cluster that is
    // the wrong question. Without it, a pair that merely lacks information (a record with
    // only a birth date) scores near one half, and only a pair whose fields disagree scores
    // near zero, which is what should keep two clusters apart.
    const PairScore score = Score(ProbeOf(left), View(right));
    const double evidence =
        score.match_weight - std::log2(model_.prior_match() / (1 - model_.prior_match()));
    return 1.0 / (1.0 + std::exp2(-evidence));
}

MatchCandidate MemberIndex::ToCandidate(std::uint32_t record, const PairScore& score) const {
    MatchCandidate candidate;
    candidate.record = record;
    candidate.record_id = std::string(record_id(record));
    candidate.match_weight = score.match_weight;
    candidate.probability = score.probability;
    candidate.decision = Decide(score.probability, options_.thresholds);
    candidate.contradicted = score.contradicted;
    candidate.fields.reserve(kFieldCount);
    for (std::size_t field = 0; field < kFieldCount; ++field) {
        candidate.fields.push_back(
            {static_cast<Field>(field), score.levels[field], score.field_weights[field]});
    }
    return candidate;
}

void MemberIndex::CollectCandidates(const PersonView& person, std::int64_t after,
                                    std::vector<std::uint32_t>& candidates,
                                    std::uint64_t& skipped_blocks, RuleSet rules) const {
    std::vector<std::uint64_t> keys;
    AppendBlockingKeys(person, keys, rules);
    candidates.clear();
    for (const std::uint64_t key : keys) {
        const std::span<const std::uint32_t> block = blocks_.Block(key);
        if (block.size() > options_.max_block_size) {
            ++skipped_blocks;
            continue;
        }
        for (const std::uint32_t record : block) {
            if (static_cast<std::int64_t>(record) > after) {
                candidates.push_back(record);
            }
        }
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
}

std::vector<PatternCount> MemberIndex::CandidatePatterns(RuleSet rules, std::size_t stride,
                                                         std::uint64_t& pair_count) const {
    const std::size_t sampled = (people_.size() + stride - 1) / stride;
    std::vector<PatternHistogram> histograms(
        static_cast<std::size_t>(std::max(options_.threads, 1)));
    std::vector<std::uint64_t> pair_counts(histograms.size(), 0);
    ParallelFor(sampled, options_.threads, [&](int thread, std::size_t item) {
        const auto slot = static_cast<std::size_t>(thread);
        const auto record = static_cast<std::uint32_t>(item * stride);
        const PersonView person = View(record);
        std::vector<std::uint32_t> candidates;
        std::uint64_t skipped = 0;
        CollectCandidates(person, record, candidates, skipped, rules);
        for (const std::uint32_t other : candidates) {
            histograms[slot][PackLevels(ComparePeople(person, View(other)))] += 1;
        }
        pair_counts[slot] += candidates.size();
    });
    PatternHistogram merged;
    pair_count = 0;
    for (std::size_t thread = 0; thread < histograms.size(); ++thread) {
        for (const auto& [packed, pairs] : histograms[thread]) {
            merged[packed] += pairs;
        }
        pair_count += pair_counts[thread];
    }
    return ToPatterns(merged);
}

void MemberIndex::EstimateUFromRandomPairs(const TrainingOptions& options, TrainingReport& report) {
    const std::size_t count = people_.size();
    PatternHistogram histogram;
    SplitMix random(options.seed);
    report.random_pairs = std::min(options.random_pairs, count * (count - 1) / 2);
    for (std::size_t sample = 0; sample < report.random_pairs; ++sample) {
        const std::uint32_t left = random.Below(count);
        std::uint32_t right = random.Below(count - 1);
        right += right >= left ? 1 : 0;
        histogram[PackLevels(ComparePeople(View(left), View(right)))] += 1;
    }
    model_.EstimateUFromRandomPairs(ToPatterns(histogram));
}

void MemberIndex::EstimateM(const TrainingOptions& options, std::size_t stride,
                            TrainingReport& report) {
    // m: one EM run per training rule. Candidate pairs blocked on some fields agree on
    // those fields whether they match or not, which breaks EM's assumption that fields are
    // independent given the match status; so each run blocks on one rule and leaves that
    // rule's fields out. Within a run the non-matches are random with respect to every
    // other field, which is exactly what u (from random pairs) describes. Each field's m is
    // the mean over the runs that estimated it.
    struct TrainingRule {
        BlockingRule rule;
        std::initializer_list<Field> blocked_fields;
    };
    static constexpr TrainingRule kTrainingRules[] = {
        {BlockingRule::kBirthDate, {Field::kBirthDate}},
        {BlockingRule::kNameCodes, {Field::kGivenName, Field::kFamilyName}},
    };
    std::array<std::vector<double>, kFieldCount> m_sums;
    std::array<int, kFieldCount> m_runs{};
    report.em.converged = true;
    for (const TrainingRule& training_rule : kTrainingRules) {
        std::uint64_t pairs = 0;
        const std::vector<PatternCount> patterns =
            CandidatePatterns(RuleBit(training_rule.rule), stride, pairs);
        if (pairs == 0) {
            continue;
        }
        EmOptions em = options.em;
        for (const Field field : training_rule.blocked_fields) {
            em.ignored[static_cast<std::size_t>(field)] = true;
        }
        MatchModel run_model = model_;
        const EmReport run = run_model.TrainUnsupervised(patterns, em);
        report.em.converged = report.em.converged && run.converged;
        ++report.em_runs;
        for (std::size_t field = 0; field < kFieldCount; ++field) {
            if (em.ignored[field]) {
                continue;
            }
            const std::vector<double>& m = run_model.parameters(static_cast<Field>(field)).m;
            m_sums[field].resize(m.size(), 0.0);
            for (std::size_t level = 0; level < m.size(); ++level) {
                m_sums[field][level] += m[level];
            }
            ++m_runs[field];
        }
    }
    for (std::size_t field = 0; field < kFieldCount; ++field) {
        if (m_runs[field] > 0) {
            for (double& sum : m_sums[field]) {
                sum /= m_runs[field];
            }
            model_.set_m(static_cast<Field>(field), m_sums[field]);
        }
    }
}

bool MemberIndex::LikelyDifferentPeople(std::uint32_t left, std::uint32_t right) const {
    const StoredPerson& a = people_[left];
    const StoredPerson& b = people_[right];
    const auto given_code = static_cast<std::size_t>(Slot::kGivenCode);
    const bool given_differs = a.text[given_code] != 0 && b.text[given_code] != 0 &&
                               a.text[given_code] != b.text[given_code];
    const bool birth_differs =
        a.birth_date != 0 && b.birth_date != 0 && a.birth_date != b.birth_date;
    return given_differs && birth_differs;
}

std::uint64_t MemberIndex::DifferentPeopleSharing(std::vector<KeyedRecord> keyed) const {
    std::sort(keyed.begin(), keyed.end());
    std::uint64_t pairs = 0;
    for (std::size_t begin = 0, end = 0; begin < keyed.size(); begin = end) {
        end = begin + 1;
        while (end < keyed.size() && keyed[end].first == keyed[begin].first) {
            ++end;
        }
        const std::uint64_t size = end - begin;
        if (size > options_.max_block_size) {  // a placeholder value: strangers, all of them
            pairs += size * (size - 1) / 2;
            continue;
        }
        for (std::size_t left = begin; left < end; ++left) {
            for (std::size_t right = left + 1; right < end; ++right) {
                pairs += LikelyDifferentPeople(keyed[left].second, keyed[right].second) ? 1 : 0;
            }
        }
    }
    return pairs;
}

double MemberIndex::HomeEvidenceLimit() const {
    // u of "shares a home": the share of all pairs that are different people at one street
    // address or on one phone line, counted exactly (pairs at both are counted once). With m
    // taken as 1, log2(1/u) is the most evidence sharing a home can be; at least one pair is
    // assumed, so a small index without households still gets a finite bound.
    std::vector<KeyedRecord> by_address;
    std::vector<KeyedRecord> by_phone;
    std::vector<KeyedRecord> by_both;
    const auto at = [](const StoredPerson& person, Slot slot) {
        return person.text[static_cast<std::size_t>(slot)];
    };
    for (std::uint32_t record = 0; record < people_.size(); ++record) {
        const StoredPerson& person = people_[record];
        const std::uint32_t phone = at(person, Slot::kPhone);
        const std::array<std::uint32_t, 4> address = {at(person, Slot::kPostalCode),
                                                      at(person, Slot::kHouseNumber),
                                                      at(person, Slot::kStreet), 0};
        const bool has_address = address[0] != 0 && address[1] != 0 && address[2] != 0;
        if (has_address) {
            by_address.push_back({address, record});
        }
        if (phone != 0) {
            by_phone.push_back({{phone, 0, 0, 0}, record});
        }
        if (has_address && phone != 0) {
            by_both.push_back({{address[0], address[1], address[2], phone}, record});
        }
    }
    const std::uint64_t sharing = DifferentPeopleSharing(std::move(by_address)) +
                                  DifferentPeopleSharing(std::move(by_phone)) -
                                  DifferentPeopleSharing(std::move(by_both));
    const double count = static_cast<double>(people_.size());
    const double all_pairs = count * (count - 1) / 2;
    return std::log2(all_pairs / static_cast<double>(std::max<std::uint64_t>(sharing, 1)));
}

TrainingReport MemberIndex::Train(const TrainingOptions& options) {
    TrainingReport report;
    const std::size_t count = people_.size();
    if (count < 2) {
        return report;
    }
    model_.set_home_evidence_limit(HomeEvidenceLimit());
    // u: random pairs are, for any realistic data, almost all different people.
    EstimateUFromRandomPairs(options, report);

    const std::size_t stride =
        std::max<std::size_t>(1, count / std::max<std::size_t>(options.max_training_records, 1));
    EstimateM(options, stride, report);

    // The prior: with m and u fixed, EM over the candidate pairs of every rule fits only the
    // share of matches among them.
    const std::vector<PatternCount> patterns =
        CandidatePatterns(kAllRules, stride, report.candidate_pairs);
    report.patterns = patterns.size();
    EmOptions prior_only = options.em;
    prior_only.estimate_m = false;
    const EmReport prior_run = model_.TrainUnsupervised(patterns, prior_only);
    report.em.iterations = prior_run.iterations;
    report.em.prior_match = prior_run.prior_match;
    report.em.converged = report.em.converged && prior_run.converged;
    // That share is among candidate pairs, but u describes random pairs; the weights are
    // consistent only with the prior of a random pair, so rescale by how many pairs the
    // candidates were drawn from (each sampled record against every later record).
    const std::size_t sampled = (count + stride - 1) / stride;
    const double population_pairs =
        static_cast<double>(sampled) * static_cast<double>(count - 1) / 2;
    const double expected_matches =
        prior_run.prior_match * static_cast<double>(report.candidate_pairs);
    model_.set_prior_match(std::clamp(expected_matches / population_pairs, 1e-9, 0.5));
    return report;
}

void MemberIndex::TrainFromLabels(
    std::span<const std::pair<std::uint32_t, std::uint32_t>> matches,
    std::span<const std::pair<std::uint32_t, std::uint32_t>> non_matches) {
    const auto compare_all = [&](std::span<const std::pair<std::uint32_t, std::uint32_t>> pairs) {
        std::vector<ComparisonVector> levels;
        levels.reserve(pairs.size());
        for (const auto& [left, right] : pairs) {
            levels.push_back(ComparePeople(View(left), View(right)));
        }
        return levels;
    };
    model_.TrainFromLabels(compare_all(matches), compare_all(non_matches));
}

std::vector<MatchCandidate> MemberIndex::Match(const PersonRecord& candidate,
                                               std::size_t limit) const {
    const StandardPerson standard = Standardise(candidate);
    const PersonView person = ViewOf(standard);
    std::vector<std::uint32_t> records;
    std::uint64_t skipped = 0;
    CollectCandidates(person, -1, records, skipped);
    const Probe probe = ProbeOf(person);
    std::vector<std::pair<PairScore, std::uint32_t>> scored;
    scored.reserve(records.size());
    for (std::size_t next = 0; next < records.size(); ++next) {
        if (next + 4 < records.size()) {
            PrefetchRecord(records[next + 4]);
        }
        if (next + 2 < records.size()) {
            PrefetchView(records[next + 2]);
        }
        scored.emplace_back(Score(probe, View(records[next])), records[next]);
    }
    const std::size_t kept = std::min(limit, scored.size());
    std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(kept),
                      scored.end(), [](const auto& a, const auto& b) {
                          if (a.first.match_weight != b.first.match_weight) {
                              return a.first.match_weight > b.first.match_weight;
                          }
                          return a.second < b.second;
                      });
    std::vector<MatchCandidate> ranked;
    ranked.reserve(kept);
    for (std::size_t rank = 0; rank < kept; ++rank) {
        ranked.push_back(ToCandidate(scored[rank].second, scored[rank].first));
    }
    return ranked;
}

MatchCandidate MemberIndex::Explain(std::uint32_t left, std::uint32_t right) const {
    return ToCandidate(right, Score(ProbeOf(left), View(right)));
}

DedupeResult MemberIndex::Dedupe() const {
    DedupeResult result;
    const std::size_t count = people_.size();
    const std::size_t threads = static_cast<std::size_t>(std::max(options_.threads, 1));
    std::vector<std::vector<ScoredPair>> kept(threads);
    std::vector<std::uint64_t> compared(threads, 0);
    std::vector<std::uint64_t> skipped(threads, 0);
    ParallelFor(count, options_.threads, [&](int thread, std::size_t item) {
        const auto slot = static_cast<std::size_t>(thread);
        const auto record = static_cast<std::uint32_t>(item);
        const Probe probe = ProbeOf(record);
        const PersonView& person = probe.view;
        std::vector<std::uint32_t> candidates;
        CollectCandidates(person, record, candidates, skipped[slot]);
        compared[slot] += candidates.size();
        for (const std::uint32_t other : candidates) {
            const double probability = Score(probe, View(other)).probability;
            if (probability >= options_.thresholds.review_probability) {
                kept[slot].push_back({record, other, probability});
            }
        }
    });
    std::vector<ScoredPair> pairs;
    for (std::size_t thread = 0; thread < threads; ++thread) {
        pairs.insert(pairs.end(), kept[thread].begin(), kept[thread].end());
        result.compared_pairs += compared[thread];
        result.skipped_blocks += skipped[thread];
    }
    const ClusterOptions cluster_options{.link_probability = options_.thresholds.link_probability,
                                         .cluster_support = options_.cluster_support};
    result.cluster_of = ClusterRecords(
        count, pairs,
        [&](std::uint32_t left, std::uint32_t right) { return PairSupport(left, right); },
        cluster_options);
    for (const ScoredPair& pair : pairs) {
        if (pair.probability >= options_.thresholds.link_probability) {
            ++result.linked_pairs;
        } else if (result.cluster_of[pair.left] != result.cluster_of[pair.right]) {
            result.review.push_back(pair);
        }
    }
    return result;
}

}  // namespace p360::identity
