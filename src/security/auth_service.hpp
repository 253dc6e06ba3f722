// Users and sessions: creating users, logging in, and turning a bearer token back into an Actor.
//
// Tokens are 256 random bits, shown to the client once and stored only as their SHA-256 hash,
// so a copy of the database does not let anyone log in. Authenticate() caches verified tokens
// briefly in memory (the hot path of every request) and re-reads them from the database after
// `cache_ttl`, so a session deleted elsewhere stops working within that time. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "security/authorizer.hpp"
#include "storage/database.hpp"

namespace p360::security {

// The role slugs a user may hold.
const std::vector<std::string_view>& KnownRoles();

struct Session {
    std::string token;       // the bearer token; never stored
    std::string expires_at;  // canonical UTC datetime
    Actor actor;
};

struct AuthOptions {
    std::chrono::seconds session_ttl{std::chrono::hours(8)};
    std::chrono::seconds cache_ttl{std::chrono::seconds(30)};
};

class AuthService {
public:
    AuthService(storage::Database& database, const Clock& clock, AuthOptions options = {});

    // Fails with kAlreadyExists for a taken username, kInvalidArgument for a weak password or
    // an unknown role.
    Result<Actor> CreateUser(std::string_view username, std::string_view password,
                             std::string_view role);

    // Fails with kUnauthenticated for an unknown user or a wrong password (the same message
    // for both, so usernames cannot be probed).
    Result<Session> Login(std::string_view username, std::string_view password);

    // The actor behind a bearer token; kUnauthenticated when unknown or expired.
    Result<Actor> Authenticate(std::string_view token);

    Status Logout(std::string_view token);

private:
    struct CachedSession {
        Actor actor;
        std::string expires_at;  // canonical UTC datetime, compared as text
        std::chrono::steady_clock::time_point checked_at;
    };

    Result<std::optional<CachedSession>> LoadSession(const std::string& token_hash);
    bool IsExpired(const std::string& expires_at) const;

    storage::Database& database_;
    const Clock& clock_;
    const AuthOptions options_;

    std::mutex cache_mutex_;
    std::unordered_map<std::string, CachedSession> cache_;  // guarded by cache_mutex_
};

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace p360::security
