// Attacks on the API, through the real server: guessed and tampered tokens, other users' record
// ids (IDOR), mass assignment of system fields, and hostile JSON. Each must fail cleanly —
// 401/403/404 problem+json that gives nothing away — and leave the server serving.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_server.hpp"

namespace p360::testing {
namespace {

class SecurityTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        server_ = new TestServer();
        server_->CreateUser("agent2", "agent");
        server_->CreateUser("boss", "supervisor");
        server_->Start();
        admin_ = server_->Login("admin");
        agent_ = server_->Login("agent");
        agent2_ = server_->Login("agent2");
        boss_ = server_->Login("boss");
        HttpResult task = server_->Request(
            "POST", "/api/v1/records/Task",
            R"({"subject":"Call back about the refund","status":"not-started","priority":"normal"})",
            agent_);
        ASSERT_EQ(task.status, 201) << task.body;
        task_id_ = std::string(task.Json().at("id").as_string());
        HttpResult person =
            server_->Request("POST", "/api/v1/records/Person",
                             R"({"firstName":"Ida","lastName":"Or","sourceId":"sec-1"})", admin_);
        ASSERT_EQ(person.status, 201);
        person_id_ = std::string(person.Json().at("id").as_string());
        HttpResult owned_case = server_->Request(
            "POST", "/api/v1/records/Case",
            R"({"caseNumber":"CASE-SEC-1","person":")" + person_id_ +
                R"(","subject":"Grievance","type":"question","status":"new","priority":"medium"})",
            agent_);
        ASSERT_EQ(owned_case.status, 201) << owned_case.body;
        case_id_ = std::string(owned_case.Json().at("id").as_string());
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }

    static void ExpectProblem(const HttpResult& result, int status, const std::string& what) {
        EXPECT_EQ(result.status, status) << what << ": " << result.body;
        EXPECT_EQ(result.Header("content-type"), "application/problem+json") << what;
    }

    static TestServer* server_;
    static std::string admin_, agent_, agent2_, boss_, task_id_, person_id_, case_id_;
};

TestServer* SecurityTest::server_ = nullptr;
std::string SecurityTest::admin_, SecurityTest::agent_, SecurityTest::agent2_, SecurityTest::boss_,
    SecurityTest::task_id_, SecurityTest::person_id_, SecurityTest::case_id_;

TEST_F(SecurityTest, TamperedForgedAndMisplacedTokensAreRefused) {
    const std::string target = "/api/v1/records/Person/" + person_id_;
    ASSERT_EQ(server_->Request("GET", target, "", agent_).status, 200);

    std::string tampered = agent_;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    std::string forged = "p360." + std::string(43, 'A');
    for (const std::string& token : {tampered, forged, agent_ + "x", std::string("p360.")}) {
        ExpectProblem(server_->Request("GET", target, "", token), 401, "token " + token);
    }
    // Tokens travel only in the Authorization header, never in the URL (logs, referrers).
    ExpectProblem(server_->Request("GET", target + "?access_token=" + agent_), 401, "query token");
    ExpectProblem(server_->Request("GET", target, "", "", {{"Authorization", "Basic " + agent_}}),
                  401, "wrong scheme");
    // A refused token says nothing about why.
    const auto detail = [&](const std::string& token) {
        return server_->Request("GET", target, "", token).Json().at("detail");
    };
    EXPECT_EQ(detail(tampered), detail(forged));
}

TEST_F(SecurityTest, OtherUsersRecordsCannotBeReachedById) {
    const std::string task = "/api/v1/records/Task/" + task_id_;
    HttpResult absent =
        server_->Request("GET", "/api/v1/records/Task/tsk_0000000000000000000000000", "", agent2_);
    for (const auto& [method, body] : std::vector<std::pair<std::string, std::string>>{
             {"GET", ""}, {"PATCH", R"({"priority":"urgent"})"}}) {
        HttpResult result = server_->Request(method, task, body, agent2_);
        ExpectProblem(result, 404, method + " another agent's task");
        EXPECT_EQ(result.Json().at("detail"), absent.Json().at("detail"));
    }
    ExpectProblem(server_->Request("GET", task + "/history", "", agent2_), 404, "history");
    ExpectProblem(server_->Request("PUT", task + "/owner",
                                   R"({"ownerId":"usr_0000000000000000000000000"})", agent2_),
                  400, "owner change to nobody");
    HttpResult list = server_->Request("GET", "/api/v1/records/Task", "", agent2_);
    ASSERT_EQ(list.status, 200);
    EXPECT_EQ(list.body.find(task_id_), std::string::npos) << "nor listed";
    // The owner, and a role that views all tasks, do reach it; it is still there.
    EXPECT_EQ(server_->Request("GET", task, "", agent_).status, 200);
    EXPECT_EQ(server_->Request("GET", task, "", boss_).status, 200);
}

TEST_F(SecurityTest, BulkUpsertCannotTakeOverAnotherUsersRecordByItsKey) {
    HttpResult result = server_->Request(
        "POST", "/api/v1/records/Case/bulk?externalId=caseNumber&mode=partial",
        R"({"caseNumber":"CASE-SEC-1","subject":"Hijacked","type":"question","status":"new","priority":"low"})"
        "\n",
        agent2_, {{"Content-Type", "application/x-ndjson"}});
    ASSERT_EQ(result.status, 200) << result.body;
    EXPECT_EQ(result.Json().at("failed"), 1);
    HttpResult stored = server_->Request("GET", "/api/v1/records/Case/" + case_id_, "", admin_);
    EXPECT_EQ(stored.Json().at("subject"), "Grievance");
    EXPECT_EQ(stored.Json().at("version"), 1);
}

TEST_F(SecurityTest, SystemFieldsCannotBeMassAssigned) {
    const std::vector<std::string> system_fields = {
        "id", "version", "ownerId", "createdAt", "createdBy", "modifiedAt", "modifiedBy"};
    for (const std::string& field : system_fields) {
        const std::string body = R"({"firstName":"Mal","lastName":"Assign","sourceId":"sec-ma-)" +
                                 field + R"(",")" + field + R"(":"usr_attacker"})";
        HttpResult created = server_->Request("POST", "/api/v1/records/Person", body, admin_);
        ExpectProblem(created, 400, "create with " + field);
        ASSERT_TRUE(created.Json().at("errors").is_array());
        EXPECT_EQ(created.Json().at("errors").at(0).at("field"), json::value(field));

        HttpResult patched = server_->Request("PATCH", "/api/v1/records/Person/" + person_id_,
                                              R"({")" + field + R"(":"usr_attacker"})", admin_);
        ExpectProblem(patched, 400, "patch " + field);
    }
    HttpResult stored = server_->Request("GET", "/api/v1/records/Person/" + person_id_, "", admin_);
    EXPECT_EQ(stored.Json().at("version"), 1);
    EXPECT_NE(stored.Json().at("ownerId"), "usr_attacker");
}

TEST_F(SecurityTest, HostileJsonIsRefusedAndTheServerCarriesOn) {
    const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
    ExpectProblem(server_->Request("POST", "/api/v1/records/Person", deep, admin_), 400, "deep");
    const std::string deep_object =
        R"({"firstName":)" + std::string(5'000, '[') + "1" + std::string(5'000, ']') + "}";
    ExpectProblem(server_->Request("POST", "/api/v1/records/Person", deep_object, admin_), 400,
                  "deep value");
    std::string many_keys = "{";
    for (int key = 0; key < 20'000; ++key) {
        many_keys += (key == 0 ? "\"k" : ",\"k") + std::to_string(key) + "\":1";
    }
    many_keys += "}";
    ExpectProblem(server_->Request("POST", "/api/v1/records/Person", many_keys, admin_), 400,
                  "many unknown keys");
    ExpectProblem(server_->Request("POST", "/api/v1/records/Person", "\"just a string\"", admin_),
                  400, "not an object");
    EXPECT_EQ(server_->Request("GET", "/healthz").status, 200);
}

// The web console's files are served from a directory; nothing beside it — the database, the
// audit, configuration — may be reached through the URL, however the path is spelled.
TEST(StaticFilesSecurityTest, PathsCannotLeaveTheWebDirectory) {
    TestServer server;
    const auto web = server.data_directory() / "web";
    std::filesystem::create_directories(web / "assets");
    std::ofstream(web / "index.html") << "<html>payer360 console</html>";
    std::ofstream(web / "assets" / "app.js") << "export const app = 1;";
    std::ofstream(server.data_directory() / "secret.txt") << "TOP SECRET";
    server.Start({"--web", web.string()});

    HttpResult index = server.Request("GET", "/");
    EXPECT_EQ(index.status, 200);
    EXPECT_EQ(index.body, "<html>payer360 console</html>");
    EXPECT_EQ(index.Header("x-content-type-options"), "nosniff");
    EXPECT_EQ(server.Request("GET", "/assets/app.js").status, 200);
    EXPECT_EQ(server.Request("GET", "/members/per_1/360").body, index.body) << "client routes";
    EXPECT_EQ(server.Request("GET", "/api/v1/nothing").Header("content-type"),
              "application/problem+json");

    for (const char* target :
         {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt",
          "/assets/%2e%2e/%2e%2e/secret.txt", "/..%5csecret.txt", "/%2fsecret.txt",
          "/assets/../../secret.txt", "/.%2e/.%2e/secret.txt", "/index.html%00.js"}) {
        HttpResult result = server.Request("GET", target);
        EXPECT_TRUE(result.status == 404 || result.status == 400) << target << " " << result.status;
        EXPECT_EQ(result.body.find("TOP SECRET"), std::string::npos) << target;
    }
    EXPECT_EQ(server.Request("GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace p360::testing
