// Teams and queues (administrators):
//
//   GET    /api/v1/teams                              list, with member ids
//   POST   /api/v1/teams                              create {name, kind: team|queue}
//   GET    /api/v1/teams/{id}                         one team
//   PUT    /api/v1/teams/{id}/members/{userId}        add a member
//   DELETE /api/v1/teams/{id}/members/{userId}        remove a member
#pragma once

#include "http/router.hpp"
#include "security/auth_service.hpp"
#include "security/authorizer.hpp"
#include "security/team_service.hpp"

namespace p360::api {

// The handlers keep references to the services: they must outlive the router.
void RegisterTeamRoutes(http::Router& router, security::AuthService& auth,
                        const security::Authorizer& authorizer, security::TeamService& teams);

}  // namespace p360::api
