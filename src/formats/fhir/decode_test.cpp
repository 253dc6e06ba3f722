// FHIR resources into records: official HL7 examples and hand-made resources, with the values
// expected read off the examples by hand; errors with their JSON pointers; Bundles with their
// keys and references.
#include "formats/fhir/decode.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "formats/fhir/bundle.hpp"
#include "formats/fhir/patient.hpp"
#include "formats/fhir/resources.hpp"

namespace p360::formats::fhir {
namespace {

json::value Example(const std::string& name) {
    std::ifstream in(std::string(P360_FIXTURES_DIR) + "/fhir/hl7-r4-examples/" + name + ".json");
    std::stringstream text;
    text << in.rdbuf();
    return json::parse(text.str());
}

std::string Field(const DecodedResource& decoded, std::string_view field) {
    const json::value* value = decoded.fields.if_contains(field);
    return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
}

std::vector<std::string> Pointers(const Error& error) {
    std::vector<std::string> pointers;
    for (const FieldError& field_error : error.field_errors) {
        pointers.push_back(field_error.field);
    }
    return pointers;
}

TEST(FhirDecodeTest, TheOfficialPatientExample) {
    auto decoded = DecodeResource(Example("Patient-example"));
    ASSERT_TRUE(decoded.ok()) << decoded.error().public_message;
    EXPECT_EQ(decoded->object, "Person");
    EXPECT_EQ(Field(*decoded, "lastName"), "Chalmers");
    EXPECT_EQ(Field(*decoded, "firstName"), "Peter");
    EXPECT_EQ(Field(*decoded, "middleName"), "James");
    EXPECT_EQ(Field(*decoded, "preferredName"), "Jim");
    EXPECT_EQ(Field(*decoded, "birthDate"), "1974-12-25");
    EXPECT_EQ(Field(*decoded, "gender"), "male");
    EXPECT_EQ(Field(*decoded, "phone"), "(03) 5555 6473");
    EXPECT_EQ(Field(*decoded, "mobilePhone"), "(03) 3410 5613");
    EXPECT_EQ(Field(*decoded, "addressLine1"), "534 Erewhon St");
    EXPECT_EQ(Field(*decoded, "city"), "PleasantVille");
    EXPECT_EQ(Field(*decoded, "county"), "Rainbow");
    EXPECT_EQ(Field(*decoded, "state"), "Vic");
    EXPECT_EQ(Field(*decoded, "postalCode"), "3999");
    EXPECT_EQ(decoded->fields.at("deceased"), false);
    EXPECT_FALSE(decoded->fields.contains("lifecycleStage")) << "active: true changes nothing";
    // The medical record number has no field: kept whole, and it is the key.
    ASSERT_EQ(decoded->keys.size(), 1U);
    EXPECT_EQ(decoded->keys[0].field, "sourceId");
    EXPECT_EQ(decoded->keys[0].value, "urn:oid:1.2.36.146.595.217.0.1|12345");
    const json::value kept = json::parse(Field(*decoded, "fhirIdentifiers"));
    EXPECT_EQ(kept, json::value(json::array{Example("Patient-example").at("identifier").at(0)}));
    EXPECT_EQ(decoded->pointers.at("birthDate"), "/birthDate");
    EXPECT_EQ(decoded->pointers.at("lastName"), "/name/0/family");
}

TEST(FhirDecodeTest, KnownIdentifierSystemsGoToTheirFields) {
    auto decoded = DecodeResource(json::parse(R"({"resourceType": "Patient",
        "identifier": [{"system": "http://hl7.org/fhir/sid/us-ssn", "value": "999-01-0001"},
                       {"system": "http://hl7.org/fhir/sid/us-mbi", "value": "1EG4TE5MK73"},
                       {"system": "https://payer360.dev/fhir/sid/source-id", "value": "834:7:S"}],
        "name": [{"family": "Ng", "given": ["Ana"]}], "active": false,
        "communication": [{"language": {"coding": [{"code": "es-MX"}]}}],
        "extension": [{"url": "http://example.org/eye-colour", "valueString": "green"}]})"));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(Field(*decoded, "ssn"), "999-01-0001");
    EXPECT_EQ(Field(*decoded, "medicareBeneficiaryId"), "1EG4TE5MK73");
    EXPECT_FALSE(decoded->fields.contains("fhirIdentifiers"));
    ASSERT_EQ(decoded->keys.size(), 1U);
    EXPECT_EQ(decoded->keys[0].value, "834:7:S") << "payer360's own source ids stay as they are";
    EXPECT_EQ(Field(*decoded, "lifecycleStage"), "former");
    EXPECT_EQ(Field(*decoded, "preferredLanguage"), "es");
    EXPECT_EQ(Field(*decoded, "fhirExtensions"),
              R"([{"url":"http://example.org/eye-colour","valueString":"green"}])");
}

TEST(FhirDecodeTest, ConditionPractitionerOrganizationAndCoverage) {
    auto condition = DecodeResource(Example("Condition-example"));
    ASSERT_TRUE(condition.ok());
    EXPECT_EQ(Field(*condition, "code"), "39065001");
    EXPECT_EQ(Field(*condition, "codeSystem"), "snomed-ct");
    EXPECT_EQ(Field(*condition, "description"), "Burnt Ear");
    EXPECT_EQ(Field(*condition, "severity"), "severe");
    EXPECT_EQ(Field(*condition, "clinicalStatus"), "active");
    EXPECT_EQ(Field(*condition, "verificationStatus"), "confirmed");
    EXPECT_EQ(Field(*condition, "category"), "encounter-diagnosis");
    EXPECT_EQ(Field(*condition, "onsetDate"), "2012-05-24");
    ASSERT_EQ(condition->references.size(), 1U);
    EXPECT_EQ(condition->references[0].field, "person");
    EXPECT_EQ(condition->references[0].reference, "Patient/example");
    EXPECT_EQ(condition->references[0].pointer, "/subject/reference");

    auto icd = DecodeResource(json::parse(R"({"resourceType": "Condition",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "44054006"},
                            {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E11.9"}]},
        "subject": {"reference": "Patient/1"}})"));
    ASSERT_TRUE(icd.ok());
    EXPECT_EQ(Field(*icd, "code"), "E119") << "ICD-10-CM first, stored without the dot";
    EXPECT_EQ(Field(*icd, "codeSystem"), "icd-10-cm");

    auto practitioner = DecodeResource(Example("Practitioner-example"));
    ASSERT_TRUE(practitioner.ok());
    EXPECT_EQ(Field(*practitioner, "lastName"), "Careful");
    EXPECT_EQ(Field(*practitioner, "firstName"), "Adam");
    EXPECT_EQ(Field(*practitioner, "providerType"), "practitioner");
    EXPECT_EQ(Field(*practitioner, "status"), "active");
    EXPECT_EQ(practitioner->keys.at(0).value, "http://www.acme.org/practitioners|23");

    auto npi = DecodeResource(json::parse(R"({"resourceType": "Practitioner",
        "identifier": [{"system": "urn:example", "value": "x"},
                       {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1093817465"}]})"));
    ASSERT_TRUE(npi.ok());
    EXPECT_EQ(npi->keys.at(0).field, "npi") << "the NPI is the better key";
    EXPECT_EQ(npi->keys.at(0).value, "1093817465");

    auto organization = DecodeResource(Example("Organization-hl7pay"));
    ASSERT_TRUE(organization.ok());
    EXPECT_EQ(Field(*organization, "name"), "HL7 Payer network");
    EXPECT_EQ(Field(*organization, "accountType"), "other");

    auto coverage = DecodeResource(Example("Coverage-9876B1"));
    ASSERT_TRUE(coverage.ok()) << coverage.error().public_message;
    EXPECT_EQ(Field(*coverage, "status"), "active");
    EXPECT_EQ(Field(*coverage, "relationshipToSubscriber"), "self");
    EXPECT_EQ(coverage->fields.at("isSubscriber"), true);
    EXPECT_EQ(Field(*coverage, "effectiveDate"), "2011-05-23");
    EXPECT_EQ(Field(*coverage, "terminationDate"), "2012-05-23");
    EXPECT_EQ(Field(*coverage, "groupNumber"), "CB135");
    bool plan = false;
    for (const RecordReference& reference : coverage->references) {
        plan = plan || (reference.field == "plan" && reference.key_field == "planCode" &&
                        reference.key == "B37FC" && reference.pointer == "/class/2/value");
    }
    EXPECT_TRUE(plan);
}

TEST(FhirDecodeTest, AnEncounter) {
    auto decoded = DecodeResource(json::parse(R"({"resourceType": "Encounter",
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "EMER"},
        "type": [{"coding": [{"system": "http://snomed.info/sct", "code": "50849002",
                              "display": "Emergency room admission"}]}],
        "subject": {"reference": "urn:uuid:p1"},
        "participant": [{"individual": {"reference": "RelatedPerson/r1"}},
                        {"individual": {"reference": "urn:uuid:doc"}}],
        "period": {"start": "2019-03-04T10:00:00-05:00", "end": "2019-03-04T12:00:00-05:00"},
        "reasonCode": [{"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm",
                                    "code": "S52.5", "display": "Fracture of lower radius"}]}],
        "serviceProvider": {"reference": "urn:uuid:hospital"}})"));
    ASSERT_TRUE(decoded.ok()) << decoded.error().public_message;
    EXPECT_EQ(decoded->object, "Encounter");
    EXPECT_EQ(Field(*decoded, "status"), "finished");
    EXPECT_EQ(Field(*decoded, "encounterClass"), "EMER");
    EXPECT_EQ(Field(*decoded, "typeCode"), "50849002");
    EXPECT_EQ(Field(*decoded, "typeCodeSystem"), "snomed-ct");
    EXPECT_EQ(Field(*decoded, "description"), "Emergency room admission");
    EXPECT_EQ(Field(*decoded, "startDate"), "2019-03-04");
    EXPECT_EQ(Field(*decoded, "endDate"), "2019-03-04");
    EXPECT_EQ(Field(*decoded, "reasonCode"), "S525");
    EXPECT_EQ(Field(*decoded, "reasonCodeSystem"), "icd-10-cm");
    EXPECT_EQ(Field(*decoded, "reasonDescription"), "Fracture of lower radius");
    // Each participant is a candidate for the practitioner; the Bundle knows their types.
    ASSERT_EQ(decoded->references.size(), 4U);
    EXPECT_EQ(decoded->references[0].field, "person");
    EXPECT_FALSE(decoded->references[0].candidate);
    EXPECT_EQ(decoded->references[1].field, "provider");
    EXPECT_TRUE(decoded->references[1].candidate);
    EXPECT_EQ(decoded->references[2].field, "provider");
    EXPECT_EQ(decoded->references[2].reference, "urn:uuid:doc");
    EXPECT_EQ(decoded->references[2].pointer, "/participant/1/individual/reference");
    EXPECT_EQ(decoded->references[3].field, "facility");

    auto classless = DecodeResource(json::parse(
        R"({"resourceType": "Encounter", "status": "planned", "class": {"code": "XYZ"}})"));
    ASSERT_FALSE(classless.ok());
    EXPECT_EQ(Pointers(classless.error()), std::vector<std::string>{"/class/code"});
}

TEST(FhirDecodeTest, ErrorsPointAtTheElements) {
    auto bad = DecodeResource(json::parse(R"({"resourceType": "Patient", "birthDate": 19800101,
        "name": [{"given": "Ann"}], "identifier": [7]})"));
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(Pointers(bad.error()),
              (std::vector<std::string>{"/identifier/0", "/name/0/given", "/birthDate"}));
    auto uncoded = DecodeResource(json::parse(R"({"resourceType": "Condition",
        "code": {"coding": [{"system": "http://loinc.org", "code": "1-8"}]}})"));
    ASSERT_FALSE(uncoded.ok());
    EXPECT_EQ(Pointers(uncoded.error()), std::vector<std::string>{"/code"});
    auto unknown = DecodeResource(json::parse(R"({"resourceType": "Observation"})"));
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(Pointers(unknown.error()), std::vector<std::string>{"/resourceType"});
    auto homeless = DecodeResource(json::parse(R"({"resourceType": "Location", "name": "x"})"));
    ASSERT_FALSE(homeless.ok());
    EXPECT_EQ(Pointers(homeless.error()), std::vector<std::string>{"/extension"});
}

// What a record becomes as FHIR decodes to the same record: nothing the mapping keeps is lost.
TEST(FhirDecodeTest, RecordsRoundTrip) {
    const json::object person{{"firstName", "Ana"},
                              {"middleName", "B C"},
                              {"lastName", "Ng"},
                              {"suffix", "Jr"},
                              {"preferredName", "Annie"},
                              {"birthDate", "1990-01-02"},
                              {"gender", "female"},
                              {"ssn", "999-01-0001"},
                              {"phone", "555-0100"},
                              {"mobilePhone", "555-0101"},
                              {"email", "ana@example.org"},
                              {"addressLine1", "1 Main St"},
                              {"addressLine2", "Apt 2"},
                              {"city", "Springfield"},
                              {"county", "Sangamon"},
                              {"state", "IL"},
                              {"postalCode", "62701"},
                              {"country", "US"},
                              {"preferredLanguage", "es"},
                              {"deceasedDate", "2020-01-01"},
                              {"lifecycleStage", "former"},
                              {"fhirIdentifiers", R"([{"system":"urn:x","value":"1"}])"},
                              {"fhirExtensions", R"([{"url":"urn:e","valueCode":"a"}])"}};
    auto decoded = DecodeResource(PatientFromPerson(person));
    ASSERT_TRUE(decoded.ok()) << decoded.error().public_message;
    json::object expected = person;
    expected["deceased"] = true;  // a date of death says so
    EXPECT_EQ(decoded->fields, expected);

    const json::object medication{{"name", "Metformin 500 MG"},
                                  {"code", "860975"},
                                  {"ndcCode", "00093104801"},
                                  {"status", "active"},
                                  {"dosage", "1 tablet twice daily"},
                                  {"quantity", 60},
                                  {"daysSupply", 30},
                                  {"refills", 2},
                                  {"startDate", "2024-01-01"},
                                  {"endDate", "2024-12-31"}};
    auto request = DecodeResource(MedicationRequestFromMedication(medication));
    ASSERT_TRUE(request.ok()) << request.error().public_message;
    EXPECT_EQ(request->fields, medication);
}

TEST(FhirBundleTest, KeysAndReferencesAcrossEntries) {
    auto bundle = ReadBundle(json::parse(R"({"resourceType": "Bundle", "type": "transaction",
      "entry": [
        {"fullUrl": "urn:uuid:c1", "request": {"method": "POST", "url": "Condition"},
         "resource": {"resourceType": "Condition", "subject": {"reference": "urn:uuid:p1"},
                      "code": {"coding": [{"system": "http://snomed.info/sct", "code": "1"}]}}},
        {"fullUrl": "urn:uuid:p1",
         "request": {"method": "POST", "url": "Patient",
                     "ifNoneExist": "identifier=https%3A%2F%2Fexample.org%7CA-1"},
         "resource": {"resourceType": "Patient", "name": [{"family": "Ng"}]}},
        {"fullUrl": "http://example.org/fhir/Patient/7",
         "request": {"method": "PUT", "url": "Patient/per_1"},
         "resource": {"resourceType": "Patient", "name": [{"family": "Ng"}]}},
        {"request": {"method": "POST", "url": "Condition"},
         "resource": {"resourceType": "Condition", "subject": {"reference": "Patient/7"},
                      "code": {"coding": [{"system": "http://snomed.info/sct", "code": "2"}]}}},
        {"request": {"method": "POST", "url": "Condition"},
         "resource": {"resourceType": "Condition", "subject": {"reference": "Patient/per_9"},
                      "code": {"coding": [{"system": "http://snomed.info/sct", "code": "3"}]}}}
      ]})"));
    ASSERT_TRUE(bundle.ok());
    ASSERT_EQ(bundle->entries.size(), 5U);
    for (const BundleEntry& entry : bundle->entries) {
        EXPECT_TRUE(entry.errors.empty()) << entry.pointer << " " << entry.errors[0].message;
    }
    // Keyed by fullUrl, by the ifNoneExist identifier, by nothing.
    EXPECT_EQ(bundle->entries[0].key->value, "urn:ietf:rfc:3986|urn:uuid:c1");
    EXPECT_EQ(bundle->entries[1].key->value, "https://example.org|A-1");
    EXPECT_TRUE(bundle->entries[1].conditional);
    EXPECT_EQ(bundle->entries[2].target_id, "per_1");
    EXPECT_FALSE(bundle->entries[3].key.has_value());
    // References to a later entry, to an entry by its relative URL, and to a record.
    EXPECT_EQ(bundle->entries[0].references.at(0).entry, 1U);
    EXPECT_EQ(bundle->entries[3].references.at(0).entry, 2U);
    EXPECT_EQ(bundle->entries[4].references.at(0).id, "per_9");
}

// Participants and requesters that are not practitioners are passed over, not refused.
TEST(FhirBundleTest, TheFirstPractitionerAmongCandidatesIsKept) {
    auto bundle = ReadBundle(json::parse(R"({"resourceType": "Bundle", "type": "transaction",
      "entry": [
        {"fullUrl": "urn:uuid:org", "request": {"method": "POST", "url": "Organization"},
         "resource": {"resourceType": "Organization", "name": "Clinic"}},
        {"fullUrl": "urn:uuid:doc", "request": {"method": "POST", "url": "Practitioner"},
         "resource": {"resourceType": "Practitioner", "name": [{"family": "Welby"}]}},
        {"fullUrl": "urn:uuid:pat", "request": {"method": "POST", "url": "Patient"},
         "resource": {"resourceType": "Patient", "name": [{"family": "Ng"}]}},
        {"request": {"method": "POST", "url": "Encounter"},
         "resource": {"resourceType": "Encounter", "status": "finished", "class": {"code": "AMB"},
                      "subject": {"reference": "urn:uuid:pat"},
                      "participant": [{"individual": {"reference": "urn:uuid:org"}},
                                      {"individual": {"reference": "RelatedPerson/r1"}},
                                      {"individual": {"reference": "urn:uuid:doc"}},
                                      {"individual": {"reference": "Practitioner/prv_9"}}]}},
        {"request": {"method": "POST", "url": "MedicationRequest"},
         "resource": {"resourceType": "MedicationRequest", "status": "active",
                      "intent": "order", "medicationCodeableConcept": {"text": "Aspirin"},
                      "subject": {"reference": "urn:uuid:pat"},
                      "requester": {"reference": "urn:uuid:org"}}}
      ]})"));
    ASSERT_TRUE(bundle.ok());
    const BundleEntry& encounter = bundle->entries[3];
    ASSERT_TRUE(encounter.errors.empty()) << encounter.errors[0].field;
    ASSERT_EQ(encounter.references.size(), 2U);
    EXPECT_EQ(encounter.references[1].field, "provider");
    EXPECT_EQ(encounter.references[1].entry, 1U);
    EXPECT_EQ(encounter.resource->pointers.at("provider"), "/participant/2/individual/reference");
    const BundleEntry& medication = bundle->entries[4];
    ASSERT_TRUE(medication.errors.empty());
    ASSERT_EQ(medication.references.size(), 1U) << "an organisation does not prescribe";
    EXPECT_EQ(medication.references[0].field, "person");
}

TEST(FhirBundleTest, BadEntriesCarryPointersAndTheRestStands) {
    auto bundle = ReadBundle(json::parse(R"({"resourceType": "Bundle", "type": "batch",
      "entry": [
        {"request": {"method": "DELETE", "url": "Patient/1"},
         "resource": {"resourceType": "Patient"}},
        {"request": {"method": "POST", "url": "Condition"},
         "resource": {"resourceType": "Condition", "subject": {"reference": "urn:uuid:gone"},
                      "code": {"coding": [{"system": "http://snomed.info/sct", "code": "1"}]}}},
        {"request": {"method": "POST", "url": "Patient", "ifNoneExist": "identifier=A-1"},
         "resource": {"resourceType": "Patient"}},
        {"request": {"method": "POST", "url": "Patient"}, "resource": {"resourceType": "Patient"}}
      ]})"));
    ASSERT_TRUE(bundle.ok());
    EXPECT_EQ(bundle->type, BundleType::kBatch);
    EXPECT_EQ(bundle->entries[0].errors.at(0).field, "/entry/0/request/method");
    EXPECT_EQ(bundle->entries[1].errors.at(0).field, "/entry/1/resource/subject/reference");
    EXPECT_EQ(bundle->entries[2].errors.at(0).field, "/entry/2/request/ifNoneExist");
    EXPECT_TRUE(bundle->entries[3].errors.empty());

    auto searchset = ReadBundle(json::parse(R"({"resourceType": "Bundle", "type": "searchset"})"));
    ASSERT_FALSE(searchset.ok());
    EXPECT_EQ(searchset.error().location, "/type");
}

}  // namespace
}  // namespace p360::formats::fhir
