// Errors on the wire: RFC 9457 problem details (application/problem+json).
//
//   {"type": "https://payer360.dev/problems/invalid-argument", "title": "Invalid request",
//    "status": 400, "detail": "The request failed validation.", "requestId": "req_…",
//    "errors": [{"field": "birthDate", "message": "Expected a date as YYYY-MM-DD."}]}
//
// `errors` lists every field (or NDJSON line) at fault. The internal detail of an Error never
// leaves the process. This is the only place where error codes become HTTP statuses.
#pragma once

#include "core/error.hpp"
#include "http/message.hpp"

namespace p360::http {

int HttpStatusOf(ErrorCode code);

// `status_override` replaces the code's status for the few HTTP-only answers (405, 431).
HttpResponse ProblemResponse(const Error& error, std::string_view request_id,
                             int status_override = 0);

}  // namespace p360::http
