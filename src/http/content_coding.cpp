#include "http/content_coding.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include "core/compression.hpp"

namespace p360::http {
namespace {

namespace beast = boost::beast;

// Below this the frame's own bytes and the CPU buy nothing.
constexpr std::size_t kSmallestCodedBody = 1024;

// A weight of zero ("q=0", "q=0.0", "q=0.000") refuses the coding.
bool WeightIsZero(const beast::http::param_list& parameters) {
    for (const auto& [name, value] : parameters) {
        if (beast::iequals(name, "q")) {
            return !value.empty() && value.find_first_not_of("0.") == std::string_view::npos;
        }
    }
    return false;
}

// API answers: JSON, problem+json, FHIR JSON. Not NDJSON: bulk data files run to gigabytes,
// which are not to be coded on an I/O thread.
bool IsJson(std::string_view content_type) {
    const std::string_view type = content_type.substr(0, content_type.find(';'));
    return type == "application/json" ||
           (type.starts_with("application/") && type.ends_with("+json"));
}

}  // namespace

bool AcceptsZstd(std::optional<std::string_view> accept_encoding) {
    if (!accept_encoding) {
        return false;
    }
    // Accept-Encoding is a list of codings with parameters: Beast's grammar for such lists.
    for (const auto& [coding, parameters] : beast::http::ext_list(*accept_encoding)) {
        if (beast::iequals(coding, "zstd")) {
            return !WeightIsZero(parameters);
        }
    }
    return false;
}

void EncodeForClient(HttpResponse& response, bool accepts_zstd) {
    if (!IsJson(response.content_type) || response.Header("Content-Encoding")) {
        return;
    }
    response.headers.emplace_back("Vary", "Accept-Encoding");
    if (!accepts_zstd || response.body.size() < kSmallestCodedBody) {
        return;
    }
    response.body = Compress(response.body);
    response.headers.emplace_back("Content-Encoding", "zstd");
}

}  // namespace p360::http
