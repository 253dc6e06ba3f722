// FHIR R4 CarePlan and Consent from payer360 records, as the records layer answers them (JSON
// keyed by field name, holding only the fields the caller may read).
//
//   CarePlan → CarePlan    status, intent, category, title, period, author, activities
//   Consent → Consent      a permit (granted, revoked, expired) or a deny (denied) for one
//                          purpose, over one channel (an extension), for a period
#pragma once

#include <boost/json.hpp>
#include <string_view>

namespace p360::formats::fhir {

namespace json = boost::json;

inline constexpr std::string_view kCarePlanCategorySystem =
    "http://hl7.org/fhir/us/core/CodeSystem/careplan-category";
inline constexpr std::string_view kConsentScopeSystem =
    "http://terminology.hl7.org/CodeSystem/consentscope";
inline constexpr std::string_view kConsentCategorySystem =
    "http://terminology.hl7.org/CodeSystem/consentcategorycodes";
inline constexpr std::string_view kLoincSystem = "http://loinc.org";
inline constexpr std::string_view kActReasonSystem =
    "http://terminology.hl7.org/CodeSystem/v3-ActReason";
inline constexpr std::string_view kActCodeSystem =
    "http://terminology.hl7.org/CodeSystem/v3-ActCode";
// payer360's consent purposes as codes (marketing, hie-data-sharing, …): FHIR has no code for
// most of them.
inline constexpr std::string_view kConsentPurposeSystem =
    "https://payer360.dev/fhir/CodeSystem/consent-purpose";
// The channel a consent covers (email, sms, phone, mail, portal, any): Consent has no element for
// it.
inline constexpr std::string_view kConsentChannelExtension =
    "https://payer360.dev/fhir/StructureDefinition/consent-channel";

json::object CarePlanFromCarePlan(const json::object& plan);
json::object ConsentFromConsent(const json::object& consent);

}  // namespace p360::formats::fhir
