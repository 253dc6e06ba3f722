// AccessAudit: the append-only record of who touched which member's PHI, when and why.
//
// Every call that read or wrote records with PHI fields in it is one event: the user and role,
// the action, the object, the PHI field names (never their values), the purpose of use, the
// request id, and every record it touched with the member each record is about. A list page of
// fifty members is one event with fifty subjects.
//
// The audit lives in a database of its own (audit.db beside the records): its volume follows
// the read rate, and in the records database it would compete with every write for the single
// writer. Its layout is shaped by that rate — a busy list endpoint discloses hundreds of
// thousands of records a second:
//   - audit_events: one row per call; its subjects packed in one column (see AuditSubjects),
//     its field names a reference to audit_field_sets (the same few sets recur endlessly).
//   - audit_postings: the index by member. Each batch the writer stores adds, for each of
//     kBuckets buckets of members, one row listing (event, member key) pairs. Rows are only
//     ever appended, so storing a batch costs a few hundred short inserts however many records
//     it disclosed; a row per disclosed record in an index by member cost a random b-tree insert
//     each, and fell behind the readers. The accounting for one member reads the postings of
//     its bucket, newest first, and checks each candidate event's subjects, so the answer is
//     exact; it reads 1/kBuckets of the postings in the worst case.
// Entries are queued and written in batches by a background thread within `flush_interval`;
// Flush() writes what is queued at once (the accounting of disclosures calls it, so it always
// sees every access made before the query). A change's field history in the records database
// names who made it even if the process dies before its audit entry is written. No API edits
// or deletes entries. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "security/authorizer.hpp"
#include "storage/database.hpp"

namespace p360::security {

// The records one call touched, each with the member it is about (empty when unknown), packed
// in one buffer: a page of fifty records costs one growing string, not a hundred allocations.
//
// The packed form is what audit_events.subjects stores: entries separated by spaces, each the
// record id, followed by `@` and the member id when the member is not the record itself
// (`cnd_01…@per_01…`; `doc_01…@` when the member is unknown), or by `^` when the member is the
// previous entry's (a page of one member's claims names the member once, which halves what a
// member 360 writes to the audit). Characters other than letters, digits, `_`, `-` and `.` are
// %-escaped, so any id survives the round trip.
class AuditSubjects {
public:
    AuditSubjects() = default;
    // Subjects packed earlier (`packed()` of `count` subjects), as kept by a cache. Subjects
    // added after them name their member in full.
    static AuditSubjects FromPacked(std::string packed, std::size_t count);

    void Add(std::string_view record_id, std::string_view person_id);
    void Reserve(std::size_t subjects) { packed_.reserve(subjects * 32); }

    std::size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    const std::string& packed() const { return packed_; }
    std::string TakePacked() && { return std::move(packed_); }

    // Calls `visit(record_id, person_id)` for each subject of a packed list, in order.
    static void ForEach(std::string_view packed,
                        const std::function<void(std::string_view, std::string_view)>& visit);

private:
    std::string packed_;
    std::size_t count_ = 0;
    std::string last_person_;  // the member of the last entry added
};

// One call's access without who made it: an answer kept for reuse carries the disclosures its
// reads made, and each time it is served they are recorded again for that caller.
struct Disclosure {
    std::string action;  // read, list
    std::string object_name;
    std::string phi_fields;  // comma-separated
    AuditSubjects subjects;
};

// One record an older-style caller reports; see AccessAudit::Record.
struct AuditEntry {
    std::string action;  // read, list, history, create, update, delete, bulk-upsert
    std::string object_name;
    std::string record_id;  // empty: the call touched no one record (a bulk import)
    std::string person_id;  // the member the record is about, when known
    std::vector<std::string> phi_fields;
};

// One line of the accounting of disclosures: one record one call touched.
struct AuditRecord {
    std::int64_t id = 0;  // orders the accounting: larger is newer
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
    // Members are spread over this many buckets of postings (see the file comment).
    static constexpr std::uint32_t kBuckets = 256;
    // Subjects of one event at most; a call with more is stored as several events. Entry ids
    // of the accounting are event id × kSubjectSlots + the subject's position.
    static constexpr std::size_t kSubjectSlots = 1024;

    // Opens (creating if needed) the audit database.
    static Result<std::unique_ptr<AccessAudit>> Open(
        std::unique_ptr<storage::Database> database, const Clock& clock,
        std::chrono::milliseconds flush_interval = std::chrono::milliseconds(100));
    ~AccessAudit();

    // Queues one call's access: `action` on `subjects`, records of `object_name`, disclosing
    // the PHI fields `phi_fields` (comma-separated names). It reaches the audit database within
    // the flush interval. No subjects: one event that names no record (a bulk import).
    void Record(const Actor& actor, std::string_view action, std::string_view object_name,
                std::string phi_fields, AuditSubjects subjects);

    // The same, one entry per record: consecutive entries that share action, object and fields
    // become one event.
    void Record(const Actor& actor, std::vector<AuditEntry> entries);

    // Writes every queued entry now.
    Status Flush();

    // The accounting of disclosures for one member: one line per record of theirs a call
    // touched, newest first, with ids below `before_id` (0 = from the newest), at most `limit`.
    Result<std::vector<AuditRecord>> ForPerson(std::string_view person_id, int limit,
                                               std::int64_t before_id);

private:
    AccessAudit(std::unique_ptr<storage::Database> database, const Clock& clock,
                std::chrono::milliseconds flush_interval);

    // One call's access, as queued.
    struct Pending {
        std::int64_t at_millis = 0;
        std::string user_id;
        std::string username;
        std::string role;
        std::string purpose;
        std::string request_id;
        std::string action;
        std::string object_name;
        std::string fields;
        std::string subjects;  // packed (AuditSubjects)
        std::size_t subject_count = 0;
    };

    // Beyond this much queued work (subjects, plus one per event), Record waits for the writer:
    // memory stays bounded (some 30 bytes a subject) and readers slow down rather than outrun
    // the audit. About half a second of member 360s served at 25,000 a second: a commit of the
    // audit that waits long on the disk must not hold requests up while the writer keeps pace.
    static constexpr std::size_t kMaxPending = 1'000'000;
    // The writer starts early once this much waits.
    static constexpr std::size_t kEagerFlush = 20'000;

    void Enqueue(std::vector<Pending> events);
    void FlushLoop();
    Status WritePending(std::vector<Pending>& pending);
    // The id of a set of field names, adding it when new (writer only).
    Result<std::int64_t> FieldSetId(storage::Connection& connection, const std::string& fields);

    std::unique_ptr<storage::Database> database_;
    const Clock& clock_;
    const std::chrono::milliseconds flush_interval_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable drained_;
    std::vector<Pending> pending_;  // guarded by mutex_
    std::size_t pending_cost_ = 0;  // guarded by mutex_
    bool stopping_ = false;         // guarded by mutex_
    std::mutex flush_mutex_;        // one flush at a time, so entries stay in order
    // Field sets known to be stored, by their text; guarded by flush_mutex_.
    std::unordered_map<std::string, std::int64_t> field_sets_;
    std::thread flusher_;
};

}  // namespace p360::security
