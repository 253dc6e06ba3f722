// Error vocabulary shared by every module.
//
// Expected failures (bad input, not found, conflicts, database trouble) are values of type
// `Error`, carried by `Result<T>`. Each error has a canonical code, a message that is safe to
// show a caller (never PHI, SQL or stack), a log-only detail and, where one input is at fault,
// the location (field name, JSON pointer, NDJSON line). Validation failures list every field at
// fault in `field_errors`, so a caller can fix all of them at once.
//
// The mapping from codes to HTTP statuses lives only in http/problem.cpp: add a case there
// whenever a code is added here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace p360 {

enum class ErrorCode : std::uint8_t {
    kInvalidArgument,   // the request is malformed or fails validation (400)
    kUnauthenticated,   // no or bad credentials (401)
    kPermissionDenied,  // authenticated, but not allowed (403)
    kNotFound,          // the object or record does not exist (404)
    kAlreadyExists,     // a unique value is taken (409)
    kConflict,  // the request conflicts with the current state, e.g. a referenced record (409)
    kFailedPrecondition,  // If-Match version is stale (412)
    kTooLarge,            // body, header or batch beyond the configured bound (413)
    kResourceExhausted,   // rate or capacity limit (429)
    kUnavailable,         // the database or a dependency is unavailable (503)
    kDeadlineExceeded,    // a timeout (504)
    kInternal,            // a bug or an unexpected failure (500)
};

std::string_view ErrorCodeName(ErrorCode code);

// One input at fault. `line` is set for line-oriented input (NDJSON, CSV).
struct FieldError {
    std::string field;
    std::string message;
    std::optional<std::int64_t> line;
};

struct Error {
    ErrorCode code = ErrorCode::kInternal;
    std::string public_message;   // safe for the caller
    std::string internal_detail;  // logs only; must not hold PHI values
    std::string location;         // field, JSON pointer or line at fault, when there is one
    std::vector<FieldError> field_errors;

    static Error InvalidArgument(std::string message, std::string location = {});
    static Error Validation(std::vector<FieldError> errors);
    static Error NotFound(std::string message);
    static Error Unauthenticated(std::string message);
    static Error PermissionDenied(std::string message);
    static Error AlreadyExists(std::string message, std::string location = {});
    static Error Conflict(std::string message, std::string location = {});
    static Error FailedPrecondition(std::string message);
    static Error TooLarge(std::string message);
    static Error Unavailable(std::string message, std::string detail = {});
    static Error Internal(std::string detail);
};

}  // namespace p360
