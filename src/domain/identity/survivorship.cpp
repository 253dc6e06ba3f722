#include "domain/identity/survivorship.hpp"

#include <algorithm>
#include <tuple>

namespace p360::identity {
namespace {

struct Offer {
    const SourceRecord* record;
    const std::string* value;
};

// Orders offers best first by trust, then recency, then record id.
bool MoreTrusted(const Offer& a, const Offer& b) {
    return std::tuple(a.record->trust_rank, -a.record->updated_at_ms, a.record->record_id) <
           std::tuple(b.record->trust_rank, -b.record->updated_at_ms, b.record->record_id);
}

// Orders offers best first by recency, then trust, then record id.
bool MoreRecent(const Offer& a, const Offer& b) {
    return std::tuple(-a.record->updated_at_ms, a.record->trust_rank, a.record->record_id) <
           std::tuple(-b.record->updated_at_ms, b.record->trust_rank, b.record->record_id);
}

Offer MostFrequent(const std::vector<Offer>& offers) {
    std::map<std::string, int> counts;
    for (const Offer& offer : offers) {
        ++counts[*offer.value];
    }
    const Offer* best = nullptr;
    for (const Offer& offer : offers) {
        if (best == nullptr) {
            best = &offer;
            continue;
        }
        const int count = counts[*offer.value];
        const int best_count = counts[*best->value];
        if (count > best_count || (count == best_count && MoreTrusted(offer, *best))) {
            best = &offer;
        }
    }
    return *best;
}

Offer Choose(std::vector<Offer>& offers, SurvivorshipRule rule) {
    switch (rule) {
        case SurvivorshipRule::kMostRecent:
            return *std::min_element(offers.begin(), offers.end(), MoreRecent);
        case SurvivorshipRule::kMostFrequent:
            return MostFrequent(offers);
        case SurvivorshipRule::kMostTrustedSource:
            break;
    }
    return *std::min_element(offers.begin(), offers.end(), MoreTrusted);
}

}  // namespace

GoldenRecord BuildGoldenRecord(std::span<const SourceRecord> sources,
                               std::span<const FieldRule> rules) {
    GoldenRecord golden;
    for (const FieldRule& rule : rules) {
        std::vector<Offer> offers;
        for (const SourceRecord& source : sources) {
            const auto found = source.fields.find(rule.field);
            if (found != source.fields.end() && !found->second.empty()) {
                offers.push_back({&source, &found->second});
            }
        }
        if (offers.empty()) {
            continue;
        }
        const Offer chosen = Choose(offers, rule.rule);
        golden.fields[rule.field] = {.value = *chosen.value,
                                     .record_id = chosen.record->record_id,
                                     .source = chosen.record->source,
                                     .rule = rule.rule};
    }
    return golden;
}

}  // namespace p360::identity
