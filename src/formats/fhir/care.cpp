#include "formats/fhir/care.hpp"

#include <string>

#include "formats/fhir/record_fields.hpp"

namespace p360::formats::fhir {
namespace {

using detail::Concept;
using detail::FieldText;
using detail::PutIf;
using detail::Reference;

constexpr std::string_view kSnomedSystem = "http://snomed.info/sct";

bool AllDigits(std::string_view text) {
    return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// A LOINC code is digits, a dash and a check digit (59284-0).
bool LooksLikeLoinc(std::string_view code) {
    const auto dash = code.find('-');
    return dash != std::string_view::npos && AllDigits(code.substr(0, dash)) &&
           AllDigits(code.substr(dash + 1));
}

json::object Period(const json::object& record, std::string_view start, std::string_view end) {
    json::object period;
    PutIf(period, "start", FieldText(record, start));
    PutIf(period, "end", FieldText(record, end));
    return period;
}

// The scope a consent's purpose implies when none was kept.
std::string ConsentScope(const json::object& consent) {
    if (std::string scope = FieldText(consent, "scope"); !scope.empty()) {
        return scope;
    }
    const std::string purpose = FieldText(consent, "purpose");
    if (purpose == "research") {
        return "research";
    }
    return purpose == "care-coordination" ? "treatment" : "patient-privacy";
}

json::object ConsentCategory(const json::object& consent) {
    const std::string category = FieldText(consent, "category");
    if (category.empty()) {
        return Concept(kLoincSystem, "59284-0");  // Patient consent
    }
    return Concept(LooksLikeLoinc(category) ? kLoincSystem : kConsentCategorySystem, category);
}

}  // namespace

json::object CarePlanFromCarePlan(const json::object& plan) {
    json::object resource = detail::Resource("CarePlan", plan);
    const std::string status = FieldText(plan, "status");
    resource["status"] = status.empty() ? "unknown" : status;
    const std::string intent = FieldText(plan, "intent");
    resource["intent"] = intent.empty() ? "plan" : intent;
    if (const std::string category = FieldText(plan, "category"); !category.empty()) {
        resource["category"] = json::array{
            Concept(AllDigits(category) ? kSnomedSystem : kCarePlanCategorySystem, category)};
    }
    PutIf(resource, "title", FieldText(plan, "title"));
    PutIf(resource, "description", FieldText(plan, "description"));
    if (const std::string person = FieldText(plan, "person"); !person.empty()) {
        resource["subject"] = Reference("Patient", person);
    }
    if (json::object period = Period(plan, "startDate", "endDate"); !period.empty()) {
        resource["period"] = std::move(period);
    }
    if (const std::string author = FieldText(plan, "author"); !author.empty()) {
        resource["author"] = Reference("Practitioner", author);
    }
    json::array activities;
    for (json::value& activity : detail::KeptArray(plan, "activities")) {
        if (activity.is_object()) {
            activities.push_back(json::object{{"detail", std::move(activity)}});
        }
    }
    detail::PutArray(resource, "activity", std::move(activities));
    return resource;
}

json::object ConsentFromConsent(const json::object& consent) {
    json::object resource = detail::Resource("Consent", consent);
    const std::string status = FieldText(consent, "status");
    const bool refused = status == "denied";
    resource["status"] = status == "granted" || refused ? "active" : "inactive";
    resource["scope"] = Concept(kConsentScopeSystem, ConsentScope(consent));
    resource["category"] = json::array{ConsentCategory(consent)};
    if (const std::string person = FieldText(consent, "person"); !person.empty()) {
        resource["patient"] = Reference("Patient", person);
    }
    PutIf(resource, "dateTime", FieldText(consent, "capturedAt"));
    if (const std::string document = FieldText(consent, "documentUrl"); !document.empty()) {
        resource["sourceAttachment"] = json::object{{"url", document}};
    }
    // FHIR asks for a policy or a rule; an opt-in or opt-out is the rule a consent follows.
    resource["policyRule"] = Concept(kActCodeSystem, refused ? "OPTOUT" : "OPTIN");
    json::object provision{{"type", refused ? "deny" : "permit"}};
    if (json::object period = Period(consent, "effectiveDate", "endDate"); !period.empty()) {
        provision["period"] = std::move(period);
    }
    if (const std::string purpose = FieldText(consent, "purpose"); !purpose.empty()) {
        provision["purpose"] =
            json::array{json::object{{"system", kConsentPurposeSystem}, {"code", purpose}}};
    }
    resource["provision"] = std::move(provision);
    if (const std::string channel = FieldText(consent, "channel"); !channel.empty()) {
        json::array extensions =
            resource.contains("extension") ? resource["extension"].as_array() : json::array();
        extensions.push_back(
            json::object{{"url", kConsentChannelExtension}, {"valueCode", channel}});
        resource["extension"] = std::move(extensions);
    }
    return resource;
}

}  // namespace p360::formats::fhir
