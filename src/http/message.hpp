// HTTP request and response as handlers see them: plain values, no Beast types, so handler
// code compiles fast and tests can build requests directly.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace p360::http {

struct HttpRequest {
    std::string method;  // "GET", "POST", …
    std::string path;    // percent-decoded path without the query
    std::vector<std::pair<std::string, std::string>> query;        // decoded, in order
    std::vector<std::pair<std::string, std::string>> headers;      // names lowercased
    std::vector<std::pair<std::string, std::string>> path_params;  // from the route pattern
    std::string body;
    std::string request_id;
    std::string remote_address;  // the peer's IP address as text; empty when unknown

    std::optional<std::string_view> Header(std::string_view lowercase_name) const;
    std::optional<std::string_view> Query(std::string_view name) const;
    std::string_view PathParam(std::string_view name) const;
};

struct HttpResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    // When set, the answer is this file, streamed from disk a chunk at a time instead of `body`:
    // bulk data files run to gigabytes.
    std::string file_path;

    // The first header of this name, in any case.
    std::optional<std::string_view> Header(std::string_view name) const;
};

}  // namespace p360::http
