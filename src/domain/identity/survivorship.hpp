// Survivorship: the golden record of one member, built field by field from the source records
// the index clustered together, each field by its declared rule, with lineage (which source
// record gave each value) so a reviewer can see why the golden record says what it says and
// an unmerge can rebuild it from what remains.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace p360::identity {

struct SourceRecord {
    std::string record_id;
    std::string source;    // "enrollment-834", "claims", "portal", …
    int trust_rank = 100;  // lower is more trusted
    std::int64_t updated_at_ms = 0;
    std::map<std::string, std::string> fields;  // field name → value; empty values are ignored
};

enum class SurvivorshipRule : std::uint8_t {
    kMostTrustedSource,  // the value from the best-ranked source; newer wins a tie
    kMostRecent,         // the newest value; the more trusted source wins a tie
    kMostFrequent,       // the value most records agree on; trust, then recency, wins a tie
};

struct FieldRule {
    std::string field;
    SurvivorshipRule rule = SurvivorshipRule::kMostTrustedSource;
};

struct GoldenValue {
    std::string value;
    std::string record_id;  // lineage: the record the value was taken from
    std::string source;
    SurvivorshipRule rule = SurvivorshipRule::kMostTrustedSource;
};

struct GoldenRecord {
    std::map<std::string, GoldenValue> fields;  // only fields some source has a value for
};

// Fields without a rule are left out. Ties that trust and time cannot break go to the smaller
// record id, so the result never depends on input order.
GoldenRecord BuildGoldenRecord(std::span<const SourceRecord> sources,
                               std::span<const FieldRule> rules);

}  // namespace p360::identity
