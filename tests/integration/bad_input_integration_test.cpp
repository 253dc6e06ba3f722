// Bad input never gets a 5xx, a crash, a hang or a half-applied write: each case answers a
// 4xx problem+json that names the field, parameter or line at fault.
#include <gtest/gtest.h>

#include "test_server.hpp"

namespace p360::testing {
namespace {

class BadInputTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        server_ = new TestServer();
        server_->Start();
        token_ = server_->Login("admin");
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }

    // Sends a request and checks the problem's status and the location it names.
    static void ExpectProblem(const std::string& method, const std::string& target,
                              const std::string& body, int status, const std::string& location) {
        HttpResult result = server_->Request(method, target, body, token_);
        EXPECT_EQ(result.status, status) << method << " " << target << " " << result.body;
        EXPECT_EQ(result.Header("content-type"), "application/problem+json") << result.body;
        const json::value problem = result.Json();
        ASSERT_TRUE(problem.is_object()) << result.body;
        EXPECT_EQ(problem.at("status").as_int64(), status);
        for (const char* member : {"type", "title", "detail"}) {
            EXPECT_TRUE(problem.as_object().contains(member)) << member;
        }
        if (!location.empty()) {
            bool named = false;
            if (const auto* errors = problem.as_object().if_contains("errors")) {
                for (const auto& error : errors->as_array()) {
                    named |= error.at("field").as_string() == location;
                }
            }
            EXPECT_TRUE(named) << "expected errors[].field = " << location << " in " << result.body;
        }
        EXPECT_TRUE(server_->Request("GET", "/healthz").status == 200) << "server died";
    }

    static std::int64_t CountPeople(const std::string& last_name) {
        HttpResult result = server_->Request("GET",
                                             "/api/v1/records/Person?limit=1000&filter=" +
                                                 UrlEncode("lastName = '" + last_name + "'"),
                                             "", token_);
        return static_cast<std::int64_t>(result.Json().at("items").as_array().size());
    }

    static TestServer* server_;
    static std::string token_;
};

TestServer* BadInputTest::server_ = nullptr;
std::string BadInputTest::token_;

TEST_F(BadInputTest, MalformedJsonNamesTheBody) {
    ExpectProblem("POST", "/api/v1/records/Person", "{\"firstName\": ", 400, "body");
    ExpectProblem("POST", "/api/v1/records/Person", "[1,2,3]", 400, "body");
    ExpectProblem("POST", "/api/v1/records/Person", "", 400, "body");
    ExpectProblem("POST", "/api/v1/records/Person", "\xff\xfe{}", 400, "body");
    ExpectProblem("POST", "/api/v1/records/Person", std::string(200, '[') + std::string(200, ']'),
                  400, "body");
}

TEST_F(BadInputTest, WrongTypesAndUnknownFieldsNameEachField) {
    HttpResult result = server_->Request(
        "POST", "/api/v1/records/Person",
        R"({"firstName":42,"lastName":"Ok","sourceId":"bad-1","birthDate":"12/31/1990",)"
        R"("gender":"robot","email":"not-an-email","favouriteColour":"blue","id":"per_x"})",
        token_);
    ASSERT_EQ(result.status, 400);
    std::set<std::string> fields;
    for (const auto& error : result.Json().at("errors").as_array()) {
        fields.emplace(error.at("field").as_string());
    }
    EXPECT_EQ(fields, (std::set<std::string>{"firstName", "birthDate", "gender", "email",
                                             "favouriteColour", "id"}));
    ExpectProblem("POST", "/api/v1/records/Person",
                  R"({"lastName":"NoFirstName","sourceId":"bad-2"})", 400, "firstName");
    ExpectProblem("PATCH", "/api/v1/records/Person/per_01JD0000000000000000000000",
                  R"({"version":7})", 400, "version");
    EXPECT_EQ(CountPeople("Ok"), 0);
}

TEST_F(BadInputTest, UnknownObjectsRecordsAndRoutes) {
    ExpectProblem("GET", "/api/v1/records/Spaceship", "", 404, "");
    ExpectProblem("POST", "/api/v1/records/Spaceship", "{}", 404, "");
    ExpectProblem("GET", "/api/v1/records/Person/per_01JD0000000000000000000000", "", 404, "");
    ExpectProblem("GET", "/api/v1/records/Person/not-an-id", "", 404, "");
    ExpectProblem("GET", "/api/v1/nothing-here", "", 404, "");
    ExpectProblem("PUT", "/api/v1/records/Person", "{}", 405, "");
}

TEST_F(BadInputTest, BadFiltersSortsCursorsAndLimits) {
    const std::string base = "/api/v1/records/Person?";
    ExpectProblem("GET", base + "filter=" + UrlEncode("lastName = "), "", 400, "filter");
    ExpectProblem("GET", base + "filter=" + UrlEncode("lastNme = 'x'"), "", 400, "filter");
    ExpectProblem("GET", base + "filter=" + UrlEncode("birthDate = 'yesterday'"), "", 400,
                  "filter");
    ExpectProblem("GET", base + "filter=" + UrlEncode("lastName = 'x' or or"), "", 400, "filter");
    ExpectProblem("GET", base + "filter=" + UrlEncode("'; DROP TABLE \"Person\"; --"), "", 400,
                  "filter");
    ExpectProblem("GET", base + "sort=shoeSize", "", 400, "sort");
    ExpectProblem("GET", base + "cursor=garbage", "", 400, "cursor");
    ExpectProblem("GET", base + "limit=0", "", 400, "limit");
    ExpectProblem("GET", base + "limit=5000", "", 400, "limit");
    ExpectProblem("GET", base + "limit=ten", "", 400, "limit");
    ExpectProblem("GET", base + "fields=nope", "", 400, "fields");
    ExpectProblem("GET", base + "colour=red", "", 400, "colour");
    // The table is still there.
    EXPECT_EQ(server_->Request("GET", base + "limit=1", "", token_).status, 200);
}

TEST_F(BadInputTest, BadIfMatchAndCustomDefinitions) {
    ExpectProblem("PATCH", "/api/v1/records/Person/per_01JD0000000000000000000000",
                  R"({"lastName":"x"})", 404, "");
    HttpResult result =
        server_->Request("PATCH", "/api/v1/records/Person/per_01JD0000000000000000000000",
                         R"({"lastName":"x"})", token_, {{"If-Match", "abc"}});
    EXPECT_EQ(result.status, 400);
    ExpectProblem("POST", "/api/v1/objects/Person/fields", R"({"name":"Bad Name","type":"text"})",
                  400, "");
    ExpectProblem("POST", "/api/v1/objects/Person/fields", R"({"name":"shoeSize","type":"sizes"})",
                  400, "type");
    ExpectProblem("POST", "/api/v1/objects/Person/fields",
                  R"({"name":"shoeSize","type":"text","colour":"red"})", 400, "colour");
    ExpectProblem("POST", "/api/v1/objects", R"({"name":"lowercase"})", 400, "");
    ExpectProblem("POST", "/api/v1/objects", R"({"name":"Person"})", 409, "");
}

TEST_F(BadInputTest, BadNdjsonNamesTheLine) {
    const std::string target = "/api/v1/records/Person/bulk?externalId=sourceId&mode=atomic";
    HttpResult result = server_->Request(
        "POST", target,
        "{\"sourceId\":\"nd-1\",\"firstName\":\"A\",\"lastName\":\"Ndjson\"}\n\n[oops\n", token_);
    ASSERT_EQ(result.status, 400) << result.body;
    EXPECT_EQ(result.Json().at("errors").as_array()[0].at("line").as_int64(), 3);
    EXPECT_EQ(CountPeople("Ndjson"), 0);
    ExpectProblem("POST", "/api/v1/records/Person/bulk?externalId=firstName", "{}\n", 400,
                  "externalId");
    ExpectProblem("POST", "/api/v1/records/Person/bulk?externalId=sourceId&mode=sometimes", "{}\n",
                  400, "mode");
    ExpectProblem("POST", "/api/v1/records/Person/bulk?externalId=sourceId", "", 400, "body");
}

TEST_F(BadInputTest, CommandsGiveHelpWithoutTheirRequiredOptionsAndRefuseWithout) {
    // Each of these commands requires an option that is not given.
    const std::vector<std::vector<std::string>> commands = {
        {"user", "create"}, {"identity", "dedupe"}, {"import", "x12"}};
    for (std::vector<std::string> command : commands) {
        EXPECT_EQ(server_->RunCommand(command), 2) << command[0] << " " << command[1];
        command.emplace_back("--help");
        EXPECT_EQ(server_->RunCommand(command), 0) << command[0] << " " << command[1];
    }
}

TEST_F(BadInputTest, ANegativeMember360CacheSizeIsRefusedBeforeServing) {
    EXPECT_EQ(server_->RunCommand({"serve", "--port", "0", "--member360-cache-mib", "-1"}), 1);
    EXPECT_NE(server_->ServerLog().find("--member360-cache-mib must be 0 or more"),
              std::string::npos)
        << server_->ServerLog();
}

TEST_F(BadInputTest, OversizedBodiesAndHeadersAreRefused) {
    const std::string huge(2 << 20, 'x');
    HttpResult body = server_->Request("POST", "/api/v1/records/Person", huge, token_);
    EXPECT_EQ(body.status, 413);
    EXPECT_EQ(body.Header("content-type"), "application/problem+json");
    HttpResult headers = server_->Request("GET", "/api/v1/objects", "", token_,
                                          {{"X-Padding", std::string(32 * 1024, 'p')}});
    EXPECT_EQ(headers.status, 431);
    EXPECT_EQ(server_->Request("GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace p360::testing
