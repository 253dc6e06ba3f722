// The sharing stamp: a value in `sys_meta` that moves whenever who reaches which records changes
// outside the records themselves — a user joins or leaves a team or queue, or a user's role
// changes (the role hierarchy opens what a role's members own to the roles above it). Record
// scopes read team memberships and roles in SQL, so no outbox event tells of such a change;
// answers kept for reuse compare this stamp instead.
#pragma once

#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "storage/database.hpp"

namespace p360::security {

inline constexpr std::string_view kSharingStampKey = "sharing_stamp";

// Gives the stamp a new value, inside the transaction that changes the sharing.
Status StampSharingChange(storage::Connection& connection, const Clock& clock);

}  // namespace p360::security
