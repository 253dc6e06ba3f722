// Test-only: a small hand-built catalog (Person, Household, Claim) and a Dialect for the query
// tests and the fuzz target. Not part of the p360_query library.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metadata/catalog.hpp"
#include "metadata/object_def.hpp"
#include "storage/dialect.hpp"

namespace p360::query::testing {

inline metadata::FieldDef MakeField(std::string name, metadata::FieldType type) {
    metadata::FieldDef field;
    field.label = name;
    field.name = std::move(name);
    field.type = type;
    return field;
}

inline metadata::FieldDef MakeReference(std::string name, std::string target) {
    metadata::FieldDef field = MakeField(std::move(name), metadata::FieldType::kReference);
    field.reference_to = std::move(target);
    return field;
}

// Household: name, city, memberCount (integer).
// Person: firstName, lastName, birthDate, age (integer), score (2 decimals), active, email,
//   notes (longText), tags (multiPicklist), status (picklist), household → Household,
//   spouse → Person, lastContactAt (datetime), ssn (text, PHI).
// Claim: amount (currency), serviceDate, subscriber → Person, patient → Person.
inline std::vector<metadata::ObjectDef> TestObjects() {
    using metadata::FieldType;
    std::vector<metadata::ObjectDef> objects;

    metadata::ObjectDef household;
    household.name = "Household";
    household.label = "Household";
    household.id_prefix = "hh";
    household.fields = metadata::SystemFields();
    household.fields.push_back(MakeField("name", FieldType::kText));
    household.fields.push_back(MakeField("city", FieldType::kText));
    household.fields.push_back(MakeField("memberCount", FieldType::kNumber));
    household.fields.back().scale = 0;
    objects.push_back(std::move(household));

    metadata::ObjectDef person;
    person.name = "Person";
    person.label = "Person";
    person.id_prefix = "per";
    person.fields = metadata::SystemFields();
    person.fields.push_back(MakeField("firstName", FieldType::kText));
    person.fields.push_back(MakeField("lastName", FieldType::kText));
    person.fields.push_back(MakeField("birthDate", FieldType::kDate));
    person.fields.push_back(MakeField("age", FieldType::kNumber));
    person.fields.back().scale = 0;
    person.fields.push_back(MakeField("score", FieldType::kNumber));
    person.fields.push_back(MakeField("active", FieldType::kBoolean));
    person.fields.push_back(MakeField("email", FieldType::kEmail));
    person.fields.push_back(MakeField("notes", FieldType::kLongText));
    person.fields.push_back(MakeField("tags", FieldType::kMultiPicklist));
    person.fields.back().values = {{"vip", "VIP"}, {"new", "New"}, {"risk", "Risk"}};
    person.fields.push_back(MakeField("status", FieldType::kPicklist));
    person.fields.back().values = {{"open", "Open"}, {"closed", "Closed"}};
    person.fields.push_back(MakeReference("household", "Household"));
    person.fields.push_back(MakeReference("spouse", "Person"));
    person.fields.push_back(MakeField("lastContactAt", FieldType::kDateTime));
    person.fields.push_back(MakeField("ssn", FieldType::kText));
    person.fields.back().phi = true;
    objects.push_back(std::move(person));

    metadata::ObjectDef claim;
    claim.name = "Claim";
    claim.label = "Claim";
    claim.id_prefix = "clm";
    claim.fields = metadata::SystemFields();
    claim.fields.push_back(MakeField("amount", FieldType::kCurrency));
    claim.fields.push_back(MakeField("serviceDate", FieldType::kDate));
    claim.fields.push_back(MakeReference("subscriber", "Person"));
    claim.fields.push_back(MakeReference("patient", "Person"));
    objects.push_back(std::move(claim));
    return objects;
}

inline const metadata::Catalog& TestCatalog() {
    static const metadata::Catalog catalog(TestObjects());
    return catalog;
}

inline const metadata::ObjectDef& TestObject(std::string_view name) {
    return *TestCatalog().FindObject(name);
}

class TestDialect : public storage::Dialect {
public:
    TestDialect(std::string name, std::string like)
        : name_(std::move(name)), like_(std::move(like)) {}

    std::string_view Name() const override { return name_; }
    std::string_view ColumnType(metadata::FieldType type, int scale) const override {
        if (metadata::IsNumeric(type)) {
            return scale == 0 ? "INTEGER" : "REAL";
        }
        return type == metadata::FieldType::kBoolean ? "INTEGER" : "TEXT";
    }
    std::string_view CaseInsensitiveLike() const override { return like_; }
    bool FailedStatementAbortsTransaction() const override { return false; }
    std::string_view SequenceKeyColumn() const override { return "INTEGER PRIMARY KEY"; }
    std::string_view ClaimRowsSuffix() const override { return ""; }
    std::string_view LockRowsSuffix() const override { return ""; }
    std::string SyncSequenceSql(std::string_view) const override { return {}; }

private:
    std::string name_;
    std::string like_;
};

}  // namespace p360::query::testing
