// FHIR R4 through the real server: Patients read and searched as the caller sees them, errors as
// OperationOutcome, and every resource the server emitted validated by an independent FHIR
// validator (the `fhir` npm package, tests/fhir-validator).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

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

    static std::string Identifier(const json::value& patient, const std::string& system) {
        if (!patient.as_object().contains("identifier")) {
            return {};
        }
        for (const auto& identifier : patient.at("identifier").as_array()) {
            if (identifier.at("system") == json::value(system)) {
                return std::string(identifier.at("value").as_string());
            }
        }
        return {};
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

}  // namespace
}  // namespace p360::testing
