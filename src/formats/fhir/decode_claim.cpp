// Claim and ExplanationOfBenefit into a Claim record and its ClaimLines (decode.hpp).
#include <map>

#include "formats/fhir/claim.hpp"
#include "formats/fhir/reader.hpp"

namespace p360::formats::fhir::detail {
namespace {

// claim-type codes as payer360's claim types ("oral" is dental care).
std::string ClaimTypeOf(const std::string& code) {
    if (code == "institutional" || code == "professional" || code == "pharmacy" ||
        code == "vision") {
        return code;
    }
    return code == "oral" ? "dental" : "";
}

bool IsVoid(const std::string& status) {
    return status == "cancelled" || status == "entered-in-error";
}

// An amount in US dollars (a Money), or nothing.
const json::value* Amount(const json::object& parent, std::string_view key, const std::string& at,
                          Reader& in) {
    const json::object* money = in.Object(parent, key, at);
    if (money == nullptr) {
        return nullptr;
    }
    const std::string pointer = at + "/" + std::string(key);
    if (in.Text(*money, "currency", pointer).value_or("USD") != "USD") {
        in.Fail(pointer + "/currency", "payer360 keeps amounts in US dollars (USD) only.");
        return nullptr;
    }
    return in.Number(*money, "value", pointer);
}

// The amount fields the adjudication categories of an item or a total land in. Deductible,
// copay and coinsurance are kept on the claim only.
std::string_view AmountFieldOf(std::string_view category, bool claim_level) {
    if (category == "submitted") {
        return "billedAmount";
    }
    if (category == "eligible") {
        return "allowedAmount";
    }
    if (category == "benefit") {
        return "paidAmount";
    }
    if (category == "memberliability") {
        return "memberResponsibility";
    }
    if (!claim_level) {
        return "";
    }
    return category == "deductible"    ? "deductibleAmount"
           : category == "copay"       ? "copayAmount"
           : category == "coinsurance" ? "coinsuranceAmount"
                                       : "";
}

// Adjudication entries (an item's adjudication, or an EOB's total) into amount fields, with the
// in-network flag and, for an item, its denial reason.
void PutAdjudication(const json::object& parent, std::string_view key, const std::string& at,
                     bool claim_level, Reader& in) {
    const json::array* entries = in.Array(parent, key, at);
    if (entries == nullptr) {
        return;
    }
    for (std::size_t entry_idx = 0; entry_idx < entries->size(); ++entry_idx) {
        const std::string pointer = at + "/" + std::string(key) + "/" + std::to_string(entry_idx);
        if (!(*entries)[entry_idx].is_object()) {
            in.Fail(pointer, "Expected an adjudication.");
            continue;
        }
        const json::object& entry = (*entries)[entry_idx].get_object();
        const std::string category =
            in.Code(in.Object(entry, "category", pointer), "", pointer + "/category").value_or("");
        if (category == "denialreason" && !claim_level) {
            in.Put("denialReasonCode",
                   in.Code(in.Object(entry, "reason", pointer), "", pointer + "/reason"),
                   pointer + "/reason");
            continue;
        }
        if (category == "innetwork" || category == "outofnetwork") {
            in.PutValue("inNetwork", category == "innetwork", pointer + "/category");
            continue;
        }
        const std::string_view field = AmountFieldOf(category, claim_level);
        if (field.empty()) {
            continue;  // another category (noncovered, discount, …): no field for it
        }
        if (const json::value* amount = Amount(entry, "amount", pointer, in)) {
            in.PutValue(field, *amount, pointer + "/amount/value");
        }
    }
}

// The diagnoses in order: the principal one, all of them as a list, and their sequences.
std::map<std::int64_t, std::string> PutDiagnoses(const json::object& resource, Reader& in) {
    std::map<std::int64_t, std::string> by_sequence;
    const json::array* diagnoses = in.Array(resource, "diagnosis", "");
    if (diagnoses == nullptr) {
        return by_sequence;
    }
    std::string codes;
    std::string principal;
    for (std::size_t diagnosis_idx = 0; diagnosis_idx < diagnoses->size(); ++diagnosis_idx) {
        const std::string pointer = "/diagnosis/" + std::to_string(diagnosis_idx);
        if (!(*diagnoses)[diagnosis_idx].is_object()) {
            in.Fail(pointer, "Expected a diagnosis.");
            continue;
        }
        const json::object& diagnosis = (*diagnoses)[diagnosis_idx].get_object();
        std::string code = in.Code(in.Object(diagnosis, "diagnosisCodeableConcept", pointer),
                                   kIcd10CmSystem, pointer + "/diagnosisCodeableConcept")
                               .value_or("");
        if (code.empty()) {
            continue;  // a diagnosis by reference, or in another code system: not kept
        }
        std::erase(code, '.');
        codes += (codes.empty() ? "" : ",") + code;
        const json::value* sequence = in.Number(diagnosis, "sequence", pointer);
        if (sequence != nullptr && sequence->is_int64()) {
            by_sequence[sequence->get_int64()] = code;
        }
        const json::array* types = in.Array(diagnosis, "type", pointer);
        const bool is_principal =
            types != nullptr && !types->empty() && types->at(0).is_object() &&
            in.Code(&types->at(0).get_object(), "", pointer + "/type/0") == "principal";
        if (principal.empty() || is_principal) {
            principal = code;
        }
    }
    in.Put("primaryDiagnosis", principal, "/diagnosis");
    in.Put("diagnosisCodes", codes, "/diagnosis");
    return by_sequence;
}

void PutProductOrService(const json::object& item, const std::string& at, Reader& line) {
    const json::object* product = line.Object(item, "productOrService", at);
    const std::string pointer = at + "/productOrService";
    for (std::string_view system : {kCptSystem, kHcpcsSystem}) {
        if (auto code = line.Code(product, system, pointer)) {
            line.Put("procedureCode", code, pointer + "/coding");
            break;
        }
    }
    line.Put("ndcCode", line.Code(product, kNdcSystem, pointer), pointer + "/coding");
    line.Put("revenueCode",
             line.Code(line.Object(item, "revenue", at), kRevenueCodeSystem, at + "/revenue"),
             at + "/revenue");
    if (product == nullptr) {
        return;
    }
    std::optional<std::string> text = line.Text(*product, "text", pointer);
    if (!text) {
        if (const json::array* codings = line.Array(*product, "coding", pointer);
            codings != nullptr && !codings->empty() && codings->at(0).is_object()) {
            text = line.Text(codings->at(0).get_object(), "display", pointer + "/coding/0");
        }
    }
    line.Put("description", text, pointer + "/text");
}

// One item as a ClaimLine: its codes, dates, place, units and amounts.
void PutItem(const json::object& item, const std::string& at,
             const std::map<std::int64_t, std::string>& diagnoses, Reader& line,
             DecodedResource& out) {
    const json::value* sequence = line.Number(item, "sequence", at);
    if (sequence == nullptr || !sequence->is_int64() || sequence->get_int64() < 1) {
        line.Fail(at + "/sequence", "An item needs its sequence, a whole number from 1.");
        return;
    }
    line.PutValue("lineNumber", sequence->get_int64(), at + "/sequence");
    out.pointers.emplace("lineNumber", at + "/sequence");
    PutProductOrService(item, at, line);
    if (const json::array* modifiers = line.Array(item, "modifier", at)) {
        std::string joined;
        for (std::size_t modifier_idx = 0; modifier_idx < modifiers->size(); ++modifier_idx) {
            const std::string pointer = at + "/modifier/" + std::to_string(modifier_idx);
            if ((*modifiers)[modifier_idx].is_object()) {
                if (auto code = line.Code(&(*modifiers)[modifier_idx].get_object(), "", pointer)) {
                    joined += (joined.empty() ? "" : ",") + *code;
                }
            }
        }
        line.Put("modifier", joined, at + "/modifier");
    }
    line.PutDate(item, "servicedDate", "serviceDate", at);
    if (const json::object* period = line.Object(item, "servicedPeriod", at)) {
        line.PutDate(*period, "start", "serviceDate", at + "/servicedPeriod");
        line.PutDate(*period, "end", "serviceToDate", at + "/servicedPeriod");
    }
    line.Put("placeOfService",
             line.Code(line.Object(item, "locationCodeableConcept", at), "",
                       at + "/locationCodeableConcept"),
             at + "/locationCodeableConcept");
    if (const json::object* quantity = line.Object(item, "quantity", at)) {
        if (const json::value* units = line.Number(*quantity, "value", at + "/quantity")) {
            line.PutValue("units", *units, at + "/quantity/value");
        }
    }
    if (const json::array* pointers = line.Array(item, "diagnosisSequence", at)) {
        std::string codes;
        for (const json::value& pointer : *pointers) {
            if (pointer.is_int64()) {
                if (auto found = diagnoses.find(pointer.get_int64()); found != diagnoses.end()) {
                    codes += (codes.empty() ? "" : ",") + found->second;
                }
            }
        }
        line.Put("diagnosisCodes", codes, at + "/diagnosisSequence");
    }
    if (const json::value* net = Amount(item, "net", at, line)) {
        line.PutValue("billedAmount", *net, at + "/net/value");
    }
    PutAdjudication(item, "adjudication", at, false, line);
}

// The items, each a ClaimLine owned by the claim. A line's in-network flag is the claim's.
void PutItems(const json::object& resource, const std::map<std::int64_t, std::string>& diagnoses,
              Reader& in, DecodedResource& out) {
    const json::array* items = in.Array(resource, "item", "");
    if (items == nullptr) {
        return;
    }
    for (std::size_t item_idx = 0; item_idx < items->size(); ++item_idx) {
        const std::string at = "/item/" + std::to_string(item_idx);
        if (!(*items)[item_idx].is_object()) {
            in.Fail(at, "Expected an item.");
            continue;
        }
        DecodedResource line{.object = "ClaimLine"};
        Reader line_in(line);
        PutItem((*items)[item_idx].get_object(), at, diagnoses, line_in, line);
        for (FieldError& error : line_in.errors()) {
            in.Fail(std::move(error.field), std::move(error.message));
        }
        if (const json::value* in_network = line.fields.if_contains("inNetwork")) {
            in.PutValue("inNetwork", *in_network, line.pointers.at("inNetwork"));
            line.fields.erase("inNetwork");
        }
        const json::value* sequence = line.fields.if_contains("lineNumber");
        if (sequence == nullptr) {
            continue;
        }
        const std::string suffix = "#" + std::to_string(sequence->get_int64());
        for (const DecodedPart& other : out.parts) {
            if (other.key_suffix == suffix) {
                in.Fail(at + "/sequence", "Another item has the same sequence.");
            }
        }
        line.pointers.emplace("person", "/patient");
        line.pointers.emplace("claim", at);
        out.parts.push_back({"ClaimLine", "claim", "lineNumber", suffix, std::move(line.fields),
                             std::move(line.pointers)});
    }
}

// What a Claim and an ExplanationOfBenefit share: identifiers, type, member, period, providers,
// coverage, diagnoses and items.
void DecodeClaimCommon(const json::object& resource, Reader& in, DecodedResource& out) {
    in.Identifiers(resource, {{kClaimNumberSystem, "claimNumber"}});
    in.Extensions(resource);
    const std::string type = ClaimTypeOf(
        in.Code(in.Object(resource, "type", ""), kClaimTypeSystem, "/type").value_or(""));
    in.Put("claimType", type, "/type");
    if (type.empty()) {
        in.Fail("/type", "A claim needs a type from " + std::string(kClaimTypeSystem) +
                             ": institutional, oral, pharmacy, professional or vision.");
    }
    in.PutReference(resource, "patient", "person", "Person", "");
    if (const json::object* period = in.Object(resource, "billablePeriod", "")) {
        in.PutDate(*period, "start", "serviceFromDate", "/billablePeriod");
        in.PutDate(*period, "end", "serviceToDate", "/billablePeriod");
    }
    if (!out.fields.contains("serviceFromDate")) {
        in.Fail("/billablePeriod/start",
                "A claim needs the date its services start (billablePeriod.start).");
    }
    in.PutReference(resource, "insurer", "payer", "Account", "");
    // The billing provider is a practitioner or an organisation.
    in.PutReference(resource, "provider", "billingProvider", "Provider", "", true);
    in.PutReference(resource, "provider", "billingOrganization", "Account", "", true);
    if (const json::array* team = in.Array(resource, "careTeam", "")) {
        for (std::size_t member_idx = 0; member_idx < team->size(); ++member_idx) {
            const std::string pointer = "/careTeam/" + std::to_string(member_idx);
            if (!team->at(member_idx).is_object()) {
                in.Fail(pointer, "Expected a care team member.");
                continue;
            }
            // The practitioner who gave the care: the first on the team who is one.
            in.PutReference(team->at(member_idx).get_object(), "provider", "renderingProvider",
                            "Provider", pointer, true);
        }
    }
    if (const json::array* insurance = in.Array(resource, "insurance", "");
        insurance != nullptr && !insurance->empty() && insurance->at(0).is_object()) {
        const json::object& first = insurance->at(0).get_object();
        const json::object* coverage = in.Object(first, "coverage", "/insurance/0");
        const std::string reference =
            coverage != nullptr
                ? in.Text(*coverage, "reference", "/insurance/0/coverage").value_or("")
                : "";
        // A coverage contained in the resource itself (`#coverage`) is not a record.
        if (!reference.empty() && !reference.starts_with("#")) {
            in.PutReference(first, "coverage", "memberPlan", "MemberPlan", "/insurance/0");
        }
    }
    const std::map<std::int64_t, std::string> diagnoses = PutDiagnoses(resource, in);
    PutItems(resource, diagnoses, in, out);
}

}  // namespace

void DecodeClaim(const json::object& resource, Reader& in, DecodedResource& out) {
    DecodeClaimCommon(resource, in, out);
    const std::string status = in.Text(resource, "status", "").value_or("");
    if (status.empty()) {
        in.Fail("/status", "A Claim needs a status: active, cancelled, draft or entered-in-error.");
    }
    in.PutValue("status", IsVoid(status) ? "voided" : "received", "/status");
    in.PutDate(resource, "created", "receivedDate", "");
    if (const json::value* total = Amount(resource, "total", "", in)) {
        in.PutValue("billedAmount", *total, "/total/value");
    }
}

void DecodeExplanationOfBenefit(const json::object& resource, Reader& in, DecodedResource& out) {
    DecodeClaimCommon(resource, in, out);
    // The claim this is the answer to: the EOB is written to that claim's record.
    in.PutReference(resource, "claim", kSameRecordField, "Claim", "");
    const std::string outcome = in.Text(resource, "outcome", "").value_or("");
    if (outcome != "queued" && outcome != "complete" && outcome != "error" &&
        outcome != "partial") {
        in.Fail("/outcome",
                "An ExplanationOfBenefit needs an outcome: queued, complete, error or partial.");
    }
    in.Put("outcome", outcome, "/outcome");
    in.PutDate(resource, "created", "adjudicatedDate", "");
    PutAdjudication(resource, "total", "", true, in);
    if (const json::object* payment = in.Object(resource, "payment", "")) {
        if (const json::value* amount = Amount(*payment, "amount", "/payment", in);
            amount != nullptr && !out.fields.contains("paidAmount")) {
            in.PutValue("paidAmount", *amount, "/payment/amount/value");
        }
        in.PutDate(*payment, "date", "paidDate", "/payment");
    }
    if (const json::array* supporting = in.Array(resource, "supportingInfo", "")) {
        for (std::size_t info_idx = 0; info_idx < supporting->size(); ++info_idx) {
            const std::string pointer = "/supportingInfo/" + std::to_string(info_idx);
            if (!supporting->at(info_idx).is_object()) {
                in.Fail(pointer, "Expected supporting information.");
                continue;
            }
            const json::object& info = supporting->at(info_idx).get_object();
            if (in.Code(in.Object(info, "category", pointer), kCarinSupportingInfoSystem,
                        pointer + "/category") == "clmrecvddate") {
                in.PutDate(info, "timingDate", "receivedDate", pointer);
            }
        }
    }
    if (const json::array* notes = in.Array(resource, "processNote", "");
        notes != nullptr && !notes->empty() && notes->at(0).is_object()) {
        in.PutText(notes->at(0).get_object(), "text", "denialReason", "/processNote/0");
    }
    // The claim's stage, from the resource's status and the outcome of adjudication.
    const std::string status = in.Text(resource, "status", "").value_or("");
    if (status.empty()) {
        in.Fail("/status",
                "An ExplanationOfBenefit needs a status: active, cancelled, draft or "
                "entered-in-error.");
    }
    const json::value* paid = out.fields.if_contains("paidAmount");
    const bool paid_something =
        paid != nullptr && paid->is_number() && paid->to_number<double>() > 0;
    const std::string stage = IsVoid(status)         ? "voided"
                              : outcome == "queued"  ? "pended"
                              : outcome == "error"   ? "denied"
                              : outcome == "partial" ? "partially-paid"
                              : paid_something       ? "paid"
                                                     : "approved";
    in.PutValue("status", json::string(stage), "/status");
}

}  // namespace p360::formats::fhir::detail
