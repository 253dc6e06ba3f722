#include "formats/fhir/resources.hpp"

#include <tuple>

#include "formats/fhir/decode.hpp"
#include "formats/fhir/patient.hpp"
#include "formats/fhir/record_fields.hpp"

namespace p360::formats::fhir {
namespace {

using detail::Coding;
using detail::Concept;
using detail::FieldText;
using detail::KeptArray;
using detail::Number;
using detail::PutArray;
using detail::PutIf;
using detail::Reference;
using detail::Resource;

// The resource's status, not the coverage's stage: pending and suspended coverage is active.
std::string CoverageStatus(const std::string& status) {
    return status == "terminated" || status == "cancelled" ? "cancelled" : "active";
}

std::string SubscriberRelationship(const std::string& relationship) {
    if (relationship == "self" || relationship == "spouse" || relationship == "child") {
        return relationship;
    }
    return relationship == "domestic-partner" ? "common" : "other";
}

std::string ConditionCodeSystem(const std::string& system) {
    if (system == "snomed-ct") {
        return "http://snomed.info/sct";
    }
    if (system == "icd-9-cm") {
        return "http://hl7.org/fhir/sid/icd-9-cm";
    }
    return "http://hl7.org/fhir/sid/icd-10-cm";
}

// Phone, fax and email of a directory record, as ContactPoints.
json::array ContactPoints(const json::object& record) {
    json::array telecom;
    for (const auto& [field, system] :
         {std::pair<std::string_view, std::string_view>{"phone", "phone"},
          {"fax", "fax"},
          {"email", "email"},
          {"website", "url"}}) {
        if (const std::string value = FieldText(record, field); !value.empty()) {
            telecom.push_back(json::object{{"system", system}, {"value", value}, {"use", "work"}});
        }
    }
    return telecom;
}

json::object Address(const json::object& record) {
    json::object address;
    json::array lines;
    for (const char* field : {"addressLine1", "addressLine2"}) {
        if (const std::string line = FieldText(record, field); !line.empty()) {
            lines.emplace_back(line);
        }
    }
    if (!lines.empty()) {
        address["line"] = std::move(lines);
    }
    for (const auto& [field, element] :
         {std::pair<std::string_view, std::string_view>{"city", "city"},
          {"county", "district"},
          {"state", "state"},
          {"postalCode", "postalCode"},
          {"country", "country"}}) {
        if (const std::string value = FieldText(record, field); !value.empty()) {
            address[element] = value;
        }
    }
    return address;
}

}  // namespace

namespace detail {

json::array KeptArray(const json::object& record, std::string_view field) {
    const std::string text = FieldText(record, field);
    if (text.empty()) {
        return {};
    }
    boost::system::error_code error;
    json::value parsed = json::parse(text, error);
    if (error || !parsed.is_array()) {
        return {};
    }
    return std::move(parsed.get_array());
}

json::object Resource(std::string_view type, const json::object& record) {
    json::object resource = ResourceShell(type, record);
    if (json::array extensions = KeptExtensions(record); !extensions.empty()) {
        resource["extension"] = std::move(extensions);
    }
    if (json::array identifiers = KeptIdentifiers(record); !identifiers.empty()) {
        resource["identifier"] = std::move(identifiers);
    }
    return resource;
}

json::array KeptIdentifiers(const json::object& record) {
    json::array identifiers = KeptArray(record, "fhirIdentifiers");
    if (const std::string source = FieldText(record, "sourceId"); !source.empty()) {
        json::object identifier = IdentifierOfSourceId(source);
        bool kept = false;
        for (const json::value& other : identifiers) {
            kept = kept || (other.is_object() && other.as_object().if_contains("system") &&
                            other.at("system") == identifier.at("system") &&
                            other.as_object().if_contains("value") &&
                            other.at("value") == identifier.at("value"));
        }
        if (!kept) {
            identifiers.insert(identifiers.begin(), std::move(identifier));
        }
    }
    return identifiers;
}

json::array KeptExtensions(const json::object& record) {
    return KeptArray(record, "fhirExtensions");
}

}  // namespace detail

std::string DottedIcd10(std::string_view code) {
    if (code.size() <= 3 || code.find('.') != std::string_view::npos) {
        return std::string(code);
    }
    return std::string(code.substr(0, 3)) + "." + std::string(code.substr(3));
}

json::object CoverageFromMemberPlan(const json::object& member_plan, const json::object* plan) {
    json::object coverage = Resource("Coverage", member_plan);
    if (const std::string member_id = FieldText(member_plan, "memberId"); !member_id.empty()) {
        json::array identifiers =
            coverage.contains("identifier") ? coverage["identifier"].as_array() : json::array();
        identifiers.push_back(
            json::object{{"type", Concept("http://terminology.hl7.org/CodeSystem/v2-0203", "MB")},
                         {"value", member_id}});
        coverage["identifier"] = std::move(identifiers);
    }
    coverage["status"] = CoverageStatus(FieldText(member_plan, "status"));
    if (const std::string type = FieldText(member_plan, "coverageType"); !type.empty()) {
        coverage["type"] = json::object{{"text", type}};
    }
    PutIf(coverage, "subscriberId", FieldText(member_plan, "subscriberId"));
    if (const std::string person = FieldText(member_plan, "person"); !person.empty()) {
        coverage["beneficiary"] = Reference("Patient", person);
    }
    if (const std::string relationship = FieldText(member_plan, "relationshipToSubscriber");
        !relationship.empty()) {
        coverage["relationship"] =
            Concept("http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                    SubscriberRelationship(relationship));
    }
    json::object period;
    PutIf(period, "start", FieldText(member_plan, "effectiveDate"));
    PutIf(period, "end", FieldText(member_plan, "terminationDate"));
    if (!period.empty()) {
        coverage["period"] = std::move(period);
    }
    // Who pays: the plan's payer organisation when known, else the plan by name.
    json::object payor{{"display", "payer360 health plan"}};
    json::array classes;
    if (plan != nullptr) {
        if (const std::string payer = FieldText(*plan, "payer"); !payer.empty()) {
            payor = Reference("Organization", payer);
        } else if (const std::string name = FieldText(*plan, "name"); !name.empty()) {
            payor = json::object{{"display", name}};
        }
        if (const std::string code = FieldText(*plan, "planCode"); !code.empty()) {
            json::object plan_class{
                {"type", Concept("http://terminology.hl7.org/CodeSystem/coverage-class", "plan")},
                {"value", code}};
            PutIf(plan_class, "name", FieldText(*plan, "name"));
            classes.push_back(std::move(plan_class));
        }
    }
    coverage["payor"] = json::array{std::move(payor)};
    if (const std::string group = FieldText(member_plan, "groupNumber"); !group.empty()) {
        classes.push_back(json::object{
            {"type", Concept("http://terminology.hl7.org/CodeSystem/coverage-class", "group")},
            {"value", group}});
    }
    if (!classes.empty()) {
        coverage["class"] = std::move(classes);
    }
    const std::string priority = FieldText(member_plan, "priority");
    if (!priority.empty()) {
        coverage["order"] = priority == "primary" ? 1 : priority == "secondary" ? 2 : 3;
    }
    return coverage;
}

json::object ConditionFromCondition(const json::object& record) {
    json::object condition = Resource("Condition", record);
    if (const std::string status = FieldText(record, "clinicalStatus"); !status.empty()) {
        condition["clinicalStatus"] =
            Concept("http://terminology.hl7.org/CodeSystem/condition-clinical", status);
    }
    if (const std::string status = FieldText(record, "verificationStatus"); !status.empty()) {
        condition["verificationStatus"] =
            Concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", status);
    }
    if (const std::string category = FieldText(record, "category"); !category.empty()) {
        condition["category"] = json::array{
            Concept("http://terminology.hl7.org/CodeSystem/condition-category", category)};
    }
    if (const std::string severity = FieldText(record, "severity"); !severity.empty()) {
        const std::string snomed = severity == "mild"       ? "255604002"
                                   : severity == "moderate" ? "6736007"
                                                            : "24484000";
        json::object severity_concept = Concept("http://snomed.info/sct", snomed);
        severity_concept["text"] = severity;
        condition["severity"] = std::move(severity_concept);
    }
    if (const std::string code = FieldText(record, "code"); !code.empty()) {
        const std::string system = ConditionCodeSystem(FieldText(record, "codeSystem"));
        json::object coding = Coding(
            system, system == "http://hl7.org/fhir/sid/icd-10-cm" ? DottedIcd10(code) : code);
        PutIf(coding, "display", FieldText(record, "description"));
        json::object code_concept{{"coding", json::array{std::move(coding)}}};
        PutIf(code_concept, "text", FieldText(record, "description"));
        condition["code"] = std::move(code_concept);
    }
    if (const std::string person = FieldText(record, "person"); !person.empty()) {
        condition["subject"] = Reference("Patient", person);
    }
    PutIf(condition, "onsetDateTime", FieldText(record, "onsetDate"));
    PutIf(condition, "abatementDateTime", FieldText(record, "abatementDate"));
    PutIf(condition, "recordedDate", FieldText(record, "recordedDate"));
    return condition;
}

json::object MedicationRequestFromMedication(const json::object& record) {
    json::object request = Resource("MedicationRequest", record);
    // Both status and intent are required; a medication list entry is an order.
    const std::string status = FieldText(record, "status");
    request["status"] = status.empty() ? "unknown" : status;
    request["intent"] = "order";
    json::array codings;
    if (const std::string rxnorm = FieldText(record, "code"); !rxnorm.empty()) {
        codings.push_back(Coding("http://www.nlm.nih.gov/research/umls/rxnorm", rxnorm));
    }
    if (const std::string ndc = FieldText(record, "ndcCode"); !ndc.empty()) {
        codings.push_back(Coding("http://hl7.org/fhir/sid/ndc", ndc));
    }
    json::object medication;
    if (!codings.empty()) {
        medication["coding"] = std::move(codings);
    }
    PutIf(medication, "text", FieldText(record, "name"));
    if (medication.empty()) {
        medication["text"] = "medication";
    }
    request["medicationCodeableConcept"] = std::move(medication);
    if (const std::string person = FieldText(record, "person"); !person.empty()) {
        request["subject"] = Reference("Patient", person);
    }
    PutIf(request, "authoredOn", FieldText(record, "startDate"));
    if (const std::string prescriber = FieldText(record, "prescriber"); !prescriber.empty()) {
        request["requester"] = Reference("Practitioner", prescriber);
    }
    if (const std::string dosage = FieldText(record, "dosage"); !dosage.empty()) {
        request["dosageInstruction"] = json::array{json::object{{"text", dosage}}};
    }
    json::object dispense;
    if (const json::value* quantity = Number(record, "quantity")) {
        dispense["quantity"] = json::object{{"value", *quantity}};
    }
    if (const json::value* days = Number(record, "daysSupply")) {
        dispense["expectedSupplyDuration"] = json::object{{"value", *days},
                                                          {"unit", "days"},
                                                          {"system", "http://unitsofmeasure.org"},
                                                          {"code", "d"}};
    }
    if (const json::value* refills = Number(record, "refills"); refills && refills->is_int64()) {
        dispense["numberOfRepeatsAllowed"] = refills->get_int64();
    }
    json::object validity;
    PutIf(validity, "start", FieldText(record, "startDate"));
    PutIf(validity, "end", FieldText(record, "endDate"));
    if (!validity.empty()) {
        dispense["validityPeriod"] = std::move(validity);
    }
    if (!dispense.empty()) {
        request["dispenseRequest"] = std::move(dispense);
    }
    return request;
}

json::object EncounterFromEncounter(const json::object& record) {
    json::object encounter = Resource("Encounter", record);
    const std::string status = FieldText(record, "status");
    encounter["status"] = status.empty() ? "unknown" : status;
    const std::string setting = FieldText(record, "encounterClass");
    encounter["class"] = Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode",
                                setting.empty() ? "AMB" : setting);
    if (const std::string code = FieldText(record, "typeCode"); !code.empty()) {
        json::object coding =
            Coding(FieldText(record, "typeCodeSystem") == "cpt" ? "http://www.ama-assn.org/go/cpt"
                                                                : "http://snomed.info/sct",
                   code);
        PutIf(coding, "display", FieldText(record, "description"));
        json::object type{{"coding", json::array{std::move(coding)}}};
        PutIf(type, "text", FieldText(record, "description"));
        encounter["type"] = json::array{std::move(type)};
    } else if (const std::string text = FieldText(record, "description"); !text.empty()) {
        encounter["type"] = json::array{json::object{{"text", text}}};
    }
    if (const std::string person = FieldText(record, "person"); !person.empty()) {
        encounter["subject"] = Reference("Patient", person);
    }
    if (const std::string provider = FieldText(record, "provider"); !provider.empty()) {
        encounter["participant"] =
            json::array{json::object{{"individual", Reference("Practitioner", provider)}}};
    }
    json::object period;
    PutIf(period, "start", FieldText(record, "startDate"));
    PutIf(period, "end", FieldText(record, "endDate"));
    if (!period.empty()) {
        encounter["period"] = std::move(period);
    }
    if (const std::string reason = FieldText(record, "reasonCode"); !reason.empty()) {
        const bool icd = FieldText(record, "reasonCodeSystem") == "icd-10-cm";
        json::object coding =
            Coding(icd ? "http://hl7.org/fhir/sid/icd-10-cm" : "http://snomed.info/sct",
                   icd ? DottedIcd10(reason) : reason);
        PutIf(coding, "display", FieldText(record, "reasonDescription"));
        encounter["reasonCode"] =
            json::array{json::object{{"coding", json::array{std::move(coding)}}}};
    }
    if (const std::string facility = FieldText(record, "facility"); !facility.empty()) {
        encounter["serviceProvider"] = Reference("Organization", facility);
    }
    return encounter;
}

json::object OrganizationFromAccount(const json::object& account) {
    json::object organization = Resource("Organization", account);
    if (const std::string tax_id = FieldText(account, "taxId"); !tax_id.empty()) {
        json::array identifiers = organization.contains("identifier")
                                      ? organization["identifier"].as_array()
                                      : json::array();
        identifiers.push_back(json::object{{"system", "urn:oid:2.16.840.1.113883.4.4"},
                                           {"value", tax_id}});  // US employer id (EIN)
        organization["identifier"] = std::move(identifiers);
    }
    if (const std::string status = FieldText(account, "status"); !status.empty()) {
        organization["active"] = status == "active" || status == "prospect";
    }
    if (const std::string type = FieldText(account, "accountType"); !type.empty()) {
        organization["type"] = json::array{json::object{{"text", type}}};
    }
    PutIf(organization, "name", FieldText(account, "name"));
    PutArray(organization, "telecom", ContactPoints(account));
    if (json::object address = Address(account); !address.empty()) {
        organization["address"] = json::array{std::move(address)};
    }
    if (const std::string parent = FieldText(account, "parentAccount"); !parent.empty()) {
        organization["partOf"] = Reference("Organization", parent);
    }
    return organization;
}

json::object PractitionerFromProvider(const json::object& provider) {
    json::object practitioner = Resource("Practitioner", provider);
    if (const std::string npi = FieldText(provider, "npi"); !npi.empty()) {
        json::array identifiers = practitioner.contains("identifier")
                                      ? practitioner["identifier"].as_array()
                                      : json::array();
        identifiers.push_back(
            json::object{{"system", "http://hl7.org/fhir/sid/us-npi"}, {"value", npi}});
        practitioner["identifier"] = std::move(identifiers);
    }
    if (const std::string status = FieldText(provider, "status"); !status.empty()) {
        practitioner["active"] = status == "active";
    }
    json::object name;
    PutIf(name, "family", FieldText(provider, "lastName"));
    json::array given;
    for (const char* field : {"firstName", "middleName"}) {
        if (const std::string part = FieldText(provider, field); !part.empty()) {
            given.emplace_back(part);
        }
    }
    PutArray(name, "given", std::move(given));
    if (const std::string credentials = FieldText(provider, "credentials"); !credentials.empty()) {
        name["suffix"] = json::array{json::value(credentials)};
    }
    if (name.empty()) {
        PutIf(name, "text", FieldText(provider, "organizationName"));  // a facility's name
    }
    if (!name.empty()) {
        practitioner["name"] = json::array{std::move(name)};
    }
    PutArray(practitioner, "telecom", ContactPoints(provider));
    PutIf(practitioner, "gender", FieldText(provider, "gender"));
    return practitioner;
}

json::object LocationFromProviderLocation(const json::object& record) {
    json::object location = Resource("Location", record);
    location["status"] = FieldText(record, "endDate").empty() ? "active" : "inactive";
    PutIf(location, "name", FieldText(record, "name"));
    location["mode"] = "instance";
    PutArray(location, "telecom", ContactPoints(record));
    if (json::object address = Address(record); !address.empty()) {
        location["address"] = std::move(address);
    }
    const json::value* latitude = Number(record, "latitude");
    const json::value* longitude = Number(record, "longitude");
    if (latitude != nullptr && longitude != nullptr) {
        location["position"] = json::object{{"longitude", *longitude}, {"latitude", *latitude}};
    }
    if (const std::string provider = FieldText(record, "provider"); !provider.empty()) {
        json::array extensions =
            location.contains("extension") ? location["extension"].as_array() : json::array();
        extensions.push_back(json::object{{"url", kLocationProviderExtension},
                                          {"valueReference", Reference("Practitioner", provider)}});
        location["extension"] = std::move(extensions);
    }
    return location;
}

json::object RelatedPersonFromContactRelationship(const json::object& relationship,
                                                  const json::object* related) {
    json::object resource = Resource("RelatedPerson", relationship);
    if (const json::value* active = relationship.if_contains("isActive");
        active != nullptr && active->is_bool()) {
        resource["active"] = active->get_bool();
    }
    resource["patient"] = Reference("Patient", FieldText(relationship, "person"));
    if (const std::string type = FieldText(relationship, "relationshipType"); !type.empty()) {
        // HL7 v3 RoleCode where it has the relationship; the text always.
        static constexpr std::pair<std::string_view, std::string_view> kRoleCodes[] = {
            {"spouse", "SPS"},
            {"domestic-partner", "DOMPART"},
            {"parent", "PRN"},
            {"child", "CHILD"},
            {"sibling", "SIB"},
            {"guardian", "GUARD"},
            {"power-of-attorney", "POWATT"}};
        json::object role{{"text", type}};
        for (const auto& [value, code] : kRoleCodes) {
            if (value == type) {
                role["coding"] =
                    json::array{Coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", code)};
            }
        }
        resource["relationship"] = json::array{std::move(role)};
    }
    if (related != nullptr) {
        json::object name;
        PutIf(name, "family", FieldText(*related, "lastName"));
        json::array given;
        for (const char* field : {"firstName", "middleName"}) {
            if (const std::string part = FieldText(*related, field); !part.empty()) {
                given.emplace_back(part);
            }
        }
        PutArray(name, "given", std::move(given));
        if (!name.empty()) {
            resource["name"] = json::array{std::move(name)};
        }
        json::array telecom;
        for (const auto& [field, system, use] :
             {std::tuple<std::string_view, std::string_view, std::string_view>{"phone", "phone",
                                                                               "home"},
              {"mobilePhone", "phone", "mobile"},
              {"email", "email", "home"}}) {
            if (const std::string value = FieldText(*related, field); !value.empty()) {
                telecom.push_back(json::object{{"system", system}, {"value", value}, {"use", use}});
            }
        }
        PutArray(resource, "telecom", std::move(telecom));
        PutIf(resource, "gender", FieldText(*related, "gender"));
        PutIf(resource, "birthDate", FieldText(*related, "birthDate"));
        if (json::object address = Address(*related); !address.empty()) {
            resource["address"] = json::array{std::move(address)};
        }
    }
    json::object period;
    PutIf(period, "start", FieldText(relationship, "startDate"));
    PutIf(period, "end", FieldText(relationship, "endDate"));
    if (!period.empty()) {
        resource["period"] = std::move(period);
    }
    return resource;
}

json::object PractitionerRoleFromProviderLocation(const json::object& location,
                                                  const json::object* provider) {
    json::object role = detail::ResourceShell("PractitionerRole", location);
    role["active"] = FieldText(location, "endDate").empty();
    json::object period;
    PutIf(period, "start", FieldText(location, "effectiveDate"));
    PutIf(period, "end", FieldText(location, "endDate"));
    if (!period.empty()) {
        role["period"] = std::move(period);
    }
    if (const std::string id = FieldText(location, "provider"); !id.empty()) {
        role["practitioner"] = Reference("Practitioner", id);
    }
    if (provider != nullptr) {
        if (const std::string organization = FieldText(*provider, "organization");
            !organization.empty()) {
            role["organization"] = Reference("Organization", organization);
        }
        json::object specialty;
        if (const std::string taxonomy = FieldText(*provider, "taxonomyCode"); !taxonomy.empty()) {
            specialty["coding"] =
                json::array{Coding("http://nucc.org/provider-taxonomy", taxonomy)};
        }
        PutIf(specialty, "text", FieldText(*provider, "specialty"));
        if (!specialty.empty()) {
            role["specialty"] = json::array{std::move(specialty)};
        }
    }
    role["location"] = json::array{Reference("Location", FieldText(location, "id"))};
    json::array telecom;
    for (const auto& [field, system] :
         {std::pair<std::string_view, std::string_view>{"phone", "phone"}, {"fax", "fax"}}) {
        if (const std::string value = FieldText(location, field); !value.empty()) {
            telecom.push_back(json::object{{"system", system}, {"value", value}, {"use", "work"}});
        }
    }
    PutArray(role, "telecom", std::move(telecom));
    if (const std::string hours = FieldText(location, "officeHours"); !hours.empty()) {
        role["availabilityExceptions"] = hours;
    }
    return role;
}

}  // namespace p360::formats::fhir
