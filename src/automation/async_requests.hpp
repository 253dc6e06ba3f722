// AsyncRequests: HTTP requests answered later (FHIR bulk export and import), as their callers
// follow them.
//
// A request is a row in `sys_async_requests`: who made it (only they, or an administrator, may
// follow it), what they asked, its status (accepted → in-progress → completed | failed, or
// cancelled at any time), a progress line while it runs, and its result (JSON text) when done.
// The work itself runs as a job on the JobQueue; creating the request and enqueuing its job
// happen in one transaction, so a request the caller was told about always has its job.
// Finished requests expire: their rows and files are removed after `expires_at`.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "storage/database.hpp"

namespace p360::automation {

struct AsyncRequest {
    std::string id;
    std::string kind;      // e.g. fhir.export, fhir.import
    std::string owner_id;  // the user who made the request
    std::string request;   // what was asked (the kick-off URL)
    std::string status;    // accepted, in-progress, completed, failed, cancelled
    std::string progress;  // a line for people, while it runs
    std::string result;    // JSON text, when completed
    std::string error;     // the public message, when failed
    std::string created_at;
    std::int64_t expires_at = 0;  // epoch milliseconds; 0 = not before it finishes
};

inline constexpr std::string_view kAsyncAccepted = "accepted";
inline constexpr std::string_view kAsyncInProgress = "in-progress";
inline constexpr std::string_view kAsyncCompleted = "completed";
inline constexpr std::string_view kAsyncFailed = "failed";
inline constexpr std::string_view kAsyncCancelled = "cancelled";

class AsyncRequests {
public:
    static Result<std::unique_ptr<AsyncRequests>> Open(storage::Database& database,
                                                       const Clock& clock);

    // Inside the caller's transaction, with the job that will do the work.
    Status Create(storage::Connection& connection, const AsyncRequest& request);

    Result<AsyncRequest> Get(std::string_view id);

    // A running request's progress line; false when it was cancelled meanwhile (stop).
    Result<bool> Progress(std::string_view id, std::string_view progress);
    // Finished: completed with a result, or failed with a message. Both start the expiry
    // clock. A request cancelled meanwhile stays cancelled: false then.
    Result<bool> Complete(std::string_view id, std::string_view result, std::int64_t expires_at);
    Result<bool> Fail(std::string_view id, std::string_view message, std::int64_t expires_at);
    // Marks the request cancelled (it expires at once); kNotFound when there is none.
    Status Cancel(std::string_view id);
    Status Delete(std::string_view id);

    // Ids of requests whose expiry has passed, oldest first.
    Result<std::vector<std::string>> Expired(int limit);

private:
    AsyncRequests(storage::Database& database, const Clock& clock)
        : database_(database), clock_(clock) {}

    Result<bool> Finish(std::string_view id, std::string_view status, std::string_view result,
                        std::string_view error, std::int64_t expires_at);

    storage::Database& database_;
    const Clock& clock_;
};

}  // namespace p360::automation
