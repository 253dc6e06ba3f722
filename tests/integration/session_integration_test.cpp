// Sessions through the real server: refresh rotates the token, administrators list, deactivate
// and revoke users, failed logins lock a username (real or not) across restarts, one address
// cannot hammer the login, and new passwords follow the policy.
#include <gtest/gtest.h>

#include <charconv>

#include "test_server.hpp"

namespace p360::testing {
namespace {

constexpr const char* kWrongPassword = "not-the-integration-password";

class SessionTest : public ::testing::Test {
protected:
    HttpResult LoginAttempt(const std::string& username, const std::string& password) {
        return server_.Request(
            "POST", "/api/v1/auth/login",
            json::serialize(json::object{{"username", username}, {"password", password}}));
    }

    HttpResult GetObjects(const std::string& token) {
        return server_.Request("GET", "/api/v1/objects", "", token);
    }

    // The id of `username`, from the administrators' list of users.
    std::string UserId(const std::string& admin_token, const std::string& username) {
        HttpResult users = server_.Request("GET", "/api/v1/users", "", admin_token);
        for (const auto& user : users.Json().at("items").as_array()) {
            if (user.at("username").as_string() == username) {
                return std::string(user.at("id").as_string());
            }
        }
        ADD_FAILURE() << "no user " << username << ": " << users.body;
        return "";
    }

    TestServer server_;
};

// Seconds in a Retry-After header; 0 when it is missing or not a whole number.
int RetryAfterSeconds(const HttpResult& result) {
    const std::string text = result.Header("retry-after");
    int seconds = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    return error == std::errc() && end == text.data() + text.size() ? seconds : 0;
}

void ExpectTooManyRequests(const HttpResult& result, int max_retry_after) {
    EXPECT_EQ(result.status, 429) << result.body;
    EXPECT_EQ(result.Header("content-type"), "application/problem+json");
    EXPECT_EQ(result.Json().at("status").as_int64(), 429);
    EXPECT_GT(RetryAfterSeconds(result), 0) << result.Header("retry-after");
    EXPECT_LE(RetryAfterSeconds(result), max_retry_after);
}

TEST_F(SessionTest, RefreshIssuesANewTokenAndTheOldOneStopsAtOnce) {
    server_.Start();
    const std::string old_token = server_.Login("agent");
    ASSERT_EQ(GetObjects(old_token).status, 200);  // now in the server's session cache

    HttpResult refreshed = server_.Request("POST", "/api/v1/auth/refresh", "", old_token);
    ASSERT_EQ(refreshed.status, 200) << refreshed.body;
    const std::string new_token(refreshed.Json().at("token").as_string());
    EXPECT_NE(new_token, old_token);
    EXPECT_TRUE(refreshed.Json().at("expiresAt").is_string());
    EXPECT_EQ(refreshed.Json().at("user").at("username").as_string(), "agent");

    EXPECT_EQ(GetObjects(old_token).status, 401);
    EXPECT_EQ(GetObjects(new_token).status, 200);
    EXPECT_EQ(server_.Request("POST", "/api/v1/auth/refresh", "", old_token).status, 401);
    EXPECT_EQ(server_.Request("POST", "/api/v1/auth/refresh").status, 401);
}

TEST_F(SessionTest, AdministratorsListUsersWithoutPasswordHashes) {
    server_.Start();
    const std::string admin = server_.Login("admin");
    HttpResult users = server_.Request("GET", "/api/v1/users", "", admin);
    ASSERT_EQ(users.status, 200) << users.body;
    std::vector<std::string> usernames;
    for (const auto& user : users.Json().at("items").as_array()) {
        usernames.emplace_back(user.at("username").as_string());
        EXPECT_TRUE(user.at("id").is_string());
        EXPECT_TRUE(user.at("role").is_string());
        EXPECT_TRUE(user.at("active").as_bool());
        EXPECT_TRUE(user.at("createdAt").is_string());
        EXPECT_TRUE(user.at("personId").is_null()) << "staff are no member";
        EXPECT_TRUE(user.at("permissionSets").as_array().empty());
        EXPECT_EQ(user.as_object().size(), 7U) << "nothing else, above all no hash";
    }
    EXPECT_EQ(usernames, (std::vector<std::string>{"admin", "agent"}));
    EXPECT_EQ(users.body.find("argon2"), std::string::npos);
    EXPECT_EQ(users.body.find("password"), std::string::npos);
    EXPECT_EQ(server_.Request("GET", "/api/v1/users", "", server_.Login("agent")).status, 403);
}

TEST_F(SessionTest, DeactivatingAUserEndsTheirSessionsAndLogins) {
    server_.Start();
    const std::string admin = server_.Login("admin");
    const std::string agent = server_.Login("agent");
    const std::string agent_id = UserId(admin, "agent");
    const std::string target = "/api/v1/users/" + agent_id;
    ASSERT_EQ(GetObjects(agent).status, 200);  // now in the server's session cache

    EXPECT_EQ(server_.Request("PATCH", target, R"({"active":false})", agent).status, 403);
    HttpResult deactivated = server_.Request("PATCH", target, R"({"active":false})", admin);
    ASSERT_EQ(deactivated.status, 200) << deactivated.body;
    EXPECT_FALSE(deactivated.Json().at("active").as_bool());
    EXPECT_EQ(deactivated.Json().at("username").as_string(), "agent");
    EXPECT_EQ(GetObjects(agent).status, 401);
    EXPECT_EQ(LoginAttempt("agent", TestServer::kPassword).status, 401);

    HttpResult reactivated = server_.Request("PATCH", target, R"({"active":true})", admin);
    ASSERT_EQ(reactivated.status, 200) << reactivated.body;
    EXPECT_TRUE(reactivated.Json().at("active").as_bool());
    EXPECT_EQ(GetObjects(server_.Login("agent")).status, 200);
    EXPECT_EQ(GetObjects(agent).status, 401);  // old tokens stay dead

    HttpResult unknown =
        server_.Request("PATCH", "/api/v1/users/usr_missing", R"({"active":false})", admin);
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.Header("content-type"), "application/problem+json");
    HttpResult not_boolean = server_.Request("PATCH", target, R"({"active":"no"})", admin);
    EXPECT_EQ(not_boolean.status, 400);
    EXPECT_EQ(not_boolean.Json().at("errors").as_array()[0].at("field").as_string(), "active");
    HttpResult other_field = server_.Request("PATCH", target, R"({"password":"x"})", admin);
    EXPECT_EQ(other_field.status, 400);
    EXPECT_EQ(other_field.Json().at("errors").as_array()[0].at("field").as_string(), "password");
    EXPECT_EQ(server_
                  .Request("PATCH", "/api/v1/users/" + UserId(admin, "admin"),
                           R"({"active":false})", admin)
                  .status,
              409);
}

std::string ProblemField(const HttpResult& result) {
    return std::string(result.Json().at("errors").as_array()[0].at("field").as_string());
}

TEST_F(SessionTest, ADemotedUserLosesTheOldRolesRightsOnTheNextRequest) {
    server_.CreateUser("deputy", "admin");
    server_.Start();
    const std::string admin = server_.Login("admin");
    const std::string deputy = server_.Login("deputy");
    const std::string target = "/api/v1/users/" + UserId(admin, "deputy");
    // Now in the server's session cache with the admin role.
    ASSERT_EQ(server_.Request("GET", "/api/v1/users", "", deputy).status, 200);

    HttpResult demoted = server_.Request("PATCH", target, R"({"role":"agent"})", admin);
    ASSERT_EQ(demoted.status, 200) << demoted.body;
    EXPECT_EQ(demoted.Json().at("role").as_string(), "agent");
    // The change is on record: whose, by whom, to what.
    const std::string expected_log_line = "event=users.changed user=" + target.substr(14) +
                                          " by=" + UserId(admin, "admin") + " role=agent";
    EXPECT_NE(server_.ServerLog().find(expected_log_line), std::string::npos)
        << server_.ServerLog();
    EXPECT_TRUE(demoted.Json().at("active").as_bool());
    EXPECT_EQ(server_.Request("GET", "/api/v1/users", "", deputy).status, 403);
    EXPECT_EQ(GetObjects(deputy).status, 200);  // the session itself goes on

    HttpResult promoted = server_.Request("PATCH", target, R"({"role":"admin"})", admin);
    ASSERT_EQ(promoted.status, 200) << promoted.body;
    EXPECT_EQ(server_.Request("GET", "/api/v1/users", "", deputy).status, 200);
}

TEST_F(SessionTest, RoleChangesAreCheckedAndNeverLeaveNoActiveAdmin) {
    server_.Start();
    const std::string admin = server_.Login("admin");
    const std::string agent_target = "/api/v1/users/" + UserId(admin, "agent");
    const std::string admin_target = "/api/v1/users/" + UserId(admin, "admin");

    for (const char* body :
         {R"({"role":"owner"})", R"({"role":7})", R"({"role":"portal_member"})"}) {
        HttpResult refused = server_.Request("PATCH", agent_target, body, admin);
        EXPECT_EQ(refused.status, 400) << body;
        EXPECT_EQ(refused.Header("content-type"), "application/problem+json");
        EXPECT_EQ(ProblemField(refused), "role") << body;
    }
    HttpResult empty = server_.Request("PATCH", agent_target, "{}", admin);
    EXPECT_EQ(empty.status, 400);

    // The only active admin may not step down.
    HttpResult last = server_.Request("PATCH", admin_target, R"({"role":"agent"})", admin);
    EXPECT_EQ(last.status, 409) << last.body;
    EXPECT_EQ(ProblemField(last), "role");
    EXPECT_EQ(server_.Request("GET", "/api/v1/users", "", admin).status, 200);

    // Once another admin is active, stepping down works and takes the rights away at once.
    ASSERT_EQ(server_.Request("PATCH", agent_target, R"({"role":"admin"})", admin).status, 200);
    HttpResult stepped_down = server_.Request("PATCH", admin_target, R"({"role":"agent"})", admin);
    ASSERT_EQ(stepped_down.status, 200) << stepped_down.body;
    EXPECT_EQ(server_.Request("GET", "/api/v1/users", "", admin).status, 403);
    const std::string new_admin = server_.Login("agent");
    EXPECT_EQ(server_.Request("GET", "/api/v1/users", "", new_admin).status, 200);
}

TEST_F(SessionTest, RevokingEndsEverySessionOfTheUser) {
    server_.Start();
    const std::string admin = server_.Login("admin");
    const std::string desk = server_.Login("agent");
    const std::string phone = server_.Login("agent");
    ASSERT_EQ(GetObjects(desk).status, 200);  // both now in the server's session cache
    ASSERT_EQ(GetObjects(phone).status, 200);
    const std::string target = "/api/v1/users/" + UserId(admin, "agent") + "/sessions/revoke";

    EXPECT_EQ(server_.Request("POST", target, "", desk).status, 403);
    HttpResult revoked = server_.Request("POST", target, "", admin);
    ASSERT_EQ(revoked.status, 200) << revoked.body;
    EXPECT_EQ(revoked.Json().at("revoked").as_int64(), 2);
    EXPECT_EQ(GetObjects(desk).status, 401);
    EXPECT_EQ(GetObjects(phone).status, 401);
    EXPECT_EQ(GetObjects(admin).status, 200);
    HttpResult unknown =
        server_.Request("POST", "/api/v1/users/usr_missing/sessions/revoke", "", admin);
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.Header("content-type"), "application/problem+json");
}

TEST_F(SessionTest, FailedLoginsLockRealAndUnknownUsernamesAlikeAcrossRestarts) {
    server_.Start();
    for (int attempt = 0; attempt < 5; ++attempt) {
        EXPECT_EQ(LoginAttempt("agent", kWrongPassword).status, 401);
        EXPECT_EQ(LoginAttempt("nobody-here", kWrongPassword).status, 401);
    }
    // Locked: even the right password is refused, and the answer does not tell whether the
    // username exists.
    HttpResult real = LoginAttempt("agent", TestServer::kPassword);
    HttpResult unknown = LoginAttempt("nobody-here", TestServer::kPassword);
    ExpectTooManyRequests(real, 60);
    ExpectTooManyRequests(unknown, 60);
    EXPECT_EQ(real.Json().at("detail"), unknown.Json().at("detail"));
    EXPECT_EQ(real.Json().at("type"), unknown.Json().at("type"));

    server_.Terminate();
    server_.Start();
    ExpectTooManyRequests(LoginAttempt("agent", TestServer::kPassword), 60);
    EXPECT_EQ(LoginAttempt("admin", TestServer::kPassword).status, 200);  // others unaffected
}

TEST_F(SessionTest, OneAddressCannotHammerTheLogin) {
    server_.Start({"--login-burst", "3", "--login-refill-seconds", "3600"});
    for (const std::string username : {"nobody-1", "nobody-2", "nobody-3"}) {
        EXPECT_EQ(LoginAttempt(username, kWrongPassword).status, 401);
    }
    HttpResult limited = LoginAttempt("admin", TestServer::kPassword);
    ExpectTooManyRequests(limited, 3600);
    EXPECT_NE(limited.Json().at("detail").as_string().find("address"), std::string::npos);
}

TEST_F(SessionTest, NewPasswordsMayNotContainTheUsernameOrBeCommon) {
    server_.Start();
    const std::string admin = server_.Login("admin");
    auto create = [&](const std::string& password) {
        return server_.Request(
            "POST", "/api/v1/users",
            json::serialize(
                json::object{{"username", "carol"}, {"password", password}, {"role", "agent"}}),
            admin);
    };
    for (const std::string password : {"Carol-has-a-long-password", "password1234"}) {
        HttpResult refused = create(password);
        EXPECT_EQ(refused.status, 400) << password;
        EXPECT_EQ(refused.Json().at("errors").as_array()[0].at("field").as_string(), "password");
        EXPECT_EQ(refused.body.find(password), std::string::npos);  // never echoed
    }
    EXPECT_EQ(create("a sound passphrase for her").status, 201);
}

}  // namespace
}  // namespace p360::testing
