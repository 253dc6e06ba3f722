// Shared plumbing of the platform's HTTP handlers: authentication, JSON bodies and answers,
// and turning Results into responses.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <optional>

#include "core/result.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "security/auth_service.hpp"

namespace p360::api {

namespace json = boost::json;

// A handler that runs for an authenticated caller and may fail with an Error.
using ActorHandler =
    std::function<Result<http::HttpResponse>(const http::HttpRequest&, const security::Actor&)>;

// Turns an Error into the response a family of endpoints speaks (problem+json, or FHIR's
// OperationOutcome).
using ErrorRenderer = std::function<http::HttpResponse(const Error&, const http::HttpRequest&)>;

// Wraps `handler`: requires `Authorization: Bearer <token>`, answers 401 without it, and maps
// a returned Error to problem+json — or to what `render` makes of it.
http::Handler Authenticated(security::AuthService& auth, ActorHandler handler);
http::Handler Authenticated(security::AuthService& auth, ActorHandler handler,
                            ErrorRenderer render);

// Authenticated, for user administrators only (Authorizer::CheckManageUsers): users, teams,
// permission sets.
http::Handler ForUserAdministrators(security::AuthService& auth,
                                    const security::Authorizer& authorizer, ActorHandler handler);

// Maps a returned Error to problem+json, for handlers that need no caller.
http::Handler Public(std::function<Result<http::HttpResponse>(const http::HttpRequest&)> handler);

http::HttpResponse JsonResponse(int status, const json::value& body);

// The request body as JSON; errors name "body".
Result<json::value> JsonBody(const http::HttpRequest& request);

// Rejects query parameters the endpoint does not know, so typos do not pass silently.
Status OnlyQueryParameters(const http::HttpRequest& request,
                           std::initializer_list<std::string_view> known);

// The whole-number query parameter `name`, `fallback` when absent; anything but a number from
// `low` to `high` is a 400 naming the parameter.
Result<int> IntegerQuery(const http::HttpRequest& request, std::string_view name, int fallback,
                         int low, int high);

// "a, b ,c" → {"a", "b", "c"}: comma-separated names, blanks around them dropped.
std::vector<std::string> SplitList(std::string_view text);

// The version named by If-Match (`3`, `"3"` or `W/"3"`), if any.
Result<std::optional<std::int64_t>> IfMatchVersion(const http::HttpRequest& request);

}  // namespace p360::api
