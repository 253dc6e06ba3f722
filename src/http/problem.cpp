#include "http/problem.hpp"

#include <boost/json.hpp>

namespace p360::http {
namespace {

std::string_view TitleOf(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return "Invalid request";
        case ErrorCode::kUnauthenticated:
            return "Authentication required";
        case ErrorCode::kPermissionDenied:
            return "Permission denied";
        case ErrorCode::kNotFound:
            return "Not found";
        case ErrorCode::kAlreadyExists:
            return "Already exists";
        case ErrorCode::kConflict:
            return "Conflict";
        case ErrorCode::kFailedPrecondition:
            return "Precondition failed";
        case ErrorCode::kTooLarge:
            return "Request too large";
        case ErrorCode::kResourceExhausted:
            return "Too many requests";
        case ErrorCode::kUnavailable:
            return "Service unavailable";
        case ErrorCode::kDeadlineExceeded:
            return "Timeout";
        case ErrorCode::kInternal:
            return "Internal error";
    }
    return "Internal error";
}

}  // namespace

int HttpStatusOf(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return 400;
        case ErrorCode::kUnauthenticated:
            return 401;
        case ErrorCode::kPermissionDenied:
            return 403;
        case ErrorCode::kNotFound:
            return 404;
        case ErrorCode::kAlreadyExists:
        case ErrorCode::kConflict:
            return 409;
        case ErrorCode::kFailedPrecondition:
            return 412;
        case ErrorCode::kTooLarge:
            return 413;
        case ErrorCode::kResourceExhausted:
            return 429;
        case ErrorCode::kUnavailable:
            return 503;
        case ErrorCode::kDeadlineExceeded:
            return 504;
        case ErrorCode::kInternal:
            return 500;
    }
    return 500;
}

HttpResponse ProblemResponse(const Error& error, std::string_view request_id, int status_override) {
    namespace json = boost::json;
    const int status = status_override != 0 ? status_override : HttpStatusOf(error.code);
    json::object problem;
    problem["type"] = "https://payer360.dev/problems/" + std::string(ErrorCodeName(error.code));
    problem["title"] = TitleOf(error.code);
    problem["status"] = status;
    problem["detail"] = error.public_message;
    if (!request_id.empty()) {
        problem["requestId"] = request_id;
    }
    if (!error.field_errors.empty()) {
        json::array errors;
        for (const FieldError& field_error : error.field_errors) {
            json::object entry{{"field", field_error.field}, {"message", field_error.message}};
            if (field_error.line) {
                entry["line"] = *field_error.line;
            }
            errors.push_back(std::move(entry));
        }
        problem["errors"] = std::move(errors);
    }
    HttpResponse response;
    response.status = status;
    response.content_type = "application/problem+json";
    response.body = json::serialize(problem);
    if (error.code == ErrorCode::kUnauthenticated) {
        response.headers.emplace_back("WWW-Authenticate", "Bearer");
    }
    return response;
}

}  // namespace p360::http
