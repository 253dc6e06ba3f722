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

constexpr const char* kInsert =
    "INSERT INTO sys_access_audit (at, user_id, username, role, action, object_name, record_id, "
    "person_id, fields, purpose, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

std::string JoinFields(const std::vector<std::string>& fields) {
    std::string joined;
    for (const std::string& field : fields) {
        joined.append(joined.empty() ? "" : ",").append(field);
    }
    return joined;
}

Status Insert(storage::Connection& connection, const Actor& actor, const AuditEntry& entry,
              const std::string& at) {
    const std::string purpose =
        actor.purpose.empty() ? std::string(DefaultPurposeOfUse(actor.role)) : actor.purpose;
    const Value params[] = {at,
                            actor.user_id,
                            actor.username,
                            actor.role,
                            entry.action,
                            entry.object_name,
                            entry.record_id,
                            entry.person_id,
                            JoinFields(entry.phi_fields),
                            purpose,
                            actor.request_id};
    return connection.Execute(kInsert, params);
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

AccessAudit::AccessAudit(storage::Database& database, const Clock& clock,
                         std::chrono::milliseconds flush_interval)
    : database_(database), clock_(clock), flush_interval_(flush_interval) {
    flusher_ = std::thread([this] { FlushLoop(); });
}

AccessAudit::~AccessAudit() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    flusher_.join();
    if (!Flush().ok()) {
        log::Error("audit.flush_failed_at_stop");
    }
}

void AccessAudit::RecordReads(const Actor& actor, std::vector<AuditEntry> entries) {
    if (entries.empty()) {
        return;
    }
    const std::string at = FormatDateTime(clock_.NowMillis());
    std::lock_guard lock(mutex_);
    for (AuditEntry& entry : entries) {
        pending_.push_back({actor, std::move(entry), at});
    }
}

Status AccessAudit::AppendInTransaction(storage::Connection& connection, const Actor& actor,
                                        const std::vector<AuditEntry>& entries) const {
    const std::string at = FormatDateTime(clock_.NowMillis());
    for (const AuditEntry& entry : entries) {
        P360_TRY(Insert(connection, actor, entry, at));
    }
    return Ok();
}

Status AccessAudit::Flush() {
    std::lock_guard flush_lock(flush_mutex_);
    std::vector<Pending> pending;
    {
        std::lock_guard lock(mutex_);
        pending.swap(pending_);
    }
    return WritePending(std::move(pending));
}

Status AccessAudit::WritePending(std::vector<Pending> pending) {
    if (pending.empty()) {
        return Ok();
    }
    Status written = database_.Write([&pending](storage::Connection& connection) -> Status {
        for (const Pending& item : pending) {
            P360_TRY(Insert(connection, item.actor, item.entry, item.at));
        }
        return Ok();
    });
    if (!written.ok()) {
        // Keep the entries for the next attempt rather than lose them.
        std::lock_guard lock(mutex_);
        pending_.insert(pending_.begin(), std::make_move_iterator(pending.begin()),
                        std::make_move_iterator(pending.end()));
        log::Error("audit.write_failed", {{"entries", std::to_string(pending.size())}});
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
    P360_TRY(database_.Read([&](storage::Connection& connection) -> Status {
        const Value params[] = {std::string(person_id),
                                before_id > 0 ? before_id : std::int64_t{INT64_MAX},
                                std::int64_t{limit}};
        return connection.ForEachRow(
            "SELECT id, at, user_id, username, role, action, object_name, record_id, person_id, "
            "fields, purpose, request_id FROM sys_access_audit WHERE person_id = ? AND id < ? "
            "ORDER BY id DESC LIMIT ?",
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
