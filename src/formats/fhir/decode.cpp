#include "formats/fhir/decode.hpp"

#include <array>
#include <utility>

#include "formats/fhir/claim.hpp"
#include "formats/fhir/patient.hpp"
#include "formats/fhir/reader.hpp"

namespace p360::formats::fhir {
namespace {

using detail::kEinSystem;
using detail::kIcd10CmSystem;
using detail::kIcd9CmSystem;
using detail::kNdcSystem;
using detail::kNpiSystem;
using detail::kRxNormSystem;
using detail::kSnomedSystem;
using detail::Reader;

constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kObjects = {{
    {"Encounter", "Encounter"},
    {"Patient", "Person"},
    {"Coverage", "MemberPlan"},
    {"Condition", "Condition"},
    {"MedicationRequest", "Medication"},
    {"Organization", "Account"},
    {"Practitioner", "Provider"},
    {"Location", "ProviderLocation"},
    {"Claim", "Claim"},
    {"ExplanationOfBenefit", "Claim"},
    {"CarePlan", "CarePlan"},
    {"Consent", "Consent"},
}};

// The languages Person.preferredLanguage lists (primary subtags of BCP 47).
constexpr std::array<std::string_view, 15> kLanguages = {
    "en", "es", "zh", "vi", "ko", "tl", "ru", "ar", "ht", "fr", "pt", "pl", "ja", "de", "hi"};

void DecodePatient(const json::object& resource, Reader& in) {
    in.Identifiers(resource, {{kSsnSystem, "ssn"},
                              {kMbiSystem, "medicareBeneficiaryId"},
                              {kMedicaidSystem, "medicaidId"}});
    in.Extensions(resource);
    std::string at;
    if (const json::object* name = in.ChooseName(resource, &at)) {
        in.PutHumanName(*name, at, "suffix");
    }
    // A usual name besides the official one is what the member likes to be called.
    if (const json::array* names = in.Array(resource, "name", "")) {
        for (std::size_t name_idx = 0; name_idx < names->size(); ++name_idx) {
            const json::value& name = (*names)[name_idx];
            if (name.is_object() && name.get_object().contains("use") &&
                name.get_object().at("use") == "usual" &&
                "/name/" + std::to_string(name_idx) != at) {
                const std::string pointer = "/name/" + std::to_string(name_idx);
                if (const json::array* given = in.Array(name.get_object(), "given", pointer);
                    given != nullptr && !given->empty() && given->at(0).is_string()) {
                    in.Put("preferredName", std::string(given->at(0).get_string()),
                           pointer + "/given/0");
                }
            }
        }
    }
    in.PutTelecom(resource, true);
    in.PutText(resource, "gender", "gender", "");
    in.PutText(resource, "birthDate", "birthDate", "");
    if (auto deceased = in.Bool(resource, "deceasedBoolean", "")) {
        in.PutValue("deceased", *deceased, "/deceasedBoolean");
    }
    if (resource.contains("deceasedDateTime")) {
        in.PutDate(resource, "deceasedDateTime", "deceasedDate", "");
        in.PutValue("deceased", true, "/deceasedDateTime");
    }
    in.PutAddresses(resource, true);
    if (in.Bool(resource, "active", "") == false) {
        in.PutValue("lifecycleStage", "former", "/active");
    }
    if (const json::array* communication = in.Array(resource, "communication", "")) {
        for (std::size_t entry_idx = 0; entry_idx < communication->size(); ++entry_idx) {
            const std::string pointer = "/communication/" + std::to_string(entry_idx);
            if (!(*communication)[entry_idx].is_object()) {
                in.Fail(pointer, "Expected a communication.");
                continue;
            }
            const json::object& entry = (*communication)[entry_idx].get_object();
            std::string code =
                in.Code(in.Object(entry, "language", pointer), "", pointer + "/language")
                    .value_or("");
            code = code.substr(0, code.find('-'));
            for (char& c : code) {
                c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
            }
            if (code.empty()) {
                continue;
            }
            bool known = false;
            for (std::string_view language : kLanguages) {
                known = known || language == code;
            }
            in.Put("preferredLanguage", known ? code : "other", pointer + "/language");
            if (in.Bool(entry, "preferred", pointer) == true) {
                break;
            }
        }
    }
}

std::string CoverageRelationship(const std::string& code) {
    if (code == "self" || code == "spouse" || code == "child") {
        return code;
    }
    return code == "common" ? "domestic-partner" : "other";
}

void DecodeCoverage(const json::object& resource, Reader& in, DecodedResource& out) {
    in.Identifiers(resource, {});
    in.Extensions(resource);
    const std::string status = in.Text(resource, "status", "").value_or("");
    in.Put("status",
           status == "active"                                      ? "active"
           : status == "draft"                                     ? "pending"
           : status == "cancelled" || status == "entered-in-error" ? "cancelled"
                                                                   : "",
           "/status");
    if (!out.fields.contains("status")) {
        in.Fail("/status",
                "A Coverage needs a status: active, cancelled, draft or entered-in-error.");
    }
    in.PutReference(resource, "beneficiary", "person", "Person", "");
    in.PutText(resource, "subscriberId", "subscriberId", "");
    std::optional<std::string> relationship =
        in.Code(in.Object(resource, "relationship", ""), "", "/relationship");
    if (!relationship) {
        // Without a relationship, a coverage whose subscriber is its beneficiary is their own.
        const json::value* subscriber = resource.if_contains("subscriber");
        const json::value* beneficiary = resource.if_contains("beneficiary");
        const bool own =
            subscriber == nullptr || (beneficiary != nullptr && *subscriber == *beneficiary);
        relationship = own ? "self" : "other";
    }
    const std::string mapped = CoverageRelationship(*relationship);
    in.PutValue("relationshipToSubscriber", json::string(mapped), "/relationship");
    in.PutValue("isSubscriber", mapped == "self", "/relationship");
    if (const json::object* period = in.Object(resource, "period", "")) {
        in.PutDate(*period, "start", "effectiveDate", "/period");
        in.PutDate(*period, "end", "terminationDate", "/period");
    }
    if (!out.fields.contains("effectiveDate")) {
        in.Fail("/period/start", "A Coverage needs the date it starts (period.start).");
    }
    if (const json::object* type = in.Object(resource, "type", "")) {
        const std::string text = in.Text(*type, "text", "/type").value_or("");
        if (text == "medical" || text == "pharmacy" || text == "dental" || text == "vision") {
            in.Put("coverageType", text, "/type/text");
        }
    }
    if (const json::value* order = in.Number(resource, "order", "")) {
        const std::int64_t rank = order->is_int64() ? order->get_int64() : 0;
        in.Put("priority",
               rank == 1   ? "primary"
               : rank == 2 ? "secondary"
               : rank == 3 ? "tertiary"
                           : "",
               "/order");
    }
    bool has_plan = false;
    if (const json::array* classes = in.Array(resource, "class", "")) {
        for (std::size_t class_idx = 0; class_idx < classes->size(); ++class_idx) {
            const std::string pointer = "/class/" + std::to_string(class_idx);
            if (!(*classes)[class_idx].is_object()) {
                in.Fail(pointer, "Expected a class.");
                continue;
            }
            const json::object& coverage_class = (*classes)[class_idx].get_object();
            const std::string type =
                in.Code(in.Object(coverage_class, "type", pointer), "", pointer + "/type")
                    .value_or("");
            const std::string value = in.Text(coverage_class, "value", pointer).value_or("");
            if (type == "plan" && !value.empty() && !has_plan) {
                out.references.push_back(
                    {"plan", "Plan", {}, "planCode", value, pointer + "/value"});
                out.pointers["plan"] = pointer + "/value";
                out.pointers["lineOfBusiness"] = pointer + "/value";
                has_plan = true;
            } else if (type == "group" && !value.empty()) {
                in.Put("groupNumber", value, pointer + "/value");
            }
        }
    }
    if (!has_plan) {
        in.Fail("/class",
                "A Coverage needs a class of type plan whose value is the plan code of a plan "
                "set up in payer360.");
    }
}

std::string SeverityOf(const json::object* severity, Reader& in) {
    const std::string code = in.Code(severity, kSnomedSystem, "/severity").value_or("");
    if (code == "255604002") {
        return "mild";
    }
    if (code == "6736007") {
        return "moderate";
    }
    if (code == "24484000") {
        return "severe";
    }
    const std::string text =
        severity != nullptr ? in.Text(*severity, "text", "/severity").value_or("") : "";
    return text == "mild" || text == "moderate" || text == "severe" ? text : "";
}

void DecodeCondition(const json::object& resource, Reader& in, DecodedResource& out) {
    in.Identifiers(resource, {});
    in.Extensions(resource);
    const json::object* code = in.Object(resource, "code", "");
    bool coded = false;
    for (const auto& [system, name] :
         {std::pair<std::string_view, std::string_view>{kIcd10CmSystem, "icd-10-cm"},
          {kSnomedSystem, "snomed-ct"},
          {kIcd9CmSystem, "icd-9-cm"}}) {
        if (auto value = in.Code(code, system, "/code"); value && !coded) {
            std::string stored = *value;
            if (name == "icd-10-cm") {
                std::erase(stored, '.');
            }
            in.Put("code", stored, "/code/coding");
            in.PutValue("codeSystem", json::string(name), "/code/coding");
            coded = true;
        }
    }
    if (!coded) {
        in.Fail("/code", "A Condition needs a code in ICD-10-CM, SNOMED CT or ICD-9-CM.");
    }
    if (code != nullptr) {
        std::optional<std::string> text = in.Text(*code, "text", "/code");
        if (!text) {
            if (const json::array* codings = in.Array(*code, "coding", "/code");
                codings != nullptr && !codings->empty() && codings->at(0).is_object()) {
                text = in.Text(codings->at(0).get_object(), "display", "/code/coding/0");
            }
        }
        in.Put("description", text, "/code/text");
    }
    in.Put("clinicalStatus",
           in.Code(in.Object(resource, "clinicalStatus", ""), "", "/clinicalStatus"),
           "/clinicalStatus");
    in.Put("verificationStatus",
           in.Code(in.Object(resource, "verificationStatus", ""), "", "/verificationStatus"),
           "/verificationStatus");
    if (const json::array* categories = in.Array(resource, "category", "");
        categories != nullptr && !categories->empty() && categories->at(0).is_object()) {
        const std::string category =
            in.Code(&categories->at(0).get_object(), "", "/category/0").value_or("");
        if (category == "problem-list-item" || category == "encounter-diagnosis" ||
            category == "health-concern") {
            in.Put("category", category, "/category/0");
        }
    }
    in.Put("severity", SeverityOf(in.Object(resource, "severity", ""), in), "/severity");
    in.PutReference(resource, "subject", "person", "Person", "");
    in.PutDate(resource, "onsetDateTime", "onsetDate", "");
    in.PutDate(resource, "abatementDateTime", "abatementDate", "");
    in.PutDate(resource, "recordedDate", "recordedDate", "");
    (void)out;
}

void DecodeMedicationRequest(const json::object& resource, Reader& in, DecodedResource& out) {
    in.Identifiers(resource, {});
    in.Extensions(resource);
    const std::string status = in.Text(resource, "status", "").value_or("");
    if (status == "active" || status == "on-hold" || status == "completed" || status == "stopped" ||
        status == "cancelled" || status == "entered-in-error") {
        in.Put("status", status, "/status");
    }
    const json::object* medication = in.Object(resource, "medicationCodeableConcept", "");
    const std::string at = "/medicationCodeableConcept";
    in.Put("code", in.Code(medication, kRxNormSystem, at), at + "/coding");
    in.Put("ndcCode", in.Code(medication, kNdcSystem, at), at + "/coding");
    std::optional<std::string> name;
    if (medication != nullptr) {
        name = in.Text(*medication, "text", at);
        if (!name) {
            if (const json::array* codings = in.Array(*medication, "coding", at);
                codings != nullptr && !codings->empty() && codings->at(0).is_object()) {
                name = in.Text(codings->at(0).get_object(), "display", at + "/coding/0");
            }
        }
    } else if (const json::object* reference = in.Object(resource, "medicationReference", "")) {
        name = in.Text(*reference, "display", "/medicationReference");
    }
    in.Put("name", name, at);
    if (!out.fields.contains("name")) {
        in.Fail(at, "A MedicationRequest needs a medication with a name (text or display).");
    }
    in.PutReference(resource, "subject", "person", "Person", "");
    // Only a practitioner prescribes; other requesters are not kept.
    in.PutReference(resource, "requester", "prescriber", "Provider", "", true);
    in.PutDate(resource, "authoredOn", "startDate", "");
    if (const json::array* dosage = in.Array(resource, "dosageInstruction", "");
        dosage != nullptr && !dosage->empty() && dosage->at(0).is_object()) {
        in.PutText(dosage->at(0).get_object(), "text", "dosage", "/dosageInstruction/0");
    }
    if (const json::object* dispense = in.Object(resource, "dispenseRequest", "")) {
        const std::string d = "/dispenseRequest";
        if (const json::object* quantity = in.Object(*dispense, "quantity", d)) {
            if (const json::value* value = in.Number(*quantity, "value", d + "/quantity")) {
                in.PutValue("quantity", *value, d + "/quantity/value");
            }
        }
        if (const json::object* supply = in.Object(*dispense, "expectedSupplyDuration", d)) {
            const std::string s = d + "/expectedSupplyDuration";
            const std::string unit = in.Text(*supply, "code", s).value_or("d");
            if (const json::value* value = in.Number(*supply, "value", s); value && unit == "d") {
                in.PutValue("daysSupply", *value, s + "/value");
            }
        }
        if (const json::value* refills = in.Number(*dispense, "numberOfRepeatsAllowed", d)) {
            in.PutValue("refills", *refills, d + "/numberOfRepeatsAllowed");
        }
        if (const json::object* validity = in.Object(*dispense, "validityPeriod", d)) {
            in.PutDate(*validity, "start", "startDate", d + "/validityPeriod");
            in.PutDate(*validity, "end", "endDate", d + "/validityPeriod");
        }
    }
}

std::string AccountTypeOf(const json::object& resource, Reader& in) {
    const json::array* types = in.Array(resource, "type", "");
    if (types == nullptr || types->empty() || !types->at(0).is_object()) {
        return "other";
    }
    const json::object& type = types->at(0).get_object();
    const std::string text = in.Text(type, "text", "/type/0").value_or("");
    for (std::string_view known : {"employer-group", "broker-agency", "provider-organization",
                                   "hie-participant", "payer", "other"}) {
        if (text == known) {
            return text;
        }
    }
    const std::string code = in.Code(&type, "", "/type/0").value_or("");
    if (code == "prov") {
        return "provider-organization";
    }
    if (code == "pay" || code == "ins") {
        return "payer";
    }
    return code == "bus" ? "employer-group" : "other";
}

void DecodeOrganization(const json::object& resource, Reader& in, DecodedResource& out) {
    in.Identifiers(resource, {{kEinSystem, "taxId"}});
    in.Extensions(resource);
    if (auto active = in.Bool(resource, "active", "")) {
        in.PutValue("status", *active ? "active" : "inactive", "/active");
    }
    in.PutValue("accountType", json::string(AccountTypeOf(resource, in)), "/type");
    in.PutText(resource, "name", "name", "");
    if (!out.fields.contains("name")) {
        in.Fail("/name", "An Organization needs a name.");
    }
    in.PutTelecom(resource, false);
    in.PutAddresses(resource, false);
    in.PutReference(resource, "partOf", "parentAccount", "Account", "");
}

void DecodePractitioner(const json::object& resource, Reader& in, DecodedResource& out) {
    in.Identifiers(resource, {{kNpiSystem, "npi"}});
    in.Extensions(resource);
    in.PutValue("providerType", "practitioner", "");
    const std::optional<bool> active = in.Bool(resource, "active", "");
    in.PutValue("status", active == false ? "terminated" : "active", "/active");
    std::string at;
    if (const json::object* name = in.ChooseName(resource, &at)) {
        in.PutHumanName(*name, at, "credentials");
        if (!out.fields.contains("lastName")) {
            in.PutText(*name, "text", "organizationName", at);
        }
    }
    in.PutTelecom(resource, false);
    in.PutText(resource, "gender", "gender", "");
}

void DecodeLocation(const json::object& resource, Reader& in, DecodedResource& out) {
    in.Identifiers(resource, {});
    for (const json::object* extension : in.Extensions(resource, kLocationProviderExtension)) {
        in.PutReference(*extension, "valueReference", "provider", "Provider", "/extension");
    }
    if (!out.pointers.contains("provider")) {
        in.Fail("/extension", "A Location needs the Practitioner whose practice it is, in the " +
                                  std::string(kLocationProviderExtension) + " extension.");
    }
    in.PutText(resource, "name", "name", "");
    in.PutTelecom(resource, false);
    if (const json::object* address = in.Object(resource, "address", "")) {
        in.PutAddress(*address, "/address");
    }
    if (const json::object* position = in.Object(resource, "position", "")) {
        const json::value* latitude = in.Number(*position, "latitude", "/position");
        const json::value* longitude = in.Number(*position, "longitude", "/position");
        if (latitude != nullptr && longitude != nullptr) {
            in.PutValue("latitude", *latitude, "/position/latitude");
            in.PutValue("longitude", *longitude, "/position/longitude");
        }
    }
}

constexpr std::array<std::string_view, 11> kEncounterClasses = {
    "AMB", "EMER", "IMP", "ACUTE", "NONAC", "OBSENC", "PRENC", "SS", "HH", "VR", "FLD"};

void DecodeEncounter(const json::object& resource, Reader& in, DecodedResource& out) {
    in.Identifiers(resource, {});
    in.Extensions(resource);
    in.PutText(resource, "status", "status", "");
    const json::object* setting = in.Object(resource, "class", "");
    const std::string code =
        setting != nullptr ? in.Text(*setting, "code", "/class").value_or("") : "";
    bool known = false;
    for (std::string_view known_class : kEncounterClasses) {
        known = known || known_class == code;
    }
    if (known) {
        in.Put("encounterClass", code, "/class/code");
    } else {
        in.Fail("/class/code",
                "An Encounter needs a class from HL7 v3 ActCode: AMB, EMER, IMP, ACUTE, NONAC, "
                "OBSENC, PRENC, SS, HH, VR or FLD.");
    }
    if (const json::array* types = in.Array(resource, "type", "");
        types != nullptr && !types->empty() && types->at(0).is_object()) {
        const json::object& type = types->at(0).get_object();
        for (const auto& [system, name] :
             {std::pair<std::string_view, std::string_view>{kSnomedSystem, "snomed-ct"},
              {"http://www.ama-assn.org/go/cpt", "cpt"}}) {
            if (auto value = in.Code(&type, system, "/type/0");
                value && !out.fields.contains("typeCode")) {
                in.Put("typeCode", value, "/type/0/coding");
                in.PutValue("typeCodeSystem", json::string(name), "/type/0/coding");
            }
        }
        std::optional<std::string> text = in.Text(type, "text", "/type/0");
        if (!text) {
            if (const json::array* codings = in.Array(type, "coding", "/type/0");
                codings != nullptr && !codings->empty() && codings->at(0).is_object()) {
                text = in.Text(codings->at(0).get_object(), "display", "/type/0/coding/0");
            }
        }
        in.Put("description", text, "/type/0/text");
    }
    in.PutReference(resource, "subject", "person", "Person", "");
    if (const json::array* participants = in.Array(resource, "participant", "")) {
        for (std::size_t participant_idx = 0; participant_idx < participants->size();
             ++participant_idx) {
            const std::string pointer = "/participant/" + std::to_string(participant_idx);
            if (!participants->at(participant_idx).is_object()) {
                in.Fail(pointer, "Expected a participant.");
                continue;
            }
            // The practitioner who saw the member: the first participant that is one.
            in.PutReference(participants->at(participant_idx).get_object(), "individual",
                            "provider", "Provider", pointer, true);
        }
    }
    if (const json::object* period = in.Object(resource, "period", "")) {
        in.PutDate(*period, "start", "startDate", "/period");
        in.PutDate(*period, "end", "endDate", "/period");
    }
    if (const json::array* reasons = in.Array(resource, "reasonCode", "");
        reasons != nullptr && !reasons->empty() && reasons->at(0).is_object()) {
        const json::object& reason = reasons->at(0).get_object();
        for (const auto& [system, name] :
             {std::pair<std::string_view, std::string_view>{kIcd10CmSystem, "icd-10-cm"},
              {kSnomedSystem, "snomed-ct"}}) {
            if (auto value = in.Code(&reason, system, "/reasonCode/0");
                value && !out.fields.contains("reasonCode")) {
                std::string stored = *value;
                if (name == "icd-10-cm") {
                    std::erase(stored, '.');
                }
                in.Put("reasonCode", stored, "/reasonCode/0/coding");
                in.PutValue("reasonCodeSystem", json::string(name), "/reasonCode/0/coding");
                const json::array* codings = in.Array(reason, "coding", "/reasonCode/0");
                if (codings != nullptr && !codings->empty() && codings->at(0).is_object()) {
                    in.PutText(codings->at(0).get_object(), "display", "reasonDescription",
                               "/reasonCode/0/coding/0");
                }
            }
        }
    }
    in.PutReference(resource, "serviceProvider", "facility", "Account", "");
}

}  // namespace

std::string_view ObjectOfResourceType(std::string_view resource_type) {
    for (const auto& [type, object] : kObjects) {
        if (type == resource_type) {
            return object;
        }
    }
    return {};
}

std::string IdentifierToken(std::string_view system, std::string_view value) {
    if (system == kSourceIdSystem) {
        return std::string(value);
    }
    return std::string(system) + "|" + std::string(value);
}

RecordKey KeyOfIdentifier(std::string_view resource_type, std::string_view system,
                          std::string_view value) {
    if (resource_type == "Practitioner" && system == kNpiSystem) {
        return {"npi", std::string(value)};
    }
    if ((resource_type == "Claim" || resource_type == "ExplanationOfBenefit") &&
        system == kClaimNumberSystem) {
        return {"claimNumber", std::string(value)};
    }
    return {"sourceId", IdentifierToken(system, value)};
}

json::object IdentifierOfSourceId(std::string_view source_id) {
    const auto bar = source_id.find('|');
    if (bar != std::string_view::npos && bar > 0 && bar + 1 < source_id.size() &&
        source_id.substr(0, bar).find(':') != std::string_view::npos) {
        return json::object{{"system", source_id.substr(0, bar)},
                            {"value", source_id.substr(bar + 1)}};
    }
    return json::object{{"system", kSourceIdSystem}, {"value", source_id}};
}

Result<DecodedResource> DecodeResource(const json::value& value) {
    if (!value.is_object()) {
        return Error::Validation({{"/", "Expected a resource (a JSON object).", {}}});
    }
    const json::object& resource = value.get_object();
    const json::value* type = resource.if_contains("resourceType");
    if (type == nullptr || !type->is_string()) {
        return Error::Validation({{"/resourceType", "A resource needs a resourceType.", {}}});
    }
    DecodedResource out;
    out.resource_type = std::string(type->get_string());
    out.object = std::string(ObjectOfResourceType(out.resource_type));
    if (out.object.empty()) {
        return Error::Validation(
            {{"/resourceType", "payer360 does not hold " + out.resource_type + " resources.", {}}});
    }
    Reader in(out);
    if (out.resource_type == "Patient") {
        DecodePatient(resource, in);
    } else if (out.resource_type == "Coverage") {
        DecodeCoverage(resource, in, out);
    } else if (out.resource_type == "Condition") {
        DecodeCondition(resource, in, out);
    } else if (out.resource_type == "MedicationRequest") {
        DecodeMedicationRequest(resource, in, out);
    } else if (out.resource_type == "Organization") {
        DecodeOrganization(resource, in, out);
    } else if (out.resource_type == "Practitioner") {
        DecodePractitioner(resource, in, out);
    } else if (out.resource_type == "Encounter") {
        DecodeEncounter(resource, in, out);
    } else if (out.resource_type == "Claim") {
        detail::DecodeClaim(resource, in, out);
    } else if (out.resource_type == "ExplanationOfBenefit") {
        detail::DecodeExplanationOfBenefit(resource, in, out);
    } else if (out.resource_type == "CarePlan") {
        detail::DecodeCarePlan(resource, in, out);
    } else if (out.resource_type == "Consent") {
        detail::DecodeConsent(resource, in, out);
    } else {
        DecodeLocation(resource, in, out);
    }
    if (!in.errors().empty()) {
        return Error::Validation(std::move(in.errors()));
    }
    // Where a required field the resource left out would have come from, for the error the
    // records layer gives about it.
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kHomes = {{
        {"sourceId", "/identifier"},
        {"firstName", "/name"},
        {"lastName", "/name"},
        {"status", "/status"},
        {"name", "/name"},
        {"addressLine1", "/address/line"},
        {"effectiveDate", "/period/start"},
        {"plan", "/class"},
        {"provider", "/extension"},
        {"code", "/code"},
        {"encounterClass", "/class"},
    }};
    out.pointers.emplace("person", out.object == "MemberPlan" ? "/beneficiary"
                                   : out.object == "Claim" || out.object == "Consent" ? "/patient"
                                                                                      : "/subject");
    if (out.object == "Consent") {
        out.pointers.emplace("effectiveDate", "/provision/period/start");
    }
    for (const auto& [field, pointer] : kHomes) {
        out.pointers.emplace(std::string(field), std::string(pointer));
    }
    return out;
}

}  // namespace p360::formats::fhir
