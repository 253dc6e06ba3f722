// FHIR R4 resources from payer360 records, as the records layer answers them (JSON keyed by field
// name, holding only the fields the caller may read). Each function takes one record and gives
// one resource; what the caller may not read is simply absent. References point at the
// resources the referenced records become (`Patient/<Person id>`, `Organization/<Account id>`).
//
//   Person → Patient (patient.hpp)      MemberPlan → Coverage
//   Condition → Condition               Medication → MedicationRequest
//   Account → Organization              Provider → Practitioner
//   ProviderLocation → Location         Encounter → Encounter
//   ContactRelationship → RelatedPerson ProviderLocation → PractitionerRole
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace p360::formats::fhir {

namespace json = boost::json;

// `plan`: the Plan record the coverage is on, when the caller may read it (payor and class).
json::object CoverageFromMemberPlan(const json::object& member_plan, const json::object* plan);
json::object ConditionFromCondition(const json::object& condition);
json::object MedicationRequestFromMedication(const json::object& medication);
json::object EncounterFromEncounter(const json::object& encounter);

json::object OrganizationFromAccount(const json::object& account);
json::object PractitionerFromProvider(const json::object& provider);
json::object LocationFromProviderLocation(const json::object& location);

// `related`: the Person the relationship names, when the caller may read it (name, contacts).
json::object RelatedPersonFromContactRelationship(const json::object& relationship,
                                                  const json::object* related);
// The provider's role at one location. `provider`: the Provider, when the caller may read it
// (specialty, organisation).
json::object PractitionerRoleFromProviderLocation(const json::object& location,
                                                  const json::object* provider);

// An ICD-10-CM code as stored (E119) in its dotted form (E11.9).
std::string DottedIcd10(std::string_view code);

}  // namespace p360::formats::fhir
