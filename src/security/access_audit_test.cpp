#include "security/access_audit.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace p360::security {
namespace {

class AccessAuditTest : public ::testing::Test {
protected:
    void SetUp() override {
        path_ = std::filesystem::temp_directory_path() /
                ("p360_audit_test_" + std::to_string(::getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
        std::filesystem::remove(path_);
        audit_ = Open();
    }
    void TearDown() override {
        audit_.reset();
        std::filesystem::remove(path_);
    }

    // A long interval: entries reach the database only through Flush() or the destructor.
    std::unique_ptr<AccessAudit> Open() {
        auto audit = AccessAudit::Open(std::move(storage::OpenSqlite(path_.string())).value(),
                                       clock_, std::chrono::hours(1));
        EXPECT_TRUE(audit.ok());
        return audit.ok() ? std::move(audit).value() : nullptr;
    }

    FakeClock clock_{1'700'000'000'000};
    std::filesystem::path path_;
    std::unique_ptr<AccessAudit> audit_;
    Actor agent_{"usr_1", "agent1", "agent", "", "req_1"};
};

TEST_F(AccessAuditTest, AccountingIncludesQueuedEntriesNewestFirst) {
    audit_->Record(agent_, {{"read", "Person", "per_1", "per_1", {"lastName", "birthDate"}}});
    clock_.Advance(std::chrono::seconds(1));
    Actor nurse{"usr_2", "nurse1", "care_manager", "", "req_2"};
    audit_->Record(nurse, {{"read", "Condition", "cnd_1", "per_1", {"code"}},
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
    EXPECT_EQ(audit_->ForPerson("per_2", 10, 0)->size(), 1U);
}

TEST_F(AccessAuditTest, QueuedEntriesAreWrittenWhenTheAuditStops) {
    agent_.purpose = "payment";
    audit_->Record(agent_, {{"update", "Person", "per_5", "per_5", {"phone"}}});
    audit_.reset();
    audit_ = Open();
    auto records = audit_->ForPerson("per_5", 10, 0);
    ASSERT_EQ(records->size(), 1U);
    EXPECT_EQ((*records)[0].action, "update");
    EXPECT_EQ((*records)[0].purpose, "payment");
}

TEST_F(AccessAuditTest, ManyEntriesAreWrittenInChunksWithoutLoss) {
    std::vector<AuditEntry> entries;
    for (int entry_idx = 0; entry_idx < 1000; ++entry_idx) {
        entries.push_back(
            {"list", "Person", "per_" + std::to_string(entry_idx), "per_many", {"x"}});
    }
    audit_->Record(agent_, std::move(entries));
    EXPECT_EQ(audit_->ForPerson("per_many", 1000, 0)->size(), 1000U);
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
