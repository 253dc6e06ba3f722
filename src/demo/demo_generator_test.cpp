#include "demo/demo_generator.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "app/deployment.hpp"
#include "demo/demo_staff.hpp"
#include "metadata/catalog.hpp"

namespace p360::demo {
namespace {

namespace json = boost::json;

using app::Deployment;
using app::SystemActor;

// The standard objects without an external-id field. The generator keys them by `sourceId`
// and writes them only when the catalog declares that field.
constexpr std::string_view kKeyless[] = {"Benefit", "ProviderLocation", "HouseholdMember",
                                         "ClaimLine"};

constexpr std::string_view kAllObjects[] = {
    "Account",         "Network",          "Plan",      "Benefit",
    "Provider",        "ProviderLocation", "Household", "Person",
    "HouseholdMember", "MemberPlan",       "Claim",     "ClaimLine",
    "Condition",       "Medication",       "Case",      "Interaction",
};

std::filesystem::path FreshDirectory(std::string_view name) {
    const auto directory =
        std::filesystem::temp_directory_path() /
        ("p360_demo_test_" + std::to_string(::getpid()) + "_" + std::string(name));
    std::filesystem::remove_all(directory);
    return directory;
}

std::unique_ptr<Deployment> OpenDeployment(const std::filesystem::path& directory) {
    auto deployment = Deployment::Open({.data_directory = directory});
    EXPECT_TRUE(deployment.ok()) << (deployment.ok() ? "" : deployment.error().public_message);
    return deployment.ok() ? std::move(deployment).value() : nullptr;
}

// A deployment in its own temporary directory, removed when the test ends however it ends.
class ScratchDeployment {
public:
    explicit ScratchDeployment(std::string_view name)
        : directory_(FreshDirectory(name)), deployment_(OpenDeployment(directory_)) {}
    ~ScratchDeployment() {
        deployment_.reset();
        std::filesystem::remove_all(directory_);
    }

    bool ok() const { return deployment_ != nullptr; }
    Deployment& operator*() const { return *deployment_; }
    Deployment* operator->() const { return deployment_.get(); }

private:
    std::filesystem::path directory_;
    std::unique_ptr<Deployment> deployment_;
};

bool DeclaresSourceId(Deployment& deployment, std::string_view object) {
    const metadata::FieldDef* field =
        deployment.metadata().Current()->FindObject(object)->FindField("sourceId");
    return field != nullptr && field->external_id;
}

// Gives the keyless objects an external-id field `sourceId`, as an administrator can, so that
// the generator writes them too.
void AddSourceIds(Deployment& deployment) {
    for (std::string_view object : kKeyless) {
        if (DeclaresSourceId(deployment, object)) {
            continue;
        }
        metadata::FieldDef field;
        field.name = "sourceId";
        field.label = "Source ID";
        field.type = metadata::FieldType::kExternalId;
        field.max_length = 100;
        metadata::ApplyImpliedFlags(field);
        auto added = deployment.metadata().AddField(object, field);
        ASSERT_TRUE(added.ok()) << object << ": " << added.error().public_message;
    }
}

std::string Describe(const Result<DemoSummary>& summary) {
    return summary.ok() ? summary->ToText() : summary.error().public_message;
}

// Every record of `object` (with `fields`), following the cursor from page to page.
std::vector<json::object> ListAll(Deployment& deployment, std::string_view object,
                                  std::vector<std::string> fields, std::string filter = {}) {
    std::vector<json::object> records;
    query::ListRequest request{
        .filter = std::move(filter), .fields = std::move(fields), .limit = 1000};
    while (true) {
        auto page = deployment.records().List(SystemActor(), object, request);
        EXPECT_TRUE(page.ok()) << object << ": " << (page.ok() ? "" : page.error().public_message);
        if (!page.ok()) {
            return records;
        }
        for (const json::value& item : page->at("items").as_array()) {
            records.push_back(item.as_object());
        }
        const json::value& cursor = page->at("nextCursor");
        if (!cursor.is_string()) {
            return records;
        }
        request.cursor = std::string(cursor.as_string());
    }
}

std::string Text(const json::object& record, std::string_view field) {
    const json::value* value = record.if_contains(field);
    return value != nullptr && value->is_string() ? std::string(value->as_string()) : "";
}

// A currency or number field; NaN when empty.
double Number(const json::object& record, std::string_view field) {
    const json::value* value = record.if_contains(field);
    if (value == nullptr || value->is_null()) {
        return std::nan("");
    }
    return value->is_double() ? value->as_double() : static_cast<double>(value->as_int64());
}

std::map<std::string, json::object> ById(const std::vector<json::object>& records) {
    std::map<std::string, json::object> by_id;
    for (const json::object& record : records) {
        by_id.emplace(Text(record, "id"), record);
    }
    return by_id;
}

// One 200-member world, generated once and read by most tests.
class DemoWorldTest : public ::testing::Test {
protected:
    static constexpr int kMembers = 200;

    static void SetUpTestSuite() {
        world_ = std::make_unique<ScratchDeployment>("world");
        ASSERT_TRUE(world_->ok());
        deployment_ = &**world_;
        AddSourceIds(*deployment_);
        DemoOptions options;
        options.members = kMembers;
        options.seed = 360;
        options.batch_size = 500;
        auto summary = GenerateDemo(deployment_->records(), SystemActor(), options);
        ASSERT_TRUE(summary.ok()) << Describe(summary);
        summary_ = std::make_unique<DemoSummary>(std::move(summary).value());
    }

    static void TearDownTestSuite() {
        summary_.reset();
        deployment_ = nullptr;
        world_.reset();
    }

    void SetUp() override {
        ASSERT_NE(deployment_, nullptr);
        ASSERT_NE(summary_, nullptr);
    }

    static std::int64_t Count(std::string_view object) {
        const auto found = summary_->records_by_object.find(std::string(object));
        return found == summary_->records_by_object.end() ? -1 : found->second;
    }

    static inline std::unique_ptr<ScratchDeployment> world_;
    static inline Deployment* deployment_ = nullptr;  // the deployment of `world_`
    static inline std::unique_ptr<DemoSummary> summary_;
};

TEST_F(DemoWorldTest, SummaryCountsMatchTheStoredRecords) {
    for (std::string_view object : kAllObjects) {
        ASSERT_GE(Count(object), 0) << object << " missing from " << summary_->ToText();
        EXPECT_EQ(static_cast<std::int64_t>(ListAll(*deployment_, object, {"id"}).size()),
                  Count(object))
            << object;
    }
    EXPECT_EQ(Count("Person"), kMembers);
    EXPECT_EQ(Count("MemberPlan"), kMembers);  // one coverage per person
    EXPECT_EQ(Count("HouseholdMember"), kMembers);
    EXPECT_EQ(Count("Account"), 1 + 3);  // the payer and the minimum of three employer groups
    EXPECT_EQ(Count("Network"), 3);
    EXPECT_EQ(Count("Plan"), 6);
    EXPECT_GE(Count("Benefit"), 6 * 4);
    EXPECT_LE(Count("Benefit"), 6 * 8);
    EXPECT_EQ(Count("Provider"), 20);
    EXPECT_GE(Count("ProviderLocation"), 20);
    EXPECT_LE(Count("ProviderLocation"), 40);
    EXPECT_GE(Count("Household"), kMembers / 5);
    EXPECT_LT(Count("Household"), kMembers);
    // About three claims per member, one to four lines each.
    EXPECT_GE(Count("Claim"), kMembers * 2);
    EXPECT_LE(Count("Claim"), kMembers * 4);
    EXPECT_GE(Count("ClaimLine"), Count("Claim"));
    EXPECT_LE(Count("ClaimLine"), Count("Claim") * 4);
    EXPECT_GT(Count("Condition"), 0);
    EXPECT_GT(Count("Medication"), 0);
    EXPECT_GT(Count("Case"), 0);
    EXPECT_GT(Count("Interaction"), Count("Case"));
}

TEST_F(DemoWorldTest, ShareOfMembersWithClinicalAndServiceRecordsIsPlausible) {
    auto people_with = [&](std::string_view object) {
        std::set<std::string> people;
        for (const json::object& record : ListAll(*deployment_, object, {"person"})) {
            people.insert(Text(record, "person"));
        }
        return static_cast<double>(people.size()) / kMembers;
    };
    EXPECT_NEAR(people_with("Condition"), 0.30, 0.12);
    EXPECT_NEAR(people_with("Medication"), 0.25, 0.12);
    EXPECT_NEAR(people_with("Case"), 0.10, 0.07);
    EXPECT_NEAR(people_with("Interaction"), 0.20, 0.10);
}

TEST_F(DemoWorldTest, EveryMemberPlanNamesAnExistingPerson) {
    const auto people = ById(ListAll(*deployment_, "Person", {"id"}));
    std::set<std::string> covered;
    for (const json::object& plan :
         ListAll(*deployment_, "MemberPlan", {"person", "plan", "memberId"})) {
        const std::string person = Text(plan, "person");
        EXPECT_TRUE(people.count(person)) << Text(plan, "memberId");
        EXPECT_TRUE(covered.insert(person).second) << "two coverages for " << person;
        EXPECT_TRUE(deployment_->records().Get(SystemActor(), "Plan", Text(plan, "plan")).ok());
    }
    EXPECT_EQ(covered.size(), people.size());
}

TEST_F(DemoWorldTest, DependentsShareTheSubscribersHousehold) {
    const auto people = ById(ListAll(*deployment_, "Person", {"id", "household", "lastName"}));
    const auto plans =
        ById(ListAll(*deployment_, "MemberPlan",
                     {"id", "person", "isSubscriber", "subscriberPlan", "subscriberId", "memberId",
                      "relationshipToSubscriber", "lineOfBusiness"}));
    int dependents = 0;
    for (const auto& [id, plan] : plans) {
        const json::object& person = people.at(Text(plan, "person"));
        EXPECT_FALSE(Text(person, "household").empty());
        if (plan.at("isSubscriber").as_bool()) {
            EXPECT_EQ(Text(plan, "relationshipToSubscriber"), "self");
            EXPECT_EQ(Text(plan, "subscriberId"), Text(plan, "memberId"));
            continue;
        }
        ++dependents;
        EXPECT_NE(Text(plan, "relationshipToSubscriber"), "self");
        const json::object& subscriber_plan = plans.at(Text(plan, "subscriberPlan"));
        EXPECT_TRUE(subscriber_plan.at("isSubscriber").as_bool());
        EXPECT_EQ(Text(plan, "subscriberId"), Text(subscriber_plan, "memberId"));
        EXPECT_EQ(Text(plan, "lineOfBusiness"), Text(subscriber_plan, "lineOfBusiness"));
        const json::object& subscriber = people.at(Text(subscriber_plan, "person"));
        EXPECT_EQ(Text(person, "household"), Text(subscriber, "household"));
        EXPECT_EQ(Text(person, "lastName"), Text(subscriber, "lastName"));
    }
    EXPECT_GT(dependents, 0);

    // Household membership rows agree with each person's household.
    for (const json::object& membership :
         ListAll(*deployment_, "HouseholdMember", {"person", "household", "role"})) {
        EXPECT_EQ(Text(membership, "household"),
                  Text(people.at(Text(membership, "person")), "household"));
    }
}

TEST_F(DemoWorldTest, ClaimLinesBelongToTheirClaimsPerson) {
    const auto claims = ById(ListAll(*deployment_, "Claim", {"id", "person", "memberPlan"}));
    const auto plans = ById(ListAll(*deployment_, "MemberPlan", {"id", "person"}));
    for (const auto& [id, claim] : claims) {
        EXPECT_EQ(Text(plans.at(Text(claim, "memberPlan")), "person"), Text(claim, "person"));
    }
    std::map<std::string, std::set<std::int64_t>> line_numbers;
    for (const json::object& line :
         ListAll(*deployment_, "ClaimLine", {"claim", "person", "lineNumber"})) {
        const auto claim = claims.find(Text(line, "claim"));
        ASSERT_NE(claim, claims.end());
        EXPECT_EQ(Text(line, "person"), Text(claim->second, "person"));
        line_numbers[claim->first].insert(line.at("lineNumber").as_int64());
    }
    EXPECT_EQ(line_numbers.size(), claims.size());  // every claim has lines
    for (const auto& [claim, numbers] : line_numbers) {
        EXPECT_EQ(*numbers.begin(), 1) << claim;
        EXPECT_EQ(*numbers.rbegin(), static_cast<std::int64_t>(numbers.size())) << claim;
        EXPECT_LE(numbers.size(), 4U) << claim;
    }
}

TEST_F(DemoWorldTest, ClaimAmountsNeverExceedWhatWasBilled) {
    for (std::string_view object : {"Claim", "ClaimLine"}) {
        int adjudicated = 0;
        for (const json::object& record :
             ListAll(*deployment_, object, {"id", "billedAmount", "allowedAmount", "paidAmount"})) {
            const double billed = Number(record, "billedAmount");
            const double allowed = Number(record, "allowedAmount");
            const double paid = Number(record, "paidAmount");
            ASSERT_FALSE(std::isnan(billed)) << object << " " << Text(record, "id");
            EXPECT_GT(billed, 0) << object << " " << Text(record, "id");
            if (!std::isnan(allowed)) {
                ++adjudicated;
                EXPECT_GT(billed, allowed) << object << " " << Text(record, "id");
                EXPECT_GE(allowed, 0) << object << " " << Text(record, "id");
            }
            if (!std::isnan(paid)) {
                ASSERT_FALSE(std::isnan(allowed)) << object << " " << Text(record, "id");
                EXPECT_GE(allowed, paid) << object << " " << Text(record, "id");
                EXPECT_GE(paid, 0) << object << " " << Text(record, "id");
            }
        }
        EXPECT_GT(adjudicated, 0) << object;
    }
}

TEST_F(DemoWorldTest, ClaimDatesFallInsideCoverageAndTheLastTwoYears) {
    const auto plans =
        ById(ListAll(*deployment_, "MemberPlan", {"id", "effectiveDate", "terminationDate"}));
    for (const json::object& claim :
         ListAll(*deployment_, "Claim", {"memberPlan", "serviceFromDate", "claimNumber"})) {
        const std::string from = Text(claim, "serviceFromDate");
        const json::object& plan = plans.at(Text(claim, "memberPlan"));
        EXPECT_GE(from, "2024-11-01") << Text(claim, "claimNumber");
        EXPECT_LT(from, "2026-11-01") << Text(claim, "claimNumber");
        EXPECT_GE(from, Text(plan, "effectiveDate")) << Text(claim, "claimNumber");
        if (!Text(plan, "terminationDate").empty()) {
            EXPECT_LE(from, Text(plan, "terminationDate")) << Text(claim, "claimNumber");
        }
    }
}

TEST_F(DemoWorldTest, ConditionsAppearAmongTheMembersClaimDiagnoses) {
    std::map<std::string, std::string> diagnoses_by_person;
    for (const json::object& claim : ListAll(*deployment_, "Claim", {"person", "diagnosisCodes"})) {
        diagnoses_by_person[Text(claim, "person")] += "," + Text(claim, "diagnosisCodes") + ",";
    }
    for (const json::object& condition : ListAll(*deployment_, "Condition", {"person", "code"})) {
        EXPECT_NE(diagnoses_by_person[Text(condition, "person")].find(
                      "," + Text(condition, "code") + ","),
                  std::string::npos)
            << Text(condition, "code");
    }
}

TEST_F(DemoWorldTest, RerunWithTheSameSeedChangesNothing) {
    std::map<std::string, std::int64_t> last_progress;
    int batches = 0;
    DemoOptions options;
    options.members = kMembers;
    options.seed = 360;
    options.batch_size = 64;  // other batches, same world
    auto again = GenerateDemo(deployment_->records(), SystemActor(), options,
                              [&](std::string_view object, std::int64_t done) {
                                  ++batches;
                                  EXPECT_GT(done, last_progress[std::string(object)]);
                                  last_progress[std::string(object)] = done;
                              });
    ASSERT_TRUE(again.ok()) << Describe(again);
    EXPECT_EQ(again->records_by_object, summary_->records_by_object);
    EXPECT_EQ(last_progress["Person"], kMembers);
    EXPECT_GT(batches, 16);
    for (std::string_view object : kAllObjects) {
        // Still one record per generated line, and none of them was rewritten.
        const auto records = ListAll(*deployment_, object, {"id", "version"});
        EXPECT_EQ(static_cast<std::int64_t>(records.size()), Count(object)) << object;
        for (const json::object& record : records) {
            EXPECT_EQ(record.at("version").as_int64(), 1) << object << " " << Text(record, "id");
        }
    }
}

TEST(DemoGeneratorTest, SeedsGiveSeparateWorldsWithOtherNames) {
    ScratchDeployment deployment("seeds");
    ASSERT_TRUE(deployment.ok());
    for (const std::uint64_t seed : {7, 8}) {
        DemoOptions options;
        options.members = 30;
        options.seed = seed;
        auto summary = GenerateDemo(deployment->records(), SystemActor(), options);
        ASSERT_TRUE(summary.ok()) << Describe(summary);
        EXPECT_EQ(summary->records_by_object.at("Person"), 30);
    }
    auto names = [&](std::string_view prefix) {
        std::map<std::string, std::string> by_source;
        for (const json::object& person :
             ListAll(*deployment, "Person", {"sourceId", "firstName", "lastName"},
                     "sourceId startsWith '" + std::string(prefix) + "'")) {
            by_source[Text(person, "sourceId").substr(prefix.size())] =
                Text(person, "firstName") + " " + Text(person, "lastName");
        }
        return by_source;
    };
    const auto seven = names("demo-7-per-");
    const auto eight = names("demo-8-per-");
    ASSERT_EQ(seven.size(), 30U);
    ASSERT_EQ(eight.size(), 30U);
    int same = 0;
    for (const auto& [index, name] : seven) {
        same += eight.at(index) == name ? 1 : 0;
    }
    EXPECT_LT(same, 3);
}

TEST(DemoGeneratorTest, ObjectsWithoutAnExternalIdAreSkippedNotFailed) {
    ScratchDeployment deployment("keyless");
    ASSERT_TRUE(deployment.ok());
    DemoOptions options;
    options.members = 25;
    auto summary = GenerateDemo(deployment->records(), SystemActor(), options);
    ASSERT_TRUE(summary.ok()) << Describe(summary);
    for (std::string_view object : kKeyless) {
        EXPECT_EQ(summary->records_by_object.count(std::string(object)) == 1,
                  DeclaresSourceId(*deployment, object))
            << object << " in " << summary->ToText();
    }
    EXPECT_EQ(summary->records_by_object.at("Person"), 25);
    EXPECT_GT(summary->records_by_object.at("Claim"), 0);
}

TEST(DemoGeneratorTest, ARejectedLineStopsTheRunWithItsError) {
    ScratchDeployment deployment("rejected");
    ASSERT_TRUE(deployment.ok());
    // A required custom field the generator knows nothing about makes every Person invalid.
    metadata::FieldDef tier;
    tier.name = "memberTier";
    tier.label = "Member Tier";
    tier.type = metadata::FieldType::kText;
    tier.required = true;
    tier.max_length = 20;
    metadata::ApplyImpliedFlags(tier);
    auto added = deployment->metadata().AddField("Person", tier);
    ASSERT_TRUE(added.ok()) << added.error().public_message;

    DemoOptions options;
    options.members = 10;
    auto summary = GenerateDemo(deployment->records(), SystemActor(), options);
    ASSERT_FALSE(summary.ok());
    const Error& error = summary.error();
    EXPECT_EQ(error.code, ErrorCode::kInternal);
    EXPECT_NE(error.public_message.find("Person"), std::string::npos) << error.public_message;
    EXPECT_EQ(error.location, "memberTier");
    ASSERT_EQ(error.field_errors.size(), 1U);
    EXPECT_EQ(error.field_errors[0].line, 1);
    // The atomic batch left nothing behind, and no later object was attempted.
    EXPECT_TRUE(ListAll(*deployment, "Person", {"id"}).empty());
    EXPECT_TRUE(ListAll(*deployment, "MemberPlan", {"id"}).empty());
}

TEST(DemoGeneratorTest, RejectsNegativeMembersAndEmptyBatches) {
    ScratchDeployment deployment("options");
    ASSERT_TRUE(deployment.ok());
    DemoOptions negative;
    negative.members = -1;
    auto refused = GenerateDemo(deployment->records(), SystemActor(), negative);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
    DemoOptions empty_batches;
    empty_batches.batch_size = 0;
    refused = GenerateDemo(deployment->records(), SystemActor(), empty_batches);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
}

TEST(DemoGeneratorTest, ToTextListsMembersFirstInAStableOrder) {
    DemoSummary summary;
    summary.records_by_object = {{"Account", 4}, {"Claim", 31}, {"Person", 10}, {"Widget", 2}};
    EXPECT_EQ(summary.ToText(), "Person 10, Claim 31, Account 4, Widget 2");
    EXPECT_EQ(DemoSummary().ToText(), "");
}

std::vector<std::string> Lines(const std::string& ndjson) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < ndjson.size()) {
        const std::size_t end = ndjson.find('\n', start);
        lines.push_back(ndjson.substr(start, end - start));
        start = end == std::string::npos ? ndjson.size() : end + 1;
    }
    return lines;
}

TEST(PersonNdjsonTest, LinesAreJsonObjectsWithUniqueSourceIds) {
    const std::string ndjson = PersonNdjson(42, 5000, 2000);
    ASSERT_FALSE(ndjson.empty());
    EXPECT_EQ(ndjson.back(), '\n');
    const std::vector<std::string> lines = Lines(ndjson);
    ASSERT_EQ(lines.size(), 2000U);
    std::set<std::string> source_ids;
    std::set<std::string> last_names;
    for (std::size_t index = 0; index < lines.size(); ++index) {
        boost::system::error_code error;
        const json::value line = json::parse(lines[index], error);
        ASSERT_FALSE(error) << lines[index];
        ASSERT_TRUE(line.is_object()) << lines[index];
        const json::object& person = line.as_object();
        EXPECT_EQ(Text(person, "sourceId"), "bench-" + std::to_string(5000 + index));
        source_ids.insert(Text(person, "sourceId"));
        last_names.insert(Text(person, "lastName"));
        for (std::string_view field :
             {"firstName", "lastName", "birthDate", "gender", "email", "phone", "addressLine1",
              "city", "postalCode", "lifecycleStage"}) {
            EXPECT_FALSE(Text(person, field).empty()) << field << " in " << lines[index];
        }
    }
    EXPECT_EQ(source_ids.size(), lines.size());
    EXPECT_GT(last_names.size(), 400U);  // varied enough for a selective lastName index
}

TEST(PersonNdjsonTest, SameSeedSameLinesOtherSeedOtherNames) {
    EXPECT_EQ(PersonNdjson(1, 0, 200), PersonNdjson(1, 0, 200));
    EXPECT_NE(PersonNdjson(1, 0, 200), PersonNdjson(2, 0, 200));
    EXPECT_EQ(PersonNdjson(1, 0, 0), "");
}

TEST(PersonNdjsonTest, ALineDependsOnlyOnSeedAndIndex) {
    const std::vector<std::string> whole = Lines(PersonNdjson(5, 0, 1000));
    const std::vector<std::string> middle = Lines(PersonNdjson(5, 300, 400));
    ASSERT_EQ(middle.size(), 400U);
    for (std::size_t offset = 0; offset < middle.size(); ++offset) {
        EXPECT_EQ(middle[offset], whole[300 + offset]);
    }
}

TEST(PersonNdjsonTest, LinesPassValidationAsPeople) {
    ScratchDeployment deployment("bench_people");
    ASSERT_TRUE(deployment.ok());
    auto outcome = deployment->records().BulkUpsert(
        SystemActor(), "Person", PersonNdjson(9, 0, 500), "sourceId", records::BulkMode::kAtomic);
    ASSERT_TRUE(outcome.ok()) << outcome.error().public_message;
    EXPECT_TRUE(outcome->applied) << json::serialize(outcome->body).substr(0, 500);
    EXPECT_EQ(outcome->failed, 0);
    EXPECT_EQ(outcome->body.at("created").as_int64(), 500);
}

TEST(DemoStaffTest, EveryKindOfUserIsWiredUpAndARerunChangesNothing) {
    ScratchDeployment deployment("staff");
    ASSERT_TRUE(deployment.ok());
    ASSERT_TRUE(GenerateDemo(deployment->records(), SystemActor(), {.members = 40}).ok());
    const std::string password = "demo password for tests";
    auto logins = SeedDemoStaff(deployment->records(), deployment->auth(), deployment->teams(),
                                SystemActor(), password, 10);
    ASSERT_TRUE(logins.ok()) << logins.error().public_message;
    ASSERT_TRUE(SeedDemoStaff(deployment->records(), deployment->auth(), deployment->teams(),
                              SystemActor(), password, 10)
                    .ok());

    auto users = deployment->auth().ListUsers();
    ASSERT_TRUE(users.ok());
    std::map<std::string, security::UserAccount> by_name;
    for (const auto& user : *users) {
        by_name[user.username] = user;
    }
    for (const DemoLogin& login : *logins) {
        ASSERT_TRUE(by_name.contains(login.username)) << login.username;
        EXPECT_EQ(by_name[login.username].role, login.role);
        EXPECT_TRUE(deployment->auth().Login(login.username, password).ok()) << login.username;
    }
    EXPECT_EQ(by_name.size(), logins->size()) << "a rerun adds no users";
    EXPECT_FALSE(by_name["member"].person_id.empty()) << "the portal user is a member";

    const auto caseload = ListAll(*deployment, "CareTeamMember", {"person"},
                                  "userId = '" + by_name["nurse"].id + "'");
    EXPECT_EQ(caseload.size(), 10U) << "one membership per member, however often it runs";

    auto teams = deployment->teams().List();
    ASSERT_TRUE(teams.ok());
    ASSERT_EQ(teams->size(), 2U);
    for (const auto& team : *teams) {
        const auto& members = team.member_ids;
        EXPECT_NE(std::find(members.begin(), members.end(), by_name["agent"].id), members.end())
            << team.name;
    }
}

}  // namespace
}  // namespace p360::demo
