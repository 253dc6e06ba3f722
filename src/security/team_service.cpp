#include "security/team_service.hpp"

#include <map>

#include "core/ids.hpp"
#include "core/time_format.hpp"
#include "security/sharing_stamp.hpp"

namespace p360::security {
namespace {

using storage::Connection;
using storage::Value;

constexpr std::size_t kMaxTeamName = 100;

Status CheckExists(Connection& connection, std::string_view table, std::string_view id,
                   std::string_view what) {
    const Value params[] = {std::string(id)};
    P360_ASSIGN_OR_RETURN(
        auto found,
        connection.QueryOne("SELECT 1 FROM " + std::string(table) + " WHERE id = ?", params));
    if (!found) {
        return Error::NotFound("No " + std::string(what) + " has this id.");
    }
    return Ok();
}

}  // namespace

TeamService::TeamService(storage::Database& database, const Clock& clock)
    : database_(database), clock_(clock) {}

Result<Team> TeamService::Create(std::string_view name, std::string_view kind) {
    std::vector<FieldError> errors;
    if (name.empty() || name.size() > kMaxTeamName) {
        errors.push_back({"name", "A name has 1 to 100 characters.", {}});
    }
    if (kind != "team" && kind != "queue") {
        errors.push_back({"kind", "Expected team or queue.", {}});
    }
    if (!errors.empty()) {
        return Error::Validation(std::move(errors));
    }
    const std::int64_t now = clock_.NowMillis();
    Team team{NewId(kind == "queue" ? "que" : "tea", now),
              std::string(name),
              std::string(kind),
              FormatDateTime(now),
              {}};
    const Value params[] = {team.id, team.name, team.kind, team.created_at};
    Status status = database_.Write([&params](Connection& connection) -> Status {
        return connection.Execute(
            "INSERT INTO sys_teams (id, name, kind, created_at) VALUES (?, ?, ?, ?)", params);
    });
    if (!status.ok()) {
        if (status.error().code == ErrorCode::kAlreadyExists) {
            return Error::AlreadyExists("A team or queue has this name.", "name");
        }
        return std::move(status).error();
    }
    return team;
}

Result<std::vector<Team>> TeamService::List() {
    std::vector<storage::Row> teams;
    std::vector<storage::Row> members;
    P360_TRY(database_.Read([&](Connection& connection) -> Status {
        P360_ASSIGN_OR_RETURN(
            teams,
            connection.Query("SELECT id, name, kind, created_at FROM sys_teams ORDER BY name"));
        P360_ASSIGN_OR_RETURN(
            members,
            connection.Query("SELECT team_id, user_id FROM sys_team_members ORDER BY user_id"));
        return Ok();
    }));
    std::map<std::string, std::vector<std::string>> members_of;
    for (const storage::Row& row : members) {
        members_of[std::get<std::string>(row[0])].push_back(std::get<std::string>(row[1]));
    }
    std::vector<Team> result;
    for (const storage::Row& row : teams) {
        Team& team = result.emplace_back();
        team.id = std::get<std::string>(row[0]);
        team.name = std::get<std::string>(row[1]);
        team.kind = std::get<std::string>(row[2]);
        team.created_at = std::get<std::string>(row[3]);
        team.member_ids = std::move(members_of[team.id]);
    }
    return result;
}

Result<Team> TeamService::Get(std::string_view team_id) {
    P360_ASSIGN_OR_RETURN(std::vector<Team> teams, List());
    for (Team& team : teams) {
        if (team.id == team_id) {
            return std::move(team);
        }
    }
    return Error::NotFound("No team or queue has this id.");
}

Status TeamService::AddMember(std::string_view team_id, std::string_view user_id) {
    const Value params[] = {std::string(team_id), std::string(user_id),
                            FormatDateTime(clock_.NowMillis())};
    return database_.Write([&](Connection& connection) -> Status {
        P360_TRY(CheckExists(connection, "sys_teams", team_id, "team or queue"));
        P360_TRY(CheckExists(connection, "sys_users", user_id, "user"));
        const Value key[] = {params[0], params[1]};
        P360_ASSIGN_OR_RETURN(auto existing,
                              connection.QueryOne("SELECT 1 FROM sys_team_members WHERE team_id = "
                                                  "? AND user_id = ?",
                                                  key));
        if (existing) {
            return Ok();
        }
        P360_TRY(connection.Execute(
            "INSERT INTO sys_team_members (team_id, user_id, added_at) VALUES (?, ?, ?)", params));
        return StampSharingChange(connection, clock_);
    });
}

Status TeamService::RemoveMember(std::string_view team_id, std::string_view user_id) {
    const Value params[] = {std::string(team_id), std::string(user_id)};
    return database_.Write([&](Connection& connection) -> Status {
        P360_TRY(CheckExists(connection, "sys_teams", team_id, "team or queue"));
        P360_TRY(connection.Execute(
            "DELETE FROM sys_team_members WHERE team_id = ? AND user_id = ?", params));
        return StampSharingChange(connection, clock_);
    });
}

}  // namespace p360::security
