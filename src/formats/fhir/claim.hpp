// FHIR R4 Claim and ExplanationOfBenefit from payer360 claims, as the records layer answers them
// (JSON keyed by field name, holding only the fields the caller may read).
//
//   Claim → Claim                  the bill as the provider sent it: items, diagnoses, total
//   Claim + ClaimLine → ExplanationOfBenefit
//                                  the payer's answer in the CARIN Blue Button shape: items with
//                                  their adjudication (submitted, eligible, benefit, member
//                                  liability), totals, payment and outcome
//
// One Claim record is both resources, under the same id. References point at the resources the
// referenced records become: `Patient/<Person id>`, `Practitioner/<Provider id>`,
// `Organization/<Account id>`, `Coverage/<MemberPlan id>`.
#pragma once

#include <boost/json.hpp>
#include <string_view>

namespace p360::formats::fhir {

namespace json = boost::json;

inline constexpr std::string_view kClaimTypeSystem =
    "http://terminology.hl7.org/CodeSystem/claim-type";
inline constexpr std::string_view kAdjudicationSystem =
    "http://terminology.hl7.org/CodeSystem/adjudication";
inline constexpr std::string_view kCarinAdjudicationSystem =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication";
inline constexpr std::string_view kCarinAdjudicationDiscriminatorSystem =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator";
inline constexpr std::string_view kCarinPayerAdjudicationStatusSystem =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBPayerAdjudicationStatus";
inline constexpr std::string_view kCarinSupportingInfoSystem =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType";
// CARIN's identifier types: `uc` is the payer's unique claim id.
inline constexpr std::string_view kCarinIdentifierTypeSystem =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType";
inline constexpr std::string_view kCptSystem = "http://www.ama-assn.org/go/cpt";
inline constexpr std::string_view kHcpcsSystem =
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
inline constexpr std::string_view kRevenueCodeSystem =
    "https://www.nubc.org/CodeSystem/RevenueCodes";
inline constexpr std::string_view kPlaceOfServiceSystem =
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set";
inline constexpr std::string_view kCarcSystem =
    "https://x12.org/codes/claim-adjustment-reason-codes";
// The payer's claim number, when it came with no system of its own.
inline constexpr std::string_view kClaimNumberSystem = "https://payer360.dev/fhir/sid/claim-number";

// `lines`: the claim's ClaimLine records the caller may read (the items), in any order.
json::object ClaimFromClaim(const json::object& claim, const json::array& lines);
json::object ExplanationOfBenefitFromClaim(const json::object& claim, const json::array& lines);

}  // namespace p360::formats::fhir
