// The records API end to end: a real payer360 process, loopback HTTP, a real SQLite file.
#include <gtest/gtest.h>

#include <set>

#include "test_server.hpp"

namespace p360::testing {
namespace {

class RecordsApiTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        server_ = new TestServer();
        server_->Start();
        admin_ = server_->Login("admin");
        agent_ = server_->Login("agent");
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }

    static HttpResult Call(const std::string& method, const std::string& target,
                           const json::value& body = nullptr, const std::string& token = admin_,
                           const std::map<std::string, std::string>& headers = {}) {
        return server_->Request(method, target, body.is_null() ? "" : json::serialize(body), token,
                                headers);
    }

    // Creates a Person and returns its JSON; fails the test on anything but 201.
    static json::object CreatePerson(const std::string& first, const std::string& last,
                                     json::object extra = {}) {
        static int counter = 0;
        json::object body{{"firstName", first},
                          {"lastName", last},
                          {"sourceId", "it-" + std::to_string(counter++) + "-" + last}};
        for (auto& [key, value] : extra) {
            body[key] = value;
        }
        HttpResult result = Call("POST", "/api/v1/records/Person", body);
        EXPECT_EQ(result.status, 201) << result.body;
        return result.Json().as_object();
    }

    static std::vector<std::string> ListIds(const std::string& object, const std::string& query) {
        HttpResult result = Call("GET", "/api/v1/records/" + object + "?" + query);
        EXPECT_EQ(result.status, 200) << result.body;
        std::vector<std::string> ids;
        for (const auto& item : result.Json().at("items").as_array()) {
            ids.emplace_back(item.at("id").as_string());
        }
        return ids;
    }

    static TestServer* server_;
    static std::string admin_;
    static std::string agent_;
};

TestServer* RecordsApiTest::server_ = nullptr;
std::string RecordsApiTest::admin_;
std::string RecordsApiTest::agent_;

TEST_F(RecordsApiTest, HealthNeedsNoAuthenticationAndCarriesARequestId) {
    HttpResult result = server_->Request("GET", "/healthz");
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.Json().at("status").as_string(), "ok");
    EXPECT_FALSE(result.Header("x-request-id").empty());
}

TEST_F(RecordsApiTest, ApiRoutesRefuseMissingOrBadTokens) {
    HttpResult missing = server_->Request("GET", "/api/v1/objects");
    EXPECT_EQ(missing.status, 401);
    EXPECT_EQ(missing.Header("content-type"), "application/problem+json");
    EXPECT_EQ(missing.Json().at("status").as_int64(), 401);
    HttpResult bad = server_->Request("GET", "/api/v1/records/Person", "", "p360.forged");
    EXPECT_EQ(bad.status, 401);
    HttpResult wrong_password = server_->Request(
        "POST", "/api/v1/auth/login", R"({"username":"admin","password":"not-the-password"})");
    EXPECT_EQ(wrong_password.status, 401);
}

TEST_F(RecordsApiTest, LogoutRevokesTheToken) {
    const std::string token = server_->Login("agent");
    EXPECT_EQ(Call("GET", "/api/v1/objects", nullptr, token).status, 200);
    EXPECT_EQ(Call("POST", "/api/v1/auth/logout", nullptr, token).status, 204);
    EXPECT_EQ(Call("GET", "/api/v1/objects", nullptr, token).status, 401);
}

TEST_F(RecordsApiTest, DescribeGivesEveryFieldWithBooleanFlags) {
    HttpResult objects = Call("GET", "/api/v1/objects");
    ASSERT_EQ(objects.status, 200);
    std::set<std::string> names;
    for (const auto& item : objects.Json().at("items").as_array()) {
        names.emplace(item.at("name").as_string());
    }
    for (const char* required :
         {"Person",   "Household",   "HouseholdMember", "Account",   "ContactRelationship",
          "Plan",     "Benefit",     "MemberPlan",      "Provider",  "ProviderLocation",
          "Network",  "Claim",       "ClaimLine",       "Condition", "Medication",
          "Case",     "CaseComment", "Interaction",     "Task",      "Consent",
          "LifeEvent"}) {
        EXPECT_TRUE(names.contains(required)) << required;
    }
    HttpResult person = Call("GET", "/api/v1/objects/Person");
    ASSERT_EQ(person.status, 200);
    std::map<std::string, json::object> fields;
    for (const auto& field : person.Json().at("fields").as_array()) {
        fields[std::string(field.at("name").as_string())] = field.as_object();
    }
    for (const char* name : {"firstName", "middleName", "lastName", "birthDate", "gender", "email",
                             "phone", "lifecycleStage", "sourceId", "ssn", "postalCode"}) {
        ASSERT_TRUE(fields.contains(name)) << name;
        for (const char* flag : {"required", "unique", "externalId", "phi", "tracked", "indexed"}) {
            EXPECT_TRUE(fields[name].at(flag).is_bool()) << name << "." << flag;
        }
    }
    EXPECT_TRUE(fields["ssn"].at("phi").as_bool());
    EXPECT_TRUE(fields["sourceId"].at("externalId").as_bool());
    EXPECT_TRUE(fields["firstName"].at("required").as_bool());
    EXPECT_EQ(fields["gender"].at("type").as_string(), "picklist");
    EXPECT_EQ(Call("GET", "/api/v1/objects/Nope").status, 404);
}

TEST_F(RecordsApiTest, CreateReadUpdateDeleteWithVersions) {
    json::object created = CreatePerson("Ada", "Lovelace", {{"birthDate", "1815-12-10"}});
    const std::string id(created.at("id").as_string());
    EXPECT_EQ(created.at("version").as_int64(), 1);
    EXPECT_EQ(created.at("birthDate").as_string(), "1815-12-10");
    EXPECT_TRUE(id.starts_with("per_"));

    HttpResult read = Call("GET", "/api/v1/records/Person/" + id);
    ASSERT_EQ(read.status, 200);
    EXPECT_EQ(read.Json().at("lastName").as_string(), "Lovelace");
    EXPECT_EQ(read.Header("etag"), "\"1\"");

    HttpResult updated = Call("PATCH", "/api/v1/records/Person/" + id,
                              json::object{{"lastName", "King"}}, admin_, {{"If-Match", "\"1\""}});
    ASSERT_EQ(updated.status, 200) << updated.body;
    EXPECT_EQ(updated.Json().at("version").as_int64(), 2);
    EXPECT_EQ(updated.Json().at("lastName").as_string(), "King");

    HttpResult stale = Call("PATCH", "/api/v1/records/Person/" + id,
                            json::object{{"lastName", "Byron"}}, admin_, {{"If-Match", "1"}});
    EXPECT_EQ(stale.status, 412);
    EXPECT_EQ(Call("GET", "/api/v1/records/Person/" + id).Json().at("lastName").as_string(),
              "King");

    EXPECT_EQ(Call("DELETE", "/api/v1/records/Person/" + id).status, 204);
    EXPECT_EQ(Call("GET", "/api/v1/records/Person/" + id).status, 404);
    EXPECT_EQ(Call("DELETE", "/api/v1/records/Person/" + id).status, 404);
}

TEST_F(RecordsApiTest, FieldsParameterLimitsTheAnswer) {
    json::object created = CreatePerson("Grace", "Hopper", {{"gender", "female"}});
    HttpResult read =
        Call("GET", "/api/v1/records/Person/" + std::string(created.at("id").as_string()) +
                        "?fields=lastName,gender");
    ASSERT_EQ(read.status, 200);
    const json::object& record = read.Json().as_object();
    EXPECT_TRUE(record.contains("id"));
    EXPECT_TRUE(record.contains("lastName"));
    EXPECT_FALSE(record.contains("firstName"));
}

TEST_F(RecordsApiTest, HistoryRecordsTrackedChangesWithWhoAndWhen) {
    json::object created = CreatePerson("Alan", "Turing");
    const std::string id(created.at("id").as_string());
    ASSERT_EQ(
        Call("PATCH", "/api/v1/records/Person/" + id, json::object{{"lastName", "Turing-Smith"}})
            .status,
        200);
    ASSERT_EQ(Call("PATCH", "/api/v1/records/Person/" + id,
                   json::object{{"lastName", "Turing"}, {"lifecycleStage", "member"}}, agent_)
                  .status,
              200);
    HttpResult history = Call("GET", "/api/v1/records/Person/" + id + "/history");
    ASSERT_EQ(history.status, 200);
    const auto& items = history.Json().at("items").as_array();
    ASSERT_GE(items.size(), 3U);
    std::vector<std::pair<std::string, std::string>> last_name_changes;
    for (const auto& item : items) {
        if (item.at("field").as_string() == "lastName") {
            last_name_changes.emplace_back(item.at("oldValue").as_string(),
                                           item.at("newValue").as_string());
        }
        EXPECT_FALSE(item.at("changedBy").as_string().empty());
        EXPECT_FALSE(item.at("changedAt").as_string().empty());
    }
    // Newest first.
    ASSERT_EQ(last_name_changes.size(), 2U);
    EXPECT_EQ(last_name_changes[0],
              std::make_pair(std::string("Turing-Smith"), std::string("Turing")));
    EXPECT_EQ(last_name_changes[1],
              std::make_pair(std::string("Turing"), std::string("Turing-Smith")));
}

TEST_F(RecordsApiTest, ListFiltersSortsAndPagesWithStableCursors) {
    std::set<std::string> created;
    for (int person_idx = 0; person_idx < 23; ++person_idx) {
        json::object person =
            CreatePerson("Pager" + std::to_string(person_idx), "Paginated",
                         {{"birthDate", person_idx % 2 == 0 ? "1990-01-01" : "1980-06-15"},
                          {"gender", person_idx % 3 == 0 ? "male" : "female"}});
        created.emplace(person.at("id").as_string());
    }
    std::set<std::string> seen;
    std::string cursor;
    int pages = 0;
    do {
        std::string query =
            "filter=" + UrlEncode("lastName = 'Paginated'") + "&sort=-birthDate,firstName&limit=5";
        if (!cursor.empty()) {
            query += "&cursor=" + UrlEncode(cursor);
        }
        HttpResult page = Call("GET", "/api/v1/records/Person?" + query);
        ASSERT_EQ(page.status, 200) << page.body;
        std::string previous_key;
        for (const auto& item : page.Json().at("items").as_array()) {
            EXPECT_TRUE(seen.emplace(item.at("id").as_string()).second) << "duplicate across pages";
        }
        const json::value& next = page.Json().at("nextCursor");
        cursor = next.is_null() ? "" : std::string(next.as_string());
        ++pages;
    } while (!cursor.empty() && pages < 20);
    EXPECT_EQ(seen, created);
    EXPECT_EQ(pages, 5);

    const auto men = ListIds("Person", "filter=" +
                                           UrlEncode("lastName = 'Paginated' and gender = "
                                                     "'male' and birthDate >= 1985-01-01") +
                                           "&limit=100");
    EXPECT_EQ(men.size(), 4U);  // indexes 0, 6, 12, 18
    const auto starts = ListIds("Person", "filter=" +
                                              UrlEncode("firstName startsWith 'pager1' and "
                                                        "lastName in ('Paginated')") +
                                              "&limit=100");
    EXPECT_EQ(starts.size(), 11U);  // Pager1, Pager10..Pager19
}

TEST_F(RecordsApiTest, CustomFieldIsUsableAtOnceAndSurvivesRestart) {
    HttpResult forbidden = Call("POST", "/api/v1/objects/Person/fields",
                                json::object{{"name", "loyaltyTier"}, {"type", "text"}}, agent_);
    EXPECT_EQ(forbidden.status, 403);
    HttpResult added = Call("POST", "/api/v1/objects/Person/fields",
                            json::object{{"name", "loyaltyTier"},
                                         {"label", "Loyalty Tier"},
                                         {"type", "picklist"},
                                         {"values", json::array{"bronze", "silver", "gold"}},
                                         {"indexed", true},
                                         {"tracked", true}});
    ASSERT_EQ(added.status, 201) << added.body;
    EXPECT_TRUE(added.Json().at("custom").as_bool());

    json::object gold = CreatePerson("Custom", "Fielded", {{"loyaltyTier", "gold"}});
    CreatePerson("Custom", "Fielded", {{"loyaltyTier", "silver"}});
    EXPECT_EQ(Call("POST", "/api/v1/records/Person",
                   json::object{{"firstName", "x"},
                                {"lastName", "y"},
                                {"sourceId", "bad-tier"},
                                {"loyaltyTier", "platinum"}})
                  .status,
              400);
    auto golds = ListIds("Person", "filter=" + UrlEncode("loyaltyTier = 'gold'"));
    ASSERT_EQ(golds.size(), 1U);
    EXPECT_EQ(golds[0], gold.at("id").as_string());

    HttpResult duplicate = Call("POST", "/api/v1/objects/Person/fields",
                                json::object{{"name", "loyaltyTier"}, {"type", "text"}});
    EXPECT_EQ(duplicate.status, 409);

    ASSERT_EQ(server_->Terminate(), 0);
    server_->Start();
    admin_ = server_->Login("admin");
    agent_ = server_->Login("agent");
    golds = ListIds("Person", "filter=" + UrlEncode("loyaltyTier = 'gold'"));
    EXPECT_EQ(golds.size(), 1U);
}

TEST_F(RecordsApiTest, CustomObjectGetsTheWholeRecordsApi) {
    HttpResult created =
        Call("POST", "/api/v1/objects",
             json::object{
                 {"name", "WellnessReward"},
                 {"label", "Wellness Reward"},
                 {"fields",
                  json::array{
                      json::object{{"name", "person"},
                                   {"type", "reference"},
                                   {"referenceTo", "Person"},
                                   {"onDelete", "cascade"}},
                      json::object{
                          {"name", "points"}, {"type", "number"}, {"scale", 0}, {"required", true}},
                      json::object{{"name", "rewardCode"}, {"type", "externalId"}}}}});
    ASSERT_EQ(created.status, 201) << created.body;
    json::object person = CreatePerson("Reward", "Earner");
    const std::string person_id(person.at("id").as_string());
    HttpResult reward =
        Call("POST", "/api/v1/records/WellnessReward",
             json::object{{"person", person_id}, {"points", 250}, {"rewardCode", "R-1"}});
    ASSERT_EQ(reward.status, 201) << reward.body;
    EXPECT_EQ(reward.Json().at("points").as_int64(), 250);
    EXPECT_EQ(Call("POST", "/api/v1/records/WellnessReward",
                   json::object{{"person", person_id}, {"points", 2.5}, {"rewardCode", "R-2"}})
                  .status,
              400);
    EXPECT_EQ(ListIds("WellnessReward", "filter=" + UrlEncode("points > 100")).size(), 1U);
    // Deleting the person cascades to the reward.
    EXPECT_EQ(Call("DELETE", "/api/v1/records/Person/" + person_id).status, 204);
    EXPECT_TRUE(ListIds("WellnessReward", "limit=10").empty());
}

TEST_F(RecordsApiTest, ReferencesMustExistAndDeletesFollowTheCatalog) {
    HttpResult missing = Call("POST", "/api/v1/records/HouseholdMember",
                              json::object{{"household", "hh_01JD0000000000000000000000"},
                                           {"person", "per_01JD0000000000000000000000"},
                                           {"role", "head"}});
    ASSERT_EQ(missing.status, 400) << missing.body;

    HttpResult household =
        Call("POST", "/api/v1/records/Household",
             json::object{{"name", "Lovelace household"}, {"sourceId", "hh-ref-1"}});
    ASSERT_EQ(household.status, 201) << household.body;
    const std::string household_id(household.Json().at("id").as_string());
    json::object person = CreatePerson("Ref", "Erence", {{"household", household_id}});
    const std::string person_id(person.at("id").as_string());
    HttpResult member =
        Call("POST", "/api/v1/records/HouseholdMember",
             json::object{{"household", household_id}, {"person", person_id}, {"role", "head"}});
    ASSERT_EQ(member.status, 201) << member.body;

    // One level of traversal in filters.
    auto by_household =
        ListIds("Person", "filter=" + UrlEncode("household.name = 'Lovelace household'"));
    ASSERT_EQ(by_household.size(), 1U);
    EXPECT_EQ(by_household[0], person_id);

    // HouseholdMember.household cascades; Person.household is set to null.
    EXPECT_EQ(Call("DELETE", "/api/v1/records/Household/" + household_id).status, 204);
    EXPECT_EQ(Call("GET", "/api/v1/records/HouseholdMember/" +
                              std::string(member.Json().at("id").as_string()))
                  .status,
              404);
    HttpResult after = Call("GET", "/api/v1/records/Person/" + person_id);
    EXPECT_TRUE(after.Json().at("household").is_null());

    // MemberPlan.plan restricts deleting a plan that members hold.
    HttpResult plan = Call("POST", "/api/v1/records/Plan",
                           json::object{{"planCode", "IT-PLAN-1"},
                                        {"name", "Integration PPO"},
                                        {"lineOfBusiness", "commercial"},
                                        {"status", "active"},
                                        {"effectiveDate", "2026-01-01"}});
    ASSERT_EQ(plan.status, 201) << plan.body;
    const std::string plan_id(plan.Json().at("id").as_string());
    HttpResult coverage = Call("POST", "/api/v1/records/MemberPlan",
                               json::object{{"person", person_id},
                                            {"plan", plan_id},
                                            {"memberId", "IT-M-1"},
                                            {"relationshipToSubscriber", "self"},
                                            {"lineOfBusiness", "commercial"},
                                            {"effectiveDate", "2026-01-01"},
                                            {"status", "active"}});
    ASSERT_EQ(coverage.status, 201) << coverage.body;
    HttpResult refused = Call("DELETE", "/api/v1/records/Plan/" + plan_id);
    EXPECT_EQ(refused.status, 409);
    EXPECT_EQ(Call("GET", "/api/v1/records/Plan/" + plan_id).status, 200);
}

TEST_F(RecordsApiTest, BulkAtomicRollsBackEverythingOnOneBadLine) {
    const std::string body =
        R"({"sourceId":"bulk-a-1","firstName":"Bulk","lastName":"Atomic"})"
        "\n"
        R"({"sourceId":"bulk-a-2","firstName":"Bulk","lastName":"Atomic","birthDate":"1990-02-30"})"
        "\n"
        R"({"sourceId":"bulk-a-3","firstName":"Bulk","lastName":"Atomic"})"
        "\n";
    HttpResult result = server_->Request(
        "POST", "/api/v1/records/Person/bulk?externalId=sourceId&mode=atomic", body, admin_);
    ASSERT_EQ(result.status, 400) << result.body;
    const auto& errors = result.Json().at("errors").as_array();
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors[0].at("line").as_int64(), 2);
    EXPECT_EQ(errors[0].at("field").as_string(), "birthDate");
    EXPECT_TRUE(ListIds("Person", "filter=" + UrlEncode("lastName = 'Atomic'")).empty());
}

// A line the database itself refuses (a unique value taken by an earlier line of the same
// batch) fails alone, however far into a long batch it comes, and every other line lands.
TEST_F(RecordsApiTest, ALineTheDatabaseRefusesFailsAloneInALongBatch) {
    HttpResult object = Call(
        "POST", "/api/v1/objects",
        json::object{
            {"name", "Badge"},
            {"label", "Badge"},
            {"fields",
             json::array{json::object{{"name", "code"}, {"label", "Code"}, {"type", "externalId"}},
                         json::object{{"name", "serial"},
                                      {"label", "Serial"},
                                      {"type", "text"},
                                      {"unique", true}}}}});
    ASSERT_EQ(object.status, 201) << object.body;
    std::string body;
    for (int line = 1; line <= 700; ++line) {
        // Line 450 repeats line 10's serial.
        const int serial = line == 450 ? 10 : line;
        body += json::serialize(json::object{{"code", "b-" + std::to_string(line)},
                                             {"serial", "s-" + std::to_string(serial)}}) +
                "\n";
    }
    HttpResult partial = server_->Request(
        "POST", "/api/v1/records/Badge/bulk?externalId=code&mode=partial", body, admin_);
    ASSERT_EQ(partial.status, 200) << partial.body;
    EXPECT_EQ(partial.Json().at("created").as_int64(), 699);
    EXPECT_EQ(partial.Json().at("failed").as_int64(), 1);
    const auto& refused = partial.Json().at("results").as_array()[449];
    EXPECT_EQ(refused.at("line").as_int64(), 450);
    EXPECT_EQ(refused.at("status").as_string(), "failed");
    EXPECT_EQ(refused.at("errors").as_array()[0].at("field").as_string(), "serial");
    EXPECT_EQ(partial.Json().at("results").as_array()[450].at("status").as_string(), "created");
    EXPECT_EQ(ListIds("Badge", "limit=1000").size(), 699U);

    // The same batch again, atomic: everything is there already except line 450, which is
    // refused again, so nothing changes.
    HttpResult atomic = server_->Request(
        "POST", "/api/v1/records/Badge/bulk?externalId=code&mode=atomic", body, admin_);
    ASSERT_EQ(atomic.status, 400) << atomic.body;
    EXPECT_EQ(ListIds("Badge", "limit=1000").size(), 699U);
}

// A batch long enough to be written in one run of rows (PostgreSQL streams it with COPY, whose
// text format gives tabs, newlines and backslashes a meaning): every value reads back as sent.
TEST_F(RecordsApiTest, BulkKeepsTextThatNeedsEscapingExactly) {
    const std::string awkward[] = {"tab\there", "two\nlines",     "carriage\rreturn", "back\\slash",
                                   "\\N",       "quote \" and '", "naïve ☃"};
    std::string body;
    for (int line = 0; line < 70; ++line) {
        body += json::serialize(json::object{
                    {"sourceId", "bulk-esc-" + std::to_string(line)},
                    {"firstName", awkward[line % std::size(awkward)] + std::to_string(line)},
                    {"lastName", "Escaped"}}) +
                "\n";
    }
    HttpResult result = server_->Request(
        "POST", "/api/v1/records/Person/bulk?externalId=sourceId&mode=atomic", body, admin_);
    ASSERT_EQ(result.status, 200) << result.body;
    EXPECT_EQ(result.Json().at("created").as_int64(), 70);
    HttpResult listed =
        Call("GET", "/api/v1/records/Person?limit=100&fields=sourceId,firstName&filter=" +
                        UrlEncode("lastName = 'Escaped'"));
    ASSERT_EQ(listed.status, 200) << listed.body;
    const auto& items = listed.Json().at("items").as_array();
    ASSERT_EQ(items.size(), 70U);
    for (const auto& item : items) {
        const std::string source_id(item.at("sourceId").as_string());
        const int line = std::stoi(source_id.substr(source_id.rfind('-') + 1));
        EXPECT_EQ(item.at("firstName").as_string(),
                  awkward[line % std::size(awkward)] + std::to_string(line));
    }
}

// Updates in a long batch: each changed line updates its record and writes history for its
// tracked field, an unchanged line writes nothing, and a line whose change the database
// refuses (a unique value another record holds) fails alone.
TEST_F(RecordsApiTest, BulkUpdatesInALongBatchKeepEachLinesOutcomeAndHistory) {
    HttpResult object = Call(
        "POST", "/api/v1/objects",
        json::object{
            {"name", "Token"},
            {"label", "Token"},
            {"fields",
             json::array{json::object{{"name", "code"}, {"label", "Code"}, {"type", "externalId"}},
                         json::object{{"name", "serial"},
                                      {"label", "Serial"},
                                      {"type", "text"},
                                      {"unique", true},
                                      {"tracked", true}}}}});
    ASSERT_EQ(object.status, 201) << object.body;
    const auto batch = [](const std::function<std::string(int)>& serial_of) {
        std::string body;
        for (int line = 1; line <= 300; ++line) {
            body += json::serialize(json::object{{"code", "t-" + std::to_string(line)},
                                                 {"serial", serial_of(line)}}) +
                    "\n";
        }
        return body;
    };
    HttpResult created =
        server_->Request("POST", "/api/v1/records/Token/bulk?externalId=code&mode=partial",
                         batch([](int line) { return "s-" + std::to_string(line); }), admin_);
    ASSERT_EQ(created.status, 200) << created.body;
    ASSERT_EQ(created.Json().at("created").as_int64(), 300);

    // Even lines change their serial; line 150 takes line 7's, which line 7 keeps.
    HttpResult updated = server_->Request(
        "POST", "/api/v1/records/Token/bulk?externalId=code&mode=partial", batch([](int line) {
            return line == 150 ? std::string("s-7")
                   : line % 2  ? "s-" + std::to_string(line)
                               : "new-" + std::to_string(line);
        }),
        admin_);
    ASSERT_EQ(updated.status, 200) << updated.body;
    EXPECT_EQ(updated.Json().at("updated").as_int64(), 149);
    EXPECT_EQ(updated.Json().at("unchanged").as_int64(), 150);
    EXPECT_EQ(updated.Json().at("failed").as_int64(), 1);
    const auto& results = updated.Json().at("results").as_array();
    EXPECT_EQ(results[149].at("line").as_int64(), 150);
    EXPECT_EQ(results[149].at("status").as_string(), "failed");
    EXPECT_EQ(results[149].at("errors").as_array()[0].at("field").as_string(), "serial");
    EXPECT_EQ(results[151].at("status").as_string(), "updated");

    const std::string id_of_line_200(results[199].at("id").as_string());
    HttpResult record = Call("GET", "/api/v1/records/Token/" + id_of_line_200);
    ASSERT_EQ(record.status, 200) << record.body;
    EXPECT_EQ(record.Json().at("serial").as_string(), "new-200");
    EXPECT_EQ(record.Json().at("version").as_int64(), 2);
    HttpResult history = Call("GET", "/api/v1/records/Token/" + id_of_line_200 + "/history");
    ASSERT_EQ(history.status, 200) << history.body;
    const auto& changes = history.Json().at("items").as_array();
    ASSERT_EQ(changes.size(), 1U);
    EXPECT_EQ(changes[0].at("oldValue").as_string(), "s-200");
    EXPECT_EQ(changes[0].at("newValue").as_string(), "new-200");
    const auto refused_ids = ListIds("Token", "filter=" + UrlEncode("code = 't-150'"));
    ASSERT_EQ(refused_ids.size(), 1U);
    HttpResult refused = Call("GET", "/api/v1/records/Token/" + refused_ids[0]);
    EXPECT_EQ(refused.Json().at("serial").as_string(), "s-150");
    EXPECT_TRUE(Call("GET", "/api/v1/records/Token/" + refused_ids[0] + "/history")
                    .Json()
                    .at("items")
                    .as_array()
                    .empty());
}

TEST_F(RecordsApiTest, BulkPartialAppliesGoodLinesAndUpsertsByExternalId) {
    const std::string body =
        R"({"sourceId":"bulk-p-1","firstName":"Bulk","lastName":"Partial"})"
        "\n"
        "{not json\n"
        R"({"sourceId":"bulk-p-2","firstName":"Bulk","lastName":"Partial","gender":"robot"})"
        "\n"
        R"({"sourceId":"bulk-p-3","firstName":"Bulk","lastName":"Partial"})"
        "\n";
    HttpResult first = server_->Request(
        "POST", "/api/v1/records/Person/bulk?externalId=sourceId&mode=partial", body, admin_);
    ASSERT_EQ(first.status, 200) << first.body;
    const json::object& summary = first.Json().as_object();
    EXPECT_EQ(summary.at("created").as_int64(), 2);
    EXPECT_EQ(summary.at("failed").as_int64(), 2);
    const auto& results = summary.at("results").as_array();
    ASSERT_EQ(results.size(), 4U);
    EXPECT_EQ(results[1].at("line").as_int64(), 2);
    EXPECT_EQ(results[1].at("status").as_string(), "failed");
    EXPECT_EQ(results[2].at("errors").as_array()[0].at("field").as_string(), "gender");
    EXPECT_EQ(ListIds("Person", "filter=" + UrlEncode("lastName = 'Partial'")).size(), 2U);

    const std::string again =
        R"({"sourceId":"bulk-p-1","firstName":"Bulk","lastName":"Partial"})"
        "\n"
        R"({"sourceId":"bulk-p-3","firstName":"Changed","lastName":"Partial"})"
        "\n";
    HttpResult second = server_->Request(
        "POST", "/api/v1/records/Person/bulk?externalId=sourceId&mode=partial", again, admin_);
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_EQ(second.Json().at("unchanged").as_int64(), 1);
    EXPECT_EQ(second.Json().at("updated").as_int64(), 1);
    EXPECT_EQ(ListIds("Person", "filter=" + UrlEncode("lastName = 'Partial'")).size(), 2U);
}

TEST_F(RecordsApiTest, AccessLogCarriesNoPhi) {
    CreatePerson("Quintessa", "Xylophonist");
    ListIds("Person", "filter=" + UrlEncode("lastName = 'Xylophonist'"));
    const std::string log = server_->ServerLog();
    EXPECT_NE(log.find("event=http.request"), std::string::npos);
    EXPECT_EQ(log.find("Xylophonist"), std::string::npos);
    EXPECT_EQ(log.find("Quintessa"), std::string::npos);
    EXPECT_EQ(log.find(TestServer::kPassword), std::string::npos);
}

}  // namespace
}  // namespace p360::testing
