// Moving a deployment from SQLite to PostgreSQL: `payer360 export` on the SQLite files,
// `payer360 import` into a new PostgreSQL database, then `payer360 export` again from
// PostgreSQL — every table's row count and checksum must be equal, and the moved deployment
// serves what the old one held. Runs under scripts/with-postgres.sh (label `postgres`).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "test_server.hpp"

namespace p360::testing {
namespace {

constexpr const char* kDemoPassword = "payer360-demo-login";

// name → (rows, checksum), from a dump's manifest.
std::map<std::string, std::pair<std::int64_t, std::string>> Tables(
    const std::filesystem::path& dump) {
    std::ifstream in(dump / "manifest.json");
    std::stringstream text;
    text << in.rdbuf();
    std::map<std::string, std::pair<std::int64_t, std::string>> tables;
    const json::value manifest = json::parse(text.str());
    for (const auto& table : manifest.at("tables").as_array()) {
        tables[std::string(table.at("name").as_string())] = {
            table.at("rows").as_int64(), std::string(table.at("checksum").as_string())};
    }
    return tables;
}

class TransferTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_NE(std::getenv("P360_TEST_POSTGRES"), nullptr)
            << "run under scripts/with-postgres.sh";
        source_ = TestServer::OnSqlite();
        ASSERT_EQ(source_->RunCommand({"demo", "--members", "150", "--staff", "--password-stdin"},
                                      std::string(kDemoPassword) + "\n"),
                  0)
            << source_->ServerLog();
        // What the demo does not make: a custom object and field, history, a finished job.
        source_->Start();
        const std::string token = source_->Login("admin");
        ASSERT_EQ(
            source_
                ->Request("POST", "/api/v1/objects",
                          R"({"name":"Grievance","label":"Grievance","pluralLabel":"Grievances",
                                    "fields":[{"name":"summary","label":"Summary","type":"text"}]})",
                          token)
                .status,
            201);
        ASSERT_EQ(
            source_
                ->Request("POST", "/api/v1/objects/Person/fields",
                          R"({"name":"preferredPharmacy","label":"Pharmacy","type":"text"})", token)
                .status,
            201);
        const HttpResult grievance =
            source_->Request("POST", "/api/v1/records/Grievance",
                             R"({"summary":"Late ID card, second call"})", token);
        ASSERT_EQ(grievance.status, 201) << grievance.body;
        grievance_id_ = std::string(grievance.Json().at("id").as_string());
        const HttpResult person = source_->Request(
            "POST", "/api/v1/records/Person",
            R"({"firstName":"Maud","lastName":"Mover","preferredPharmacy":"Elm St","birthDate":"1961-02-03"})",
            token);
        ASSERT_EQ(person.status, 201) << person.body;
        person_id_ = std::string(person.Json().at("id").as_string());
        ASSERT_EQ(source_
                      ->Request("PATCH", "/api/v1/records/Person/" + person_id_,
                                R"({"lastName":"Moved"})", token)
                      .status,
                  200);
        ASSERT_EQ(
            source_->Request("POST", "/api/v1/jobs", R"({"kind":"diagnostic.echo"})", token).status,
            202);
        source_->Terminate();
        dump_ = source_->data_directory() / "dump";
        ASSERT_EQ(source_->RunCommand({"export", "--to", dump_.string()}), 0)
            << source_->ServerLog();
    }

    std::unique_ptr<TestServer> source_;
    std::filesystem::path dump_;
    std::string grievance_id_;
    std::string person_id_;
};

TEST_F(TransferTest, SqliteToPostgresqlLosesNothing) {
    auto target_server = TestServer::Empty();  // on PostgreSQL, with nothing in it yet
    TestServer& target = *target_server;
    ASSERT_FALSE(target.database_url().empty());
    ASSERT_EQ(target.RunCommand({"import", "--from", dump_.string()}), 0) << target.ServerLog();

    const auto again = target.data_directory() / "dump-again";
    ASSERT_EQ(target.RunCommand({"export", "--to", again.string()}), 0) << target.ServerLog();
    const auto before = Tables(dump_);
    const auto after = Tables(again);
    EXPECT_GT(before.size(), 20u);
    EXPECT_GT(before.at("Person").first, 150);
    EXPECT_GT(before.at("sys_field_history").first, 0);
    EXPECT_GT(before.at("audit_events").first, 0);
    EXPECT_EQ(before, after);

    // The moved deployment serves the old one's records, users and custom metadata.
    target.Start();
    const std::string token = target.Login("admin");
    const HttpResult person =
        target.Request("GET", "/api/v1/records/Person/" + person_id_, "", token);
    ASSERT_EQ(person.status, 200) << person.body;
    EXPECT_EQ(person.Json().at("lastName").as_string(), "Moved");
    EXPECT_EQ(person.Json().at("preferredPharmacy").as_string(), "Elm St");
    EXPECT_EQ(person.Json().at("version").as_int64(), 2);
    const HttpResult history =
        target.Request("GET", "/api/v1/records/Person/" + person_id_ + "/history", "", token);
    ASSERT_EQ(history.status, 200);
    EXPECT_FALSE(history.Json().at("items").as_array().empty());
    EXPECT_EQ(target.Request("GET", "/api/v1/records/Grievance/" + grievance_id_, "", token)
                  .Json()
                  .at("summary")
                  .as_string(),
              "Late ID card, second call");
    // New rows continue the moved sequences instead of colliding with them.
    EXPECT_EQ(target
                  .Request("PATCH", "/api/v1/records/Person/" + person_id_,
                           R"({"lastName":"Again"})", token)
                  .status,
              200);
    EXPECT_EQ(target.Request("POST", "/api/v1/jobs", R"({"kind":"diagnostic.echo"})", token).status,
              202);
    target.Terminate();

    // A deployment that already holds data refuses a second import.
    EXPECT_NE(target.RunCommand({"import", "--from", dump_.string()}), 0);
    EXPECT_NE(target.ServerLog().find("not empty"), std::string::npos);
}

TEST_F(TransferTest, ADumpThatDoesNotMatchItsManifestIsRefused) {
    // Change one Person's last name in the dump, keeping the line well formed.
    const auto people = dump_ / "Person.ndjson";
    std::ifstream in(people);
    std::stringstream text;
    text << in.rdbuf();
    in.close();
    std::string changed = text.str();
    const auto at = changed.find("\"Moved\"");
    ASSERT_NE(at, std::string::npos);
    changed.replace(at, 7, "\"Mived\"");
    std::ofstream(people, std::ios::trunc) << changed;

    auto target = TestServer::Empty();
    EXPECT_NE(target->RunCommand({"import", "--from", dump_.string()}), 0);
    EXPECT_NE(target->ServerLog().find("Person"), std::string::npos);
    EXPECT_NE(target->ServerLog().find("does not match"), std::string::npos);
}

TEST_F(TransferTest, ABadCellIsNamedByLineAndColumnAndNothingIsWritten) {
    const auto people = dump_ / "Person.ndjson";
    std::ifstream in(people);
    std::stringstream text;
    text << in.rdbuf();
    in.close();
    const std::string original = text.str();
    // The second line's first cell (the id) becomes an object; the line keeps its length.
    std::string broken = original;
    const auto second_line = broken.find('\n') + 1;
    ASSERT_EQ(broken[second_line], '[');
    const auto first_cell_end = broken.find(',', second_line);
    broken.replace(second_line + 1, first_cell_end - second_line - 1, R"({"not":"a cell"})");
    std::ofstream(people, std::ios::trunc) << broken;

    auto target = TestServer::Empty();
    EXPECT_NE(target->RunCommand({"import", "--from", dump_.string()}), 0);
    EXPECT_NE(target->ServerLog().find("Person.ndjson line 2: column id"), std::string::npos)
        << target->ServerLog();
    // Nothing was written, so the repaired dump goes into the same target.
    std::ofstream(people, std::ios::trunc) << original;
    EXPECT_EQ(target->RunCommand({"import", "--from", dump_.string()}), 0) << target->ServerLog();
}

TEST_F(TransferTest, AnImportThatFailsWhileWritingLeavesTheTargetReadyForAnotherTry) {
    // A table the target does not have (a dump from a newer release, say) is found only once
    // the metadata is in and the records are being written.
    std::ifstream in(dump_ / "manifest.json");
    std::stringstream text;
    text << in.rdbuf();
    in.close();
    const std::string original = text.str();
    json::value manifest = json::parse(original);
    manifest.at("tables").as_array().push_back(json::object{{"name", "ZetaFromTheFuture"},
                                                            {"columns", json::array{"id"}},
                                                            {"rows", 0},
                                                            {"checksum", "0000000000000000"}});
    std::ofstream(dump_ / "manifest.json", std::ios::trunc) << json::serialize(manifest);
    std::ofstream(dump_ / "ZetaFromTheFuture.ndjson", std::ios::trunc);

    auto target = TestServer::Empty();
    EXPECT_NE(target->RunCommand({"import", "--from", dump_.string()}), 0);
    EXPECT_NE(target->ServerLog().find("no table ZetaFromTheFuture"), std::string::npos)
        << target->ServerLog();
    std::ofstream(dump_ / "manifest.json", std::ios::trunc) << original;
    EXPECT_EQ(target->RunCommand({"import", "--from", dump_.string()}), 0) << target->ServerLog();
}

}  // namespace
}  // namespace p360::testing
