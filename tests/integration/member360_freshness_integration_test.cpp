// A member 360 served again is never older than the last change the caller could see: every
// write to what the view shows or counts, a new record that belongs in it, and a change of who
// may see what all show in the very next view; and each view served is in the access audit
// under its own request, however it was assembled.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>

#include "test_server.hpp"

namespace p360::testing {
namespace {

class Member360FreshnessTest : public ::testing::Test {
protected:
    void SetUp() override {
        server_ = std::make_unique<TestServer>();
        ASSERT_EQ(server_->RunCommand({"demo", "--members", "40", "--staff", "--password-stdin"},
                                      std::string(TestServer::kPassword) + "\n"),
                  0);
        server_->Start();
        for (const char* name : {"admin", "agent", "nurse"}) {
            tokens_[name] = server_->Login(name);
        }
    }

    json::value Send(const std::string& method, const std::string& target, const json::object& body,
                     int expected) {
        HttpResult result =
            server_->Request(method, target, json::serialize(body), tokens_["admin"]);
        EXPECT_EQ(result.status, expected) << method << " " << target << " " << result.body;
        return result.body.empty() ? json::value() : result.Json();
    }

    std::vector<json::object> Items(const std::string& object, const std::string& filter) {
        HttpResult page = server_->Request(
            "GET", "/api/v1/records/" + object + "?limit=200&filter=" + UrlEncode(filter), "",
            tokens_["admin"]);
        EXPECT_EQ(page.status, 200) << page.body;
        std::vector<json::object> items;
        for (const auto& item : page.Json().at("items").as_array()) {
            items.push_back(item.as_object());
        }
        return items;
    }

    json::object View(const std::string& person, const std::string& as,
                      const std::map<std::string, std::string>& headers = {},
                      std::string* request_id = nullptr) {
        HttpResult view =
            server_->Request("GET", "/api/v1/members/" + person + "/360", "", tokens_[as], headers);
        EXPECT_EQ(view.status, 200) << view.body;
        if (request_id != nullptr) {
            *request_id = view.Header("x-request-id");
        }
        return view.status == 200 ? view.Json().as_object() : json::object();
    }

    // A member with a household, a coverage and claims.
    std::string CoveredMemberWithClaims() {
        for (const auto& coverage : Items("MemberPlan", "status = 'active'")) {
            const std::string person(coverage.at("person").as_string());
            const auto people = Items("Person", "id = '" + person + "' and household is not null");
            if (!people.empty() && !Items("Claim", "person = '" + person + "'").empty()) {
                return person;
            }
        }
        return "";
    }

    static std::set<std::string> Ids(const json::value& records) {
        std::set<std::string> ids;
        for (const auto& record : records.as_array()) {
            ids.emplace(record.at("id").as_string());
        }
        return ids;
    }

    static std::set<std::string> TimelineIds(const json::object& view) {
        std::set<std::string> ids;
        for (const auto& entry : view.at("timeline").at("items").as_array()) {
            ids.emplace(entry.at("id").as_string());
        }
        return ids;
    }

    static double Summary(const json::object& view, const char* total) {
        return view.at("claims").at("summary").at(total).to_number<double>();
    }

    std::unique_ptr<TestServer> server_;
    std::map<std::string, std::string> tokens_;
};

TEST_F(Member360FreshnessTest, EveryChangeToWhatTheViewShowsIsInTheNextView) {
    const std::string member = CoveredMemberWithClaims();
    ASSERT_FALSE(member.empty()) << "the demo has covered members with claims";
    const json::object before = View(member, "admin");
    ASSERT_EQ(View(member, "admin"), before) << "nothing changed in between";
    const std::string since(before.at("claims").at("summary").at("since").as_string());
    const std::string today = std::to_string(std::stoi(since.substr(0, 4)) + 1) + since.substr(4);

    // A new claim of the member's: counted, listed first, on the timeline.
    const json::value claim = Send("POST", "/api/v1/records/Claim",
                                   {{"person", member},
                                    {"claimType", "professional"},
                                    {"status", "received"},
                                    {"serviceFromDate", today},
                                    {"billedAmount", 123.25},
                                    {"paidAmount", 100}},
                                   201);
    const std::string claim_id(claim.at("id").as_string());
    json::object view = View(member, "admin");
    EXPECT_EQ(Summary(view, "count"), Summary(before, "count") + 1);
    EXPECT_NEAR(Summary(view, "billed"), Summary(before, "billed") + 123.25, 0.005);
    EXPECT_TRUE(Ids(view.at("claims").at("recent")).contains(claim_id));
    EXPECT_TRUE(TimelineIds(view).contains(claim_id));

    // A change to one of its fields.
    Send("PATCH", "/api/v1/records/Claim/" + claim_id, {{"billedAmount", 200}}, 200);
    view = View(member, "admin");
    EXPECT_NEAR(Summary(view, "billed"), Summary(before, "billed") + 200, 0.005);

    // A change to the household, a record the view shows beside the member.
    const std::string household(before.at("profile").at("household").as_string());
    Send("PATCH", "/api/v1/records/Household/" + household, {{"name", "Renamed household"}}, 200);
    view = View(member, "admin");
    EXPECT_EQ(view.at("household").at("household").at("name"), "Renamed household");

    // A new benefit of the member's plan, which the view reads by the plan.
    const std::string plan(
        before.at("coverages").as_array().at(0).at("planRecord").at("id").as_string());
    const json::value benefit =
        Send("POST", "/api/v1/records/Benefit",
             {{"plan", plan}, {"name", "Acupuncture"}, {"serviceCategory", "specialist"}}, 201);
    view = View(member, "admin");
    EXPECT_TRUE(Ids(view.at("coverages").as_array().at(0).at("benefits"))
                    .contains(std::string(benefit.at("id").as_string())));

    // The claim deleted: the view is as it was, but for the household's new name.
    ASSERT_EQ(server_->Request("DELETE", "/api/v1/records/Claim/" + claim_id, "", tokens_["admin"])
                  .status,
              204);
    view = View(member, "admin");
    EXPECT_EQ(Summary(view, "count"), Summary(before, "count"));
    EXPECT_FALSE(TimelineIds(view).contains(claim_id));
    EXPECT_EQ(view.at("claims"), before.at("claims"));
}

TEST_F(Member360FreshnessTest, EveryViewServedIsAuditedUnderItsOwnRequestAndPurpose) {
    const std::string member = CoveredMemberWithClaims();
    ASSERT_FALSE(member.empty());
    std::string first_request;
    std::string second_request;
    const json::object first =
        View(member, "agent", {{"X-Purpose-Of-Use", "payment"}}, &first_request);
    const json::object second =
        View(member, "agent", {{"X-Purpose-Of-Use", "operations"}}, &second_request);
    ASSERT_EQ(first, second);

    HttpResult accounting = server_->Request("GET", "/api/v1/audit?limit=1000&personId=" + member,
                                             "", tokens_["admin"]);
    ASSERT_EQ(accounting.status, 200) << accounting.body;
    std::map<std::string, std::set<std::string>> records_by_request;
    for (const auto& item : accounting.Json().at("items").as_array()) {
        const std::string request(item.at("requestId").as_string());
        if (request == first_request) {
            EXPECT_EQ(item.at("purpose"), "payment");
        } else if (request == second_request) {
            EXPECT_EQ(item.at("purpose"), "operations");
        } else {
            continue;
        }
        EXPECT_EQ(item.at("username"), "agent");
        records_by_request[request].emplace(item.at("recordId").as_string());
    }
    ASSERT_TRUE(records_by_request[first_request].contains(member));
    EXPECT_EQ(records_by_request[second_request], records_by_request[first_request])
        << "the second view disclosed the same records, so its audit names them all";
}

TEST_F(Member360FreshnessTest, JoiningOrLeavingATeamChangesTheNextView) {
    // A member the nurse does not care for, whose claims she therefore cannot see.
    std::set<std::string> caseload;
    for (const auto& membership : Items("CareTeamMember", "userId is not null")) {
        caseload.emplace(membership.at("person").as_string());
    }
    std::string member;
    std::string claim_id;
    for (const auto& claim : Items("Claim", "serviceFromDate is not null")) {
        const std::string person(claim.at("person").as_string());
        if (!caseload.contains(person)) {
            member = person;
            claim_id = std::string(claim.at("id").as_string());
            break;
        }
    }
    ASSERT_FALSE(member.empty());
    const json::value team =
        Send("POST", "/api/v1/teams", {{"name", "Claims review"}, {"kind", "team"}}, 201);
    const std::string team_id(team.at("id").as_string());
    Send("PUT", "/api/v1/records/Claim/" + claim_id + "/owner", {{"ownerId", team_id}}, 200);
    EXPECT_FALSE(Ids(View(member, "nurse").at("claims").at("recent")).contains(claim_id));

    std::string nurse_id;
    const json::value users = server_->Request("GET", "/api/v1/users", "", tokens_["admin"]).Json();
    for (const auto& user : users.at("items").as_array()) {
        if (user.at("username") == "nurse") {
            nurse_id = std::string(user.at("id").as_string());
        }
    }
    ASSERT_FALSE(nurse_id.empty());
    Send("PUT", "/api/v1/teams/" + team_id + "/members/" + nurse_id, {}, 200);
    EXPECT_TRUE(Ids(View(member, "nurse").at("claims").at("recent")).contains(claim_id))
        << "the team owns the claim, and she is in the team now";

    ASSERT_EQ(server_
                  ->Request("DELETE", "/api/v1/teams/" + team_id + "/members/" + nurse_id, "",
                            tokens_["admin"])
                  .status,
              204);
    EXPECT_FALSE(Ids(View(member, "nurse").at("claims").at("recent")).contains(claim_id));
}

// Whether a view was built or served from a kept answer cannot be told from the answer itself.
// So this test changes a member's name in the database file behind the server's back, with no
// outbox event: a view built afterwards shows the new name, one served from an answer kept
// before shows the old.
TEST_F(Member360FreshnessTest, UsersWithTheSameAccessShareKeptAnswersAndOthersDoNot) {
    if (!server_->database_url().empty()) {
        GTEST_SKIP() << "PostgreSQL deployments keep no answers";
    }
    server_->CreateUser("agent2", "agent");
    server_->CreateUser("nurse2", "care_manager");
    tokens_["agent2"] = server_->Login("agent2");
    tokens_["nurse2"] = server_->Login("nurse2");
    const std::string member = CoveredMemberWithClaims();
    ASSERT_FALSE(member.empty());
    const json::value name = View(member, "agent").at("profile").at("firstName");
    ASSERT_EQ(View(member, "nurse").at("profile").at("firstName"), name);

    sqlite3* database = nullptr;
    ASSERT_EQ(sqlite3_open((server_->data_directory() / "payer360.db").c_str(), &database),
              SQLITE_OK);
    sqlite3_busy_timeout(database, 5000);
    const std::string update =
        "UPDATE Person SET firstName = 'Renamed' WHERE id = '" + member + "'";
    const int updated = sqlite3_exec(database, update.c_str(), nullptr, nullptr, nullptr);
    sqlite3_close(database);
    ASSERT_EQ(updated, SQLITE_OK);

    std::string request;
    EXPECT_EQ(View(member, "agent2", {}, &request).at("profile").at("firstName"), name)
        << "agents reach members through their role's sharing rules alone, so a second agent is "
           "served the answer the first one's view kept";
    EXPECT_EQ(View(member, "nurse2").at("profile").at("firstName"), "Renamed")
        << "care managers reach claims through their own care teams, so each has answers of "
           "their own";

    // The shared answer is audited as agent2's own read.
    HttpResult accounting = server_->Request("GET", "/api/v1/audit?limit=1000&personId=" + member,
                                             "", tokens_["admin"]);
    ASSERT_EQ(accounting.status, 200) << accounting.body;
    bool audited = false;
    for (const auto& item : accounting.Json().at("items").as_array()) {
        if (item.at("requestId") == json::value(request) &&
            item.at("recordId") == json::value(member)) {
            EXPECT_EQ(item.at("username"), "agent2");
            audited = true;
        }
    }
    EXPECT_TRUE(audited);
}

}  // namespace
}  // namespace p360::testing
