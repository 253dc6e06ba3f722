#include "api/team_routes.hpp"

#include "api/api_support.hpp"

namespace p360::api {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using security::Actor;

json::object TeamJson(const security::Team& team) {
    json::array members;
    for (const std::string& user_id : team.member_ids) {
        members.emplace_back(user_id);
    }
    return json::object{{"id", team.id},
                        {"name", team.name},
                        {"kind", team.kind},
                        {"createdAt", team.created_at},
                        {"memberIds", std::move(members)}};
}

std::string_view TextMember(const json::value& body, std::string_view key) {
    const json::value* value = body.is_object() ? body.as_object().if_contains(key) : nullptr;
    return value != nullptr && value->is_string() ? std::string_view(value->get_string())
                                                  : std::string_view();
}

}  // namespace

void RegisterTeamRoutes(http::Router& router, security::AuthService& auth,
                        const security::Authorizer& authorizer, security::TeamService& teams) {
    auto admin = [&auth, &authorizer](ActorHandler handler) {
        return ForUserAdministrators(auth, authorizer, std::move(handler));
    };
    router.Add("GET", "/api/v1/teams",
               admin([&teams](const HttpRequest& request, const Actor&) -> Result<HttpResponse> {
                   P360_TRY(OnlyQueryParameters(request, {}));
                   P360_ASSIGN_OR_RETURN(auto list, teams.List());
                   json::array items;
                   for (const auto& team : list) {
                       items.push_back(TeamJson(team));
                   }
                   return JsonResponse(200, json::object{{"items", std::move(items)}});
               }));
    router.Add("POST", "/api/v1/teams",
               admin([&teams](const HttpRequest& request, const Actor&) -> Result<HttpResponse> {
                   P360_ASSIGN_OR_RETURN(json::value body, JsonBody(request));
                   P360_ASSIGN_OR_RETURN(
                       auto team, teams.Create(TextMember(body, "name"), TextMember(body, "kind")));
                   return JsonResponse(201, TeamJson(team));
               }));
    router.Add("GET", "/api/v1/teams/{id}",
               admin([&teams](const HttpRequest& request, const Actor&) -> Result<HttpResponse> {
                   P360_ASSIGN_OR_RETURN(auto team, teams.Get(request.PathParam("id")));
                   return JsonResponse(200, TeamJson(team));
               }));
    router.Add("PUT", "/api/v1/teams/{id}/members/{userId}",
               admin([&teams](const HttpRequest& request, const Actor&) -> Result<HttpResponse> {
                   P360_TRY(teams.AddMember(request.PathParam("id"), request.PathParam("userId")));
                   P360_ASSIGN_OR_RETURN(auto team, teams.Get(request.PathParam("id")));
                   return JsonResponse(200, TeamJson(team));
               }));
    router.Add(
        "DELETE", "/api/v1/teams/{id}/members/{userId}",
        admin([&teams](const HttpRequest& request, const Actor&) -> Result<HttpResponse> {
            P360_TRY(teams.RemoveMember(request.PathParam("id"), request.PathParam("userId")));
            return HttpResponse{204, "application/json", "", {}};
        }));
}

}  // namespace p360::api
