// The shipped access policy, cell by cell: what each role may do to each standard object, and
// which sensitive fields it may see. Expectations come from the product's rules (who needs what),
// written here independently of catalog/policy/access.yaml.
#include "security/access_policy.hpp"

#include <gtest/gtest.h>

#include <set>

#include "catalog_files.hpp"
#include "security/auth_service.hpp"

namespace p360::security {
namespace {

metadata::Catalog LoadStandardCatalog() {
    std::vector<metadata::ObjectDef> objects;
    for (const auto& file : catalog::EmbeddedFiles()) {
        auto parsed = metadata::ParseCatalogYaml(file.text, file.name);
        EXPECT_TRUE(parsed.ok());
        for (auto& object : parsed.value()) {
            objects.push_back(std::move(object));
        }
    }
    return metadata::Catalog(std::move(objects));
}

AccessPolicy LoadShippedPolicy() {
    std::vector<PolicyFile> files;
    for (const auto& file : catalog::EmbeddedPolicyFiles()) {
        files.push_back({file.name, file.text});
    }
    auto policy = AccessPolicy::Parse(files);
    EXPECT_TRUE(policy.ok()) << (policy.ok() ? "" : policy.error().public_message);
    return policy.ok() ? std::move(policy).value() : AccessPolicy();
}

class ShippedPolicyTest : public ::testing::Test {
protected:
    ShippedPolicyTest()
        : catalog_(LoadStandardCatalog()), authorizer_(LoadShippedPolicy(), clock_) {}

    bool May(std::string_view role, std::string_view object, Operation operation) const {
        const Actor actor{"usr_test", "tester", std::string(role)};
        return authorizer_.CheckObject(actor, *catalog_.FindObject(object), operation).ok();
    }
    bool Reads(std::string_view role, std::string_view object, std::string_view field) const {
        const Actor actor{"usr_test", "tester", std::string(role)};
        const auto& definition = *catalog_.FindObject(object);
        return authorizer_.CanReadField(actor, definition, *definition.FindField(field));
    }
    bool Edits(std::string_view role, std::string_view object, std::string_view field) const {
        const Actor actor{"usr_test", "tester", std::string(role)};
        const auto& definition = *catalog_.FindObject(object);
        return authorizer_.CanEditField(actor, definition, *definition.FindField(field));
    }

    // Whether `role` reaches every record of `object` for `operation` (no record condition).
    bool ReachesAll(std::string_view role, std::string_view object, Operation operation) const {
        const Actor actor{"usr_test", "tester", std::string(role)};
        return authorizer_
            .RecordScope(actor, catalog_, *catalog_.FindObject(object), operation, "t")
            .Unrestricted();
    }

    FakeClock clock_{1'790'000'000'000};
    metadata::Catalog catalog_;
    PolicyAuthorizer authorizer_;
};

TEST_F(ShippedPolicyTest, NamesOnlyRealObjectsAndFieldsAndEveryRole) {
    const Status valid = authorizer_.policy().Validate(catalog_);
    EXPECT_TRUE(valid.ok()) << (valid.ok() ? "" : valid.error().field_errors.front().field);
}

// Role × object × operation for every role and every standard object. `C R E D` = create, read,
// edit, delete; "-" = none of them.
TEST_F(ShippedPolicyTest, MatrixOfObjectOperations) {
    const std::vector<std::string> roles = {"admin",           "agent",   "supervisor",
                                            "care_manager",    "sales",   "marketing",
                                            "network_manager", "auditor", "portal_member"};
    // One row per object; one column per role, in the order above.
    const std::map<std::string, std::vector<std::string>> expected = {
        {"Person", {"CRED", "CRE", "CRE", "RE", "CRE", "R", "-", "-", "RE"}},
        {"Household", {"CRED", "CRE", "CRE", "R", "CRE", "R", "-", "-", "-"}},
        {"HouseholdMember", {"CRED", "CRE", "CRE", "R", "CRE", "R", "-", "-", "-"}},
        {"ContactRelationship", {"CRED", "CRE", "CRE", "CRE", "-", "-", "-", "-", "-"}},
        {"LifeEvent", {"CRED", "CR", "CR", "CR", "-", "R", "-", "-", "-"}},
        {"Consent", {"CRED", "CRE", "CRE", "CRE", "-", "CRE", "-", "-", "CRE"}},
        {"Account", {"CRED", "R", "R", "-", "CRE", "-", "CRE", "-", "-"}},
        {"Plan", {"CRED", "R", "R", "R", "R", "R", "R", "-", "R"}},
        {"Benefit", {"CRED", "R", "R", "R", "R", "R", "-", "-", "R"}},
        {"MemberPlan", {"CRED", "R", "R", "R", "-", "-", "-", "-", "R"}},
        {"Provider", {"CRED", "R", "R", "R", "-", "-", "CRED", "-", "R"}},
        {"ProviderLocation", {"CRED", "R", "R", "R", "-", "-", "CRED", "-", "R"}},
        {"Network", {"CRED", "R", "R", "R", "R", "-", "CRED", "-", "R"}},
        {"Claim", {"CRED", "R", "R", "R", "-", "-", "-", "-", "R"}},
        {"ClaimLine", {"CRED", "R", "R", "R", "-", "-", "-", "-", "R"}},
        {"Condition", {"CRED", "-", "-", "CRE", "-", "-", "-", "-", "R"}},
        {"Medication", {"CRED", "-", "-", "CRE", "-", "-", "-", "-", "R"}},
        {"Encounter", {"CRED", "-", "-", "CRE", "-", "-", "-", "-", "R"}},
        {"Case", {"CRED", "CRE", "CRED", "CRE", "-", "-", "CRE", "-", "CR"}},
        {"CaseComment", {"CRED", "CR", "CRED", "CR", "-", "-", "-", "-", "CR"}},
        {"Interaction", {"CRED", "CRE", "CRED", "CRE", "CR", "-", "-", "-", "-"}},
        {"Task", {"CRED", "CRE", "CRED", "CRE", "CRE", "-", "CRE", "-", "-"}},
        {"CareTeamMember", {"CRED", "-", "-", "CRE", "-", "-", "-", "-", "R"}},
        {"CarePlan", {"CRED", "-", "-", "CRE", "-", "-", "-", "-", "R"}},
        {"MemberIdentity", {"CRED", "-", "R", "-", "-", "-", "-", "-", "-"}},
        {"IdentityReview", {"CRED", "-", "RE", "-", "-", "-", "-", "-", "-"}},
        {"IdentityMerge", {"CRED", "-", "CRE", "-", "-", "-", "-", "-", "-"}},
    };
    ASSERT_EQ(expected.size(), catalog_.objects().size()) << "every standard object has a row";
    for (const auto& [object, row] : expected) {
        for (std::size_t role_idx = 0; role_idx < roles.size(); ++role_idx) {
            const std::string& cell = row[role_idx];
            const std::string& role = roles[role_idx];
            EXPECT_EQ(May(role, object, Operation::kCreate), cell.find('C') != std::string::npos)
                << role << " create " << object;
            EXPECT_EQ(May(role, object, Operation::kRead), cell.find('R') != std::string::npos)
                << role << " read " << object;
            EXPECT_EQ(May(role, object, Operation::kUpdate), cell.find('E') != std::string::npos)
                << role << " edit " << object;
            EXPECT_EQ(May(role, object, Operation::kDelete), cell.find('D') != std::string::npos)
                << role << " delete " << object;
        }
    }
}

// Role × object × field, for every field of every standard object: what each role may read
// and edit follows from the rules of the product, written out here: system fields are read with
// their object and never edited; a role without PHI access reads no PHI field; and each role's
// minimum-necessary exceptions below are hidden or read-only.
TEST_F(ShippedPolicyTest, MatrixOfFields) {
    const std::set<std::string> without_phi = {"network_manager", "auditor"};
    // Identifiers kept from FHIR (driver's licence, passport, …) are as guarded as the SSN.
    const std::map<std::string, std::set<std::string>> hidden = {
        {"agent",
         {"Person.ssn", "Person.fhirIdentifiers", "Claim.primaryDiagnosis", "Claim.diagnosisCodes",
          "ClaimLine.diagnosisCodes"}},
        {"supervisor",
         {"Person.ssn", "Person.fhirIdentifiers", "Claim.primaryDiagnosis", "Claim.diagnosisCodes",
          "ClaimLine.diagnosisCodes"}},
        {"care_manager", {"Person.ssn", "Person.fhirIdentifiers"}},
        {"sales",
         {"Person.ssn", "Person.fhirIdentifiers", "Person.medicareBeneficiaryId",
          "Person.medicaidId"}},
        {"marketing",
         {"Person.ssn", "Person.fhirIdentifiers", "Person.medicareBeneficiaryId",
          "Person.medicaidId"}},
        {"portal_member", {"Person.ssn", "Person.fhirIdentifiers", "CareTeamMember.reason"}},
    };
    // Portal members keep their contact details current, not their identity.
    const std::set<std::string> portal_read_only = {"Person.firstName",
                                                    "Person.middleName",
                                                    "Person.lastName",
                                                    "Person.suffix",
                                                    "Person.birthDate",
                                                    "Person.gender",
                                                    "Person.medicareBeneficiaryId",
                                                    "Person.medicaidId",
                                                    "Person.lifecycleStage",
                                                    "Person.deceased",
                                                    "Person.deceasedDate",
                                                    "Person.household",
                                                    "Person.sourceId"};
    int cells = 0;
    for (std::string_view role_view : KnownRoles()) {
        const std::string role(role_view);
        for (const metadata::ObjectDef& object : catalog_.objects()) {
            const bool object_read = May(role, object.name, Operation::kRead);
            const bool object_write = May(role, object.name, Operation::kUpdate) ||
                                      May(role, object.name, Operation::kCreate);
            for (const metadata::FieldDef& field : object.fields) {
                const std::string cell = object.name + "." + field.name;
                const auto role_hidden = hidden.find(role);
                const bool is_hidden =
                    role_hidden != hidden.end() && role_hidden->second.contains(cell);
                const bool read =
                    object_read &&
                    (field.system || (!is_hidden && (!field.phi || !without_phi.contains(role))));
                const bool read_only =
                    field.system || (role == "portal_member" && portal_read_only.contains(cell));
                const bool edit = read && object_write && !read_only;
                EXPECT_EQ(Reads(role, object.name, field.name), read) << role << " reads " << cell;
                EXPECT_EQ(Edits(role, object.name, field.name), edit) << role << " edits " << cell;
                ++cells;
            }
        }
    }
    EXPECT_GT(cells, 2000) << "every role, object and field";
}

TEST_F(ShippedPolicyTest, AgentsVerifyCallersWithoutSsnOrDiagnoses) {
    for (const char* field : {"firstName", "lastName", "birthDate", "phone", "addressLine1"}) {
        EXPECT_TRUE(Reads("agent", "Person", field)) << field;
    }
    EXPECT_FALSE(Reads("agent", "Person", "ssn"));
    EXPECT_FALSE(Edits("agent", "Person", "ssn"));
    EXPECT_FALSE(Reads("agent", "ClaimLine", "diagnosisCodes"));
    EXPECT_FALSE(Reads("agent", "Claim", "primaryDiagnosis"));
    EXPECT_TRUE(Reads("agent", "Claim", "status"));
    EXPECT_TRUE(Edits("agent", "Person", "phone"));
}

TEST_F(ShippedPolicyTest, OnlyAdministratorsSeeSsn) {
    for (std::string_view role : KnownRoles()) {
        EXPECT_EQ(Reads(role, "Person", "ssn"), role == "admin") << role;
    }
}

// Portal members read clinical records too, but only their own (see the record rules below).
TEST_F(ShippedPolicyTest, ClinicalRecordsOnlyForCareManagersAdministratorsAndTheMember) {
    for (std::string_view role : KnownRoles()) {
        const bool clinical = role == "admin" || role == "care_manager" || role == "portal_member";
        for (const char* object : {"Condition", "Medication"}) {
            EXPECT_EQ(May(role, object, Operation::kRead), clinical) << role << " " << object;
        }
        EXPECT_EQ(Reads(role, "ClaimLine", "diagnosisCodes"), clinical) << role;
    }
}

TEST_F(ShippedPolicyTest, MarketingNeverReadsClinicalOrClaimsData) {
    for (const char* object : {"Condition", "Medication", "Claim", "ClaimLine", "Case"}) {
        EXPECT_FALSE(May("marketing", object, Operation::kRead)) << object;
    }
    EXPECT_TRUE(Reads("marketing", "Person", "email"));
    EXPECT_FALSE(Reads("marketing", "Person", "medicaidId"));
}

TEST_F(ShippedPolicyTest, RolesWithoutPhiSeeNoPhiFields) {
    // Network staff work cases about providers, but case descriptions can hold member PHI.
    EXPECT_TRUE(May("network_manager", "Case", Operation::kRead));
    EXPECT_FALSE(Reads("network_manager", "Case", "description"));
    EXPECT_TRUE(Reads("network_manager", "Case", "status"));
}

TEST_F(ShippedPolicyTest, SystemFieldsAreReadableButNeverEditable) {
    for (std::string_view role : {"admin", "agent"}) {
        EXPECT_TRUE(Reads(role, "Person", "id"));
        EXPECT_FALSE(Edits(role, "Person", "id"));
        EXPECT_FALSE(Edits(role, "Person", "version"));
        EXPECT_FALSE(Edits(role, "Person", "ownerId"));
    }
}

TEST_F(ShippedPolicyTest, CustomObjectsAreForAdministratorsUntilGranted) {
    metadata::ObjectDef custom{.name = "WellnessReward", .id_prefix = "cwr"};
    custom.fields = metadata::SystemFields();
    const Actor admin{"usr_1", "a", "admin"};
    const Actor agent{"usr_2", "b", "agent"};
    EXPECT_TRUE(authorizer_.CheckObject(admin, custom, Operation::kCreate).ok());
    EXPECT_EQ(authorizer_.CheckObject(agent, custom, Operation::kRead).error().code,
              ErrorCode::kPermissionDenied);
}

TEST_F(ShippedPolicyTest, CareManagersReachClinicalRecordsOnlyThroughTheCareTeam) {
    EXPECT_FALSE(ReachesAll("care_manager", "Condition", Operation::kRead));
    EXPECT_FALSE(ReachesAll("care_manager", "Medication", Operation::kRead));
    EXPECT_TRUE(ReachesAll("admin", "Condition", Operation::kRead));
    const Actor manager{"usr_cm", "cm", "care_manager"};
    const auto scope = authorizer_.RecordScope(manager, catalog_, *catalog_.FindObject("Condition"),
                                               Operation::kRead, "t");
    EXPECT_NE(scope.sql.find("CareTeamMember"), std::string::npos);
    // The manager's id, and today's date so that ended memberships stop counting.
    EXPECT_NE(std::find(scope.params.begin(), scope.params.end(), storage::Value{"usr_cm"}),
              scope.params.end());
    EXPECT_NE(std::find(scope.params.begin(), scope.params.end(), storage::Value{"2026-09-21"}),
              scope.params.end());
}

TEST_F(ShippedPolicyTest, SharingRulesOpenMemberRecordsToServiceButNotClinicalOnes) {
    for (std::string_view object : {"Person", "MemberPlan", "Claim", "Case", "Consent"}) {
        EXPECT_TRUE(ReachesAll("agent", object, Operation::kRead)) << object;
    }
    EXPECT_TRUE(ReachesAll("agent", "Person", Operation::kUpdate));
    EXPECT_FALSE(ReachesAll("agent", "Case", Operation::kUpdate)) << "only owned or team cases";
    EXPECT_FALSE(ReachesAll("supervisor", "Case", Operation::kUpdate)) << "their teams' cases";
    EXPECT_TRUE(ReachesAll("supervisor", "Case", Operation::kRead)) << "view all";
    EXPECT_FALSE(ReachesAll("marketing", "MemberPlan", Operation::kRead));
    EXPECT_TRUE(ReachesAll("marketing", "Plan", Operation::kRead)) << "reference data is public";
}

TEST_F(ShippedPolicyTest, PortalMembersReachOnlyTheirOwnMember) {
    Actor member{"usr_pm", "pm", "portal_member"};
    member.person_id = "per_me";
    for (std::string_view object : {"Person", "Claim", "Condition", "Case", "Consent"}) {
        const auto scope = authorizer_.RecordScope(member, catalog_, *catalog_.FindObject(object),
                                                   Operation::kRead, "t");
        EXPECT_EQ(scope.params, std::vector<storage::Value>{storage::Value{"per_me"}}) << object;
    }
    EXPECT_TRUE(ReachesAll("portal_member", "Plan", Operation::kRead));
    Actor unlinked{"usr_pm2", "pm2", "portal_member"};
    EXPECT_EQ(
        authorizer_
            .RecordScope(unlinked, catalog_, *catalog_.FindObject("Person"), Operation::kRead, "t")
            .sql,
        "1 = 0")
        << "a portal user linked to no member reaches nothing";
}

TEST_F(ShippedPolicyTest, CaseCommentsFollowTheirCase) {
    const Actor agent{"usr_ag", "ag", "agent"};
    EXPECT_TRUE(ReachesAll("agent", "CaseComment", Operation::kRead)) << "as cases are";
    const auto edit = authorizer_.RecordScope(agent, catalog_, *catalog_.FindObject("CaseComment"),
                                              Operation::kUpdate, "t");
    EXPECT_NE(edit.sql.find("\"Case\""), std::string::npos);
}

TEST_F(ShippedPolicyTest, ExtraPermissionSetsAddToTheRolesGrants) {
    Actor marketer{"usr_mk", "mk", "marketing"};
    const auto& cases = *catalog_.FindObject("Case");
    EXPECT_FALSE(authorizer_.CheckObject(marketer, cases, Operation::kRead).ok());
    marketer.permission_sets = {"member-service"};
    EXPECT_TRUE(authorizer_.CheckObject(marketer, cases, Operation::kRead).ok());
    EXPECT_FALSE(authorizer_.CheckObject(marketer, cases, Operation::kDelete).ok());
    // The most permissive grant wins, but hidden fields of both sets stay hidden.
    const auto& person = *catalog_.FindObject("Person");
    EXPECT_FALSE(authorizer_.CanReadField(marketer, person, *person.FindField("ssn")));
    EXPECT_TRUE(authorizer_.CanEditField(marketer, person, *person.FindField("phone")));
    EXPECT_TRUE(authorizer_.CheckPermissionSetNames({"member-service", "sales"}).ok());
    EXPECT_EQ(authorizer_.CheckPermissionSetNames({"root"}).error().location, "permissionSets");
}

TEST(AccessPolicyTest, BadPolicyNamesTheKeyAtFault) {
    auto unknown_operation = AccessPolicy::Parse(
        {{"p.yaml", "permissionSets:\n  - name: s\n    objects:\n      Person: [read, fly]\n"}});
    ASSERT_FALSE(unknown_operation.ok());
    EXPECT_NE(unknown_operation.error().public_message.find("Person"), std::string::npos);
    auto unknown_set = AccessPolicy::Parse({{"p.yaml", "roles:\n  agent: [nothing]\n"}});
    ASSERT_FALSE(unknown_set.ok());
    EXPECT_NE(unknown_set.error().public_message.find("nothing"), std::string::npos);
    auto bad_field = AccessPolicy::Parse(
        {{"p.yaml", "permissionSets:\n  - name: s\n    fields:\n      ssn: none\n"}});
    ASSERT_FALSE(bad_field.ok());
    auto garbage = AccessPolicy::Parse({{"p.yaml", "permissionSets: [ {"}});
    EXPECT_FALSE(garbage.ok());
    auto bad_access = AccessPolicy::Parse({{"p.yaml", "sharing:\n  Person: {access: open}\n"}});
    ASSERT_FALSE(bad_access.ok());
    EXPECT_NE(bad_access.error().public_message.find("sharing.Person"), std::string::npos);
    auto bad_rule =
        AccessPolicy::Parse({{"p.yaml", "sharingRules:\n  - name: r\n    access: write\n"}});
    ASSERT_FALSE(bad_rule.ok());
    EXPECT_NE(bad_rule.error().public_message.find("sharingRules.r"), std::string::npos);
}

TEST(AccessPolicyTest, RecordRulesMustNameRealObjectsFieldsAndRoles) {
    const metadata::Catalog catalog = LoadStandardCatalog();
    auto policy = AccessPolicy::Parse({{"p.yaml",
                                        "roles:\n  agent: []\n"
                                        "sharing:\n  Person: {controlledBy: lastName}\n"
                                        "  Plan: {careTeam: true}\n"
                                        "sharingRules:\n  - name: r\n    roles: [pilot]\n"
                                        "    objects: [Spaceship]\n"
                                        "roleHierarchy:\n  agent: [intern]\n"}});
    ASSERT_TRUE(policy.ok());
    const Status valid = policy.value().Validate(catalog);
    ASSERT_FALSE(valid.ok());
    std::set<std::string> fields;
    for (const FieldError& error : valid.error().field_errors) {
        fields.insert(error.field);
    }
    for (const char* expected :
         {"sharing.Person.controlledBy", "sharing.Plan.careTeam", "sharingRules.r.objects",
          "sharingRules.r.roles", "roleHierarchy.agent"}) {
        EXPECT_TRUE(fields.contains(expected)) << expected;
    }
}

}  // namespace
}  // namespace p360::security
