#include "http/router.hpp"

#include <algorithm>

namespace p360::http {
namespace {

std::vector<std::string> SplitPath(std::string_view path) {
    std::vector<std::string> segments;
    std::size_t start = 0;
    while (start < path.size()) {
        if (path[start] == '/') {
            ++start;
            continue;
        }
        const std::size_t end = std::min(path.find('/', start), path.size());
        segments.emplace_back(path.substr(start, end - start));
        start = end;
    }
    return segments;
}

bool IsCapture(const std::string& segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Number of literal segments matched, or -1 when the route does not match.
int MatchScore(const Route& route, const std::vector<std::string>& segments,
               std::vector<std::pair<std::string, std::string>>* params) {
    if (route.segments.size() != segments.size()) {
        return -1;
    }
    int literals = 0;
    for (std::size_t segment_idx = 0; segment_idx < segments.size(); ++segment_idx) {
        const std::string& expected = route.segments[segment_idx];
        if (IsCapture(expected)) {
            if (params != nullptr) {
                params->emplace_back(expected.substr(1, expected.size() - 2),
                                     segments[segment_idx]);
            }
        } else if (expected == segments[segment_idx]) {
            ++literals;
        } else {
            return -1;
        }
    }
    return literals;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
    Route route{std::move(method), std::move(pattern), {}, std::move(handler), options};
    route.segments = SplitPath(route.pattern);
    routes_.push_back(std::move(route));
}

void Router::SetFallback(std::string method, Handler handler, RouteOptions options) {
    fallbacks_.push_back(Route{std::move(method), "*", {}, std::move(handler), options});
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
    const std::vector<std::string> segments = SplitPath(path);
    RouteMatch match;
    int best_score = -1;
    for (const Route& route : routes_) {
        const int score = MatchScore(route, segments, nullptr);
        if (score < 0) {
            continue;
        }
        if (route.method != method) {
            match.allowed_methods.push_back(route.method);
            continue;
        }
        if (score > best_score) {
            best_score = score;
            match.route = &route;
        }
    }
    if (match.route != nullptr) {
        MatchScore(*match.route, segments, &match.path_params);
        match.allowed_methods.clear();
    } else if (match.allowed_methods.empty()) {
        for (const Route& fallback : fallbacks_) {
            if (fallback.method == method) {
                match.route = &fallback;
            }
        }
    }
    return match;
}

}  // namespace p360::http
