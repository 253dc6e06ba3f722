// The steps of the write path, shared by single-record and bulk operations of RecordService.
// Each runs on a connection inside the caller's write transaction; none commits. Internal to
// the records module.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/result.hpp"
#include "metadata/catalog.hpp"
#include "query/compiler.hpp"
#include "records/record_codec.hpp"
#include "security/authorizer.hpp"
#include "storage/database.hpp"

namespace p360::records::detail {

// Outbox and field-history rows a batch writes together (Connection::InsertRows: multi-row
// INSERTs, or COPY), instead of one statement each (see WriteScope::deferred). They keep their
// order; nothing in the transaction reads them back before they are written.
class DeferredRows {
public:
    void AddOutbox(std::vector<storage::Value> row) { Add(outbox_, std::move(row)); }
    void AddHistory(std::vector<storage::Value> row) { Add(history_, std::move(row)); }
    std::size_t size() const { return rows_; }
    // Writes the rows held so far and forgets them.
    Status Write(storage::Connection& connection);
    // Forgets the rows held so far (their writes were rolled back).
    void Discard() {
        outbox_.clear();
        history_.clear();
        records_.clear();
        updates_.clear();
        rows_ = 0;
    }
    // A new record of `object`, inserted with the others at the next Write (before the outbox
    // and history rows that name it).
    void AddRecord(const metadata::ObjectDef& object, storage::Row row);
    // An UPDATE of one record at its loaded version, run with the others at the next Write
    // (after the new records, before the outbox and history rows). Write fails with
    // kFailedPrecondition when one of them finds the record changed since.
    void AddUpdate(storage::Statement update);

private:
    void Add(std::vector<storage::Value>& to, std::vector<storage::Value> row);

    std::vector<storage::Value> outbox_;   // 5 values a row
    std::vector<storage::Value> history_;  // 7 values a row
    std::vector<storage::Value> records_;  // all columns of record_object_, a row at a time
    std::vector<storage::Statement> updates_;
    const metadata::ObjectDef* record_object_ = nullptr;
    std::size_t rows_ = 0;
};

// Everything one write needs to know about who, what and when.
struct WriteScope {
    const metadata::Catalog& catalog;
    const metadata::ObjectDef& object;
    const security::Actor& actor;
    std::int64_t now_millis;
    std::string now;  // canonical UTC datetime of now_millis
    // Reference targets already seen to exist in this transaction, as "Object/id".
    std::unordered_set<std::string>* known_references = nullptr;
    // The records the actor may read: a reference must point at one of them, so writes cannot
    // probe for records the actor may not see. Null = every record.
    const query::RecordScope* readable = nullptr;
    // Where outbox and history rows go when the caller writes them later (a bulk batch, which
    // must call DeferredRows::Write before its transaction ends). Null = written at once.
    DeferredRows* deferred = nullptr;
    // New records and updates go to `deferred` too (a bulk chunk that writes its records
    // together): new records' ids are checked now, and updates' versions when they run, in
    // DeferredRows::Write. Only with `deferred`.
    bool defer_writes = false;
};

// All columns of the records whose `key` is one of `values` (in no particular order).
Result<std::vector<storage::Row>> LoadRowsBy(storage::Connection& connection,
                                             const metadata::ObjectDef& object,
                                             const metadata::FieldDef& key,
                                             const std::vector<storage::Value>& values);

// All columns of a record (in ObjectDef::fields order), or nothing.
Result<std::optional<storage::Row>> LoadRow(storage::Connection& connection,
                                            const metadata::ObjectDef& object, std::string_view id);

// The same, if the record also satisfies `scope` (a condition over alias `t`).
Result<std::optional<storage::Row>> LoadRowWithin(storage::Connection& connection,
                                                  const metadata::ObjectDef& object,
                                                  std::string_view id,
                                                  const storage::SqlCondition& scope);

// LoadRowWithin for a record the transaction is about to change: where writers on other nodes
// could change it in between (PostgreSQL), it stays locked to them until the transaction ends.
Result<std::optional<storage::Row>> LoadRowForChange(storage::Connection& connection,
                                                     const metadata::ObjectDef& object,
                                                     std::string_view id,
                                                     const storage::SqlCondition& scope);

// Calls `on_row` with the record `id`, read in place, if it satisfies `scope` (a condition over
// alias `t`); calls nothing when there is no such record.
Status VisitRowWithin(storage::Connection& connection, const metadata::ObjectDef& object,
                      std::string_view id, const storage::SqlCondition& scope,
                      const std::function<void(const storage::RowView&)>& on_row);

// The record whose unique field `key` equals `value`, or nothing; `for_change`: locked as by
// LoadRowForChange.
Result<std::optional<storage::Row>> LoadRowBy(storage::Connection& connection,
                                              const metadata::ObjectDef& object,
                                              const metadata::FieldDef& key,
                                              const storage::Value& value, bool for_change = false);

std::int64_t VersionOf(const storage::Row& row);

// Inserts a new record: system fields, required fields, references, outbox. Returns the row.
Result<storage::Row> InsertRecord(storage::Connection& connection, const WriteScope& scope,
                                  const std::vector<FieldAssignment>& assignments);

enum class UpdateResult { kUpdated, kUnchanged };

// Applies assignments to the stored `row` (updated in place); writes history for tracked
// fields and an outbox event. Nothing is written when no value changes.
Result<UpdateResult> UpdateRecord(storage::Connection& connection, const WriteScope& scope,
                                  storage::Row& row,
                                  const std::vector<FieldAssignment>& assignments);

// Deletes a record after applying the onDelete rule of every reference to it.
Status DeleteRecord(storage::Connection& connection, const WriteScope& scope, const std::string& id,
                    int depth_left);

json::object EncodeRecord(const metadata::ObjectDef& object, const storage::Row& row,
                          const std::function<bool(const metadata::FieldDef&)>& include);

// The same record as JSON text, without building a JSON object first.
std::string EncodeRecordText(const metadata::ObjectDef& object, const storage::Row& row,
                             const std::function<bool(const metadata::FieldDef&)>& include);

}  // namespace p360::records::detail
