// FHIR Bulk Data through the real server: $export of what the Synthea fixtures imported, with
// its filters and the caller's access rules, following and cancelling requests, and $import of
// NDJSON with a bad line. Every exported resource is checked by an independent FHIR validator
// (tests/fhir-validator).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "fhir_fixtures.hpp"
#include "test_server.hpp"

namespace p360::testing {
namespace {

constexpr const char* kSyntheaSystem = "https://github.com/synthetichealth/synthea";
constexpr const char* kSsnSystem = "http://hl7.org/fhir/sid/us-ssn";
const std::map<std::string, std::string> kAsync = {{"Prefer", "respond-async"}};

class FhirBulkTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        server_ = new TestServer();
        server_->CreateUser("network", "network_manager");
        server_->CreateUser("auditor", "auditor");
        server_->Start();
        admin_ = server_->Login("admin");
        agent_ = server_->Login("agent");
        network_ = server_->Login("network");
        for (const char* fixture : {"Buster_Hoeger.json", "Clemente_Kreiger.json"}) {
            const json::value bundle = HeldEntriesOf(Fixture(fixture));
            HttpResult posted =
                server_->Request("POST", "/fhir/r4", json::serialize(bundle), admin_,
                                 {{"Content-Type", "application/fhir+json"}});
            ASSERT_EQ(posted.status, 200) << posted.body;
            for (const auto& entry : bundle.at("entry").as_array()) {
                ++imported_[std::string(entry.at("resource").at("resourceType").as_string())];
            }
        }
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }

    static json::value Fixture(const std::string& name) {
        return ReadFhirFixture(P360_FIXTURES_DIR, "synthea/" + name);
    }

    static json::value FixturePatient(const std::string& name) {
        const json::value bundle = Fixture(name);
        for (const auto& entry : bundle.at("entry").as_array()) {
            if (entry.at("resource").at("resourceType") == "Patient") {
                return entry.at("resource");
            }
        }
        return nullptr;
    }

    // The path of an absolute URL the server wrote.
    static std::string PathOf(const std::string& url) {
        const auto scheme = url.find("://");
        return scheme == std::string::npos ? url : url.substr(url.find('/', scheme + 3));
    }

    static HttpResult KickOff(const std::string& target, const std::string& token) {
        return server_->Request("GET", target, "", token, kAsync);
    }

    // Polls a status URL until the request is no longer running; its last answer.
    static HttpResult Await(const std::string& status_url, const std::string& token) {
        HttpResult result;
        for (int poll = 0; poll < 1200; ++poll) {
            result = server_->Request("GET", PathOf(status_url), "", token);
            if (result.status != 202) {
                return result;
            }
            EXPECT_FALSE(result.Header("x-progress").empty());
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ADD_FAILURE() << "the request did not finish";
        return result;
    }

    // Kicks off, waits, and returns the manifest (the 200 answer).
    static HttpResult Run(const std::string& target, const std::string& token) {
        HttpResult accepted = KickOff(target, token);
        EXPECT_EQ(accepted.status, 202) << accepted.body;
        const std::string status_url = accepted.Header("content-location");
        EXPECT_FALSE(status_url.empty());
        HttpResult done = Await(status_url, token);
        EXPECT_EQ(done.status, 200) << done.body;
        return done;
    }

    // The output entry of a type in a manifest (null when the type has none).
    static json::value OutputOf(const HttpResult& manifest, const std::string& type) {
        for (const auto& output : manifest.Json().at("output").as_array()) {
            if (output.at("type") == json::value(type)) {
                return output;
            }
        }
        return nullptr;
    }

    static std::set<std::string> OutputTypes(const HttpResult& manifest) {
        std::set<std::string> types;
        for (const auto& output : manifest.Json().at("output").as_array()) {
            types.emplace(output.at("type").as_string());
        }
        return types;
    }

    // The resources of one NDJSON file of a manifest.
    static std::vector<json::value> Download(const std::string& url, const std::string& token) {
        HttpResult file = server_->Request("GET", PathOf(url), "", token);
        EXPECT_EQ(file.status, 200) << file.body;
        EXPECT_EQ(file.Header("content-type"), "application/fhir+ndjson");
        std::vector<json::value> resources;
        std::istringstream lines(file.body);
        for (std::string line; std::getline(lines, line);) {
            resources.push_back(json::parse(line));
        }
        return resources;
    }

    // Validates resources with the independent validator; its report on failure.
    static void ExpectValid(const std::vector<json::value>& resources) {
        const auto directory = std::filesystem::temp_directory_path() /
                               ("p360_bulk_emitted_" + std::to_string(::getpid()));
        std::filesystem::create_directories(directory);
        std::string command = "node " + std::string(P360_FHIR_VALIDATOR_DIR) + "/validate.js";
        for (std::size_t resource_idx = 0; resource_idx < resources.size(); ++resource_idx) {
            const auto file = directory / ("resource_" + std::to_string(resource_idx) + ".json");
            std::ofstream(file) << json::serialize(resources[resource_idx]);
            command += " " + file.string();
        }
        const auto report = directory / "report.out";
        command += " > " + report.string() + " 2>&1";
        const int status = std::system(command.c_str());
        std::ifstream output(report);
        std::stringstream text;
        text << output.rdbuf();
        EXPECT_EQ(status, 0) << text.str();
        std::filesystem::remove_all(directory);
    }

    static std::string Ndjson(const std::vector<json::value>& lines) {
        std::string body;
        for (const json::value& line : lines) {
            body += json::serialize(line) + "\n";
        }
        return body;
    }

    static HttpResult KickOffImport(const std::string& body, const std::string& query = "") {
        return server_->Request(
            "POST", "/fhir/r4/$import" + query, body, admin_,
            {{"Prefer", "respond-async"}, {"Content-Type", "application/fhir+ndjson"}});
    }

    static std::size_t SearchCount(const std::string& target) {
        HttpResult found = server_->Request("GET", target, "", admin_);
        EXPECT_EQ(found.status, 200) << found.body;
        const json::object& bundle = found.Json().as_object();
        return bundle.contains("entry") ? bundle.at("entry").as_array().size() : 0;
    }

    static TestServer* server_;
    static std::string admin_, agent_, network_;
    static std::map<std::string, std::size_t> imported_;  // fixture resources by type
};

TestServer* FhirBulkTest::server_ = nullptr;
std::string FhirBulkTest::admin_, FhirBulkTest::agent_, FhirBulkTest::network_;
std::map<std::string, std::size_t> FhirBulkTest::imported_;

// ---- Export ----

TEST_F(FhirBulkTest, ASystemExportHoldsWhatWasImported) {
    HttpResult accepted = KickOff("/fhir/r4/$export", admin_);
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    const std::string status_url = accepted.Header("content-location");
    ASSERT_NE(status_url.find("/fhir/r4/bulk-status/"), std::string::npos) << status_url;
    HttpResult manifest = Await(status_url, admin_);
    ASSERT_EQ(manifest.status, 200) << manifest.body;
    const json::value& body = manifest.Json();
    EXPECT_TRUE(body.at("transactionTime").is_string());
    EXPECT_NE(body.at("request").as_string().find("/fhir/r4/$export"), std::string::npos);
    EXPECT_EQ(body.at("requiresAccessToken"), true);
    EXPECT_TRUE(body.at("error").as_array().empty());

    // Each imported type is there with as many resources as the fixtures held (the deployment
    // holds nothing else).
    for (const auto& [type, count] : imported_) {
        const json::value output = OutputOf(manifest, type);
        ASSERT_TRUE(output.is_object()) << type << " missing from " << manifest.body;
        EXPECT_EQ(output.at("count"), json::value(static_cast<std::int64_t>(count))) << type;
        const std::vector<json::value> resources =
            Download(std::string(output.at("url").as_string()), admin_);
        EXPECT_EQ(resources.size(), count) << type;
        for (const json::value& resource : resources) {
            EXPECT_EQ(resource.at("resourceType"), json::value(type));
        }
        ExpectValid(resources);
    }

    // The Patients are the fixtures' people, with the values the fixtures gave them.
    const std::vector<json::value> patients =
        Download(std::string(OutputOf(manifest, "Patient").at("url").as_string()), admin_);
    for (const char* fixture : {"Buster_Hoeger.json", "Clemente_Kreiger.json"}) {
        const json::value source = FixturePatient(fixture);
        const std::string synthea_id = Identifier(source, kSyntheaSystem);
        const auto exported = std::find_if(patients.begin(), patients.end(), [&](const auto& p) {
            return Identifier(p, kSyntheaSystem) == synthea_id;
        });
        ASSERT_NE(exported, patients.end()) << fixture;
        EXPECT_EQ(exported->at("name").at(0).at("family"), source.at("name").at(0).at("family"));
        EXPECT_EQ(exported->at("birthDate"), source.at("birthDate"));
        EXPECT_EQ(exported->at("gender"), source.at("gender"));
        EXPECT_EQ(Identifier(*exported, kSsnSystem), Identifier(source, kSsnSystem));
    }
}

// An export longer than a page (the records layer reads 1,000 at most at once) holds every
// record once.
TEST_F(FhirBulkTest, AnExportOfManyPagesHoldsEveryRecordOnce) {
    constexpr int kPeople = 2'500;
    std::string lines;
    for (int person = 0; person < kPeople; ++person) {
        lines += R"({"sourceId":"page-)" + std::to_string(person) +
                 R"(","firstName":"Paige","lastName":"Many","birthDate":"1960-01-01"})"
                 "\n";
    }
    HttpResult loaded =
        server_->Request("POST", "/api/v1/records/Person/bulk?externalId=sourceId&mode=atomic",
                         lines, admin_, {{"Content-Type", "application/x-ndjson"}});
    ASSERT_EQ(loaded.status, 200) << loaded.body;
    HttpResult manifest = Run("/fhir/r4/$export?_type=Patient", admin_);
    const std::size_t expected = kPeople + imported_.at("Patient");
    ASSERT_EQ(OutputOf(manifest, "Patient").at("count"),
              json::value(static_cast<std::int64_t>(expected)));
    const std::vector<json::value> patients =
        Download(std::string(OutputOf(manifest, "Patient").at("url").as_string()), admin_);
    std::set<std::string> ids;
    for (const json::value& patient : patients) {
        ids.emplace(patient.at("id").as_string());
    }
    EXPECT_EQ(ids.size(), expected);
}

TEST_F(FhirBulkTest, TypeAndSinceNarrowTheExport) {
    HttpResult two_types = Run("/fhir/r4/$export?_type=Patient,Condition", admin_);
    EXPECT_EQ(OutputTypes(two_types), (std::set<std::string>{"Patient", "Condition"}));
    // The same as a POSTed Parameters resource.
    HttpResult posted = server_->Request(
        "POST", "/fhir/r4/$export",
        R"({"resourceType":"Parameters","parameter":[{"name":"_type","valueString":"Encounter"}]})",
        admin_, {{"Prefer", "respond-async"}, {"Content-Type", "application/fhir+json"}});
    ASSERT_EQ(posted.status, 202) << posted.body;
    HttpResult encounters = Await(posted.Header("content-location"), admin_);
    ASSERT_EQ(encounters.status, 200);
    EXPECT_EQ(OutputTypes(encounters), (std::set<std::string>{"Encounter"}));
    HttpResult not_parameters =
        server_->Request("POST", "/fhir/r4/$export", R"({"resourceType":"Patient"})", admin_,
                         {{"Prefer", "respond-async"}, {"Content-Type", "application/fhir+json"}});
    EXPECT_EQ(not_parameters.status, 400);

    // Only what changed since the last export's transaction time.
    const std::string since(two_types.Json().at("transactionTime").as_string());
    HttpResult created = server_->Request(
        "POST", "/api/v1/records/Person",
        R"({"firstName":"Nova","lastName":"Since","birthDate":"1991-02-03","sourceId":"since-1"})",
        admin_);
    ASSERT_EQ(created.status, 201) << created.body;
    HttpResult recent = Run("/fhir/r4/$export?_type=Patient&_since=" + UrlEncode(since), admin_);
    ASSERT_EQ(OutputTypes(recent), (std::set<std::string>{"Patient"}));
    const std::vector<json::value> patients =
        Download(std::string(OutputOf(recent, "Patient").at("url").as_string()), admin_);
    ASSERT_EQ(patients.size(), 1U);
    EXPECT_EQ(patients[0].at("id"), created.Json().at("id"));
}

TEST_F(FhirBulkTest, AClaimNotYetAdjudicatedIsExportedAsAClaimButNotAsAnExplanation) {
    HttpResult person = server_->Request(
        "POST", "/api/v1/records/Person",
        R"({"firstName":"Ada","lastName":"Pending","birthDate":"1980-04-05","sourceId":"eob-1"})",
        admin_);
    ASSERT_EQ(person.status, 201) << person.body;
    const std::string since(person.Json().at("createdAt").as_string());
    HttpResult claim =
        server_->Request("POST", "/api/v1/records/Claim",
                         json::serialize(json::object{{"person", person.Json().at("id")},
                                                      {"claimType", "professional"},
                                                      {"status", "received"},
                                                      {"serviceFromDate", "2026-10-01"}}),
                         admin_);
    ASSERT_EQ(claim.status, 201) << claim.body;

    HttpResult manifest =
        Run("/fhir/r4/$export?_type=Claim,ExplanationOfBenefit&_since=" + UrlEncode(since), admin_);
    ASSERT_EQ(manifest.status, 200) << manifest.body;
    const json::value claims = OutputOf(manifest, "Claim");
    ASSERT_TRUE(claims.is_object()) << manifest.body;
    const std::vector<json::value> exported =
        Download(std::string(claims.at("url").as_string()), admin_);
    ASSERT_EQ(exported.size(), 1U);
    EXPECT_EQ(exported[0].at("id"), claim.Json().at("id"));
    const json::value eobs = OutputOf(manifest, "ExplanationOfBenefit");
    EXPECT_TRUE(!eobs.is_object() || eobs.at("count") == json::value(0)) << manifest.body;

    // Other tests count the fixtures' resources.
    const std::string claim_id(claim.Json().at("id").as_string());
    const std::string person_id(person.Json().at("id").as_string());
    EXPECT_EQ(server_->Request("DELETE", "/api/v1/records/Claim/" + claim_id, "", admin_).status,
              204);
    EXPECT_EQ(server_->Request("DELETE", "/api/v1/records/Person/" + person_id, "", admin_).status,
              204);
}

TEST_F(FhirBulkTest, APatientExportHoldsMembersAndWhatIsAboutThem) {
    HttpResult manifest = Run("/fhir/r4/Patient/$export", admin_);
    const std::set<std::string> types = OutputTypes(manifest);
    EXPECT_TRUE(types.contains("Patient"));
    EXPECT_TRUE(types.contains("Condition"));
    EXPECT_TRUE(types.contains("Encounter"));
    EXPECT_FALSE(types.contains("Organization")) << "the directory is not about members";
    EXPECT_FALSE(types.contains("Practitioner"));
    // A type that is not about members cannot be asked for.
    HttpResult refused = KickOff("/fhir/r4/Patient/$export?_type=Organization", admin_);
    EXPECT_EQ(refused.status, 400);
    EXPECT_EQ(refused.Json().at("resourceType"), "OperationOutcome");
}

// An agent's export carries what their reads would: members without SSNs, no clinical types.
TEST_F(FhirBulkTest, AnExportAppliesTheCallersAccess) {
    HttpResult manifest = Run("/fhir/r4/$export", agent_);
    const std::set<std::string> types = OutputTypes(manifest);
    ASSERT_TRUE(types.contains("Patient"));
    EXPECT_FALSE(types.contains("Condition")) << "agents read no clinical records";
    const std::string url(OutputOf(manifest, "Patient").at("url").as_string());
    const std::vector<json::value> patients = Download(url, agent_);
    ASSERT_FALSE(patients.empty());
    const std::string ssn = Identifier(FixturePatient("Buster_Hoeger.json"), kSsnSystem);
    ASSERT_FALSE(ssn.empty());
    for (const json::value& patient : patients) {
        EXPECT_TRUE(Identifier(patient, kSsnSystem).empty());
        EXPECT_EQ(json::serialize(patient).find(ssn), std::string::npos);
    }
    // Naming a type the agent may not read is refused, as a search of it would be.
    HttpResult conditions = KickOff("/fhir/r4/$export?_type=Condition", agent_);
    EXPECT_EQ(conditions.status, 403) << conditions.body;
    EXPECT_EQ(conditions.Json().at("resourceType"), "OperationOutcome");
    // Network staff read no members at all.
    HttpResult members = KickOff("/fhir/r4/Patient/$export", network_);
    EXPECT_EQ(members.status, 403) << members.body;
    HttpResult directory = Run("/fhir/r4/$export", network_);
    EXPECT_FALSE(OutputTypes(directory).contains("Patient"));
    EXPECT_TRUE(OutputTypes(directory).contains("Organization"));
}

// The export's reads are disclosures like a search's: each member is in the accounting, as
// the user who asked, with their purpose of use and the kick-off's request id.
TEST_F(FhirBulkTest, AnExportIsInTheAccessAudit) {
    HttpResult accepted =
        server_->Request("GET", "/fhir/r4/$export?_type=Patient", "", agent_,
                         {{"Prefer", "respond-async"}, {"X-Purpose-Of-Use", "payment"}});
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    ASSERT_EQ(Await(accepted.Header("content-location"), agent_).status, 200);

    const std::string synthea_id = Identifier(FixturePatient("Buster_Hoeger.json"), kSyntheaSystem);
    HttpResult found = server_->Request(
        "GET",
        "/fhir/r4/Patient?identifier=" + UrlEncode(std::string(kSyntheaSystem) + "|" + synthea_id),
        "", admin_);
    ASSERT_EQ(found.Json().at("entry").as_array().size(), 1U);
    const std::string person(found.Json().at("entry").at(0).at("resource").at("id").as_string());
    const std::string auditor = server_->Login("auditor");
    HttpResult accounting =
        server_->Request("GET", "/api/v1/audit?personId=" + person, "", auditor);
    ASSERT_EQ(accounting.status, 200) << accounting.body;
    bool disclosed = false;
    for (const auto& item : accounting.Json().at("items").as_array()) {
        if (item.at("requestId") != json::value(accepted.Header("x-request-id"))) {
            continue;  // another access
        }
        disclosed = true;
        EXPECT_EQ(item.at("username"), "agent");
        EXPECT_EQ(item.at("purpose"), "payment");
        for (const auto& field : item.at("fields").as_array()) {
            EXPECT_NE(field, "ssn");  // agents never saw it
        }
    }
    EXPECT_TRUE(disclosed) << accounting.body;
}

TEST_F(FhirBulkTest, OnlyTheRequesterFollowsTheRequestAndItsFiles) {
    HttpResult accepted = KickOff("/fhir/r4/$export?_type=Patient", admin_);
    ASSERT_EQ(accepted.status, 202);
    const std::string status_url = PathOf(accepted.Header("content-location"));
    HttpResult manifest = Await(status_url, admin_);
    ASSERT_EQ(manifest.status, 200);
    const std::string file =
        PathOf(std::string(OutputOf(manifest, "Patient").at("url").as_string()));

    EXPECT_EQ(server_->Request("GET", status_url, "", agent_).status, 404);
    EXPECT_EQ(server_->Request("GET", file, "", agent_).status, 404);
    EXPECT_EQ(server_->Request("DELETE", status_url, "", agent_).status, 404);
    EXPECT_EQ(server_->Request("GET", status_url).status, 401);
    EXPECT_EQ(server_->Request("GET", file).status, 401);
    // Names the server did not write are not served.
    const std::string directory = file.substr(0, file.rfind('/') + 1);
    EXPECT_EQ(server_->Request("GET", directory + "import.ndjson", "", admin_).status, 404);
    EXPECT_EQ(server_->Request("GET", directory + "..%2F..%2Fpayer360.db", "", admin_).status, 404);
    // The owner still can.
    EXPECT_EQ(server_->Request("GET", file, "", admin_).status, 200);
}

TEST_F(FhirBulkTest, DeletingARequestCancelsItAndRemovesItsFiles) {
    HttpResult manifest = Run("/fhir/r4/$export", admin_);
    const std::string url(OutputOf(manifest, "Patient").at("url").as_string());
    const std::string file = PathOf(url);
    const std::string id =
        file.substr(std::string("/fhir/r4/bulk-files/").size(),
                    file.rfind('/') - std::string("/fhir/r4/bulk-files/").size());
    const auto files = server_->data_directory() / "fhir-bulk" / id;
    ASSERT_TRUE(std::filesystem::exists(files / "Patient.ndjson"));
    const std::string status_url = "/fhir/r4/bulk-status/" + id;
    HttpResult deleted = server_->Request("DELETE", status_url, "", admin_);
    EXPECT_EQ(deleted.status, 202) << deleted.body;
    EXPECT_EQ(server_->Request("GET", status_url, "", admin_).status, 404);
    EXPECT_EQ(server_->Request("GET", file, "", admin_).status, 404);
    EXPECT_FALSE(std::filesystem::exists(files));

    // A running request stops: cancelled at once, it never completes.
    HttpResult accepted = KickOff("/fhir/r4/$export", admin_);
    ASSERT_EQ(accepted.status, 202);
    const std::string running = PathOf(accepted.Header("content-location"));
    EXPECT_EQ(server_->Request("DELETE", running, "", admin_).status, 202);
    EXPECT_EQ(server_->Request("GET", running, "", admin_).status, 404);
    // Whether its job had started, was writing or had finished, its files do not stay.
    const auto running_files =
        server_->data_directory() / "fhir-bulk" / running.substr(running.rfind('/') + 1);
    for (int poll = 0; poll < 200 && std::filesystem::exists(running_files); ++poll) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_FALSE(std::filesystem::exists(running_files));
}

TEST_F(FhirBulkTest, BadKickOffsAreRefusedWithAnOperationOutcome) {
    const std::vector<std::pair<std::string, std::map<std::string, std::string>>> cases = {
        {"/fhir/r4/$export", {}},  // no Prefer: respond-async
        {"/fhir/r4/$export?_outputFormat=text%2Fcsv", kAsync},
        {"/fhir/r4/$export?_type=Spaceship", kAsync},
        {"/fhir/r4/$export?_since=yesterday", kAsync},
        {"/fhir/r4/$export?_since=2026-01-01", kAsync},
        {"/fhir/r4/$export?_typeFilter=Patient%3Fgender%3Dfemale", kAsync},
    };
    for (const auto& [target, headers] : cases) {
        HttpResult result = server_->Request("GET", target, "", admin_, headers);
        EXPECT_EQ(result.status, 400) << target << ": " << result.body;
        EXPECT_EQ(result.Header("content-type"), "application/fhir+json") << target;
        EXPECT_EQ(result.Json().at("resourceType"), "OperationOutcome") << target;
    }
    for (const char* format : {"application%2Ffhir%2Bndjson", "application%2Fndjson", "ndjson"}) {
        HttpResult accepted =
            KickOff(std::string("/fhir/r4/$export?_type=Patient&_outputFormat=") + format, admin_);
        EXPECT_EQ(accepted.status, 202) << format << ": " << accepted.body;
        Await(accepted.Header("content-location"), admin_);
    }
    EXPECT_EQ(server_->Request("GET", "/fhir/r4/$export", "", "", kAsync).status, 401);
}

TEST_F(FhirBulkTest, TheCapabilityStatementNamesTheBulkOperations) {
    HttpResult capabilities = server_->Request("GET", "/fhir/r4/metadata");
    ASSERT_EQ(capabilities.status, 200);
    std::set<std::string> operations;
    for (const auto& operation : capabilities.Json().at("rest").at(0).at("operation").as_array()) {
        operations.emplace(operation.at("name").as_string());
    }
    EXPECT_EQ(operations, (std::set<std::string>{"export", "patient-export", "import"}));
    ExpectValid({capabilities.Json()});
}

// ---- Import ----

TEST_F(FhirBulkTest, AnImportReportsItsBadLinesAndImportsTheOthers) {
    const json::value good = json::parse(R"({"resourceType":"Patient","id":"imp-1",
        "identifier":[{"system":"https://example.org/members","value":"imp-1"}],
        "name":[{"family":"Importer","given":["Ivy"]}],"birthDate":"1970-07-07",
        "gender":"female"})");
    const json::value bad_date = json::parse(R"({"resourceType":"Patient",
        "identifier":[{"system":"https://example.org/members","value":"imp-2"}],
        "name":[{"family":"Importer","given":["Ian"]}],"birthDate":"1970-13-45"})");
    // Refers to the first line by its id.
    const json::value condition = json::parse(R"({"resourceType":"Condition",
        "identifier":[{"system":"https://example.org/conditions","value":"imp-c1"}],
        "subject":{"reference":"Patient/imp-1"},
        "code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]},
        "clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]}})");
    const std::string body = Ndjson({good}) + "{\"resourceType\": \"Patient\", broken\n" +
                             Ndjson({bad_date, condition}) + "\n";

    HttpResult accepted = KickOffImport(body);
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    HttpResult manifest = Await(accepted.Header("content-location"), admin_);
    ASSERT_EQ(manifest.status, 200) << manifest.body;
    EXPECT_EQ(OutputOf(manifest, "Patient").at("count"), 1);
    EXPECT_EQ(OutputOf(manifest, "Condition").at("count"), 1);
    ASSERT_EQ(manifest.Json().at("error").as_array().size(), 1U);
    const json::value& error_file = manifest.Json().at("error").at(0);
    EXPECT_EQ(error_file.at("type"), "OperationOutcome");
    const std::vector<json::value> outcomes =
        Download(std::string(error_file.at("url").as_string()), admin_);
    ASSERT_EQ(outcomes.size(), 2U) << "lines 2 and 3";
    ExpectValid(outcomes);
    std::map<std::int64_t, json::value> issue_of_line;
    for (const json::value& outcome : outcomes) {
        const json::value& issue = outcome.at("issue").at(0);
        issue_of_line[issue.at("extension").at(0).at("valueInteger").to_number<std::int64_t>()] =
            issue;
    }
    ASSERT_TRUE(issue_of_line.contains(2));
    ASSERT_TRUE(issue_of_line.contains(3));
    EXPECT_NE(issue_of_line[2].at("diagnostics").as_string().find("Line 2"), std::string::npos);
    EXPECT_EQ(issue_of_line[3].at("location").at(0), "/birthDate");

    // The good lines are records, linked; the bad one left nothing.
    EXPECT_EQ(SearchCount("/fhir/r4/Patient?family=Importer"), 1U);
    HttpResult ivy = server_->Request(
        "GET", "/fhir/r4/Patient?identifier=" + UrlEncode("https://example.org/members|imp-1"), "",
        admin_);
    ASSERT_EQ(ivy.Json().at("entry").as_array().size(), 1U);
    const std::string ivy_id(ivy.Json().at("entry").at(0).at("resource").at("id").as_string());
    EXPECT_EQ(SearchCount("/fhir/r4/Condition?patient=" + ivy_id), 1U);

    // The same file again changes the records it holds and creates none.
    HttpResult again = KickOffImport(body);
    ASSERT_EQ(again.status, 202);
    HttpResult second = Await(again.Header("content-location"), admin_);
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_EQ(OutputOf(second, "Patient").at("count"), 1);
    EXPECT_EQ(SearchCount("/fhir/r4/Patient?family=Importer"), 1U);
    EXPECT_EQ(SearchCount("/fhir/r4/Condition?patient=" + ivy_id), 1U);
}

TEST_F(FhirBulkTest, AnImportTakesOnlyTheTypesItDeclares) {
    const json::value patient = json::parse(R"({"resourceType":"Patient",
        "identifier":[{"system":"https://example.org/members","value":"typed-1"}],
        "name":[{"family":"Typed","given":["Tia"]}],"birthDate":"1980-01-01"})");
    const json::value organization = json::parse(R"({"resourceType":"Organization",
        "identifier":[{"system":"https://example.org/orgs","value":"typed-org"}],"name":"Typed Org"})");
    HttpResult accepted = KickOffImport(Ndjson({patient, organization}), "?type=Patient");
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    HttpResult manifest = Await(accepted.Header("content-location"), admin_);
    ASSERT_EQ(manifest.status, 200);
    EXPECT_EQ(OutputTypes(manifest), (std::set<std::string>{"Patient"}));
    ASSERT_EQ(manifest.Json().at("error").as_array().size(), 1U);
    EXPECT_EQ(manifest.Json().at("error").at(0).at("count"), 1) << "line 2 only";
    EXPECT_EQ(SearchCount("/fhir/r4/Organization?name=Typed"), 0U);
}

// The body is on disk and the job in the queue before the 202: a node killed before any worker
// ran the import loses nothing, and the next start imports it.
TEST_F(FhirBulkTest, AnAcceptedImportSurvivesARestart) {
    server_->Kill();
    server_->Start({"--job-workers", "0"});
    const std::string line =
        R"({"resourceType":"Patient","identifier":[{"system":"https://example.org/members",)"
        R"("value":"restart-1"}],"name":[{"family":"Restarted","given":["Rae"]}],)"
        R"("birthDate":"1975-05-05"})";
    HttpResult accepted = KickOffImport(line + "\n");
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    const std::string status_url = PathOf(accepted.Header("content-location"));
    HttpResult waiting = server_->Request("GET", status_url, "", admin_);
    EXPECT_EQ(waiting.status, 202) << "no worker runs jobs on this node";
    EXPECT_EQ(waiting.Header("x-progress"), "accepted");
    const auto stored = server_->data_directory() / "fhir-bulk" /
                        status_url.substr(status_url.rfind('/') + 1) / "import.ndjson";
    EXPECT_TRUE(std::filesystem::exists(stored));

    server_->Kill();
    server_->Start();
    HttpResult manifest = Await(status_url, admin_);
    ASSERT_EQ(manifest.status, 200) << manifest.body;
    EXPECT_EQ(OutputOf(manifest, "Patient").at("count"), 1);
    EXPECT_EQ(SearchCount("/fhir/r4/Patient?family=Restarted"), 1U);
    EXPECT_FALSE(std::filesystem::exists(stored)) << "the records hold it now";
}

TEST_F(FhirBulkTest, BadImportsAreRefusedBeforeAnythingIsStored) {
    const std::string line = R"({"resourceType":"Patient","name":[{"family":"Never"}]})";
    HttpResult no_prefer = server_->Request("POST", "/fhir/r4/$import", line, admin_,
                                            {{"Content-Type", "application/fhir+ndjson"}});
    EXPECT_EQ(no_prefer.status, 400);
    HttpResult wrong_type =
        server_->Request("POST", "/fhir/r4/$import", line, admin_,
                         {{"Prefer", "respond-async"}, {"Content-Type", "application/fhir+json"}});
    EXPECT_EQ(wrong_type.status, 400);
    EXPECT_NE(wrong_type.body.find("Content-Type"), std::string::npos);
    EXPECT_EQ(KickOffImport(line, "?type=Spaceship").status, 400);
    EXPECT_EQ(KickOffImport("\n\n").status, 400);
    EXPECT_EQ(KickOffImport(line, "?mode=fast").status, 400);
    EXPECT_EQ(SearchCount("/fhir/r4/Patient?family=Never"), 0U);
}

}  // namespace
}  // namespace p360::testing
