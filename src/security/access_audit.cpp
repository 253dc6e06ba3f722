#include "security/access_audit.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "core/log.hpp"
#include "core/time_format.hpp"

namespace p360::security {
namespace {

using storage::Value;

constexpr std::array<std::string_view, 7> kPurposes = {
    "treatment", "payment", "operations", "member-request", "research", "public-health", "legal"};

constexpr char kHex[] = "0123456789abcdef";

bool IsPlain(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

void AppendEscaped(std::string& out, std::string_view id) {
    for (char c : id) {
        if (IsPlain(c)) {
            out.push_back(c);
        } else {
            const auto byte = static_cast<unsigned char>(c);
            out.push_back('%');
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 15U]);
        }
    }
}

int HexDigit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// `text` without its %-escapes; a view of `text` itself when it has none.
std::string_view Unescaped(std::string_view text, std::string& buffer) {
    if (text.find('%') == std::string_view::npos) {
        return text;
    }
    buffer.clear();
    for (std::size_t char_idx = 0; char_idx < text.size(); ++char_idx) {
        if (text[char_idx] == '%' && char_idx + 2 < text.size() &&
            HexDigit(text[char_idx + 1]) >= 0 && HexDigit(text[char_idx + 2]) >= 0) {
            buffer.push_back(static_cast<char>(HexDigit(text[char_idx + 1]) * 16 +
                                               HexDigit(text[char_idx + 2])));
            char_idx += 2;
        } else {
            buffer.push_back(text[char_idx]);
        }
    }
    return buffer;
}

// A member's place in the postings: a stable 64-bit hash of the id (FNV-1a, then a final mix
// so every bit depends on every byte). Its low bits pick the bucket, its high 32 bits are the
// key stored in the postings. Collisions only add candidates: events are checked by id.
struct PersonKey {
    std::uint32_t bucket;
    std::uint32_t key;
};

PersonKey KeyOf(std::string_view person_id) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (char c : person_id) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    hash ^= hash >> 30;
    hash *= 0xbf58476d1ce4e5b9ULL;
    hash ^= hash >> 27;
    hash *= 0x94d049bb133111ebULL;
    hash ^= hash >> 31;
    return {static_cast<std::uint32_t>(hash % AccessAudit::kBuckets),
            static_cast<std::uint32_t>(hash >> 32)};
}

void AppendKey(std::string& out, std::uint32_t key) {
    for (int shift = 28; shift >= 0; shift -= 4) {
        out.push_back(kHex[(key >> shift) & 15U]);
    }
}

// Calls `visit(event_id, keys)` for each event of a postings row ("12:0a1b2c3d,… 13:…"), in
// the order stored (ascending event ids).
template <typename Visit>
void ForEachPosting(std::string_view entries, Visit&& visit) {
    while (!entries.empty()) {
        const auto end = entries.find(' ');
        const std::string_view entry = entries.substr(0, end);
        entries = end == std::string_view::npos ? std::string_view() : entries.substr(end + 1);
        const auto colon = entry.find(':');
        std::int64_t event_id = 0;
        if (colon == std::string_view::npos ||
            std::from_chars(entry.data(), entry.data() + colon, event_id).ec != std::errc()) {
            continue;
        }
        visit(event_id, entry.substr(colon + 1));
    }
}

bool HasKey(std::string_view keys, std::uint32_t key) {
    while (!keys.empty()) {
        std::uint32_t stored = 0;
        const auto [end, error] =
            std::from_chars(keys.data(), keys.data() + keys.size(), stored, 16);
        if (error != std::errc()) {
            return false;
        }
        if (stored == key) {
            return true;
        }
        const auto consumed = static_cast<std::size_t>(end - keys.data());
        keys.remove_prefix(std::min(keys.size(), consumed + 1));  // and the comma
    }
    return false;
}

std::string JoinFields(const std::vector<std::string>& fields) {
    std::string joined;
    for (const std::string& field : fields) {
        joined.append(joined.empty() ? "" : ",").append(field);
    }
    return joined;
}

constexpr std::string_view kInsertEvents =
    "INSERT INTO audit_events (id, at, user_id, username, role, purpose, request_id, action, "
    "object_name, field_set, subjects)";
constexpr std::size_t kEventColumns = 11;
constexpr std::string_view kInsertPostings = "INSERT INTO audit_postings (bucket, entries)";
constexpr std::size_t kPostingColumns = 2;
// Rows per multi-row INSERT: one prepared statement per size, at most this many sizes.
constexpr std::size_t kRowsPerStatement = 16;

const std::string& InsertSql(std::string_view head, std::size_t columns, std::size_t rows) {
    thread_local std::vector<std::string> events(kRowsPerStatement + 1);
    thread_local std::vector<std::string> postings(kRowsPerStatement + 1);
    std::string& sql = (head == kInsertEvents ? events : postings)[rows];
    if (sql.empty()) {
        sql = storage::MultiRowInsertSql(head, columns, rows);
    }
    return sql;
}

// Runs the multi-row INSERT `head` over `params` (`columns` values a row), in statements of
// at most kRowsPerStatement rows.
Status InsertRows(storage::Connection& connection, std::string_view head, std::size_t columns,
                  const std::vector<Value>& params) {
    const std::size_t rows = params.size() / columns;
    for (std::size_t first = 0; first < rows; first += kRowsPerStatement) {
        const std::size_t count = std::min(kRowsPerStatement, rows - first);
        P360_TRY(connection.Execute(InsertSql(head, columns, count),
                                    std::span(params).subspan(first * columns, count * columns)));
    }
    return Ok();
}

// Splits one call's subjects into lists of at most AccessAudit::kSubjectSlots, each packed
// anew: a list must not begin with an entry that names its member by the one before.
std::vector<AuditSubjects> SplitSubjects(const AuditSubjects& subjects) {
    std::vector<AuditSubjects> parts(1);
    AuditSubjects::ForEach(subjects.packed(),
                           [&parts](std::string_view record_id, std::string_view person_id) {
                               if (parts.back().size() == AccessAudit::kSubjectSlots) {
                                   parts.emplace_back();
                               }
                               parts.back().Add(record_id, person_id);
                           });
    return parts;
}

std::string TextAt(const storage::RowView& row, std::size_t column) {
    return std::string(row.TextAt(column));
}

}  // namespace

AuditSubjects AuditSubjects::FromPacked(std::string packed, std::size_t count) {
    AuditSubjects subjects;
    subjects.packed_ = std::move(packed);
    subjects.count_ = count;
    return subjects;
}

void AuditSubjects::Add(std::string_view record_id, std::string_view person_id) {
    const bool same_member = count_ > 0 && !person_id.empty() && person_id == last_person_;
    if (count_++ > 0) {
        packed_.push_back(' ');
    }
    AppendEscaped(packed_, record_id);
    if (person_id == record_id && !record_id.empty()) {
        // the record is the member: nothing to add
    } else if (same_member) {
        packed_.push_back('^');
    } else {
        packed_.push_back('@');
        AppendEscaped(packed_, person_id);
    }
    if (person_id != last_person_) {
        last_person_.assign(person_id);
    }
}

void AuditSubjects::ForEach(std::string_view packed,
                            const std::function<void(std::string_view, std::string_view)>& visit) {
    std::string record_buffer;
    std::string person_buffer;
    std::string previous_person;
    while (!packed.empty()) {
        const auto end = packed.find(' ');
        std::string_view entry = packed.substr(0, end);
        packed = end == std::string_view::npos ? std::string_view() : packed.substr(end + 1);
        const bool same_member = entry.ends_with('^');
        if (same_member) {
            entry.remove_suffix(1);
        }
        const auto at = entry.find('@');
        const std::string_view record = Unescaped(entry.substr(0, at), record_buffer);
        std::string_view person = record;
        if (same_member) {
            person = previous_person;
        } else if (at != std::string_view::npos) {
            person = Unescaped(entry.substr(at + 1), person_buffer);
        }
        visit(record, person);
        if (person.data() != previous_person.data()) {
            previous_person.assign(person);
        }
    }
}

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
        P360_ASSIGN_OR_RETURN(auto columns, connection.TableColumns("audit_events"));
        if (!columns.empty() &&
            std::find(columns.begin(), columns.end(), "subjects") == columns.end()) {
            return Error::FailedPrecondition(
                "audit.db has the layout of an earlier development build; move it aside to "
                "start a new audit.");
        }
        P360_TRY(connection.Execute("CREATE TABLE IF NOT EXISTS audit_field_sets (id " +
                                    sequence_key + ", fields TEXT NOT NULL)"));
        P360_TRY(
            connection.Execute("CREATE UNIQUE INDEX IF NOT EXISTS ux_audit_field_sets_fields ON "
                               "audit_field_sets (fields)"));
        P360_TRY(connection.Execute(
            "CREATE TABLE IF NOT EXISTS audit_events (id " + sequence_key +
            ", at TEXT NOT NULL, user_id TEXT NOT NULL, username TEXT NOT NULL, role TEXT NOT "
            "NULL, purpose TEXT NOT NULL, request_id TEXT NOT NULL, action TEXT NOT NULL, "
            "object_name TEXT NOT NULL, field_set INTEGER NOT NULL, subjects TEXT NOT NULL)"));
        P360_TRY(connection.Execute("CREATE TABLE IF NOT EXISTS audit_postings (id " +
                                    sequence_key +
                                    ", bucket INTEGER NOT NULL, entries TEXT NOT NULL)"));
        return connection.Execute(
            "CREATE INDEX IF NOT EXISTS ix_audit_postings_bucket ON audit_postings (bucket, id)");
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

void AccessAudit::Record(const Actor& actor, std::string_view action, std::string_view object_name,
                         std::string phi_fields, AuditSubjects subjects) {
    Pending event{
        clock_.NowMillis(),
        actor.user_id,
        actor.username,
        actor.role,
        actor.purpose.empty() ? std::string(DefaultPurposeOfUse(actor.role)) : actor.purpose,
        actor.request_id,
        std::string(action),
        std::string(object_name),
        std::move(phi_fields),
        {},
        0};
    std::vector<Pending> events;
    if (subjects.size() <= kSubjectSlots) {
        event.subject_count = subjects.size();
        event.subjects = std::move(subjects).TakePacked();
        events.push_back(std::move(event));
    } else {
        for (AuditSubjects& part : SplitSubjects(subjects)) {
            events.push_back(event);
            events.back().subject_count = part.size();
            events.back().subjects = std::move(part).TakePacked();
        }
    }
    Enqueue(std::move(events));
}

void AccessAudit::Record(const Actor& actor, std::vector<AuditEntry> entries) {
    std::size_t start = 0;
    while (start < entries.size()) {
        const AuditEntry& first = entries[start];
        AuditSubjects subjects;
        std::size_t end = start;
        for (; end < entries.size(); ++end) {
            const AuditEntry& entry = entries[end];
            if (entry.action != first.action || entry.object_name != first.object_name ||
                entry.phi_fields != first.phi_fields) {
                break;
            }
            if (!entry.record_id.empty() || !entry.person_id.empty()) {
                subjects.Add(entry.record_id, entry.person_id);
            }
        }
        Record(actor, first.action, first.object_name, JoinFields(first.phi_fields),
               std::move(subjects));
        start = end;
    }
}

void AccessAudit::Enqueue(std::vector<Pending> events) {
    std::size_t cost = 0;
    for (const Pending& event : events) {
        cost += 1 + event.subject_count;
    }
    std::unique_lock lock(mutex_);
    drained_.wait(lock, [this] { return pending_cost_ < kMaxPending || stopping_; });
    for (Pending& event : events) {
        pending_.push_back(std::move(event));
    }
    pending_cost_ += cost;
    if (pending_cost_ >= kEagerFlush) {
        wake_.notify_one();
    }
}

Status AccessAudit::Flush() {
    std::lock_guard flush_lock(flush_mutex_);
    std::vector<Pending> pending;
    {
        std::lock_guard lock(mutex_);
        pending.swap(pending_);
        pending_cost_ = 0;
    }
    drained_.notify_all();
    return WritePending(pending);
}

Result<std::int64_t> AccessAudit::FieldSetId(storage::Connection& connection,
                                             const std::string& fields) {
    const Value param[] = {fields};
    std::int64_t id = 0;
    P360_TRY(connection.ForEachRowView("SELECT id FROM audit_field_sets WHERE fields = ?", param,
                                       [&id](const storage::RowView& row) {
                                           id = row.IntegerAt(0);
                                           return false;
                                       }));
    if (id == 0) {
        // RETURNING is read to the end: a statement reset before it is done makes SQLite unwind
        // its statement journal.
        P360_TRY(connection.ForEachRowView(
            "INSERT INTO audit_field_sets (fields) VALUES (?) RETURNING id", param,
            [&id](const storage::RowView& row) {
                id = row.IntegerAt(0);
                return true;
            }));
    }
    return id;
}

Status AccessAudit::WritePending(std::vector<Pending>& pending) {
    if (pending.empty()) {
        return Ok();
    }
    std::unordered_map<std::string, std::int64_t> new_field_sets;
    // A batch in a transaction of its own: no savepoint to maintain around thousands of rows.
    Status written = database_->WriteAlone([&](storage::Connection& connection) -> Status {
        new_field_sets.clear();
        // The transaction holds the audit database's write lock, so the ids after the largest
        // stored one are this batch's: postings can name events without reading ids back.
        std::int64_t next_id = 1;
        P360_TRY(connection.ForEachRowView("SELECT MAX(id) FROM audit_events", {},
                                           [&next_id](const storage::RowView& row) {
                                               if (!row.IsNullAt(0)) {
                                                   next_id = row.IntegerAt(0) + 1;
                                               }
                                               return false;
                                           }));
        std::vector<Value> params;
        params.reserve(std::min(pending.size(), kRowsPerStatement * 4) * kEventColumns);
        std::vector<std::string> postings(kBuckets);
        std::vector<std::int64_t> last_event(kBuckets, 0);
        std::vector<std::uint32_t> last_key(kBuckets, 0);  // of last_event, the last member
        std::string event_text;
        for (const Pending& event : pending) {
            std::int64_t field_set = 0;
            if (auto known = field_sets_.find(event.fields); known != field_sets_.end()) {
                field_set = known->second;
            } else if (auto added = new_field_sets.find(event.fields);
                       added != new_field_sets.end()) {
                field_set = added->second;
            } else {
                P360_ASSIGN_OR_RETURN(field_set, FieldSetId(connection, event.fields));
                new_field_sets.emplace(event.fields, field_set);
            }
            const std::int64_t event_id = next_id++;
            params.emplace_back(event_id);
            params.emplace_back(FormatDateTime(event.at_millis));
            params.emplace_back(event.user_id);
            params.emplace_back(event.username);
            params.emplace_back(event.role);
            params.emplace_back(event.purpose);
            params.emplace_back(event.request_id);
            params.emplace_back(event.action);
            params.emplace_back(event.object_name);
            params.emplace_back(field_set);
            params.emplace_back(event.subjects);
            if (params.size() == kRowsPerStatement * kEventColumns) {
                P360_TRY(InsertRows(connection, kInsertEvents, kEventColumns, params));
                params.clear();
            }
            event_text = std::to_string(event_id);
            AuditSubjects::ForEach(event.subjects, [&](std::string_view /*record_id*/,
                                                       std::string_view person_id) {
                if (person_id.empty()) {
                    return;
                }
                const PersonKey key = KeyOf(person_id);
                std::string& entries = postings[key.bucket];
                if (last_event[key.bucket] == event_id) {
                    if (last_key[key.bucket] == key.key) {
                        return;  // the event is listed under this member already
                    }
                    entries.push_back(',');
                } else {
                    entries.append(entries.empty() ? "" : " ").append(event_text).push_back(':');
                    last_event[key.bucket] = event_id;
                }
                AppendKey(entries, key.key);
                last_key[key.bucket] = key.key;
            });
        }
        P360_TRY(InsertRows(connection, kInsertEvents, kEventColumns, params));
        params.clear();
        for (std::uint32_t bucket = 0; bucket < kBuckets; ++bucket) {
            if (!postings[bucket].empty()) {
                params.emplace_back(std::int64_t{bucket});
                params.emplace_back(std::move(postings[bucket]));
            }
        }
        return InsertRows(connection, kInsertPostings, kPostingColumns, params);
    });
    if (!written.ok()) {
        // Keep the entries for the next attempt rather than lose them.
        std::lock_guard lock(mutex_);
        for (const Pending& event : pending) {
            pending_cost_ += 1 + event.subject_count;
        }
        pending_.insert(pending_.begin(), std::make_move_iterator(pending.begin()),
                        std::make_move_iterator(pending.end()));
        log::Error("audit.write_failed", {{"events", std::to_string(pending.size())}});
        return written;
    }
    field_sets_.merge(new_field_sets);
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
    if (limit <= 0 || person_id.empty()) {
        return records;
    }
    const PersonKey key = KeyOf(person_id);
    const std::int64_t before = before_id > 0 ? before_id : INT64_MAX;
    const auto slots = static_cast<std::int64_t>(kSubjectSlots);
    const std::int64_t last_event = before / slots;  // later events are all at or after `before`
    const auto wanted = static_cast<std::size_t>(limit);
    P360_TRY(database_->Read([&](storage::Connection& connection) -> Status {
        constexpr std::int64_t kPostingsPerQuery = 64;
        std::int64_t postings_before = INT64_MAX;
        std::vector<std::int64_t> candidates;  // events, newest first
        while (records.size() < wanted) {
            // The next postings of the member's bucket, newest first.
            candidates.clear();
            std::int64_t rows = 0;
            const Value params[] = {std::int64_t{key.bucket}, postings_before, kPostingsPerQuery};
            P360_TRY(connection.ForEachRowView(
                "SELECT id, entries FROM audit_postings WHERE bucket = ? AND id < ? ORDER BY id "
                "DESC LIMIT ?",
                params, [&](const storage::RowView& row) {
                    ++rows;
                    postings_before = row.IntegerAt(0);
                    const std::size_t first = candidates.size();
                    ForEachPosting(row.TextAt(1),
                                   [&](std::int64_t event_id, std::string_view keys) {
                                       if (event_id <= last_event && HasKey(keys, key.key)) {
                                           candidates.push_back(event_id);
                                       }
                                   });
                    std::reverse(candidates.begin() + static_cast<std::ptrdiff_t>(first),
                                 candidates.end());
                    return true;
                }));
            if (rows == 0) {
                break;
            }
            for (std::int64_t event_id : candidates) {
                if (records.size() >= wanted) {
                    break;
                }
                const Value event_param[] = {event_id};
                P360_TRY(connection.ForEachRowView(
                    "SELECT e.at, e.user_id, e.username, e.role, e.action, e.object_name, "
                    "f.fields, e.purpose, e.request_id, e.subjects FROM audit_events e JOIN "
                    "audit_field_sets f ON f.id = e.field_set WHERE e.id = ?",
                    event_param, [&](const storage::RowView& row) {
                        // This member's subjects of the event, last first.
                        std::vector<std::pair<std::int64_t, std::string>> mine;
                        std::int64_t position = 0;
                        AuditSubjects::ForEach(row.TextAt(9), [&](std::string_view record_id,
                                                                  std::string_view person) {
                            const std::int64_t id = event_id * slots + position++;
                            if (person == person_id && id < before) {
                                mine.emplace_back(id, std::string(record_id));
                            }
                        });
                        for (auto subject = mine.rbegin();
                             subject != mine.rend() && records.size() < wanted; ++subject) {
                            AuditRecord& record = records.emplace_back();
                            record.id = subject->first;
                            record.at = TextAt(row, 0);
                            record.user_id = TextAt(row, 1);
                            record.username = TextAt(row, 2);
                            record.role = TextAt(row, 3);
                            record.action = TextAt(row, 4);
                            record.object_name = TextAt(row, 5);
                            record.record_id = std::move(subject->second);
                            record.person_id = std::string(person_id);
                            record.fields = TextAt(row, 6);
                            record.purpose = TextAt(row, 7);
                            record.request_id = TextAt(row, 8);
                        }
                        return false;
                    }));
            }
        }
        return Ok();
    }));
    return records;
}

}  // namespace p360::security
