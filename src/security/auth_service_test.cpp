#include "security/auth_service.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/time_format.hpp"
#include "security/passwords.hpp"
#include "storage/schema.hpp"

namespace p360::security {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr std::int64_t kStart = 1'700'000'000'000;
constexpr const char* kPassword = "correct horse battery";

std::string At(std::chrono::milliseconds since_start) {
    return FormatDateTime(kStart + since_start.count());
}

class AuthServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        path_ = std::filesystem::temp_directory_path() /
                ("p360_auth_test_" + std::to_string(::getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
        std::filesystem::remove(path_);
        auto database = storage::OpenSqlite(path_.string());
        ASSERT_TRUE(database.ok());
        database_ = std::move(database).value();
        ASSERT_TRUE(database_->Write(storage::EnsureSystemTables).ok());
        auth_ = std::make_unique<AuthService>(*database_, clock_);
    }
    // A new service on the same database, as after a restart.
    void Restart(AuthOptions options = {}) {
        auth_ = std::make_unique<AuthService>(*database_, clock_, options);
    }
    Actor MakeUser(const std::string& username) {
        auto actor = auth_->CreateUser(username, kPassword, "agent");
        EXPECT_TRUE(actor.ok());
        return actor.ok() ? actor.value() : Actor{};
    }
    Session LogIn(const std::string& username) {
        auto session = auth_->Login(username, kPassword);
        EXPECT_TRUE(session.ok()) << session.error().public_message;
        return session.ok() ? session.value() : Session{};
    }
    // A login's error code and, when throttled, the wait it asks for.
    std::pair<ErrorCode, seconds> Refusal(const std::string& username, const std::string& password,
                                          const std::string& address = "") {
        seconds retry_after{0};
        auto session = auth_->Login(username, password, address, &retry_after);
        EXPECT_FALSE(session.ok());
        return {session.ok() ? ErrorCode::kInternal : session.error().code, retry_after};
    }
    void TearDown() override {
        auth_.reset();
        database_.reset();
        std::filesystem::remove(path_);
    }

    std::filesystem::path path_;
    FakeClock clock_{kStart};
    std::unique_ptr<storage::Database> database_;
    std::unique_ptr<AuthService> auth_;
};

TEST_F(AuthServiceTest, LoginReturnsATokenThatAuthenticates) {
    ASSERT_TRUE(auth_->CreateUser("alice", "correct horse battery", "agent").ok());
    auto session = auth_->Login("alice", "correct horse battery");
    ASSERT_TRUE(session.ok());
    auto actor = auth_->Authenticate(session->token);
    ASSERT_TRUE(actor.ok());
    EXPECT_EQ(actor->username, "alice");
    EXPECT_EQ(actor->role, "agent");
}

TEST_F(AuthServiceTest, WrongPasswordAndUnknownUserAreRejectedAlike) {
    ASSERT_TRUE(auth_->CreateUser("alice", "correct horse battery", "agent").ok());
    auto wrong_password = auth_->Login("alice", "wrong horse battery");
    auto unknown_user = auth_->Login("mallory", "correct horse battery");
    ASSERT_FALSE(wrong_password.ok());
    ASSERT_FALSE(unknown_user.ok());
    EXPECT_EQ(wrong_password.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(wrong_password.error().public_message, unknown_user.error().public_message);
}

TEST_F(AuthServiceTest, TokensAreStoredOnlyAsHashes) {
    ASSERT_TRUE(auth_->CreateUser("alice", "correct horse battery", "agent").ok());
    auto session = auth_->Login("alice", "correct horse battery");
    ASSERT_TRUE(session.ok());
    bool token_found = true;
    ASSERT_TRUE(
        database_
            ->Read([&](storage::Connection& connection) -> Status {
                const storage::Value params[] = {session->token};
                P360_ASSIGN_OR_RETURN(
                    auto row,
                    connection.QueryOne("SELECT 1 FROM sys_sessions WHERE token_hash = ?", params));
                token_found = row.has_value();
                return Ok();
            })
            .ok());
    EXPECT_FALSE(token_found);
}

TEST_F(AuthServiceTest, ExpiredAndLoggedOutTokensAreRejected) {
    ASSERT_TRUE(auth_->CreateUser("alice", "correct horse battery", "agent").ok());
    auto first = auth_->Login("alice", "correct horse battery");
    auto second = auth_->Login("alice", "correct horse battery");
    ASSERT_TRUE(first.ok() && second.ok());
    ASSERT_TRUE(auth_->Logout(first->token).ok());
    EXPECT_FALSE(auth_->Authenticate(first->token).ok());
    EXPECT_TRUE(auth_->Authenticate(second->token).ok());
    clock_.Advance(std::chrono::hours(9));
    EXPECT_FALSE(auth_->Authenticate(second->token).ok());
}

TEST_F(AuthServiceTest, RejectsWeakPasswordsUnknownRolesAndTakenNames) {
    EXPECT_EQ(auth_->CreateUser("bob", "short", "agent").error().location, "password");
    EXPECT_EQ(auth_->CreateUser("bob", "correct horse battery", "wizard").error().location, "role");
    ASSERT_TRUE(auth_->CreateUser("bob", "correct horse battery", "agent").ok());
    EXPECT_EQ(auth_->CreateUser("bob", "correct horse battery", "agent").error().code,
              ErrorCode::kAlreadyExists);
}

TEST_F(AuthServiceTest, OnlyPortalMembersAreLinkedToAMember) {
    EXPECT_EQ(auth_->CreateUser("pat", "correct horse battery", "portal_member").error().location,
              "personId");
    EXPECT_EQ(auth_->CreateUser("sam", "correct horse battery", "agent", "per_1").error().location,
              "personId");
}

TEST_F(AuthServiceTest, ExtraPermissionSetsTravelWithTheSessionAndChangeAtOnce) {
    auto user = auth_->CreateUser("alice", "correct horse battery", "marketing");
    ASSERT_TRUE(user.ok());
    auto session = auth_->Login("alice", "correct horse battery");
    ASSERT_TRUE(session.ok());
    ASSERT_TRUE(auth_->Authenticate(session->token).ok());  // now cached
    auto updated = auth_->SetPermissionSets(user->user_id, {"member-service", "sales"});
    ASSERT_TRUE(updated.ok());
    EXPECT_EQ(updated->permission_sets, (std::vector<std::string>{"member-service", "sales"}));
    auto actor = auth_->Authenticate(session->token);
    ASSERT_TRUE(actor.ok());
    EXPECT_EQ(actor->permission_sets, (std::vector<std::string>{"member-service", "sales"}));
    EXPECT_EQ(auth_->SetPermissionSets("usr_nobody", {}).error().code, ErrorCode::kNotFound);
}

TEST_F(AuthServiceTest, RefreshRotatesTheTokenAndTheOldOneStopsAtOnce) {
    MakeUser("alice");
    const Session first = LogIn("alice");
    clock_.Advance(hours(1));
    ASSERT_TRUE(auth_->Authenticate(first.token).ok());  // now in the cache
    auto second = auth_->Refresh(first.token);
    ASSERT_TRUE(second.ok());
    EXPECT_NE(second->token, first.token);
    EXPECT_EQ(second->actor.username, "alice");
    EXPECT_EQ(second->expires_at, At(hours(1 + 8)));
    // Refused although the cache vouched for it a moment ago, and cannot be refreshed twice.
    EXPECT_FALSE(auth_->Authenticate(first.token).ok());
    EXPECT_EQ(auth_->Refresh(first.token).error().code, ErrorCode::kUnauthenticated);
    EXPECT_TRUE(auth_->Authenticate(second->token).ok());
    clock_.Advance(hours(9));
    EXPECT_EQ(auth_->Refresh(second->token).error().code, ErrorCode::kUnauthenticated);
}

TEST_F(AuthServiceTest, RefreshExtendsASessionOnlyUpToItsMaximumLifetime) {
    MakeUser("alice");
    Session session = LogIn("alice");
    int refreshes = 0;
    std::optional<Error> refused;
    while (!refused && refreshes < 100) {
        clock_.Advance(hours(7));
        auto next = auth_->Refresh(session.token);
        if (next.ok()) {
            session = std::move(next).value();
            ++refreshes;
        } else {
            refused = next.error();
        }
    }
    // Every 7 hours for a week: the 23rd refresh (at 161 h) reaches the 168 h bound, and the
    // next (at 168 h) is refused.
    EXPECT_EQ(refreshes, 23);
    EXPECT_EQ(session.expires_at, At(hours(24 * 7)));
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->code, ErrorCode::kUnauthenticated);
    EXPECT_NE(refused->public_message.find("maximum lifetime"), std::string::npos);
    // A new login starts a new week.
    EXPECT_EQ(LogIn("alice").expires_at, At(hours(24 * 7 + 8)));
}

TEST_F(AuthServiceTest, FiveFailuresLockAUsernameAndEachFurtherOneDoublesTheLockout) {
    MakeUser("alice");
    for (int attempt = 0; attempt < 5; ++attempt) {
        EXPECT_EQ(Refusal("alice", "wrong horse battery").first, ErrorCode::kUnauthenticated);
    }
    // Locked: even the right password is refused, and says how long to wait.
    EXPECT_EQ(Refusal("alice", kPassword), std::pair(ErrorCode::kResourceExhausted, seconds(60)));
    clock_.Advance(seconds(30));
    EXPECT_EQ(Refusal("alice", kPassword), std::pair(ErrorCode::kResourceExhausted, seconds(30)));
    seconds remaining(30);
    // Refused attempts do not count; each failure after a lockout doubles it, up to an hour.
    for (const int expected : {120, 240, 480, 960, 1920, 3600, 3600}) {
        clock_.Advance(remaining);
        EXPECT_EQ(Refusal("alice", "wrong horse battery").first, ErrorCode::kUnauthenticated);
        remaining = seconds(expected);
        EXPECT_EQ(Refusal("alice", kPassword), std::pair(ErrorCode::kResourceExhausted, remaining));
    }
    clock_.Advance(remaining);
    LogIn("alice");
    // A success starts the count again.
    for (int attempt = 0; attempt < 4; ++attempt) {
        EXPECT_EQ(Refusal("alice", "wrong horse battery").first, ErrorCode::kUnauthenticated);
    }
    LogIn("alice");
}

TEST_F(AuthServiceTest, UnknownUsernamesAreLockedOutExactlyLikeRealOnes) {
    MakeUser("alice");
    auto answer = [this](const std::string& username, const std::string& password) {
        seconds retry_after{0};
        auto session = auth_->Login(username, password, "", &retry_after);
        EXPECT_FALSE(session.ok());
        return std::tuple(session.error().code, session.error().public_message, retry_after);
    };
    for (int attempt = 0; attempt < 5; ++attempt) {
        EXPECT_EQ(answer("alice", "wrong horse battery"), answer("mallory", "wrong horse battery"));
    }
    const auto real = answer("alice", kPassword);
    EXPECT_EQ(std::get<0>(real), ErrorCode::kResourceExhausted);
    EXPECT_EQ(real, answer("mallory", kPassword));
    clock_.Advance(seconds(60));
    EXPECT_EQ(answer("alice", "wrong horse battery"), answer("mallory", "wrong horse battery"));
    EXPECT_EQ(answer("alice", kPassword), answer("mallory", kPassword));
    EXPECT_EQ(std::get<2>(answer("mallory", kPassword)), seconds(120));
}

TEST_F(AuthServiceTest, ALockoutSurvivesARestart) {
    MakeUser("alice");
    for (int attempt = 0; attempt < 5; ++attempt) {
        EXPECT_EQ(Refusal("alice", "wrong horse battery").first, ErrorCode::kUnauthenticated);
    }
    Restart();
    clock_.Advance(seconds(10));
    EXPECT_EQ(Refusal("alice", kPassword), std::pair(ErrorCode::kResourceExhausted, seconds(50)));
    clock_.Advance(seconds(50));
    LogIn("alice");
}

TEST_F(AuthServiceTest, LoginsAreRateLimitedPerClientAddress) {
    AuthOptions options;
    options.login_burst = 3;
    options.login_refill = seconds(3);
    Restart(options);
    MakeUser("alice");
    for (int attempt = 0; attempt < 3; ++attempt) {
        EXPECT_TRUE(auth_->Login("alice", kPassword, "192.0.2.1").ok());
    }
    EXPECT_EQ(Refusal("alice", kPassword, "192.0.2.1"),
              std::pair(ErrorCode::kResourceExhausted, seconds(3)));
    // Another address has a bucket of its own.
    EXPECT_TRUE(auth_->Login("alice", kPassword, "192.0.2.2").ok());
    clock_.Advance(seconds(2));
    EXPECT_EQ(Refusal("alice", kPassword, "192.0.2.1"),
              std::pair(ErrorCode::kResourceExhausted, seconds(1)));
    clock_.Advance(seconds(1));
    EXPECT_TRUE(auth_->Login("alice", kPassword, "192.0.2.1").ok());
    EXPECT_EQ(Refusal("alice", kPassword, "192.0.2.1").first, ErrorCode::kResourceExhausted);
}

TEST_F(AuthServiceTest, DeactivationEndsSessionsAtOnceAndRefusesLogins) {
    const Actor alice = MakeUser("alice");
    const Session session = LogIn("alice");
    ASSERT_TRUE(auth_->Authenticate(session.token).ok());  // now in the cache
    auto deactivated = auth_->SetActive(alice.user_id, false);
    ASSERT_TRUE(deactivated.ok());
    EXPECT_FALSE(deactivated->active);
    EXPECT_EQ(deactivated->username, "alice");
    EXPECT_FALSE(auth_->Authenticate(session.token).ok());
    EXPECT_EQ(Refusal("alice", kPassword).first, ErrorCode::kUnauthenticated);

    ASSERT_TRUE(auth_->SetActive(alice.user_id, true).ok());
    EXPECT_TRUE(auth_->Authenticate(LogIn("alice").token).ok());
    EXPECT_FALSE(auth_->Authenticate(session.token).ok());  // old tokens stay dead
    EXPECT_EQ(auth_->SetActive("usr_missing", false).error().code, ErrorCode::kNotFound);
}

TEST_F(AuthServiceTest, TheLastActiveAdminKeepsTheRoleAndAccess) {
    const Actor alice = MakeUser("alice");
    auto root = auth_->CreateUser("root", kPassword, "admin");
    ASSERT_TRUE(root.ok());
    const std::string root_id = root->user_id;

    EXPECT_EQ(auth_->SetActive(root_id, false).error().code, ErrorCode::kConflict);
    auto demoted = auth_->ChangeUser(root_id, UserChange{"agent", std::nullopt});
    EXPECT_EQ(demoted.error().code, ErrorCode::kConflict);
    EXPECT_EQ(demoted.error().location, "role");

    // With a second admin, either may go; then the other is the last again.
    ASSERT_TRUE(auth_->ChangeUser(alice.user_id, UserChange{"admin", std::nullopt}).ok());
    auto stepped_down = auth_->ChangeUser(root_id, UserChange{"auditor", false});
    ASSERT_TRUE(stepped_down.ok());
    EXPECT_EQ(stepped_down->role, "auditor");
    EXPECT_FALSE(stepped_down->active);
    EXPECT_EQ(auth_->ChangeUser(alice.user_id, UserChange{"agent", std::nullopt}).error().code,
              ErrorCode::kConflict);
    EXPECT_EQ(auth_->ChangeUser(alice.user_id, UserChange{"wizard", std::nullopt}).error().location,
              "role");
}

TEST_F(AuthServiceTest, RevokingSessionsEndsEveryOneOfThatUserOnly) {
    const Actor alice = MakeUser("alice");
    MakeUser("bob");
    const Session alice_desk = LogIn("alice");
    const Session alice_phone = LogIn("alice");
    const Session bob = LogIn("bob");
    for (const Session* session : {&alice_desk, &alice_phone, &bob}) {
        ASSERT_TRUE(auth_->Authenticate(session->token).ok());  // now in the cache
    }
    auto revoked = auth_->RevokeSessions(alice.user_id);
    ASSERT_TRUE(revoked.ok());
    EXPECT_EQ(*revoked, 2);
    EXPECT_FALSE(auth_->Authenticate(alice_desk.token).ok());
    EXPECT_FALSE(auth_->Authenticate(alice_phone.token).ok());
    EXPECT_TRUE(auth_->Authenticate(bob.token).ok());
    EXPECT_TRUE(auth_->Authenticate(LogIn("alice").token).ok());  // she may log in again
    EXPECT_EQ(auth_->RevokeSessions("usr_missing").error().code, ErrorCode::kNotFound);
}

TEST_F(AuthServiceTest, ListUsersShowsAccountsByUsername) {
    const Actor bob = MakeUser("bob");
    MakeUser("alice");
    ASSERT_TRUE(auth_->SetActive(bob.user_id, false).ok());
    auto users = auth_->ListUsers();
    ASSERT_TRUE(users.ok());
    ASSERT_EQ(users->size(), 2U);
    EXPECT_EQ((*users)[0].username, "alice");
    EXPECT_TRUE((*users)[0].active);
    EXPECT_EQ((*users)[1].id, bob.user_id);
    EXPECT_FALSE((*users)[1].active);
    EXPECT_EQ((*users)[1].role, "agent");
    EXPECT_EQ((*users)[1].created_at, At(hours(0)));
}

TEST_F(AuthServiceTest, PasswordsMayNotContainTheUsernameOrBeCommon) {
    auto with_name = auth_->CreateUser("alice", "my-ALICE-is-long-enough", "agent");
    ASSERT_FALSE(with_name.ok());
    EXPECT_EQ(with_name.error().location, "password");
    EXPECT_NE(with_name.error().public_message.find("username"), std::string::npos);
    auto common = auth_->CreateUser("alice", "Password1234", "agent");
    ASSERT_FALSE(common.ok());
    EXPECT_EQ(common.error().location, "password");
    EXPECT_NE(common.error().public_message.find("common"), std::string::npos);
    EXPECT_EQ(CheckPasswordPolicy("qwertyuiopas").error().location, "password");
    EXPECT_TRUE(CheckPasswordPolicy("qwertyuiopas but longer").ok());
    EXPECT_TRUE(CheckPasswordPolicy("alice in wonderland").ok());  // no username to avoid
    EXPECT_TRUE(auth_->CreateUser("alice", kPassword, "agent").ok());
}

}  // namespace
}  // namespace p360::security
