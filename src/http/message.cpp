#include "http/message.hpp"

#include <boost/beast/core/string.hpp>

namespace p360::http {
namespace {

std::optional<std::string_view> Find(const std::vector<std::pair<std::string, std::string>>& items,
                                     std::string_view name) {
    for (const auto& [key, value] : items) {
        if (key == name) {
            return std::string_view(value);
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string_view> HttpRequest::Header(std::string_view lowercase_name) const {
    return Find(headers, lowercase_name);
}

std::optional<std::string_view> HttpResponse::Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (boost::beast::iequals(key, name)) {
            return std::string_view(value);
        }
    }
    return std::nullopt;
}

std::optional<std::string_view> HttpRequest::Query(std::string_view name) const {
    return Find(query, name);
}

std::string_view HttpRequest::PathParam(std::string_view name) const {
    return Find(path_params, name).value_or(std::string_view());
}

}  // namespace p360::http
