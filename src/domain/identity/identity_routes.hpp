// Identity resolution over HTTP:
//
//   POST /api/v1/identity/match[?limit=10]           score a candidate against the index
//   GET  /api/v1/identity/persons/{personId}          a source Person's golden member and link
//   GET  /api/v1/identity/members/{goldenMemberId}    the golden record, identifiers, sources
//   GET  /api/v1/identity/reviews[?limit=50][&cursor=…]   open review items
//   POST /api/v1/identity/reviews/{id}/accept | reject
//   POST /api/v1/identity/merges {"survivor","merged"}    → 201
//   POST /api/v1/identity/merges/{id}/unmerge
//
// Decode → IdentityService → encode; access rules live in the service and the policy.
#pragma once

#include "domain/identity/identity_service.hpp"
#include "http/router.hpp"
#include "security/auth_service.hpp"

namespace p360::identity {

// The handlers keep references: the service must outlive the router.
void RegisterIdentityRoutes(http::Router& router, security::AuthService& auth,
                            IdentityService& identity);

}  // namespace p360::identity
