// The declared survivorship of the golden member (catalog/identity/survivorship.yaml): which
// source a Person record came from and how far it is trusted, and the rule each golden field
// follows. Parsed once at startup; immutable and thread-safe afterwards.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "domain/identity/survivorship.hpp"

namespace p360::identity {

struct SourceTrust {
    std::string name;              // "enrollment-834"
    std::string source_id_prefix;  // "834:" — matched against Person.sourceId
    int trust = 100;               // lower is more trusted
};

class SurvivorshipPolicy {
public:
    // Parses the YAML document (keys: sources, default, fields); errors name the file and key.
    static Result<SurvivorshipPolicy> Parse(std::string_view yaml, std::string_view file_name);

    // The source a Person record came from, by the prefix of its sourceId.
    const SourceTrust& SourceOf(std::string_view source_id) const;
    const std::vector<FieldRule>& rules() const { return rules_; }

private:
    std::vector<SourceTrust> sources_;
    SourceTrust fallback_{"crm", "", 100};
    std::vector<FieldRule> rules_;
};

}  // namespace p360::identity
