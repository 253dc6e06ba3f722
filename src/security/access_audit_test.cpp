#include "security/access_audit.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "storage/schema.hpp"

namespace p360::security {
namespace {

class AccessAuditTest : public ::testing::Test {
protected:
    void SetUp() override {
        path_ = std::filesystem::temp_directory_path() /
                ("p360_audit_test_" + std::to_string(::getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
        std::filesystem::remove(path_);
        database_ = std::move(storage::OpenSqlite(path_.string())).value();
        ASSERT_TRUE(database_->Write(storage::EnsureSystemTables).ok());
        // A long interval: entries reach the database only through Flush() in these tests.
        audit_ = std::make_unique<AccessAudit>(*database_, clock_, std::chrono::hours(1));
    }
    void TearDown() override {
        audit_.reset();
        database_.reset();
        std::filesystem::remove(path_);
    }

    FakeClock clock_{1'700'000'000'000};
    std::filesystem::path path_;
    std::unique_ptr<storage::Database> database_;
    std::unique_ptr<AccessAudit> audit_;
    Actor agent_{"usr_1", "agent1", "agent", "", "req_1"};
};

TEST_F(AccessAuditTest, AccountingIncludesQueuedReadsNewestFirst) {
    audit_->RecordReads(agent_, {{"read", "Person", "per_1", "per_1", {"lastName", "birthDate"}}});
    clock_.Advance(std::chrono::seconds(1));
    Actor nurse{"usr_2", "nurse1", "care_manager", "", "req_2"};
    audit_->RecordReads(nurse, {{"read", "Condition", "cnd_1", "per_1", {"code"}},
                                {"read", "Condition", "cnd_2", "per_2", {"code"}}});
    auto records = audit_->ForPerson("per_1", 10, 0);
    ASSERT_TRUE(records.ok());
    ASSERT_EQ(records->size(), 2U);
    EXPECT_EQ((*records)[0].username, "nurse1");
    EXPECT_EQ((*records)[0].purpose, "treatment");
    EXPECT_EQ((*records)[1].fields, "lastName,birthDate");
    EXPECT_EQ((*records)[1].purpose, "operations");
    EXPECT_EQ((*records)[1].request_id, "req_1");
    EXPECT_LT((*records)[1].at, (*records)[0].at);
    auto older = audit_->ForPerson("per_1", 10, (*records)[0].id);
    ASSERT_TRUE(older.ok());
    EXPECT_EQ(older->size(), 1U);
}

TEST_F(AccessAuditTest, WriteEntriesCommitAndRollBackWithTheirChange) {
    Status rolled_back = database_->Write([&](storage::Connection& connection) -> Status {
        P360_TRY(audit_->AppendInTransaction(connection, agent_,
                                             {{"update", "Person", "per_9", "per_9", {"phone"}}}));
        return Error::InvalidArgument("the change failed");
    });
    EXPECT_FALSE(rolled_back.ok());
    EXPECT_TRUE(audit_->ForPerson("per_9", 10, 0)->empty());
    ASSERT_TRUE(database_
                    ->Write([&](storage::Connection& connection) -> Status {
                        return audit_->AppendInTransaction(
                            connection, agent_,
                            {{"update", "Person", "per_9", "per_9", {"phone"}}});
                    })
                    .ok());
    EXPECT_EQ(audit_->ForPerson("per_9", 10, 0)->size(), 1U);
}

TEST_F(AccessAuditTest, QueuedReadsAreWrittenWhenTheAuditStops) {
    audit_->RecordReads(agent_, {{"read", "Person", "per_5", "per_5", {"lastName"}}});
    audit_.reset();
    AccessAudit reopened(*database_, clock_, std::chrono::hours(1));
    EXPECT_EQ(reopened.ForPerson("per_5", 10, 0)->size(), 1U);
}

TEST(PurposeOfUseTest, KnownPurposesAndRoleDefaults) {
    EXPECT_TRUE(IsKnownPurposeOfUse("treatment"));
    EXPECT_TRUE(IsKnownPurposeOfUse("payment"));
    EXPECT_FALSE(IsKnownPurposeOfUse("curiosity"));
    EXPECT_EQ(DefaultPurposeOfUse("care_manager"), "treatment");
    EXPECT_EQ(DefaultPurposeOfUse("agent"), "operations");
}

}  // namespace
}  // namespace p360::security
