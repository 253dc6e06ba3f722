// The member 360 through the real server, on the demo payer: every part is there for a role that
// may see it and absent for one that may not, the claims summary agrees with the claims the
// records API lists, and the timeline pages through every dated record exactly once.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/compression.hpp"
#include "test_server.hpp"

namespace p360::testing {
namespace {

class Member360Test : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        server_ = new TestServer();
        ASSERT_EQ(server_->RunCommand({"demo", "--members", "60", "--staff", "--password-stdin"},
                                      std::string(TestServer::kPassword) + "\n"),
                  0);
        server_->Start();
        for (const char* name : {"admin", "agent", "nurse", "member"}) {
            // admin and agent exist already; the demo keeps them and adds the others.
            const json::object body{{"username", name}, {"password", TestServer::kPassword}};
            HttpResult login =
                server_->Request("POST", "/api/v1/auth/login", json::serialize(body));
            ASSERT_EQ(login.status, 200) << name << " " << login.body;
            tokens_[name] = std::string(login.Json().at("token").as_string());
        }
        // The member with the most claims among those with conditions and a care manager.
        const auto care = Items("CareTeamMember", "userId is not null", "admin", 200);
        std::size_t most = 0;
        for (const auto& membership : care) {
            const std::string person(membership.at("person").as_string());
            const auto conditions = Items("Condition", "person = '" + person + "'", "admin", 5);
            const auto claims = Items("Claim", "person = '" + person + "'", "admin", 1000);
            if (!conditions.empty() && claims.size() > most) {
                most = claims.size();
                member_ = person;
            }
        }
        ASSERT_FALSE(member_.empty()) << "the demo has a managed member with conditions";
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }

    static std::vector<json::object> Items(const std::string& object, const std::string& filter,
                                           const std::string& as, int limit) {
        HttpResult page =
            server_->Request("GET",
                             "/api/v1/records/" + object + "?limit=" + std::to_string(limit) +
                                 "&filter=" + UrlEncode(filter),
                             "", tokens_[as]);
        EXPECT_EQ(page.status, 200) << object << " " << page.body;
        std::vector<json::object> items;
        if (page.status == 200) {
            for (const auto& item : page.Json().at("items").as_array()) {
                items.push_back(item.as_object());
            }
        }
        return items;
    }

    static HttpResult View(const std::string& person, const std::string& as,
                           const std::string& query = "") {
        return server_->Request("GET", "/api/v1/members/" + person + "/360" + query, "",
                                tokens_[as]);
    }

    static TestServer* server_;
    static std::map<std::string, std::string> tokens_;
    static std::string member_;
};

TestServer* Member360Test::server_ = nullptr;
std::map<std::string, std::string> Member360Test::tokens_;
std::string Member360Test::member_;

TEST_F(Member360Test, AnAdministratorSeesEveryPart) {
    HttpResult view = View(member_, "admin");
    ASSERT_EQ(view.status, 200) << view.body;
    const json::object& parts = view.Json().as_object();
    for (const char* part :
         {"profile", "household", "coverages", "claims", "cases", "interactions", "conditions",
          "medications", "consents", "lifeEvents", "careTeam", "timeline"}) {
        EXPECT_TRUE(parts.contains(part)) << part;
    }
    EXPECT_EQ(parts.at("profile").at("id"), json::value(member_));
    EXPECT_TRUE(parts.at("profile").as_object().contains("ssn"));
    EXPECT_FALSE(parts.at("conditions").as_array().empty());
    EXPECT_FALSE(parts.at("careTeam").as_array().empty());
    const auto& coverages = parts.at("coverages").as_array();
    ASSERT_FALSE(coverages.empty());
    EXPECT_TRUE(coverages[0].as_object().contains("planRecord"));
    EXPECT_TRUE(coverages[0].as_object().contains("benefits"));
}

TEST_F(Member360Test, ABrowserThatTakesZstdGetsTheSameViewInAFractionOfTheBytes) {
    const HttpResult plain = View(member_, "agent");
    ASSERT_EQ(plain.status, 200) << plain.body;
    const HttpResult coded =
        server_->Request("GET", "/api/v1/members/" + member_ + "/360", "", tokens_["agent"],
                         {{"Accept-Encoding", "gzip, deflate, br, zstd"}});
    ASSERT_EQ(coded.status, 200);
    EXPECT_EQ(coded.Header("content-encoding"), "zstd");
    EXPECT_LT(coded.body.size(), plain.body.size() / 3);
    auto decoded = Decompress(coded.body);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(json::parse(*decoded), plain.Json());
}

TEST_F(Member360Test, TheClaimsSummaryAgreesWithTheClaimsListed) {
    HttpResult view = View(member_, "admin");
    ASSERT_EQ(view.status, 200);
    const json::object& summary = view.Json().at("claims").at("summary").as_object();
    const std::string since(summary.at("since").as_string());
    const auto claims =
        Items("Claim", "person = '" + member_ + "' and serviceFromDate >= " + since, "admin", 1000);
    EXPECT_EQ(summary.at("count"), json::value(static_cast<std::int64_t>(claims.size())));
    double billed = 0;
    std::map<std::string, std::int64_t> diagnoses;
    for (const auto& claim : claims) {
        if (const auto* amount = claim.if_contains("billedAmount"); amount && amount->is_number()) {
            billed += amount->to_number<double>();
        }
        if (const auto* code = claim.if_contains("primaryDiagnosis"); code && code->is_string()) {
            ++diagnoses[std::string(code->as_string())];
        }
    }
    EXPECT_NEAR(summary.at("billed").to_number<double>(), billed, 0.005);
    const auto& top = summary.at("topDiagnoses").as_array();
    if (!diagnoses.empty()) {
        ASSERT_FALSE(top.empty());
        std::int64_t most = 0;
        for (const auto& [code, count] : diagnoses) {
            most = std::max(most, count);
        }
        EXPECT_EQ(top[0].at("claims"), json::value(most));
    }
}

TEST_F(Member360Test, TheMonthlyClaimsSeriesAddsUpToTheSummary) {
    HttpResult view = View(member_, "admin");
    ASSERT_EQ(view.status, 200);
    const json::object& summary = view.Json().at("claims").at("summary").as_object();
    const auto& months = summary.at("byMonth").as_array();
    ASSERT_EQ(months.size(), 13u);
    EXPECT_EQ(months.front().at("month").as_string(),
              std::string(summary.at("since").as_string()).substr(0, 7));
    std::int64_t count = 0;
    double billed = 0;
    std::string previous;
    for (const auto& month : months) {
        const std::string key(month.at("month").as_string());
        EXPECT_LT(previous, key) << "oldest first, each month once";
        previous = key;
        count += month.at("count").as_int64();
        billed += month.at("billed").to_number<double>();
    }
    EXPECT_EQ(json::value(count), summary.at("count"));
    EXPECT_NEAR(billed, summary.at("billed").to_number<double>(), 0.005);
}

TEST_F(Member360Test, TheTimelinePagesThroughEveryDatedRecordOnceNewestFirst) {
    // What the timeline must hold, from the records API.
    const std::vector<std::pair<std::string, std::string>> sources = {
        {"Case", "createdAt"},        {"Claim", "serviceFromDate"},   {"Condition", "recordedDate"},
        {"Consent", "effectiveDate"}, {"Interaction", "startedAt"},   {"LifeEvent", "eventDate"},
        {"Medication", "startDate"},  {"MemberPlan", "effectiveDate"}};
    std::set<std::string> expected;
    for (const auto& [object, field] : sources) {
        for (const auto& item :
             Items(object, "person = '" + member_ + "' and " + field + " is not null", "admin",
                   1000)) {
            expected.insert(object + "/" + std::string(item.at("id").as_string()));
        }
    }
    ASSERT_GT(expected.size(), 6U);

    std::vector<std::string> seen;
    std::string previous_at = "9999";
    std::string query = "?timelineLimit=4";
    for (int page = 0; page < 200; ++page) {
        HttpResult view = View(member_, "admin", query);
        ASSERT_EQ(view.status, 200) << view.body;
        const auto& timeline = view.Json().at("timeline");
        for (const auto& entry : timeline.at("items").as_array()) {
            const std::string at(entry.at("at").as_string());
            EXPECT_LE(at, previous_at) << "newest first";
            previous_at = at;
            seen.push_back(std::string(entry.at("object").as_string()) + "/" +
                           std::string(entry.at("id").as_string()));
        }
        if (timeline.at("nextCursor").is_null()) {
            break;
        }
        query = "?timelineLimit=4&timelineCursor=" +
                UrlEncode(std::string(timeline.at("nextCursor").as_string()));
    }
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size()) << "no repeats";
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected);
}

// Every record the view shows is in the member's accounting of disclosures, under the view's
// request, with the caller's purpose of use and only the PHI fields the caller could read —
// whether a record is shown by its part, by the timeline, or by both.
TEST_F(Member360Test, TheViewIsInTheAccessAuditAsTheCallerSawIt) {
    HttpResult view = server_->Request("GET", "/api/v1/members/" + member_ + "/360", "",
                                       tokens_["agent"], {{"X-Purpose-Of-Use", "payment"}});
    ASSERT_EQ(view.status, 200) << view.body;
    const json::object& parts = view.Json().as_object();
    std::set<std::string> shown{member_};
    for (const auto& claim : parts.at("claims").at("recent").as_array()) {
        shown.emplace(claim.at("id").as_string());
    }
    for (const auto& entry : parts.at("timeline").at("items").as_array()) {
        if (entry.at("object") == "Claim") {
            shown.emplace(entry.at("id").as_string());
        }
    }
    ASSERT_GT(shown.size(), 1U) << "the member has claims";

    HttpResult accounting = server_->Request("GET", "/api/v1/audit?limit=1000&personId=" + member_,
                                             "", tokens_["admin"]);
    ASSERT_EQ(accounting.status, 200) << accounting.body;
    std::set<std::string> audited;
    for (const auto& item : accounting.Json().at("items").as_array()) {
        if (item.at("requestId") != json::value(view.Header("x-request-id"))) {
            continue;  // another access
        }
        audited.emplace(item.at("recordId").as_string());
        EXPECT_EQ(item.at("username"), "agent");
        EXPECT_EQ(item.at("purpose"), "payment");
        for (const auto& field : item.at("fields").as_array()) {
            EXPECT_NE(field, "ssn") << "hidden from agents, so never disclosed to them";
        }
    }
    for (const std::string& id : shown) {
        EXPECT_TRUE(audited.contains(id)) << id;
    }
}

TEST_F(Member360Test, EachRoleSeesOnlyItsPartsAndOnlyItsMembers) {
    HttpResult agent = View(member_, "agent");
    ASSERT_EQ(agent.status, 200) << agent.body;
    const json::object& seen_by_agent = agent.Json().as_object();
    EXPECT_FALSE(seen_by_agent.contains("conditions")) << "clinical records stay with care";
    EXPECT_FALSE(seen_by_agent.contains("medications"));
    EXPECT_FALSE(seen_by_agent.at("profile").as_object().contains("ssn"));
    EXPECT_TRUE(seen_by_agent.contains("claims"));
    EXPECT_FALSE(seen_by_agent.at("claims").at("summary").as_object().contains("topDiagnoses"))
        << "no diagnosis codes for agents";
    for (const auto& entry : seen_by_agent.at("timeline").at("items").as_array()) {
        EXPECT_NE(entry.at("object"), "Condition");
        EXPECT_NE(entry.at("object"), "Medication");
    }

    HttpResult nurse = View(member_, "nurse");
    ASSERT_EQ(nurse.status, 200);
    EXPECT_TRUE(nurse.Json().as_object().contains("conditions")) << "the member is on the caseload";
    EXPECT_FALSE(nurse.Json().at("conditions").as_array().empty());

    // The portal member: their own view, and no one else's.
    HttpResult self = server_->Request("GET", "/api/v1/users", "", tokens_["admin"]);
    std::string own_person;
    for (const auto& user : self.Json().at("items").as_array()) {
        if (user.at("username") == "member") {
            own_person = std::string(user.at("personId").as_string());
        }
    }
    ASSERT_FALSE(own_person.empty());
    EXPECT_EQ(View(own_person, "member").status, 200);
    if (own_person != member_) {
        HttpResult other = View(member_, "member");
        EXPECT_EQ(other.status, 404);
        EXPECT_EQ(other.body.find(member_ + "\""), std::string::npos);
    }
    EXPECT_EQ(View("per_0000000000000000000000000", "admin").status, 404);
    EXPECT_EQ(View(member_, "admin", "?timelineCursor=garbage").status, 400);
    EXPECT_EQ(View(member_, "admin", "?timelineLimit=0").status, 400);
}

}  // namespace
}  // namespace p360::testing
