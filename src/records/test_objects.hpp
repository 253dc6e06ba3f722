// A small hand-built catalog for the records module's unit tests: Household and Person.
#pragma once

#include "metadata/catalog.hpp"

namespace p360::records::testing {

inline metadata::FieldDef Field(std::string name, metadata::FieldType type) {
    metadata::FieldDef field;
    field.name = name;
    field.label = std::move(name);
    field.type = type;
    return field;
}

inline std::vector<metadata::ObjectDef> TestObjects() {
    using metadata::FieldType;
    metadata::ObjectDef household{
        .name = "Household", .label = "Household", .plural_label = "Households", .id_prefix = "hh"};
    household.fields = metadata::SystemFields();
    household.fields.push_back(Field("name", FieldType::kText));
    household.fields.back().required = true;
    household.fields.push_back(Field("code", FieldType::kExternalId));
    household.fields.back().external_id = true;
    household.fields.back().unique = true;
    household.fields.back().indexed = true;
    household.fields.back().max_length = 50;

    metadata::ObjectDef person{
        .name = "Person", .label = "Person", .plural_label = "People", .id_prefix = "per"};
    person.fields = metadata::SystemFields();
    person.fields.push_back(Field("lastName", FieldType::kText));
    person.fields.back().required = true;
    person.fields.back().tracked = true;
    person.fields.back().max_length = 20;
    person.fields.push_back(Field("birthDate", FieldType::kDate));
    person.fields.push_back(Field("score", FieldType::kNumber));
    person.fields.back().scale = 0;
    person.fields.back().precision = 4;
    person.fields.push_back(Field("active", FieldType::kBoolean));
    person.fields.push_back(Field("gender", FieldType::kPicklist));
    person.fields.back().values = {
        {"female", "Female", true}, {"male", "Male", true}, {"retired", "Retired", false}};
    person.fields.push_back(Field("languages", FieldType::kMultiPicklist));
    person.fields.back().values = {{"en", "English", true}, {"es", "Spanish", true}};
    person.fields.push_back(Field("email", FieldType::kEmail));
    person.fields.push_back(Field("sourceId", FieldType::kExternalId));
    person.fields.back().external_id = true;
    person.fields.back().unique = true;
    person.fields.back().indexed = true;
    person.fields.push_back(Field("household", FieldType::kReference));
    person.fields.back().reference_to = "Household";
    person.fields.back().on_delete = metadata::OnDelete::kCascade;
    return {household, person};
}

}  // namespace p360::records::testing
