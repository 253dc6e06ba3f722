// X12 834 enrollment through the real server, on the public 834 test files: members,
// households and coverage appear as the files describe them; terminations and reinstatements
// move coverage; a file sent twice changes nothing; a rejected transaction set changes nothing
// and the 999 says why.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "test_server.hpp"

namespace p360::testing {
namespace {

// A fixture file, as another interchange: each gets its own control number, as a sender's
// successive files would.
std::string Fixture(const std::string& name, const std::string& control_number) {
    std::ifstream file(std::string(P360_FIXTURES_DIR) + "/x12/834/" + name, std::ios::binary);
    std::stringstream text;
    text << file.rdbuf();
    std::string x12 = text.str();
    EXPECT_FALSE(x12.empty()) << name;
    for (std::size_t at = x12.find("000010216"); at != std::string::npos;
         at = x12.find("000010216", at + 9)) {
        x12.replace(at, 9, control_number);  // ISA13 and IEA02
    }
    return x12;
}

class EnrollmentTest : public ::testing::Test {
protected:
    void SetUp() override {
        server_.Start();
        admin_ = server_.Login("admin");
        for (const char* code : {"HLT", "VIS"}) {
            HttpResult plan = server_.Request(
                "POST", "/api/v1/records/Plan",
                std::string(R"({"planCode":")") + code + R"(","name":"Employer )" + code +
                    R"(","lineOfBusiness":"commercial","coverageTypes":["medical"],)"
                    R"("status":"active","effectiveDate":"1990-01-01"})",
                admin_);
            ASSERT_EQ(plan.status, 201) << plan.body;
        }
    }

    HttpResult Import(const std::string& x12, const std::string& token = "") {
        return server_.Request("POST", "/api/v1/import/x12", x12, token.empty() ? admin_ : token,
                               {{"Content-Type", "application/edi-x12"}});
    }

    std::vector<json::object> Items(const std::string& object, const std::string& filter) {
        HttpResult page = server_.Request(
            "GET", "/api/v1/records/" + object + "?limit=100&filter=" + UrlEncode(filter), "",
            admin_);
        EXPECT_EQ(page.status, 200) << page.body;
        std::vector<json::object> items;
        for (const auto& item : page.Json().at("items").as_array()) {
            items.push_back(item.as_object());
        }
        return items;
    }

    TestServer server_;
    std::string admin_;
};

TEST_F(EnrollmentTest, AnEnrollmentCreatesTheMemberHouseholdAndEachCoverageLine) {
    HttpResult result = Import(Fixture("enroll-employee-multiple-products.834", "000000001"));
    ASSERT_EQ(result.status, 200) << result.body;
    const auto& set = result.Json().at("sets").at(0);
    EXPECT_EQ(set.at("status"), "accepted") << result.body;
    EXPECT_EQ(set.at("members"), 1);

    const auto people = Items("Person", "lastName = 'DOE'");
    ASSERT_EQ(people.size(), 1U);
    const json::object& john = people[0];
    EXPECT_EQ(john.at("firstName"), "JOHN");
    EXPECT_EQ(john.at("birthDate"), "1940-08-16");
    EXPECT_EQ(john.at("gender"), "male");
    EXPECT_EQ(john.at("city"), "CAMP HILL");
    EXPECT_EQ(john.at("postalCode"), "17011");
    EXPECT_EQ(john.at("ssn"), "123-45-6789");
    EXPECT_EQ(john.at("lifecycleStage"), "member");

    const auto lines =
        Items("MemberPlan", "person = '" + std::string(john.at("id").as_string()) + "'");
    ASSERT_EQ(lines.size(), 2U);
    std::set<std::string> types;
    for (const auto& line : lines) {
        types.emplace(line.at("coverageType").as_string());
        EXPECT_EQ(line.at("effectiveDate"), "1996-06-01");
        EXPECT_EQ(line.at("status"), "active");
        EXPECT_EQ(line.at("subscriberId"), "123456789");
        EXPECT_EQ(line.at("groupNumber"), "123456001");
        EXPECT_EQ(line.at("relationshipToSubscriber"), "self");
    }
    EXPECT_EQ(types, (std::set<std::string>{"medical", "vision"}));
    const auto households = Items("Household", "name = 'DOE household'");
    ASSERT_EQ(households.size(), 1U);
    EXPECT_EQ(john.at("household"), households[0].at("id"));
    const auto heads = Items("HouseholdMember", "role = 'head'");
    ASSERT_EQ(heads.size(), 1U);
    EXPECT_EQ(heads[0].at("person"), john.at("id"));

    // The 999 accepts the set.
    const std::string ack(result.Json().at("acknowledgement").as_string());
    EXPECT_NE(ack.find("AK1*BE*20213"), std::string::npos) << ack;
    EXPECT_NE(ack.find("IK5*A"), std::string::npos) << ack;
}

TEST_F(EnrollmentTest, TheSameInterchangeTwiceChangesNothing) {
    const std::string file = Fixture("enroll-employee-multiple-products.834", "000000002");
    ASSERT_EQ(Import(file).Json().at("sets").at(0).at("status"), "accepted");
    HttpResult again = Import(file);
    ASSERT_EQ(again.status, 200);
    EXPECT_EQ(again.Json().at("sets").at(0).at("status"), "duplicate");
    EXPECT_EQ(Items("Person", "lastName = 'DOE'").size(), 1U);
    EXPECT_EQ(Items("MemberPlan", "status = 'active'").size(), 2U);
}

TEST_F(EnrollmentTest, TerminationAndReinstatementMoveEveryCoverageLine) {
    ASSERT_EQ(Import(Fixture("enroll-employee-multiple-products.834", "000000003"))
                  .Json()
                  .at("sets")
                  .at(0)
                  .at("status"),
              "accepted");
    HttpResult ended = Import(Fixture("terminate-subscriber-eligibility.834", "000000004"));
    ASSERT_EQ(ended.Json().at("sets").at(0).at("status"), "accepted") << ended.body;
    const auto terminated = Items("MemberPlan", "status = 'terminated'");
    ASSERT_EQ(terminated.size(), 2U);
    for (const auto& line : terminated) {
        EXPECT_EQ(line.at("terminationDate"), "1996-08-01");
    }
    HttpResult back = Import(Fixture("reinstate-employee.834", "000000005"));
    ASSERT_EQ(back.Json().at("sets").at(0).at("status"), "accepted") << back.body;
    const auto active = Items("MemberPlan", "status = 'active'");
    ASSERT_EQ(active.size(), 2U);
    for (const auto& line : active) {
        EXPECT_TRUE(line.at("terminationDate").is_null());
    }
    // The reinstatement file names the subscriber James: the change is in the history.
    const auto people = Items("Person", "lastName = 'DOE'");
    ASSERT_EQ(people.size(), 1U);
    EXPECT_EQ(people[0].at("firstName"), "JAMES");
}

TEST_F(EnrollmentTest, ARejectedSetChangesNothingAndThe999SaysWhere) {
    std::string file = Fixture("enroll-employee-multiple-products.834", "000000006");
    const auto at = file.find("DMG*D8*19400816");
    ASSERT_NE(at, std::string::npos);
    file.replace(at, 15, "DMG*D8*19400231");  // no 31 February
    HttpResult result = Import(file);
    ASSERT_EQ(result.status, 200) << result.body;
    const auto& set = result.Json().at("sets").at(0);
    EXPECT_EQ(set.at("status"), "rejected");
    ASSERT_FALSE(set.at("errors").as_array().empty());
    const auto& error = set.at("errors").at(0);
    EXPECT_EQ(error.at("segment"), "DMG");
    EXPECT_EQ(error.at("setPosition"), 13) << "the DMG is the 13th segment of the set";
    EXPECT_EQ(result.body.find("19400231"), std::string::npos) << "values are not echoed";
    EXPECT_TRUE(Items("Person", "lastName = 'DOE'").empty());
    EXPECT_TRUE(Items("MemberPlan", "status = 'active'").empty());
    const std::string ack(result.Json().at("acknowledgement").as_string());
    EXPECT_NE(ack.find("IK5*R"), std::string::npos) << ack;
    EXPECT_NE(ack.find("IK3*DMG*13"), std::string::npos) << ack;
}

TEST_F(EnrollmentTest, ABrokenEnvelopeRejectsEverySetInIt) {
    std::string file = Fixture("enroll-employee-multiple-products.834", "000000010");
    const auto at = file.find("GE*1*20213");
    ASSERT_NE(at, std::string::npos);
    file.replace(at, 10, "GE*1*20299");  // the group trailer names another group
    HttpResult result = Import(file);
    ASSERT_EQ(result.status, 200) << result.body;
    EXPECT_FALSE(result.Json().at("interchange").at("errors").as_array().empty());
    EXPECT_EQ(result.Json().at("sets").at(0).at("status"), "rejected");
    EXPECT_TRUE(Items("Person", "lastName = 'DOE'").empty()) << "the set came before the bad GE";
}

TEST_F(EnrollmentTest, CoverageForAnUnknownPlanOrARoleThatMayNotEnrollIsRejected) {
    std::string file = Fixture("enroll-employee-multiple-products.834", "000000007");
    const auto at = file.find("HD*021**VIS");
    ASSERT_NE(at, std::string::npos);
    file.replace(at, 11, "HD*021**DEN");  // nobody set up a dental plan
    HttpResult unknown_plan = Import(file);
    ASSERT_EQ(unknown_plan.status, 200);
    EXPECT_EQ(unknown_plan.Json().at("sets").at(0).at("status"), "rejected");
    EXPECT_EQ(unknown_plan.Json().at("sets").at(0).at("errors").at(0).at("segment"), "HD");
    const std::string ack(unknown_plan.Json().at("acknowledgement").as_string());
    EXPECT_NE(ack.find("IK3*HD*"), std::string::npos) << ack;
    EXPECT_TRUE(Items("Person", "lastName = 'DOE'").empty()) << "not even the medical line";

    const std::string agent = server_.Login("agent");
    HttpResult refused =
        Import(Fixture("enroll-employee-multiple-products.834", "000000008"), agent);
    ASSERT_EQ(refused.status, 200) << refused.body;
    EXPECT_EQ(refused.Json().at("sets").at(0).at("status"), "rejected")
        << "agents may not create coverage";
    EXPECT_TRUE(Items("Person", "lastName = 'DOE'").empty());

    HttpResult garbage = Import("this is not an X12 file at all");
    EXPECT_EQ(garbage.status, 400);
    EXPECT_EQ(garbage.Header("content-type"), "application/problem+json");
}

TEST_F(EnrollmentTest, TheCommandLineImportsAFileAndWritesThe999) {
    const auto file = server_.data_directory() / "add-subscriber.834";
    std::ofstream(file, std::ios::binary)
        << Fixture("enroll-employee-multiple-products.834", "000000009");
    const auto ack = server_.data_directory() / "add-subscriber.999";
    ASSERT_EQ(server_.RunCommand({"import", "x12", file.string(), "--ack", ack.string()}), 0);
    EXPECT_EQ(Items("Person", "lastName = 'DOE'").size(), 1U);
    std::ifstream written(ack);
    std::stringstream text;
    text << written.rdbuf();
    EXPECT_NE(text.str().find("IK5*A"), std::string::npos) << text.str();
    // The same file again is a duplicate: nothing new, and the command still succeeds.
    ASSERT_EQ(server_.RunCommand({"import", "x12", file.string()}), 0);
    EXPECT_EQ(Items("MemberPlan", "status = 'active'").size(), 2U);
}

}  // namespace
}  // namespace p360::testing
