#include "security/access_audit.hpp"

#include <gtest/gtest.h>

#include <algorithm>
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

// A list page is one call: one event, the fields named once, one accounting line per record.
TEST_F(AccessAuditTest, OneCallWithManySubjectsIsOneLinePerRecord) {
    AuditSubjects page;
    page.Add("per_1", "per_1");
    page.Add("per_2", "per_2");
    page.Add("per_3", "per_3");
    audit_->Record(agent_, "list", "Person", "lastName,birthDate", std::move(page));
    for (const char* person : {"per_1", "per_2", "per_3"}) {
        auto records = audit_->ForPerson(person, 10, 0);
        ASSERT_TRUE(records.ok());
        ASSERT_EQ(records->size(), 1U) << person;
        const AuditRecord& record = (*records)[0];
        EXPECT_EQ(record.record_id, person);
        EXPECT_EQ(record.person_id, person);
        EXPECT_EQ(record.action, "list");
        EXPECT_EQ(record.object_name, "Person");
        EXPECT_EQ(record.fields, "lastName,birthDate");
        EXPECT_EQ(record.username, "agent1");
        EXPECT_EQ(record.purpose, "operations");
        EXPECT_EQ(record.request_id, "req_1");
    }
    EXPECT_TRUE(audit_->ForPerson("per_4", 10, 0)->empty());
}

// Records of other objects name their member; several of one call page newest first, and
// `before` continues inside the call.
TEST_F(AccessAuditTest, RecordsOfAMemberPageNewestFirstWithinACall) {
    AuditSubjects conditions;
    conditions.Add("cnd_1", "per_9");
    conditions.Add("cnd_2", "per_8");
    conditions.Add("cnd_3", "per_9");
    conditions.Add("doc_1", "");
    audit_->Record(agent_, "list", "Condition", "code", std::move(conditions));
    auto first = audit_->ForPerson("per_9", 1, 0);
    ASSERT_TRUE(first.ok());
    ASSERT_EQ(first->size(), 1U);
    EXPECT_EQ((*first)[0].record_id, "cnd_3");
    EXPECT_EQ((*first)[0].person_id, "per_9");
    auto rest = audit_->ForPerson("per_9", 10, (*first)[0].id);
    ASSERT_TRUE(rest.ok());
    ASSERT_EQ(rest->size(), 1U);
    EXPECT_EQ((*rest)[0].record_id, "cnd_1");
    EXPECT_LT((*rest)[0].id, (*first)[0].id);
    EXPECT_EQ(audit_->ForPerson("per_8", 10, 0)->size(), 1U);
}

// Members share buckets of postings (there are more members than buckets here); each still
// sees exactly their own accesses, across many flushes.
TEST_F(AccessAuditTest, MembersSharingABucketSeeOnlyTheirOwnAccesses) {
    constexpr int kMembers = 3 * static_cast<int>(AccessAudit::kBuckets);
    for (int member_idx = 0; member_idx < kMembers; ++member_idx) {
        AuditSubjects read;
        const std::string id = "per_" + std::to_string(member_idx);
        read.Add(id, id);
        audit_->Record(agent_, "read", "Person", "lastName", std::move(read));
        if (member_idx % 100 == 0) {
            ASSERT_TRUE(audit_->Flush().ok());
        }
    }
    for (int member_idx = 0; member_idx < kMembers; member_idx += 7) {
        const std::string id = "per_" + std::to_string(member_idx);
        auto records = audit_->ForPerson(id, 10, 0);
        ASSERT_TRUE(records.ok());
        ASSERT_EQ(records->size(), 1U) << id;
        EXPECT_EQ((*records)[0].record_id, id);
    }
}

// A call beyond kSubjectSlots records is stored as several events; no record is lost and the
// accounting's ids stay distinct and ordered.
TEST_F(AccessAuditTest, VeryLargeCallsLoseNothing) {
    constexpr std::size_t kRecords = AccessAudit::kSubjectSlots * 2 + 300;
    AuditSubjects claims;
    for (std::size_t record_idx = 0; record_idx < kRecords; ++record_idx) {
        claims.Add("clm_" + std::to_string(record_idx), "per_big");
    }
    audit_->Record(agent_, "list", "Claim", "diagnosis", std::move(claims));
    auto records = audit_->ForPerson("per_big", static_cast<int>(kRecords) + 10, 0);
    ASSERT_TRUE(records.ok());
    ASSERT_EQ(records->size(), kRecords);
    for (std::size_t record_idx = 0; record_idx < kRecords; ++record_idx) {
        EXPECT_EQ((*records)[record_idx].record_id,
                  "clm_" + std::to_string(kRecords - 1 - record_idx));
        if (record_idx > 0) {
            EXPECT_LT((*records)[record_idx].id, (*records)[record_idx - 1].id);
        }
    }
}

TEST_F(AccessAuditTest, UnusualIdsSurviveTheRoundTrip) {
    AuditSubjects odd;
    odd.Add("rec 1@x%y", "per 1,2");
    audit_->Record(agent_, "read", "Note", "text", std::move(odd));
    auto records = audit_->ForPerson("per 1,2", 10, 0);
    ASSERT_TRUE(records.ok());
    ASSERT_EQ(records->size(), 1U);
    EXPECT_EQ((*records)[0].record_id, "rec 1@x%y");
    std::vector<std::pair<std::string, std::string>> seen;
    AuditSubjects packed;
    packed.Add("per_1", "per_1");
    packed.Add("cnd_1", "");
    packed.Add("a b", "c@d");
    AuditSubjects::ForEach(packed.packed(),
                           [&seen](std::string_view record, std::string_view person) {
                               seen.emplace_back(record, person);
                           });
    EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::string>>{
                        {"per_1", "per_1"}, {"cnd_1", ""}, {"a b", "c@d"}}));
    EXPECT_EQ(packed.size(), 3U);
}

// A page of one member's records names the member once; every record still reads back with it,
// and the accounting finds each of them.
TEST_F(AccessAuditTest, RunsOfOneMembersRecordsRoundTripAndNameTheMemberOnce) {
    const std::vector<std::pair<std::string, std::string>> subjects{
        {"per_1", "per_1"}, {"clm_1", "per_1"}, {"clm_2", "per_1"}, {"clm_3", "per_2"},
        {"clm_4", "per_2"}, {"doc_1", ""},      {"doc_2", ""},      {"clm_5", "per_1"}};
    AuditSubjects packed;
    for (const auto& [record, person] : subjects) {
        packed.Add(record, person);
    }
    std::vector<std::pair<std::string, std::string>> seen;
    AuditSubjects::ForEach(packed.packed(),
                           [&seen](std::string_view record, std::string_view person) {
                               seen.emplace_back(record, person);
                           });
    EXPECT_EQ(seen, subjects);
    std::size_t named = 0;
    for (std::size_t at = packed.packed().find("per_"); at != std::string::npos;
         at = packed.packed().find("per_", at + 1)) {
        ++named;
    }
    EXPECT_EQ(named, 3U) << "per_1 as a record, per_2 once, per_1 again: " << packed.packed();

    audit_->Record(agent_, "list", "Claim", "billedAmount", std::move(packed));
    auto records = audit_->ForPerson("per_1", 10, 0);
    ASSERT_TRUE(records.ok());
    std::vector<std::string> found;
    for (const AuditRecord& record : *records) {
        found.push_back(record.record_id);
    }
    std::sort(found.begin(), found.end());
    EXPECT_EQ(found, (std::vector<std::string>{"clm_1", "clm_2", "clm_5", "per_1"}));
}

// A bulk import names no record: it is stored, and in no member's accounting.
TEST_F(AccessAuditTest, CallsWithoutSubjectsDiscloseNoMember) {
    audit_->Record(agent_, "bulk-upsert", "Person", "lastName", AuditSubjects());
    audit_->Record(agent_, {{"bulk-upsert", "Person", "", "", {"lastName"}}});
    ASSERT_TRUE(audit_->Flush().ok());
    EXPECT_TRUE(audit_->ForPerson("per_1", 10, 0)->empty());
}

TEST_F(AccessAuditTest, AnAuditDatabaseOfAnEarlierLayoutIsRefused) {
    audit_.reset();
    std::filesystem::remove(path_);
    {
        auto database = std::move(storage::OpenSqlite(path_.string())).value();
        ASSERT_TRUE(database
                        ->WriteAlone([](storage::Connection& connection) -> Status {
                            return connection.Execute(
                                "CREATE TABLE audit_events (id INTEGER PRIMARY KEY, at TEXT)");
                        })
                        .ok());
    }
    auto reopened = AccessAudit::Open(std::move(storage::OpenSqlite(path_.string())).value(),
                                      clock_, std::chrono::hours(1));
    ASSERT_FALSE(reopened.ok());
    EXPECT_EQ(reopened.error().code, ErrorCode::kFailedPrecondition);
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
