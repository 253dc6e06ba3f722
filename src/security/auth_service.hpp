// Users and sessions: creating and listing users, logging in, refreshing and revoking
// sessions, and turning a bearer token back into an Actor.
//
// Tokens are 256 random bits, shown to the client once and stored only as their SHA-256 hash,
// so a copy of the database does not let anyone log in. Authenticate() caches verified tokens
// briefly in memory (the hot path of every request) and re-reads them from the database after
// `cache_ttl`, so a session deleted by another node stops working within that time; logout,
// refresh, revocation and deactivation on this node drop the cached entries at once.
//
// A session lasts `session_ttl`. Refresh() swaps its token for a new one with a fresh
// `session_ttl`, but never beyond `session_max_lifetime` after the login that began it.
//
// Logins are throttled before any password is checked, so throttled guesses cost no Argon2
// time: per client address by a token bucket, and per username by a lockout after
// `failures_before_lockout` consecutive failures that doubles with each further failure.
// Unknown usernames are locked out exactly like real ones (tracked in memory, bounded), so
// throttling reveals nothing about which usernames exist; real users' counters are kept in
// sys_users and survive a restart. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
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

// A user as administrators see it: never the password hash.
struct UserAccount {
    std::string id;
    std::string username;
    std::string role;
    bool active = true;
    std::string created_at;                    // canonical UTC datetime
    std::string person_id;                     // the member a portal user is
    std::vector<std::string> permission_sets;  // held beyond the role's
};

// What an administrator changes about a user; an absent member stays as it is.
struct UserChange {
    std::optional<std::string> role;
    std::optional<bool> active;
};

struct AuthOptions {
    std::chrono::seconds session_ttl{std::chrono::hours(8)};
    // Refresh extends a session up to this long after its login, never beyond.
    std::chrono::seconds session_max_lifetime{std::chrono::hours(24 * 7)};
    std::chrono::seconds cache_ttl{std::chrono::seconds(30)};
    // This many consecutive failed logins lock a username for `first_lockout`; each further
    // failure doubles the lockout, up to `max_lockout`.
    int failures_before_lockout = 5;
    std::chrono::seconds first_lockout{std::chrono::minutes(1)};
    std::chrono::seconds max_lockout{std::chrono::hours(1)};
    // Per client address: `login_burst` attempts at once, then one more every `login_refill`.
    int login_burst = 20;
    std::chrono::seconds login_refill{std::chrono::seconds(3)};
};

// Token buckets of login attempts per client address, bounded in memory. Each bucket is kept
// as the moment it will be full again (the GCRA form): one timestamp, exact integer arithmetic.
// Thread-safe.
class LoginRateLimiter {
public:
    LoginRateLimiter(const Clock& clock, int burst, std::chrono::seconds refill);

    // Takes one attempt from the address's bucket. When the bucket is empty, nothing is taken
    // and the answer is how long until the next attempt is allowed.
    std::optional<std::chrono::milliseconds> Take(std::string_view address);

private:
    void MakeRoomLocked(std::chrono::steady_clock::time_point now);

    const Clock& clock_;
    const int burst_;
    const std::chrono::milliseconds refill_;

    std::mutex mutex_;
    // address → when its bucket is full again; a bucket full by now may be forgotten.
    std::unordered_map<std::string, std::chrono::steady_clock::time_point>
        full_at_;  // guarded by mutex_
};

class AuthService {
public:
    AuthService(storage::Database& database, const Clock& clock, AuthOptions options = {});

    // Fails with kAlreadyExists for a taken username, kInvalidArgument for a weak password or
    // an unknown role. A portal member must name the Person record they are (`person_id`);
    // staff must not.
    Result<Actor> CreateUser(std::string_view username, std::string_view password,
                             std::string_view role, std::string_view person_id = {});

    // Fails with kUnauthenticated for an unknown or inactive user or a wrong password (the same
    // message for all, so usernames cannot be probed), and with kResourceExhausted, before any
    // password check, when `client_address` has no attempts left or the username is locked
    // out; then `*retry_after` (when given) says how long to wait. An empty address is not
    // rate limited (the command line, tests).
    Result<Session> Login(std::string_view username, std::string_view password,
                          std::string_view client_address = {},
                          std::chrono::seconds* retry_after = nullptr);

    // The actor behind a bearer token; kUnauthenticated when unknown or expired.
    Result<Actor> Authenticate(std::string_view token);

    // Ends the session of `token` and starts one for the same user with a new token that
    // expires `session_ttl` from now, capped at the session's maximum lifetime. The old token
    // stops working at once. kUnauthenticated for an unknown or expired token, or a session at
    // its maximum lifetime (log in again).
    Result<Session> Refresh(std::string_view token);

    Status Logout(std::string_view token);

    // Every user, by username.
    Result<std::vector<UserAccount>> ListUsers();

    // Deactivating ends every session of the user at once and refuses their logins until
    // reactivated. kNotFound for an unknown user id.
    Result<UserAccount> SetActive(std::string_view user_id, bool active);

    // Changes a user's role and/or active flag in one write. A new role takes effect on the
    // user's next request: the sessions they hold keep working but no longer carry the old
    // role's rights. kInvalidArgument (naming `role`) for an unknown role or a change to or from
    // portal_member (a portal member is bound to their Person record); kConflict when the change
    // would leave no active admin; kNotFound for an unknown user id.
    Result<UserAccount> ChangeUser(std::string_view user_id, const UserChange& change);

    // Replaces the permission sets the user holds beyond their role's; sessions see the change
    // on their next request. The names must be checked against the policy by the caller.
    Result<UserAccount> SetPermissionSets(std::string_view user_id,
                                          const std::vector<std::string>& permission_sets);

    // Ends every session of the user at once; returns how many there were. kNotFound for an
    // unknown user id.
    Result<std::int64_t> RevokeSessions(std::string_view user_id);

private:
    struct CachedSession {
        Actor actor;
        std::string expires_at;  // canonical UTC datetime, compared as text
        std::chrono::steady_clock::time_point checked_at;
    };

    // Consecutive failed logins of one username, and until when it is locked (unix millis).
    struct LoginFailures {
        std::int64_t count = 0;
        std::int64_t locked_until = 0;
    };

    struct LoginUser {
        Actor actor;
        std::string password_hash;
        bool active = false;
        LoginFailures failures;
    };

    Result<std::optional<LoginUser>> FindLoginUser(std::string_view username);
    bool PasswordMatches(const std::optional<LoginUser>& user, std::string_view password) const;
    std::chrono::milliseconds LockoutAfter(std::int64_t failures) const;
    Status RecordFailure(const std::optional<LoginUser>& user, std::string_view username);
    LoginFailures UnknownUserFailures(std::string_view username);
    void RecordUnknownUserFailure(std::string_view username);
    Result<Session> StartSession(const LoginUser& user);
    Result<Session> NewSession(const Actor& actor, const std::string& absolute_expires_at) const;

    Result<std::optional<CachedSession>> LoadSession(const std::string& token_hash);
    bool IsExpired(const std::string& expires_at) const;
    void CacheLocked(const std::string& token_hash, const CachedSession& session);
    void EraseCachedLocked(const std::string& token_hash);
    void ForgetCachedToken(const std::string& token_hash);
    void ForgetCachedUser(std::string_view user_id);

    storage::Database& database_;
    const Clock& clock_;
    const AuthOptions options_;
    LoginRateLimiter rate_limiter_;

    std::mutex cache_mutex_;
    std::unordered_map<std::string, CachedSession> cache_;  // guarded by cache_mutex_
    // user id → token hashes in cache_, so a user's entries can be dropped without a scan.
    std::unordered_map<std::string, std::unordered_set<std::string>>
        cached_by_user_;  // guarded by cache_mutex_
    // Bumped whenever entries are dropped, so a lookup that read the database before the drop
    // does not put a revoked session back. Guarded by cache_mutex_.
    std::uint64_t cache_generation_ = 0;

    std::mutex unknown_users_mutex_;
    // Failures of usernames that do not exist, bounded.
    std::unordered_map<std::string, LoginFailures>
        unknown_user_failures_;  // guarded by unknown_users_mutex_
};

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace p360::security
