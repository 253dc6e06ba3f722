#include "domain/member/member_routes.hpp"

#include <charconv>

#include "api/api_support.hpp"

namespace p360::member {
namespace {

Result<int> TimelineLimit(const http::HttpRequest& request) {
    const auto text = request.Query("timelineLimit");
    if (!text) {
        return 25;
    }
    int limit = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), limit);
    if (error != std::errc() || end != text->data() + text->size()) {
        return Error::InvalidArgument("timelineLimit must be a whole number.", "timelineLimit");
    }
    return limit;
}

}  // namespace

void RegisterMemberRoutes(http::Router& router, security::AuthService& auth,
                          const Member360& view) {
    router.Add("GET", "/api/v1/members/{personId}/360",
               api::Authenticated(auth,
                                  [&view](const http::HttpRequest& request,
                                          const security::Actor& actor) -> Result<http::HttpResponse> {
                                      P360_TRY(api::OnlyQueryParameters(
                                          request, {"timelineLimit", "timelineCursor"}));
                                      Member360Options options;
                                      P360_ASSIGN_OR_RETURN(options.timeline_items,
                                                            TimelineLimit(request));
                                      options.timeline_cursor =
                                          request.Query("timelineCursor").value_or("");
                                      P360_ASSIGN_OR_RETURN(
                                          json::object body,
                                          view.Build(actor, request.PathParam("personId"), options));
                                      return api::JsonResponse(200, body);
                                  }));
}

}  // namespace p360::member
