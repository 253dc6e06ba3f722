// Router: maps a method and a path to a handler.
//
// Patterns are literal segments and `{name}` captures: `/api/v1/records/{object}/{id}`.
// Literal segments win over captures. A path that matches no pattern is 404; a path that matches
// only with another method is 405 with an Allow header — unless a fallback is set for the
// method, which then takes every path no pattern matches (the web console's files). Each route
// states whether it may run on an I/O thread (`kInline`: quick and never blocking) and the largest
// body it accepts. Built once at start, then read concurrently without locks.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace p360::http {

using Handler = std::function<HttpResponse(const HttpRequest&)>;

enum class Execution { kInline, kBlocking };

struct RouteOptions {
    Execution execution = Execution::kBlocking;
    std::size_t max_body_bytes = 1 << 20;
};

struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    RouteOptions options;
};

struct RouteMatch {
    const Route* route = nullptr;  // null: no route for this method and path
    std::vector<std::pair<std::string, std::string>> path_params;
    std::vector<std::string> allowed_methods;  // set when the path exists for other methods
};

class Router {
public:
    void Add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});
    // Handles `method` requests for paths that match no pattern.
    void SetFallback(std::string method, Handler handler, RouteOptions options = {});
    RouteMatch Match(std::string_view method, std::string_view path) const;

private:
    std::vector<Route> routes_;
    std::vector<Route> fallbacks_;
};

}  // namespace p360::http
