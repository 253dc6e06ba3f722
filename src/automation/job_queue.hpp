// JobQueue: durable background work in the database, shared by every node.
//
// A job is a row in `sys_jobs`: a kind, a JSON payload, when it may run, how often it has been
// tried. Workers on any node claim due jobs with the dialect's claim suffix (`FOR UPDATE SKIP
// LOCKED` on PostgreSQL), so two nodes never take the same job; the handler runs inside the
// claiming transaction and the job is marked done in that same transaction. A handler whose
// effects are database writes therefore runs exactly once: if the node dies mid-job, the
// transaction rolls back and the job is claimed again; if it commits, the job is done.
// (Handlers with effects outside the database — an email, a webhook — get at-least-once and
// must be idempotent.)
//
// A failed attempt is rolled back to a savepoint, counted and the job rescheduled with
// exponential backoff; after `max_attempts` it is dead (the dead-letter state), kept for an
// operator to inspect and retry.
//
// Work too long to hold a transaction open (a bulk export runs for minutes, and on SQLite an
// open write transaction would stop every other writer) registers a *leased* handler instead:
// the claim counts the attempt and moves the job's run_at a lease ahead in a transaction of its
// own, the handler runs outside any transaction, and the outcome is recorded in a third. The
// job stays `ready` meanwhile, so if the node dies another node claims it once the lease runs
// out: leased handlers run at least once and must be idempotent. A handler that runs longer than
// its lease extends it (ExtendLease) as it goes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "storage/database.hpp"

namespace p360::automation {

struct JobSpec {
    std::string kind;
    std::string payload = "{}";  // JSON text, handed to the handler as is
    int max_attempts = 5;
    std::int64_t delay_millis = 0;  // run no earlier than this long from now
};

// What a handler is given.
struct Job {
    std::int64_t id = 0;
    std::string kind;
    std::string payload;
    int attempt = 1;  // 1 on the first try
    int max_attempts = 1;
    std::string node;
};

// A job as an operator sees it.
struct JobInfo {
    std::int64_t id = 0;
    std::string kind;
    std::string status;  // ready, done, dead
    int attempts = 0;
    int max_attempts = 0;
    std::string run_at;  // ISO datetime: the earliest next try (ready jobs)
    std::string created_at;
    std::string finished_at;  // done or dead
    std::string finished_by;  // the node that finished it
    std::string last_error;   // the last failed attempt's message (never PHI)
    std::string result;       // what the handler recorded, if anything
};

struct JobQueueOptions {
    std::string node = "node";                     // names this process in jobs
    std::chrono::milliseconds backoff_base{1000};  // 1st retry; doubles after
    std::chrono::milliseconds backoff_cap{std::chrono::hours(1)};
    std::chrono::milliseconds idle_poll{250};  // how often idle workers look for due jobs
};

class JobQueue {
public:
    // Returns OK, or an error to retry the job later. Runs inside the claiming transaction:
    // write only through `connection`.
    using Handler = std::function<Status(storage::Connection& connection, const Job& job)>;
    // Runs outside any transaction; see the leased handlers above.
    using LeasedHandler = std::function<Status(const Job& job)>;

    static Result<std::unique_ptr<JobQueue>> Open(storage::Database& database, const Clock& clock,
                                                  JobQueueOptions options);
    ~JobQueue();

    // Handlers must be registered before Start. A node claims only kinds it can handle.
    void RegisterHandler(std::string kind, Handler handler);
    void RegisterLeasedHandler(std::string kind, std::chrono::milliseconds lease,
                               LeasedHandler handler);
    bool Handles(std::string_view kind) const;

    // Enqueues inside the caller's transaction (with the write that causes it), or alone.
    Result<std::int64_t> Enqueue(storage::Connection& connection, const JobSpec& spec);
    Result<std::int64_t> Enqueue(const JobSpec& spec);

    // Claims and runs one due job; false when none was due.
    Result<bool> RunOne();

    // Moves a leased job's lease a whole lease ahead of now, so no other node claims it while
    // its handler is still at work.
    Status ExtendLease(const Job& job);

    // Worker threads that run jobs until Stop (or destruction).
    void Start(int workers);
    void Stop();

    Result<JobInfo> Get(std::int64_t id);
    Result<std::vector<JobInfo>> List(std::string_view status, int limit);
    Result<std::map<std::string, std::int64_t>> CountByStatus();
    // A dead job back to ready, with its attempts reset.
    Status Retry(std::int64_t id);

private:
    JobQueue(storage::Database& database, const Clock& clock, JobQueueOptions options);

    std::int64_t BackoffMillis(int attempt) const;
    struct Leased {
        std::chrono::milliseconds lease;
        LeasedHandler handler;
    };

    Result<std::optional<Job>> Claim(storage::Connection& connection, std::int64_t now);
    // Runs a claimed leased job outside the claiming transaction and records the outcome.
    Status RunLeased(const Job& job, const Leased& leased);
    Status Finish(storage::Connection& connection, const Job& job, const Status& outcome,
                  std::int64_t now);
    void WorkerLoop();

    storage::Database& database_;
    const Clock& clock_;
    const JobQueueOptions options_;
    std::map<std::string, Handler, std::less<>> handlers_;
    std::map<std::string, Leased, std::less<>> leased_;

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;  // guarded by mutex_
    std::vector<std::thread> workers_;
};

}  // namespace p360::automation
