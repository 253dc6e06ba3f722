// Field- and object-level access through the real server: what a role may not read is absent
// from every answer and cannot be probed through filters, sorts or projections; what it may not
// change is refused on write.
#include <gtest/gtest.h>

#include <map>

#include "test_server.hpp"

namespace p360::testing {
namespace {

class AccessTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        server_ = new TestServer();
        server_->CreateUser("marketer", "marketing");
        server_->CreateUser("nurse", "care_manager");
        server_->CreateUser("inspector", "auditor");
        server_->Start();
        admin_ = server_->Login("admin");
        agent_ = server_->Login("agent");
        marketer_ = server_->Login("marketer");
        nurse_ = server_->Login("nurse");
        auditor_ = server_->Login("inspector");
        HttpResult person = server_->Request(
            "POST", "/api/v1/records/Person",
            R"({"firstName":"Sara","lastName":"Secretson","sourceId":"acc-1","ssn":"123-45-6789",)"
            R"("birthDate":"1970-04-01"})",
            admin_);
        ASSERT_EQ(person.status, 201) << person.body;
        person_id_ = std::string(person.Json().at("id").as_string());
        // A tracked change, so the history holds an ssn entry that agents must not see.
        ASSERT_EQ(server_
                      ->Request("PATCH", "/api/v1/records/Person/" + person_id_,
                                R"({"ssn":"987-65-4321","lastName":"Secretsen"})", admin_)
                      .status,
                  200);
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }

    static HttpResult Get(const std::string& target, const std::string& token) {
        return server_->Request("GET", target, "", token);
    }

    static TestServer* server_;
    static std::string admin_, agent_, marketer_, nurse_, auditor_, person_id_;
};

TestServer* AccessTest::server_ = nullptr;
std::string AccessTest::admin_, AccessTest::agent_, AccessTest::marketer_, AccessTest::nurse_,
    AccessTest::auditor_, AccessTest::person_id_;

TEST_F(AccessTest, TheObjectListSaysWhatTheCallersRoleMayDo) {
    const auto access = [](const std::string& token, const std::string& object) {
        HttpResult objects = Get("/api/v1/objects", token);
        EXPECT_EQ(objects.status, 200);
        for (const auto& item : objects.Json().at("items").as_array()) {
            if (item.at("name").as_string() == object) {
                return item.at("access").as_object();
            }
        }
        ADD_FAILURE() << object << " not listed";
        return json::object();
    };
    const json::object all{{"create", true}, {"read", true}, {"edit", true}, {"delete", true}};
    EXPECT_EQ(access(admin_, "Condition"), all);
    EXPECT_EQ(access(agent_, "Person"),
              (json::object{{"create", true}, {"read", true}, {"edit", true}, {"delete", false}}));
    EXPECT_EQ(
        access(agent_, "Condition"),
        (json::object{{"create", false}, {"read", false}, {"edit", false}, {"delete", false}}));
    EXPECT_EQ(
        access(marketer_, "Person"),
        (json::object{{"create", false}, {"read", true}, {"edit", false}, {"delete", false}}));
    EXPECT_FALSE(access(auditor_, "Person").at("read").as_bool());
}

TEST_F(AccessTest, DescribeSaysWhichFieldsTheCallerMaySet) {
    const auto editable = [](const std::string& token) {
        HttpResult described = Get("/api/v1/objects/Person", token);
        EXPECT_EQ(described.status, 200);
        std::map<std::string, bool> fields;
        for (const auto& field : described.Json().at("fields").as_array()) {
            fields[std::string(field.at("name").as_string())] = field.at("editable").as_bool();
        }
        return fields;
    };
    const auto admin = editable(admin_);
    EXPECT_TRUE(admin.at("lastName"));
    EXPECT_TRUE(admin.at("ssn"));
    EXPECT_FALSE(admin.at("id"));
    EXPECT_FALSE(admin.at("createdAt"));
    const auto marketer = editable(marketer_);  // reads people, changes none
    EXPECT_FALSE(marketer.at("lastName"));
    EXPECT_FALSE(marketer.contains("ssn"));
    const auto agent = editable(agent_);
    EXPECT_TRUE(agent.at("lastName"));
}

TEST_F(AccessTest, HiddenFieldsAreAbsentFromEveryAnswer) {
    const std::string secret = "987-65-4321";
    HttpResult as_admin = Get("/api/v1/records/Person/" + person_id_, admin_);
    ASSERT_EQ(as_admin.status, 200);
    EXPECT_EQ(as_admin.Json().at("ssn").as_string(), secret);

    for (const std::string& target :
         {"/api/v1/records/Person/" + person_id_,
          "/api/v1/records/Person?filter=" + UrlEncode("lastName = 'Secretsen'"),
          "/api/v1/records/Person/" + person_id_ + "/history",
          std::string("/api/v1/objects/Person")}) {
        HttpResult as_agent = Get(target, agent_);
        ASSERT_EQ(as_agent.status, 200) << target << " " << as_agent.body;
        EXPECT_EQ(as_agent.body.find(secret), std::string::npos) << target;
        EXPECT_EQ(as_agent.body.find("123-45-6789"), std::string::npos) << target;
        EXPECT_EQ(as_agent.body.find("\"ssn\""), std::string::npos) << target;
    }
    // What the agent may read is there.
    EXPECT_EQ(
        Get("/api/v1/records/Person/" + person_id_, agent_).Json().at("birthDate").as_string(),
        "1970-04-01");
}

TEST_F(AccessTest, HiddenFieldsCannotBeProbedThroughFiltersSortsOrProjections) {
    for (const std::string& query :
         {"filter=" + UrlEncode("ssn = '987-65-4321'"), "filter=" + UrlEncode("ssn is null"),
          "filter=" + UrlEncode("ssn startsWith '9'"), std::string("sort=ssn"),
          std::string("fields=firstName,ssn")}) {
        HttpResult refused = Get("/api/v1/records/Person?" + query, agent_);
        EXPECT_EQ(refused.status, 403) << query << " " << refused.body;
        EXPECT_EQ(refused.body.find("987"), std::string::npos) << query;
    }
    EXPECT_EQ(Get("/api/v1/records/Person/" + person_id_ + "?fields=ssn", agent_).status, 403);
    // The same probes succeed for a role allowed to read the field.
    EXPECT_EQ(Get("/api/v1/records/Person?filter=" + UrlEncode("ssn = '987-65-4321'"), admin_)
                  .Json()
                  .at("items")
                  .as_array()
                  .size(),
              1U);
}

TEST_F(AccessTest, FieldsARoleMayNotChangeAreRefusedOnWrite) {
    HttpResult patch = server_->Request("PATCH", "/api/v1/records/Person/" + person_id_,
                                        R"({"ssn":"000-00-0000"})", agent_);
    EXPECT_EQ(patch.status, 400);
    EXPECT_EQ(patch.Json().at("errors").as_array()[0].at("field").as_string(), "ssn");
    HttpResult bulk =
        server_->Request("POST", "/api/v1/records/Person/bulk?externalId=sourceId&mode=partial",
                         R"({"sourceId":"acc-1","ssn":"000-00-0000"})"
                         "\n",
                         agent_);
    ASSERT_EQ(bulk.status, 200) << bulk.body;
    EXPECT_EQ(bulk.Json().at("failed").as_int64(), 1);
    EXPECT_EQ(Get("/api/v1/records/Person/" + person_id_, admin_).Json().at("ssn").as_string(),
              "987-65-4321");
    // Agents may change what they need to serve a caller.
    EXPECT_EQ(server_
                  ->Request("PATCH", "/api/v1/records/Person/" + person_id_,
                            R"({"phone":"(555) 010-4242"})", agent_)
                  .status,
              200);
}

TEST_F(AccessTest, ObjectsOutsideARolesWorkAreRefused) {
    EXPECT_EQ(Get("/api/v1/records/Condition", agent_).status, 403);
    EXPECT_EQ(Get("/api/v1/records/Medication", marketer_).status, 403);
    EXPECT_EQ(Get("/api/v1/records/Claim", marketer_).status, 403);
    EXPECT_EQ(Get("/api/v1/records/Condition", nurse_).status, 200);
    HttpResult condition = server_->Request(
        "POST", "/api/v1/records/Condition",
        R"({"person":")" + person_id_ + R"(","code":"E119","clinicalStatus":"active"})", agent_);
    EXPECT_EQ(condition.status, 403);
    EXPECT_EQ(server_->Request("DELETE", "/api/v1/records/Person/" + person_id_, "", agent_).status,
              403);
    EXPECT_EQ(Get("/api/v1/records/Person/" + person_id_, admin_).status, 200);
}

TEST_F(AccessTest, MarketingReadsContactDataButNoGovernmentIds) {
    HttpResult person = Get("/api/v1/records/Person/" + person_id_, marketer_);
    ASSERT_EQ(person.status, 200);
    EXPECT_TRUE(person.Json().as_object().contains("lastName"));
    EXPECT_FALSE(person.Json().as_object().contains("ssn"));
    EXPECT_FALSE(person.Json().as_object().contains("medicaidId"));
    EXPECT_EQ(server_
                  ->Request("PATCH", "/api/v1/records/Person/" + person_id_,
                            R"({"lastName":"Changed"})", marketer_)
                  .status,
              403);
}

TEST_F(AccessTest, AccountingOfDisclosuresShowsEveryAccessToTheMember) {
    // A fresh member, so the accounting holds only what this test does.
    HttpResult created = server_->Request(
        "POST", "/api/v1/records/Person",
        R"({"firstName":"Audra","lastName":"Accounted","sourceId":"acc-audit-1"})", admin_);
    ASSERT_EQ(created.status, 201);
    const std::string id(created.Json().at("id").as_string());

    HttpResult read = server_->Request("GET", "/api/v1/records/Person/" + id, "", agent_,
                                       {{"X-Purpose-Of-Use", "payment"}});
    ASSERT_EQ(read.status, 200);
    ASSERT_EQ(
        Get("/api/v1/records/Person?filter=" + UrlEncode("lastName = 'Accounted'"), nurse_).status,
        200);
    ASSERT_EQ(Get("/api/v1/records/Person/" + id + "/history", agent_).status, 200);
    // Reading without PHI in the answer discloses nothing.
    ASSERT_EQ(Get("/api/v1/records/Person/" + id + "?fields=gender", agent_).status, 200);

    EXPECT_EQ(Get("/api/v1/audit?personId=" + id, agent_).status, 403);
    EXPECT_EQ(Get("/api/v1/records/Person/" + id, auditor_).status, 403);
    HttpResult accounting = Get("/api/v1/audit?personId=" + id, auditor_);
    ASSERT_EQ(accounting.status, 200) << accounting.body;
    const auto& items = accounting.Json().at("items").as_array();
    std::vector<std::string> seen;
    for (const auto& item : items) {
        seen.push_back(std::string(item.at("username").as_string()) + " " +
                       std::string(item.at("action").as_string()));
        EXPECT_EQ(item.at("recordId").as_string(), id);
        EXPECT_EQ(item.as_object().find("ssn"), item.as_object().end());
    }
    // Newest first: every access this test made, and nothing else.
    EXPECT_EQ(seen, (std::vector<std::string>{"agent history", "nurse list", "agent read",
                                              "admin create"}));
    const auto& agent_read = items[2].as_object();
    EXPECT_EQ(agent_read.at("purpose").as_string(), "payment");
    EXPECT_EQ(agent_read.at("requestId").as_string(), read.Header("x-request-id"));
    EXPECT_EQ(agent_read.at("role").as_string(), "agent");
    bool names_last_name = false;
    for (const auto& field : agent_read.at("fields").as_array()) {
        names_last_name |= field.as_string() == "lastName";
        EXPECT_NE(field.as_string(), "ssn");  // agents never saw it
    }
    EXPECT_TRUE(names_last_name);
    EXPECT_EQ(items[1].at("purpose").as_string(), "treatment");  // a care manager's default

    HttpResult bad_purpose = server_->Request("GET", "/api/v1/records/Person/" + id, "", agent_,
                                              {{"X-Purpose-Of-Use", "curiosity"}});
    EXPECT_EQ(bad_purpose.status, 400);
}

}  // namespace
}  // namespace p360::testing
