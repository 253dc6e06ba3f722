// FHIR resources as the FHIR routes (fhir_routes.cpp) make and take them, for the Bulk Data
// routes (fhir_bulk_routes.cpp) to export and import the same resources: the resource types,
// how records become resources and Bundle entries change records, and how resources and errors
// are answered. Internal to the api module.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_support.hpp"
#include "formats/fhir/bundle.hpp"
#include "records/record_service.hpp"

namespace p360::api::detail {

struct FhirResourceType {
    std::string_view name;          // Patient, Coverage, …
    std::string_view object;        // Person, MemberPlan, …
    std::string_view member_field;  // the reference to the member ("id" for Patient; "" = none)
    // Which of the object's records are resources of this type ("" = all): a claim is an
    // ExplanationOfBenefit only once adjudication began.
    std::string_view records_filter;
};

// Every resource type the API reads, member-centred types first.
std::vector<FhirResourceType> FhirResourceTypes();

// Records resources show besides their own (a coverage's plan, a role's provider) by
// `Object/id`, kept across many resources so that each is read once; nullopt when the caller
// may not read it.
using LinkedRecords = std::map<std::string, std::optional<json::object>, std::less<>>;

// The resource a record of `type_name` becomes, as a read or search answers it. `linked`
// (may be null) keeps the linked records read, for the next resources.
json::object FhirResourceOf(records::RecordService& records, const security::Actor& actor,
                            std::string_view type_name, const json::object& record,
                            LinkedRecords* linked = nullptr);

// The record change of a Bundle entry, as a transaction makes it.
Result<records::RecordChange> FhirChangeOf(records::RecordService& records,
                                           const security::Actor& actor,
                                           const formats::fhir::Bundle& bundle,
                                           const formats::fhir::BundleEntry& entry);

// A resource as the answer of a FHIR route (application/fhir+json).
http::HttpResponse FhirResponse(int status, const json::object& resource);

// An error as an OperationOutcome resource, and as the answer of a FHIR route.
json::object FhirOutcomeOf(const Error& error);
http::HttpResponse FhirErrorResponse(const Error& error, const http::HttpRequest& request);

// `http://<host>/fhir/r4`: the base of links the server writes.
std::string FhirBaseUrl(std::string_view public_url, const http::HttpRequest& request);

// Percent-encodes everything but RFC 3986 unreserved characters (for links the server writes).
std::string UrlEncodeComponent(std::string_view text);

}  // namespace p360::api::detail
