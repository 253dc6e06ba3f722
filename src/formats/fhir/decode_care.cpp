// CarePlan and Consent into their records (decode.hpp).
#include <array>

#include "formats/fhir/care.hpp"
#include "formats/fhir/reader.hpp"

namespace p360::formats::fhir::detail {
namespace {

constexpr std::array<std::string_view, 7> kCarePlanStatuses = {
    "draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"};
constexpr std::array<std::string_view, 4> kCarePlanIntents = {"proposal", "plan", "order",
                                                              "option"};
constexpr std::array<std::string_view, 8> kConsentPurposes = {"marketing",
                                                              "care-coordination",
                                                              "service-communications",
                                                              "autodialed-calls-and-texts",
                                                              "hie-data-sharing",
                                                              "substance-use-records",
                                                              "research",
                                                              "paperless-documents"};
constexpr std::array<std::string_view, 6> kConsentChannels = {"email", "sms",    "phone",
                                                              "mail",  "portal", "any"};

template <std::size_t N>
bool OneOf(const std::array<std::string_view, N>& values, std::string_view value) {
    for (std::string_view known : values) {
        if (known == value) {
            return true;
        }
    }
    return false;
}

// The first coding's code of the first CodeableConcept in an array element.
std::optional<std::string> FirstCode(const json::object& resource, std::string_view key,
                                     Reader& in) {
    const json::array* concepts = in.Array(resource, key, "");
    if (concepts == nullptr || concepts->empty()) {
        return std::nullopt;
    }
    const std::string at = "/" + std::string(key) + "/0";
    if (!concepts->at(0).is_object()) {
        in.Fail(at, "Expected a CodeableConcept.");
        return std::nullopt;
    }
    return in.Code(&concepts->at(0).get_object(), "", at);
}

// An activity's detail as payer360 keeps it: what it is and where it stands, without references
// (to goals, performers, products), which have no home in the catalog.
std::optional<json::object> ActivityDetail(const json::object& activity, const std::string& at,
                                           Reader& in) {
    const json::object* detail = in.Object(activity, "detail", at);
    if (detail == nullptr) {
        return std::nullopt;  // an activity by reference only: not kept
    }
    const std::string pointer = at + "/detail";
    json::object kept;
    const std::optional<std::string> status = in.Text(*detail, "status", pointer);
    if (!status || status->empty()) {
        in.Fail(pointer + "/status", "An activity's detail needs a status.");
        return std::nullopt;
    }
    kept["status"] = *status;
    for (std::string_view key : {"kind", "description"}) {
        if (auto text = in.Text(*detail, key, pointer)) {
            kept[key] = *text;
        }
    }
    for (std::string_view key : {"code", "statusReason"}) {
        if (const json::object* element = in.Object(*detail, key, pointer)) {
            kept[key] = *element;
        }
    }
    if (auto not_done = in.Bool(*detail, "doNotPerform", pointer)) {
        kept["doNotPerform"] = *not_done;
    }
    return kept;
}

// The purposes FHIR's ActReason codes for, and payer360's own codes.
std::string PurposeOf(const json::object& purpose, const std::string& at, Reader& in) {
    const std::string system = in.Text(purpose, "system", at).value_or("");
    const std::string code = in.Text(purpose, "code", at).value_or("");
    if (system == kConsentPurposeSystem && OneOf(kConsentPurposes, code)) {
        return code;
    }
    if (system != kActReasonSystem) {
        return "";
    }
    if (code == "HMARKT") {
        return "marketing";
    }
    if (code == "HRESCH" || code == "CLINTRCH") {
        return "research";
    }
    return code == "TREAT" || code == "CAREMGT" ? "care-coordination" : "";
}

// The purpose a consent's scope implies when its provision names none.
std::string PurposeOfScope(const std::string& scope) {
    if (scope == "research") {
        return "research";
    }
    if (scope == "treatment") {
        return "care-coordination";
    }
    return scope == "patient-privacy" ? "hie-data-sharing" : "";
}

void PutConsentPurpose(const json::object* provision, const std::string& scope, Reader& in,
                       DecodedResource& out) {
    if (const json::array* purposes =
            provision != nullptr ? in.Array(*provision, "purpose", "/provision") : nullptr) {
        for (std::size_t purpose_idx = 0; purpose_idx < purposes->size(); ++purpose_idx) {
            const std::string at = "/provision/purpose/" + std::to_string(purpose_idx);
            if (!purposes->at(purpose_idx).is_object()) {
                in.Fail(at, "Expected a Coding.");
                continue;
            }
            if (const std::string purpose =
                    PurposeOf(purposes->at(purpose_idx).get_object(), at, in);
                !purpose.empty() && !out.fields.contains("purpose")) {
                in.Put("purpose", purpose, at);
            }
        }
    }
    if (!out.fields.contains("purpose")) {
        in.Put("purpose", PurposeOfScope(scope), "/scope");
    }
    if (!out.fields.contains("purpose")) {
        in.Fail("/provision/purpose",
                "A Consent needs its purpose in provision.purpose: a code of " +
                    std::string(kConsentPurposeSystem) + " or of " + std::string(kActReasonSystem) +
                    " (HMARKT, HRESCH, CLINTRCH, TREAT, CAREMGT), or a scope of patient-privacy, "
                    "research or treatment.");
    }
}

// A dateTime as payer360 keeps one: a date alone is its midnight in UTC.
std::optional<std::string> DateTimeOf(std::optional<std::string> value) {
    if (value && value->size() == 10) {
        *value += "T00:00:00Z";
    }
    return value;
}

}  // namespace

void DecodeCarePlan(const json::object& resource, Reader& in, DecodedResource& out) {
    in.Identifiers(resource, {});
    in.Extensions(resource);
    const std::string status = in.Text(resource, "status", "").value_or("");
    if (OneOf(kCarePlanStatuses, status)) {
        in.Put("status", status, "/status");
    } else {
        in.Fail("/status",
                "A CarePlan needs a status: draft, active, on-hold, revoked, completed, "
                "entered-in-error or unknown.");
    }
    const std::string intent = in.Text(resource, "intent", "").value_or("");
    if (OneOf(kCarePlanIntents, intent)) {
        in.Put("intent", intent, "/intent");
    } else {
        in.Fail("/intent", "A CarePlan needs an intent: proposal, plan, order or option.");
    }
    in.Put("category", FirstCode(resource, "category", in), "/category/0");
    in.PutText(resource, "title", "title", "");
    in.PutText(resource, "description", "description", "");
    in.PutReference(resource, "subject", "person", "Person", "");
    if (const json::object* period = in.Object(resource, "period", "")) {
        in.PutDate(*period, "start", "startDate", "/period");
        in.PutDate(*period, "end", "endDate", "/period");
    }
    // Only a practitioner is kept as the author; other authors (a care team, an organisation)
    // have no field.
    in.PutReference(resource, "author", "author", "Provider", "", true);
    if (const json::array* activities = in.Array(resource, "activity", "")) {
        json::array kept;
        for (std::size_t activity_idx = 0; activity_idx < activities->size(); ++activity_idx) {
            const std::string at = "/activity/" + std::to_string(activity_idx);
            if (!activities->at(activity_idx).is_object()) {
                in.Fail(at, "Expected an activity.");
                continue;
            }
            if (auto detail = ActivityDetail(activities->at(activity_idx).get_object(), at, in)) {
                kept.push_back(std::move(*detail));
            }
        }
        if (!kept.empty()) {
            in.PutValue("activities", json::value(json::serialize(kept)), "/activity");
        }
    }
    (void)out;
}

void DecodeConsent(const json::object& resource, Reader& in, DecodedResource& out) {
    in.Identifiers(resource, {});
    for (const json::object* extension : in.Extensions(resource, kConsentChannelExtension)) {
        const std::string channel = in.Text(*extension, "valueCode", "/extension").value_or("");
        if (OneOf(kConsentChannels, channel)) {
            in.Put("channel", channel, "/extension");
        } else {
            in.Fail("/extension",
                    "The consent channel is one of email, sms, phone, mail, portal "
                    "or any (valueCode).");
        }
    }
    if (!out.fields.contains("channel")) {
        in.PutValue("channel", "any", "/extension");  // a consent names no channel: all of them
    }
    in.PutReference(resource, "patient", "person", "Person", "");
    const std::string scope =
        in.Code(in.Object(resource, "scope", ""), kConsentScopeSystem, "/scope").value_or("");
    if (scope == "adr" || scope == "research" || scope == "patient-privacy" ||
        scope == "treatment") {
        in.Put("scope", scope, "/scope");
    }
    in.Put("category", FirstCode(resource, "category", in), "/category/0");
    in.Put("capturedAt", DateTimeOf(in.Text(resource, "dateTime", "")), "/dateTime");
    if (const json::object* attachment = in.Object(resource, "sourceAttachment", "")) {
        in.PutText(*attachment, "url", "documentUrl", "/sourceAttachment");
    }
    // Permit or deny: the provision's type, else the opt-in or opt-out rule it follows.
    const std::string rule =
        in.Code(in.Object(resource, "policyRule", ""), kActCodeSystem, "/policyRule").value_or("");
    const json::object* provision = in.Object(resource, "provision", "");
    std::string type = rule == "OPTOUT" || rule == "OPTOUTE" ? "deny" : "permit";
    if (provision != nullptr) {
        type = in.Text(*provision, "type", "/provision").value_or(type);
        if (const json::object* period = in.Object(*provision, "period", "/provision")) {
            in.PutDate(*period, "start", "effectiveDate", "/provision/period");
            in.PutDate(*period, "end", "endDate", "/provision/period");
        }
    }
    PutConsentPurpose(provision, scope, in, out);
    if (!out.fields.contains("effectiveDate")) {
        in.PutDate(resource, "dateTime", "effectiveDate", "");
    }
    // A refusal is an active deny; an inactive consent ran out (its period ended) or was revoked.
    const std::string status = in.Text(resource, "status", "").value_or("");
    const bool ended = out.fields.contains("endDate");
    const std::string stage = status == "active" && type == "deny" ? "denied"
                              : status == "active"                 ? "granted"
                              : status == "inactive" && ended      ? "expired"
                              : status == "inactive"               ? "revoked"
                              : status == "rejected"               ? "denied"
                                                                   : "";
    if (stage.empty()) {
        in.Fail("/status", "payer360 keeps active, inactive and rejected consents.");
    }
    in.Put("status", stage, "/status");
}

}  // namespace p360::formats::fhir::detail
