#include "formats/fhir/claim.hpp"

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "formats/fhir/record_fields.hpp"
#include "formats/fhir/resources.hpp"

namespace p360::formats::fhir {
namespace {

using detail::Coding;
using detail::Concept;
using detail::FieldText;
using detail::Number;
using detail::PutArray;
using detail::PutIf;
using detail::Reference;

constexpr std::string_view kIcd10CmSystem = "http://hl7.org/fhir/sid/icd-10-cm";
constexpr std::string_view kNdcSystem = "http://hl7.org/fhir/sid/ndc";
constexpr std::string_view kCarinCareTeamRoleSystem =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole";
constexpr std::string_view kDataAbsentReasonSystem =
    "http://terminology.hl7.org/CodeSystem/data-absent-reason";

json::object Money(const json::value& amount) {
    return json::object{{"value", amount}, {"currency", "USD"}};
}

// A comma-separated list field as its parts.
std::vector<std::string> ListOf(const json::object& record, std::string_view field) {
    std::vector<std::string> parts;
    const std::string text = FieldText(record, field);
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(',', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        if (end > start) {
            parts.push_back(text.substr(start, end - start));
        }
        start = end + 1;
    }
    return parts;
}

// The claim's diagnoses, in order; the principal one first when the list leaves it out.
std::vector<std::string> Diagnoses(const json::object& claim) {
    std::vector<std::string> codes = ListOf(claim, "diagnosisCodes");
    const std::string principal = FieldText(claim, "primaryDiagnosis");
    if (!principal.empty() && std::find(codes.begin(), codes.end(), principal) == codes.end()) {
        codes.insert(codes.begin(), principal);
    }
    return codes;
}

// The payer's claim number among the identifiers, typed as CARIN's unique claim id: the kept
// identifier that holds it, or one of payer360's own.
void PutIdentifiers(json::object& resource, const json::object& claim) {
    const std::string number = FieldText(claim, "claimNumber");
    if (number.empty()) {
        return;
    }
    json::array identifiers =
        resource.contains("identifier") ? resource["identifier"].as_array() : json::array();
    bool kept = false;
    for (json::value& identifier : identifiers) {
        if (identifier.is_object() && identifier.as_object().if_contains("value") &&
            identifier.at("value") == json::value(number)) {
            identifier.as_object().emplace("type", Concept(kCarinIdentifierTypeSystem, "uc"));
            kept = true;
        }
    }
    if (!kept) {
        identifiers.push_back(json::object{{"type", Concept(kCarinIdentifierTypeSystem, "uc")},
                                           {"system", kClaimNumberSystem},
                                           {"value", number}});
    }
    resource["identifier"] = std::move(identifiers);
}

// Status, type, use, patient and billable period: what both resources open with.
void PutHeader(json::object& resource, const json::object& claim) {
    PutIdentifiers(resource, claim);
    resource["status"] = FieldText(claim, "status") == "voided" ? "cancelled" : "active";
    const std::string type = FieldText(claim, "claimType");
    json::object type_concept = Concept(kClaimTypeSystem, type == "dental" ? "oral" : type);
    if (type.empty()) {
        type_concept = json::object{{"text", "unknown"}};  // the type is hidden from the caller
    }
    resource["type"] = std::move(type_concept);
    resource["use"] = "claim";
    if (const std::string person = FieldText(claim, "person"); !person.empty()) {
        resource["patient"] = Reference("Patient", person);
    }
    json::object period;
    PutIf(period, "start", FieldText(claim, "serviceFromDate"));
    PutIf(period, "end", FieldText(claim, "serviceToDate"));
    if (!period.empty()) {
        resource["billablePeriod"] = std::move(period);
    }
}

// The first date the claim has of those named, for the required `created`.
std::string FirstDate(const json::object& claim, std::initializer_list<std::string_view> fields) {
    for (std::string_view field : fields) {
        if (std::string date = FieldText(claim, field); !date.empty()) {
            return date;
        }
    }
    return {};
}

// The billing provider, a practitioner or an organisation; FHIR requires one.
json::object BillingProvider(const json::object& claim) {
    if (const std::string provider = FieldText(claim, "billingProvider"); !provider.empty()) {
        return Reference("Practitioner", provider);
    }
    if (const std::string organization = FieldText(claim, "billingOrganization");
        !organization.empty()) {
        return Reference("Organization", organization);
    }
    return json::object{{"display", "billing provider not recorded"}};
}

void PutCareTeamAndDiagnoses(json::object& resource, const json::object& claim) {
    if (const std::string rendering = FieldText(claim, "renderingProvider"); !rendering.empty()) {
        resource["careTeam"] =
            json::array{json::object{{"sequence", 1},
                                     {"provider", Reference("Practitioner", rendering)},
                                     {"role", Concept(kCarinCareTeamRoleSystem, "performing")}}};
    }
    json::array diagnoses;
    const std::string principal = FieldText(claim, "primaryDiagnosis");
    for (const std::string& code : Diagnoses(claim)) {
        json::object diagnosis{
            {"sequence", static_cast<std::int64_t>(diagnoses.size() + 1)},
            {"diagnosisCodeableConcept", Concept(kIcd10CmSystem, DottedIcd10(code))}};
        if (code == principal) {
            diagnosis["type"] = json::array{
                Concept("http://terminology.hl7.org/CodeSystem/ex-diagnosistype", "principal")};
        }
        diagnoses.push_back(std::move(diagnosis));
    }
    PutArray(resource, "diagnosis", std::move(diagnoses));
}

json::array Insurance(const json::object& claim) {
    const std::string member_plan = FieldText(claim, "memberPlan");
    json::object coverage = member_plan.empty() ? json::object{{"display", "coverage not recorded"}}
                                                : Reference("Coverage", member_plan);
    return json::array{json::object{{"focal", true}, {"coverage", std::move(coverage)}}};
}

json::object ProductOrService(const json::object& line) {
    json::array codings;
    const std::string procedure = FieldText(line, "procedureCode");
    if (!procedure.empty()) {
        // HCPCS Level II codes start with a letter; CPT codes with a digit.
        const bool hcpcs = procedure[0] >= 'A' && procedure[0] <= 'Z';
        codings.push_back(Coding(hcpcs ? kHcpcsSystem : kCptSystem, procedure));
    }
    if (const std::string ndc = FieldText(line, "ndcCode"); !ndc.empty()) {
        codings.push_back(Coding(kNdcSystem, ndc));
    }
    json::object product;
    if (!codings.empty()) {
        product["coding"] = std::move(codings);
    }
    PutIf(product, "text", FieldText(line, "description"));
    if (product.empty()) {
        product = Concept(kDataAbsentReasonSystem, "unknown");  // FHIR requires one
    }
    return product;
}

// An item's adjudication (CARIN Blue Button): amounts, network status and denial reason.
json::array Adjudication(const json::object& line, const json::object& claim) {
    json::array adjudication;
    for (const auto& [field, system, code] :
         {std::tuple<std::string_view, std::string_view, std::string_view>{
              "billedAmount", kAdjudicationSystem, "submitted"},
          {"allowedAmount", kAdjudicationSystem, "eligible"},
          {"paidAmount", kAdjudicationSystem, "benefit"},
          {"memberResponsibility", kCarinAdjudicationSystem, "memberliability"}}) {
        if (const json::value* amount = Number(line, field)) {
            adjudication.push_back(
                json::object{{"category", Concept(system, code)}, {"amount", Money(*amount)}});
        }
    }
    if (const json::value* in_network = claim.if_contains("inNetwork");
        in_network != nullptr && in_network->is_bool()) {
        adjudication.push_back(json::object{
            {"category", Concept(kCarinPayerAdjudicationStatusSystem,
                                 in_network->get_bool() ? "innetwork" : "outofnetwork")}});
    }
    if (const std::string reason = FieldText(line, "denialReasonCode"); !reason.empty()) {
        adjudication.push_back(json::object{
            {"category", Concept(kCarinAdjudicationDiscriminatorSystem, "denialreason")},
            {"reason", Concept(kCarcSystem, reason)}});
    }
    return adjudication;
}

// The lines as items, in line order; `adjudicated` adds each one's adjudication (an EOB).
json::array Items(const json::object& claim, const json::array& lines, bool adjudicated) {
    std::vector<const json::object*> sorted;
    for (const json::value& line : lines) {
        if (line.is_object() && Number(line.as_object(), "lineNumber") != nullptr) {
            sorted.push_back(&line.as_object());
        }
    }
    std::sort(sorted.begin(), sorted.end(), [](const json::object* a, const json::object* b) {
        return a->at("lineNumber").to_number<double>() < b->at("lineNumber").to_number<double>();
    });
    const std::vector<std::string> diagnoses = Diagnoses(claim);
    json::array items;
    for (const json::object* line : sorted) {
        json::object item{{"sequence", line->at("lineNumber").to_number<std::int64_t>()}};
        json::array pointers;
        for (const std::string& code : ListOf(*line, "diagnosisCodes")) {
            const auto found = std::find(diagnoses.begin(), diagnoses.end(), code);
            if (found != diagnoses.end()) {
                pointers.emplace_back(static_cast<std::int64_t>(found - diagnoses.begin() + 1));
            }
        }
        PutArray(item, "diagnosisSequence", std::move(pointers));
        if (const std::string revenue = FieldText(*line, "revenueCode"); !revenue.empty()) {
            item["revenue"] = Concept(kRevenueCodeSystem, revenue);
        }
        item["productOrService"] = ProductOrService(*line);
        json::array modifiers;
        for (const std::string& modifier : ListOf(*line, "modifier")) {
            modifiers.push_back(Concept(kCptSystem, modifier));
        }
        PutArray(item, "modifier", std::move(modifiers));
        const std::string from = FieldText(*line, "serviceDate");
        const std::string to = FieldText(*line, "serviceToDate");
        if (!to.empty()) {
            json::object period;
            PutIf(period, "start", from);
            period["end"] = to;
            item["servicedPeriod"] = std::move(period);
        } else if (!from.empty()) {
            item["servicedDate"] = from;
        }
        if (const std::string place = FieldText(*line, "placeOfService"); !place.empty()) {
            item["locationCodeableConcept"] = Concept(kPlaceOfServiceSystem, place);
        }
        if (const json::value* units = Number(*line, "units")) {
            item["quantity"] = json::object{{"value", *units}};
        }
        if (!adjudicated) {
            if (const json::value* billed = Number(*line, "billedAmount")) {
                item["net"] = Money(*billed);
            }
        } else {
            PutArray(item, "adjudication", Adjudication(*line, claim));
        }
        items.push_back(std::move(item));
    }
    return items;
}

// The outcome of adjudication, as kept or as the claim's stage implies.
std::string Outcome(const json::object& claim) {
    if (std::string outcome = FieldText(claim, "outcome"); !outcome.empty()) {
        return outcome;
    }
    const std::string status = FieldText(claim, "status");
    if (status == "received" || status == "pended" || status == "in-review") {
        return "queued";
    }
    if (status == "denied") {
        return "error";
    }
    return status == "partially-paid" ? "partial" : "complete";
}

json::array Totals(const json::object& claim) {
    json::array totals;
    for (const auto& [field, system, code] :
         {std::tuple<std::string_view, std::string_view, std::string_view>{
              "billedAmount", kAdjudicationSystem, "submitted"},
          {"allowedAmount", kAdjudicationSystem, "eligible"},
          {"paidAmount", kAdjudicationSystem, "benefit"},
          {"memberResponsibility", kCarinAdjudicationSystem, "memberliability"},
          {"deductibleAmount", kAdjudicationSystem, "deductible"},
          {"copayAmount", kAdjudicationSystem, "copay"},
          {"coinsuranceAmount", kCarinAdjudicationSystem, "coinsurance"}}) {
        if (const json::value* amount = Number(claim, field)) {
            totals.push_back(
                json::object{{"category", Concept(system, code)}, {"amount", Money(*amount)}});
        }
    }
    return totals;
}

}  // namespace

json::object ClaimFromClaim(const json::object& claim, const json::array& lines) {
    json::object resource = detail::Resource("Claim", claim);
    PutHeader(resource, claim);
    resource["created"] = FirstDate(claim, {"receivedDate", "serviceFromDate"});
    if (const std::string payer = FieldText(claim, "payer"); !payer.empty()) {
        resource["insurer"] = Reference("Organization", payer);
    }
    resource["provider"] = BillingProvider(claim);
    resource["priority"] =
        Concept("http://terminology.hl7.org/CodeSystem/processpriority", "normal");
    PutCareTeamAndDiagnoses(resource, claim);
    json::array insurance = Insurance(claim);
    insurance[0].as_object()["sequence"] = 1;
    resource["insurance"] = std::move(insurance);
    PutArray(resource, "item", Items(claim, lines, false));
    if (const json::value* billed = Number(claim, "billedAmount")) {
        resource["total"] = Money(*billed);
    }
    return resource;
}

json::object ExplanationOfBenefitFromClaim(const json::object& claim, const json::array& lines) {
    json::object resource = detail::Resource("ExplanationOfBenefit", claim);
    PutHeader(resource, claim);
    resource["created"] = FirstDate(claim, {"adjudicatedDate", "receivedDate", "serviceFromDate"});
    const std::string payer = FieldText(claim, "payer");
    resource["insurer"] = payer.empty() ? json::object{{"display", "payer360 health plan"}}
                                        : Reference("Organization", payer);
    resource["provider"] = BillingProvider(claim);
    resource["outcome"] = Outcome(claim);
    if (const std::string received = FieldText(claim, "receivedDate"); !received.empty()) {
        resource["supportingInfo"] = json::array{
            json::object{{"sequence", 1},
                         {"category", Concept(kCarinSupportingInfoSystem, "clmrecvddate")},
                         {"timingDate", received}}};
    }
    PutCareTeamAndDiagnoses(resource, claim);
    resource["insurance"] = Insurance(claim);
    PutArray(resource, "item", Items(claim, lines, true));
    PutArray(resource, "total", Totals(claim));
    json::object payment;
    PutIf(payment, "date", FieldText(claim, "paidDate"));
    if (const json::value* paid = Number(claim, "paidAmount")) {
        payment["amount"] = Money(*paid);
    }
    if (!payment.empty()) {
        resource["payment"] = std::move(payment);
    }
    if (const std::string reason = FieldText(claim, "denialReason"); !reason.empty()) {
        resource["processNote"] = json::array{json::object{{"text", reason}}};
    }
    return resource;
}

}  // namespace p360::formats::fhir
