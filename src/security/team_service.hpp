// Teams and queues: groups of users that own records together.
//
// A team is a group of colleagues (a care management pod, a service unit); a queue is a team
// that work is routed to (claims disputes, Spanish-language callers). A record whose owner is a
// team or queue is open to its members under the access policy's record rules, and a member whose
// role is above another's in the role hierarchy sees what that member owns. Changes take effect
// on the next request: record rules read membership in the same query as the records.
// Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "storage/database.hpp"

namespace p360::security {

struct Team {
    std::string id;
    std::string name;
    std::string kind;  // "team" or "queue"
    std::string created_at;
    std::vector<std::string> member_ids;  // user ids
};

class TeamService {
public:
    TeamService(storage::Database& database, const Clock& clock);

    // Names are unique (kAlreadyExists); kind is "team" or "queue".
    Result<Team> Create(std::string_view name, std::string_view kind);
    Result<std::vector<Team>> List();
    Result<Team> Get(std::string_view team_id);

    // kNotFound for an unknown team or user; adding a member twice is not an error.
    Status AddMember(std::string_view team_id, std::string_view user_id);
    Status RemoveMember(std::string_view team_id, std::string_view user_id);

private:
    storage::Database& database_;
    const Clock& clock_;
};

}  // namespace p360::security
