#include "api/api_support.hpp"

#include <algorithm>
#include <charconv>

#include "http/problem.hpp"
#include "records/record_codec.hpp"
#include "security/access_audit.hpp"

namespace p360::api {
namespace {

std::optional<std::string_view> BearerToken(const http::HttpRequest& request) {
    auto header = request.Header("authorization");
    if (!header) {
        return std::nullopt;
    }
    constexpr std::string_view kScheme = "Bearer ";
    if (header->size() <= kScheme.size() || !header->starts_with(kScheme)) {
        return std::nullopt;
    }
    return header->substr(kScheme.size());
}

http::HttpResponse Problem(const Error& error, const http::HttpRequest& request) {
    return http::ProblemResponse(error, request.request_id);
}

http::HttpResponse Answer(Result<http::HttpResponse> result, const http::HttpRequest& request,
                          const ErrorRenderer& render = Problem) {
    if (result.ok()) {
        return std::move(result).value();
    }
    return render(result.error(), request);
}

}  // namespace

http::Handler Authenticated(security::AuthService& auth, ActorHandler handler) {
    return Authenticated(auth, std::move(handler), Problem);
}

http::Handler Authenticated(security::AuthService& auth, ActorHandler handler,
                            ErrorRenderer render) {
    return [&auth, handler = std::move(handler),
            render = std::move(render)](const http::HttpRequest& request) {
        auto token = BearerToken(request);
        if (!token) {
            return render(
                Error::Unauthenticated("Send Authorization: Bearer <token>; log in to get one."),
                request);
        }
        auto actor = auth.Authenticate(*token);
        if (!actor.ok()) {
            return render(actor.error(), request);
        }
        actor->request_id = request.request_id;
        if (auto purpose = request.Header("x-purpose-of-use")) {
            if (!security::IsKnownPurposeOfUse(*purpose)) {
                return render(Error::InvalidArgument(
                                  "X-Purpose-Of-Use must be one of treatment, payment, "
                                  "operations, member-request, research, public-health, legal.",
                                  "X-Purpose-Of-Use"),
                              request);
            }
            actor->purpose = std::string(*purpose);
        }
        return Answer(handler(request, actor.value()), request, render);
    };
}

http::Handler ForUserAdministrators(security::AuthService& auth,
                                    const security::Authorizer& authorizer, ActorHandler handler) {
    return Authenticated(auth,
                         [&authorizer, handler = std::move(handler)](
                             const http::HttpRequest& request,
                             const security::Actor& actor) -> Result<http::HttpResponse> {
                             P360_TRY(authorizer.CheckManageUsers(actor));
                             return handler(request, actor);
                         });
}

http::Handler Public(std::function<Result<http::HttpResponse>(const http::HttpRequest&)> handler) {
    return [handler = std::move(handler)](const http::HttpRequest& request) {
        return Answer(handler(request), request);
    };
}

http::HttpResponse JsonResponse(int status, const json::value& body) {
    http::HttpResponse response;
    response.status = status;
    response.body = records::SerializeJson(body);
    return response;
}

Result<json::value> JsonBody(const http::HttpRequest& request) {
    if (request.body.empty()) {
        return Error::InvalidArgument("The request needs a JSON body.", "body");
    }
    return records::ParseJson(request.body, "body");
}

Result<int> IntegerQuery(const http::HttpRequest& request, std::string_view name, int fallback,
                         int low, int high) {
    const auto text = request.Query(name);
    if (!text) {
        return fallback;
    }
    int value = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (error != std::errc() || end != text->data() + text->size() || value < low || value > high) {
        return Error::InvalidArgument(std::string(name) + " must be a whole number from " +
                                          std::to_string(low) + " to " + std::to_string(high) + ".",
                                      std::string(name));
    }
    return value;
}

Status OnlyQueryParameters(const http::HttpRequest& request,
                           std::initializer_list<std::string_view> known) {
    for (const auto& [name, value] : request.query) {
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            return Error::InvalidArgument("Unknown query parameter " + name + ".", name);
        }
    }
    return Ok();
}

Result<std::optional<std::int64_t>> IfMatchVersion(const http::HttpRequest& request) {
    auto header = request.Header("if-match");
    if (!header) {
        return std::optional<std::int64_t>();
    }
    std::string_view text = *header;
    if (text.starts_with("W/")) {
        text.remove_prefix(2);
    }
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
        text = text.substr(1, text.size() - 2);
    }
    std::int64_t version = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), version);
    if (error != std::errc() || end != text.data() + text.size() || version < 1) {
        return Error::InvalidArgument("If-Match must be a record version, e.g. \"3\".", "If-Match");
    }
    return std::optional<std::int64_t>(version);
}

std::vector<std::string> SplitList(std::string_view text) {
    std::vector<std::string> items;
    while (!text.empty()) {
        const auto comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        while (!item.empty() && item.front() == ' ') {
            item.remove_prefix(1);
        }
        while (!item.empty() && item.back() == ' ') {
            item.remove_suffix(1);
        }
        if (!item.empty()) {
            items.emplace_back(item);
        }
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    }
    return items;
}

}  // namespace p360::api
