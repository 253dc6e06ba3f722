#include "automation/async_requests.hpp"

#include "core/time_format.hpp"

namespace p360::automation {
namespace {

using storage::Connection;
using storage::Row;
using storage::Value;

constexpr const char* kCreateRequests =
    "CREATE TABLE IF NOT EXISTS sys_async_requests (id TEXT PRIMARY KEY, kind TEXT NOT NULL, "
    "owner_id TEXT NOT NULL, request TEXT NOT NULL, status TEXT NOT NULL, progress TEXT, "
    "result TEXT, error TEXT, created_at TEXT NOT NULL, expires_at BIGINT NOT NULL)";
constexpr const char* kCreateExpiryIndex =
    "CREATE INDEX IF NOT EXISTS ix_sys_async_requests_expiry ON sys_async_requests "
    "(expires_at) WHERE expires_at > 0";
constexpr const char* kColumns =
    "id, kind, owner_id, request, status, progress, result, error, created_at, expires_at";

std::string TextOr(const Value& value) {
    const auto* text = std::get_if<std::string>(&value);
    return text != nullptr ? *text : std::string();
}

AsyncRequest FromRow(const Row& row) {
    AsyncRequest request;
    request.id = TextOr(row[0]);
    request.kind = TextOr(row[1]);
    request.owner_id = TextOr(row[2]);
    request.request = TextOr(row[3]);
    request.status = TextOr(row[4]);
    request.progress = TextOr(row[5]);
    request.result = TextOr(row[6]);
    request.error = TextOr(row[7]);
    request.created_at = TextOr(row[8]);
    const auto* expires = std::get_if<std::int64_t>(&row[9]);
    request.expires_at = expires != nullptr ? *expires : 0;
    return request;
}

}  // namespace

Result<std::unique_ptr<AsyncRequests>> AsyncRequests::Open(storage::Database& database,
                                                           const Clock& clock) {
    P360_TRY(database.WriteAlone([](Connection& connection) -> Status {
        P360_TRY(connection.Execute(kCreateRequests));
        return connection.Execute(kCreateExpiryIndex);
    }));
    return std::unique_ptr<AsyncRequests>(new AsyncRequests(database, clock));
}

Status AsyncRequests::Create(Connection& connection, const AsyncRequest& request) {
    const Value params[] = {request.id,
                            request.kind,
                            request.owner_id,
                            request.request,
                            std::string(kAsyncAccepted),
                            request.progress,
                            FormatDateTime(clock_.NowMillis())};
    return connection.Execute(
        "INSERT INTO sys_async_requests (id, kind, owner_id, request, status, progress, "
        "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
        params);
}

Result<AsyncRequest> AsyncRequests::Get(std::string_view id) {
    std::optional<AsyncRequest> found;
    P360_TRY(database_.Read([&](Connection& connection) -> Status {
        const Value params[] = {std::string(id)};
        P360_ASSIGN_OR_RETURN(auto row,
                              connection.QueryOne(std::string("SELECT ") + kColumns +
                                                      " FROM sys_async_requests WHERE id = ?",
                                                  params));
        if (row) {
            found = FromRow(*row);
        }
        return Ok();
    }));
    if (!found) {
        return Error::NotFound("No request with this id.");
    }
    return *found;
}

Result<bool> AsyncRequests::Progress(std::string_view id, std::string_view progress) {
    bool running = false;
    P360_TRY(database_.Write([&](Connection& connection) -> Status {
        const Value params[] = {std::string(kAsyncInProgress), std::string(progress),
                                std::string(id)};
        P360_TRY(connection.Execute(
            "UPDATE sys_async_requests SET status = ?, progress = ? WHERE id = ? AND status IN "
            "('accepted', 'in-progress')",
            params));
        running = connection.ChangedRows() == 1;
        return Ok();
    }));
    return running;
}

Result<bool> AsyncRequests::Finish(std::string_view id, std::string_view status,
                                   std::string_view result, std::string_view error,
                                   std::int64_t expires_at) {
    bool finished = false;
    P360_TRY(database_.Write([&](Connection& connection) -> Status {
        const Value params[] = {std::string(status), std::string(result), std::string(error),
                                expires_at, std::string(id)};
        P360_TRY(connection.Execute(
            "UPDATE sys_async_requests SET status = ?, result = ?, error = ?, expires_at = ?, "
            "progress = NULL WHERE id = ? AND status IN ('accepted', 'in-progress')",
            params));
        finished = connection.ChangedRows() == 1;
        return Ok();
    }));
    return finished;
}

Result<bool> AsyncRequests::Complete(std::string_view id, std::string_view result,
                                     std::int64_t expires_at) {
    return Finish(id, kAsyncCompleted, result, "", expires_at);
}

Result<bool> AsyncRequests::Fail(std::string_view id, std::string_view message,
                                 std::int64_t expires_at) {
    return Finish(id, kAsyncFailed, "", message, expires_at);
}

Status AsyncRequests::Cancel(std::string_view id) {
    bool found = false;
    P360_TRY(database_.Write([&](Connection& connection) -> Status {
        const Value params[] = {std::string(kAsyncCancelled), clock_.NowMillis(), std::string(id)};
        P360_TRY(connection.Execute(
            "UPDATE sys_async_requests SET status = ?, expires_at = ?, progress = NULL WHERE id "
            "= ? AND status <> 'cancelled'",
            params));
        found = connection.ChangedRows() == 1;
        return Ok();
    }));
    if (!found) {
        return Error::NotFound("No request with this id.");
    }
    return Ok();
}

Status AsyncRequests::Delete(std::string_view id) {
    return database_.Write([&](Connection& connection) -> Status {
        const Value params[] = {std::string(id)};
        return connection.Execute("DELETE FROM sys_async_requests WHERE id = ?", params);
    });
}

Result<std::vector<std::string>> AsyncRequests::Expired(int limit) {
    std::vector<std::string> ids;
    P360_TRY(database_.Read([&](Connection& connection) -> Status {
        const Value params[] = {clock_.NowMillis(), std::int64_t{limit}};
        return connection.ForEachRow(
            "SELECT id FROM sys_async_requests WHERE expires_at > 0 AND expires_at <= ? ORDER BY "
            "expires_at LIMIT ?",
            params, [&ids](const Row& row) {
                ids.push_back(TextOr(row[0]));
                return true;
            });
    }));
    return ids;
}

}  // namespace p360::automation
