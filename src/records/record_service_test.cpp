#include "records/record_service.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "records/record_codec.hpp"
#include "records/test_objects.hpp"

namespace p360::records {
namespace {

class RecordServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        path_ = std::filesystem::temp_directory_path() /
                ("p360_records_test_" + std::to_string(::getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
        std::filesystem::remove(path_);
        database_ = std::move(storage::OpenSqlite(path_.string())).value();
        metadata_ =
            std::move(MetadataService::Open(*database_, testing::TestObjects(), clock_)).value();
        records_ = std::make_unique<RecordService>(*database_, *metadata_, authorizer_, clock_);
    }
    void TearDown() override {
        records_.reset();
        metadata_.reset();
        database_.reset();
        std::filesystem::remove(path_);
    }

    json::object Create(std::string_view object, std::string_view body) {
        auto created = records_->Create(actor_, object, json::parse(body));
        EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().public_message);
        return created.ok() ? created.value() : json::object();
    }

    std::filesystem::path path_;
    FakeClock clock_{1'700'000'000'000};
    security::BasicAuthorizer authorizer_;
    security::Actor actor_{"usr_test", "tester", "admin"};
    std::unique_ptr<storage::Database> database_;
    std::unique_ptr<MetadataService> metadata_;
    std::unique_ptr<RecordService> records_;
};

TEST_F(RecordServiceTest, UpdateWritesHistoryOnlyForChangedTrackedFields) {
    json::object person = Create("Person", R"({"lastName":"Old","sourceId":"s1"})");
    const std::string id(person.at("id").as_string());
    clock_.Advance(std::chrono::seconds(5));
    auto updated =
        records_->Update(actor_, "Person", id, json::parse(R"({"lastName":"New","score":3})"), 1);
    ASSERT_TRUE(updated.ok());
    EXPECT_EQ(updated->at("version").as_int64(), 2);
    EXPECT_NE(updated->at("modifiedAt"), person.at("modifiedAt"));
    auto unchanged =
        records_->Update(actor_, "Person", id, json::parse(R"({"lastName":"New"})"), std::nullopt);
    ASSERT_TRUE(unchanged.ok());
    EXPECT_EQ(unchanged->at("version").as_int64(), 2);  // nothing changed, no new version

    auto history = records_->History(actor_, "Person", id);
    ASSERT_TRUE(history.ok());
    const auto& items = history->at("items").as_array();
    ASSERT_EQ(items.size(), 1U);  // score is not tracked
    EXPECT_EQ(items[0].at("oldValue").as_string(), "Old");
    EXPECT_EQ(items[0].at("newValue").as_string(), "New");
    EXPECT_EQ(items[0].at("changedBy").as_string(), "usr_test");
}

TEST_F(RecordServiceTest, StaleVersionIsRefusedAndChangesNothing) {
    json::object person = Create("Person", R"({"lastName":"Same","sourceId":"s2"})");
    const std::string id(person.at("id").as_string());
    ASSERT_TRUE(records_->Update(actor_, "Person", id, json::parse(R"({"score":1})"), 1).ok());
    auto stale = records_->Update(actor_, "Person", id, json::parse(R"({"score":2})"), 1);
    ASSERT_FALSE(stale.ok());
    EXPECT_EQ(stale.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(records_->Get(actor_, "Person", id)->at("score").as_int64(), 1);
}

TEST_F(RecordServiceTest, UniqueExternalIdsAreEnforced) {
    Create("Person", R"({"lastName":"One","sourceId":"dup"})");
    auto second =
        records_->Create(actor_, "Person", json::parse(R"({"lastName":"Two","sourceId":"dup"})"));
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().code, ErrorCode::kAlreadyExists);
    EXPECT_EQ(second.error().location, "sourceId");
}

TEST_F(RecordServiceTest, DeleteCascadesAlongDeclaredReferences) {
    json::object household = Create("Household", R"({"name":"H"})");
    const std::string household_id(household.at("id").as_string());
    json::object person = Create(
        "Person", R"({"lastName":"Kid","sourceId":"s3","household":")" + household_id + "\"}");
    ASSERT_TRUE(records_->Delete(actor_, "Household", household_id, std::nullopt).ok());
    auto gone = records_->Get(actor_, "Person", person.at("id").as_string());
    ASSERT_FALSE(gone.ok());
    EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
}

TEST_F(RecordServiceTest, BulkPartialKeepsGoodLinesAndAtomicKeepsNone) {
    const std::string lines =
        "{\"sourceId\":\"b1\",\"lastName\":\"Bulk\"}\n"
        "{\"sourceId\":\"b2\"}\n"
        "{\"sourceId\":\"b3\",\"lastName\":\"Bulk\"}\n";
    auto atomic = records_->BulkUpsert(actor_, "Person", lines, "sourceId", BulkMode::kAtomic);
    ASSERT_TRUE(atomic.ok());
    EXPECT_FALSE(atomic->applied);
    query::ListRequest all;
    all.filter = "lastName = 'Bulk'";
    EXPECT_TRUE(records_->List(actor_, "Person", all)->at("items").as_array().empty());

    auto partial = records_->BulkUpsert(actor_, "Person", lines, "sourceId", BulkMode::kPartial);
    ASSERT_TRUE(partial.ok());
    EXPECT_TRUE(partial->applied);
    EXPECT_EQ(partial->failed, 1);
    EXPECT_EQ(partial->body.at("results").as_array()[1].at("errors").as_array()[0].at("field"),
              "lastName");
    EXPECT_EQ(records_->List(actor_, "Person", all)->at("items").as_array().size(), 2U);
}

TEST_F(RecordServiceTest, CustomFieldAppearsInTheNextSnapshot) {
    metadata::FieldDef tier = testing::Field("tier", metadata::FieldType::kText);
    ASSERT_TRUE(metadata_->AddField("Person", tier).ok());
    json::object person = Create("Person", R"({"lastName":"T","sourceId":"s4","tier":"gold"})");
    EXPECT_EQ(person.at("tier").as_string(), "gold");
    // A fresh service over the same file sees the custom field too.
    auto reopened = MetadataService::Open(*database_, testing::TestObjects(), clock_);
    ASSERT_TRUE(reopened.ok());
    EXPECT_NE((*reopened)->Current()->FindObject("Person")->FindField("tier"), nullptr);
}

}  // namespace
}  // namespace p360::records
