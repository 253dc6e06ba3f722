#include "security/access_audit.hpp"

#include <algorithm>
#include <array>

#include "core/log.hpp"
#include "core/time_format.hpp"

namespace p360::security {
namespace {

using storage::Value;

constexpr std::array<std::string_view, 7> kPurposes = {
    "treatment", "payment", "operations", "member-request", "research", "public-health", "legal"};

std::string JoinFields(const std::vector<std::string>& fields) {
    std::string joined;
    for (const std::string& field : fields) {
        joined.append(joined.empty() ? "" : ",").append(field);
    }
    return joined;
}

constexpr std::size_t kSubjectsPerStatement = 256;

// "INSERT INTO audit_subjects … VALUES (?, ?, ?), …" for `rows` rows.
const std::string& InsertSubjectsSql(std::size_t rows) {
    thread_local std::vector<std::string> by_rows(kSubjectsPerStatement + 1);
    std::string& sql = by_rows[rows];
    if (sql.empty()) {
        sql = "INSERT INTO audit_subjects (event_id, record_id, person_id) VALUES (?, ?, ?)";
        for (std::size_t row_idx = 1; row_idx < rows; ++row_idx) {
            sql.append(", (?, ?, ?)");
        }
    }
    return sql;
}

std::string TextAt(const storage::Row& row, std::size_t column) {
    const auto* text = std::get_if<std::string>(&row[column]);
    return text != nullptr ? *text : std::string();
}

}  // namespace

std::string_view DefaultPurposeOfUse(std::string_view role) {
    return role == "care_manager" ? "treatment" : "operations";
}

bool IsKnownPurposeOfUse(std::string_view purpose) {
    return std::find(kPurposes.begin(), kPurposes.end(), purpose) != kPurposes.end();
}

Result<std::unique_ptr<AccessAudit>> AccessAudit::Open(std::unique_ptr<storage::Database> database,
                                                       const Clock& clock,
                                                       std::chrono::milliseconds flush_interval) {
    const std::string sequence_key(database->dialect().SequenceKeyColumn());
    P360_TRY(database->WriteAlone([&](storage::Connection& connection) -> Status {
        P360_TRY(connection.Execute(
            "CREATE TABLE IF NOT EXISTS audit_events (id " + sequence_key +
            ", at TEXT NOT NULL, user_id TEXT NOT NULL, username TEXT NOT NULL, role TEXT NOT "
            "NULL, action TEXT NOT NULL, object_name TEXT NOT NULL, fields TEXT NOT NULL, "
            "purpose TEXT NOT NULL, request_id TEXT NOT NULL)"));
        P360_TRY(connection.Execute(
            "CREATE TABLE IF NOT EXISTS audit_subjects (id " + sequence_key +
            ", event_id INTEGER NOT NULL, record_id TEXT NOT NULL, person_id TEXT NOT NULL)"));
        return connection.Execute(
            "CREATE INDEX IF NOT EXISTS ix_audit_subjects_person ON audit_subjects (person_id, "
            "id)");
    }));
    return std::unique_ptr<AccessAudit>(
        new AccessAudit(std::move(database), clock, flush_interval));
}

AccessAudit::AccessAudit(std::unique_ptr<storage::Database> database, const Clock& clock,
                         std::chrono::milliseconds flush_interval)
    : database_(std::move(database)), clock_(clock), flush_interval_(flush_interval) {
    flusher_ = std::thread([this] { FlushLoop(); });
}

AccessAudit::~AccessAudit() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    drained_.notify_all();
    flusher_.join();
    if (!Flush().ok()) {
        log::Error("audit.flush_failed_at_stop");
    }
    database_->Close();
}

void AccessAudit::Record(const Actor& actor, std::vector<AuditEntry> entries) {
    if (entries.empty()) {
        return;
    }
    auto shared_actor = std::make_shared<const Actor>(actor);
    const std::string at = FormatDateTime(clock_.NowMillis());
    // Entries of one call that share action, object and fields become one event.
    std::vector<Pending> events;
    for (AuditEntry& entry : entries) {
        std::string fields = JoinFields(entry.phi_fields);
        if (events.empty() || events.back().action != entry.action ||
            events.back().object_name != entry.object_name || events.back().fields != fields) {
            events.push_back(
                {shared_actor, at, entry.action, entry.object_name, std::move(fields), {}});
        }
        events.back().subjects.push_back({std::move(entry.record_id), std::move(entry.person_id)});
    }
    std::unique_lock lock(mutex_);
    drained_.wait(lock, [this] { return pending_subjects_ < kMaxPending || stopping_; });
    for (Pending& event : events) {
        pending_subjects_ += event.subjects.size();
        pending_.push_back(std::move(event));
    }
    if (pending_subjects_ >= kEagerFlush) {
        wake_.notify_one();
    }
}

Status AccessAudit::Flush() {
    std::lock_guard flush_lock(flush_mutex_);
    std::vector<Pending> pending;
    {
        std::lock_guard lock(mutex_);
        pending.swap(pending_);
        pending_subjects_ = 0;
    }
    drained_.notify_all();
    return WritePending(std::move(pending));
}

Status AccessAudit::WritePending(std::vector<Pending> pending) {
    if (pending.empty()) {
        return Ok();
    }
    // A batch in a transaction of its own: no savepoint to maintain around thousands of rows.
    Status written = database_->WriteAlone([&pending](storage::Connection& connection) -> Status {
        std::vector<Value> params;
        for (const Pending& event : pending) {
            const Actor& actor = *event.actor;
            const Value event_params[] = {event.at,
                                          actor.user_id,
                                          actor.username,
                                          actor.role,
                                          event.action,
                                          event.object_name,
                                          event.fields,
                                          actor.purpose.empty()
                                              ? std::string(DefaultPurposeOfUse(actor.role))
                                              : actor.purpose,
                                          actor.request_id};
            std::int64_t event_id = 0;
            P360_TRY(connection.ForEachRow(
                "INSERT INTO audit_events (at, user_id, username, role, action, object_name, "
                "fields, purpose, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                // Read RETURNING to the end: a statement reset before it is done makes SQLite
                // unwind its statement journal, which costs as much as the whole batch so far.
                event_params, [&event_id](const storage::Row& row) {
                    event_id = std::get<std::int64_t>(row[0]);
                    return true;
                }));
            for (std::size_t start = 0; start < event.subjects.size();
                 start += kSubjectsPerStatement) {
                const std::size_t rows =
                    std::min(kSubjectsPerStatement, event.subjects.size() - start);
                params.clear();
                for (std::size_t subject_idx = start; subject_idx < start + rows; ++subject_idx) {
                    params.emplace_back(event_id);
                    params.emplace_back(event.subjects[subject_idx].record_id);
                    params.emplace_back(event.subjects[subject_idx].person_id);
                }
                P360_TRY(connection.Execute(InsertSubjectsSql(rows), params));
            }
        }
        return Ok();
    });
    if (!written.ok()) {
        // Keep the entries for the next attempt rather than lose them.
        std::lock_guard lock(mutex_);
        for (const Pending& event : pending) {
            pending_subjects_ += event.subjects.size();
        }
        pending_.insert(pending_.begin(), std::make_move_iterator(pending.begin()),
                        std::make_move_iterator(pending.end()));
        log::Error("audit.write_failed", {{"events", std::to_string(pending.size())}});
    }
    return written;
}

void AccessAudit::FlushLoop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, flush_interval_);
        if (pending_.empty()) {
            continue;
        }
        lock.unlock();
        (void)Flush();
        lock.lock();
    }
}

Result<std::vector<AuditRecord>> AccessAudit::ForPerson(std::string_view person_id, int limit,
                                                        std::int64_t before_id) {
    P360_TRY(Flush());
    std::vector<AuditRecord> records;
    P360_TRY(database_->Read([&](storage::Connection& connection) -> Status {
        const Value params[] = {std::string(person_id),
                                before_id > 0 ? before_id : std::int64_t{INT64_MAX},
                                std::int64_t{limit}};
        return connection.ForEachRow(
            "SELECT s.id, e.at, e.user_id, e.username, e.role, e.action, e.object_name, "
            "s.record_id, s.person_id, e.fields, e.purpose, e.request_id FROM audit_subjects s "
            "JOIN audit_events e ON e.id = s.event_id WHERE s.person_id = ? AND s.id < ? "
            "ORDER BY s.id DESC LIMIT ?",
            params, [&records](const storage::Row& row) {
                AuditRecord record;
                record.id = std::get<std::int64_t>(row[0]);
                record.at = TextAt(row, 1);
                record.user_id = TextAt(row, 2);
                record.username = TextAt(row, 3);
                record.role = TextAt(row, 4);
                record.action = TextAt(row, 5);
                record.object_name = TextAt(row, 6);
                record.record_id = TextAt(row, 7);
                record.person_id = TextAt(row, 8);
                record.fields = TextAt(row, 9);
                record.purpose = TextAt(row, 10);
                record.request_id = TextAt(row, 11);
                records.push_back(std::move(record));
                return true;
            });
    }));
    return records;
}

}  // namespace p360::security
