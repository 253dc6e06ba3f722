// Identity resolution through the real server: matching a candidate with the weights that
// explain it, who may match, resolution in real time across sources, the review queue, merge
// and unmerge of a member's related records, and the batch dedupe scored against FEBRL truth.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "test_server.hpp"

namespace p360::testing {
namespace {

std::string Str(const json::value& value) {
    return value.is_string() ? std::string(value.as_string()) : std::string();
}

// Every record of `object`, through the records API.
std::vector<json::object> ListAll(TestServer& server, const std::string& token,
                                  const std::string& object, const std::string& fields) {
    std::vector<json::object> records;
    std::string cursor;
    do {
        HttpResult page =
            server.Request("GET",
                           "/api/v1/records/" + object + "?limit=1000&fields=" + fields +
                               (cursor.empty() ? "" : "&cursor=" + UrlEncode(cursor)),
                           "", token);
        EXPECT_EQ(page.status, 200) << page.body;
        if (page.status != 200) {
            break;
        }
        for (const auto& item : page.Json().at("items").as_array()) {
            records.push_back(item.as_object());
        }
        cursor = Str(page.Json().at("nextCursor"));
    } while (!cursor.empty());
    return records;
}

class IdentityTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        server_ = new TestServer();
        server_->CreateUser("super", "supervisor");
        server_->CreateUser("network", "network_manager");
        server_->Start();
        for (const char* name : {"admin", "agent", "super", "network"}) {
            tokens_[name] = server_->Login(name);
        }
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }

    static HttpResult Call(const std::string& method, const std::string& target,
                           const std::string& as, const json::value& body = nullptr) {
        return server_->Request(method, target, body.is_null() ? "" : json::serialize(body),
                                tokens_[as]);
    }

    static std::string CreatePerson(const json::object& fields) {
        HttpResult created = Call("POST", "/api/v1/records/Person", "admin", fields);
        EXPECT_EQ(created.status, 201) << created.body;
        return created.status == 201 ? Str(created.Json().at("id")) : std::string();
    }

    static std::string GoldenOf(const std::string& person) {
        HttpResult identity = Call("GET", "/api/v1/identity/persons/" + person, "admin");
        EXPECT_EQ(identity.status, 200) << identity.body;
        return identity.status == 200 ? Str(identity.Json().at("goldenMemberId")) : "";
    }

    // The reviews in the steward's queue that involve any of `persons`, from every page of
    // it: the suite's other tests fill the queue too.
    static std::vector<json::object> ReviewsInvolving(const std::set<std::string>& persons) {
        std::vector<json::object> found;
        std::string cursor;
        do {
            HttpResult page = Call("GET",
                                   "/api/v1/identity/reviews?limit=200" +
                                       (cursor.empty() ? "" : "&cursor=" + UrlEncode(cursor)),
                                   "super");
            EXPECT_EQ(page.status, 200) << page.body;
            if (page.status != 200) {
                break;
            }
            const json::value body = page.Json();
            for (const auto& item : body.at("items").as_array()) {
                if (persons.contains(Str(item.at("person"))) ||
                    persons.contains(Str(item.at("candidate")))) {
                    found.push_back(item.as_object());
                }
            }
            const json::value& next = body.at("nextCursor");
            cursor = next.is_string() ? std::string(next.as_string()) : "";
        } while (!cursor.empty());
        return found;
    }

    static TestServer* server_;
    static std::map<std::string, std::string> tokens_;
};

TestServer* IdentityTest::server_ = nullptr;
std::map<std::string, std::string> IdentityTest::tokens_;

TEST_F(IdentityTest, AMatchRanksTheSamePersonFirstAndExplainsTheScore) {
    const std::string meant = CreatePerson({{"firstName", "Theodora"},
                                            {"lastName", "Quillfeather"},
                                            {"birthDate", "1971-06-14"},
                                            {"email", "theo.quill@example.org"},
                                            {"addressLine1", "41 Lantern Row"},
                                            {"postalCode", "30307"},
                                            {"sourceId", "crm:match-1"}});
    const std::string other = CreatePerson({{"firstName", "Theodore"},
                                            {"lastName", "Quillan"},
                                            {"birthDate", "1990-01-02"},
                                            {"postalCode", "30307"},
                                            {"sourceId", "crm:match-2"}});
    HttpResult match = Call("POST", "/api/v1/identity/match", "agent",
                            json::object{{"firstName", "THEODORA"},
                                         {"lastName", "Quilfeather"},
                                         {"birthDate", "1971-06-14"},
                                         {"email", "theo.quill@example.org"}});
    ASSERT_EQ(match.status, 200) << match.body;
    const auto& candidates = match.Json().at("candidates").as_array();
    ASSERT_FALSE(candidates.empty());
    const json::object& best = candidates[0].as_object();
    EXPECT_EQ(Str(best.at("personId")), meant);
    EXPECT_EQ(Str(best.at("decision")), "link");
    EXPECT_GT(best.at("probability").to_number<double>(), 0.8);
    EXPECT_FALSE(Str(best.at("goldenMemberId")).empty());
    EXPECT_EQ(Str(best.at("person").at("lastName")), "Quillfeather");
    double total = 0;
    std::map<std::string, double> weights;
    for (const auto& field : best.at("fields").as_array()) {
        weights[Str(field.at("field"))] = field.at("weight").to_number<double>();
        total += field.at("weight").to_number<double>();
    }
    EXPECT_GT(weights["birthDate"], 0);
    EXPECT_GT(weights["email"], 0);
    ASSERT_TRUE(weights.contains("phone"));  // explained, even when it weighs nothing
    EXPECT_EQ(weights.at("phone"), 0);       // missing on the candidate: no evidence either way
    EXPECT_GT(best.at("score").to_number<double>(), 0);
    EXPECT_LT(best.at("score").to_number<double>(), total);  // the prior odds are negative
    for (const auto& candidate : candidates) {
        if (Str(candidate.at("personId")) == other) {
            EXPECT_LT(candidate.at("probability").to_number<double>(),
                      best.at("probability").to_number<double>());
        }
    }
}

TEST_F(IdentityTest, ABadCandidateIsAProblemNamingTheField) {
    const auto field_at_fault = [](const HttpResult& result) {
        const json::value& errors = result.Json().as_object().contains("errors")
                                        ? result.Json().at("errors")
                                        : json::value(nullptr);
        return errors.is_array() && !errors.as_array().empty() ? Str(errors.at(0).at("field"))
                                                               : std::string();
    };
    HttpResult date = Call("POST", "/api/v1/identity/match", "agent",
                           json::object{{"lastName", "Smith"}, {"birthDate", "1980-13-45"}});
    EXPECT_EQ(date.status, 400);
    EXPECT_EQ(field_at_fault(date), "birthDate");
    HttpResult huge = Call("POST", "/api/v1/identity/match", "agent",
                           json::object{{"firstName", std::string(20000, 'a')}});
    EXPECT_EQ(huge.status, 400);
    EXPECT_EQ(field_at_fault(huge), "firstName");
    HttpResult unknown =
        Call("POST", "/api/v1/identity/match", "agent", json::object{{"favouriteColour", "red"}});
    EXPECT_EQ(unknown.status, 400);
    EXPECT_EQ(field_at_fault(unknown), "favouriteColour");
    HttpResult typed = Call("POST", "/api/v1/identity/match", "agent",
                            json::object{{"lastName", json::array{1, 2}}});
    EXPECT_EQ(typed.status, 400);
    EXPECT_EQ(field_at_fault(typed), "lastName");
    EXPECT_EQ(Call("POST", "/api/v1/identity/match", "agent", json::array{}).status, 400);
    EXPECT_EQ(Call("POST", "/api/v1/identity/match", "agent", json::object{}).status, 400);
    EXPECT_EQ(
        Call("POST", "/api/v1/identity/match?limit=0", "agent", json::object{{"lastName", "Smith"}})
            .status,
        400);
    // Garbage is standardised, not fatal.
    HttpResult garbage = Call("POST", "/api/v1/identity/match", "agent",
                              json::object{{"firstName", "@@##!!\u00e9\u00e9\u00e9"},
                                           {"lastName", "\u2603\u2603 ''' --"},
                                           {"phone", "(((((("}});
    EXPECT_EQ(garbage.status, 200) << garbage.body;
}

TEST_F(IdentityTest, OnlyRolesThatReadPersonPhiMayMatchAndEveryDisclosureIsAudited) {
    const json::object candidate{{"firstName", "Ingrid"}, {"lastName", "Vasquez-Holm"}};
    EXPECT_EQ(server_->Request("POST", "/api/v1/identity/match", json::serialize(candidate)).status,
              401);
    EXPECT_EQ(Call("POST", "/api/v1/identity/match", "network", candidate).status, 403);
    // An agent may not read SSNs, so may not probe with one either.
    HttpResult probe = Call("POST", "/api/v1/identity/match", "agent",
                            json::object{{"lastName", "Vasquez-Holm"}, {"ssn", "123-45-6789"}});
    EXPECT_EQ(probe.status, 403);

    const std::string person = CreatePerson({{"firstName", "Ingrid"},
                                             {"lastName", "Vasquez-Holm"},
                                             {"birthDate", "1966-09-30"},
                                             {"sourceId", "crm:audit-1"}});
    const auto agent_reads = [&] {
        HttpResult accounting =
            Call("GET", "/api/v1/audit?personId=" + person + "&limit=200", "admin");
        EXPECT_EQ(accounting.status, 200) << accounting.body;
        int reads = 0;
        for (const auto& item : accounting.Json().at("items").as_array()) {
            const std::string action = Str(item.at("action"));
            reads += Str(item.at("username")) == "agent" && (action == "read" || action == "list");
        }
        return reads;
    };
    const int before = agent_reads();
    HttpResult match = Call(
        "POST", "/api/v1/identity/match", "agent",
        json::object{
            {"firstName", "Ingrid"}, {"lastName", "Vasquez-Holm"}, {"birthDate", "1966-09-30"}});
    ASSERT_EQ(match.status, 200) << match.body;
    ASSERT_FALSE(match.Json().at("candidates").as_array().empty());
    EXPECT_EQ(Str(match.Json().at("candidates").at(0).at("personId")), person);
    EXPECT_EQ(agent_reads(), before + 1);
}

// Resolution decides a load's Persons in groups and writes each group's decisions together:
// the second record of a person, arriving in the same load as the first, still links to the
// golden member just decided for the first, before that decision is stored.
TEST_F(IdentityTest, TwoRecordsOfOnePersonInOneLoadEndAsOneGoldenMember) {
    const json::object person{{"firstName", "Philippa"},   {"lastName", "Drummond-Ashe"},
                              {"birthDate", "1971-04-09"}, {"email", "p.drummond@example.org"},
                              {"phone", "617-555-0143"},   {"addressLine1", "8 Larch Row"},
                              {"city", "Somerville"},      {"postalCode", "02144"}};
    std::string ndjson;
    for (const char* source : {"crm:group-1", "claims:group-2"}) {
        json::object record = person;
        record["sourceId"] = source;
        ndjson += json::serialize(record) + "\n";
    }
    HttpResult loaded =
        server_->Request("POST", "/api/v1/records/Person/bulk?externalId=sourceId&mode=atomic",
                         ndjson, tokens_["admin"], {{"Content-Type", "application/x-ndjson"}});
    ASSERT_EQ(loaded.status, 200) << loaded.body;
    HttpResult found = Call("GET",
                            "/api/v1/records/Person?fields=id&sort=sourceId&filter=" +
                                UrlEncode("lastName = 'Drummond-Ashe'"),
                            "admin");
    ASSERT_EQ(found.status, 200) << found.body;
    const json::array& items = found.Json().at("items").as_array();
    ASSERT_EQ(items.size(), 2u) << found.body;
    const std::string golden = GoldenOf(Str(items[0].at("id")));
    ASSERT_FALSE(golden.empty());
    EXPECT_EQ(GoldenOf(Str(items[1].at("id"))), golden);
}

TEST_F(IdentityTest, ThePersonFromTheRecordsApiAndFromACsvFileEndAsOneGoldenMember) {
    const std::string entered = CreatePerson({{"firstName", "Marguerite"},
                                              {"lastName", "Okonkwo-Bell"},
                                              {"birthDate", "1958-11-23"},
                                              {"email", "m.okonkwo@example.net"},
                                              {"phone", "404-555-0178"},
                                              {"addressLine1", "17 Juniper Court"},
                                              {"city", "Decatur"},
                                              {"postalCode", "30030"},
                                              {"sourceId", "crm:rt-1"}});
    const std::string csv =
        "sourceId,firstName,lastName,birthDate,phone,addressLine1,city,postalCode,"
        "medicaidId\n"
        "834:SUB7781:S,MARGUERITE,OKONKWO BELL,1958-11-23,4045550178,17 Juniper Ct,Decatur,30030,"
        "GA99001\n";
    HttpResult imported =
        server_->Request("POST", "/api/v1/records/Person/import.csv?externalId=sourceId", csv,
                         tokens_["admin"], {{"Content-Type", "text/csv"}});
    ASSERT_EQ(imported.status, 200) << imported.body;
    HttpResult found = Call(
        "GET", "/api/v1/records/Person?filter=" + UrlEncode("sourceId = '834:SUB7781:S'"), "admin");
    ASSERT_EQ(found.status, 200);
    const std::string from_file = Str(found.Json().at("items").at(0).at("id"));

    const std::string golden = GoldenOf(entered);
    ASSERT_FALSE(golden.empty());
    EXPECT_EQ(GoldenOf(from_file), golden);
    HttpResult member = Call("GET", "/api/v1/identity/members/" + golden, "agent");
    ASSERT_EQ(member.status, 200) << member.body;
    std::set<std::string> identifiers;
    for (const auto& identifier : member.Json().at("identifiers").as_array()) {
        identifiers.insert(Str(identifier.at("type")) + "=" + Str(identifier.at("value")));
    }
    EXPECT_TRUE(identifiers.contains("sourceId=crm:rt-1"));
    EXPECT_TRUE(identifiers.contains("sourceId=834:SUB7781:S"));
    EXPECT_TRUE(identifiers.contains("medicaidId=GA99001"));
    // Survivorship: names from the most trusted source (the enrollment file), the email from
    // the only record that has one.
    const json::object& fields = member.Json().at("fields").as_object();
    EXPECT_EQ(Str(fields.at("lastName").at("value")), "OKONKWO BELL");
    EXPECT_EQ(Str(fields.at("lastName").at("personId")), from_file);
    EXPECT_EQ(Str(fields.at("email").at("personId")), entered);

    // The link and its evidence are for stewards; an agent learns the golden member alone.
    HttpResult steward_view = Call("GET", "/api/v1/identity/persons/" + from_file, "super");
    ASSERT_EQ(steward_view.status, 200) << steward_view.body;
    EXPECT_EQ(Str(steward_view.Json().at("matchedTo")), entered);
    EXPECT_TRUE(steward_view.Json().at("evidence").is_array());
    HttpResult agent_view = Call("GET", "/api/v1/identity/persons/" + from_file, "agent");
    ASSERT_EQ(agent_view.status, 200) << agent_view.body;
    EXPECT_EQ(Str(agent_view.Json().at("goldenMemberId")), golden);
    for (const char* detail : {"matchedTo", "evidence", "method", "probability", "identityId"}) {
        EXPECT_FALSE(agent_view.Json().as_object().contains(detail)) << detail;
    }
}

// After a bulk load the background follower, which gives way to requests, has thousands of
// Persons to resolve. An identity call made at once answers for every Person the load wrote,
// the last one included, whether the follower has not started yet or hands it the rest of its
// catch-up (which of the two happens is up to the scheduler; both must hold). On a server of
// its own: three thousand birth dates would change how much a shared one weighs in the other
// tests' matches.
TEST(IdentityBulkTest, AnIdentityCallRightAfterABulkLoadAnswersForEveryPersonInIt) {
    TestServer server;
    server.Start();
    const std::string token = server.Login("admin");
    const auto golden_of = [&](const std::string& person) {
        HttpResult identity =
            server.Request("GET", "/api/v1/identity/persons/" + person, "", token);
        EXPECT_EQ(identity.status, 200) << identity.body;
        return identity.status == 200 ? Str(identity.Json().at("goldenMemberId")) : "";
    };
    constexpr int kPeople = 3000;
    std::string ndjson;
    for (int person_idx = 0; person_idx < kPeople; ++person_idx) {
        ndjson += json::serialize(
                      json::object{{"sourceId", "load:" + std::to_string(person_idx)},
                                   {"firstName", "Given" + std::to_string(person_idx % 97)},
                                   {"lastName", "Family" + std::to_string(person_idx)},
                                   {"birthDate", "19" + std::to_string(40 + person_idx % 60) +
                                                     "-0" + std::to_string(1 + person_idx % 9) +
                                                     "-1" + std::to_string(person_idx % 10)}}) +
                  "\n";
    }
    HttpResult loaded =
        server.Request("POST", "/api/v1/records/Person/bulk?externalId=sourceId&mode=atomic",
                       ndjson, token, {{"Content-Type", "application/x-ndjson"}});
    ASSERT_EQ(loaded.status, 200) << loaded.body.substr(0, 2000);
    for (const int person_idx : {kPeople - 1, kPeople / 2, 0}) {
        HttpResult found =
            server.Request("GET",
                           "/api/v1/records/Person?fields=id&filter=" +
                               UrlEncode("sourceId = 'load:" + std::to_string(person_idx) + "'"),
                           "", token);
        ASSERT_EQ(found.status, 200) << found.body;
        const std::string person = Str(found.Json().at("items").at(0).at("id"));
        EXPECT_FALSE(golden_of(person).empty()) << "load:" << person_idx;
    }
}

// Persons written while no server ran (here by the demo generator) have no identity yet; the
// server resolves them as it starts, reading them page by page into its index, and answers
// for each one at once.
TEST(IdentityStartupTest, PersonsWrittenWhileNoServerRanAreResolvedWhenItStarts) {
    TestServer server;
    ASSERT_EQ(server.RunCommand({"demo", "--members", "30"}), 0) << server.ServerLog();
    server.Start();
    const std::string token = server.Login("admin");
    std::vector<std::string> persons;
    for (const json::object& person : ListAll(server, token, "Person", "id")) {
        persons.push_back(Str(person.at("id")));
    }
    ASSERT_GE(persons.size(), 30u);
    std::set<std::string> goldens;
    for (const std::string& person : persons) {
        HttpResult identity =
            server.Request("GET", "/api/v1/identity/persons/" + person, "", token);
        ASSERT_EQ(identity.status, 200) << person << " " << identity.body;
        const std::string golden = Str(identity.Json().at("goldenMemberId"));
        EXPECT_FALSE(golden.empty()) << person;
        goldens.insert(golden);
    }
    // Household members are different people: each demo Person is a golden member of its own.
    EXPECT_EQ(goldens.size(), persons.size());
}

// The issue's own case: a member arrives in an X12 834 enrollment file and again as a FHIR
// Patient from a hospital; both records stay, and resolve to one golden member carrying both
// identifiers.
TEST_F(IdentityTest, APersonFromAnX12FileAndFromAFhirBundleEndAsOneGoldenMember) {
    std::ifstream file(std::string(P360_FIXTURES_DIR) + "/x12/834/enroll-employee-managed-care.834",
                       std::ios::binary);
    std::stringstream x12;
    x12 << file.rdbuf();
    ASSERT_FALSE(x12.str().empty());
    // The file enrolls into the plan its HD segment names.
    HttpResult plan = Call("POST", "/api/v1/records/Plan", "admin",
                           json::object{{"planCode", "HMO"},
                                        {"name", "Employer HMO"},
                                        {"lineOfBusiness", "commercial"},
                                        {"coverageTypes", json::array{"medical"}},
                                        {"status", "active"},
                                        {"effectiveDate", "1990-01-01"}});
    ASSERT_EQ(plan.status, 201) << plan.body;
    HttpResult enrolled =
        server_->Request("POST", "/api/v1/import/x12", x12.str(), tokens_["admin"],
                         {{"Content-Type", "application/edi-x12"}});
    ASSERT_EQ(enrolled.status, 200) << enrolled.body;
    ASSERT_EQ(enrolled.Json().at("interchange").at("accepted").as_int64(), 1) << enrolled.body;
    HttpResult from_file = Call(
        "GET",
        "/api/v1/records/Person?filter=" +
            UrlEncode("lastName = 'SMITH' and firstName = 'WILLIAM' and birthDate = 1970-06-14"),
        "admin");
    ASSERT_EQ(from_file.status, 200) << from_file.body;
    ASSERT_EQ(from_file.Json().at("items").as_array().size(), 1u) << from_file.body;
    const std::string enrolled_id = Str(from_file.Json().at("items").at(0).at("id"));
    const std::string enrolled_key = Str(from_file.Json().at("items").at(0).at("sourceId"));
    ASSERT_EQ(enrolled_key.rfind("834:", 0), 0u) << enrolled_key;

    // The same man as a hospital sends him: mixed case, a nickname, the phone and address the
    // file has, and the hospital's own record number.
    const json::object bundle{
        {"resourceType", "Bundle"},
        {"type", "transaction"},
        {"entry",
         json::array{json::object{
             {"fullUrl", "urn:uuid:5b8f0c52-3b0e-4c1e-9d7e-2f7e1a0c9d11"},
             {"resource",
              json::object{
                  {"resourceType", "Patient"},
                  {"identifier",
                   json::array{json::object{
                       {"system", "http://hospital.example.org/mrn"}, {"value", "MRN-5541"}}}},
                  {"name",
                   json::array{json::object{{"family", "Smith"}, {"given", json::array{"Bill"}}}}},
                  {"gender", "male"},
                  {"birthDate", "1970-06-14"},
                  {"telecom",
                   json::array{json::object{{"system", "phone"}, {"value", "(717) 234-3334"}}}},
                  {"address", json::array{json::object{{"line", json::array{"1715 Southwind Ave"}},
                                                       {"city", "Anytown"},
                                                       {"state", "PA"},
                                                       {"postalCode", "17111"}}}}}},
             {"request", json::object{{"method", "POST"}, {"url", "Patient"}}}}}}};
    HttpResult posted =
        server_->Request("POST", "/fhir/r4", json::serialize(bundle), tokens_["admin"],
                         {{"Content-Type", "application/fhir+json"}});
    ASSERT_EQ(posted.status, 200) << posted.body;
    HttpResult from_hospital =
        Call("GET",
             "/api/v1/records/Person?filter=" +
                 UrlEncode("sourceId = 'http://hospital.example.org/mrn|MRN-5541'"),
             "admin");
    ASSERT_EQ(from_hospital.status, 200) << from_hospital.body;
    ASSERT_EQ(from_hospital.Json().at("items").as_array().size(), 1u) << from_hospital.body;
    const std::string hospital_id = Str(from_hospital.Json().at("items").at(0).at("id"));
    ASSERT_NE(hospital_id, enrolled_id);  // source records keep their identity

    const std::string golden = GoldenOf(enrolled_id);
    ASSERT_FALSE(golden.empty());
    EXPECT_EQ(GoldenOf(hospital_id), golden);
    HttpResult member = Call("GET", "/api/v1/identity/members/" + golden, "admin");
    ASSERT_EQ(member.status, 200) << member.body;
    std::set<std::string> identifiers;
    for (const auto& identifier : member.Json().at("identifiers").as_array()) {
        identifiers.insert(Str(identifier.at("value")));
    }
    EXPECT_TRUE(identifiers.contains(enrolled_key));
    EXPECT_TRUE(identifiers.contains("http://hospital.example.org/mrn|MRN-5541"));
}

TEST_F(IdentityTest, StewardsWorkTheReviewQueueAndARejectedPairIsNotProposedAgain) {
    // Same given name, birth date and sex, the surname shortened and the postal code
    // different: uncertain.
    const std::string left = CreatePerson({{"firstName", "Cornelius"},
                                           {"lastName", "Abernathy-Rusk"},
                                           {"birthDate", "1949-02-17"},
                                           {"postalCode", "60614"},
                                           {"gender", "male"},
                                           {"sourceId", "crm:review-1"}});
    const std::string right = CreatePerson({{"firstName", "Cornelius"},
                                            {"lastName", "Abernathy"},
                                            {"birthDate", "1949-02-17"},
                                            {"postalCode", "94110"},
                                            {"gender", "male"},
                                            {"sourceId", "claims:review-2"}});

    EXPECT_EQ(Call("GET", "/api/v1/identity/reviews", "agent").status, 403);
    std::string review;
    for (const json::object& item : ReviewsInvolving({left, right})) {
        const std::set<std::string> pair = {Str(item.at("person")), Str(item.at("candidate"))};
        if (pair == std::set<std::string>{left, right}) {
            review = Str(item.at("id"));
            EXPECT_EQ(Str(item.at("status")), "open");
            EXPECT_TRUE(item.at("evidence").is_array());
        }
    }
    ASSERT_FALSE(review.empty());
    ASSERT_NE(GoldenOf(left), GoldenOf(right));

    EXPECT_EQ(Call("POST", "/api/v1/identity/reviews/" + review + "/reject", "agent").status, 403);
    HttpResult rejected = Call("POST", "/api/v1/identity/reviews/" + review + "/reject", "super");
    ASSERT_EQ(rejected.status, 200) << rejected.body;
    EXPECT_EQ(Str(rejected.Json().at("status")), "rejected");
    EXPECT_FALSE(Str(rejected.Json().at("decidedBy")).empty());
    EXPECT_FALSE(Str(rejected.Json().at("decidedAt")).empty());
    EXPECT_EQ(Call("POST", "/api/v1/identity/reviews/" + review + "/accept", "super").status, 409);

    // A change to either record matches them again, but the pair stays decided.
    ASSERT_EQ(Call("PATCH", "/api/v1/records/Person/" + right, "admin",
                   json::object{{"email", "c.abernathy@example.com"}})
                  .status,
              200);
    for (const json::object& item : ReviewsInvolving({left, right})) {
        const std::set<std::string> pair = {Str(item.at("person")), Str(item.at("candidate"))};
        EXPECT_NE(pair, (std::set<std::string>{left, right}));
    }
    HttpResult all = Call("GET",
                          "/api/v1/records/IdentityReview?filter=" +
                              UrlEncode("person in ('" + left + "', '" + right + "')"),
                          "admin");
    ASSERT_EQ(all.status, 200);
    EXPECT_EQ(all.Json().at("items").as_array().size(), 1u);
    EXPECT_NE(GoldenOf(left), GoldenOf(right));

    // Accepting a pair makes both records one golden member.
    const std::string accepted_person = CreatePerson({{"firstName", "Cornelius"},
                                                      {"lastName", "Abernethy"},
                                                      {"birthDate", "1949-02-17"},
                                                      {"postalCode", "10027"},
                                                      {"gender", "male"},
                                                      {"sourceId", "portal:review-3"}});
    std::string next;
    for (const json::object& item : ReviewsInvolving({accepted_person})) {
        next = Str(item.at("id"));
    }
    ASSERT_FALSE(next.empty());
    HttpResult accepted = Call("POST", "/api/v1/identity/reviews/" + next + "/accept", "super");
    ASSERT_EQ(accepted.status, 200) << accepted.body;
    const std::string golden = Str(accepted.Json().at("goldenMemberId"));
    EXPECT_EQ(GoldenOf(Str(accepted.Json().at("person"))), golden);
    EXPECT_EQ(GoldenOf(Str(accepted.Json().at("candidate"))), golden);
}

// Merge and unmerge on the demo payer, whose members have coverage, claims, cases,
// conditions, interactions and more.
class IdentityMergeTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(server_.RunCommand({"demo", "--members", "20"}), 0) << server_.ServerLog();
        server_.CreateUser("super", "supervisor");
        server_.Start();
        admin_ = server_.Login("admin");
        super_ = server_.Login("super");
        agent_ = server_.Login("agent");
        // Every reference to Person the catalog declares, read from the describe endpoints.
        // The identity objects describe Persons themselves and do not move with a merge.
        HttpResult objects = server_.Request("GET", "/api/v1/objects", "", admin_);
        ASSERT_EQ(objects.status, 200);
        for (const auto& object : objects.Json().at("items").as_array()) {
            const std::string name = Str(object.at("name"));
            if (name == "MemberIdentity" || name == "IdentityReview" || name == "IdentityMerge") {
                continue;
            }
            HttpResult described = server_.Request("GET", "/api/v1/objects/" + name, "", admin_);
            ASSERT_EQ(described.status, 200);
            for (const auto& field : described.Json().at("fields").as_array()) {
                if (Str(field.at("type")) == "reference" &&
                    field.as_object().contains("referenceTo") &&
                    Str(field.at("referenceTo")) == "Person") {
                    references_.emplace_back(name, Str(field.at("name")));
                }
            }
        }
        ASSERT_GE(references_.size(), 8u);
    }

    // Every record that references `person`, whole, but for what any write changes.
    std::map<std::string, json::object> Related(const std::string& person) {
        std::map<std::string, json::object> related;
        for (const auto& [object, field] : references_) {
            HttpResult page = server_.Request("GET",
                                              "/api/v1/records/" + object + "?limit=1000&filter=" +
                                                  UrlEncode(field + " = '" + person + "'"),
                                              "", admin_);
            EXPECT_EQ(page.status, 200) << object << " " << page.body;
            for (const auto& item : page.Json().at("items").as_array()) {
                json::object record = item.as_object();
                for (const char* changing : {"version", "modifiedAt", "modifiedBy"}) {
                    record.erase(changing);
                }
                related[object + "/" + Str(item.at("id")) + "/" + field] = std::move(record);
            }
        }
        return related;
    }

    std::string GoldenOf(const std::string& person) {
        HttpResult identity =
            server_.Request("GET", "/api/v1/identity/persons/" + person, "", admin_);
        EXPECT_EQ(identity.status, 200) << identity.body;
        return Str(identity.Json().at("goldenMemberId"));
    }

    TestServer server_;
    std::string admin_, super_, agent_;
    std::vector<std::pair<std::string, std::string>> references_;
};

TEST_F(IdentityMergeTest, MergeMovesEveryRelatedRecordAndUnmergeRestoresEachExactly) {
    // The two members with the most claims.
    HttpResult claims =
        server_.Request("GET", "/api/v1/records/Claim?limit=1000&fields=person", "", admin_);
    ASSERT_EQ(claims.status, 200);
    std::map<std::string, int> per_person;
    for (const auto& claim : claims.Json().at("items").as_array()) {
        ++per_person[Str(claim.at("person"))];
    }
    std::vector<std::pair<int, std::string>> ranked;
    for (const auto& [person, count] : per_person) {
        ranked.emplace_back(count, person);
    }
    std::sort(ranked.rbegin(), ranked.rend());
    ASSERT_GE(ranked.size(), 2u);
    const std::string survivor = ranked[0].second;
    const std::string merged = ranked[1].second;
    const auto survivor_before = Related(survivor);
    const auto merged_before = Related(merged);
    std::set<std::string> kinds;
    for (const auto& [key, record] : merged_before) {
        kinds.insert(key.substr(0, key.find('/')));
    }
    ASSERT_GE(kinds.size(), 3u) << "the merged member has several kinds of related records";
    const std::string merge_body =
        json::serialize(json::object{{"survivor", survivor}, {"merged", merged}});

    EXPECT_EQ(server_.Request("POST", "/api/v1/identity/merges", merge_body, agent_).status, 403);
    EXPECT_EQ(
        server_
            .Request("POST", "/api/v1/identity/merges",
                     json::serialize(json::object{{"survivor", survivor}, {"merged", survivor}}),
                     super_)
            .status,
        400);
    HttpResult merge = server_.Request("POST", "/api/v1/identity/merges", merge_body, super_);
    ASSERT_EQ(merge.status, 201) << merge.body;
    EXPECT_EQ(merge.Json().at("moved").as_array().size(), merged_before.size());
    EXPECT_TRUE(Related(merged).empty());
    const auto survivor_merged = Related(survivor);
    EXPECT_EQ(survivor_merged.size(), survivor_before.size() + merged_before.size());
    EXPECT_EQ(GoldenOf(merged), GoldenOf(survivor));
    // The moves are in the records' history.
    const std::string& first_moved = Str(merge.Json().at("moved").at(0).at("id"));
    const std::string& first_object = Str(merge.Json().at("moved").at(0).at("object"));
    HttpResult history = server_.Request(
        "GET", "/api/v1/records/" + first_object + "/" + first_moved + "/history", "", admin_);
    ASSERT_EQ(history.status, 200);

    // After the merge, someone points one moved claim at a third member: unmerge must leave
    // that edit standing and put back only what still follows the merge.
    const json::object* reassigned = nullptr;
    for (const auto& entry : merge.Json().at("moved").as_array()) {
        if (Str(entry.at("object")) == "Claim") {
            reassigned = &entry.as_object();
            break;
        }
    }
    ASSERT_NE(reassigned, nullptr);
    ASSERT_GE(ranked.size(), 3u);
    const std::string third = ranked[2].second;
    const std::string reassigned_key = "Claim/" + Str(reassigned->at("id")) + "/person";
    HttpResult repoint =
        server_.Request("PATCH", "/api/v1/records/Claim/" + Str(reassigned->at("id")),
                        json::serialize(json::object{{"person", third}}), admin_);
    ASSERT_EQ(repoint.status, 200) << repoint.body;

    const std::string merge_id = Str(merge.Json().at("id"));
    EXPECT_EQ(
        server_.Request("POST", "/api/v1/identity/merges/" + merge_id + "/unmerge", "", agent_)
            .status,
        403);
    HttpResult unmerge =
        server_.Request("POST", "/api/v1/identity/merges/" + merge_id + "/unmerge", "", super_);
    ASSERT_EQ(unmerge.status, 200) << unmerge.body;
    ASSERT_EQ(unmerge.Json().at("changedSince").as_array().size(), 1u);
    EXPECT_EQ(Str(unmerge.Json().at("changedSince").at(0).at("id")), Str(reassigned->at("id")));
    EXPECT_EQ(Related(survivor), survivor_before);
    auto merged_expected = merged_before;
    merged_expected.erase(reassigned_key);
    EXPECT_EQ(Related(merged), merged_expected);
    EXPECT_TRUE(Related(third).contains(reassigned_key));
    EXPECT_NE(GoldenOf(merged), GoldenOf(survivor));
    EXPECT_EQ(
        server_.Request("POST", "/api/v1/identity/merges/" + merge_id + "/unmerge", "", super_)
            .status,
        409);
}

// FEBRL dataset 1 (500 people, each with one to several records with typos) as Persons, the
// batch dedupe run from the command line in small transactions, its report checked against
// the stored Persons and identities and scored against the dataset's truth, then run again.
class IdentityDedupeTest : public ::testing::Test {
protected:
    struct ReportLine {
        std::string external_id;
        std::string golden;
        bool operator==(const ReportLine&) const = default;
    };
    using Report = std::map<std::string, ReportLine>;  // by Person id

    static std::string Trim(const std::string& text) {
        const auto first = text.find_first_not_of(' ');
        return first == std::string::npos
                   ? ""
                   : text.substr(first, text.find_last_not_of(' ') - first + 1);
    }
    // YYYYMMDD → YYYY-MM-DD when it is a real date.
    static std::string Date(const std::string& text) {
        if (text.size() != 8 || text.find_first_not_of("0123456789") != std::string::npos) {
            return "";
        }
        const int year = std::stoi(text.substr(0, 4));
        const int month = std::stoi(text.substr(4, 2));
        const int day = std::stoi(text.substr(6, 2));
        const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        const int days[] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        if (year < 1900 || month < 1 || month > 12 || day < 1 || day > days[month - 1]) {
            return "";
        }
        return text.substr(0, 4) + "-" + text.substr(4, 2) + "-" + text.substr(6, 2);
    }

    // The FEBRL records as Person NDJSON, and each sourceId's true person.
    static std::string LoadDataset(std::map<std::string, std::string>& truth) {
        std::ifstream file(std::string(P360_FIXTURES_DIR) + "/linkage/dataset1.csv");
        EXPECT_TRUE(file);
        std::string line;
        std::getline(file, line);  // header
        std::string ndjson;
        while (std::getline(file, line)) {
            std::vector<std::string> cells;
            std::stringstream row(line);
            for (std::string cell; std::getline(row, cell, ',');) {
                cells.push_back(Trim(cell));
            }
            if (cells.size() < 11 || cells[1].empty() || cells[2].empty()) {
                continue;  // a Person needs both names
            }
            json::object person{
                {"sourceId", cells[0]},     {"firstName", cells[1]},
                {"lastName", cells[2]},     {"addressLine1", Trim(cells[3] + " " + cells[4])},
                {"addressLine2", cells[5]}, {"city", cells[6]},
                {"postalCode", cells[7]},   {"state", cells[8]},
                {"ssn", cells[10]}};
            if (const std::string date = Date(cells[9]); !date.empty()) {
                person["birthDate"] = date;
            }
            ndjson += json::serialize(person) + "\n";
            truth[cells[0]] = cells[0].substr(0, cells[0].find('-', 4));  // rec-N
        }
        return ndjson;
    }

    // Runs the dedupe (writing 100 records a transaction) and reads its report.
    static Report RunDedupe(TestServer& server) {
        const auto path = server.data_directory() / "dedupe.csv";
        EXPECT_EQ(
            server.RunCommand({"identity", "dedupe", "--batch", "100", "--report", path.string()}),
            0)
            << server.ServerLog();
        std::ifstream file(path);
        std::string line;
        std::getline(file, line);
        EXPECT_EQ(line, "recordId,externalId,goldenMemberId");
        Report report;
        while (std::getline(file, line)) {
            const auto first = line.find(',');
            const auto second = line.find(',', first + 1);
            EXPECT_NE(second, std::string::npos) << line;
            const bool added = report
                                   .emplace(line.substr(0, first),
                                            ReportLine{line.substr(first + 1, second - first - 1),
                                                       line.substr(second + 1)})
                                   .second;
            EXPECT_TRUE(added) << "a Person reported twice: " << line;
        }
        return report;
    }

    // The summary line the last run printed.
    static std::string LastSummary(const TestServer& server) {
        const std::string log = server.ServerLog();
        const auto at = log.rfind("identity dedupe: ");
        return at == std::string::npos ? "" : log.substr(at, log.find('\n', at) - at);
    }
};

TEST_F(IdentityDedupeTest, TheReportMatchesTheStoredDecisionsAndARunAgainChangesNothing) {
    TestServer server;
    std::map<std::string, std::string> truth;  // sourceId → true person
    const std::string ndjson = LoadDataset(truth);
    ASSERT_GT(truth.size(), 850u);
    server.Start();
    std::string admin = server.Login("admin");
    HttpResult loaded =
        server.Request("POST", "/api/v1/records/Person/bulk?externalId=sourceId&mode=atomic",
                       ndjson, admin, {{"Content-Type", "application/x-ndjson"}});
    ASSERT_EQ(loaded.status, 200) << loaded.body.substr(0, 2000);
    ASSERT_EQ(server.Terminate(), 0);

    const Report report = RunDedupe(server);
    EXPECT_NE(server.ServerLog().find("compared pairs"), std::string::npos);  // progress
    std::set<std::string> goldens;
    for (const auto& [person, line] : report) {
        goldens.insert(line.golden);
    }
    EXPECT_TRUE(LastSummary(server).starts_with("identity dedupe: " + std::to_string(truth.size()) +
                                                " people, " + std::to_string(goldens.size()) +
                                                " golden members, "))
        << LastSummary(server);

    // One line per stored Person, with its external id; each Person's stored identity names
    // the golden member of its line.
    server.Start();
    admin = server.Login("admin");
    const auto people = ListAll(server, admin, "Person", "id,sourceId");
    ASSERT_EQ(people.size(), truth.size());
    ASSERT_EQ(report.size(), people.size());
    for (const json::object& person : people) {
        const auto line = report.find(Str(person.at("id")));
        ASSERT_NE(line, report.end()) << Str(person.at("id"));
        EXPECT_EQ(line->second.external_id, Str(person.at("sourceId")));
    }
    const auto identities = ListAll(server, admin, "MemberIdentity", "id,person,goldenMemberId");
    ASSERT_EQ(identities.size(), report.size());
    std::map<std::string, std::vector<std::string>> members;  // golden → identity ids
    for (const json::object& identity : identities) {
        const std::string golden = Str(identity.at("goldenMemberId"));
        EXPECT_EQ(report.at(Str(identity.at("person"))).golden, golden);
        members[golden].push_back(Str(identity.at("id")));
    }
    const auto reviews = ListAll(server, admin, "IdentityReview", "id,pairKey,status");
    for (const json::object& review : reviews) {
        EXPECT_EQ(Str(review.at("status")), "open");
    }

    // Pairwise precision and recall: a pair counts when both records share a golden member.
    std::map<std::string, std::uint64_t> by_golden, by_truth, by_both;
    for (const auto& [person, line] : report) {
        ASSERT_TRUE(truth.contains(line.external_id)) << line.external_id;
        const std::string& true_person = truth.at(line.external_id);
        ++by_golden[line.golden];
        ++by_truth[true_person];
        ++by_both[line.golden + "|" + true_person];
    }
    const auto pairs = [](const std::map<std::string, std::uint64_t>& groups) {
        std::uint64_t total = 0;
        for (const auto& [key, size] : groups) {
            total += size * (size - 1) / 2;
        }
        return total;
    };
    const double true_positives = static_cast<double>(pairs(by_both));
    const double precision = true_positives / static_cast<double>(pairs(by_golden));
    const double recall = true_positives / static_cast<double>(pairs(by_truth));
    const double f1 = 2 * precision * recall / (precision + recall);
    std::printf("dedupe through the records layer: precision %.4f recall %.4f F1 %.4f\n", precision,
                recall, f1);
    EXPECT_GE(f1, 0.9);

    // A run stopped part way leaves some Persons without an identity: take them away from two
    // members of several records, whose golden ids the rest of each cluster still carries.
    std::vector<std::string> taken_away;
    for (const auto& [golden, ids] : members) {
        if (ids.size() >= 2 && taken_away.size() < 2) {
            taken_away.push_back(ids.front());
        }
    }
    ASSERT_EQ(taken_away.size(), 2u);
    for (const std::string& id : taken_away) {
        EXPECT_EQ(
            server.Request("DELETE", "/api/v1/records/MemberIdentity/" + id, "", admin).status,
            204);
    }
    ASSERT_EQ(server.Terminate(), 0);

    // The next run completes it: the same golden member for every Person, only the missing
    // identities written, and no pair proposed twice.
    EXPECT_EQ(RunDedupe(server), report);
    EXPECT_NE(LastSummary(server).find(" 2 identities written, 0 pairs for review"),
              std::string::npos)
        << LastSummary(server);
    EXPECT_EQ(RunDedupe(server), report);
    EXPECT_NE(LastSummary(server).find(" 0 identities written, 0 pairs for review"),
              std::string::npos)
        << LastSummary(server);
    server.Start();
    admin = server.Login("admin");
    EXPECT_EQ(ListAll(server, admin, "MemberIdentity", "id").size(), report.size());
    EXPECT_EQ(ListAll(server, admin, "IdentityReview", "id").size(), reviews.size());
}

}  // namespace
}  // namespace p360::testing
