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

    // A record service on its own SQLite file, with an access audit in another.
    struct AuditedStore {
        std::unique_ptr<storage::Database> database;
        std::unique_ptr<MetadataService> metadata;
        std::unique_ptr<security::AccessAudit> audit;
        std::unique_ptr<RecordService> records;
    };
    AuditedStore OpenAudited(const std::filesystem::path& records_path,
                             const std::filesystem::path& audit_path,
                             const std::vector<metadata::ObjectDef>& objects) {
        AuditedStore store;
        store.database = std::move(storage::OpenSqlite(records_path.string())).value();
        store.metadata = std::move(MetadataService::Open(*store.database, objects, clock_)).value();
        store.audit = std::move(security::AccessAudit::Open(
                                    std::move(storage::OpenSqlite(audit_path.string())).value(),
                                    clock_, std::chrono::hours(1)))
                          .value();
        store.records = std::make_unique<RecordService>(*store.database, *store.metadata,
                                                        authorizer_, clock_, store.audit.get());
        return store;
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

// A follower of the outbox learns of every change: a record whose reference a deletion set to
// null has its own update event, and ChangesAfter names what each changed record refers to
// now (nothing once it is gone).
TEST_F(RecordServiceTest, ChangesNameWhatEachRecordRefersToAndSetNullLeavesItsOwnEvent) {
    const std::filesystem::path records_path = path_.string() + ".set-null";
    std::filesystem::remove(records_path);
    std::vector<metadata::ObjectDef> objects = testing::TestObjects();
    objects[1].fields.back().on_delete = metadata::OnDelete::kSetNull;  // Person.household
    {
        AuditedStore store = OpenAudited(records_path, records_path.string() + ".audit", objects);
        auto household = store.records->Create(actor_, "Household", json::parse(R"({"name":"H"})"));
        ASSERT_TRUE(household.ok());
        const std::string household_id(household->at("id").as_string());
        auto person = store.records->Create(
            actor_, "Person",
            json::parse(R"({"lastName":"Kim","household":")" + household_id + R"("})"));
        ASSERT_TRUE(person.ok());
        const std::string person_id(person->at("id").as_string());
        ASSERT_TRUE(store.records->Delete(actor_, "Household", household_id, std::nullopt).ok());
        auto after = store.records->Get(actor_, "Person", person_id);
        ASSERT_TRUE(after.ok());
        EXPECT_TRUE(after->at("household").is_null());
        EXPECT_EQ(after->at("version").as_int64(), 2);

        std::vector<ChangedRecord> changes;
        ChangeMark mark;
        ASSERT_TRUE(store.records
                        ->ReadTogether(actor_,
                                       [&](RecordReader& reader) -> Status {
                                           P360_ASSIGN_OR_RETURN(mark, reader.Mark());
                                           P360_ASSIGN_OR_RETURN(changes,
                                                                 reader.ChangesAfter(0, 10));
                                           return Ok();
                                       })
                        .ok());
        ASSERT_EQ(changes.size(),
                  4U);  // household created, person created, person nulled, household deleted
        EXPECT_EQ(mark.last_change, changes.back().position);
        EXPECT_EQ(changes[1].id, person_id);
        EXPECT_EQ(changes[2].id, person_id) << "the person's reference was set to null";
        EXPECT_EQ(changes[3].id, household_id);
        for (const ChangedRecord& change : changes) {
            EXPECT_TRUE(change.references.empty())
                << "the household is gone and the person refers to nothing now";
        }
        std::vector<storage::Row> outbox;
        ASSERT_TRUE(store.database
                        ->Read([&outbox](storage::Connection& connection) -> Status {
                            P360_ASSIGN_OR_RETURN(outbox,
                                                  connection.Query("SELECT operation, payload FROM "
                                                                   "sys_outbox ORDER BY id"));
                            return Ok();
                        })
                        .ok());
        ASSERT_EQ(outbox.size(), 4U);
        EXPECT_EQ(std::get<std::string>(outbox[2][0]), "update");
        EXPECT_EQ(std::get<std::string>(outbox[2][1]), R"({"version":2,"fields":["household"]})");

        // A new person in a new household: its change names the household.
        auto second = store.records->Create(actor_, "Household", json::parse(R"({"name":"G"})"));
        ASSERT_TRUE(second.ok());
        const std::string second_id(second->at("id").as_string());
        ASSERT_TRUE(
            store.records
                ->Create(actor_, "Person",
                         json::parse(R"({"lastName":"Lee","household":")" + second_id + R"("})"))
                .ok());
        ASSERT_TRUE(store.records
                        ->ReadTogether(actor_,
                                       [&](RecordReader& reader) -> Status {
                                           P360_ASSIGN_OR_RETURN(
                                               changes, reader.ChangesAfter(mark.last_change, 10));
                                           return Ok();
                                       })
                        .ok());
        ASSERT_EQ(changes.size(), 2U);
        EXPECT_EQ(changes[1].references, std::vector<std::string>{second_id});
    }
    std::filesystem::remove(records_path);
    std::filesystem::remove(records_path.string() + ".audit");
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

RecordChange Household(std::string code, std::string name) {
    return {.object = "Household",
            .key_field = "code",
            .key = std::move(code),
            .fields = {{"name", std::move(name)}}};
}

RecordChange PersonIn(std::string source_id, std::string last_name, std::string household) {
    return {.object = "Person",
            .key_field = "sourceId",
            .key = std::move(source_id),
            .fields = {{"lastName", std::move(last_name)}},
            .references = {{"household", "Household", "code", std::move(household)}}};
}

TEST_F(RecordServiceTest, ChangeSetsWriteRecordsThatReferenceEachOtherByKey) {
    auto applied =
        records_->ApplyChanges(actor_, {Household("H1", "Doe household"),
                                        PersonIn("p1", "Doe", "H1"), PersonIn("p2", "Doe", "H1")});
    ASSERT_TRUE(applied.ok()) << applied.error().public_message;
    ASSERT_EQ(applied->changes.size(), 3U);
    EXPECT_EQ(applied->changes[0].status, "created");
    const std::string household_id = applied->changes[0].id;
    auto person = records_->Get(actor_, "Person", applied->changes[1].id);
    ASSERT_TRUE(person.ok());
    EXPECT_EQ(person->at("household"), json::value(household_id));
    EXPECT_EQ(person->at("sourceId"), "p1");

    // Again with one change: the same records are updated, not duplicated.
    auto again = records_->ApplyChanges(actor_, {PersonIn("p1", "Doe-Smith", "H1")});
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->changes[0].status, "updated");
    EXPECT_EQ(again->changes[0].id, applied->changes[1].id);
}

TEST_F(RecordServiceTest, AChangeSetIsAllOrNothing) {
    RecordChange bad = PersonIn("p2", "Roe", "H1");
    bad.fields["birthDate"] = "1990-02-31";
    auto applied = records_->ApplyChanges(
        actor_, {Household("H1", "Roe household"), PersonIn("p1", "Roe", "H1"), bad});
    ASSERT_FALSE(applied.ok());
    ASSERT_FALSE(applied.error().field_errors.empty());
    EXPECT_EQ(applied.error().field_errors[0].field, "changes[2].birthDate");
    auto households = records_->List(actor_, "Household", {});
    ASSERT_TRUE(households.ok());
    EXPECT_TRUE(households->at("items").as_array().empty()) << "the first changes are undone too";

    auto dangling = records_->ApplyChanges(actor_, {PersonIn("p3", "Poe", "NOPE")});
    ASSERT_FALSE(dangling.ok());
    EXPECT_EQ(dangling.error().location, "changes[0].household");
    RecordChange missing = PersonIn("p4", "Moe", "H1");
    missing.references.clear();
    missing.create = false;
    EXPECT_EQ(records_->ApplyChanges(actor_, {missing}).error().code, ErrorCode::kNotFound);
}

TEST_F(RecordServiceTest, AChangeSetWithAKnownKeyIsNotAppliedAgain) {
    ASSERT_TRUE(records_->ApplyChanges(actor_, {Household("H1", "First")}, "isa-1/st-1").ok());
    auto repeat = records_->ApplyChanges(actor_, {Household("H1", "Second")}, "isa-1/st-1");
    ASSERT_TRUE(repeat.ok());
    EXPECT_TRUE(repeat->already_applied);
    EXPECT_TRUE(repeat->changes.empty());
    auto households = records_->List(actor_, "Household", {});
    ASSERT_TRUE(households.ok());
    EXPECT_EQ(households->at("items").at(0).at("name"), "First");
    auto other = records_->ApplyChanges(actor_, {Household("H1", "Third")}, "isa-1/st-2");
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(other->already_applied);
    EXPECT_EQ(other->changes[0].status, "updated");
}

}  // namespace
}  // namespace p360::records

namespace p360::records {
namespace {

// Outbox and history rows of a bulk batch are written together, after the lines: every applied
// line still has its own, in line order, and a failed line has none.
TEST_F(RecordServiceTest, BulkWritesOutboxAndHistoryForAppliedLinesOnly) {
    auto first =
        records_->BulkUpsert(actor_, "Person", "{\"sourceId\":\"h1\",\"lastName\":\"Old\"}\n",
                             "sourceId", BulkMode::kPartial);
    ASSERT_TRUE(first.ok());
    std::string lines =
        "{\"sourceId\":\"h1\",\"lastName\":\"New\"}\n"
        "{\"sourceId\":\"h2\"}\n";  // no lastName: fails
    constexpr int kCreated = 1500;  // more than one batch of deferred rows
    for (int line_idx = 0; line_idx < kCreated; ++line_idx) {
        lines += "{\"sourceId\":\"n" + std::to_string(line_idx) + "\",\"lastName\":\"Many\"}\n";
    }
    auto second = records_->BulkUpsert(actor_, "Person", lines, "sourceId", BulkMode::kPartial);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second->failed, 1);
    const auto& results = second->body.at("results").as_array();
    ASSERT_EQ(results.size(), static_cast<std::size_t>(kCreated) + 2);
    const std::string h1(results[0].at("id").as_string());

    std::vector<storage::Row> outbox;
    ASSERT_TRUE(database_
                    ->Read([&outbox](storage::Connection& connection) -> Status {
                        P360_ASSIGN_OR_RETURN(
                            outbox, connection.Query("SELECT record_id, operation, payload FROM "
                                                     "sys_outbox ORDER BY id"));
                        return Ok();
                    })
                    .ok());
    ASSERT_EQ(outbox.size(), static_cast<std::size_t>(kCreated) + 2);
    EXPECT_EQ(std::get<std::string>(outbox[0][1]), "create");
    EXPECT_EQ(std::get<std::string>(outbox[0][2]),
              R"({"version":1,"fields":["sourceId","lastName"]})");
    EXPECT_EQ(std::get<std::string>(outbox[1][0]), h1);
    EXPECT_EQ(std::get<std::string>(outbox[1][1]), "update");
    EXPECT_EQ(std::get<std::string>(outbox[1][2]), R"({"version":2,"fields":["lastName"]})");
    for (int line_idx = 0; line_idx < kCreated; ++line_idx) {
        const auto row = static_cast<std::size_t>(line_idx) + 2;
        EXPECT_EQ(std::get<std::string>(outbox[row][0]), results[row].at("id").as_string());
    }
    auto history = records_->History(actor_, "Person", h1);
    ASSERT_TRUE(history.ok());
    ASSERT_EQ(history->at("items").as_array().size(), 1U);
    EXPECT_EQ(history->at("items").as_array()[0].at("newValue").as_string(), "New");
}

// Lines are decoded beside the writer; whatever a line's problem, it is reported on that line.
TEST_F(RecordServiceTest, BulkReportsEachLinesOwnProblem) {
    const std::string lines =
        "{\"sourceId\":\"p1\",\"lastName\":\"Fine\"}\n"
        "not json\n"
        "\n"
        "{\"sourceId\":\"p3\",\"lastName\":\"Fine\",\"score\":\"high\"}\n"
        "{\"lastName\":\"NoKey\"}\n"
        "{\"sourceId\":\"p5\",\"lastName\":\"Fine\"}\n";
    auto outcome = records_->BulkUpsert(actor_, "Person", lines, "sourceId", BulkMode::kPartial);
    ASSERT_TRUE(outcome.ok());
    EXPECT_EQ(outcome->failed, 3);
    const auto& results = outcome->body.at("results").as_array();
    ASSERT_EQ(results.size(), 5U);
    std::vector<std::int64_t> numbers;
    std::vector<std::string> statuses;
    for (const auto& result : results) {
        numbers.push_back(result.at("line").as_int64());
        statuses.emplace_back(result.at("status").as_string());
    }
    EXPECT_EQ(numbers, (std::vector<std::int64_t>{1, 2, 4, 5, 6}));
    EXPECT_EQ(statuses,
              (std::vector<std::string>{"created", "failed", "failed", "failed", "created"}));
    EXPECT_EQ(results[2].at("errors").as_array()[0].at("field"), "score");
    EXPECT_EQ(results[3].at("errors").as_array()[0].at("field"), "sourceId");
}

// Reads and list pages that show PHI are audited: a page is one call naming every record.
TEST_F(RecordServiceTest, ReadsAndListPagesOfPhiAreAudited) {
    auto objects = testing::TestObjects();
    for (metadata::ObjectDef& object : objects) {
        for (metadata::FieldDef& field : object.fields) {
            field.phi =
                object.name == "Person" && (field.name == "lastName" || field.name == "birthDate");
        }
    }
    const std::filesystem::path records_path = path_.string() + ".phi";
    const std::filesystem::path audit_path = path_.string() + ".audit";
    std::filesystem::remove(records_path);
    std::filesystem::remove(audit_path);
    {
        AuditedStore store = OpenAudited(records_path, audit_path, objects);
        RecordService& records = *store.records;
        security::AccessAudit* audit = store.audit.get();
        std::vector<std::string> ids;
        for (const char* source : {"a1", "a2", "a3"}) {
            auto created = records.Create(
                actor_, "Person",
                json::parse(std::string(R"({"lastName":"Audited","sourceId":")") + source + "\"}"));
            ASSERT_TRUE(created.ok());
            ids.emplace_back(created->at("id").as_string());
        }
        query::ListRequest page;
        page.filter = "lastName = 'Audited'";
        ASSERT_EQ(records.List(actor_, "Person", page)->at("items").as_array().size(), 3U);
        query::ListRequest no_phi = page;
        no_phi.fields = {"score"};
        ASSERT_TRUE(records.List(actor_, "Person", no_phi).ok());
        ASSERT_TRUE(records.Get(actor_, "Person", ids[1]).ok());
        ASSERT_TRUE(records.Get(actor_, "Person", ids[2], {"score"}).ok());

        for (std::size_t person_idx = 0; person_idx < ids.size(); ++person_idx) {
            auto accounting = audit->ForPerson(ids[person_idx], 10, 0);
            ASSERT_TRUE(accounting.ok());
            std::vector<std::string> actions;
            for (const security::AuditRecord& record : *accounting) {
                actions.push_back(record.action);
                EXPECT_EQ(record.record_id, ids[person_idx]);
            }
            const std::vector<std::string> expected =
                person_idx == 1 ? std::vector<std::string>{"read", "list", "create"}
                                : std::vector<std::string>{"list", "create"};
            EXPECT_EQ(actions, expected) << person_idx;
            EXPECT_EQ(accounting->at(accounting->size() - 2).fields, "lastName,birthDate");
        }
    }
    std::filesystem::remove(records_path);
    std::filesystem::remove(audit_path);
}

// A view assembled from many reads reads on one connection: the records are the ones List and
// Get give, and each page or record that discloses PHI is audited as List and Get audit it.
TEST_F(RecordServiceTest, ReadsTogetherGiveWhatListAndGetGiveAndAreAuditedAlike) {
    auto objects = testing::TestObjects();
    for (metadata::ObjectDef& object : objects) {
        for (metadata::FieldDef& field : object.fields) {
            field.phi = object.name == "Person" && field.name == "lastName";
        }
    }
    const std::filesystem::path records_path = path_.string() + ".together";
    const std::filesystem::path audit_path = path_.string() + ".together-audit";
    std::filesystem::remove(records_path);
    std::filesystem::remove(audit_path);
    {
        AuditedStore store = OpenAudited(records_path, audit_path, objects);
        RecordService& records = *store.records;
        security::AccessAudit* audit = store.audit.get();
        std::vector<std::string> ids;
        for (const char* body : {R"({"lastName":"Together","sourceId":"t1","score":7})",
                                 R"({"lastName":"Together","sourceId":"t2","active":true})"}) {
            auto created = records.Create(actor_, "Person", json::parse(body));
            ASSERT_TRUE(created.ok());
            ids.emplace_back(created->at("id").as_string());
        }
        query::ListRequest page;
        page.filter = "lastName = 'Together'";
        page.sort = "-sourceId";
        page.limit = 1;
        auto listed = records.List(actor_, "Person", page);
        auto got = records.Get(actor_, "Person", ids[0], {"score"});
        ASSERT_TRUE(listed.ok() && got.ok());

        RecordPage listed_together;
        RecordText got_together;
        std::optional<ErrorCode> missing;
        const std::string_view values_of[] = {"sourceId", "score", "active", "lastName"};
        ASSERT_TRUE(
            records
                .ReadTogether(actor_,
                              [&](RecordReader& reader) -> Status {
                                  P360_ASSIGN_OR_RETURN(listed_together,
                                                        reader.List("Person", page, values_of));
                                  P360_ASSIGN_OR_RETURN(got_together,
                                                        reader.Get("Person", ids[0], values_of));
                                  auto absent = reader.Get("Person", "per_missing");
                                  if (!absent.ok()) {
                                      missing = absent.error().code;
                                  }
                                  return Ok();
                              })
                .ok());
        ASSERT_EQ(listed_together.records.size(), 1U);
        EXPECT_EQ(json::parse(listed_together.records[0].json), listed->at("items").at(0));
        EXPECT_EQ(listed_together.next_cursor, listed->at("nextCursor").as_string());
        EXPECT_EQ(listed_together.records[0].values,
                  (std::vector<std::optional<std::string>>{"t2", "", "true", "Together"}));
        EXPECT_EQ(json::parse(got_together.json).at("score"), got->at("score"));
        EXPECT_EQ(got_together.values,
                  (std::vector<std::optional<std::string>>{"t1", "7", "", "Together"}));
        EXPECT_EQ(missing, ErrorCode::kNotFound);

        // ids[1] was on both pages; the Get asked for score only, which is no PHI.
        auto accounting = audit->ForPerson(ids[1], 10, 0);
        ASSERT_TRUE(accounting.ok());
        std::vector<std::string> actions;
        for (const security::AuditRecord& record : *accounting) {
            actions.push_back(record.action);
        }
        EXPECT_EQ(actions, (std::vector<std::string>{"list", "list", "create"}));
        EXPECT_EQ(accounting->front().fields, "lastName");
    }
    std::filesystem::remove(records_path);
    std::filesystem::remove(audit_path);
}

}  // namespace
}  // namespace p360::records
