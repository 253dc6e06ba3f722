#include "metadata/catalog.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace p360::metadata {
namespace {

constexpr std::string_view kSmallCatalog = R"yaml(
objects:
  - name: Household
    idPrefix: hh
    fields:
      - name: name
        type: text
        required: true
  - name: Person
    label: Person
    pluralLabel: People
    idPrefix: per
    description: A prospect, member or patient.
    fields:
      - name: firstName
        type: text
        maxLength: 80
        required: true
        tracked: true
      - name: lastName
        label: Family Name
        type: text
        indexed: true
        phi: true
      - name: sourceId
        type: externalId
      - name: ssn
        type: text
        externalId: true
      - name: gender
        type: picklist
        values: [female, male, {value: unknown, label: Not Known, active: false}]
      - name: household
        type: reference
        referenceTo: Household
        onDelete: setNull
      - name: riskScore
        type: number
        precision: 6
        scale: 3
      - name: badgeCode
        type: text
        unique: true
    indexes:
      - fields: [lastName, firstName]
      - fields: [sourceId]
        unique: true
)yaml";

// Parses and validates, as LoadCatalogDirectory does for each file set.
Result<std::vector<ObjectDef>> Load(std::string_view yaml) {
    P360_ASSIGN_OR_RETURN(std::vector<ObjectDef> objects, ParseCatalogYaml(yaml, "test.yaml"));
    P360_TRY(ValidateCatalog(objects));
    return objects;
}

// The small catalog with `old_text` replaced, to make one mistake at a time.
std::string SmallCatalogWith(std::string_view old_text, std::string_view new_text) {
    std::string yaml(kSmallCatalog);
    const std::size_t at = yaml.find(old_text);
    EXPECT_NE(at, std::string::npos) << old_text;
    return yaml.replace(at, old_text.size(), new_text);
}

bool HasErrorAt(const Error& error, std::string_view location) {
    return std::any_of(
        error.field_errors.begin(), error.field_errors.end(),
        [&](const FieldError& field_error) { return field_error.field == location; });
}

std::string Describe(const Error& error) {
    std::string text = error.public_message;
    for (const FieldError& field_error : error.field_errors) {
        text += "\n  " + field_error.field + ": " + field_error.message;
    }
    return text;
}

const FieldDef& FieldOf(const ObjectDef& object, std::string_view name) {
    const FieldDef* field = object.FindField(name);
    EXPECT_NE(field, nullptr) << object.name << "." << name;
    static const FieldDef kMissing;
    return field == nullptr ? kMissing : *field;
}

TEST(ParseCatalogYamlTest, ParsesObjectsFieldsAndIndexes) {
    const auto objects = Load(kSmallCatalog);
    ASSERT_TRUE(objects.ok()) << Describe(objects.error());
    ASSERT_EQ(objects->size(), 2U);
    const ObjectDef& person = objects->at(1);
    EXPECT_EQ(person.name, "Person");
    EXPECT_EQ(person.plural_label, "People");
    EXPECT_EQ(person.id_prefix, "per");
    EXPECT_EQ(person.description, "A prospect, member or patient.");

    const FieldDef& first_name = FieldOf(person, "firstName");
    EXPECT_EQ(first_name.type, FieldType::kText);
    EXPECT_EQ(first_name.max_length, 80);
    EXPECT_TRUE(first_name.required);
    EXPECT_TRUE(first_name.tracked);
    EXPECT_FALSE(first_name.phi);

    const FieldDef& household = FieldOf(person, "household");
    EXPECT_EQ(household.reference_to, "Household");
    EXPECT_EQ(household.on_delete, OnDelete::kSetNull);

    const FieldDef& risk_score = FieldOf(person, "riskScore");
    EXPECT_EQ(risk_score.precision, 6);
    EXPECT_EQ(risk_score.scale, 3);

    ASSERT_EQ(person.indexes.size(), 2U);
    EXPECT_EQ(person.indexes[0].fields, (std::vector<std::string>{"lastName", "firstName"}));
    EXPECT_FALSE(person.indexes[0].unique);
    EXPECT_TRUE(person.indexes[1].unique);
}

TEST(ParseCatalogYamlTest, PicklistValuesArePlainStringsOrMaps) {
    const auto objects = Load(kSmallCatalog);
    ASSERT_TRUE(objects.ok()) << Describe(objects.error());
    const FieldDef& gender = FieldOf(objects->at(1), "gender");
    ASSERT_EQ(gender.values.size(), 3U);
    EXPECT_EQ(gender.values[0].value, "female");
    EXPECT_EQ(gender.values[0].label, "Female");
    EXPECT_TRUE(gender.values[0].active);
    EXPECT_EQ(gender.values[2].value, "unknown");
    EXPECT_EQ(gender.values[2].label, "Not Known");
    EXPECT_FALSE(gender.values[2].active);
}

TEST(ParseCatalogYamlTest, FillsDefaults) {
    const auto objects = Load(kSmallCatalog);
    ASSERT_TRUE(objects.ok()) << Describe(objects.error());
    const ObjectDef& household = objects->at(0);
    EXPECT_EQ(household.label, "Household");
    EXPECT_EQ(household.plural_label, "Households");
    EXPECT_TRUE(household.person_field.empty());

    const ObjectDef& person = objects->at(1);
    EXPECT_EQ(FieldOf(person, "firstName").label, "First Name");
    EXPECT_EQ(FieldOf(person, "lastName").label, "Family Name");
    EXPECT_EQ(FieldOf(person, "sourceId").label, "Source ID");
    EXPECT_EQ(FieldOf(person, "household").on_delete, OnDelete::kSetNull);
    EXPECT_EQ(FieldOf(household, "name").on_delete, OnDelete::kRestrict);
    EXPECT_FALSE(FieldOf(person, "gender").indexed);
    EXPECT_FALSE(FieldOf(person, "lastName").max_length.has_value());
    EXPECT_EQ(FieldOf(person, "riskScore").label, "Risk Score");
}

TEST(ParseCatalogYamlTest, ExternalIdAndUniqueImplyIndexes) {
    const auto objects = Load(kSmallCatalog);
    ASSERT_TRUE(objects.ok()) << Describe(objects.error());
    const ObjectDef& person = objects->at(1);
    for (std::string_view name : {"sourceId", "ssn"}) {
        const FieldDef& field = FieldOf(person, name);
        EXPECT_TRUE(field.external_id) << name;
        EXPECT_TRUE(field.unique) << name;
        EXPECT_TRUE(field.indexed) << name;
    }
    EXPECT_TRUE(FieldOf(person, "badgeCode").indexed);
    EXPECT_FALSE(FieldOf(person, "badgeCode").external_id);
}

TEST(ParseCatalogYamlTest, SystemFieldsComeFirst) {
    const auto objects = Load(kSmallCatalog);
    ASSERT_TRUE(objects.ok()) << Describe(objects.error());
    const std::vector<FieldDef> system_fields = SystemFields();
    for (const ObjectDef& object : *objects) {
        ASSERT_GT(object.fields.size(), system_fields.size());
        for (std::size_t field_idx = 0; field_idx < system_fields.size(); ++field_idx) {
            EXPECT_EQ(object.fields[field_idx].name, system_fields[field_idx].name);
            EXPECT_TRUE(object.fields[field_idx].system);
        }
        EXPECT_FALSE(object.fields[system_fields.size()].system);
    }
    EXPECT_EQ(objects->at(1).fields[system_fields.size()].name, "firstName");
}

// One mistake, and where the loader must say it is.
struct BadCatalogCase {
    std::string_view name;
    std::string_view old_text;
    std::string_view new_text;
    std::string_view location;
};

class BadCatalogTest : public testing::TestWithParam<BadCatalogCase> {};

TEST_P(BadCatalogTest, NamesTheLocation) {
    const BadCatalogCase& bad = GetParam();
    const auto objects = Load(SmallCatalogWith(bad.old_text, bad.new_text));
    ASSERT_FALSE(objects.ok());
    EXPECT_EQ(objects.error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(HasErrorAt(objects.error(), bad.location)) << Describe(objects.error());
}

INSTANTIATE_TEST_SUITE_P(
    Parse, BadCatalogTest,
    testing::Values(
        BadCatalogCase{"UnknownFieldKey", "required: true\n        tracked",
                       "requird: true\n        tracked",
                       "test.yaml: Person.fields.firstName.requird"},
        BadCatalogCase{"UnknownObjectKey", "pluralLabel: People", "pluralLable: People",
                       "test.yaml: Person.pluralLable"},
        BadCatalogCase{"UnknownValueKey", "active: false", "enabled: false",
                       "test.yaml: Person.fields.gender.values[2].enabled"},
        BadCatalogCase{"UnknownTopLevelKey", "objects:", "object:", "test.yaml: object"},
        BadCatalogCase{"DuplicateKey", "required: true\n        tracked",
                       "required: true\n        required: false\n        tracked",
                       "test.yaml: Person.fields.firstName.required"},
        BadCatalogCase{"BadTypeName", "type: picklist", "type: pickList",
                       "test.yaml: Person.fields.gender.type"},
        BadCatalogCase{"MissingType", "        type: number\n", "",
                       "test.yaml: Person.fields.riskScore.type"},
        BadCatalogCase{"BooleanThatIsNot", "required: true\n        tracked",
                       "required: maybe\n        tracked",
                       "test.yaml: Person.fields.firstName.required"},
        BadCatalogCase{"IntegerThatIsNot", "maxLength: 80", "maxLength: eighty",
                       "test.yaml: Person.fields.firstName.maxLength"},
        BadCatalogCase{"StringThatIsAList", "label: Family Name", "label: [Family, Name]",
                       "test.yaml: Person.fields.lastName.label"},
        BadCatalogCase{"KeyForAnotherType", "maxLength: 80", "precision: 80",
                       "test.yaml: Person.fields.firstName.precision"},
        BadCatalogCase{"BadOnDelete", "onDelete: setNull", "onDelete: nullify",
                       "test.yaml: Person.fields.household.onDelete"},
        BadCatalogCase{"MissingFieldName", "      - name: riskScore\n", "      - label: Risk\n",
                       "test.yaml: Person.fields[6].name"},
        BadCatalogCase{"FieldsNotAList",
                       "    fields:\n      - name: name\n        type: text\n"
                       "        required: true\n",
                       "    fields: name\n", "test.yaml: Household.fields"},
        BadCatalogCase{"NullPicklistValue", "[female, male,", "[female, male,,",
                       "test.yaml: Person.fields.gender.values[2]"},
        BadCatalogCase{"YamlSyntax", "description: A prospect,", "description: A prospect: x,",
                       "test.yaml:13:28"}),
    [](const testing::TestParamInfo<BadCatalogCase>& info) {
        return std::string(info.param.name);
    });

INSTANTIATE_TEST_SUITE_P(
    Validate, BadCatalogTest,
    testing::Values(
        BadCatalogCase{"ObjectNameCase", "name: Household\n", "name: household\n",
                       "household.name"},
        BadCatalogCase{"FieldNameCase", "name: firstName", "name: FirstName",
                       "Person.fields.FirstName.name"},
        BadCatalogCase{"SystemFieldName", "name: badgeCode", "name: ownerId",
                       "Person.fields.ownerId.name"},
        BadCatalogCase{"ReferenceToMissingObject", "referenceTo: Household",
                       "referenceTo: Houshold", "Person.fields.household.referenceTo"},
        BadCatalogCase{"ReferenceWithoutTarget", "        referenceTo: Household\n", "",
                       "Person.fields.household.referenceTo"},
        BadCatalogCase{"DuplicateField", "name: badgeCode", "name: firstName",
                       "Person.fields.firstName"},
        BadCatalogCase{"PicklistWithoutValues",
                       "        values: [female, male, {value: unknown, label: Not Known, "
                       "active: false}]\n",
                       "", "Person.fields.gender.values"},
        BadCatalogCase{"DuplicatePicklistValue", "[female, male,", "[female, female,",
                       "Person.fields.gender.values[1]"},
        BadCatalogCase{"MaxLengthTooLarge", "maxLength: 80", "maxLength: 100001",
                       "Person.fields.firstName.maxLength"},
        BadCatalogCase{"ScaleBeyondPrecision", "scale: 3", "scale: 7",
                       "Person.fields.riskScore.scale"},
        BadCatalogCase{"DuplicateIdPrefix", "idPrefix: per", "idPrefix: hh", "Person.idPrefix"},
        BadCatalogCase{"BadIdPrefix", "idPrefix: per", "idPrefix: Person1", "Person.idPrefix"},
        BadCatalogCase{"MissingIdPrefix", "    idPrefix: per\n", "", "Person.idPrefix"},
        BadCatalogCase{"IndexOnMissingField", "[lastName, firstName]", "[lastName, nickname]",
                       "Person.indexes[0].fields[1]"},
        BadCatalogCase{"PersonFieldNotAPersonReference", "    description: A prospect",
                       "    personField: household\n    description: A prospect",
                       "Person.personField"},
        BadCatalogCase{"RequiredSetNull", "onDelete: setNull",
                       "onDelete: setNull\n        required: true",
                       "Person.fields.household.onDelete"}),
    [](const testing::TestParamInfo<BadCatalogCase>& info) {
        return std::string(info.param.name);
    });

TEST(ParseCatalogYamlTest, ErrorCarriesTheYamlLine) {
    const auto objects =
        ParseCatalogYaml(SmallCatalogWith("tracked: true", "trakced: true"), "test.yaml");
    ASSERT_FALSE(objects.ok());
    ASSERT_EQ(objects.error().field_errors.size(), 1U);
    EXPECT_EQ(objects.error().location, "test.yaml: Person.fields.firstName.trakced");
    EXPECT_EQ(objects.error().field_errors[0].line, 19);
}

// A lone "," made yaml-cpp 0.7's LoadAll loop until memory ran out (jbeder/yaml-cpp#1040).
TEST(ParseCatalogYamlTest, TerminatesOnInputThatHangsLoadAll) {
    for (std::string_view yaml : {",", ", a: 1", "objects: []\n, x\n"}) {
        const auto objects = ParseCatalogYaml(yaml, "test.yaml");
        ASSERT_FALSE(objects.ok()) << yaml;
        EXPECT_EQ(objects.error().code, ErrorCode::kInvalidArgument) << yaml;
    }
}

TEST(ParseCatalogYamlTest, RejectsDocumentsThatAreNotOneCatalog) {
    for (std::string_view yaml : {"", "# only a comment\n", "objects: []\n---\nobjects: []\n",
                                  "- a\n- b\n", "objects: {}\n", "objects:\n  - plain\n"}) {
        const auto objects = ParseCatalogYaml(yaml, "test.yaml");
        EXPECT_FALSE(objects.ok()) << yaml;
    }
    EXPECT_TRUE(ParseCatalogYaml("objects: []\n", "test.yaml").ok());
}

TEST(ValidateCatalogTest, ReportsEveryProblemAtOnce) {
    std::string yaml = SmallCatalogWith("referenceTo: Household", "referenceTo: Houshold");
    yaml.replace(yaml.find("name: badgeCode"), 15, "name: BadgeCode");
    const auto objects = Load(yaml);
    ASSERT_FALSE(objects.ok());
    EXPECT_TRUE(HasErrorAt(objects.error(), "Person.fields.household.referenceTo"));
    EXPECT_TRUE(HasErrorAt(objects.error(), "Person.fields.BadgeCode.name"));
}

TEST(ValidateCatalogTest, RejectsObjectsWithoutSystemFields) {
    ObjectDef object;
    object.name = "Widget";
    object.label = "Widget";
    object.plural_label = "Widgets";
    object.id_prefix = "wid";
    const Status status = ValidateCatalog({object});
    ASSERT_FALSE(status.ok());
    EXPECT_TRUE(HasErrorAt(status.error(), "Widget.fields"));
}

TEST(ValidateCatalogTest, RejectsDuplicateObjects) {
    auto objects = ParseCatalogYaml(kSmallCatalog, "test.yaml");
    ASSERT_TRUE(objects.ok());
    objects->push_back(objects->front());
    const Status status = ValidateCatalog(*objects);
    ASSERT_FALSE(status.ok());
    EXPECT_TRUE(HasErrorAt(status.error(), "Household.name"));
}

FieldDef TextField(std::string name) {
    FieldDef field;
    field.name = std::move(name);
    field.label = "Label";
    return field;
}

TEST(ValidateFieldDefTest, AcceptsAPlainField) {
    EXPECT_TRUE(ValidateFieldDef(TextField("nickname")).ok());
}

TEST(ValidateFieldDefTest, LocatesErrorsByKey) {
    FieldDef field = TextField("nickname");
    field.reference_to = "Person";
    field.max_length = 0;
    field.unique = true;
    const Status status = ValidateFieldDef(field);
    ASSERT_FALSE(status.ok());
    EXPECT_TRUE(HasErrorAt(status.error(), "referenceTo")) << Describe(status.error());
    EXPECT_TRUE(HasErrorAt(status.error(), "maxLength")) << Describe(status.error());
    EXPECT_TRUE(HasErrorAt(status.error(), "indexed")) << Describe(status.error());
}

TEST(ValidateFieldDefTest, ChecksTypeSpecificSettings) {
    FieldDef number = TextField("score");
    number.type = FieldType::kCurrency;
    number.precision = 39;
    EXPECT_TRUE(HasErrorAt(ValidateFieldDef(number).error(), "precision"));

    FieldDef picklist = TextField("status");
    picklist.type = FieldType::kPicklist;
    EXPECT_TRUE(HasErrorAt(ValidateFieldDef(picklist).error(), "values"));

    FieldDef boolean = TextField("active");
    boolean.type = FieldType::kBoolean;
    boolean.values.push_back({"yes", "Yes", true});
    EXPECT_TRUE(HasErrorAt(ValidateFieldDef(boolean).error(), "values"));

    FieldDef reference = TextField("owner");
    reference.type = FieldType::kReference;
    EXPECT_TRUE(HasErrorAt(ValidateFieldDef(reference).error(), "referenceTo"));

    FieldDef source_id = TextField("sourceId");
    source_id.type = FieldType::kExternalId;
    EXPECT_FALSE(ValidateFieldDef(source_id).ok());
    ApplyImpliedFlags(source_id);
    EXPECT_TRUE(ValidateFieldDef(source_id).ok());
}

TEST(HumanizeNameTest, MakesLabels) {
    EXPECT_EQ(HumanizeName("firstName"), "First Name");
    EXPECT_EQ(HumanizeName("addressLine1"), "Address Line 1");
    EXPECT_EQ(HumanizeName("memberId"), "Member ID");
    EXPECT_EQ(HumanizeName("waiting-on-member"), "Waiting On Member");
    EXPECT_EQ(HumanizeName("HMO"), "HMO");
    EXPECT_EQ(HumanizeName("icd10Code"), "Icd 10 Code");
    EXPECT_EQ(HumanizeName("MemberPlan"), "Member Plan");
}

TEST(CatalogTest, FindsObjectsAndReferences) {
    auto objects = Load(kSmallCatalog);
    ASSERT_TRUE(objects.ok()) << Describe(objects.error());
    const Catalog catalog(std::move(*objects));
    ASSERT_NE(catalog.FindObject("Person"), nullptr);
    EXPECT_EQ(catalog.FindObject("Person")->name, "Person");
    EXPECT_EQ(catalog.FindObject("person"), nullptr);

    const std::vector<ReferenceSite> sites = catalog.ReferencesTo("Household");
    ASSERT_EQ(sites.size(), 1U);
    EXPECT_EQ(sites[0].object, catalog.FindObject("Person"));
    EXPECT_EQ(sites[0].field->name, "household");
    EXPECT_TRUE(catalog.ReferencesTo("Person").empty());
}

// ---------------------------------------------------------------------------------------------
// LoadCatalogDirectory

class CatalogDirectoryTest : public testing::Test {
protected:
    void SetUp() override {
        directory_ = std::filesystem::path(testing::TempDir()) /
                     ("catalog_" +
                      std::string(testing::UnitTest::GetInstance()->current_test_info()->name()));
        std::filesystem::remove_all(directory_);
        std::filesystem::create_directories(directory_);
    }
    void TearDown() override { std::filesystem::remove_all(directory_); }

    void Write(std::string_view name, std::string_view text) {
        std::ofstream(directory_ / name) << text;
    }

    std::filesystem::path directory_;
};

TEST_F(CatalogDirectoryTest, LoadsFilesInNameOrderAndValidatesAcrossThem) {
    Write("b.yaml",
          "objects:\n  - name: Person\n    idPrefix: per\n    fields:\n"
          "      - {name: household, type: reference, referenceTo: Household}\n");
    Write("a.yaml", "objects:\n  - name: Household\n    idPrefix: hh\n");
    Write("notes.txt", "not a catalog");
    const auto objects = LoadCatalogDirectory(directory_);
    ASSERT_TRUE(objects.ok()) << Describe(objects.error());
    ASSERT_EQ(objects->size(), 2U);
    EXPECT_EQ(objects->at(0).name, "Household");
    EXPECT_EQ(objects->at(1).name, "Person");
}

TEST_F(CatalogDirectoryTest, NamesTheFileOfAParseError) {
    Write("a.yaml", "objects:\n  - name: Household\n    idPrefix: hh\n    colour: red\n");
    const auto objects = LoadCatalogDirectory(directory_);
    ASSERT_FALSE(objects.ok());
    EXPECT_EQ(objects.error().location, "a.yaml: Household.colour");
}

TEST_F(CatalogDirectoryTest, ValidatesTheWholeSet) {
    Write("a.yaml",
          "objects:\n  - name: Person\n    idPrefix: per\n    fields:\n"
          "      - {name: household, type: reference, referenceTo: Household}\n");
    const auto objects = LoadCatalogDirectory(directory_);
    ASSERT_FALSE(objects.ok());
    EXPECT_TRUE(HasErrorAt(objects.error(), "Person.fields.household.referenceTo"));
}

TEST_F(CatalogDirectoryTest, FailsOnAnEmptyOrMissingDirectory) {
    EXPECT_FALSE(LoadCatalogDirectory(directory_).ok());
    EXPECT_FALSE(LoadCatalogDirectory(directory_ / "missing").ok());
}

// ---------------------------------------------------------------------------------------------
// The standard catalog shipped in catalog/

class StandardCatalogTest : public testing::Test {
protected:
    static void SetUpTestSuite() {
        auto objects = LoadCatalogDirectory(std::filesystem::path(P360_SOURCE_DIR) / "catalog");
        ASSERT_TRUE(objects.ok()) << Describe(objects.error());
        catalog_ = new Catalog(std::move(*objects));
    }
    static void TearDownTestSuite() {
        delete catalog_;
        catalog_ = nullptr;
    }

    static const ObjectDef& Object(std::string_view name) {
        const ObjectDef* object = catalog_->FindObject(name);
        EXPECT_NE(object, nullptr) << name;
        static const ObjectDef kMissing;
        return object == nullptr ? kMissing : *object;
    }

    static inline const Catalog* catalog_ = nullptr;
};

TEST_F(StandardCatalogTest, HasEveryRequiredObject) {
    ASSERT_NE(catalog_, nullptr);
    for (std::string_view name :
         {"Person",   "Household",   "HouseholdMember", "Account",   "ContactRelationship",
          "Plan",     "Benefit",     "MemberPlan",      "Provider",  "ProviderLocation",
          "Network",  "Claim",       "ClaimLine",       "Condition", "Medication",
          "Case",     "CaseComment", "Interaction",     "Task",      "Consent",
          "LifeEvent"}) {
        EXPECT_NE(catalog_->FindObject(name), nullptr) << name;
    }
}

TEST_F(StandardCatalogTest, PersonHasTheRequiredFields) {
    ASSERT_NE(catalog_, nullptr);
    const ObjectDef& person = Object("Person");
    for (std::string_view name : {"firstName",
                                  "middleName",
                                  "lastName",
                                  "suffix",
                                  "birthDate",
                                  "gender",
                                  "ssn",
                                  "email",
                                  "phone",
                                  "mobilePhone",
                                  "addressLine1",
                                  "addressLine2",
                                  "city",
                                  "state",
                                  "postalCode",
                                  "country",
                                  "preferredLanguage",
                                  "lifecycleStage",
                                  "deceased",
                                  "deceasedDate",
                                  "household",
                                  "sourceId"}) {
        EXPECT_NE(person.FindField(name), nullptr) << name;
    }
    EXPECT_TRUE(FieldOf(person, "ssn").phi);
    EXPECT_TRUE(FieldOf(person, "birthDate").phi);
    EXPECT_TRUE(FieldOf(person, "lastName").indexed);
    EXPECT_EQ(FieldOf(person, "gender").type, FieldType::kPicklist);
    EXPECT_EQ(FieldOf(person, "sourceId").type, FieldType::kExternalId);
    EXPECT_EQ(FieldOf(person, "household").reference_to, "Household");
    EXPECT_EQ(FieldOf(person, "household").on_delete, OnDelete::kSetNull);
    const FieldDef& stage = FieldOf(person, "lifecycleStage");
    for (std::string_view value : {"prospect", "applicant", "member", "patient", "former"}) {
        EXPECT_NE(stage.FindValue(value), nullptr) << value;
    }
}

// Conventions of the standard catalog that the loader does not enforce on every catalog.
TEST_F(StandardCatalogTest, FollowsTheCatalogConventions) {
    ASSERT_NE(catalog_, nullptr);
    for (const ObjectDef& object : catalog_->objects()) {
        const FieldDef* person = object.FindField("person");
        if (person != nullptr && person->type == FieldType::kReference) {
            EXPECT_EQ(object.person_field, "person") << object.name;
        }
        for (const FieldDef& field : object.fields) {
            if (field.type == FieldType::kReference) {
                EXPECT_TRUE(field.indexed) << object.name << "." << field.name;
            }
        }
    }
}

TEST_F(StandardCatalogTest, ClinicalAndClaimContentIsPhi) {
    ASSERT_NE(catalog_, nullptr);
    for (std::string_view name : {"Claim", "ClaimLine", "Condition", "Medication"}) {
        for (const FieldDef& field : Object(name).fields) {
            if (!field.system && field.name != "person" && field.name != "claim") {
                EXPECT_TRUE(field.phi) << name << "." << field.name;
            }
        }
    }
    for (const FieldDef& field : Object("Plan").fields) {
        EXPECT_FALSE(field.phi) << "Plan." << field.name;
    }
}

}  // namespace
}  // namespace p360::metadata
