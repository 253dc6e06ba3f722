// Fuzz target: the FHIR Bundle and resource decoder (src/formats/fhir/bundle.hpp, decode.hpp).
// Any bytes must give either "not JSON", a Bundle refused as a whole at a JSON pointer, or
// entries each of which is either ready to apply or carries errors at JSON pointers inside that
// entry — never a crash, an exception or a reference that leads nowhere. Whatever decodes
// as a record must encode as a resource again without failing.
//
// Seeds: fuzz/corpus/fhir_bundle/ (small transaction and batch Bundles, broken variants).
#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "formats/fhir/bundle.hpp"
#include "formats/fhir/care.hpp"
#include "formats/fhir/claim.hpp"
#include "formats/fhir/decode.hpp"
#include "formats/fhir/patient.hpp"
#include "formats/fhir/resources.hpp"

namespace {

namespace fhir = p360::formats::fhir;
namespace json = boost::json;

void Check(bool condition) {
    if (!condition) {
        __builtin_trap();
    }
}

// The resource a decoded record would be answered as (ids and system fields left out).
void Encode(const fhir::DecodedResource& decoded) {
    const json::object& fields = decoded.fields;
    json::object resource;
    if (decoded.object == "Person") {
        resource = fhir::PatientFromPerson(fields);
    } else if (decoded.object == "MemberPlan") {
        resource = fhir::CoverageFromMemberPlan(fields, nullptr);
    } else if (decoded.object == "Condition") {
        resource = fhir::ConditionFromCondition(fields);
    } else if (decoded.object == "Medication") {
        resource = fhir::MedicationRequestFromMedication(fields);
    } else if (decoded.object == "Account") {
        resource = fhir::OrganizationFromAccount(fields);
    } else if (decoded.object == "Encounter") {
        resource = fhir::EncounterFromEncounter(fields);
    } else if (decoded.object == "Provider") {
        resource = fhir::PractitionerFromProvider(fields);
    } else if (decoded.object == "Claim") {
        json::array lines;
        for (const fhir::DecodedPart& part : decoded.parts) {
            lines.push_back(part.fields);
        }
        resource = decoded.resource_type == "Claim"
                       ? fhir::ClaimFromClaim(fields, lines)
                       : fhir::ExplanationOfBenefitFromClaim(fields, lines);
    } else if (decoded.object == "CarePlan") {
        resource = fhir::CarePlanFromCarePlan(fields);
    } else if (decoded.object == "Consent") {
        resource = fhir::ConsentFromConsent(fields);
    } else {
        Check(decoded.object == "ProviderLocation");
        resource = fhir::LocationFromProviderLocation(fields);
    }
    Check(resource.at("resourceType") == json::value(decoded.resource_type));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    boost::system::error_code parse_error;
    json::parse_options options;
    options.max_depth = 64;
    const json::value value = json::parse(text, parse_error, {}, options);
    if (parse_error) {
        return 0;
    }
    // A resource on its own.
    auto decoded = fhir::DecodeResource(value);
    if (decoded.ok()) {
        Check(!decoded->object.empty());
        Encode(*decoded);
    } else {
        Check(decoded.error().code == p360::ErrorCode::kInvalidArgument);
        Check(!decoded.error().field_errors.empty());
        for (const auto& error : decoded.error().field_errors) {
            Check(error.field.starts_with("/") && !error.message.empty());
        }
    }
    // As a Bundle.
    auto bundle = fhir::ReadBundle(value);
    if (!bundle.ok()) {
        Check(bundle.error().code == p360::ErrorCode::kInvalidArgument);
        Check(bundle.error().location.starts_with("/"));
        return 0;
    }
    Check(bundle->entries.size() <= fhir::kMaxBundleEntries);
    for (const fhir::BundleEntry& entry : bundle->entries) {
        for (const auto& error : entry.errors) {
            Check(error.field.starts_with(entry.pointer) && !error.message.empty());
        }
        if (!entry.errors.empty()) {
            continue;
        }
        Check(entry.resource.has_value());
        Check(entry.method == "POST" || entry.method == "PUT");
        Check(!entry.key || (!entry.key->field.empty() && !entry.key->value.empty()));
        for (const fhir::ResolvedReference& reference : entry.references) {
            const int ways = (reference.entry ? 1 : 0) + (reference.id.empty() ? 0 : 1) +
                             (reference.key.field.empty() ? 0 : 1);
            Check(ways == 1);
            Check(!reference.entry || *reference.entry < bundle->entries.size());
            Check(reference.pointer.starts_with(entry.pointer + "/resource"));
        }
        Encode(*entry.resource);
    }
    return 0;
}
