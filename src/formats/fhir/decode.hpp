// FHIR R4 resources into payer360 records: the inverse of patient.hpp and resources.hpp.
//
//   Patient → Person                    Coverage → MemberPlan
//   Condition → Condition               MedicationRequest → Medication
//   Organization → Account              Practitioner → Provider
//   Location → ProviderLocation         Encounter → Encounter
//   Claim → Claim (items: ClaimLine)    ExplanationOfBenefit → Claim (items: ClaimLine)
//   CarePlan → CarePlan                 Consent → Consent
//
// A decoded resource is the record's field values (JSON keyed by field name, as the records
// layer takes them), its references still as written (`urn:uuid:…`, `Patient/<id>`) for the
// caller to resolve, and the keys it may be found by. Identifiers are kept: systems payer360 has
// a field for (SSN, MBI, Medicaid id, NPI, EIN, the member id) go to that field; every other
// identifier is kept whole in `fhirIdentifiers` (JSON) and one of them becomes the record's key
// in `sourceId`, as the token `system|value`. Extensions the mapping does not understand are kept
// whole in `fhirExtensions` (JSON) and written out again by the encoders. Elements without a
// home in the catalog (narrative, meta, Encounter links, …) are not kept.
//
// Never throws; errors are kInvalidArgument with one FieldError per element at fault, whose
// `field` is a JSON pointer into the resource (`/birthDate`, `/subject/reference`).
#pragma once

#include <boost/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace p360::formats::fhir {

namespace json = boost::json;

// The extension by which a Location names the Practitioner whose practice it is
// (ProviderLocation.provider): FHIR's Location has no element for it.
inline constexpr std::string_view kLocationProviderExtension =
    "https://payer360.dev/fhir/StructureDefinition/location-provider";
// The system of an identifier whose value is a URI (FHIR's own convention): the key of a
// resource that came with no identifier, from its entry's fullUrl.
inline constexpr std::string_view kUriSystem = "urn:ietf:rfc:3986";

// A reference from the decoded record to another record, not yet resolved: either a FHIR
// reference as written, or a key of the referenced object (a Coverage's plan by plan code).
struct RecordReference {
    std::string field;      // the record's reference field: person, prescriber, plan, …
    std::string object;     // the object referenced: Person, Provider, Account, Plan
    std::string reference;  // as written: `urn:uuid:…`, `Patient/<id>`, an absolute URL
    std::string key_field;  // set instead of `reference`: a unique field of `object`
    std::string key;
    std::string pointer;  // where it is in the resource
    // true: one candidate among others (an Encounter's participants, a request's requester) —
    // a reference to a resource of another type is passed over, not an error, and the first
    // candidate of the right type is the one kept.
    bool candidate = false;
};

// A unique field of the record and its value: how the record can be found again.
struct RecordKey {
    std::string field;
    std::string value;
};

// A record a resource holds besides its own, owned by it (an ExplanationOfBenefit's items, each
// a ClaimLine): written with the resource's record and given its owner in `owner_field` and its
// owner's member in `person`. It is found again by its position in its owner (`position_field`,
// unique per owner), or, when new, keyed by its owner's key followed by `key_suffix`.
struct DecodedPart {
    std::string object;
    std::string owner_field;
    std::string position_field;  // lineNumber
    std::string key_suffix;      // `#1` for the first item
    json::object fields;
    std::map<std::string, std::string, std::less<>> pointers;  // from the resource's root
};

// The field of a reference naming the record the resource itself is about (an
// ExplanationOfBenefit's claim): the resource is written to that record, not to a new one.
inline constexpr std::string_view kSameRecordField = "id";

struct DecodedResource {
    std::string resource_type;
    std::string object;
    json::object fields;
    std::vector<RecordReference> references;
    std::vector<RecordKey> keys;  // best first; may be empty
    // Where each field came from in the resource, for errors found later (validation).
    std::map<std::string, std::string, std::less<>> pointers;
    std::vector<DecodedPart> parts;
};

// The resource types payer360 can hold, with their objects.
std::string_view ObjectOfResourceType(std::string_view resource_type);  // "" when not held

Result<DecodedResource> DecodeResource(const json::value& resource);

// The key an identifier names for a resource type: a field for its system when payer360 has a
// unique one (NPI, member id), else `sourceId` with the token.
RecordKey KeyOfIdentifier(std::string_view resource_type, std::string_view system,
                          std::string_view value);

// `system|value`, the token form FHIR searches use; just `value` for payer360's own source ids.
std::string IdentifierToken(std::string_view system, std::string_view value);

// A `sourceId` as the identifier it stands for: a token `system|value` whose system is a URI
// becomes that identifier, anything else is payer360's source id.
json::object IdentifierOfSourceId(std::string_view source_id);

}  // namespace p360::formats::fhir
