// Result<T>: a value or an Error, for every operation that can fail for reasons outside the
// programmer's control. There is deliberately no conversion to bool: ask `ok()`.
//
//   Result<Record> Load(...);
//   P360_ASSIGN_OR_RETURN(auto record, Load(...));
//   P360_TRY(Validate(record));
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "core/error.hpp"

namespace p360 {

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
    Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return state_.index() == 0; }

    T& value() & {
        assert(ok());
        return std::get<0>(state_);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(state_);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(state_));
    }
    const Error& error() const& {
        assert(!ok());
        return std::get<1>(state_);
    }
    Error&& error() && {
        assert(!ok());
        return std::get<1>(std::move(state_));
    }

    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

private:
    std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

    bool ok() const { return ok_; }
    const Error& error() const& {
        assert(!ok_);
        return error_;
    }
    Error&& error() && {
        assert(!ok_);
        return std::move(error_);
    }

private:
    Error error_;
    bool ok_ = true;
};

using Status = Result<void>;

inline Status Ok() { return {}; }

}  // namespace p360

#define P360_CONCAT_INNER(a, b) a##b
#define P360_CONCAT(a, b) P360_CONCAT_INNER(a, b)

// Returns the error of `expr` (a Status or Result) from the enclosing function.
#define P360_TRY(expr)                                 \
    do {                                               \
        auto&& p360_try_result = (expr);               \
        if (!p360_try_result.ok()) {                   \
            return std::move(p360_try_result).error(); \
        }                                              \
    } while (false)

#define P360_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
    auto tmp = (expr);                             \
    if (!tmp.ok()) {                               \
        return std::move(tmp).error();             \
    }                                              \
    lhs = std::move(tmp).value()

// Declares or assigns `lhs` from the value of `expr`, or returns its error.
#define P360_ASSIGN_OR_RETURN(lhs, expr) \
    P360_ASSIGN_OR_RETURN_IMPL(P360_CONCAT(p360_result_, __LINE__), lhs, expr)
