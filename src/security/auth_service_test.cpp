#include "security/auth_service.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "storage/schema.hpp"

namespace p360::security {
namespace {

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
    void TearDown() override {
        auth_.reset();
        database_.reset();
        std::filesystem::remove(path_);
    }

    std::filesystem::path path_;
    FakeClock clock_{1'700'000'000'000};
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

}  // namespace
}  // namespace p360::security
