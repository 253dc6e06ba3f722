#include "security/auth_service.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>

#include "core/ids.hpp"
#include "core/time_format.hpp"
#include "security/passwords.hpp"

namespace p360::security {
namespace {

using storage::Value;

constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kMaxCachedSessions = 100'000;

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
    if (username.size() < 2 || username.size() > 64) {
        return false;
    }
    return std::all_of(username.begin(), username.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-' || c == '@';
    });
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

AuthService::AuthService(storage::Database& database, const Clock& clock, AuthOptions options)
    : database_(database), clock_(clock), options_(options) {}

Result<Actor> AuthService::CreateUser(std::string_view username, std::string_view password,
                                      std::string_view role) {
    if (!IsValidUsername(username)) {
        return Error::InvalidArgument(
            "A username has 2 to 64 characters: lowercase letters, digits, . _ - @.", "username");
    }
    const auto& roles = KnownRoles();
    if (std::find(roles.begin(), roles.end(), role) == roles.end()) {
        return Error::InvalidArgument("Unknown role.", "role");
    }
    P360_TRY(CheckPasswordPolicy(password));
    P360_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));

    Actor actor{NewId("usr", clock_.NowMillis()), std::string(username), std::string(role)};
    const Value params[] = {actor.user_id, actor.username,  hash,
                            actor.role,    std::int64_t{1}, FormatDateTime(clock_.NowMillis())};
    Status status = database_.Write([&params](storage::Connection& connection) -> Status {
        return connection.Execute(
            "INSERT INTO sys_users (id, username, password_hash, role, active, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
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

Result<Session> AuthService::Login(std::string_view username, std::string_view password) {
    std::optional<storage::Row> user;
    P360_TRY(database_.Read([&](storage::Connection& connection) -> Status {
        const Value params[] = {std::string(username)};
        P360_ASSIGN_OR_RETURN(
            user, connection.QueryOne("SELECT id, username, role, password_hash FROM sys_users "
                                      "WHERE username = ? AND active = 1",
                                      params));
        return Ok();
    }));
    const Error rejected = Error::Unauthenticated("The username or password is incorrect.");
    if (!user) {
        // Spend the time a real verification would, so response time does not reveal whether
        // the username exists.
        static const std::string kDecoyHash = [] {
            auto hash = HashPassword("decoy password for unknown users");
            return hash.ok() ? hash.value() : std::string();
        }();
        (void)VerifyPassword(password, kDecoyHash);
        return rejected;
    }
    if (!VerifyPassword(password, std::get<std::string>((*user)[3]))) {
        return rejected;
    }

    std::array<unsigned char, kTokenBytes> random{};
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
        return Error::Internal("no randomness for a session token");
    }
    Session session;
    session.token = "p360." + Base64Url(random.data(), random.size());
    session.actor = {std::get<std::string>((*user)[0]), std::get<std::string>((*user)[1]),
                     std::get<std::string>((*user)[2])};
    const std::int64_t now = clock_.NowMillis();
    session.expires_at = FormatDateTime(
        now + std::chrono::duration_cast<std::chrono::milliseconds>(options_.session_ttl).count());
    const Value params[] = {Sha256Hex(session.token), session.actor.user_id, FormatDateTime(now),
                            session.expires_at};
    P360_TRY(database_.Write([&params](storage::Connection& connection) -> Status {
        return connection.Execute(
            "INSERT INTO sys_sessions (token_hash, user_id, created_at, expires_at) "
            "VALUES (?, ?, ?, ?)",
            params);
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
                     "SELECT u.id, u.username, u.role, s.expires_at FROM sys_sessions s "
                     "JOIN sys_users u ON u.id = s.user_id WHERE s.token_hash = ? AND u.active = 1",
                     params));
        return Ok();
    }));
    if (!row) {
        return std::optional<CachedSession>();
    }
    CachedSession session;
    session.actor = {std::get<std::string>((*row)[0]), std::get<std::string>((*row)[1]),
                     std::get<std::string>((*row)[2])};
    session.expires_at = std::get<std::string>((*row)[3]);
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
    {
        std::lock_guard lock(cache_mutex_);
        auto cached = cache_.find(token_hash);
        if (cached != cache_.end() &&
            clock_.Monotonic() - cached->second.checked_at < options_.cache_ttl &&
            !IsExpired(cached->second.expires_at)) {
            return cached->second.actor;
        }
    }
    P360_ASSIGN_OR_RETURN(auto session, LoadSession(token_hash));
    if (!session || IsExpired(session->expires_at)) {
        std::lock_guard lock(cache_mutex_);
        cache_.erase(token_hash);
        return rejected;
    }
    std::lock_guard lock(cache_mutex_);
    if (cache_.size() >= kMaxCachedSessions) {
        cache_.clear();
    }
    cache_[token_hash] = *session;
    return session->actor;
}

Status AuthService::Logout(std::string_view token) {
    const std::string token_hash = Sha256Hex(token);
    {
        std::lock_guard lock(cache_mutex_);
        cache_.erase(token_hash);
    }
    const Value params[] = {token_hash};
    return database_.Write([&params](storage::Connection& connection) -> Status {
        return connection.Execute("DELETE FROM sys_sessions WHERE token_hash = ?", params);
    });
}

}  // namespace p360::security
