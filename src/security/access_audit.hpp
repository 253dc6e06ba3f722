// AccessAudit: the append-only record of who touched which member's PHI, when and why.
//
// One entry per record a call read or wrote with PHI fields in it: the user and role, the
// action, the object and record, the member the record belongs to, the PHI field names (never
// their values), the purpose of use and the request id.
//
// The audit lives in a database of its own (audit.db beside the records): its volume follows
// the read rate, and in the records database it would compete with every write for the single
// writer. It is stored normalised: one event per call (who, role, purpose, request, action,
// object, PHI field names) and one small subject row per record the call touched (record id,
// member id), so a page of fifty records costs one event and fifty short rows, not fifty copies
// of everything. Entries are queued and written in batches by a background thread within
// `flush_interval`; Flush() writes what is queued at once (the accounting of disclosures calls
// it, so it always sees every access made before the query). A change's field history in the
// records database names who made it even if the process dies before its audit entry is
// written. No API edits or deletes entries. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "security/authorizer.hpp"
#include "storage/database.hpp"

namespace p360::security {

struct AuditEntry {
    std::string action;  // read, list, history, create, update, delete, bulk-upsert
    std::string object_name;
    std::string record_id;
    std::string person_id;  // the member the record is about, when known
    std::vector<std::string> phi_fields;
};

struct AuditRecord {
    std::int64_t id = 0;
    std::string at;
    std::string user_id;
    std::string username;
    std::string role;
    std::string action;
    std::string object_name;
    std::string record_id;
    std::string person_id;
    std::string fields;  // comma-separated field names
    std::string purpose;
    std::string request_id;
};

// The purpose of use a role acts under when the caller names none.
std::string_view DefaultPurposeOfUse(std::string_view role);

// True for the purposes payer360 accepts in X-Purpose-Of-Use.
bool IsKnownPurposeOfUse(std::string_view purpose);

class AccessAudit {
public:
    // Opens (creating if needed) the audit database.
    static Result<std::unique_ptr<AccessAudit>> Open(
        std::unique_ptr<storage::Database> database, const Clock& clock,
        std::chrono::milliseconds flush_interval = std::chrono::milliseconds(100));
    ~AccessAudit();

    // Queues entries; they reach the audit database within the flush interval.
    void Record(const Actor& actor, std::vector<AuditEntry> entries);

    // Writes every queued entry now.
    Status Flush();

    // The accounting of disclosures for one member: entries newest first, before `before_id`
    // (0 = from the newest), at most `limit`.
    Result<std::vector<AuditRecord>> ForPerson(std::string_view person_id, int limit,
                                               std::int64_t before_id);

private:
    AccessAudit(std::unique_ptr<storage::Database> database, const Clock& clock,
                std::chrono::milliseconds flush_interval);

    struct Subject {
        std::string record_id;
        std::string person_id;
    };
    // One call's access: the event and the records it touched.
    struct Pending {
        std::shared_ptr<const Actor> actor;
        std::string at;
        std::string action;
        std::string object_name;
        std::string fields;
        std::vector<Subject> subjects;
    };

    // Beyond this many queued entries, RecordReads waits for the writer: memory stays bounded
    // and readers slow down rather than outrun the audit.
    static constexpr std::size_t kMaxPending = 50'000;
    // The writer starts early once this many entries wait.
    static constexpr std::size_t kEagerFlush = 5'000;

    void FlushLoop();
    Status WritePending(std::vector<Pending> pending);

    std::unique_ptr<storage::Database> database_;
    const Clock& clock_;
    const std::chrono::milliseconds flush_interval_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable drained_;
    std::vector<Pending> pending_;      // guarded by mutex_
    std::size_t pending_subjects_ = 0;  // guarded by mutex_
    bool stopping_ = false;             // guarded by mutex_
    std::mutex flush_mutex_;            // one flush at a time, so entries stay in order
    std::thread flusher_;
};

}  // namespace p360::security
