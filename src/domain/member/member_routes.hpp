// The member 360 over HTTP:
//
//   GET  /api/v1/members/{personId}/360[?timelineLimit=25][&timelineCursor=…]
//   POST /api/v1/import/x12            an X12 834 file → members and coverage, and a 999
//
// One call, every part the caller may see (see member_360.hpp); enrollment files as the caller
// (enrollment_import.hpp).
#pragma once

#include "domain/member/enrollment_import.hpp"
#include "domain/member/member_360.hpp"
#include "http/router.hpp"
#include "security/auth_service.hpp"

namespace p360::member {

// The handlers keep references: the services must outlive the router.
void RegisterMemberRoutes(http::Router& router, security::AuthService& auth, const Member360& view,
                          EnrollmentImporter& enrollments);

// The import result as the API answers it (also printed by `payer360 import x12`).
json::object EnrollmentResultJson(const EnrollmentImportResult& result);

}  // namespace p360::member
