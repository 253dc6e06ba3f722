#include "automation/job_queue.hpp"

#include <algorithm>

#include "core/log.hpp"
#include "core/time_format.hpp"

namespace p360::automation {
namespace {

using storage::Connection;
using storage::Row;
using storage::Value;

// run_at is epoch milliseconds, so "due" is one integer comparison; the partial index keeps
// the claim query on the ready jobs only, however many finished ones accumulate.
constexpr const char* kCreateJobs =
    "CREATE TABLE IF NOT EXISTS sys_jobs (id {sequence_key}, kind TEXT NOT NULL, payload TEXT "
    "NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, max_attempts INTEGER NOT NULL, "
    "run_at BIGINT NOT NULL, created_at TEXT NOT NULL, finished_at TEXT, finished_by TEXT, "
    "last_error TEXT, result TEXT)";
constexpr const char* kCreateDueIndex =
    "CREATE INDEX IF NOT EXISTS ix_sys_jobs_due ON sys_jobs (run_at, id) WHERE status = 'ready'";
constexpr const char* kInfoColumns =
    "id, kind, status, attempts, max_attempts, run_at, created_at, finished_at, finished_by, "
    "last_error, result";

std::string TextOr(const Value& value) {
    const auto* text = std::get_if<std::string>(&value);
    return text != nullptr ? *text : std::string();
}

std::int64_t IntegerOr(const Value& value) {
    const auto* integer = std::get_if<std::int64_t>(&value);
    return integer != nullptr ? *integer : 0;
}

JobInfo InfoFromRow(const Row& row) {
    JobInfo info;
    info.id = IntegerOr(row[0]);
    info.kind = TextOr(row[1]);
    info.status = TextOr(row[2]);
    info.attempts = static_cast<int>(IntegerOr(row[3]));
    info.max_attempts = static_cast<int>(IntegerOr(row[4]));
    info.run_at = FormatDateTime(IntegerOr(row[5]));
    info.created_at = TextOr(row[6]);
    info.finished_at = TextOr(row[7]);
    info.finished_by = TextOr(row[8]);
    info.last_error = TextOr(row[9]);
    info.result = TextOr(row[10]);
    return info;
}

// What an operator may read of a failure: the public message, never internal detail.
std::string FailureText(const Error& error) {
    std::string text(ErrorCodeName(error.code));
    if (!error.public_message.empty()) {
        text.append(": ").append(error.public_message);
    }
    return text.substr(0, 500);
}

}  // namespace

JobQueue::JobQueue(storage::Database& database, const Clock& clock, JobQueueOptions options)
    : database_(database), clock_(clock), options_(std::move(options)) {}

JobQueue::~JobQueue() { Stop(); }

Result<std::unique_ptr<JobQueue>> JobQueue::Open(storage::Database& database, const Clock& clock,
                                                 JobQueueOptions options) {
    P360_TRY(database.WriteAlone([](Connection& connection) -> Status {
        std::string create = kCreateJobs;
        constexpr std::string_view kSequenceKey = "{sequence_key}";
        create.replace(create.find(kSequenceKey), kSequenceKey.size(),
                       connection.dialect().SequenceKeyColumn());
        P360_TRY(connection.Execute(create));
        return connection.Execute(kCreateDueIndex);
    }));
    return std::unique_ptr<JobQueue>(new JobQueue(database, clock, std::move(options)));
}

void JobQueue::RegisterHandler(std::string kind, Handler handler) {
    handlers_.insert_or_assign(std::move(kind), std::move(handler));
}

void JobQueue::RegisterLeasedHandler(std::string kind, std::chrono::milliseconds lease,
                                     LeasedHandler handler) {
    leased_.insert_or_assign(std::move(kind), Leased{lease, std::move(handler)});
}

bool JobQueue::Handles(std::string_view kind) const {
    return handlers_.contains(kind) || leased_.contains(kind);
}

Result<std::int64_t> JobQueue::Enqueue(Connection& connection, const JobSpec& spec) {
    if (spec.kind.empty() || spec.max_attempts < 1 || spec.delay_millis < 0) {
        return Error::InvalidArgument(
            "A job needs a kind, at least one attempt and no negative delay.");
    }
    const std::int64_t now = clock_.NowMillis();
    const Value params[] = {spec.kind, spec.payload, std::int64_t{spec.max_attempts},
                            now + spec.delay_millis, FormatDateTime(now)};
    std::int64_t id = 0;
    P360_TRY(connection.ForEachRow(
        "INSERT INTO sys_jobs (kind, payload, status, attempts, max_attempts, run_at, created_at) "
        "VALUES (?, ?, 'ready', 0, ?, ?, ?) RETURNING id",
        params, [&id](const Row& row) {
            id = IntegerOr(row[0]);
            return false;
        }));
    return id;
}

Result<std::int64_t> JobQueue::Enqueue(const JobSpec& spec) {
    std::int64_t id = 0;
    P360_TRY(database_.Write([&](Connection& connection) -> Status {
        P360_ASSIGN_OR_RETURN(id, Enqueue(connection, spec));
        return Ok();
    }));
    wake_.notify_one();
    return id;
}

// The oldest due job of a kind this node handles, locked for this transaction.
Result<std::optional<Job>> JobQueue::Claim(Connection& connection, std::int64_t now) {
    std::string sql =
        "SELECT id, kind, payload, attempts, max_attempts FROM sys_jobs WHERE status = 'ready' "
        "AND run_at <= ? AND kind IN (";
    std::vector<Value> params = {now};
    for (const auto& [kind, handler] : handlers_) {
        sql.append(params.size() == 1 ? "?" : ", ?");
        params.emplace_back(kind);
    }
    for (const auto& [kind, leased] : leased_) {
        sql.append(params.size() == 1 ? "?" : ", ?");
        params.emplace_back(kind);
    }
    sql.append(") ORDER BY run_at, id LIMIT 1");
    sql.append(connection.dialect().ClaimRowsSuffix());
    std::optional<Job> job;
    P360_TRY(connection.ForEachRow(sql, params, [&](const Row& row) {
        job = Job{IntegerOr(row[0]),
                  TextOr(row[1]),
                  TextOr(row[2]),
                  static_cast<int>(IntegerOr(row[3])) + 1,
                  static_cast<int>(IntegerOr(row[4])),
                  options_.node};
        return false;
    }));
    return job;
}

std::int64_t JobQueue::BackoffMillis(int attempt) const {
    const int doublings = std::min(attempt - 1, 30);
    const std::int64_t backoff = options_.backoff_base.count() << doublings;
    return std::min<std::int64_t>(backoff, options_.backoff_cap.count());
}

Status JobQueue::Finish(Connection& connection, const Job& job, const Status& outcome,
                        std::int64_t now) {
    const std::string finished_at = FormatDateTime(now);
    if (outcome.ok()) {
        const Value params[] = {std::int64_t{job.attempt}, finished_at, job.node, job.id};
        return connection.Execute(
            "UPDATE sys_jobs SET status = 'done', attempts = ?, finished_at = ?, finished_by = ? "
            "WHERE id = ?",
            params);
    }
    const bool dead = job.attempt >= job.max_attempts;
    const Value params[] = {dead ? "dead" : "ready",
                            std::int64_t{job.attempt},
                            now + BackoffMillis(job.attempt),
                            FailureText(outcome.error()),
                            dead ? Value(finished_at) : Value(storage::Null{}),
                            dead ? Value(job.node) : Value(storage::Null{}),
                            job.id};
    return connection.Execute(
        "UPDATE sys_jobs SET status = ?, attempts = ?, run_at = ?, last_error = ?, finished_at = "
        "?, finished_by = ? WHERE id = ?",
        params);
}

Result<bool> JobQueue::RunOne() {
    if (handlers_.empty() && leased_.empty()) {
        return false;
    }
    bool ran = false;
    std::string failed_kind;
    std::optional<Job> leased_job;
    P360_TRY(database_.Write([&](Connection& connection) -> Status {
        const std::int64_t now = clock_.NowMillis();
        P360_ASSIGN_OR_RETURN(auto job, Claim(connection, now));
        if (!job) {
            return Ok();
        }
        ran = true;
        if (auto leased = leased_.find(job->kind); leased != leased_.end()) {
            // Counted now, so a handler that kills its node still uses up its attempts.
            const Value params[] = {std::int64_t{job->attempt}, now + leased->second.lease.count(),
                                    job->id};
            leased_job = std::move(job);
            return connection.Execute("UPDATE sys_jobs SET attempts = ?, run_at = ? WHERE id = ?",
                                      params);
        }
        // The handler's writes stand or fall with its outcome; the attempt is counted either
        // way, in this same transaction.
        P360_TRY(connection.Execute("SAVEPOINT job_handler"));
        Status outcome = Error::Internal("no outcome");
        try {
            outcome = handlers_.find(job->kind)->second(connection, *job);
        } catch (const std::exception& exception) {
            outcome = Error::Internal(std::string("job handler threw: ") + exception.what());
        }
        if (outcome.ok() && connection.TransactionAborted()) {
            outcome = Error::Internal("the job's handler went on after a failed statement");
        }
        if (!outcome.ok()) {
            P360_TRY(connection.Execute("ROLLBACK TO SAVEPOINT job_handler"));
            failed_kind = job->kind;
        }
        P360_TRY(connection.Execute("RELEASE SAVEPOINT job_handler"));
        return Finish(connection, *job, outcome, now);
    }));
    if (leased_job) {
        P360_TRY(RunLeased(*leased_job, leased_.find(leased_job->kind)->second));
    }
    if (!failed_kind.empty()) {
        log::Warn("jobs.attempt_failed", {{"kind", failed_kind}});
    }
    return ran;
}

Status JobQueue::RunLeased(const Job& job, const Leased& leased) {
    Status outcome = Error::Internal("no outcome");
    try {
        outcome = leased.handler(job);
    } catch (const std::exception& exception) {
        outcome = Error::Internal(std::string("job handler threw: ") + exception.what());
    }
    if (!outcome.ok()) {
        log::Warn("jobs.attempt_failed", {{"kind", job.kind}});
    }
    return database_.Write([&](Connection& connection) -> Status {
        // A lease that ran out let another worker claim the job again: that attempt records
        // its own outcome.
        const Value params[] = {job.id, std::int64_t{job.attempt}};
        P360_ASSIGN_OR_RETURN(
            auto still_ours,
            connection.QueryOne(
                "SELECT id FROM sys_jobs WHERE id = ? AND attempts = ? AND status = 'ready'",
                params));
        if (!still_ours) {
            return Ok();
        }
        return Finish(connection, job, outcome, clock_.NowMillis());
    });
}

Status JobQueue::ExtendLease(const Job& job) {
    const auto leased = leased_.find(job.kind);
    if (leased == leased_.end()) {
        return Error::InvalidArgument("Only leased jobs have a lease.");
    }
    return database_.Write([&](Connection& connection) -> Status {
        const Value params[] = {clock_.NowMillis() + leased->second.lease.count(), job.id,
                                std::int64_t{job.attempt}};
        return connection.Execute(
            "UPDATE sys_jobs SET run_at = ? WHERE id = ? AND attempts = ? AND status = 'ready'",
            params);
    });
}

void JobQueue::Start(int workers) {
    for (int worker = 0; worker < workers; ++worker) {
        workers_.emplace_back([this] { WorkerLoop(); });
    }
}

void JobQueue::Stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& worker : workers_) {
        worker.join();
    }
    workers_.clear();
}

// Runs due jobs back to back; when none is due (or the database is away), waits for an
// Enqueue on this node or the idle poll, whichever comes first.
void JobQueue::WorkerLoop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        auto ran = RunOne();
        lock.lock();
        if (ran.ok() && *ran) {
            continue;
        }
        wake_.wait_for(lock, options_.idle_poll);
    }
}

Result<JobInfo> JobQueue::Get(std::int64_t id) {
    std::optional<JobInfo> info;
    P360_TRY(database_.Read([&](Connection& connection) -> Status {
        const Value params[] = {id};
        return connection.ForEachRow(
            std::string("SELECT ") + kInfoColumns + " FROM sys_jobs WHERE id = ?", params,
            [&info](const Row& row) {
                info = InfoFromRow(row);
                return false;
            });
    }));
    if (!info) {
        return Error::NotFound("No job with this id.");
    }
    return *info;
}

Result<std::vector<JobInfo>> JobQueue::List(std::string_view status, int limit) {
    std::vector<JobInfo> jobs;
    P360_TRY(database_.Read([&](Connection& connection) -> Status {
        const Value params[] = {std::string(status), std::int64_t{limit}};
        return connection.ForEachRow(std::string("SELECT ") + kInfoColumns +
                                         " FROM sys_jobs WHERE status = ? ORDER BY id LIMIT ?",
                                     params, [&jobs](const Row& row) {
                                         jobs.push_back(InfoFromRow(row));
                                         return true;
                                     });
    }));
    return jobs;
}

Result<std::map<std::string, std::int64_t>> JobQueue::CountByStatus() {
    std::map<std::string, std::int64_t> counts = {{"ready", 0}, {"done", 0}, {"dead", 0}};
    P360_TRY(database_.Read([&](Connection& connection) -> Status {
        return connection.ForEachRow("SELECT status, COUNT(*) FROM sys_jobs GROUP BY status", {},
                                     [&counts](const Row& row) {
                                         counts[TextOr(row[0])] = IntegerOr(row[1]);
                                         return true;
                                     });
    }));
    return counts;
}

Status JobQueue::Retry(std::int64_t id) {
    bool retried = false;
    P360_TRY(database_.Write([&](Connection& connection) -> Status {
        const Value params[] = {clock_.NowMillis(), id};
        P360_TRY(connection.Execute(
            "UPDATE sys_jobs SET status = 'ready', attempts = 0, run_at = ?, finished_at = NULL, "
            "finished_by = NULL WHERE id = ? AND status = 'dead'",
            params));
        retried = connection.ChangedRows() == 1;
        return Ok();
    }));
    if (!retried) {
        return Error::FailedPrecondition("Only a dead job can be retried.");
    }
    wake_.notify_one();
    return Ok();
}

}  // namespace p360::automation
