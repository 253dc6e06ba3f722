// Record-level access through the real server: owners, teams and queues, the role hierarchy,
// care teams and sharing rules decide which records a user reaches, and a record out of reach
// is indistinguishable from one that does not exist — by id, in lists, through filters that
// follow references, and through references written on create.
#include <gtest/gtest.h>

#include <set>

#include "test_server.hpp"

namespace p360::testing {
namespace {

struct User {
    std::string id;
    std::string token;
};

class RecordAccessTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        server_ = new TestServer();
        for (const auto& [name, role] :
             std::vector<std::pair<std::string, std::string>>{{"agent2", "agent"},
                                                              {"agent3", "agent"},
                                                              {"boss", "supervisor"},
                                                              {"nurse", "care_manager"},
                                                              {"nurse2", "care_manager"}}) {
            server_->CreateUser(name, role);
        }
        server_->Start();
        for (const char* name : {"admin", "agent", "agent2", "agent3", "boss", "nurse", "nurse2"}) {
            users_[name] = LogIn(name);
        }
        member_ = Create("Person", R"({"firstName":"Ana","lastName":"Careful","sourceId":"ra-1"})");
        other_member_ =
            Create("Person", R"({"firstName":"Otto","lastName":"Elsewhere","sourceId":"ra-2"})");
        condition_ = Create("Condition", R"({"person":")" + member_ +
                                             R"(","code":"E119","codeSystem":"icd-10-cm"})");
        other_claim_ =
            Create("Claim", R"({"person":")" + other_member_ +
                                R"(","claimNumber":"CLM-RA-2","claimType":"professional",)"
                                R"("serviceFromDate":"2026-01-05","status":"approved"})");
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }

    static User LogIn(const std::string& name) {
        const json::object body{{"username", name}, {"password", TestServer::kPassword}};
        HttpResult result = server_->Request("POST", "/api/v1/auth/login", json::serialize(body));
        EXPECT_EQ(result.status, 200) << result.body;
        return {std::string(result.Json().at("user").at("id").as_string()),
                std::string(result.Json().at("token").as_string())};
    }

    // Creates a record as `as` (default admin) and returns its id.
    static std::string Create(const std::string& object, const std::string& body,
                              const std::string& as = "admin") {
        HttpResult result =
            server_->Request("POST", "/api/v1/records/" + object, body, users_[as].token);
        EXPECT_EQ(result.status, 201) << object << " " << result.body;
        return result.status == 201 ? std::string(result.Json().at("id").as_string()) : "";
    }

    static int Status(const std::string& method, const std::string& target, const std::string& as,
                      const std::string& body = "") {
        return server_->Request(method, target, body, users_[as].token).status;
    }

    static int Read(const std::string& object, const std::string& id, const std::string& as) {
        return Status("GET", "/api/v1/records/" + object + "/" + id, as);
    }

    // The ids a list answers for `as`.
    static std::vector<std::string> ListIds(const std::string& object, const std::string& filter,
                                            const std::string& as) {
        HttpResult result =
            server_->Request("GET", "/api/v1/records/" + object + "?filter=" + UrlEncode(filter),
                             "", users_[as].token);
        EXPECT_EQ(result.status, 200) << result.body;
        std::vector<std::string> ids;
        if (result.status == 200) {
            for (const auto& item : result.Json().at("items").as_array()) {
                ids.emplace_back(item.at("id").as_string());
            }
        }
        return ids;
    }

    static std::string NewCase(const std::string& subject, const std::string& as) {
        return Create("Case",
                      R"({"person":")" + member_ + R"(","subject":")" + subject +
                          R"(","type":"question","status":"new","priority":"medium"})",
                      as);
    }

    static TestServer* server_;
    static std::map<std::string, User> users_;
    static std::string member_, other_member_, condition_, other_claim_;
};

TestServer* RecordAccessTest::server_ = nullptr;
std::map<std::string, User> RecordAccessTest::users_;
std::string RecordAccessTest::member_, RecordAccessTest::other_member_,
    RecordAccessTest::condition_, RecordAccessTest::other_claim_;

TEST_F(RecordAccessTest, ClinicalRecordsOpenOnlyToTheMembersCareTeamWhileItLasts) {
    const std::string conditions = "/api/v1/records/Condition/" + condition_;
    HttpResult missing = server_->Request("GET", "/api/v1/records/Condition/cnd_does_not_exist", "",
                                          users_["nurse"].token);
    HttpResult hidden = server_->Request("GET", conditions, "", users_["nurse"].token);
    EXPECT_EQ(hidden.status, 404);
    EXPECT_EQ(hidden.Json().at("detail"), missing.Json().at("detail"))
        << "out of reach reads exactly like absent";
    EXPECT_TRUE(ListIds("Condition", "person = '" + member_ + "'", "nurse").empty());
    EXPECT_EQ(Status("GET", conditions + "/history", "nurse"), 404);

    const std::string membership = Create(
        "CareTeamMember", R"({"person":")" + member_ + R"(","userId":")" + users_["nurse"].id +
                              R"(","teamRole":"care-manager","startDate":"2026-01-01"})");
    EXPECT_EQ(Read("Condition", condition_, "nurse"), 200);
    EXPECT_EQ(ListIds("Condition", "code = 'E119'", "nurse"), std::vector<std::string>{condition_});
    EXPECT_EQ(Status("PATCH", conditions, "nurse", R"({"clinicalStatus":"active"})"), 200);
    EXPECT_EQ(Read("Condition", condition_, "nurse2"), 404) << "another care manager";
    EXPECT_EQ(Status("PATCH", conditions, "nurse2", R"({"clinicalStatus":"resolved"})"), 404);

    // An ended membership no longer opens anything.
    ASSERT_EQ(Status("PATCH", "/api/v1/records/CareTeamMember/" + membership, "admin",
                     R"({"endDate":"2026-02-01"})"),
              200);
    EXPECT_EQ(Read("Condition", condition_, "nurse"), 404);
}

TEST_F(RecordAccessTest, CasesAreChangedByTheirOwnerTheirQueueAndTheOwnersSupervisor) {
    const std::string case_id = NewCase("Address change", "agent");
    const std::string target = "/api/v1/records/Case/" + case_id;
    EXPECT_EQ(Read("Case", case_id, "agent2"), 200) << "sharing rule: agents read every case";
    EXPECT_EQ(Status("PATCH", target, "agent2", R"({"priority":"high"})"), 403)
        << "visible but not theirs: a plain refusal";
    EXPECT_EQ(Status("PATCH", target, "agent", R"({"priority":"high"})"), 200);
    EXPECT_EQ(Status("PATCH", target, "boss", R"({"priority":"low"})"), 403)
        << "the supervisor shares no team with the agent yet";

    // The supervisor leads a team the agent is in: the role hierarchy opens the agent's cases.
    HttpResult unit =
        server_->Request("POST", "/api/v1/teams", R"({"name":"Service Unit A","kind":"team"})",
                         users_["admin"].token);
    ASSERT_EQ(unit.status, 201) << unit.body;
    const std::string unit_id(unit.Json().at("id").as_string());
    for (const char* name : {"boss", "agent"}) {
        ASSERT_EQ(
            Status("PUT", "/api/v1/teams/" + unit_id + "/members/" + users_[name].id, "admin"),
            200);
    }
    EXPECT_EQ(Status("PATCH", target, "boss", R"({"priority":"low"})"), 200);
    const std::string peer_case = NewCase("Peer's case", "agent3");
    EXPECT_EQ(Status("PATCH", "/api/v1/records/Case/" + peer_case, "boss", R"({"priority":"low"})"),
              403)
        << "agent3 is in none of the supervisor's teams";
    ASSERT_EQ(
        Status("PUT", "/api/v1/teams/" + unit_id + "/members/" + users_["agent3"].id, "admin"),
        200);
    EXPECT_EQ(Status("PATCH", "/api/v1/records/Case/" + peer_case, "boss", R"({"priority":"low"})"),
              200);
    EXPECT_EQ(
        Status("PATCH", "/api/v1/records/Case/" + case_id, "agent3", R"({"priority":"high"})"), 403)
        << "team mates of equal rank do not change each other's records";

    // Routed to a queue: the queue's members work it; the former owner only reads it.
    HttpResult queue = server_->Request(
        "POST", "/api/v1/teams", R"({"name":"Disputes","kind":"queue"})", users_["admin"].token);
    ASSERT_EQ(queue.status, 201);
    const std::string queue_id(queue.Json().at("id").as_string());
    ASSERT_EQ(
        Status("PUT", "/api/v1/teams/" + queue_id + "/members/" + users_["agent2"].id, "admin"),
        200);
    HttpResult routed = server_->Request(
        "PUT", target + "/owner", R"({"ownerId":")" + queue_id + R"("})", users_["agent"].token);
    ASSERT_EQ(routed.status, 200) << routed.body;
    EXPECT_EQ(routed.Json().at("ownerId").as_string(), queue_id);
    EXPECT_EQ(Status("PATCH", target, "agent2", R"({"priority":"high"})"), 200);
    EXPECT_EQ(Status("PATCH", target, "agent", R"({"priority":"medium"})"), 403);
    EXPECT_EQ(
        Status("PUT", target + "/owner", "agent", R"({"ownerId":")" + users_["agent"].id + R"("})"),
        403)
        << "nor take it back";

    // The hand-over is in the record's history.
    HttpResult history = server_->Request("GET", target + "/history", "", users_["agent2"].token);
    ASSERT_EQ(history.status, 200);
    bool owner_change = false;
    for (const auto& item : history.Json().at("items").as_array()) {
        owner_change = owner_change || (item.at("field") == "ownerId" &&
                                        item.at("newValue") == json::value(queue_id));
    }
    EXPECT_TRUE(owner_change) << history.body;

    // Only real owners.
    EXPECT_EQ(Status("PUT", target + "/owner", "agent2", R"({"ownerId":"usr_nobody"})"), 400);
    // Only administrators manage teams.
    EXPECT_EQ(Status("POST", "/api/v1/teams", "boss", R"({"name":"Mine","kind":"team"})"), 403);
}

TEST_F(RecordAccessTest, FiltersCannotReachIntoReferencedRecordsOutOfReach) {
    // A case about the nurse's member that cites a claim of another member (a mistake by the
    // admin, or a family matter): the nurse reads the case, but not the other member's claim.
    const std::string nurse_member =
        Create("Person", R"({"firstName":"Nia","lastName":"Nursed","sourceId":"ra-3"})");
    Create("CareTeamMember",
           R"({"person":")" + nurse_member + R"(","userId":")" + users_["nurse2"].id + R"("})");
    const std::string case_id = Create(
        "Case",
        R"({"person":")" + nurse_member + R"(","claim":")" + other_claim_ +
            R"(","subject":"Claim question","type":"question","status":"new","priority":"medium"})");
    EXPECT_EQ(Read("Case", case_id, "nurse2"), 200);
    EXPECT_EQ(Read("Claim", other_claim_, "nurse2"), 404);
    const std::string probe = "claim.status = 'approved'";
    EXPECT_EQ(ListIds("Case", probe, "admin"), std::vector<std::string>{case_id});
    EXPECT_TRUE(ListIds("Case", probe, "nurse2").empty())
        << "the claim's status must not leak through the case";
    EXPECT_EQ(ListIds("Case", "claim is not null and claim.status is null", "nurse2"),
              std::vector<std::string>{case_id})
        << "an unreachable reference reads as empty";
}

TEST_F(RecordAccessTest, ReferencesOnWriteCannotProbeForRecordsOutOfReach) {
    const std::string nurse_member =
        Create("Person", R"({"firstName":"Pia","lastName":"Probe","sourceId":"ra-4"})");
    Create("CareTeamMember",
           R"({"person":")" + nurse_member + R"(","userId":")" + users_["nurse"].id + R"("})");
    auto attempt = [&](const std::string& claim_id) {
        return server_->Request(
            "POST", "/api/v1/records/Case",
            R"({"person":")" + nurse_member + R"(","claim":")" + claim_id +
                R"(","subject":"Probe","type":"question","status":"new","priority":"low"})",
            users_["nurse"].token);
    };
    HttpResult hidden = attempt(other_claim_);
    std::string absent_id = other_claim_;  // well-formed, but nobody's
    absent_id.back() = absent_id.back() == '0' ? '1' : '0';
    HttpResult absent = attempt(absent_id);
    EXPECT_EQ(hidden.status, absent.status);
    EXPECT_EQ(hidden.Json().at("errors"), absent.Json().at("errors"));
}

TEST_F(RecordAccessTest, PortalMembersReachOnlyTheirOwnMembersRecords) {
    const json::object account{{"username", "ana.portal"},
                               {"password", TestServer::kPassword},
                               {"role", "portal_member"},
                               {"personId", member_}};
    HttpResult created =
        server_->Request("POST", "/api/v1/users", json::serialize(account), users_["admin"].token);
    ASSERT_EQ(created.status, 201) << created.body;
    users_["portal"] = LogIn("ana.portal");

    HttpResult own =
        server_->Request("GET", "/api/v1/records/Person/" + member_, "", users_["portal"].token);
    ASSERT_EQ(own.status, 200) << own.body;
    EXPECT_FALSE(own.Json().as_object().contains("ssn"));
    EXPECT_EQ(Read("Person", other_member_, "portal"), 404);
    EXPECT_EQ(ListIds("Person", "lastName != 'nobody'", "portal"),
              std::vector<std::string>{member_});
    EXPECT_EQ(Read("Condition", condition_, "portal"), 200) << "their own clinical record";
    EXPECT_EQ(Read("Claim", other_claim_, "portal"), 404);
    EXPECT_TRUE(ListIds("Claim", "status = 'approved'", "portal").empty());

    // Their contact details are theirs to keep current; their identity is not.
    const std::string profile = "/api/v1/records/Person/" + member_;
    EXPECT_EQ(Status("PATCH", profile, "portal", R"({"phone":"+15555550123"})"), 200);
    EXPECT_EQ(Status("PATCH", profile, "portal", R"({"lastName":"Changed"})"), 400);
    EXPECT_EQ(Status("PATCH", "/api/v1/records/Person/" + other_member_, "portal",
                     R"({"phone":"+15555550199"})"),
              404);

    // Cases only about themselves.
    const std::string about = R"(","subject":"Card lost","type":"question","status":"new",)"
                              R"("priority":"medium"})";
    EXPECT_EQ(Status("POST", "/api/v1/records/Case", "portal", R"({"person":")" + member_ + about),
              201);
    HttpResult foreign =
        server_->Request("POST", "/api/v1/records/Case", R"({"person":")" + other_member_ + about,
                         users_["portal"].token);
    EXPECT_EQ(foreign.status, 400) << "another member's id is no record for them: " << foreign.body;
    for (const std::string& id : ListIds("Case", "subject != ''", "portal")) {
        HttpResult item =
            server_->Request("GET", "/api/v1/records/Case/" + id, "", users_["admin"].token);
        EXPECT_EQ(item.Json().at("person"), json::value(member_));
    }

    // Their own accounting of disclosures: who (by role) saw what and why — no staff names.
    HttpResult accounting =
        server_->Request("GET", "/api/v1/audit?personId=" + member_, "", users_["portal"].token);
    ASSERT_EQ(accounting.status, 200) << accounting.body;
    std::set<std::string> roles;
    for (const auto& item : accounting.Json().at("items").as_array()) {
        roles.emplace(item.at("role").as_string());
        EXPECT_FALSE(item.as_object().contains("username"));
        EXPECT_FALSE(item.as_object().contains("userId"));
    }
    EXPECT_TRUE(roles.contains("admin")) << "the administrator created the member's records";
    EXPECT_TRUE(roles.contains("portal_member"));
    EXPECT_EQ(Status("GET", "/api/v1/audit?personId=" + other_member_, "portal"), 403);
}

TEST_F(RecordAccessTest, ExtraPermissionSetsWidenAUsersObjectsAtOnce) {
    server_->CreateUser("marketer", "marketing");
    const User marketer = LogIn("marketer");
    users_["marketer"] = marketer;
    EXPECT_EQ(Status("GET", "/api/v1/records/Case", "marketer"), 403);

    const std::string target = "/api/v1/users/" + marketer.id + "/permission-sets";
    HttpResult bad = server_->Request("PUT", target, R"({"permissionSets":["no-such-set"]})",
                                      users_["admin"].token);
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.Json().at("errors").at(0).at("field"), "permissionSets");
    EXPECT_EQ(Status("PUT", target, "agent", R"({"permissionSets":["member-service"]})"), 403)
        << "only administrators";

    HttpResult given = server_->Request("PUT", target, R"({"permissionSets":["member-service"]})",
                                        users_["admin"].token);
    ASSERT_EQ(given.status, 200) << given.body;
    EXPECT_EQ(given.Json().at("permissionSets").at(0), "member-service");
    HttpResult cases = server_->Request("GET", "/api/v1/records/Case", "", marketer.token);
    EXPECT_EQ(cases.status, 200) << "the object is open at once, for the same session";
    // Record rules still apply: the marketer's role has no rule opening other people's cases.
    EXPECT_TRUE(cases.Json().at("items").as_array().empty());

    ASSERT_EQ(Status("PUT", target, "admin", R"({"permissionSets":[]})"), 200);
    EXPECT_EQ(Status("GET", "/api/v1/records/Case", "marketer"), 403);
}

}  // namespace
}  // namespace p360::testing
