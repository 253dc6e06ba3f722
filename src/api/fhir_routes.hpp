// FHIR R4 over HTTP, under /fhir/r4:
//
//   GET /fhir/r4/metadata                 the CapabilityStatement (no authentication: no data)
//   GET /fhir/r4/Patient/{id}             a member as a Patient
//   GET /fhir/r4/Patient?…                search: _id, identifier ([system|]value), name, family,
//                                         given, birthdate ([eq|ne|ge|le|gt|lt]date), gender,
//                                         _count; a searchset Bundle with self and next links
//
//   GET /fhir/r4/Patient/{id}/$everything the patient and what the caller may see about them
//   GET /fhir/r4/{Type}/{id}, /{Type}?…    Coverage, Condition, MedicationRequest, Organization,
//                                         Practitioner, Location: read and search
//   POST /fhir/r4                         a transaction (one change set, all or nothing) or
//                                         batch (entry by entry) Bundle: see docs/api.md
//
// Every resource is read and written through the records layer as the caller, so field and
// record access apply as everywhere; errors are OperationOutcome resources
// (application/fhir+json), with JSON pointers into a posted Bundle.
#pragma once

#include "api/platform_routes.hpp"

namespace p360::api {

// The handlers keep a reference to `services`: it must outlive the router.
void RegisterFhirRoutes(http::Router& router, const PlatformServices& services);

}  // namespace p360::api
