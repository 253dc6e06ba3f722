#include "core/error.hpp"

namespace p360 {

std::string_view ErrorCodeName(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return "invalid-argument";
        case ErrorCode::kUnauthenticated:
            return "unauthenticated";
        case ErrorCode::kPermissionDenied:
            return "permission-denied";
        case ErrorCode::kNotFound:
            return "not-found";
        case ErrorCode::kAlreadyExists:
            return "already-exists";
        case ErrorCode::kConflict:
            return "conflict";
        case ErrorCode::kFailedPrecondition:
            return "failed-precondition";
        case ErrorCode::kTooLarge:
            return "too-large";
        case ErrorCode::kResourceExhausted:
            return "resource-exhausted";
        case ErrorCode::kUnavailable:
            return "unavailable";
        case ErrorCode::kDeadlineExceeded:
            return "deadline-exceeded";
        case ErrorCode::kInternal:
            return "internal";
    }
    return "internal";
}

Error Error::InvalidArgument(std::string message, std::string location) {
    Error error{ErrorCode::kInvalidArgument, std::move(message), {}, std::move(location), {}};
    if (!error.location.empty()) {
        error.field_errors.push_back({error.location, error.public_message, std::nullopt});
    }
    return error;
}

Error Error::Validation(std::vector<FieldError> errors) {
    Error error{ErrorCode::kInvalidArgument, "The request failed validation.", {}, {}, {}};
    if (!errors.empty()) {
        error.location = errors.front().field;
        if (errors.size() == 1) {
            error.public_message = errors.front().message;
        }
    }
    error.field_errors = std::move(errors);
    return error;
}

Error Error::NotFound(std::string message) {
    return {ErrorCode::kNotFound, std::move(message), {}, {}, {}};
}

Error Error::Unauthenticated(std::string message) {
    return {ErrorCode::kUnauthenticated, std::move(message), {}, {}, {}};
}

Error Error::PermissionDenied(std::string message) {
    return {ErrorCode::kPermissionDenied, std::move(message), {}, {}, {}};
}

Error Error::AlreadyExists(std::string message, std::string location) {
    Error error{ErrorCode::kAlreadyExists, std::move(message), {}, std::move(location), {}};
    if (!error.location.empty()) {
        error.field_errors.push_back({error.location, error.public_message, std::nullopt});
    }
    return error;
}

Error Error::Conflict(std::string message, std::string location) {
    Error error{ErrorCode::kConflict, std::move(message), {}, std::move(location), {}};
    if (!error.location.empty()) {
        error.field_errors.push_back({error.location, error.public_message, std::nullopt});
    }
    return error;
}

Error Error::FailedPrecondition(std::string message) {
    return {ErrorCode::kFailedPrecondition, std::move(message), {}, {}, {}};
}

Error Error::TooLarge(std::string message) {
    return {ErrorCode::kTooLarge, std::move(message), {}, {}, {}};
}

Error Error::Unavailable(std::string message, std::string detail) {
    return {ErrorCode::kUnavailable, std::move(message), std::move(detail), {}, {}};
}

Error Error::Internal(std::string detail) {
    return {ErrorCode::kInternal, "An internal error occurred.", std::move(detail), {}, {}};
}

}  // namespace p360
