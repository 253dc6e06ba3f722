// FHIR R4 through the real server: Patients read and searched as the caller sees them, errors as
// OperationOutcome, and every resource the server emitted validated by an independent FHIR
// validator (the `fhir` npm package, tests/fhir-validator).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "fhir_fixtures.hpp"
#include "test_server.hpp"

namespace p360::testing {
namespace {

class FhirTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        server_ = new TestServer();
        ASSERT_EQ(server_->RunCommand({"demo", "--members", "40"}), 0);
        server_->Start();
        admin_ = server_->Login("admin");
        agent_ = server_->Login("agent");
        for (
            const char* body :
            {R"({"firstName":"Fhiona","middleName":"Q","lastName":"Fhirsby","birthDate":"1984-05-06",)"
             R"("gender":"female","sourceId":"fhir-1","ssn":"111-22-3333",)"
             R"("medicareBeneficiaryId":"1EG4TE5MK73","phone":"+1 555 010 0101",)"
             R"("email":"fhiona@example.org","addressLine1":"1 Main St","city":"Springfield",)"
             R"("state":"IL","postalCode":"62701","preferredLanguage":"es"})",
             R"({"firstName":"Fred","lastName":"Fhirsby","birthDate":"1979-01-02","gender":"male",)"
             R"("sourceId":"fhir-2"})",
             R"({"firstName":"Olga","lastName":"Other","birthDate":"1990-03-04","sourceId":"fhir-3"})"}) {
            HttpResult created = server_->Request("POST", "/api/v1/records/Person", body, admin_);
            ASSERT_EQ(created.status, 201) << created.body;
            ids_.emplace_back(created.Json().at("id").as_string());
        }
        emitted_ = std::filesystem::temp_directory_path() /
                   ("p360_fhir_emitted_" + std::to_string(::getpid()));
        std::filesystem::create_directories(emitted_);
    }
    static void TearDownTestSuite() {
        std::filesystem::remove_all(emitted_);
        delete server_;
        server_ = nullptr;
    }

    // Every resource this test received must be valid FHIR R4, by an independent validator.
    void TearDown() override {
        std::string command = "node " + std::string(P360_FHIR_VALIDATOR_DIR) + "/validate.js";
        std::vector<std::filesystem::path> files;
        for (const auto& file : std::filesystem::directory_iterator(emitted_)) {
            files.push_back(file.path());
            command += " " + file.path().string();
        }
        if (files.empty()) {
            return;
        }
        const auto report = std::filesystem::temp_directory_path() /
                            ("p360_fhir_validator_" + std::to_string(::getpid()) + ".out");
        command += " > " + report.string() + " 2>&1";
        const int status = std::system(command.c_str());
        std::ifstream output(report);
        std::stringstream text;
        text << output.rdbuf();
        EXPECT_EQ(status, 0) << text.str();
        std::filesystem::remove(report);
        for (const auto& file : files) {
            std::filesystem::remove(file);
        }
    }

    // A FHIR answer, kept for the validator.
    static HttpResult Fhir(const std::string& target, const std::string& token) {
        HttpResult result = server_->Request("GET", target, "", token);
        EXPECT_EQ(result.Header("content-type"), "application/fhir+json") << target;
        std::ofstream(emitted_ / ("resource_" + std::to_string(++emitted_count_) + ".json"))
            << result.body;
        return result;
    }

    // POSTs a Bundle to /fhir/r4; the answer is kept for the validator.
    static HttpResult Post(const json::value& bundle, const std::string& token) {
        HttpResult result = server_->Request("POST", "/fhir/r4", json::serialize(bundle), token,
                                             {{"Content-Type", "application/fhir+json"}});
        EXPECT_EQ(result.Header("content-type"), "application/fhir+json");
        std::ofstream(emitted_ / ("resource_" + std::to_string(++emitted_count_) + ".json"))
            << result.body;
        return result;
    }

    static json::value Fixture(const std::string& relative) {
        return ReadFhirFixture(P360_FIXTURES_DIR, relative);
    }

    static std::size_t EntryCount(const HttpResult& result) {
        const json::object& body = result.Json().as_object();
        return body.contains("entry") ? body.at("entry").as_array().size() : 0;
    }

    // The pointers (issue.location) of an OperationOutcome.
    static std::vector<std::string> Locations(const HttpResult& result) {
        std::vector<std::string> locations;
        for (const auto& issue : result.Json().at("issue").as_array()) {
            if (issue.as_object().contains("location")) {
                for (const auto& location : issue.at("location").as_array()) {
                    locations.emplace_back(location.as_string());
                }
            }
        }
        return locations;
    }

    static TestServer* server_;
    static std::string admin_, agent_;
    static std::vector<std::string> ids_;
    static std::filesystem::path emitted_;
    static int emitted_count_;
};

TestServer* FhirTest::server_ = nullptr;
std::string FhirTest::admin_, FhirTest::agent_;
std::vector<std::string> FhirTest::ids_;
std::filesystem::path FhirTest::emitted_;
int FhirTest::emitted_count_ = 0;

TEST_F(FhirTest, APatientCarriesWhatTheCallerMaySee) {
    HttpResult as_admin = Fhir("/fhir/r4/Patient/" + ids_[0], admin_);
    ASSERT_EQ(as_admin.status, 200) << as_admin.body;
    const json::value& patient = as_admin.Json();
    EXPECT_EQ(patient.at("resourceType"), "Patient");
    EXPECT_EQ(patient.at("id"), json::value(ids_[0]));
    EXPECT_EQ(patient.at("name").at(0).at("family"), "Fhirsby");
    EXPECT_EQ(patient.at("name").at(0).at("given"), (json::array{"Fhiona", "Q"}));
    EXPECT_EQ(patient.at("birthDate"), "1984-05-06");
    EXPECT_EQ(patient.at("gender"), "female");
    EXPECT_EQ(patient.at("address").at(0).at("city"), "Springfield");
    EXPECT_EQ(Identifier(patient, "http://hl7.org/fhir/sid/us-ssn"), "111-22-3333");
    EXPECT_EQ(Identifier(patient, "http://hl7.org/fhir/sid/us-mbi"), "1EG4TE5MK73");

    HttpResult as_agent = Fhir("/fhir/r4/Patient/" + ids_[0], agent_);
    ASSERT_EQ(as_agent.status, 200);
    EXPECT_TRUE(Identifier(as_agent.Json(), "http://hl7.org/fhir/sid/us-ssn").empty());
    EXPECT_EQ(as_agent.body.find("111-22-3333"), std::string::npos);
}

TEST_F(FhirTest, SearchesFilterAndPage) {
    HttpResult family = Fhir("/fhir/r4/Patient?family=fhirsb", admin_);
    ASSERT_EQ(family.status, 200) << family.body;
    EXPECT_EQ(family.Json().at("type"), "searchset");
    EXPECT_EQ(family.Json().at("entry").as_array().size(), 2U);

    HttpResult born = Fhir("/fhir/r4/Patient?family=Fhirsby&birthdate=ge1980-01-01", admin_);
    ASSERT_EQ(born.Json().at("entry").as_array().size(), 1U);
    EXPECT_EQ(born.Json().at("entry").at(0).at("resource").at("id"), json::value(ids_[0]));

    HttpResult by_mbi = Fhir(
        "/fhir/r4/Patient?identifier=" + UrlEncode("http://hl7.org/fhir/sid/us-mbi|1EG4TE5MK73"),
        admin_);
    ASSERT_EQ(by_mbi.Json().at("entry").as_array().size(), 1U);

    // Without a system an identifier is any the caller may see: marketing may not read
    // government ids, so finds the member by their source id but not by their MBI — and is
    // not refused for fields it never named.
    server_->CreateUser("fhir-identifier-marketer", "marketing");
    const std::string marketer = server_->Login("fhir-identifier-marketer");
    HttpResult by_source = Fhir("/fhir/r4/Patient?identifier=fhir-1", marketer);
    ASSERT_EQ(by_source.status, 200) << by_source.body;
    ASSERT_EQ(by_source.Json().at("entry").as_array().size(), 1U);
    EXPECT_EQ(by_source.Json().at("entry").at(0).at("resource").at("id"), json::value(ids_[0]));
    HttpResult mbi_unseen = Fhir("/fhir/r4/Patient?identifier=1EG4TE5MK73", marketer);
    ASSERT_EQ(mbi_unseen.status, 200) << mbi_unseen.body;
    EXPECT_EQ(EntryCount(mbi_unseen), 0U);
    HttpResult mbi_seen = Fhir("/fhir/r4/Patient?identifier=1EG4TE5MK73", agent_);
    ASSERT_EQ(mbi_seen.status, 200) << mbi_seen.body;
    EXPECT_EQ(EntryCount(mbi_seen), 1U);

    // One per page: the next link leads through both Fhirsbys, then stops.
    std::vector<std::string> seen;
    std::string target = "/fhir/r4/Patient?family=Fhirsby&_count=1";
    for (int page = 0; page < 5 && !target.empty(); ++page) {
        HttpResult result = Fhir(target, admin_);
        ASSERT_EQ(result.status, 200) << result.body;
        for (const auto& entry : result.Json().at("entry").as_array()) {
            seen.emplace_back(entry.at("resource").at("id").as_string());
        }
        target.clear();
        for (const auto& link : result.Json().at("link").as_array()) {
            if (link.at("relation") == "next") {
                const std::string url(link.at("url").as_string());
                target = url.substr(url.find("/fhir/r4/"));
            }
        }
    }
    EXPECT_EQ(seen.size(), 2U);
    EXPECT_NE(seen[0], seen[1]);
}

TEST_F(FhirTest, ErrorsAreOperationOutcomes) {
    HttpResult missing = Fhir("/fhir/r4/Patient/per_0000000000000000000000000", admin_);
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.Json().at("resourceType"), "OperationOutcome");
    EXPECT_EQ(missing.Json().at("issue").at(0).at("code"), "not-found");
    HttpResult unknown = Fhir("/fhir/r4/Patient?favouriteColour=blue", admin_);
    EXPECT_EQ(unknown.status, 400);
    EXPECT_EQ(unknown.Json().at("issue").at(0).at("code"), "invalid");
    HttpResult anonymous = Fhir("/fhir/r4/Patient/" + ids_[0], "");
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_EQ(anonymous.Json().at("issue").at(0).at("code"), "login");
    HttpResult capabilities = Fhir("/fhir/r4/metadata", "");
    EXPECT_EQ(capabilities.status, 200) << "the capability statement holds no data";
    EXPECT_EQ(capabilities.Json().at("fhirVersion"), "4.0.1");
    std::map<std::string, std::vector<std::string>> params_of;
    for (const auto& resource : capabilities.Json().at("rest").at(0).at("resource").as_array()) {
        auto& params = params_of[std::string(resource.at("type").as_string())];
        for (const auto& param : resource.at("searchParam").as_array()) {
            params.emplace_back(param.at("name").as_string());
        }
    }
    for (const char* type : {"Claim", "ExplanationOfBenefit", "CarePlan", "Consent"}) {
        ASSERT_TRUE(params_of.contains(type)) << type;
        EXPECT_EQ(params_of[type],
                  (std::vector<std::string>{"_id", "_lastUpdated", "patient", "identifier"}))
            << type;
    }
}

// A demo member's coverage and clinical records, as FHIR, and only for roles that may see them.
TEST_F(FhirTest, CoverageConditionsAndMedicationsOfAMember) {
    HttpResult meds = Fhir("/fhir/r4/MedicationRequest?_count=1", admin_);
    ASSERT_EQ(meds.status, 200) << meds.body;
    ASSERT_EQ(meds.Json().at("entry").as_array().size(), 1U) << "the demo has medications";
    const auto& medication = meds.Json().at("entry").at(0).at("resource");
    EXPECT_EQ(medication.at("intent"), "order");
    const std::string subject(medication.at("subject").at("reference").as_string());
    ASSERT_EQ(subject.rfind("Patient/", 0), 0U);

    HttpResult coverage = Fhir("/fhir/r4/Coverage?beneficiary=" + UrlEncode(subject), admin_);
    ASSERT_EQ(coverage.status, 200) << coverage.body;
    ASSERT_FALSE(coverage.Json().at("entry").as_array().empty());
    for (const auto& entry : coverage.Json().at("entry").as_array()) {
        EXPECT_EQ(entry.at("resource").at("beneficiary").at("reference"), json::value(subject));
        EXPECT_FALSE(entry.at("resource").at("payor").as_array().empty());
    }
    HttpResult conditions = Fhir("/fhir/r4/Condition?patient=" + UrlEncode(subject), admin_);
    ASSERT_EQ(conditions.status, 200);
    for (const auto& entry : conditions.Json().at("entry").as_array()) {
        const auto& code = entry.at("resource").at("code").at("coding").at(0);
        EXPECT_EQ(code.at("system"), "http://hl7.org/fhir/sid/icd-10-cm");
        // ICD-10-CM codes in their dotted form: E119 is E11.9, I10 stays I10.
        const std::string id(entry.at("resource").at("id").as_string());
        HttpResult stored = server_->Request("GET", "/api/v1/records/Condition/" + id, "", admin_);
        const std::string plain(stored.Json().at("code").as_string());
        const std::string dotted =
            plain.size() > 3 ? plain.substr(0, 3) + "." + plain.substr(3) : plain;
        EXPECT_EQ(code.at("code"), json::value(dotted));
        // And each can be read on its own.
        EXPECT_EQ(Fhir("/fhir/r4/Condition/" + id, admin_).status, 200);
    }
    const std::string medication_id(medication.at("id").as_string());
    EXPECT_EQ(Fhir("/fhir/r4/MedicationRequest/" + medication_id, admin_).status, 200);

    // Everything about the patient in one Bundle; for an agent, without the clinical part.
    const std::string everything = "/fhir/r4/" + subject + "/$everything";
    HttpResult all = Fhir(everything, admin_);
    ASSERT_EQ(all.status, 200) << all.body;
    std::map<std::string, int> types;
    for (const auto& entry : all.Json().at("entry").as_array()) {
        ++types[std::string(entry.at("resource").at("resourceType").as_string())];
    }
    EXPECT_EQ(types["Patient"], 1);
    EXPECT_EQ(types["Coverage"], static_cast<int>(coverage.Json().at("entry").as_array().size()));
    EXPECT_EQ(types["Condition"],
              static_cast<int>(conditions.Json().at("entry").as_array().size()));
    EXPECT_GE(types["MedicationRequest"], 1);
    HttpResult for_agent = Fhir(everything, agent_);
    ASSERT_EQ(for_agent.status, 200);
    for (const auto& entry : for_agent.Json().at("entry").as_array()) {
        EXPECT_NE(entry.at("resource").at("resourceType"), "Condition");
        EXPECT_NE(entry.at("resource").at("resourceType"), "MedicationRequest");
    }

    // Agents see coverage, not clinical records.
    EXPECT_EQ(Fhir("/fhir/r4/Coverage?beneficiary=" + UrlEncode(subject), agent_).status, 200);
    HttpResult refused = Fhir("/fhir/r4/Condition?patient=" + UrlEncode(subject), agent_);
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(refused.Json().at("issue").at(0).at("code"), "forbidden");
    EXPECT_EQ(Fhir("/fhir/r4/MedicationRequest/" + medication_id, agent_).status, 403);
}

// The provider directory and the plan's organisations, as FHIR, from the demo payer.
TEST_F(FhirTest, TheDirectoryAsOrganizationPractitionerAndLocation) {
    for (const char* type : {"Organization", "Practitioner", "Location"}) {
        HttpResult page = Fhir(std::string("/fhir/r4/") + type + "?_count=5", agent_);
        ASSERT_EQ(page.status, 200) << type << " " << page.body;
        const auto& entries = page.Json().at("entry").as_array();
        ASSERT_FALSE(entries.empty()) << "the demo payer has " << type << " records";
        const auto& first = entries[0].at("resource");
        EXPECT_EQ(first.at("resourceType"), json::value(type));
        const std::string id(first.at("id").as_string());
        HttpResult read = Fhir(std::string("/fhir/r4/") + type + "/" + id, agent_);
        ASSERT_EQ(read.status, 200);
        EXPECT_EQ(read.Json().at("id"), json::value(id));
    }
    HttpResult practitioners = Fhir("/fhir/r4/Practitioner?_count=50", admin_);
    bool has_npi = false;
    for (const auto& entry : practitioners.Json().at("entry").as_array()) {
        has_npi =
            has_npi || !Identifier(entry.at("resource"), "http://hl7.org/fhir/sid/us-npi").empty();
    }
    EXPECT_TRUE(has_npi) << "practitioners carry their NPI";
    HttpResult named = Fhir("/fhir/r4/Organization?name=zzz-no-such", admin_);
    ASSERT_EQ(named.status, 200);
    EXPECT_TRUE(named.Json().at("entry").as_array().empty());
    EXPECT_EQ(Fhir("/fhir/r4/Location?patient=Patient/x", admin_).status, 400)
        << "the directory is not about one patient";
}

// ---- Import: transaction and batch Bundles ----

// A Synthea person posted as a transaction: the member, their practitioner and organisation,
// conditions and medication are created, keep their identifiers and extensions, read back as
// FHIR, and posting the same Bundle again creates nothing.
TEST_F(FhirTest, ASyntheaTransactionImportsOnceAndReadsBack) {
    const json::value source = Fixture("synthea/Buster_Hoeger.json");
    const json::value bundle = HeldEntriesOf(source);
    const auto& entries = bundle.at("entry").as_array();
    ASSERT_EQ(entries.size(), 13U) << "1 Patient, 1 Organization, 1 Practitioner, 6 Encounters, "
                                      "3 Conditions, 1 MedicationRequest in the fixture";
    // The first entry of each type, to follow it through.
    std::map<std::string, std::size_t> first_of;
    for (std::size_t entry_idx = 0; entry_idx < entries.size(); ++entry_idx) {
        first_of.emplace(entries[entry_idx].at("resource").at("resourceType").as_string(),
                         entry_idx);
    }
    const std::size_t patient_idx = first_of.at("Patient");
    const std::size_t organization_idx = first_of.at("Organization");
    const std::size_t practitioner_idx = first_of.at("Practitioner");
    const std::size_t encounter_idx = first_of.at("Encounter");
    const std::size_t medication_idx = first_of.at("MedicationRequest");
    const json::value& patient_in = entries[patient_idx].at("resource");

    HttpResult first = Post(bundle, admin_);
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(first.Json().at("type"), "transaction-response");
    ASSERT_EQ(EntryCount(first), entries.size());
    std::vector<std::string> locations;
    for (std::size_t entry_idx = 0; entry_idx < entries.size(); ++entry_idx) {
        const auto& response = first.Json().at("entry").at(entry_idx).at("response");
        EXPECT_EQ(response.at("status"), "201 Created");
        const std::string location(response.at("location").as_string());
        const std::string type(entries[entry_idx].at("resource").at("resourceType").as_string());
        EXPECT_EQ(location.rfind(type + "/", 0), 0U) << location;
        EXPECT_NE(location.find("/_history/1"), std::string::npos);
        EXPECT_EQ(response.at("etag"), "W/\"1\"");
        locations.push_back(location.substr(0, location.find("/_history")));
    }

    // The member, found by the identifier Synthea gave them.
    const std::string synthea_id(patient_in.at("identifier").at(0).at("value").as_string());
    HttpResult found =
        Fhir("/fhir/r4/Patient?identifier=" +
                 UrlEncode("https://github.com/synthetichealth/synthea|" + synthea_id),
             admin_);
    ASSERT_EQ(found.status, 200) << found.body;
    ASSERT_EQ(EntryCount(found), 1U);
    const json::value& patient = found.Json().at("entry").at(0).at("resource");
    EXPECT_EQ("Patient/" + std::string(patient.at("id").as_string()), locations[patient_idx]);
    EXPECT_EQ(patient.at("name").at(0).at("family"), patient_in.at("name").at(0).at("family"));
    EXPECT_EQ(patient.at("name").at(0).at("given").at(0),
              patient_in.at("name").at(0).at("given").at(0));
    EXPECT_EQ(patient.at("birthDate"), patient_in.at("birthDate"));
    EXPECT_EQ(patient.at("gender"), patient_in.at("gender"));
    // Every identifier of the source comes back, with its system.
    for (const auto& identifier : patient_in.at("identifier").as_array()) {
        EXPECT_EQ(
            json::value(Identifier(patient, std::string(identifier.at("system").as_string()))),
            identifier.at("value"))
            << identifier.at("system");
    }
    // So does every extension, unchanged.
    ASSERT_TRUE(patient.as_object().contains("extension"));
    const auto& extensions_in = patient_in.at("extension").as_array();
    ASSERT_EQ(patient.at("extension").as_array().size(), extensions_in.size());
    for (std::size_t extension_idx = 0; extension_idx < extensions_in.size(); ++extension_idx) {
        const auto& out = patient.at("extension").at(extension_idx);
        EXPECT_EQ(out.at("url"), extensions_in[extension_idx].at("url"));
        if (extensions_in[extension_idx].as_object().contains("valueString")) {
            EXPECT_EQ(out.at("valueString"), extensions_in[extension_idx].at("valueString"));
        }
    }
    // An agent sees the member, but not their SSN or other government ids.
    HttpResult for_agent = Fhir("/" + std::string("fhir/r4/") + locations[patient_idx], agent_);
    ASSERT_EQ(for_agent.status, 200);
    EXPECT_TRUE(Identifier(for_agent.Json(), "http://hl7.org/fhir/sid/us-ssn").empty());
    EXPECT_TRUE(Identifier(for_agent.Json(), "urn:oid:2.16.840.1.113883.4.3.25").empty())
        << "no driver's licence number for agents";

    // Conditions and the medication, linked to the member.
    std::vector<std::string> codes_in;
    for (const auto& entry : entries) {
        if (entry.at("resource").at("resourceType") == "Condition") {
            codes_in.emplace_back(
                entry.at("resource").at("code").at("coding").at(0).at("code").as_string());
        }
    }
    HttpResult conditions =
        Fhir("/fhir/r4/Condition?patient=" + UrlEncode(locations[patient_idx]), admin_);
    ASSERT_EQ(conditions.status, 200);
    ASSERT_EQ(EntryCount(conditions), codes_in.size());
    std::vector<std::string> codes_out;
    for (const auto& entry : conditions.Json().at("entry").as_array()) {
        const auto& coding = entry.at("resource").at("code").at("coding").at(0);
        EXPECT_EQ(coding.at("system"), "http://snomed.info/sct");
        codes_out.emplace_back(coding.at("code").as_string());
    }
    std::sort(codes_in.begin(), codes_in.end());
    std::sort(codes_out.begin(), codes_out.end());
    EXPECT_EQ(codes_out, codes_in);
    HttpResult medication = Fhir("/fhir/r4/" + locations[medication_idx], admin_);
    ASSERT_EQ(medication.status, 200);
    EXPECT_EQ(medication.Json().at("subject").at("reference"), json::value(locations[patient_idx]));
    EXPECT_EQ(medication.Json().at("requester").at("reference"),
              json::value(locations[practitioner_idx]));
    EXPECT_EQ(medication.Json().at("medicationCodeableConcept").at("coding").at(0).at("code"),
              entries[medication_idx]
                  .at("resource")
                  .at("medicationCodeableConcept")
                  .at("coding")
                  .at(0)
                  .at("code"));
    HttpResult practitioner = Fhir("/fhir/r4/" + locations[practitioner_idx], admin_);
    EXPECT_EQ(json::value(Identifier(practitioner.Json(), "http://hl7.org/fhir/sid/us-npi")),
              entries[practitioner_idx].at("resource").at("identifier").at(0).at("value"));
    EXPECT_EQ(Fhir("/fhir/r4/" + locations[organization_idx], admin_).Json().at("name"),
              entries[organization_idx].at("resource").at("name"));
    // An encounter: its setting, period, practitioner and organisation.
    const json::value& encounter_in = entries[encounter_idx].at("resource");
    HttpResult encounter = Fhir("/fhir/r4/" + locations[encounter_idx], admin_);
    ASSERT_EQ(encounter.status, 200);
    EXPECT_EQ(encounter.Json().at("class").at("code"), encounter_in.at("class").at("code"));
    EXPECT_EQ(encounter.Json().at("type").at(0).at("coding").at(0).at("code"),
              encounter_in.at("type").at(0).at("coding").at(0).at("code"));
    EXPECT_EQ(encounter.Json().at("period").at("start").as_string(),
              encounter_in.at("period").at("start").as_string().subview(0, 10));
    EXPECT_EQ(encounter.Json().at("subject").at("reference"), json::value(locations[patient_idx]));
    EXPECT_EQ(encounter.Json().at("participant").at(0).at("individual").at("reference"),
              json::value(locations[practitioner_idx]));
    EXPECT_EQ(encounter.Json().at("serviceProvider").at("reference"),
              json::value(locations[organization_idx]));
    HttpResult everything = Fhir("/fhir/r4/" + locations[patient_idx] + "/$everything", admin_);
    ASSERT_EQ(everything.status, 200);
    EXPECT_EQ(EntryCount(everything), 11U)
        << "the patient, 3 conditions, 1 medication, 6 encounters";

    // The same Bundle again: every entry finds its record, nothing is created or changed.
    HttpResult again = Post(bundle, admin_);
    ASSERT_EQ(again.status, 200) << again.body;
    for (std::size_t entry_idx = 0; entry_idx < entries.size(); ++entry_idx) {
        const auto& response = again.Json().at("entry").at(entry_idx).at("response");
        EXPECT_EQ(response.at("status"), "200 OK");
        EXPECT_EQ(std::string(response.at("location").as_string()),
                  locations[entry_idx] + "/_history/1");
    }
    EXPECT_EQ(EntryCount(Fhir("/fhir/r4/Patient?family=" +
                                  std::string(patient_in.at("name").at(0).at("family").as_string()),
                              admin_)),
              1U);
    EXPECT_EQ(
        EntryCount(Fhir("/fhir/r4/Condition?patient=" + UrlEncode(locations[patient_idx]), admin_)),
        codes_in.size());
}

// The whole Synthea Bundle as a batch: what payer360 holds is written, every other entry
// (Observation, Immunization, …) is refused on its own with a pointer to it. An
// ExplanationOfBenefit updates the claim it answers.
TEST_F(FhirTest, ABatchAppliesEachEntryOnItsOwn) {
    json::value bundle = Fixture("synthea/Clemente_Kreiger.json");
    bundle.as_object()["type"] = "batch";
    const auto& entries = bundle.at("entry").as_array();
    HttpResult result = Post(bundle, admin_);
    ASSERT_EQ(result.status, 200) << result.body;
    EXPECT_EQ(result.Json().at("type"), "batch-response");
    ASSERT_EQ(EntryCount(result), entries.size());
    int created = 0;
    int adjudicated = 0;
    for (std::size_t entry_idx = 0; entry_idx < entries.size(); ++entry_idx) {
        const std::string type(entries[entry_idx].at("resource").at("resourceType").as_string());
        const auto& response = result.Json().at("entry").at(entry_idx).at("response");
        if (type == "ExplanationOfBenefit") {
            EXPECT_EQ(response.at("status"), "200 OK") << entry_idx << " updates its claim";
            ++adjudicated;
            continue;
        }
        const bool held = type == "Patient" || type == "Organization" || type == "Practitioner" ||
                          type == "Encounter" || type == "Condition" || type == "Claim";
        if (held) {
            EXPECT_EQ(response.at("status"), "201 Created") << entry_idx << " " << type;
            ++created;
            continue;
        }
        EXPECT_EQ(response.at("status"), "400 Bad Request") << entry_idx << " " << type;
        const auto& issue = response.at("outcome").at("issue").at(0);
        EXPECT_EQ(issue.at("location").at(0),
                  json::value("/entry/" + std::to_string(entry_idx) + "/resource/resourceType"));
    }
    EXPECT_EQ(created, 10)
        << "1 Patient, 1 Organization, 1 Practitioner, 3 Encounters, 1 Condition, 3 Claims";
    EXPECT_EQ(adjudicated, 3);
    const std::string family(entries[0].at("resource").at("name").at(0).at("family").as_string());
    EXPECT_EQ(EntryCount(Fhir("/fhir/r4/Patient?family=" + family, admin_)), 1U);
}

// One bad entry refuses the whole transaction, with a pointer to it; nothing is written.
TEST_F(FhirTest, ATransactionWithABadEntryWritesNothing) {
    const json::value patient = {
        {"resourceType", "Patient"},
        {"identifier",
         json::array{{{"system", "https://example.org/mrn"}, {"value", "bad-entry-1"}}}},
        {"name", json::array{{{"family", "Rollback"}, {"given", json::array{"Rhoda"}}}}},
        {"birthDate", "1970-01-01"}};
    json::value condition = {
        {"resourceType", "Condition"},
        {"code",
         {{"coding",
           json::array{{{"system", "http://hl7.org/fhir/sid/icd-10-cm"}, {"code", "E11.9"}}}}}},
        {"subject", {{"reference", "urn:uuid:00000000-0000-4000-8000-000000000001"}}},
        {"onsetDateTime", "last tuesday"}};
    auto bundle_of = [&](const json::value& second) {
        return json::value{
            {"resourceType", "Bundle"},
            {"type", "transaction"},
            {"entry",
             json::array{{{"fullUrl", "urn:uuid:00000000-0000-4000-8000-000000000001"},
                          {"resource", patient},
                          {"request", {{"method", "POST"}, {"url", "Patient"}}}},
                         {{"fullUrl", "urn:uuid:00000000-0000-4000-8000-000000000002"},
                          {"resource", second},
                          {"request", {{"method", "POST"}, {"url", second.at("resourceType")}}}}}}};
    };
    // A value the catalog refuses: found when the change set is validated.
    HttpResult bad_date = Post(bundle_of(condition), admin_);
    ASSERT_EQ(bad_date.status, 400) << bad_date.body;
    EXPECT_EQ(bad_date.Json().at("resourceType"), "OperationOutcome");
    EXPECT_EQ(Locations(bad_date), std::vector<std::string>{"/entry/1/resource/onsetDateTime"});
    EXPECT_EQ(bad_date.Json().at("issue").at(0).at("expression").at(0),
              "Bundle.entry[1].resource.onsetDateTime");
    // An element of the wrong JSON type: found while decoding.
    condition.as_object()["onsetDateTime"] = 20200101;
    HttpResult wrong_type = Post(bundle_of(condition), admin_);
    ASSERT_EQ(wrong_type.status, 400);
    EXPECT_EQ(Locations(wrong_type), std::vector<std::string>{"/entry/1/resource/onsetDateTime"});
    // A resource payer360 does not hold.
    HttpResult unknown_type = Post(bundle_of({{"resourceType", "Observation"}}), admin_);
    ASSERT_EQ(unknown_type.status, 400);
    EXPECT_EQ(Locations(unknown_type), std::vector<std::string>{"/entry/1/resource/resourceType"});
    // A reference to nothing in the Bundle.
    condition.as_object()["onsetDateTime"] = "2020-01-01";
    condition.as_object()["subject"] = {
        {"reference", "urn:uuid:99999999-0000-4000-8000-0000000000ff"}};
    HttpResult broken = Post(bundle_of(condition), admin_);
    ASSERT_EQ(broken.status, 400);
    EXPECT_EQ(Locations(broken), std::vector<std::string>{"/entry/1/resource/subject/reference"});
    // A reference to a record that does not exist.
    condition.as_object()["subject"] = {{"reference", "Patient/per_00000000000000000000000000"}};
    HttpResult missing = Post(bundle_of(condition), admin_);
    ASSERT_EQ(missing.status, 400) << missing.body;
    EXPECT_EQ(Locations(missing), std::vector<std::string>{"/entry/1/resource/subject/reference"});
    // A reference to a resource of the wrong type.
    condition.as_object()["subject"] = {
        {"reference", "urn:uuid:00000000-0000-4000-8000-000000000002"}};
    HttpResult self = Post(bundle_of(condition), admin_);
    ASSERT_EQ(self.status, 400);
    EXPECT_EQ(Locations(self), std::vector<std::string>{"/entry/1/resource/subject/reference"});

    // A required field the resource leaves out: the element it would have come from.
    HttpResult nameless =
        Post({{"resourceType", "Bundle"},
              {"type", "transaction"},
              {"entry", json::array{{{"resource", {{"resourceType", "Patient"}}},
                                     {"request", {{"method", "POST"}, {"url", "Patient"}}}}}}},
             admin_);
    ASSERT_EQ(nameless.status, 400) << nameless.body;
    EXPECT_EQ(Locations(nameless),
              (std::vector<std::string>{"/entry/0/resource/name", "/entry/0/resource/name"}))
        << "first and last name are required";
    // None of them left the patient behind.
    EXPECT_EQ(EntryCount(Fhir("/fhir/r4/Patient?family=Rollback", admin_)), 0U);
    // And the same Bundle with a good condition goes through whole.
    condition.as_object()["subject"] = {
        {"reference", "urn:uuid:00000000-0000-4000-8000-000000000001"}};
    HttpResult good = Post(bundle_of(condition), admin_);
    ASSERT_EQ(good.status, 200) << good.body;
    EXPECT_EQ(EntryCount(Fhir("/fhir/r4/Patient?family=Rollback", admin_)), 1U);
}

// Access control applies to every entry: an agent may create members but not clinical records,
// so a Bundle with a condition is refused whole.
TEST_F(FhirTest, AnAgentCannotImportWhatTheyMayNotWrite) {
    const json::value bundle = {
        {"resourceType", "Bundle"},
        {"type", "transaction"},
        {"entry",
         json::array{
             {{"fullUrl", "urn:uuid:00000000-0000-4000-8000-00000000a001"},
              {"resource",
               {{"resourceType", "Patient"},
                {"name", json::array{{{"family", "Unwritten"}, {"given", json::array{"Una"}}}}}}},
              {"request", {{"method", "POST"}, {"url", "Patient"}}}},
             {{"fullUrl", "urn:uuid:00000000-0000-4000-8000-00000000a002"},
              {"resource",
               {{"resourceType", "Condition"},
                {"code",
                 {{"coding",
                   json::array{{{"system", "http://snomed.info/sct"}, {"code", "38341003"}}}}}},
                {"subject", {{"reference", "urn:uuid:00000000-0000-4000-8000-00000000a001"}}}}},
              {"request", {{"method", "POST"}, {"url", "Condition"}}}}}}};
    HttpResult refused = Post(bundle, agent_);
    ASSERT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(refused.Json().at("issue").at(0).at("code"), "forbidden");
    EXPECT_EQ(Locations(refused), std::vector<std::string>{"/entry/1/resource"});
    EXPECT_EQ(EntryCount(Fhir("/fhir/r4/Patient?family=Unwritten", admin_)), 0U);
    // In a batch, the patient alone goes through.
    json::value batch = bundle;
    batch.as_object()["type"] = "batch";
    HttpResult partial = Post(batch, agent_);
    ASSERT_EQ(partial.status, 200) << partial.body;
    EXPECT_EQ(partial.Json().at("entry").at(0).at("response").at("status"), "201 Created");
    EXPECT_EQ(partial.Json().at("entry").at(1).at("response").at("status"), "403 Forbidden");
    EXPECT_EQ(EntryCount(Fhir("/fhir/r4/Patient?family=Unwritten", admin_)), 1U);
    EXPECT_EQ(Post(bundle, "").status, 401);
}

// Conditional create finds the record an identifier names; PUT updates by id or by identifier.
TEST_F(FhirTest, ConditionalCreateAndUpdate) {
    const std::string mrn = "https://example.org/mrn|cond-7";
    json::value patient = {
        {"resourceType", "Patient"},
        {"identifier", json::array{{{"system", "https://example.org/mrn"}, {"value", "cond-7"}}}},
        {"name", json::array{{{"family", "Conditional"}, {"given", json::array{"Cora"}}}}},
        {"birthDate", "1960-06-01"}};
    auto entry = [&](const std::string& method, const std::string& url,
                     const std::string& if_none_exist) {
        json::object request{{"method", method}, {"url", url}};
        if (!if_none_exist.empty()) {
            request["ifNoneExist"] = if_none_exist;
        }
        return json::value{{"resourceType", "Bundle"},
                           {"type", "transaction"},
                           {"entry", json::array{{{"resource", patient}, {"request", request}}}}};
    };
    HttpResult created = Post(entry("POST", "Patient", "identifier=" + UrlEncode(mrn)), admin_);
    ASSERT_EQ(created.status, 200) << created.body;
    const auto& response = created.Json().at("entry").at(0).at("response");
    EXPECT_EQ(response.at("status"), "201 Created");
    const std::string location(response.at("location").as_string());
    const std::string id = location.substr(8, location.find("/_history") - 8);

    patient.as_object()["birthDate"] = "1961-06-01";
    HttpResult kept = Post(entry("POST", "Patient", "identifier=" + UrlEncode(mrn)), admin_);
    ASSERT_EQ(kept.status, 200);
    EXPECT_EQ(kept.Json().at("entry").at(0).at("response").at("status"), "200 OK");
    EXPECT_EQ(Fhir("/fhir/r4/Patient/" + id, admin_).Json().at("birthDate"), "1960-06-01")
        << "a conditional create leaves the record it finds as it is";

    HttpResult updated = Post(entry("PUT", "Patient?identifier=" + UrlEncode(mrn), ""), admin_);
    ASSERT_EQ(updated.status, 200) << updated.body;
    EXPECT_EQ(updated.Json().at("entry").at(0).at("response").at("etag"), "W/\"2\"");
    EXPECT_EQ(Fhir("/fhir/r4/Patient/" + id, admin_).Json().at("birthDate"), "1961-06-01");

    patient.as_object()["gender"] = "female";
    HttpResult by_id = Post(entry("PUT", "Patient/" + id, ""), admin_);
    ASSERT_EQ(by_id.status, 200) << by_id.body;
    EXPECT_EQ(by_id.Json().at("entry").at(0).at("response").at("location"),
              json::value("Patient/" + id + "/_history/3"));
    EXPECT_EQ(Fhir("/fhir/r4/Patient/" + id, admin_).Json().at("gender"), "female");
    EXPECT_EQ(Post(entry("PUT", "Patient/per_00000000000000000000000000", ""), admin_).status, 404);
    EXPECT_EQ(EntryCount(Fhir("/fhir/r4/Patient?family=Conditional", admin_)), 1U);

    HttpResult bad_condition = Post(entry("POST", "Patient", "name=Cora"), admin_);
    ASSERT_EQ(bad_condition.status, 400);
    EXPECT_EQ(Locations(bad_condition), std::vector<std::string>{"/entry/0/request/ifNoneExist"});
}

// Official HL7 examples in one transaction, with relative references resolved against the
// entries' fullUrls; what comes back validates.
TEST_F(FhirTest, Hl7ExamplesImportWithRelativeReferences) {
    json::array entries;
    for (const char* name :
         {"Patient-example", "Practitioner-example", "Organization-hl7pay", "Condition-example"}) {
        json::value resource = Fixture(std::string("hl7-r4-examples/") + name + ".json");
        const std::string type(resource.at("resourceType").as_string());
        const std::string id(resource.at("id").as_string());
        entries.push_back({{"fullUrl", "http://hl7.org/fhir/" + type + "/" + id},
                           {"resource", resource},
                           {"request", {{"method", "POST"}, {"url", type}}}});
    }
    const json::value patient_in = entries[0].at("resource");
    HttpResult result =
        Post({{"resourceType", "Bundle"}, {"type", "transaction"}, {"entry", entries}}, admin_);
    ASSERT_EQ(result.status, 200) << result.body;
    std::vector<std::string> locations;
    for (const auto& entry : result.Json().at("entry").as_array()) {
        const std::string location(entry.at("response").at("location").as_string());
        locations.push_back(location.substr(0, location.find("/_history")));
    }
    HttpResult patient = Fhir("/fhir/r4/" + locations[0], admin_);
    ASSERT_EQ(patient.status, 200);
    EXPECT_EQ(patient.Json().at("name").at(0).at("family"), "Chalmers");
    EXPECT_EQ(patient.Json().at("name").at(0).at("given"), (json::array{"Peter", "James"}));
    EXPECT_EQ(patient.Json().at("name").at(1).at("given"), (json::array{"Jim"}))
        << "the usual name is the preferred name";
    EXPECT_EQ(patient.Json().at("birthDate"), "1974-12-25");
    EXPECT_EQ(Identifier(patient.Json(), "urn:oid:1.2.36.146.595.217.0.1"), "12345");
    HttpResult condition = Fhir("/fhir/r4/" + locations[3], admin_);
    ASSERT_EQ(condition.status, 200);
    EXPECT_EQ(condition.Json().at("subject").at("reference"), json::value(locations[0]))
        << "Patient/example named the entry http://hl7.org/fhir/Patient/example";
    EXPECT_EQ(condition.Json().at("severity").at("coding").at(0).at("code"), "24484000");
    EXPECT_EQ(Fhir("/fhir/r4/" + locations[1], admin_).status, 200);
    EXPECT_EQ(Fhir("/fhir/r4/" + locations[2], admin_).Json().at("name"), "HL7 Payer network");
}

// A Coverage names its plan by plan code (the official example's plan class B37FC); the plan
// must be set up first. A Location names its practitioner by payer360's extension.
TEST_F(FhirTest, CoverageAndLocationImportAgainstTheirPlanAndPractitioner) {
    HttpResult plan = server_->Request(
        "POST", "/api/v1/records/Plan",
        R"({"planCode":"B37FC","name":"Full Coverage","lineOfBusiness":"commercial",)"
        R"("status":"active","effectiveDate":"2024-01-01"})",
        admin_);
    ASSERT_EQ(plan.status, 201) << plan.body;
    json::value coverage = Fixture("hl7-r4-examples/Coverage-9876B1.json");
    coverage.as_object()["beneficiary"] = {
        {"reference", "urn:uuid:00000000-0000-4000-8000-0000000c0001"}};
    coverage.as_object()["subscriber"] = coverage.at("beneficiary");
    const json::value location_in = {
        {"resourceType", "Location"},
        {"extension",
         json::array{{{"url", "https://payer360.dev/fhir/StructureDefinition/location-provider"},
                      {"valueReference",
                       {{"reference", "urn:uuid:00000000-0000-4000-8000-0000000c0003"}}}}}},
        {"name", "Main Street Clinic"},
        {"address", {{"line", json::array{"1 Main St"}}, {"city", "Springfield"}}},
        {"position", {{"longitude", -89.65}, {"latitude", 39.78}}}};
    auto bundle_with = [&](const json::value& covered) {
        return json::value{
            {"resourceType", "Bundle"},
            {"type", "transaction"},
            {"entry",
             json::array{
                 {{"fullUrl", "urn:uuid:00000000-0000-4000-8000-0000000c0001"},
                  {"resource",
                   {{"resourceType", "Patient"},
                    {"name", json::array{{{"family", "Covered"}, {"given", json::array{"Cal"}}}}}}},
                  {"request", {{"method", "POST"}, {"url", "Patient"}}}},
                 {{"fullUrl", "urn:uuid:00000000-0000-4000-8000-0000000c0002"},
                  {"resource", covered},
                  {"request", {{"method", "POST"}, {"url", "Coverage"}}}},
                 {{"fullUrl", "urn:uuid:00000000-0000-4000-8000-0000000c0003"},
                  {"resource",
                   {{"resourceType", "Practitioner"},
                    {"identifier", json::array{{{"system", "http://hl7.org/fhir/sid/us-npi"},
                                                {"value", "1093817465"}}}},
                    {"name",
                     json::array{{{"family", "Welby"}, {"given", json::array{"Marcus"}}}}}}},
                  {"request", {{"method", "POST"}, {"url", "Practitioner"}}}},
                 {{"fullUrl", "urn:uuid:00000000-0000-4000-8000-0000000c0004"},
                  {"resource", location_in},
                  {"request", {{"method", "POST"}, {"url", "Location"}}}}}}};
    };
    json::value unknown_plan = coverage;
    unknown_plan.as_object()["class"].as_array().at(2).as_object()["value"] = "NO-SUCH-PLAN";
    HttpResult refused = Post(bundle_with(unknown_plan), admin_);
    ASSERT_EQ(refused.status, 400) << refused.body;
    EXPECT_EQ(Locations(refused), std::vector<std::string>{"/entry/1/resource/class/2/value"});

    HttpResult result = Post(bundle_with(coverage), admin_);
    ASSERT_EQ(result.status, 200) << result.body;
    std::vector<std::string> locations;
    for (const auto& entry : result.Json().at("entry").as_array()) {
        const std::string location(entry.at("response").at("location").as_string());
        locations.push_back(location.substr(0, location.find("/_history")));
    }
    HttpResult read = Fhir("/fhir/r4/" + locations[1], admin_);
    ASSERT_EQ(read.status, 200);
    EXPECT_EQ(read.Json().at("beneficiary").at("reference"), json::value(locations[0]));
    EXPECT_EQ(read.Json().at("period"), coverage.at("period"));
    EXPECT_EQ(read.Json().at("relationship").at("coding").at(0).at("code"), "self");
    EXPECT_EQ(Identifier(read.Json(), "http://benefitsinc.com/certificate"), "12345");
    bool has_group = false;
    bool has_plan = false;
    for (const auto& coverage_class : read.Json().at("class").as_array()) {
        const auto& code = coverage_class.at("type").at("coding").at(0).at("code");
        has_group = has_group || (code == "group" && coverage_class.at("value") == "CB135");
        has_plan = has_plan || (code == "plan" && coverage_class.at("value") == "B37FC");
    }
    EXPECT_TRUE(has_group && has_plan) << read.body;
    HttpResult location = Fhir("/fhir/r4/" + locations[3], admin_);
    ASSERT_EQ(location.status, 200);
    EXPECT_EQ(location.Json().at("name"), "Main Street Clinic");
    EXPECT_EQ(location.Json().at("position"), location_in.at("position"));
    EXPECT_EQ(location.Json().at("extension").at(0).at("valueReference").at("reference"),
              json::value(locations[2]));
}

// A member's relatives as RelatedPerson: the relationship, and the relative's name and contacts
// as far as the caller may read them.
TEST_F(FhirTest, RelatedPersonsOfAMember) {
    HttpResult created = server_->Request(
        "POST", "/api/v1/records/ContactRelationship",
        R"({"person":")" + ids_[0] + R"(","relatedPerson":")" + ids_[1] +
            R"(","relationshipType":"spouse","isActive":true,"startDate":"2010-06-12"})",
        admin_);
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string id(created.Json().at("id").as_string());
    HttpResult read = Fhir("/fhir/r4/RelatedPerson/" + id, admin_);
    ASSERT_EQ(read.status, 200) << read.body;
    EXPECT_EQ(read.Json().at("patient").at("reference"), json::value("Patient/" + ids_[0]));
    EXPECT_EQ(read.Json().at("relationship").at(0).at("coding").at(0).at("code"), "SPS");
    EXPECT_EQ(read.Json().at("name").at(0).at("family"), "Fhirsby");
    EXPECT_EQ(read.Json().at("name").at(0).at("given").at(0), "Fred");
    EXPECT_EQ(read.Json().at("birthDate"), "1979-01-02");
    EXPECT_EQ(read.Json().at("period").at("start"), "2010-06-12");
    EXPECT_EQ(read.Json().at("active"), true);
    HttpResult of_member =
        Fhir("/fhir/r4/RelatedPerson?patient=" + UrlEncode("Patient/" + ids_[0]), agent_);
    ASSERT_EQ(of_member.status, 200) << of_member.body;
    ASSERT_EQ(EntryCount(of_member), 1U);
    EXPECT_EQ(of_member.Json().at("entry").at(0).at("resource").at("id"), json::value(id));
    EXPECT_EQ(EntryCount(Fhir("/fhir/r4/RelatedPerson?patient=" + ids_[2], admin_)), 0U);
    HttpResult everything = Fhir("/fhir/r4/Patient/" + ids_[0] + "/$everything", admin_);
    bool listed = false;
    for (const auto& entry : everything.Json().at("entry").as_array()) {
        listed = listed || entry.at("resource").at("resourceType") == "RelatedPerson";
    }
    EXPECT_TRUE(listed) << "$everything lists the member's relatives";
    EXPECT_EQ(Fhir("/fhir/r4/RelatedPerson?identifier=x", admin_).status, 400);
}

// Where each practitioner practises, as PractitionerRole: one per provider location.
TEST_F(FhirTest, PractitionerRolesOfTheDirectory) {
    HttpResult roles = Fhir("/fhir/r4/PractitionerRole?_count=5", agent_);
    ASSERT_EQ(roles.status, 200) << roles.body;
    ASSERT_FALSE(roles.Json().at("entry").as_array().empty()) << "the demo has provider locations";
    const json::value& role = roles.Json().at("entry").at(0).at("resource");
    const std::string id(role.at("id").as_string());
    EXPECT_EQ(role.at("location").at(0).at("reference"), json::value("Location/" + id));
    const std::string practitioner(role.at("practitioner").at("reference").as_string());
    ASSERT_EQ(practitioner.rfind("Practitioner/", 0), 0U);
    HttpResult stored =
        server_->Request("GET", "/api/v1/records/ProviderLocation/" + id, "", admin_);
    ASSERT_EQ(stored.status, 200);
    EXPECT_EQ(practitioner,
              "Practitioner/" + std::string(stored.Json().at("provider").as_string()));
    HttpResult provider =
        server_->Request("GET", "/api/v1/records/Provider/" + practitioner.substr(13), "", admin_);
    if (provider.Json().as_object().contains("taxonomyCode")) {
        EXPECT_EQ(role.at("specialty").at(0).at("coding").at(0).at("code"),
                  provider.Json().at("taxonomyCode"));
    }
    HttpResult by_practitioner =
        Fhir("/fhir/r4/PractitionerRole?practitioner=" + UrlEncode(practitioner), agent_);
    ASSERT_EQ(by_practitioner.status, 200);
    ASSERT_FALSE(by_practitioner.Json().at("entry").as_array().empty());
    for (const auto& entry : by_practitioner.Json().at("entry").as_array()) {
        EXPECT_EQ(entry.at("resource").at("practitioner").at("reference"),
                  json::value(practitioner));
    }
    EXPECT_EQ(Fhir("/fhir/r4/PractitionerRole/" + id, agent_).status, 200);
}

// The location an entry of a transaction or batch response names, without its version.
std::string LocationOf(const HttpResult& result, std::size_t entry_idx) {
    const std::string location(
        result.Json().at("entry").at(entry_idx).at("response").at("location").as_string());
    return location.substr(0, location.find("/_history"));
}

// The id part of `Type/<id>`.
std::string IdOf(const std::string& location) { return location.substr(location.find('/') + 1); }

// A JSON number as a double: amounts come back as stored, whether the source wrote 125 or 125.0.
double Number(const json::value& value) { return value.to_number<double>(); }

// The amount of the adjudication entry of `category` in `entries` (an item's adjudication, or
// an EOB's total); NaN when there is none.
double AdjudicationAmount(const json::value& entries, std::string_view category) {
    for (const auto& entry : entries.as_array()) {
        if (entry.at("category").at("coding").at(0).at("code").as_string() == category &&
            entry.as_object().contains("amount")) {
            return Number(entry.at("amount").at("value"));
        }
    }
    return std::nan("");
}

// Claims and the ExplanationOfBenefit answering each, from a Synthea Bundle: every EOB names its
// claim's entry and is written to that claim, whose items become its lines.
TEST_F(FhirTest, SyntheaClaimsAndTheirExplanationsOfBenefit) {
    json::value bundle = Fixture("synthea/Buster_Hoeger.json");
    json::array held;
    for (const auto& entry : bundle.at("entry").as_array()) {
        const auto& type = entry.at("resource").at("resourceType");
        for (const char* name :
             {"Patient", "Organization", "Practitioner", "Encounter", "Condition",
              "MedicationRequest", "Claim", "ExplanationOfBenefit"}) {
            if (type == name) {
                held.push_back(entry);
            }
        }
    }
    bundle.as_object()["entry"] = std::move(held);
    const auto& entries = bundle.at("entry").as_array();
    std::map<std::string, std::size_t> entry_of_url;
    std::vector<std::size_t> claims;
    std::vector<std::size_t> eobs;
    for (std::size_t entry_idx = 0; entry_idx < entries.size(); ++entry_idx) {
        entry_of_url[std::string(entries[entry_idx].at("fullUrl").as_string())] = entry_idx;
        const auto& type = entries[entry_idx].at("resource").at("resourceType");
        if (type == "Claim") {
            claims.push_back(entry_idx);
        } else if (type == "ExplanationOfBenefit") {
            eobs.push_back(entry_idx);
        }
    }
    ASSERT_EQ(claims.size(), 7U) << "in the fixture";
    ASSERT_EQ(eobs.size(), 6U) << "in the fixture: the prescription's claim has none";
    auto entry_named = [&](const json::value& reference) {
        return entry_of_url.at(std::string(reference.at("reference").as_string()));
    };

    HttpResult first = Post(bundle, admin_);
    ASSERT_EQ(first.status, 200) << first.body;
    const std::string patient = LocationOf(first, 0);
    ASSERT_EQ(patient.rfind("Patient/", 0), 0U);
    for (std::size_t claim_idx : claims) {
        EXPECT_EQ(first.Json().at("entry").at(claim_idx).at("response").at("status"),
                  "201 Created");
    }
    for (std::size_t eob_idx : eobs) {
        const std::size_t claim_idx = entry_named(entries[eob_idx].at("resource").at("claim"));
        EXPECT_EQ(first.Json().at("entry").at(eob_idx).at("response").at("status"), "200 OK");
        EXPECT_EQ(IdOf(LocationOf(first, eob_idx)), IdOf(LocationOf(first, claim_idx)))
            << "the EOB is its claim's record";
    }
    // Three to a page: the next links lead through all seven claims once.
    std::set<std::string> paged;
    std::string target = "/fhir/r4/Claim?patient=" + UrlEncode(patient) + "&_count=3";
    for (int page = 0; page < 5 && !target.empty(); ++page) {
        HttpResult result = Fhir(target, admin_);
        ASSERT_EQ(result.status, 200) << result.body;
        EXPECT_LE(EntryCount(result), 3U);
        for (const auto& entry : result.Json().at("entry").as_array()) {
            paged.emplace(entry.at("resource").at("id").as_string());
        }
        target.clear();
        for (const auto& link : result.Json().at("link").as_array()) {
            if (link.at("relation") == "next") {
                const std::string url(link.at("url").as_string());
                target = url.substr(url.find("/fhir/r4/"));
            }
        }
    }
    EXPECT_EQ(paged.size(), 7U);
    EXPECT_EQ(
        EntryCount(Fhir("/fhir/r4/ExplanationOfBenefit?beneficiary=" + UrlEncode(patient), admin_)),
        6U)
        << "a claim the payer has not answered has no EOB";

    // One claim through, as a Claim and as an ExplanationOfBenefit.
    const json::value& eob_in = entries[eobs[2]].at("resource");
    const std::size_t claim_idx = entry_named(eob_in.at("claim"));
    const json::value& claim_in = entries[claim_idx].at("resource");
    const std::string id = IdOf(LocationOf(first, claim_idx));
    HttpResult claim = Fhir("/fhir/r4/Claim/" + id, admin_);
    ASSERT_EQ(claim.status, 200) << claim.body;
    EXPECT_EQ(claim.Json().at("type").at("coding").at(0).at("code"),
              claim_in.at("type").at("coding").at(0).at("code"));
    EXPECT_EQ(claim.Json().at("patient").at("reference"), json::value(patient));
    EXPECT_EQ(Number(claim.Json().at("total").at("value")),
              Number(claim_in.at("total").at("value")));
    ASSERT_EQ(claim.Json().at("item").as_array().size(), claim_in.at("item").as_array().size());
    for (std::size_t item_idx = 0; item_idx < claim_in.at("item").as_array().size(); ++item_idx) {
        EXPECT_EQ(claim.Json().at("item").at(item_idx).at("productOrService").at("text"),
                  claim_in.at("item").at(item_idx).at("productOrService").at("text"));
    }
    EXPECT_EQ(claim.Json().at("provider").at("reference"),
              json::value(LocationOf(first, entry_named(eob_in.at("provider")))))
        << "the EOB's practitioner bills";
    HttpResult eob = Fhir("/fhir/r4/ExplanationOfBenefit/" + id, admin_);
    ASSERT_EQ(eob.status, 200) << eob.body;
    EXPECT_EQ(eob.Json().at("outcome"), eob_in.at("outcome"));
    EXPECT_EQ(eob.Json().at("billablePeriod").at("start").as_string(),
              eob_in.at("billablePeriod").at("start").as_string().subview(0, 10));
    EXPECT_EQ(
        eob.Json().at("careTeam").at(0).at("provider").at("reference"),
        json::value(LocationOf(first, entry_named(eob_in.at("careTeam").at(0).at("provider")))));
    EXPECT_EQ(AdjudicationAmount(eob.Json().at("total"), "submitted"),
              Number(eob_in.at("total").at(0).at("amount").at("value")));
    EXPECT_EQ(Number(eob.Json().at("payment").at("amount").at("value")),
              Number(eob_in.at("payment").at("amount").at("value")));
    for (const auto& identifier : eob_in.at("identifier").as_array()) {
        EXPECT_EQ(
            json::value(Identifier(eob.Json(), std::string(identifier.at("system").as_string()))),
            identifier.at("value"));
    }
    const auto& items_in = eob_in.at("item").as_array();
    ASSERT_EQ(eob.Json().at("item").as_array().size(), items_in.size());
    EXPECT_EQ(
        eob.Json().at("item").at(0).at("locationCodeableConcept").at("coding").at(0).at("code"),
        items_in[0].at("locationCodeableConcept").at("coding").at(0).at("code"));
    EXPECT_EQ(eob.Json().at("item").at(0).at("servicedPeriod").at("start").as_string(),
              items_in[0].at("servicedPeriod").at("start").as_string().subview(0, 10));
    HttpResult lines = server_->Request(
        "GET", "/api/v1/records/ClaimLine?filter=" + UrlEncode("claim = '" + id + "'"), "", admin_);
    ASSERT_EQ(lines.status, 200) << lines.body;
    EXPECT_EQ(lines.Json().at("items").as_array().size(), items_in.size());

    // $everything lists the claims and their answers.
    HttpResult everything = Fhir("/fhir/r4/" + patient + "/$everything", admin_);
    ASSERT_EQ(everything.status, 200);
    std::map<std::string, int> listed;
    for (const auto& entry : everything.Json().at("entry").as_array()) {
        ++listed[std::string(entry.at("resource").at("resourceType").as_string())];
    }
    EXPECT_EQ(listed["Claim"], 7);
    EXPECT_EQ(listed["ExplanationOfBenefit"], 6);

    // The same Bundle again writes nothing: every claim and EOB finds its record as it was.
    HttpResult again = Post(bundle, admin_);
    ASSERT_EQ(again.status, 200) << again.body;
    for (std::size_t eob_idx : eobs) {
        const auto& response = again.Json().at("entry").at(eob_idx).at("response");
        EXPECT_EQ(response.at("status"), "200 OK");
        EXPECT_EQ(response.at("etag"),
                  first.Json().at("entry").at(eob_idx).at("response").at("etag"))
            << "no new version";
    }
    EXPECT_EQ(EntryCount(Fhir("/fhir/r4/Claim?patient=" + UrlEncode(patient), admin_)), 7U);
    HttpResult lines_again = server_->Request(
        "GET", "/api/v1/records/ClaimLine?filter=" + UrlEncode("claim = '" + id + "'"), "", admin_);
    EXPECT_EQ(lines_again.Json().at("items").as_array().size(), items_in.size());
}

// A CARIN Blue Button professional EOB with the coverage, payer, providers and member it names
// (relative references, made to name entries by their fullUrls): the claim and its six lines
// hold the example's amounts, and come back in the same shape.
TEST_F(FhirTest, ACarinExplanationOfBenefitRoundTrips) {
    HttpResult plan = server_->Request(
        "POST", "/api/v1/records/Plan",
        R"({"planCode":"GR5","name":"GR5-HMO DEDUCTIBLE","lineOfBusiness":"medicare-advantage",)"
        R"("status":"active","effectiveDate":"2020-01-01"})",
        admin_);
    ASSERT_EQ(plan.status, 201) << plan.body;
    json::array entries;
    for (const char* name :
         {"Patient_ExamplePatient1", "Organization_PayerOrganizationExample1",
          "Organization_ProviderOrganization1", "Practitioner_Practitioner1",
          "Coverage_CoverageEx1", "ExplanationOfBenefit_ProfessionalEOBExample1"}) {
        json::value resource = Fixture(std::string("carin-bb/") + name + ".json");
        const std::string type(resource.at("resourceType").as_string());
        if (type == "Organization") {
            // Not what this test is about, and refused by the Account fields: a phone number
            // with "TTY: 711" after it, and the country as ISO alpha-3 ("USA") where payer360
            // keeps alpha-2.
            resource.as_object().erase("telecom");
            resource.as_object().erase("address");
        }
        entries.push_back({{"fullUrl", "https://carin.example/fhir/" + type + "/" +
                                           std::string(resource.at("id").as_string())},
                           {"resource", resource},
                           {"request", {{"method", "POST"}, {"url", type}}}});
    }
    const json::value eob_in = entries[5].at("resource");
    HttpResult posted =
        Post({{"resourceType", "Bundle"}, {"type", "transaction"}, {"entry", entries}}, admin_);
    ASSERT_EQ(posted.status, 200) << posted.body;
    const std::string patient = LocationOf(posted, 0);
    const std::string payer = LocationOf(posted, 1);
    const std::string provider = LocationOf(posted, 2);
    const std::string practitioner = LocationOf(posted, 3);
    const std::string coverage = LocationOf(posted, 4);
    const std::string id = IdOf(LocationOf(posted, 5));

    // What was stored.
    HttpResult stored = server_->Request("GET", "/api/v1/records/Claim/" + id, "", admin_);
    ASSERT_EQ(stored.status, 200) << stored.body;
    const json::value& claim = stored.Json();
    EXPECT_EQ(claim.at("claimNumber"), eob_in.at("identifier").at(0).at("value"));
    EXPECT_EQ(claim.at("claimType"), eob_in.at("type").at("coding").at(0).at("code"));
    EXPECT_EQ(claim.at("person"), json::value(IdOf(patient)));
    EXPECT_EQ(claim.at("payer"), json::value(IdOf(payer)));
    EXPECT_EQ(claim.at("billingOrganization"), json::value(IdOf(provider)));
    EXPECT_EQ(claim.at("renderingProvider"), json::value(IdOf(practitioner)))
        << "the care team's practitioner, not its organisation";
    EXPECT_EQ(claim.at("memberPlan"), json::value(IdOf(coverage)));
    EXPECT_EQ(claim.at("serviceFromDate"), eob_in.at("billablePeriod").at("start"));
    EXPECT_EQ(claim.at("outcome"), eob_in.at("outcome"));
    EXPECT_EQ(claim.at("status"), "paid");
    const json::value& totals = eob_in.at("total");
    EXPECT_EQ(Number(claim.at("billedAmount")), AdjudicationAmount(totals, "submitted"));
    EXPECT_EQ(Number(claim.at("allowedAmount")), AdjudicationAmount(totals, "eligible"));
    EXPECT_EQ(Number(claim.at("paidAmount")), AdjudicationAmount(totals, "benefit"));
    EXPECT_EQ(Number(claim.at("memberResponsibility")),
              AdjudicationAmount(totals, "memberliability"));
    EXPECT_EQ(claim.at("inNetwork"), true);
    const auto& items_in = eob_in.at("item").as_array();
    HttpResult lines = server_->Request(
        "GET",
        "/api/v1/records/ClaimLine?sort=lineNumber&filter=" + UrlEncode("claim = '" + id + "'"), "",
        admin_);
    ASSERT_EQ(lines.status, 200) << lines.body;
    ASSERT_EQ(lines.Json().at("items").as_array().size(), items_in.size());
    for (std::size_t item_idx = 0; item_idx < items_in.size(); ++item_idx) {
        const json::value& line = lines.Json().at("items").at(item_idx);
        const json::value& item = items_in[item_idx];
        EXPECT_EQ(Number(line.at("lineNumber")), Number(item.at("sequence")));
        EXPECT_EQ(line.at("person"), json::value(IdOf(patient)));
        EXPECT_EQ(line.at("procedureCode"),
                  item.at("productOrService").at("coding").at(0).at("code"));
        EXPECT_EQ(Number(line.at("billedAmount")),
                  AdjudicationAmount(item.at("adjudication"), "submitted"));
        EXPECT_EQ(Number(line.at("allowedAmount")),
                  AdjudicationAmount(item.at("adjudication"), "eligible"));
        EXPECT_EQ(Number(line.at("paidAmount")),
                  AdjudicationAmount(item.at("adjudication"), "benefit"));
    }

    // Read back as FHIR.
    HttpResult eob = Fhir("/fhir/r4/ExplanationOfBenefit/" + id, admin_);
    ASSERT_EQ(eob.status, 200) << eob.body;
    const json::value& out = eob.Json();
    EXPECT_EQ(json::value(Identifier(
                  out, std::string(eob_in.at("identifier").at(0).at("system").as_string()))),
              eob_in.at("identifier").at(0).at("value"));
    EXPECT_EQ(out.at("patient").at("reference"), json::value(patient));
    EXPECT_EQ(out.at("insurer").at("reference"), json::value(payer));
    EXPECT_EQ(out.at("provider").at("reference"), json::value(provider));
    EXPECT_EQ(out.at("insurance").at(0).at("coverage").at("reference"), json::value(coverage));
    EXPECT_EQ(out.at("careTeam").at(0).at("provider").at("reference"), json::value(practitioner));
    EXPECT_EQ(out.at("outcome"), eob_in.at("outcome"));
    EXPECT_EQ(out.at("created"), "2020-08-24");
    for (const char* category : {"submitted", "eligible", "benefit", "memberliability"}) {
        EXPECT_EQ(AdjudicationAmount(out.at("total"), category),
                  AdjudicationAmount(totals, category))
            << category;
    }
    ASSERT_EQ(out.at("diagnosis").as_array().size(), eob_in.at("diagnosis").as_array().size());
    for (std::size_t diagnosis_idx = 0; diagnosis_idx < out.at("diagnosis").as_array().size();
         ++diagnosis_idx) {
        EXPECT_EQ(out.at("diagnosis").at(diagnosis_idx).at("diagnosisCodeableConcept"),
                  eob_in.at("diagnosis").at(diagnosis_idx).at("diagnosisCodeableConcept"));
    }
    ASSERT_EQ(out.at("item").as_array().size(), items_in.size());
    for (std::size_t item_idx = 0; item_idx < items_in.size(); ++item_idx) {
        const json::value& item = out.at("item").at(item_idx);
        EXPECT_EQ(item.at("sequence"), items_in[item_idx].at("sequence"));
        EXPECT_EQ(item.at("productOrService"), items_in[item_idx].at("productOrService"));
        EXPECT_EQ(item.at("servicedDate"), items_in[item_idx].at("servicedDate"));
        for (const char* category : {"submitted", "eligible", "benefit"}) {
            EXPECT_EQ(AdjudicationAmount(item.at("adjudication"), category),
                      AdjudicationAmount(items_in[item_idx].at("adjudication"), category))
                << item_idx << " " << category;
        }
    }
    EXPECT_EQ(Fhir("/fhir/r4/Claim/" + id, admin_).status, 200);

    // Found by its identifier and by when it changed.
    const std::string token = std::string(eob_in.at("identifier").at(0).at("system").as_string()) +
                              "|" +
                              std::string(eob_in.at("identifier").at(0).at("value").as_string());
    HttpResult found = Fhir("/fhir/r4/ExplanationOfBenefit?identifier=" + UrlEncode(token), admin_);
    ASSERT_EQ(EntryCount(found), 1U) << found.body;
    EXPECT_EQ(found.Json().at("entry").at(0).at("resource").at("id"), json::value(id));
    EXPECT_EQ(
        EntryCount(
            Fhir("/fhir/r4/ExplanationOfBenefit?_id=" + id + "&_lastUpdated=ge2020-01-01", admin_)),
        1U);
    EXPECT_EQ(EntryCount(Fhir("/fhir/r4/ExplanationOfBenefit?_id=" + id +
                                  "&_lastUpdated=lt2020-01-01T00:00:00Z",
                              admin_)),
              0U);
    EXPECT_EQ(Fhir("/fhir/r4/Claim?_lastUpdated=2020-01-01", admin_).status, 400);

    // Agents see claims without diagnoses; marketing may not read claims at all.
    HttpResult for_agent = Fhir("/fhir/r4/ExplanationOfBenefit/" + id, agent_);
    ASSERT_EQ(for_agent.status, 200) << for_agent.body;
    EXPECT_FALSE(for_agent.Json().as_object().contains("diagnosis"));
    EXPECT_EQ(for_agent.Json().at("item").as_array().size(), items_in.size());
    server_->CreateUser("fhir-marketer", "marketing");
    EXPECT_EQ(Fhir("/fhir/r4/ExplanationOfBenefit/" + id, server_->Login("fhir-marketer")).status,
              403);
}

// Official CarePlan and Consent examples, with the patients they name.
TEST_F(FhirTest, CarePlansAndConsentsOfAMember) {
    json::array entries;
    for (const char* name : {"Patient-f001", "Patient-f201", "CarePlan-f201",
                             "Consent-consent-example-basic", "Consent-consent-example-Out"}) {
        json::value resource = Fixture(std::string("hl7-r4-examples/") + name + ".json");
        const std::string type(resource.at("resourceType").as_string());
        if (type == "Patient") {
            // The Dutch patients' addresses name their country as ISO alpha-3 ("NLD"), where
            // payer360 keeps alpha-2; not what this test is about.
            resource.as_object().erase("address");
        }
        entries.push_back({{"fullUrl", "http://hl7.org/fhir/" + type + "/" +
                                           std::string(resource.at("id").as_string())},
                           {"resource", resource},
                           {"request", {{"method", "POST"}, {"url", type}}}});
    }
    HttpResult posted =
        Post({{"resourceType", "Bundle"}, {"type", "transaction"}, {"entry", entries}}, admin_);
    ASSERT_EQ(posted.status, 200) << posted.body;
    const std::string pieter = LocationOf(posted, 0);
    const std::string roel = LocationOf(posted, 1);

    const json::value& plan_in = entries[2].at("resource");
    HttpResult plan = Fhir("/fhir/r4/" + LocationOf(posted, 2), admin_);
    ASSERT_EQ(plan.status, 200) << plan.body;
    EXPECT_EQ(plan.Json().at("status"), plan_in.at("status"));
    EXPECT_EQ(plan.Json().at("intent"), plan_in.at("intent"));
    EXPECT_EQ(plan.Json().at("period"), plan_in.at("period"));
    EXPECT_EQ(plan.Json().at("subject").at("reference"), json::value(roel));
    ASSERT_EQ(plan.Json().at("activity").as_array().size(),
              plan_in.at("activity").as_array().size());
    for (std::size_t activity_idx = 0; activity_idx < plan_in.at("activity").as_array().size();
         ++activity_idx) {
        const json::value& detail = plan.Json().at("activity").at(activity_idx).at("detail");
        const json::value& detail_in = plan_in.at("activity").at(activity_idx).at("detail");
        EXPECT_EQ(detail.at("code"), detail_in.at("code"));
        EXPECT_EQ(detail.at("status"), detail_in.at("status"));
    }

    const json::value& basic_in = entries[3].at("resource");
    HttpResult basic = Fhir("/fhir/r4/" + LocationOf(posted, 3), admin_);
    ASSERT_EQ(basic.status, 200) << basic.body;
    EXPECT_EQ(basic.Json().at("status"), basic_in.at("status"));
    EXPECT_EQ(basic.Json().at("scope"), basic_in.at("scope"));
    EXPECT_EQ(basic.Json().at("category"), basic_in.at("category"));
    EXPECT_EQ(basic.Json().at("policyRule"), basic_in.at("policyRule"));
    EXPECT_EQ(basic.Json().at("patient").at("reference"), json::value(pieter));
    EXPECT_EQ(basic.Json().at("provision").at("period"), basic_in.at("provision").at("period"));
    EXPECT_EQ(basic.Json().at("provision").at("type"), "permit");
    EXPECT_EQ(basic.Json().at("dateTime").as_string().subview(0, 10), basic_in.at("dateTime"));
    const json::value& out_in = entries[4].at("resource");
    HttpResult opt_out = Fhir("/fhir/r4/" + LocationOf(posted, 4), admin_);
    ASSERT_EQ(opt_out.status, 200) << opt_out.body;
    EXPECT_EQ(opt_out.Json().at("provision").at("type"), "deny");
    EXPECT_EQ(opt_out.Json().at("policyRule"), out_in.at("policyRule"));
    HttpResult stored = server_->Request(
        "GET", "/api/v1/records/Consent/" + IdOf(LocationOf(posted, 4)), "", admin_);
    EXPECT_EQ(stored.Json().at("status"), "denied");
    EXPECT_EQ(stored.Json().at("purpose"), "hie-data-sharing") << "a privacy consent";

    EXPECT_EQ(EntryCount(Fhir("/fhir/r4/Consent?patient=" + UrlEncode(pieter), admin_)), 2U);
    EXPECT_EQ(EntryCount(Fhir("/fhir/r4/CarePlan?patient=" + UrlEncode(roel), admin_)), 1U);
    EXPECT_EQ(EntryCount(Fhir("/fhir/r4/CarePlan?patient=" + UrlEncode(pieter), admin_)), 0U);
    HttpResult everything = Fhir("/fhir/r4/" + pieter + "/$everything", admin_);
    int consents = 0;
    for (const auto& entry : everything.Json().at("entry").as_array()) {
        consents += entry.at("resource").at("resourceType") == "Consent" ? 1 : 0;
    }
    EXPECT_EQ(consents, 2);
    // Agents keep consents but do not see care plans.
    EXPECT_EQ(Fhir("/fhir/r4/" + LocationOf(posted, 3), agent_).status, 200);
    EXPECT_EQ(Fhir("/fhir/r4/" + LocationOf(posted, 2), agent_).status, 403);
}

// A claim with a bad element refuses the whole transaction with a pointer into the item at
// fault, whether the decoder or the catalog finds it; the member in the same Bundle is not kept.
TEST_F(FhirTest, ABadClaimWritesNothing) {
    const json::value patient = {
        {"resourceType", "Patient"},
        {"identifier",
         json::array{{{"system", "https://example.org/mrn"}, {"value", "claim-bad-1"}}}},
        {"name", json::array{{{"family", "Claimless"}, {"given", json::array{"Cleo"}}}}}};
    json::value eob = {
        {"resourceType", "ExplanationOfBenefit"},
        {"identifier",
         json::array{{{"system", "https://payer.example/claims"}, {"value", "BAD-1"}}}},
        {"status", "active"},
        {"type",
         {{"coding", json::array{{{"system", "http://terminology.hl7.org/CodeSystem/claim-type"},
                                  {"code", "professional"}}}}}},
        {"use", "claim"},
        {"patient", {{"reference", "urn:uuid:00000000-0000-4000-8000-0000000b0001"}}},
        {"billablePeriod", {{"start", "2024-05-01"}}},
        {"outcome", "complete"},
        {"item",
         json::array{
             {{"sequence", 1},
              {"productOrService",
               {{"coding",
                 json::array{{{"system", "http://www.ama-assn.org/go/cpt"}, {"code", "99213"}}}}}},
              {"adjudication",
               json::array{{{"category", {{"coding", json::array{{{"code", "submitted"}}}}}},
                            {"amount", {{"value", 150}, {"currency", "USD"}}}}}}}}}};
    auto bundle_of = [&](const json::value& second) {
        return json::value{
            {"resourceType", "Bundle"},
            {"type", "transaction"},
            {"entry",
             json::array{{{"fullUrl", "urn:uuid:00000000-0000-4000-8000-0000000b0001"},
                          {"resource", patient},
                          {"request", {{"method", "POST"}, {"url", "Patient"}}}},
                         {{"fullUrl", "urn:uuid:00000000-0000-4000-8000-0000000b0002"},
                          {"resource", second},
                          {"request", {{"method", "POST"}, {"url", "ExplanationOfBenefit"}}}}}}};
    };
    json::value bad = eob;
    bad.as_object()["outcome"] = "done";
    HttpResult outcome = Post(bundle_of(bad), admin_);
    ASSERT_EQ(outcome.status, 400) << outcome.body;
    EXPECT_EQ(Locations(outcome), std::vector<std::string>{"/entry/1/resource/outcome"});
    bad = eob;
    bad.at("item").at(0).at("adjudication").at(0).as_object()["amount"] = {{"value", "150.00"},
                                                                           {"currency", "USD"}};
    HttpResult amount = Post(bundle_of(bad), admin_);
    ASSERT_EQ(amount.status, 400) << amount.body;
    EXPECT_EQ(Locations(amount),
              std::vector<std::string>{"/entry/1/resource/item/0/adjudication/0/amount/value"});
    // A procedure code longer than the catalog keeps: found when the line is validated.
    bad = eob;
    bad.at("item").at(0).at("productOrService").at("coding").at(0).as_object()["code"] = "992130";
    HttpResult line = Post(bundle_of(bad), admin_);
    ASSERT_EQ(line.status, 400) << line.body;
    EXPECT_EQ(Locations(line),
              std::vector<std::string>{"/entry/1/resource/item/0/productOrService/coding"});
    EXPECT_EQ(EntryCount(Fhir("/fhir/r4/Patient?family=Claimless", admin_)), 0U);
    EXPECT_EQ(EntryCount(Fhir("/fhir/r4/ExplanationOfBenefit?identifier=" +
                                  UrlEncode("https://payer.example/claims|BAD-1"),
                              admin_)),
              0U);

    HttpResult good = Post(bundle_of(eob), admin_);
    ASSERT_EQ(good.status, 200) << good.body;
    EXPECT_EQ(good.Json().at("entry").at(1).at("response").at("status"), "201 Created");
    HttpResult found = Fhir("/fhir/r4/ExplanationOfBenefit?identifier=" +
                                UrlEncode("https://payer.example/claims|BAD-1"),
                            admin_);
    ASSERT_EQ(EntryCount(found), 1U);
    EXPECT_EQ(AdjudicationAmount(
                  found.Json().at("entry").at(0).at("resource").at("item").at(0).at("adjudication"),
                  "submitted"),
              150.0);

    // A later answer names the claim by its payer360 id and updates it: denied this time.
    const std::string id(found.Json().at("entry").at(0).at("resource").at("id").as_string());
    json::value denial = eob;
    denial.as_object().erase("identifier");
    denial.as_object()["outcome"] = "error";
    denial.as_object()["claim"] = {{"reference", "Claim/" + id}};
    denial.as_object()["patient"] = found.Json().at("entry").at(0).at("resource").at("patient");
    HttpResult answered =
        Post({{"resourceType", "Bundle"},
              {"type", "batch"},
              {"entry",
               json::array{{{"resource", denial},
                            {"request", {{"method", "POST"}, {"url", "ExplanationOfBenefit"}}}}}}},
             admin_);
    ASSERT_EQ(answered.status, 200) << answered.body;
    const auto& response = answered.Json().at("entry").at(0).at("response");
    EXPECT_EQ(response.at("status"), "200 OK") << answered.body;
    EXPECT_EQ(response.at("location"), json::value("ExplanationOfBenefit/" + id + "/_history/2"));
    HttpResult stored = server_->Request("GET", "/api/v1/records/Claim/" + id, "", admin_);
    EXPECT_EQ(stored.Json().at("status"), "denied");
    EXPECT_EQ(stored.Json().at("outcome"), "error");
    HttpResult lines = server_->Request(
        "GET", "/api/v1/records/ClaimLine?filter=" + UrlEncode("claim = '" + id + "'"), "", admin_);
    EXPECT_EQ(lines.Json().at("items").as_array().size(), 1U)
        << "the item updates the line it was, whichever way the claim was named";
}

// The demo's own claims, and consents kept through the records API, as FHIR: each resource
// matches its record, and the validator checks them all (TearDown).
TEST_F(FhirTest, DemoClaimsAndConsentsAsFhir) {
    HttpResult eobs = Fhir("/fhir/r4/ExplanationOfBenefit?_count=10", admin_);
    ASSERT_EQ(eobs.status, 200) << eobs.body;
    ASSERT_GT(EntryCount(eobs), 0U) << "the demo has adjudicated claims";
    for (const auto& entry : eobs.Json().at("entry").as_array()) {
        const json::value& eob = entry.at("resource");
        const std::string id(eob.at("id").as_string());
        HttpResult claim = server_->Request("GET", "/api/v1/records/Claim/" + id, "", admin_);
        ASSERT_EQ(claim.status, 200);
        EXPECT_NE(claim.Json().at("status"), "received");
        EXPECT_EQ(eob.at("patient").at("reference"),
                  json::value("Patient/" + std::string(claim.Json().at("person").as_string())));
        if (claim.Json().as_object().contains("billedAmount")) {
            EXPECT_EQ(AdjudicationAmount(eob.at("total"), "submitted"),
                      Number(claim.Json().at("billedAmount")));
        }
        HttpResult lines = server_->Request(
            "GET", "/api/v1/records/ClaimLine?filter=" + UrlEncode("claim = '" + id + "'"), "",
            admin_);
        EXPECT_EQ(eob.as_object().contains("item") ? eob.at("item").as_array().size() : 0U,
                  lines.Json().at("items").as_array().size());
        EXPECT_EQ(Fhir("/fhir/r4/Claim/" + id, admin_).status, 200);
    }
    // Consents as the records API keeps them (the demo makes none): one granted, one denied.
    for (const char* status : {"granted", "denied"}) {
        HttpResult created =
            server_->Request("POST", "/api/v1/records/Consent",
                             json::serialize(json::object{{"person", ids_[1]},
                                                          {"purpose", "paperless-documents"},
                                                          {"channel", "email"},
                                                          {"status", status},
                                                          {"effectiveDate", "2026-01-15"}}),
                             admin_);
        ASSERT_EQ(created.status, 201) << created.body;
    }
    HttpResult consents = Fhir("/fhir/r4/Consent?_count=10", admin_);
    ASSERT_EQ(consents.status, 200) << consents.body;
    ASSERT_GE(EntryCount(consents), 2U) << consents.body;
    for (const auto& entry : consents.Json().at("entry").as_array()) {
        const json::value& consent = entry.at("resource");
        HttpResult stored = server_->Request(
            "GET", "/api/v1/records/Consent/" + std::string(consent.at("id").as_string()), "",
            admin_);
        ASSERT_EQ(stored.status, 200);
        EXPECT_EQ(consent.at("provision").at("purpose").at(0).at("code"),
                  stored.Json().at("purpose"));
        EXPECT_EQ(consent.at("provision").at("type"),
                  stored.Json().at("status") == "denied" ? "deny" : "permit");
    }
}

// Links in answers (searchset paging, fullUrls, bulk status) point at the configured public
// address; without one at the Host the client named, unless it is no host name at all.
TEST(FhirLinksTest, LinksPointAtThePublicUrlOrAtAPlainHost) {
    const auto self_link = [](const HttpResult& result) {
        for (const auto& link : result.Json().at("link").as_array()) {
            if (link.at("relation") == "self") {
                return std::string(link.at("url").as_string());
            }
        }
        return std::string();
    };
    TestServer plain;
    plain.Start();
    const std::string token = plain.Login("admin");
    HttpResult named = plain.Request("GET", "/fhir/r4/Patient?_count=1", "", token,
                                     {{"Host", "crm.example.net:8443"}});
    ASSERT_EQ(named.status, 200) << named.body;
    EXPECT_EQ(self_link(named).rfind("http://crm.example.net:8443/fhir/r4/Patient?", 0), 0U)
        << self_link(named);
    HttpResult forged = plain.Request("GET", "/fhir/r4/Patient?_count=1", "", token,
                                      {{"Host", "evil.example/\"><script>"}});
    ASSERT_EQ(forged.status, 200) << forged.body;
    EXPECT_EQ(self_link(forged).rfind("http://localhost/fhir/r4/Patient?", 0), 0U)
        << self_link(forged);

    TestServer configured;
    configured.Start({"--public-url", "https://crm.example.org/"});
    HttpResult answer = configured.Request("GET", "/fhir/r4/Patient?_count=1", "",
                                           configured.Login("admin"), {{"Host", "10.0.0.7"}});
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(self_link(answer).rfind("https://crm.example.org/fhir/r4/Patient?", 0), 0U)
        << self_link(answer);
}

}  // namespace
}  // namespace p360::testing
