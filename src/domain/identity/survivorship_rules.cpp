#include "domain/identity/survivorship_rules.hpp"

#include <yaml-cpp/yaml.h>

namespace p360::identity {
namespace {

Error Invalid(std::string_view file_name, const std::string& key, const std::string& message) {
    return Error::InvalidArgument(std::string(file_name) + ": " + message, key);
}

Result<SourceTrust> ParseSource(const YAML::Node& node, std::string_view file_name,
                                const std::string& key, bool needs_prefix) {
    if (!node.IsMap() || !node["name"] || !node["trust"] ||
        (needs_prefix && !node["sourceIdPrefix"])) {
        return Invalid(file_name, key,
                       needs_prefix ? "A source needs name, sourceIdPrefix and trust."
                                    : "The default source needs name and trust.");
    }
    SourceTrust source;
    source.name = node["name"].as<std::string>();
    source.trust = node["trust"].as<int>();
    if (needs_prefix) {
        source.source_id_prefix = node["sourceIdPrefix"].as<std::string>();
        if (source.source_id_prefix.empty()) {
            return Invalid(file_name, key + ".sourceIdPrefix", "A source prefix may not be empty.");
        }
    }
    return source;
}

Result<SurvivorshipRule> ParseRule(std::string_view text, std::string_view file_name,
                                   const std::string& key) {
    if (text == "mostTrustedSource") {
        return SurvivorshipRule::kMostTrustedSource;
    }
    if (text == "mostRecent") {
        return SurvivorshipRule::kMostRecent;
    }
    if (text == "mostFrequent") {
        return SurvivorshipRule::kMostFrequent;
    }
    return Invalid(file_name, key, "Expected mostTrustedSource, mostRecent or mostFrequent.");
}

}  // namespace

Result<SurvivorshipPolicy> SurvivorshipPolicy::Parse(std::string_view yaml,
                                                     std::string_view file_name) {
    SurvivorshipPolicy policy;
    try {
        const YAML::Node root = YAML::Load(std::string(yaml));
        if (!root.IsMap() || !root["fields"] || !root["fields"].IsMap()) {
            return Invalid(file_name, "fields", "Missing the map of field rules.");
        }
        if (const YAML::Node sources = root["sources"]) {
            for (std::size_t source_idx = 0; source_idx < sources.size(); ++source_idx) {
                P360_ASSIGN_OR_RETURN(
                    SourceTrust source,
                    ParseSource(sources[source_idx], file_name,
                                "sources[" + std::to_string(source_idx) + "]", true));
                policy.sources_.push_back(std::move(source));
            }
        }
        if (const YAML::Node fallback = root["default"]) {
            P360_ASSIGN_OR_RETURN(policy.fallback_,
                                  ParseSource(fallback, file_name, "default", false));
        }
        for (const auto& entry : root["fields"]) {
            const std::string field = entry.first.as<std::string>();
            P360_ASSIGN_OR_RETURN(SurvivorshipRule rule, ParseRule(entry.second.as<std::string>(),
                                                                   file_name, "fields." + field));
            policy.rules_.push_back({field, rule});
        }
    } catch (const YAML::Exception& error) {
        return Error::InvalidArgument(std::string(file_name) + ": " + error.what());
    }
    return policy;
}

const SourceTrust& SurvivorshipPolicy::SourceOf(std::string_view source_id) const {
    for (const SourceTrust& source : sources_) {
        if (source_id.starts_with(source.source_id_prefix)) {
            return source;
        }
    }
    return fallback_;
}

}  // namespace p360::identity
