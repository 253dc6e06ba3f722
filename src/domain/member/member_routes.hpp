// The member 360 over HTTP:
//
//   GET /api/v1/members/{personId}/360[?timelineLimit=25][&timelineCursor=…]
//
// One call, every part the caller may see (see member_360.hpp).
#pragma once

#include "domain/member/member_360.hpp"
#include "http/router.hpp"
#include "security/auth_service.hpp"

namespace p360::member {

// The handler keeps references: `auth` and `view` must outlive the router.
void RegisterMemberRoutes(http::Router& router, security::AuthService& auth, const Member360& view);

}  // namespace p360::member
