#include "http/content_coding.hpp"

#include <algorithm>
#include <cctype>

#include "core/compression.hpp"

namespace p360::http {
namespace {

// Below this the frame's own bytes and the CPU buy nothing.
constexpr std::size_t kSmallestCodedBody = 1024;

std::string_view Trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

bool EqualsIgnoringCase(std::string_view left, std::string_view right) {
    return left.size() == right.size() &&
           std::equal(left.begin(), left.end(), right.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
           });
}

// A weight of zero ("q=0", "q=0.0", "q=0.000") refuses the coding.
bool WeightIsZero(std::string_view parameters) {
    while (!parameters.empty()) {
        const auto end = parameters.find(';');
        const std::string_view parameter = Trimmed(parameters.substr(0, end));
        parameters = end == std::string_view::npos ? "" : parameters.substr(end + 1);
        if (parameter.size() >= 2 && (parameter[0] == 'q' || parameter[0] == 'Q') &&
            parameter[1] == '=') {
            const std::string_view weight = Trimmed(parameter.substr(2));
            return !weight.empty() && weight.find_first_not_of("0.") == std::string_view::npos;
        }
    }
    return false;
}

// API answers: JSON, problem+json, FHIR JSON. Not NDJSON: bulk data files run to gigabytes,
// which are not to be coded on an I/O thread.
bool IsJson(std::string_view content_type) {
    const std::string_view type = Trimmed(content_type.substr(0, content_type.find(';')));
    return type == "application/json" ||
           (type.starts_with("application/") && type.ends_with("+json"));
}

bool AlreadyCoded(const HttpResponse& response) {
    return std::any_of(response.headers.begin(), response.headers.end(), [](const auto& header) {
        return EqualsIgnoringCase(header.first, "Content-Encoding");
    });
}

}  // namespace

bool AcceptsZstd(std::optional<std::string_view> accept_encoding) {
    if (!accept_encoding) {
        return false;
    }
    std::string_view codings = *accept_encoding;
    while (!codings.empty()) {
        const auto end = codings.find(',');
        const std::string_view coding = codings.substr(0, end);
        codings = end == std::string_view::npos ? "" : codings.substr(end + 1);
        const auto parameters = coding.find(';');
        if (EqualsIgnoringCase(Trimmed(coding.substr(0, parameters)), "zstd")) {
            return parameters == std::string_view::npos ||
                   !WeightIsZero(coding.substr(parameters + 1));
        }
    }
    return false;
}

void EncodeForClient(HttpResponse& response, bool accepts_zstd) {
    if (!IsJson(response.content_type) || AlreadyCoded(response)) {
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
