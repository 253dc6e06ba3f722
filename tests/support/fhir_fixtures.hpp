// The FHIR fixtures (tests/fixtures/fhir) as the integration suites load them, and what the
// suites read from the resources they get back.
#pragma once

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <string>

namespace p360::testing {

// A fixture file under `<fixtures_dir>/fhir/`, parsed.
inline boost::json::value ReadFhirFixture(const std::string& fixtures_dir,
                                          const std::string& relative) {
    std::ifstream in(fixtures_dir + "/fhir/" + relative);
    std::stringstream text;
    text << in.rdbuf();
    return boost::json::parse(text.str());
}

// A Synthea bundle with only its entries of the member's own types (no claims, which
// suites about the member's clinical picture do not need).
inline boost::json::value HeldEntriesOf(boost::json::value bundle) {
    boost::json::array kept;
    for (const auto& entry : bundle.at("entry").as_array()) {
        const auto& type = entry.at("resource").at("resourceType");
        for (const char* held : {"Patient", "Organization", "Practitioner", "Encounter",
                                 "Condition", "MedicationRequest"}) {
            if (type == held) {
                kept.push_back(entry);
            }
        }
    }
    bundle.as_object()["entry"] = std::move(kept);
    return bundle;
}

// The value of the resource's identifier in `system`, or "" when it has none there.
inline std::string Identifier(const boost::json::value& resource, const std::string& system) {
    const boost::json::value* identifiers = resource.as_object().if_contains("identifier");
    if (identifiers == nullptr) {
        return {};
    }
    for (const auto& identifier : identifiers->as_array()) {
        if (identifier.at("system") == boost::json::value(system)) {
            return std::string(identifier.at("value").as_string());
        }
    }
    return {};
}

}  // namespace p360::testing
