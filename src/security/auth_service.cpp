#include "security/auth_service.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/time_format.hpp"
#include "security/passwords.hpp"
#include "security/sharing_stamp.hpp"

namespace p360::security {
namespace {

using std::chrono::milliseconds;
using storage::Value;

constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kMaxCachedSessions = 100'000;
constexpr std::size_t kMaxUsernameLength = 64;
// Bounds on the login throttles' memory: enough for any real crowd, small enough for a flood.
constexpr std::size_t kMaxTrackedAddresses = 10'000;
constexpr std::size_t kMaxTrackedUnknownUsernames = 10'000;

std::string Base64Url(const unsigned char* data, std::size_t size) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (std::size_t byte_idx = 0; byte_idx < size; ++byte_idx) {
        buffer = (buffer << 8) | data[byte_idx];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(kAlphabet[(buffer >> bits) & 63U]);
        }
    }
    if (bits > 0) {
        out.push_back(kAlphabet[(buffer << (6 - bits)) & 63U]);
    }
    return out;
}

bool IsValidUsername(std::string_view username) {
    if (username.size() < 2 || username.size() > kMaxUsernameLength) {
        return false;
    }
    return std::all_of(username.begin(), username.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-' || c == '@';
    });
}

milliseconds Millis(std::chrono::seconds duration) {
    return std::chrono::duration_cast<milliseconds>(duration);
}

// Milliseconds since the epoch of a datetime written by FormatDateTime (YYYY-MM-DDTHH:MM:SS.mmmZ).
std::int64_t CanonicalMillis(std::string_view text) {
    if (text.size() < 23) {
        return 0;
    }
    auto number = [text](std::size_t pos, std::size_t count) {
        int value = 0;
        (void)std::from_chars(text.data() + pos, text.data() + pos + count, value);
        return value;
    };
    const std::int64_t days = DaysFromCivil(number(0, 4), static_cast<unsigned>(number(5, 2)),
                                            static_cast<unsigned>(number(8, 2)));
    const std::int64_t seconds =
        ((days * 24 + number(11, 2)) * 60 + number(14, 2)) * 60 + number(17, 2);
    return seconds * 1000 + number(20, 3);
}

// A login refused before its password was checked; `retry_after` learns when to try again.
Error Throttled(std::string message, milliseconds wait, std::chrono::seconds* retry_after) {
    if (retry_after != nullptr) {
        *retry_after =
            std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(wait));
    }
    return Error{ErrorCode::kResourceExhausted, std::move(message), {}, {}, {}};
}

Status InsertSession(storage::Connection& connection, const Session& session,
                     const std::string& created_at, const std::string& absolute_expires_at) {
    const Value params[] = {Sha256Hex(session.token), session.actor.user_id, created_at,
                            session.expires_at, absolute_expires_at};
    return connection.Execute(
        "INSERT INTO sys_sessions (token_hash, user_id, created_at, expires_at, "
        "absolute_expires_at) VALUES (?, ?, ?, ?, ?)",
        params);
}

// The columns of sys_users (aliased u) an Actor is made of, in ActorFrom's order.
#define P360_ACTOR_COLUMNS "u.id, u.username, u.role, u.person_id, u.permission_sets"
constexpr std::size_t kActorColumnCount = 5;

std::vector<std::string> SplitNames(const std::string& names) {
    std::vector<std::string> split;
    std::size_t start = 0;
    while (start < names.size()) {
        const std::size_t end = std::min(names.find(',', start), names.size());
        if (end > start) {
            split.push_back(names.substr(start, end - start));
        }
        start = end + 1;
    }
    return split;
}

std::string JoinNames(const std::vector<std::string>& names) {
    std::string joined;
    for (const std::string& name : names) {
        joined.append(joined.empty() ? "" : ",").append(name);
    }
    return joined;
}

std::string TextOrEmpty(const Value& value) {
    const auto* text = std::get_if<std::string>(&value);
    return text != nullptr ? *text : std::string();
}

// The Actor in the first kActorColumnCount columns of `row`.
Actor ActorFrom(const storage::Row& row) {
    Actor actor{std::get<std::string>(row[0]), std::get<std::string>(row[1]),
                std::get<std::string>(row[2])};
    actor.person_id = TextOrEmpty(row[3]);
    actor.permission_sets = SplitNames(TextOrEmpty(row[4]));
    return actor;
}

constexpr const char* kSelectUserAccount =
    "SELECT " P360_ACTOR_COLUMNS ", u.active, u.created_at FROM sys_users AS u";

UserAccount ToUserAccount(const storage::Row& row) {
    const Actor actor = ActorFrom(row);
    return {actor.user_id,
            actor.username,
            actor.role,
            std::get<std::int64_t>(row[kActorColumnCount]) == 1,
            std::get<std::string>(row[kActorColumnCount + 1]),
            actor.person_id,
            actor.permission_sets};
}

Error NoSuchUser() { return Error::NotFound("No user with this id."); }

Status CheckRoleChange(const std::string& from, const std::string& to) {
    const auto& roles = KnownRoles();
    if (std::find(roles.begin(), roles.end(), to) == roles.end()) {
        return Error::InvalidArgument("Unknown role.", "role");
    }
    if (from != to && (from == "portal_member" || to == "portal_member")) {
        return Error::InvalidArgument(
            "Portal members are bound to their Person record; create a separate user instead.",
            "role");
    }
    return Ok();
}

// Refuses a change that would take the last active admin's role or access away, which would
// leave nobody able to administer users. Runs inside the write that applies the change.
Status KeepAnActiveAdmin(storage::Connection& connection, const UserAccount& before,
                         const UserChange& change) {
    const bool stays_admin = change.role.value_or(before.role) == "admin";
    const bool stays_active = change.active.value_or(before.active);
    if (before.role != "admin" || !before.active || (stays_admin && stays_active)) {
        return Ok();
    }
    // Touching every active admin's row first makes concurrent changes of admins wait for each
    // other (PostgreSQL row locks; SQLite has one writer anyway), so two administrators demoting
    // each other at once cannot both see the other still in charge.
    P360_TRY(
        connection.Execute("UPDATE sys_users SET role = role WHERE role = 'admin' AND active = 1"));
    const Value id[] = {before.id};
    P360_ASSIGN_OR_RETURN(
        auto other,
        connection.QueryOne(
            "SELECT 1 FROM sys_users WHERE role = 'admin' AND active = 1 AND id <> ?", id));
    if (!other) {
        return Error::Conflict("This is the last active admin; make another user admin first.",
                               stays_admin ? "active" : "role");
    }
    return Ok();
}

}  // namespace

const std::vector<std::string_view>& KnownRoles() {
    static const std::vector<std::string_view> kRoles = {
        "admin",     "agent",           "supervisor", "care_manager", "sales",
        "marketing", "network_manager", "auditor",    "portal_member"};
    return kRoles;
}

std::string Sha256Hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned int byte_idx = 0; byte_idx < length; ++byte_idx) {
        hex.push_back(kHex[digest[byte_idx] >> 4]);
        hex.push_back(kHex[digest[byte_idx] & 15U]);
    }
    return hex;
}

LoginRateLimiter::LoginRateLimiter(const Clock& clock, int burst, std::chrono::seconds refill)
    : clock_(clock),
      burst_(std::max(1, burst)),
      refill_(std::max(milliseconds(1), Millis(refill))) {}

std::optional<milliseconds> LoginRateLimiter::Take(std::string_view address) {
    if (address.empty()) {
        return std::nullopt;
    }
    const auto now = clock_.Monotonic();
    std::lock_guard lock(mutex_);
    auto found = full_at_.find(std::string(address));
    if (found == full_at_.end()) {
        MakeRoomLocked(now);
        found = full_at_.emplace(std::string(address), now).first;
    }
    // Each attempt moves "full again" one refill later; attempts are allowed while that stays
    // within burst - 1 refills of now.
    const auto full_at = std::max(found->second, now);
    const auto allowance = refill_ * (burst_ - 1);
    if (full_at - now > allowance) {
        return std::chrono::ceil<milliseconds>(full_at - now - allowance);
    }
    found->second = full_at + refill_;
    return std::nullopt;
}

// A full bucket is the same as no bucket, so those go first; if a flood of addresses leaves
// none full, forgetting them all keeps memory bounded.
void LoginRateLimiter::MakeRoomLocked(std::chrono::steady_clock::time_point now) {
    if (full_at_.size() < kMaxTrackedAddresses) {
        return;
    }
    std::erase_if(full_at_, [now](const auto& entry) { return entry.second <= now; });
    if (full_at_.size() >= kMaxTrackedAddresses) {
        full_at_.clear();
    }
}

AuthService::AuthService(storage::Database& database, const Clock& clock, AuthOptions options)
    : database_(database),
      clock_(clock),
      options_(options),
      rate_limiter_(clock, options.login_burst, options.login_refill) {}

Result<Actor> AuthService::CreateUser(std::string_view username, std::string_view password,
                                      std::string_view role, std::string_view person_id) {
    if (!IsValidUsername(username)) {
        return Error::InvalidArgument(
            "A username has 2 to 64 characters: lowercase letters, digits, . _ - @.", "username");
    }
    const auto& roles = KnownRoles();
    if (std::find(roles.begin(), roles.end(), role) == roles.end()) {
        return Error::InvalidArgument("Unknown role.", "role");
    }
    if ((role == "portal_member") != !person_id.empty()) {
        return Error::InvalidArgument(role == "portal_member"
                                          ? "A portal member names the Person record they are."
                                          : "Only portal members are linked to a member.",
                                      "personId");
    }
    P360_TRY(CheckPasswordPolicy(password, username));
    P360_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));

    Actor actor{NewId("usr", clock_.NowMillis()), std::string(username), std::string(role)};
    actor.person_id = std::string(person_id);
    const Value params[] = {actor.user_id,
                            actor.username,
                            hash,
                            actor.role,
                            std::int64_t{1},
                            FormatDateTime(clock_.NowMillis()),
                            person_id.empty() ? Value{} : Value{actor.person_id}};
    Status status = database_.Write([&](storage::Connection& connection) -> Status {
        if (!person_id.empty()) {
            const Value person[] = {actor.person_id};
            P360_ASSIGN_OR_RETURN(
                auto found, connection.QueryOne("SELECT 1 FROM \"Person\" WHERE id = ?", person));
            if (!found) {
                return Error::InvalidArgument("No Person record has this id.", "personId");
            }
        }
        return connection.Execute(
            "INSERT INTO sys_users (id, username, password_hash, role, active, created_at, "
            "person_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            params);
    });
    if (!status.ok()) {
        if (status.error().code == ErrorCode::kAlreadyExists) {
            return Error::AlreadyExists("This username is taken.", "username");
        }
        return std::move(status).error();
    }
    return actor;
}

Result<Session> AuthService::Login(std::string_view username, std::string_view password,
                                   std::string_view client_address,
                                   std::chrono::seconds* retry_after) {
    if (auto wait = rate_limiter_.Take(client_address)) {
        return Throttled("Too many login attempts from this address; try again later.", *wait,
                         retry_after);
    }
    P360_ASSIGN_OR_RETURN(std::optional<LoginUser> user, FindLoginUser(username));
    const LoginFailures failures = user ? user->failures : UnknownUserFailures(username);
    const std::int64_t now = clock_.NowMillis();
    if (failures.locked_until > now) {
        // No password check while locked: a guess then costs us nothing and tells nothing.
        return Throttled("Too many failed logins for this username; try again later.",
                         milliseconds(failures.locked_until - now), retry_after);
    }
    if (!PasswordMatches(user, password)) {
        P360_TRY(RecordFailure(user, username));
        return Error::Unauthenticated("The username or password is incorrect.");
    }
    return StartSession(*user);
}

Result<std::optional<AuthService::LoginUser>> AuthService::FindLoginUser(
    std::string_view username) {
    std::optional<storage::Row> row;
    P360_TRY(database_.Read([&](storage::Connection& connection) -> Status {
        const Value params[] = {std::string(username)};
        P360_ASSIGN_OR_RETURN(
            row, connection.QueryOne("SELECT " P360_ACTOR_COLUMNS ", u.password_hash, u.active, "
                                     "u.failed_logins, u.locked_until FROM sys_users AS u "
                                     "WHERE u.username = ?",
                                     params));
        return Ok();
    }));
    if (!row) {
        return std::optional<LoginUser>();
    }
    LoginUser user;
    user.actor = ActorFrom(*row);
    constexpr std::size_t kFirst = kActorColumnCount;
    user.password_hash = std::get<std::string>((*row)[kFirst]);
    user.active = std::get<std::int64_t>((*row)[kFirst + 1]) == 1;
    user.failures.count = std::get<std::int64_t>((*row)[kFirst + 2]);
    if (const auto* locked_until = std::get_if<std::string>(&(*row)[kFirst + 3])) {
        user.failures.locked_until = CanonicalMillis(*locked_until);
    }
    return std::optional<LoginUser>(std::move(user));
}

bool AuthService::PasswordMatches(const std::optional<LoginUser>& user,
                                  std::string_view password) const {
    if (!user) {
        // Spend the time a real verification would, so response time does not reveal whether
        // the username exists.
        static const std::string kDecoyHash = [] {
            auto hash = HashPassword("decoy password for unknown users");
            return hash.ok() ? hash.value() : std::string();
        }();
        (void)VerifyPassword(password, kDecoyHash);
        return false;
    }
    // An inactive user's password is still checked, so the answer takes the same time.
    return VerifyPassword(password, user->password_hash) && user->active;
}

std::chrono::milliseconds AuthService::LockoutAfter(std::int64_t failures) const {
    if (failures < options_.failures_before_lockout) {
        return milliseconds(0);
    }
    milliseconds lockout = Millis(options_.first_lockout);
    for (std::int64_t extra = failures - options_.failures_before_lockout;
         extra > 0 && lockout < options_.max_lockout; --extra) {
        lockout *= 2;
    }
    return std::min(lockout, Millis(options_.max_lockout));
}

Status AuthService::RecordFailure(const std::optional<LoginUser>& user, std::string_view username) {
    if (!user) {
        RecordUnknownUserFailure(username);
        return Ok();
    }
    const std::int64_t now = clock_.NowMillis();
    milliseconds lockout(0);
    const Value user_id[] = {user->actor.user_id};
    P360_TRY(database_.Write([&](storage::Connection& connection) -> Status {
        // Counted in the database, so concurrent failures all count.
        P360_TRY(connection.Execute(
            "UPDATE sys_users SET failed_logins = failed_logins + 1 WHERE id = ?", user_id));
        P360_ASSIGN_OR_RETURN(
            auto row,
            connection.QueryOne("SELECT failed_logins FROM sys_users WHERE id = ?", user_id));
        lockout = row ? LockoutAfter(std::get<std::int64_t>((*row)[0])) : milliseconds(0);
        if (lockout.count() == 0) {
            return Ok();
        }
        const Value params[] = {FormatDateTime(now + lockout.count()), user->actor.user_id};
        return connection.Execute("UPDATE sys_users SET locked_until = ? WHERE id = ?", params);
    }));
    if (lockout.count() > 0) {
        log::Warn("auth.login_locked", {{"user_id", user->actor.user_id},
                                        {"seconds", std::to_string(lockout.count() / 1000)}});
    }
    return Ok();
}

AuthService::LoginFailures AuthService::UnknownUserFailures(std::string_view username) {
    std::lock_guard lock(unknown_users_mutex_);
    auto found = unknown_user_failures_.find(std::string(username.substr(0, kMaxUsernameLength)));
    return found == unknown_user_failures_.end() ? LoginFailures{} : found->second;
}

void AuthService::RecordUnknownUserFailure(std::string_view username) {
    const std::int64_t now = clock_.NowMillis();
    // Longer names cannot exist, so they may share an entry.
    std::string key(username.substr(0, kMaxUsernameLength));
    std::lock_guard lock(unknown_users_mutex_);
    if (!unknown_user_failures_.contains(key) &&
        unknown_user_failures_.size() >= kMaxTrackedUnknownUsernames) {
        // Unlocked entries go first; a flood that leaves only locked ones loses them all, to
        // keep memory bounded.
        std::erase_if(unknown_user_failures_,
                      [now](const auto& entry) { return entry.second.locked_until <= now; });
        if (unknown_user_failures_.size() >= kMaxTrackedUnknownUsernames) {
            unknown_user_failures_.clear();
        }
    }
    LoginFailures& failures = unknown_user_failures_[std::move(key)];
    ++failures.count;
    if (const milliseconds lockout = LockoutAfter(failures.count); lockout.count() > 0) {
        failures.locked_until = now + lockout.count();
    }
}

Result<Session> AuthService::NewSession(const Actor& actor,
                                        const std::string& absolute_expires_at) const {
    std::array<unsigned char, kTokenBytes> random{};
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
        return Error::Internal("no randomness for a session token");
    }
    Session session;
    session.token = "p360." + Base64Url(random.data(), random.size());
    session.actor = actor;
    session.expires_at =
        std::min(FormatDateTime(clock_.NowMillis() + Millis(options_.session_ttl).count()),
                 absolute_expires_at);
    return session;
}

Result<Session> AuthService::StartSession(const LoginUser& user) {
    const std::int64_t now = clock_.NowMillis();
    const std::string absolute_expires_at =
        FormatDateTime(now + Millis(options_.session_max_lifetime).count());
    P360_ASSIGN_OR_RETURN(Session session, NewSession(user.actor, absolute_expires_at));
    const bool had_failures = user.failures.count > 0 || user.failures.locked_until > 0;
    P360_TRY(database_.Write([&](storage::Connection& connection) -> Status {
        const Value user_id[] = {user.actor.user_id};
        if (had_failures) {
            P360_TRY(connection.Execute(
                "UPDATE sys_users SET failed_logins = 0, locked_until = NULL WHERE id = ?",
                user_id));
        }
        // Expired sessions are of no use to anyone: drop this user's while we are here.
        const Value expired[] = {user.actor.user_id, FormatDateTime(now)};
        P360_TRY(connection.Execute(
            "DELETE FROM sys_sessions WHERE user_id = ? AND expires_at <= ?", expired));
        return InsertSession(connection, session, FormatDateTime(now), absolute_expires_at);
    }));
    return session;
}

Result<std::optional<AuthService::CachedSession>> AuthService::LoadSession(
    const std::string& token_hash) {
    std::optional<storage::Row> row;
    P360_TRY(database_.Read([&](storage::Connection& connection) -> Status {
        const Value params[] = {token_hash};
        P360_ASSIGN_OR_RETURN(
            row, connection.QueryOne(
                     "SELECT " P360_ACTOR_COLUMNS ", s.expires_at FROM sys_sessions s "
                     "JOIN sys_users u ON u.id = s.user_id WHERE s.token_hash = ? AND u.active = 1",
                     params));
        return Ok();
    }));
    if (!row) {
        return std::optional<CachedSession>();
    }
    CachedSession session;
    session.actor = ActorFrom(*row);
    session.expires_at = std::get<std::string>((*row)[kActorColumnCount]);
    session.checked_at = clock_.Monotonic();
    return std::optional<CachedSession>(std::move(session));
}

bool AuthService::IsExpired(const std::string& expires_at) const {
    return expires_at <= FormatDateTime(clock_.NowMillis());
}

Result<Actor> AuthService::Authenticate(std::string_view token) {
    const Error rejected = Error::Unauthenticated("The session is missing, invalid or expired.");
    if (token.empty() || token.size() > 256) {
        return rejected;
    }
    const std::string token_hash = Sha256Hex(token);
    std::uint64_t generation = 0;
    {
        std::lock_guard lock(cache_mutex_);
        auto cached = cache_.find(token_hash);
        if (cached != cache_.end() &&
            clock_.Monotonic() - cached->second.checked_at < options_.cache_ttl &&
            !IsExpired(cached->second.expires_at)) {
            return cached->second.actor;
        }
        generation = cache_generation_;
    }
    P360_ASSIGN_OR_RETURN(auto session, LoadSession(token_hash));
    std::lock_guard lock(cache_mutex_);
    if (!session || IsExpired(session->expires_at)) {
        EraseCachedLocked(token_hash);
        return rejected;
    }
    if (generation == cache_generation_) {
        CacheLocked(token_hash, *session);
    }
    return session->actor;
}

Result<Session> AuthService::Refresh(std::string_view token) {
    const Error rejected = Error::Unauthenticated("The session is missing, invalid or expired.");
    if (token.empty() || token.size() > 256) {
        return rejected;
    }
    const std::string old_hash = Sha256Hex(token);
    const std::string now = FormatDateTime(clock_.NowMillis());
    std::optional<Session> renewed;
    // One transaction: of two concurrent refreshes of a token, only one finds it.
    P360_TRY(database_.Write([&](storage::Connection& connection) -> Status {
        const Value old_token[] = {old_hash};
        P360_ASSIGN_OR_RETURN(
            auto row, connection.QueryOne(
                          "SELECT " P360_ACTOR_COLUMNS ", s.expires_at, s.absolute_expires_at "
                          "FROM sys_sessions s JOIN sys_users u ON u.id = s.user_id "
                          "WHERE s.token_hash = ? AND u.active = 1",
                          old_token));
        if (!row) {
            return rejected;
        }
        const std::string& absolute_expires_at =
            std::get<std::string>((*row)[kActorColumnCount + 1]);
        if (absolute_expires_at <= now) {
            return Error::Unauthenticated(
                "The session has reached its maximum lifetime; log in again.");
        }
        if (std::get<std::string>((*row)[kActorColumnCount]) <= now) {
            return rejected;
        }
        const Actor actor = ActorFrom(*row);
        P360_ASSIGN_OR_RETURN(Session session, NewSession(actor, absolute_expires_at));
        P360_TRY(connection.Execute("DELETE FROM sys_sessions WHERE token_hash = ?", old_token));
        P360_TRY(InsertSession(connection, session, now, absolute_expires_at));
        renewed = std::move(session);
        return Ok();
    }));
    ForgetCachedToken(old_hash);
    return std::move(*renewed);
}

Status AuthService::Logout(std::string_view token) {
    const std::string token_hash = Sha256Hex(token);
    const Value params[] = {token_hash};
    P360_TRY(database_.Write([&params](storage::Connection& connection) -> Status {
        return connection.Execute("DELETE FROM sys_sessions WHERE token_hash = ?", params);
    }));
    ForgetCachedToken(token_hash);
    return Ok();
}

Result<std::vector<UserAccount>> AuthService::ListUsers() {
    std::vector<UserAccount> users;
    P360_TRY(database_.Read([&users](storage::Connection& connection) -> Status {
        P360_ASSIGN_OR_RETURN(
            auto rows, connection.Query(std::string(kSelectUserAccount) + " ORDER BY username"));
        for (const storage::Row& row : rows) {
            users.push_back(ToUserAccount(row));
        }
        return Ok();
    }));
    return users;
}

Result<UserAccount> AuthService::SetActive(std::string_view user_id, bool active) {
    return ChangeUser(user_id, UserChange{std::nullopt, active});
}

Result<UserAccount> AuthService::ChangeUser(std::string_view user_id, const UserChange& change) {
    std::optional<storage::Row> row;
    P360_TRY(database_.Write([&](storage::Connection& connection) -> Status {
        const Value id[] = {std::string(user_id)};
        const std::string select_user = std::string(kSelectUserAccount) + " WHERE id = ?";
        P360_ASSIGN_OR_RETURN(auto found, connection.QueryOne(select_user, id));
        if (!found) {
            return NoSuchUser();
        }
        const UserAccount before = ToUserAccount(*found);
        if (change.role) {
            P360_TRY(CheckRoleChange(before.role, *change.role));
        }
        P360_TRY(KeepAnActiveAdmin(connection, before, change));
        const std::string role = change.role.value_or(before.role);
        const bool active = change.active.value_or(before.active);
        const Value params[] = {role, std::int64_t{active ? 1 : 0}, std::string(user_id)};
        P360_TRY(
            connection.Execute("UPDATE sys_users SET role = ?, active = ? WHERE id = ?", params));
        if (role != before.role) {
            P360_TRY(StampSharingChange(connection, clock_));  // the role hierarchy moved
        }
        if (!active) {
            // Reactivation must not bring old tokens back to life.
            P360_TRY(connection.Execute("DELETE FROM sys_sessions WHERE user_id = ?", id));
        }
        P360_ASSIGN_OR_RETURN(row, connection.QueryOne(select_user, id));
        return Ok();
    }));
    // Cached actors carry the old role; the next request reads the new one.
    ForgetCachedUser(user_id);
    return ToUserAccount(*row);
}

Result<UserAccount> AuthService::SetPermissionSets(
    std::string_view user_id, const std::vector<std::string>& permission_sets) {
    std::optional<storage::Row> row;
    P360_TRY(database_.Write([&](storage::Connection& connection) -> Status {
        const Value id[] = {std::string(user_id)};
        const Value params[] = {JoinNames(permission_sets), std::string(user_id)};
        P360_TRY(
            connection.Execute("UPDATE sys_users SET permission_sets = ? WHERE id = ?", params));
        if (connection.ChangedRows() == 0) {
            return NoSuchUser();
        }
        P360_ASSIGN_OR_RETURN(
            row, connection.QueryOne(std::string(kSelectUserAccount) + " WHERE id = ?", id));
        return Ok();
    }));
    ForgetCachedUser(user_id);  // cached actors carry the old sets
    return ToUserAccount(*row);
}

Result<std::int64_t> AuthService::RevokeSessions(std::string_view user_id) {
    std::int64_t revoked = 0;
    P360_TRY(database_.Write([&](storage::Connection& connection) -> Status {
        const Value id[] = {std::string(user_id)};
        P360_ASSIGN_OR_RETURN(auto user,
                              connection.QueryOne("SELECT 1 FROM sys_users WHERE id = ?", id));
        if (!user) {
            return NoSuchUser();
        }
        P360_TRY(connection.Execute("DELETE FROM sys_sessions WHERE user_id = ?", id));
        revoked = connection.ChangedRows();
        return Ok();
    }));
    ForgetCachedUser(user_id);
    return revoked;
}

void AuthService::CacheLocked(const std::string& token_hash, const CachedSession& session) {
    if (cache_.size() >= kMaxCachedSessions && !cache_.contains(token_hash)) {
        cache_.clear();
        cached_by_user_.clear();
    }
    cache_[token_hash] = session;
    cached_by_user_[session.actor.user_id].insert(token_hash);
}

void AuthService::EraseCachedLocked(const std::string& token_hash) {
    auto cached = cache_.find(token_hash);
    if (cached == cache_.end()) {
        return;
    }
    auto user = cached_by_user_.find(cached->second.actor.user_id);
    if (user != cached_by_user_.end()) {
        user->second.erase(token_hash);
        if (user->second.empty()) {
            cached_by_user_.erase(user);
        }
    }
    cache_.erase(cached);
}

void AuthService::ForgetCachedToken(const std::string& token_hash) {
    std::lock_guard lock(cache_mutex_);
    EraseCachedLocked(token_hash);
    ++cache_generation_;
}

void AuthService::ForgetCachedUser(std::string_view user_id) {
    std::lock_guard lock(cache_mutex_);
    if (auto user = cached_by_user_.find(std::string(user_id)); user != cached_by_user_.end()) {
        for (const std::string& token_hash : user->second) {
            cache_.erase(token_hash);
        }
        cached_by_user_.erase(user);
    }
    ++cache_generation_;
}

}  // namespace p360::security
