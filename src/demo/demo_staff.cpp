#include "demo/demo_staff.hpp"

#include <algorithm>
#include <map>

namespace p360::demo {
namespace {

namespace json = boost::json;

// The user's id, creating the user when the username is free.
Result<std::string> EnsureUser(security::AuthService& auth, const DemoLogin& login,
                               std::string_view password, std::string_view person_id = {}) {
    auto created = auth.CreateUser(login.username, password, login.role, person_id);
    if (created.ok()) {
        return created->user_id;
    }
    if (created.error().code != ErrorCode::kAlreadyExists) {
        return created.error();
    }
    P360_ASSIGN_OR_RETURN(auto users, auth.ListUsers());
    for (const auto& user : users) {
        if (user.username == login.username) {
            return user.id;
        }
    }
    return Error::Internal("a demo user vanished");
}

Result<std::string> EnsureTeam(security::TeamService& teams, std::string_view name,
                               std::string_view kind) {
    P360_ASSIGN_OR_RETURN(auto existing, teams.List());
    for (const auto& team : existing) {
        if (team.name == name) {
            return team.id;
        }
    }
    P360_ASSIGN_OR_RETURN(auto team, teams.Create(name, kind));
    return team.id;
}

// The first `count` demo members, in source-id order.
Result<std::vector<std::string>> FirstMembers(records::RecordService& records,
                                              const security::Actor& actor, int count) {
    query::ListRequest request;
    request.sort = "sourceId";
    request.fields = {"id"};
    request.limit = count;
    P360_ASSIGN_OR_RETURN(json::object page, records.List(actor, "Person", request));
    std::vector<std::string> ids;
    for (const json::value& item : page.at("items").as_array()) {
        ids.emplace_back(item.at("id").as_string());
    }
    if (ids.empty()) {
        return Error::FailedPrecondition("Generate the demo members first (payer360 demo).");
    }
    return ids;
}

Status EnsureCareTeam(records::RecordService& records, const security::Actor& actor,
                      const std::string& user_id, const std::vector<std::string>& members) {
    query::ListRequest mine;
    mine.filter = "userId = '" + user_id + "'";  // a generated id: no quotes inside
    mine.fields = {"person"};
    mine.limit = 1000;
    P360_ASSIGN_OR_RETURN(json::object page, records.List(actor, "CareTeamMember", mine));
    std::vector<std::string> covered;
    for (const json::value& item : page.at("items").as_array()) {
        covered.emplace_back(item.at("person").as_string());
    }
    for (const std::string& member : members) {
        if (std::find(covered.begin(), covered.end(), member) != covered.end()) {
            continue;
        }
        P360_TRY(records.Create(actor, "CareTeamMember",
                                json::object{{"person", member},
                                             {"userId", user_id},
                                             {"teamRole", "care-manager"},
                                             {"reason", "Demo care management caseload"}}));
    }
    return Ok();
}

}  // namespace

Result<std::vector<DemoLogin>> SeedDemoStaff(records::RecordService& records,
                                             security::AuthService& auth,
                                             security::TeamService& teams,
                                             const security::Actor& actor,
                                             std::string_view password, int care_team_size) {
    const std::vector<DemoLogin> logins = {
        {"admin", "admin", "administrator: everything, including setup"},
        {"agent", "agent", "member service agent (Member Services team, Grievances queue)"},
        {"supervisor", "supervisor", "service supervisor over the Member Services team"},
        {"nurse", "care_manager", "care manager with a caseload of members (care team)"},
        {"member", "portal_member", "portal member: sees only their own records"},
        {"auditor", "auditor", "reads the access audit, no record contents"},
    };
    P360_ASSIGN_OR_RETURN(auto members, FirstMembers(records, actor, care_team_size));
    std::map<std::string, std::string> ids;
    for (const DemoLogin& login : logins) {
        const std::string person = login.role == "portal_member" ? members.front() : "";
        P360_ASSIGN_OR_RETURN(ids[login.username], EnsureUser(auth, login, password, person));
    }
    P360_ASSIGN_OR_RETURN(auto service_team, EnsureTeam(teams, "Member Services", "team"));
    P360_ASSIGN_OR_RETURN(auto grievances, EnsureTeam(teams, "Grievances and Appeals", "queue"));
    P360_TRY(teams.AddMember(service_team, ids["agent"]));
    P360_TRY(teams.AddMember(service_team, ids["supervisor"]));
    P360_TRY(teams.AddMember(grievances, ids["agent"]));
    P360_TRY(EnsureCareTeam(records, actor, ids["nurse"], members));
    return logins;
}

}  // namespace p360::demo
