// Compressed answers for clients that take them: API answers of JSON go out Zstandard-coded
// (RFC 8878, `Content-Encoding: zstd`) when the request's Accept-Encoding names zstd. A member
// 360 of some 34 KB then travels as about 4 KB, a page of 50 Persons as about 6 KB: what an
// agent's browser on a slow link waits for. Clients that do not ask get the JSON as it is.
#pragma once

#include <optional>
#include <string_view>

#include "http/message.hpp"

namespace p360::http {

// Whether an Accept-Encoding header names zstd with a weight above zero ("zstd", "zstd;q=0.5";
// not "zstd;q=0", and not merely "*").
bool AcceptsZstd(std::optional<std::string_view> accept_encoding);

// Codes a JSON answer of at least a kilobyte for a client that accepts zstd; leaves any other
// answer, and one already coded, as it is. Answers of JSON vary by Accept-Encoding either way.
void EncodeForClient(HttpResponse& response, bool accepts_zstd);

}  // namespace p360::http
