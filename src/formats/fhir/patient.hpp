// FHIR R4 Patient from a Person record, as the records layer answers it (JSON keyed by field
// name, holding only the fields the caller may read): whatever the caller may not see is simply
// not in the resource. Identifiers keep their systems: the source system's key, SSN, Medicare
// beneficiary id (MBI) and Medicaid id.
#pragma once

#include <boost/json.hpp>
#include <string_view>

namespace p360::formats::fhir {

namespace json = boost::json;

inline constexpr std::string_view kSourceIdSystem = "https://payer360.dev/fhir/sid/source-id";
inline constexpr std::string_view kSsnSystem = "http://hl7.org/fhir/sid/us-ssn";
inline constexpr std::string_view kMbiSystem = "http://hl7.org/fhir/sid/us-mbi";
inline constexpr std::string_view kMedicaidSystem = "https://payer360.dev/fhir/sid/medicaid-id";

json::object PatientFromPerson(const json::object& person);

// The Person field an identifier system is stored in ("" for a system payer360 does not keep).
std::string_view PersonFieldForIdentifierSystem(std::string_view system);

}  // namespace p360::formats::fhir
