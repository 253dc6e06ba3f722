// RecordService::BulkUpsert: NDJSON lines keyed by an external id, created or updated through
// the same write steps as single records, in one transaction.
//
// Atomic mode: every line is tried (so the answer lists every problem), and any failure rolls
// the whole batch back. Partial mode: failed lines leave nothing behind and the rest commit.
#include <array>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "core/time_format.hpp"
#include "records/record_codec.hpp"
#include "records/record_service.hpp"
#include "records/record_writes.hpp"

namespace p360::records {
namespace {

using metadata::FieldDef;
using metadata::ObjectDef;
using storage::Connection;
using storage::Value;

// Outbox and history rows a batch holds at most before writing them.
constexpr std::size_t kDeferredRows = 1024;

enum class LineStatus { kPending, kCreated, kUpdated, kUnchanged, kFailed, kRolledBack };

std::string_view LineStatusName(LineStatus status) {
    switch (status) {
        case LineStatus::kCreated:
            return "created";
        case LineStatus::kUpdated:
            return "updated";
        case LineStatus::kUnchanged:
            return "unchanged";
        case LineStatus::kFailed:
            return "failed";
        case LineStatus::kRolledBack:
            return "rolledBack";
        case LineStatus::kPending:
            break;
    }
    return "pending";
}

struct BulkLine {
    std::int64_t number = 0;  // 1-based line number in the body
    std::vector<FieldAssignment> assignments;
    Value key;
    LineStatus status = LineStatus::kPending;
    std::string id;
    std::vector<FieldError> errors;
    bool refused_by_decoder = false;  // failed before any write was tried
};

std::vector<FieldError> ErrorsOf(const Error& error) {
    if (!error.field_errors.empty()) {
        return error.field_errors;
    }
    return {{error.location, error.public_message, {}}};
}

// One non-blank line of the body, not yet decoded.
struct LineText {
    std::int64_t number = 0;  // 1-based line number in the body
    std::string_view text;
};

// Splits the body into its non-blank lines; kTooLarge beyond `max_lines`.
Result<std::vector<LineText>> SplitLines(std::string_view ndjson, std::size_t max_lines) {
    std::vector<LineText> lines;
    std::int64_t number = 0;
    while (!ndjson.empty()) {
        const auto end = ndjson.find('\n');
        std::string_view text = ndjson.substr(0, end);
        ndjson = end == std::string_view::npos ? std::string_view() : ndjson.substr(end + 1);
        ++number;
        if (!text.empty() && text.back() == '\r') {
            text.remove_suffix(1);
        }
        if (text.find_first_not_of(" \t") == std::string_view::npos) {
            continue;
        }
        if (lines.size() == max_lines) {
            return Error::TooLarge("A bulk request holds at most " + std::to_string(max_lines) +
                                   " lines.");
        }
        lines.push_back({number, text});
    }
    return lines;
}

// Decodes one line into `line`; decode errors stay on the line, which is then kFailed.
void DecodeLine(const metadata::Catalog& catalog, const ObjectDef& object, const LineText& text,
                const FieldDef& key_field, const EditCheck& can_edit, BulkLine& line) {
    line.number = text.number;
    // Each line's JSON lives only while it is decoded: parse it into a small arena.
    std::array<unsigned char, 8192> arena_buffer;
    json::monotonic_resource arena(arena_buffer.data(), arena_buffer.size());
    auto parsed = ParseJson(text.text, "line", &arena);
    if (!parsed.ok()) {
        line.errors.push_back({"", parsed.error().public_message, text.number});
    } else if (auto assignments = DecodeFields(catalog, object, parsed.value(), can_edit);
               !assignments.ok()) {
        line.errors = ErrorsOf(assignments.error());
    } else {
        line.assignments = std::move(assignments).value();
        for (const FieldAssignment& assignment : line.assignments) {
            if (&object.fields[assignment.field_index] == &key_field) {
                line.key = assignment.value;
            }
        }
        if (storage::IsNull(line.key)) {
            line.errors.push_back(
                {key_field.name, "Each line needs a value for the key field.", {}});
        }
    }
    for (FieldError& error : line.errors) {
        error.line = line.number;
    }
    if (!line.errors.empty()) {
        line.status = LineStatus::kFailed;
        line.refused_by_decoder = true;
    }
}

// Decodes the lines on a thread of its own while the writer applies those already decoded:
// parsing and validating a line costs a fraction of writing it, but a large batch decoded
// first would leave the writer idle meanwhile. The destructor waits for the thread.
class LineDecoder {
public:
    LineDecoder(const metadata::Catalog& catalog, const ObjectDef& object,
                const std::vector<LineText>& texts, const FieldDef& key_field,
                const EditCheck& can_edit, std::vector<BulkLine>& lines)
        : thread_([&, this] {
              for (std::size_t line_idx = 0; line_idx < texts.size(); ++line_idx) {
                  try {
                      DecodeLine(catalog, object, texts[line_idx], key_field, can_edit,
                                 lines[line_idx]);
                  } catch (const std::exception&) {
                      lines[line_idx].errors = {
                          {"", "The line could not be decoded.", texts[line_idx].number}};
                      lines[line_idx].status = LineStatus::kFailed;
                      lines[line_idx].refused_by_decoder = true;
                  }
                  if ((line_idx + 1) % kBlock == 0 || line_idx + 1 == texts.size()) {
                      {
                          std::lock_guard lock(mutex_);
                          decoded_ = line_idx + 1;
                      }
                      progress_.notify_one();
                  }
              }
          }) {}
    ~LineDecoder() { thread_.join(); }

    // Waits until line `line_idx` is decoded.
    void WaitFor(std::size_t line_idx) {
        if (line_idx < known_decoded_) {
            return;
        }
        std::unique_lock lock(mutex_);
        progress_.wait(lock, [&] { return decoded_ > line_idx; });
        known_decoded_ = decoded_;
    }

private:
    static constexpr std::size_t kBlock = 64;

    std::mutex mutex_;
    std::condition_variable progress_;
    std::size_t decoded_ = 0;        // guarded by mutex_
    std::size_t known_decoded_ = 0;  // the waiting side's copy
    std::thread thread_;
};

// Lines a PostgreSQL chunk runs between savepoints: few enough that running a chunk again
// after a failed statement is cheap.
constexpr std::size_t kChunkLines = 256;

void FailLine(BulkLine& line, const Error& error) {
    line.status = LineStatus::kFailed;
    line.id.clear();
    line.errors = ErrorsOf(error);
    for (FieldError& field_error : line.errors) {
        field_error.line = line.number;
    }
}

// Lines [first, last] of a chunk that was rolled back, made ready to run again (those the
// decoder refused stay refused).
void ResetLines(std::vector<BulkLine>& lines, std::size_t first, std::size_t last) {
    for (std::size_t line_idx = first; line_idx <= last; ++line_idx) {
        BulkLine& line = lines[line_idx];
        if (!line.refused_by_decoder) {
            line.status = LineStatus::kPending;
            line.id.clear();
            line.errors.clear();
        }
    }
}

// Creates or updates the record a line names, if the actor may change it (`changeable`, a
// condition over alias t). Every check runs before the first write. `prefetched`, when given,
// holds the rows of the line's chunk by key (one query for the chunk instead of one a line).
Status ApplyLine(Connection& connection, const detail::WriteScope& scope, const FieldDef& key_field,
                 const storage::SqlCondition& changeable, BulkLine& line,
                 std::map<Value, storage::Row>* prefetched = nullptr) {
    std::optional<storage::Row> existing;
    if (prefetched != nullptr) {
        if (auto found = prefetched->find(line.key); found != prefetched->end()) {
            existing = found->second;
        }
    } else {
        P360_ASSIGN_OR_RETURN(existing, detail::LoadRowBy(connection, scope.object, key_field,
                                                          line.key, /*for_change=*/true));
    }
    if (existing && !changeable.Unrestricted()) {
        // The key is taken either way; say no more than that the record is not the caller's.
        P360_ASSIGN_OR_RETURN(
            auto reachable,
            detail::LoadRowWithin(connection, scope.object, std::get<std::string>((*existing)[0]),
                                  changeable));
        if (!reachable) {
            return Error::PermissionDenied("You may not change the record with this " +
                                           key_field.name + ".");
        }
    }
    if (existing) {
        P360_ASSIGN_OR_RETURN(auto result,
                              detail::UpdateRecord(connection, scope, *existing, line.assignments));
        line.status = result == detail::UpdateResult::kUpdated ? LineStatus::kUpdated
                                                               : LineStatus::kUnchanged;
        line.id = std::get<std::string>((*existing)[0]);
        return Ok();
    }
    P360_ASSIGN_OR_RETURN(auto row, detail::InsertRecord(connection, scope, line.assignments));
    line.status = LineStatus::kCreated;
    line.id = std::get<std::string>(row[0]);
    return Ok();
}

// Applies the decoded lines of one batch inside its transaction.
//
// Every check of a line runs before its first write, and a failed statement undoes itself, so
// on engines that keep the transaction usable (SQLite) a failed line leaves nothing behind
// without a savepoint; if it did write (the total moved), the batch fails whole.
//
// Where a failed statement aborts the whole transaction (PostgreSQL), each statement is a
// network round trip and a savepoint per line would triple them. Lines go in chunks instead:
// one query finds the chunk's existing records, new records are inserted together at the end
// of the chunk (Connection::InsertRows) and the changed ones updated together
// (Connection::ExecuteBatch, one UPDATE each), and one savepoint covers it. If a statement fails
// inside a chunk, the chunk is rolled back and runs again line by line, each with its own
// savepoint, so every line still gets its own outcome.
class LineApplier {
public:
    LineApplier(Connection& connection, detail::WriteScope& scope, detail::DeferredRows& deferred,
                const FieldDef& key_field, const storage::SqlCondition& changeable,
                LineDecoder& decoder, std::vector<BulkLine>& lines)
        : connection_(connection),
          scope_(scope),
          deferred_(deferred),
          key_field_(key_field),
          changeable_(changeable),
          decoder_(decoder),
          lines_(lines) {}

    Status ApplyAll() {
        if (!connection_.dialect().FailedStatementAbortsTransaction()) {
            return ApplyLineByLine();
        }
        for (std::size_t first = 0; first < lines_.size(); first += kChunkLines) {
            const std::size_t last = std::min(lines_.size(), first + kChunkLines);
            P360_TRY(connection_.Execute("SAVEPOINT chunk"));
            P360_ASSIGN_OR_RETURN(const bool applied, TryChunk(first, last));
            if (!applied) {
                P360_TRY(connection_.Execute("ROLLBACK TO chunk"));
                deferred_.Discard();
                scope_.known_references->clear();
                ResetLines(lines_, first, last - 1);
                P360_TRY(ApplyCarefully(first, last));
            }
            P360_TRY(connection_.Execute("RELEASE chunk"));
        }
        return Ok();
    }

private:
    Status ApplyLineByLine() {
        for (std::size_t line_idx = 0; line_idx < lines_.size(); ++line_idx) {
            decoder_.WaitFor(line_idx);
            BulkLine& line = lines_[line_idx];
            if (line.status == LineStatus::kFailed) {
                continue;
            }
            const std::int64_t changes_before = connection_.TotalChanges();
            Status applied = ApplyLine(connection_, scope_, key_field_, changeable_, line);
            if (!applied.ok()) {
                if (connection_.TotalChanges() != changes_before) {
                    return Error::Internal("bulk line failed after a partial write");
                }
                FailLine(line, applied.error());
            }
            if (deferred_.size() >= kDeferredRows) {
                P360_TRY(deferred_.Write(connection_));
            }
        }
        return deferred_.Write(connection_);
    }

    // False when a statement failed and the chunk must run again, line by line.
    Result<bool> TryChunk(std::size_t first, std::size_t last) {
        decoder_.WaitFor(last - 1);
        P360_ASSIGN_OR_RETURN(auto prefetched, Prefetch(first, last));
        // A key twice in one chunk: the second line must see the first one's write, which
        // deferring would hide; such a chunk writes as it goes.
        scope_.defer_writes = prefetched.has_value();
        for (std::size_t line_idx = first; line_idx < last; ++line_idx) {
            BulkLine& line = lines_[line_idx];
            if (line.status == LineStatus::kFailed) {
                continue;
            }
            Status applied = ApplyLine(connection_, scope_, key_field_, changeable_, line,
                                       prefetched ? &*prefetched : nullptr);
            if (!applied.ok()) {
                if (connection_.TransactionAborted()) {
                    scope_.defer_writes = false;
                    return false;
                }
                FailLine(line, applied.error());
            }
        }
        scope_.defer_writes = false;
        // A failed statement, or an update that found its record changed since the chunk
        // read it: the chunk runs again line by line, each line reading its record afresh.
        Status flushed = deferred_.Write(connection_);
        if (!flushed.ok() && (connection_.TransactionAborted() ||
                              flushed.error().code == ErrorCode::kFailedPrecondition)) {
            return false;
        }
        P360_TRY(flushed);
        return true;
    }

    // The chunk's existing records by key, in one query; nothing when a key repeats.
    Result<std::optional<std::map<Value, storage::Row>>> Prefetch(std::size_t first,
                                                                  std::size_t last) {
        std::vector<Value> keys;
        std::map<Value, storage::Row> rows;
        for (std::size_t line_idx = first; line_idx < last; ++line_idx) {
            if (lines_[line_idx].status == LineStatus::kFailed) {
                continue;
            }
            if (!rows.emplace(lines_[line_idx].key, storage::Row{}).second) {
                return std::optional<std::map<Value, storage::Row>>();
            }
            keys.push_back(lines_[line_idx].key);
        }
        rows.clear();
        P360_ASSIGN_OR_RETURN(auto found,
                              detail::LoadRowsBy(connection_, scope_.object, key_field_, keys));
        const auto key_index = static_cast<std::size_t>(&key_field_ - scope_.object.fields.data());
        for (storage::Row& row : found) {
            Value key = row[key_index];
            rows.emplace(std::move(key), std::move(row));
        }
        return std::optional(std::move(rows));
    }

    Status ApplyCarefully(std::size_t first, std::size_t last) {
        for (std::size_t line_idx = first; line_idx < last; ++line_idx) {
            BulkLine& line = lines_[line_idx];
            if (line.status == LineStatus::kFailed) {
                continue;
            }
            P360_TRY(connection_.Execute("SAVEPOINT line"));
            // The line reads its record locked (ApplyLine without a prefetch): no other node
            // can change it before the line's own write.
            Status applied = ApplyLine(connection_, scope_, key_field_, changeable_, line);
            if (!applied.ok()) {
                P360_TRY(connection_.Execute("ROLLBACK TO line"));
                FailLine(line, applied.error());
            }
            P360_TRY(connection_.Execute("RELEASE line"));
        }
        return deferred_.Write(connection_);
    }

    Connection& connection_;
    detail::WriteScope& scope_;
    detail::DeferredRows& deferred_;
    const FieldDef& key_field_;
    const storage::SqlCondition& changeable_;
    LineDecoder& decoder_;
    std::vector<BulkLine>& lines_;
};

json::object Summarise(std::vector<BulkLine>& lines, BulkMode mode, bool applied) {
    std::int64_t counts[6] = {};
    json::array results;
    results.reserve(lines.size());
    for (BulkLine& line : lines) {
        if (!applied && mode != BulkMode::kDryRun && line.status != LineStatus::kFailed) {
            line.status = LineStatus::kRolledBack;
        }
        ++counts[static_cast<int>(line.status)];
        json::object result{{"line", line.number}, {"status", LineStatusName(line.status)}};
        if (applied && !line.id.empty()) {
            result["id"] = line.id;
        }
        if (!line.errors.empty()) {
            json::array errors;
            for (const FieldError& error : line.errors) {
                errors.push_back(json::object{{"field", error.field}, {"message", error.message}});
            }
            result["errors"] = std::move(errors);
        }
        results.push_back(std::move(result));
    }
    return json::object{
        {"mode", mode == BulkMode::kAtomic    ? "atomic"
                 : mode == BulkMode::kPartial ? "partial"
                                              : "dryRun"},
        {"applied", applied},
        {"total", static_cast<std::int64_t>(lines.size())},
        {"created", counts[static_cast<int>(LineStatus::kCreated)]},
        {"updated", counts[static_cast<int>(LineStatus::kUpdated)]},
        {"unchanged", counts[static_cast<int>(LineStatus::kUnchanged)]},
        {"failed", counts[static_cast<int>(LineStatus::kFailed)]},
        {"results", std::move(results)},
    };
}

// One audit entry for the whole batch, naming the PHI fields any applied line set: a bulk load is
// an import, not a disclosure, and one entry per line would double its cost.
void AuditBatch(security::AccessAudit* audit, const security::Actor& actor, const ObjectDef& object,
                const std::vector<BulkLine>& lines) {
    if (audit == nullptr) {
        return;
    }
    std::vector<bool> touched(object.fields.size(), false);
    for (const BulkLine& line : lines) {
        if (line.status != LineStatus::kFailed) {
            for (const FieldAssignment& assignment : line.assignments) {
                touched[assignment.field_index] = true;
            }
        }
    }
    std::string phi_fields;
    for (std::size_t field_idx = 0; field_idx < object.fields.size(); ++field_idx) {
        if (touched[field_idx] && object.fields[field_idx].phi) {
            phi_fields.append(phi_fields.empty() ? "" : ",").append(object.fields[field_idx].name);
        }
    }
    if (!phi_fields.empty()) {
        audit->Record(actor, "bulk-upsert", object.name, std::move(phi_fields), {});
    }
}

}  // namespace

Result<BulkOutcome> RecordService::BulkUpsert(const security::Actor& actor,
                                              std::string_view object_name, std::string_view ndjson,
                                              std::string_view external_id_field, BulkMode mode) {
    P360_ASSIGN_OR_RETURN(Target target, Resolve(actor, object_name, security::Operation::kCreate));
    const ObjectDef& object = *target.object;
    P360_TRY(authorizer_.CheckObject(actor, object, security::Operation::kUpdate));
    const FieldDef* key_field = object.FindField(external_id_field);
    if (key_field == nullptr || key_field->system ||
        !(key_field->external_id || key_field->unique)) {
        return Error::InvalidArgument(
            "externalId must name an external-id or unique field of " + object.name + ".",
            "externalId");
    }
    const EditCheck can_edit = [&](const FieldDef& field) {
        return authorizer_.CanEditField(actor, object, field);
    };
    P360_ASSIGN_OR_RETURN(auto texts, SplitLines(ndjson, limits_.max_bulk_lines));
    if (texts.empty()) {
        return Error::InvalidArgument("The body holds no NDJSON lines.", "body");
    }
    std::vector<BulkLine> lines(texts.size());

    const std::int64_t now = clock_.NowMillis();
    std::int64_t failed = 0;
    const Error rolled_back = Error::InvalidArgument("The atomic batch was rolled back.");
    const query::RecordScope readable = ScopeOf(actor, target, security::Operation::kRead);
    const storage::SqlCondition changeable =
        ScopeOf(actor, target, security::Operation::kUpdate)(object, "t");
    Status written = Ok();
    {
        LineDecoder decoder(*target.catalog, object, texts, *key_field, can_edit, lines);
        written = database_.WriteAlone([&](Connection& connection) -> Status {
            std::unordered_set<std::string> known_references;
            // Outbox and history rows go in multi-row INSERTs between lines.
            detail::DeferredRows deferred;
            detail::WriteScope scope{
                *target.catalog,   object,    actor,    now, FormatDateTime(now),
                &known_references, &readable, &deferred};
            LineApplier applier(connection, scope, deferred, *key_field, changeable, decoder,
                                lines);
            P360_TRY(applier.ApplyAll());
            const auto failed_lines = std::count_if(
                lines.begin(), lines.end(),
                [](const BulkLine& line) { return line.status == LineStatus::kFailed; });
            // A dry run goes all the way, then undoes everything: what it reports is exactly
            // what a real run would do.
            const bool undo =
                (mode == BulkMode::kAtomic && failed_lines > 0) || mode == BulkMode::kDryRun;
            return undo ? Status(rolled_back) : Ok();
        });
    }  // every line is decoded here, whatever the writer did
    for (const BulkLine& line : lines) {
        failed += line.status == LineStatus::kFailed;
    }
    const bool applied = written.ok();
    if (applied) {
        AuditBatch(audit_, actor, object, lines);
    } else if (written.error().public_message != rolled_back.public_message) {
        return std::move(written).error();  // the database failed, not a line
    }
    BulkOutcome outcome;
    outcome.applied = applied;
    outcome.failed = failed;
    outcome.body = Summarise(lines, mode, applied);
    return outcome;
}

}  // namespace p360::records
