#include "domain/identity/identity_routes.hpp"

#include "api/api_support.hpp"

namespace p360::identity {
namespace {

std::string BodyText(const json::object& body, std::string_view key) {
    const json::value* value = body.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->as_string()) : "";
}

}  // namespace

void RegisterIdentityRoutes(http::Router& router, security::AuthService& auth,
                            IdentityService& identity) {
    using api::ActorHandler;
    const auto add = [&](std::string_view method, std::string_view pattern, ActorHandler handler) {
        router.Add(std::string(method), std::string(pattern),
                   api::Authenticated(auth, std::move(handler)));
    };
    add("POST", "/api/v1/identity/match",
        [&identity](const http::HttpRequest& request,
                    const security::Actor& actor) -> Result<http::HttpResponse> {
            P360_TRY(api::OnlyQueryParameters(request, {"limit"}));
            P360_ASSIGN_OR_RETURN(int limit, api::IntegerQuery(request, "limit", 10, 1, 50));
            P360_ASSIGN_OR_RETURN(json::value body, api::JsonBody(request));
            P360_ASSIGN_OR_RETURN(json::object answer,
                                  identity.Match(actor, body, static_cast<std::size_t>(limit)));
            return api::JsonResponse(200, answer);
        });
    add("GET", "/api/v1/identity/persons/{personId}",
        [&identity](const http::HttpRequest& request,
                    const security::Actor& actor) -> Result<http::HttpResponse> {
            P360_TRY(api::OnlyQueryParameters(request, {}));
            P360_ASSIGN_OR_RETURN(json::object answer,
                                  identity.IdentityOf(actor, request.PathParam("personId")));
            return api::JsonResponse(200, answer);
        });
    add("GET", "/api/v1/identity/members/{goldenMemberId}",
        [&identity](const http::HttpRequest& request,
                    const security::Actor& actor) -> Result<http::HttpResponse> {
            P360_TRY(api::OnlyQueryParameters(request, {}));
            P360_ASSIGN_OR_RETURN(
                json::object answer,
                identity.GoldenMember(actor, request.PathParam("goldenMemberId")));
            return api::JsonResponse(200, answer);
        });
    add("GET", "/api/v1/identity/reviews",
        [&identity](const http::HttpRequest& request,
                    const security::Actor& actor) -> Result<http::HttpResponse> {
            P360_TRY(api::OnlyQueryParameters(request, {"limit", "cursor"}));
            P360_ASSIGN_OR_RETURN(int limit, api::IntegerQuery(request, "limit", 50, 1, 200));
            P360_ASSIGN_OR_RETURN(
                json::object page,
                identity.ListReviews(actor, request.Query("cursor").value_or(""), limit));
            return api::JsonResponse(200, page);
        });
    for (const auto& [verb, decision] : {std::pair{"accept", ReviewDecision::kAccept},
                                         std::pair{"reject", ReviewDecision::kReject}}) {
        add("POST", std::string("/api/v1/identity/reviews/{id}/") + verb,
            [&identity, decision = decision](
                const http::HttpRequest& request,
                const security::Actor& actor) -> Result<http::HttpResponse> {
                P360_TRY(api::OnlyQueryParameters(request, {}));
                P360_ASSIGN_OR_RETURN(
                    json::object answer,
                    identity.DecideReview(actor, request.PathParam("id"), decision));
                return api::JsonResponse(200, answer);
            });
    }
    add("POST", "/api/v1/identity/merges",
        [&identity](const http::HttpRequest& request,
                    const security::Actor& actor) -> Result<http::HttpResponse> {
            P360_TRY(api::OnlyQueryParameters(request, {}));
            P360_ASSIGN_OR_RETURN(json::value body, api::JsonBody(request));
            if (!body.is_object()) {
                return Error::InvalidArgument("The body must be a JSON object.", "body");
            }
            for (const auto& [key, value] : body.as_object()) {
                if ((key != "survivor" && key != "merged") || !value.is_string()) {
                    return Error::InvalidArgument(
                        "Only survivor and merged, each a Person id, are accepted.",
                        std::string(key));
                }
            }
            P360_ASSIGN_OR_RETURN(json::object answer,
                                  identity.Merge(actor, BodyText(body.as_object(), "survivor"),
                                                 BodyText(body.as_object(), "merged")));
            return api::JsonResponse(201, answer);
        });
    add("POST", "/api/v1/identity/merges/{id}/unmerge",
        [&identity](const http::HttpRequest& request,
                    const security::Actor& actor) -> Result<http::HttpResponse> {
            P360_TRY(api::OnlyQueryParameters(request, {}));
            P360_ASSIGN_OR_RETURN(json::object answer,
                                  identity.Unmerge(actor, request.PathParam("id")));
            return api::JsonResponse(200, answer);
        });
}

}  // namespace p360::identity
