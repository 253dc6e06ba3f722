// FHIR resources into records: official HL7 examples and hand-made resources, with the values
// expected read off the examples by hand; errors with their JSON pointers; Bundles with their
// keys and references.
#include "formats/fhir/decode.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "formats/fhir/bundle.hpp"
#include "formats/fhir/care.hpp"
#include "formats/fhir/claim.hpp"
#include "formats/fhir/patient.hpp"
#include "formats/fhir/resources.hpp"

namespace p360::formats::fhir {
namespace {

json::value Fixture(const std::string& relative) {
    std::ifstream in(std::string(P360_FIXTURES_DIR) + "/fhir/" + relative);
    std::stringstream text;
    text << in.rdbuf();
    return json::parse(text.str());
}

json::value Example(const std::string& name) {
    return Fixture("hl7-r4-examples/" + name + ".json");
}

double Amount(const json::object& fields, std::string_view field) {
    const json::value* value = fields.if_contains(field);
    return value != nullptr && value->is_number() ? value->to_number<double>() : -1;
}

// The amount of the adjudication entry of `category` in `entries` (item.adjudication, total).
double AdjudicationAmount(const json::value& entries, std::string_view category) {
    for (const json::value& entry : entries.as_array()) {
        if (entry.at("category").at("coding").at(0).at("code").as_string() == category) {
            return entry.at("amount").at("value").to_number<double>();
        }
    }
    return -1;
}

const RecordReference* ReferenceOf(const DecodedResource& decoded, std::string_view field) {
    for (const RecordReference& reference : decoded.references) {
        if (reference.field == field) {
            return &reference;
        }
    }
    return nullptr;
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

// A CARIN Blue Button professional EOB: the claim's header, totals and every item as a line,
// with the amounts read off the example file.
TEST(FhirDecodeTest, ACarinProfessionalExplanationOfBenefit) {
    const json::value eob = Fixture("carin-bb/ExplanationOfBenefit_ProfessionalEOBExample1.json");
    auto decoded = DecodeResource(eob);
    ASSERT_TRUE(decoded.ok()) << decoded.error().field_errors.at(0).field;
    EXPECT_EQ(decoded->object, "Claim");
    EXPECT_EQ(Field(*decoded, "claimNumber"), "ProfessionalEOBExample1") << "the uc identifier";
    EXPECT_EQ(decoded->keys.at(0).value,
              "https://www.upmchealthplan.com/fhir/EOBIdentifier|ProfessionalEOBExample1");
    EXPECT_EQ(Field(*decoded, "claimType"), "professional");
    EXPECT_EQ(Field(*decoded, "serviceFromDate"), "2020-08-04");
    EXPECT_EQ(Field(*decoded, "adjudicatedDate"), "2020-08-24");
    EXPECT_EQ(Field(*decoded, "receivedDate"), "2020-08-24") << "supportingInfo clmrecvddate";
    EXPECT_EQ(Field(*decoded, "outcome"), "complete");
    EXPECT_EQ(Field(*decoded, "status"), "paid");
    EXPECT_EQ(Field(*decoded, "primaryDiagnosis"), "I70249");
    EXPECT_EQ(Field(*decoded, "diagnosisCodes"), "I70249,L97929");
    EXPECT_EQ(decoded->fields.at("inNetwork"), true);
    const json::value& totals = eob.at("total");
    EXPECT_EQ(Amount(decoded->fields, "billedAmount"), AdjudicationAmount(totals, "submitted"));
    EXPECT_EQ(Amount(decoded->fields, "allowedAmount"), AdjudicationAmount(totals, "eligible"));
    EXPECT_EQ(Amount(decoded->fields, "paidAmount"), AdjudicationAmount(totals, "benefit"));
    EXPECT_EQ(Amount(decoded->fields, "memberResponsibility"),
              AdjudicationAmount(totals, "memberliability"));
    // The insurer and billing provider are organisations; the care team's practitioner is kept.
    ASSERT_NE(ReferenceOf(*decoded, "payer"), nullptr);
    EXPECT_EQ(ReferenceOf(*decoded, "payer")->reference, "Organization/PayerOrganizationExample1");
    EXPECT_EQ(ReferenceOf(*decoded, "memberPlan")->reference, "Coverage/CoverageEx1");
    ASSERT_EQ(decoded->parts.size(), eob.at("item").as_array().size());
    for (std::size_t item_idx = 0; item_idx < decoded->parts.size(); ++item_idx) {
        const json::value& item = eob.at("item").at(item_idx);
        const DecodedPart& line = decoded->parts[item_idx];
        EXPECT_EQ(line.object, "ClaimLine");
        EXPECT_EQ(line.owner_field, "claim");
        EXPECT_EQ(line.key_suffix, "#" + std::to_string(item.at("sequence").as_int64()));
        EXPECT_EQ(line.fields.at("procedureCode"),
                  item.at("productOrService").at("coding").at(0).at("code"));
        EXPECT_EQ(line.fields.at("serviceDate"), item.at("servicedDate"));
        EXPECT_EQ(line.fields.at("placeOfService"),
                  item.at("locationCodeableConcept").at("coding").at(0).at("code"));
        EXPECT_EQ(Amount(line.fields, "billedAmount"),
                  AdjudicationAmount(item.at("adjudication"), "submitted"));
        EXPECT_EQ(Amount(line.fields, "allowedAmount"),
                  AdjudicationAmount(item.at("adjudication"), "eligible"));
        EXPECT_EQ(Amount(line.fields, "paidAmount"),
                  AdjudicationAmount(item.at("adjudication"), "benefit"));
    }
    EXPECT_EQ(decoded->parts[0].pointers.at("billedAmount"), "/item/0/adjudication/0/amount/value");
}

// A Claim and the ExplanationOfBenefit that answers it become one record: the EOB names the
// claim's entry, and its items carry the same line keys.
TEST(FhirBundleTest, AnExplanationOfBenefitWritesToItsClaim) {
    auto bundle = ReadBundle(json::parse(R"({"resourceType": "Bundle", "type": "transaction",
      "entry": [
        {"fullUrl": "urn:uuid:pat", "request": {"method": "POST", "url": "Patient"},
         "resource": {"resourceType": "Patient", "name": [{"family": "Ng"}]}},
        {"fullUrl": "urn:uuid:clm", "request": {"method": "POST", "url": "Claim"},
         "resource": {"resourceType": "Claim", "status": "active", "use": "claim",
           "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                "code": "oral"}]},
           "patient": {"reference": "urn:uuid:pat"}, "billablePeriod": {"start": "2024-03-01"},
           "insurance": [{"sequence": 1, "focal": true, "coverage": {"reference": "#cov"}}],
           "item": [{"sequence": 1, "net": {"value": 90, "currency": "USD"}}],
           "total": {"value": 90, "currency": "USD"}}},
        {"fullUrl": "urn:uuid:eob", "request": {"method": "POST", "url": "ExplanationOfBenefit"},
         "resource": {"resourceType": "ExplanationOfBenefit", "status": "active",
           "outcome": "error", "use": "claim",
           "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                "code": "oral"}]},
           "patient": {"reference": "urn:uuid:pat"}, "billablePeriod": {"start": "2024-03-01"},
           "claim": {"reference": "urn:uuid:clm"},
           "item": [{"sequence": 1, "adjudication": [
             {"category": {"coding": [{"code": "denialreason"}]},
              "reason": {"coding": [{"system": "https://x12.org/codes/claim-adjustment-reason-codes",
                                     "code": "96"}]}}]}]}}
      ]})"));
    ASSERT_TRUE(bundle.ok());
    const BundleEntry& claim = bundle->entries[1];
    ASSERT_TRUE(claim.errors.empty()) << claim.errors[0].field;
    EXPECT_EQ(claim.resource->fields.at("claimType"), "dental");
    EXPECT_EQ(claim.resource->fields.at("status"), "received");
    EXPECT_FALSE(claim.resource->fields.contains("memberPlan")) << "a contained coverage";
    const BundleEntry& eob = bundle->entries[2];
    ASSERT_TRUE(eob.errors.empty()) << eob.errors[0].field;
    EXPECT_EQ(eob.resource->fields.at("status"), "denied");
    const ResolvedReference* same = nullptr;
    for (const ResolvedReference& reference : eob.references) {
        same = reference.field == kSameRecordField ? &reference : same;
    }
    ASSERT_NE(same, nullptr);
    EXPECT_EQ(same->entry, 1U);
    ASSERT_EQ(eob.resource->parts.size(), 1U);
    EXPECT_EQ(eob.resource->parts[0].key_suffix, claim.resource->parts.at(0).key_suffix);
    EXPECT_EQ(eob.resource->parts[0].fields.at("denialReasonCode"), "96");
}

TEST(FhirDecodeTest, AnOfficialCarePlanAndConsents) {
    const json::value plan_in = Example("CarePlan-f201");
    auto plan = DecodeResource(plan_in);
    ASSERT_TRUE(plan.ok()) << plan.error().field_errors.at(0).field;
    EXPECT_EQ(plan->object, "CarePlan");
    EXPECT_EQ(Field(*plan, "status"), "draft");
    EXPECT_EQ(Field(*plan, "intent"), "proposal");
    EXPECT_EQ(Field(*plan, "startDate"), "2013-03-11");
    EXPECT_EQ(Field(*plan, "endDate"), "2013-03-13");
    EXPECT_EQ(ReferenceOf(*plan, "person")->reference, "Patient/f201");
    const json::value activities = json::parse(Field(*plan, "activities"));
    ASSERT_EQ(activities.as_array().size(), plan_in.at("activity").as_array().size());
    for (std::size_t activity_idx = 0; activity_idx < activities.as_array().size();
         ++activity_idx) {
        const json::value& detail = plan_in.at("activity").at(activity_idx).at("detail");
        EXPECT_EQ(activities.at(activity_idx).at("code"), detail.at("code"));
        EXPECT_EQ(activities.at(activity_idx).at("status"), detail.at("status"));
        EXPECT_EQ(activities.at(activity_idx).at("kind"), detail.at("kind"));
        EXPECT_FALSE(activities.at(activity_idx).as_object().contains("productReference"))
            << "references inside an activity are not kept";
    }

    auto basic = DecodeResource(Example("Consent-consent-example-basic"));
    ASSERT_TRUE(basic.ok()) << basic.error().field_errors.at(0).field;
    EXPECT_EQ(basic->object, "Consent");
    EXPECT_EQ(Field(*basic, "status"), "granted");
    EXPECT_EQ(Field(*basic, "scope"), "patient-privacy");
    EXPECT_EQ(Field(*basic, "purpose"), "hie-data-sharing") << "read off the privacy scope";
    EXPECT_EQ(Field(*basic, "category"), "59284-0");
    EXPECT_EQ(Field(*basic, "channel"), "any");
    EXPECT_EQ(Field(*basic, "effectiveDate"), "1964-01-01");
    EXPECT_EQ(Field(*basic, "endDate"), "2016-01-01");
    EXPECT_EQ(Field(*basic, "capturedAt"), "2016-05-11T00:00:00Z");
    EXPECT_EQ(ReferenceOf(*basic, "person")->reference, "Patient/f001");

    auto opt_out = DecodeResource(Example("Consent-consent-example-Out"));
    ASSERT_TRUE(opt_out.ok()) << opt_out.error().field_errors.at(0).field;
    EXPECT_EQ(Field(*opt_out, "status"), "denied") << "an OPTOUT rule refuses";
    EXPECT_EQ(Field(*opt_out, "effectiveDate"), "2015-11-18") << "from dateTime, no period";
}

TEST(FhirDecodeTest, ClaimCarePlanAndConsentErrorsPointAtTheElements) {
    auto claim = DecodeResource(json::parse(R"({"resourceType": "ExplanationOfBenefit",
        "status": "active", "outcome": "done", "type": {"text": "medical"},
        "patient": {"reference": "Patient/per_1"},
        "item": [{"sequence": 0}, {"sequence": 2, "net": {"value": 5, "currency": "EUR"}},
                 {"sequence": 2, "quantity": {"value": "two"}}]})"));
    ASSERT_FALSE(claim.ok());
    EXPECT_EQ(Pointers(claim.error()),
              (std::vector<std::string>{"/type", "/billablePeriod/start", "/item/0/sequence",
                                        "/item/1/net/currency", "/item/2/quantity/value",
                                        "/item/2/sequence", "/outcome"}));
    auto plan = DecodeResource(json::parse(R"({"resourceType": "CarePlan", "status": "done",
        "intent": "plan", "activity": [{"detail": {"description": "walk"}}]})"));
    ASSERT_FALSE(plan.ok());
    EXPECT_EQ(Pointers(plan.error()),
              (std::vector<std::string>{"/status", "/activity/0/detail/status"}));
    auto consent = DecodeResource(json::parse(R"({"resourceType": "Consent", "status": "draft",
        "scope": {"coding": [{"code": "adr"}]},
        "provision": {"purpose": [{"system": "urn:other", "code": "x"}]}})"));
    ASSERT_FALSE(consent.ok());
    EXPECT_EQ(Pointers(consent.error()),
              (std::vector<std::string>{"/provision/purpose", "/status"}));
}

// What the encoders write decodes to the same fields, unknown extensions included (a consent's
// channel extension is payer360's own and goes to its field).
TEST(FhirDecodeTest, ClaimsCarePlansAndConsentsRoundTrip) {
    const json::object claim = json::parse(R"({"id": "clm_1", "person": "per_1",
        "claimType": "institutional", "status": "paid", "outcome": "complete",
        "serviceFromDate": "2024-02-01", "serviceToDate": "2024-02-03",
        "receivedDate": "2024-02-05", "adjudicatedDate": "2024-02-20", "paidDate": "2024-02-25",
        "billingProvider": "prv_1", "renderingProvider": "prv_2", "payer": "acc_1",
        "memberPlan": "mpl_1", "primaryDiagnosis": "E119", "diagnosisCodes": "E119,I10",
        "billedAmount": 1000, "allowedAmount": 800, "paidAmount": 700,
        "memberResponsibility": 100, "deductibleAmount": 50, "copayAmount": 20,
        "coinsuranceAmount": 30, "inNetwork": true, "claimNumber": "C-77",
        "denialReason": "CO-45 charge exceeds fee schedule",
        "fhirExtensions": "[{\"url\":\"https://payer.example/ext/region\",\"valueString\":\"west\"}]",
        "sourceId": "https://payer.example/claims|C-77"})")
                                   .as_object();
    const json::array lines = json::parse(R"([
        {"lineNumber": 2, "procedureCode": "J1100", "billedAmount": 400, "allowedAmount": 300,
         "paidAmount": 250, "memberResponsibility": 50, "serviceDate": "2024-02-02",
         "diagnosisCodes": "I10", "denialReasonCode": "45", "units": 2},
        {"lineNumber": 1, "procedureCode": "99223", "revenueCode": "0450",
         "modifier": "25,59", "billedAmount": 600, "serviceDate": "2024-02-01",
         "serviceToDate": "2024-02-03", "placeOfService": "21", "description": "Admission"}
    ])")
                                  .as_array();
    auto eob = DecodeResource(ExplanationOfBenefitFromClaim(claim, lines));
    ASSERT_TRUE(eob.ok()) << eob.error().field_errors.at(0).field;
    for (const char* field :
         {"claimType",        "status",         "outcome",           "serviceFromDate",
          "serviceToDate",    "receivedDate",   "adjudicatedDate",   "paidDate",
          "primaryDiagnosis", "diagnosisCodes", "claimNumber",       "denialReason",
          "billedAmount",     "allowedAmount",  "paidAmount",        "memberResponsibility",
          "deductibleAmount", "copayAmount",    "coinsuranceAmount", "inNetwork",
          "fhirExtensions"}) {
        EXPECT_EQ(eob->fields.at(field), claim.at(field)) << field;
    }
    EXPECT_EQ(eob->keys.at(0).value, "https://payer.example/claims|C-77");
    EXPECT_EQ(ReferenceOf(*eob, "renderingProvider")->reference, "Practitioner/prv_2");
    EXPECT_EQ(ReferenceOf(*eob, "payer")->reference, "Organization/acc_1");
    EXPECT_EQ(ReferenceOf(*eob, "memberPlan")->reference, "Coverage/mpl_1");
    ASSERT_EQ(eob->parts.size(), 2U);
    const DecodedPart& first = eob->parts[0];  // line 1 comes first
    for (const char* field :
         {"lineNumber", "procedureCode", "revenueCode", "modifier", "billedAmount", "serviceDate",
          "serviceToDate", "placeOfService", "description"}) {
        EXPECT_EQ(first.fields.at(field), lines[1].at(field)) << field;
    }
    for (const char* field :
         {"lineNumber", "procedureCode", "billedAmount", "allowedAmount", "paidAmount",
          "memberResponsibility", "serviceDate", "diagnosisCodes", "denialReasonCode", "units"}) {
        EXPECT_EQ(eob->parts[1].fields.at(field), lines[0].at(field)) << field;
    }
    auto as_claim = DecodeResource(ClaimFromClaim(claim, lines));
    ASSERT_TRUE(as_claim.ok()) << as_claim.error().field_errors.at(0).field;
    EXPECT_EQ(as_claim->fields.at("status"), "received") << "a Claim is the bill, not the answer";
    EXPECT_EQ(as_claim->fields.at("billedAmount"), claim.at("billedAmount"));
    EXPECT_EQ(as_claim->parts.at(1).fields.at("billedAmount"), lines[0].at("billedAmount"));

    const json::object plan = json::parse(R"({"id": "cpl_1", "person": "per_1",
        "status": "active", "intent": "plan", "category": "assess-plan", "title": "Diabetes",
        "description": "Keep A1c under 7", "startDate": "2024-01-01", "endDate": "2024-12-31",
        "activities": "[{\"status\":\"scheduled\",\"description\":\"A1c test\"}]",
        "sourceId": "https://ehr.example/plans|P-1"})")
                                  .as_object();
    auto plan_back = DecodeResource(CarePlanFromCarePlan(plan));
    ASSERT_TRUE(plan_back.ok()) << plan_back.error().field_errors.at(0).field;
    for (const char* field : {"status", "intent", "category", "title", "description", "startDate",
                              "endDate", "activities"}) {
        EXPECT_EQ(plan_back->fields.at(field), plan.at(field)) << field;
    }

    for (const char* status : {"granted", "denied", "revoked", "expired"}) {
        json::object consent = json::parse(R"({"id": "cns_1", "person": "per_1",
            "purpose": "autodialed-calls-and-texts", "channel": "sms",
            "effectiveDate": "2024-01-01", "capturedAt": "2024-01-01T10:00:00Z",
            "category": "59284-0", "scope": "patient-privacy",
            "documentUrl": "https://docs.example/c1.pdf",
            "fhirExtensions": "[{\"url\":\"https://ehr.example/ext/witness\",\"valueString\":\"A. Lee\"}]"})")
                                   .as_object();
        consent["status"] = status;
        if (std::string_view(status) == "expired") {
            consent["endDate"] = "2024-06-30";
        }
        auto back = DecodeResource(ConsentFromConsent(consent));
        ASSERT_TRUE(back.ok()) << back.error().field_errors.at(0).field;
        for (const auto& [field, value] : consent) {
            if (field != "id" && field != "person") {
                EXPECT_EQ(back->fields.at(field), value) << status << " " << field;
            }
        }
    }
}

}  // namespace
}  // namespace p360::formats::fhir
