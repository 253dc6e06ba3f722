// The demo deployment's people: one login per kind of user, with the teams, queue, care team
// and portal link that make each of them see what they would at a real health plan.
//
//   admin       administrator
//   agent       member service agent, in the Member Services team and the Grievances queue
//   supervisor  service supervisor over the Member Services team
//   nurse       care manager, on the care team of the first members
//   member      portal member: the first demo member
//   auditor     reads the access audit
//
// Idempotent: users, teams and memberships that exist are left as they are. Needs the demo
// members (GenerateDemo) first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "records/record_service.hpp"
#include "security/auth_service.hpp"
#include "security/team_service.hpp"

namespace p360::demo {

struct DemoLogin {
    std::string username;
    std::string role;
    std::string what;  // one line for the newcomer: who this user is
};

// Creates the demo users with `password` and wires them up; returns the logins.
Result<std::vector<DemoLogin>> SeedDemoStaff(records::RecordService& records,
                                             security::AuthService& auth,
                                             security::TeamService& teams,
                                             const security::Actor& actor,
                                             std::string_view password, int care_team_size = 25);

}  // namespace p360::demo
