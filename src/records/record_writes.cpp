#include "records/record_writes.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <unordered_map>

#include "core/ids.hpp"
#include "records/record_codec.hpp"

namespace p360::records::detail {

using metadata::FieldDef;
using metadata::ObjectDef;
using storage::Connection;
using storage::QuoteIdentifier;
using storage::Value;

// Positions of the system fields; SystemFields() puts them first, in this order.
constexpr std::size_t kIdIndex = 0;
constexpr std::size_t kVersionIndex = 1;
constexpr std::size_t kOwnerIndex = 2;
constexpr std::size_t kCreatedAtIndex = 3;
constexpr std::size_t kCreatedByIndex = 4;
constexpr std::size_t kModifiedAtIndex = 5;
constexpr std::size_t kModifiedByIndex = 6;

namespace {

std::string ColumnList(const ObjectDef& object) {
    std::string columns;
    for (std::size_t field_idx = 0; field_idx < object.fields.size(); ++field_idx) {
        columns.append(field_idx == 0 ? "" : ", ")
            .append(QuoteIdentifier(object.fields[field_idx].name));
    }
    return columns;
}

// The fixed statements of one object, built once per thread and shape. Fields are only ever
// appended to an object, so its name plus its field count identify a shape.
struct ObjectSql {
    std::size_t field_count = 0;
    std::string insert;
    std::string select_all;                                  // "SELECT <all columns> FROM <table>"
    std::unordered_map<std::string, std::string> select_by;  // key field -> full statement
};

struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view name) const {
        return std::hash<std::string_view>{}(name);
    }
};

ObjectSql& SqlFor(const ObjectDef& object) {
    thread_local std::unordered_map<std::string, ObjectSql, NameHash, std::equal_to<>> cache;
    auto entry = cache.find(std::string_view(object.name));
    if (entry == cache.end()) {
        entry = cache.try_emplace(object.name).first;
    }
    ObjectSql& statements = entry->second;
    if (statements.field_count != object.fields.size()) {
        std::string placeholders;
        for (std::size_t field_idx = 0; field_idx < object.fields.size(); ++field_idx) {
            placeholders.append(field_idx == 0 ? "?" : ", ?");
        }
        const std::string columns = ColumnList(object);
        statements.field_count = object.fields.size();
        statements.insert = "INSERT INTO " + QuoteIdentifier(object.name) + " (" + columns +
                            ") VALUES (" + placeholders + ")";
        statements.select_all = "SELECT " + columns + " FROM " + QuoteIdentifier(object.name);
        statements.select_by.clear();
    }
    return statements;
}

}  // namespace

Result<std::optional<storage::Row>> LoadRow(Connection& connection, const ObjectDef& object,
                                            std::string_view id) {
    return LoadRowBy(connection, object, object.fields[kIdIndex], Value{std::string(id)});
}

namespace {

// The record `id` if it satisfies `scope`, read with `suffix` after the statement.
Result<std::optional<storage::Row>> QueryRowWithin(Connection& connection, const ObjectDef& object,
                                                   std::string_view id,
                                                   const storage::SqlCondition& scope,
                                                   std::string_view suffix) {
    std::vector<Value> params{Value{std::string(id)}};
    params.insert(params.end(), scope.params.begin(), scope.params.end());
    return connection.QueryOne(SqlFor(object).select_all + " AS t WHERE t.\"id\" = ?" +
                                   (scope.Unrestricted() ? "" : " AND " + scope.sql) +
                                   std::string(suffix),
                               params);
}

}  // namespace

Result<std::optional<storage::Row>> LoadRowWithin(Connection& connection, const ObjectDef& object,
                                                  std::string_view id,
                                                  const storage::SqlCondition& scope) {
    if (scope.Unrestricted()) {
        return LoadRow(connection, object, id);
    }
    return QueryRowWithin(connection, object, id, scope, "");
}

Result<std::optional<storage::Row>> LoadRowForChange(Connection& connection,
                                                     const ObjectDef& object, std::string_view id,
                                                     const storage::SqlCondition& scope) {
    const std::string_view lock = connection.dialect().LockRowsSuffix();
    if (lock.empty()) {
        return LoadRowWithin(connection, object, id, scope);
    }
    return QueryRowWithin(connection, object, id, scope, lock);
}

Status VisitRowWithin(Connection& connection, const ObjectDef& object, std::string_view id,
                      const storage::SqlCondition& scope,
                      const std::function<void(const storage::RowView&)>& on_row) {
    auto visit = [&on_row](const storage::RowView& row) {
        on_row(row);
        return false;
    };
    if (scope.Unrestricted()) {
        ObjectSql& statements = SqlFor(object);
        auto [entry, inserted] = statements.select_by.try_emplace(std::string(metadata::kIdField));
        if (inserted) {
            entry->second = statements.select_all + " WHERE \"id\" = ?";
        }
        const Value param{std::string(id)};
        return connection.ForEachRowView(entry->second, std::span(&param, 1), visit);
    }
    std::vector<Value> params{Value{std::string(id)}};
    params.insert(params.end(), scope.params.begin(), scope.params.end());
    return connection.ForEachRowView(
        SqlFor(object).select_all + " AS t WHERE t.\"id\" = ? AND " + scope.sql, params, visit);
}

Result<std::vector<storage::Row>> LoadRowsBy(Connection& connection, const ObjectDef& object,
                                             const FieldDef& key,
                                             const std::vector<Value>& values) {
    std::vector<storage::Row> rows;
    constexpr std::size_t kKeysPerQuery = 500;
    for (std::size_t first = 0; first < values.size(); first += kKeysPerQuery) {
        const std::size_t count = std::min(kKeysPerQuery, values.size() - first);
        std::string sql =
            SqlFor(object).select_all + " WHERE " + QuoteIdentifier(key.name) + " IN (";
        for (std::size_t key_idx = 0; key_idx < count; ++key_idx) {
            sql.append(key_idx == 0 ? "?" : ", ?");
        }
        sql.append(")");
        P360_ASSIGN_OR_RETURN(auto found,
                              connection.Query(sql, std::span(values).subspan(first, count)));
        rows.insert(rows.end(), std::make_move_iterator(found.begin()),
                    std::make_move_iterator(found.end()));
    }
    return rows;
}

Result<std::optional<storage::Row>> LoadRowBy(Connection& connection, const ObjectDef& object,
                                              const FieldDef& key, const Value& value,
                                              bool for_change) {
    ObjectSql& statements = SqlFor(object);
    auto [entry, inserted] = statements.select_by.try_emplace(key.name);
    if (inserted) {
        entry->second = statements.select_all + " WHERE " + QuoteIdentifier(key.name) + " = ?";
    }
    const std::string_view lock = connection.dialect().LockRowsSuffix();
    if (for_change && !lock.empty()) {
        return connection.QueryOne(entry->second + std::string(lock), std::span(&value, 1));
    }
    return connection.QueryOne(entry->second, std::span(&value, 1));
}

std::int64_t VersionOf(const storage::Row& row) {
    const auto* version = std::get_if<std::int64_t>(&row[kVersionIndex]);
    return version != nullptr ? *version : 0;
}

namespace {

constexpr std::string_view kOutboxTable = "sys_outbox";
constexpr std::array<std::string_view, 5> kOutboxColumns{"object_name", "record_id", "operation",
                                                         "payload", "created_at"};
constexpr std::string_view kHistoryTable = "sys_field_history";
constexpr std::array<std::string_view, 7> kHistoryColumns{
    "object_name", "record_id", "field", "old_value", "new_value", "changed_by", "changed_at"};

Status AppendOutbox(Connection& connection, const WriteScope& scope, const std::string& record_id,
                    std::string_view operation, std::int64_t version,
                    const std::vector<std::string_view>& changed_fields) {
    // Field names only: events may leave the PHI boundary (webhooks); values never do.
    // {"version":N,"fields":[…]}, as json::serialize writes it.
    std::string payload = "{\"version\":";
    payload.append(std::to_string(version)).append(",\"fields\":[");
    for (std::size_t name_idx = 0; name_idx < changed_fields.size(); ++name_idx) {
        if (name_idx > 0) {
            payload.push_back(',');
        }
        AppendJsonString(payload, changed_fields[name_idx]);
    }
    payload.append("]}");
    std::vector<Value> row{scope.object.name, record_id, std::string(operation), std::move(payload),
                           scope.now};
    if (scope.deferred != nullptr) {
        scope.deferred->AddOutbox(std::move(row));
        return Ok();
    }
    return connection.InsertRows(kOutboxTable, kOutboxColumns, row);
}

Status AppendHistory(Connection& connection, const WriteScope& scope, const std::string& record_id,
                     const FieldDef& field, const Value& old_value, const Value& new_value) {
    std::vector<Value> row{scope.object.name,
                           record_id,
                           field.name,
                           json::serialize(EncodeValue(field, old_value)),
                           json::serialize(EncodeValue(field, new_value)),
                           scope.actor.user_id,
                           scope.now};
    if (scope.deferred != nullptr) {
        scope.deferred->AddHistory(std::move(row));
        return Ok();
    }
    return connection.InsertRows(kHistoryTable, kHistoryColumns, row);
}

Status CheckRequired(const ObjectDef& object, const storage::Row& values) {
    std::vector<FieldError> errors;
    for (std::size_t field_idx = 0; field_idx < object.fields.size(); ++field_idx) {
        const FieldDef& field = object.fields[field_idx];
        if (field.required && storage::IsNull(values[field_idx])) {
            errors.push_back({field.name, "This field is required.", {}});
        }
    }
    return errors.empty() ? Ok() : Status(Error::Validation(std::move(errors)));
}

// Every assigned reference must name an existing record of the target object.
Status CheckReferences(Connection& connection, const WriteScope& scope,
                       const std::vector<FieldAssignment>& assignments) {
    std::vector<FieldError> errors;
    for (const FieldAssignment& assignment : assignments) {
        const FieldDef& field = scope.object.fields[assignment.field_index];
        const auto* id = std::get_if<std::string>(&assignment.value);
        if (field.type != metadata::FieldType::kReference || id == nullptr) {
            continue;
        }
        std::string key = field.reference_to + "/" + *id;
        if (scope.known_references != nullptr && scope.known_references->contains(key)) {
            continue;
        }
        const ObjectDef* target = scope.catalog.FindObject(field.reference_to);
        const storage::SqlCondition visible = scope.readable != nullptr && target != nullptr
                                                  ? (*scope.readable)(*target, "t")
                                                  : storage::SqlCondition{};
        std::vector<Value> params{Value{*id}};
        params.insert(params.end(), visible.params.begin(), visible.params.end());
        P360_ASSIGN_OR_RETURN(
            auto found,
            connection.QueryOne("SELECT 1 FROM " + QuoteIdentifier(field.reference_to) +
                                    " AS t WHERE t.\"id\" = ?" +
                                    (visible.Unrestricted() ? "" : " AND " + visible.sql),
                                params));
        if (!found) {
            errors.push_back({field.name, "No " + field.reference_to + " record has this id.", {}});
        } else if (scope.known_references != nullptr) {
            scope.known_references->insert(std::move(key));
        }
    }
    return errors.empty() ? Ok() : Status(Error::Validation(std::move(errors)));
}

// An UPDATE at the loaded version found a newer one.
Error ChangedElsewhere() {
    return Error::FailedPrecondition("The record was changed by someone else; reload it.");
}

// Storage reports a taken unique value by column; say it in the caller's words.
Status ExplainUniqueViolation(Status status) {
    if (!status.ok() && status.error().code == ErrorCode::kAlreadyExists &&
        !status.error().location.empty()) {
        return Error::AlreadyExists("Another record already has this value.",
                                    status.error().location);
    }
    return status;
}

}  // namespace

void DeferredRows::Add(std::vector<Value>& to, std::vector<Value> row) {
    to.insert(to.end(), std::make_move_iterator(row.begin()), std::make_move_iterator(row.end()));
    ++rows_;
}

void DeferredRows::AddRecord(const ObjectDef& object, storage::Row row) {
    record_object_ = &object;
    records_.insert(records_.end(), std::make_move_iterator(row.begin()),
                    std::make_move_iterator(row.end()));
    ++rows_;
}

void DeferredRows::AddUpdate(storage::Statement update) {
    updates_.push_back(std::move(update));
    ++rows_;
}

Status DeferredRows::Write(Connection& connection) {
    if (!records_.empty()) {
        const ObjectDef& object = *record_object_;
        std::vector<std::string_view> columns;
        columns.reserve(object.fields.size());
        for (const FieldDef& field : object.fields) {
            columns.push_back(field.name);
        }
        P360_TRY(ExplainUniqueViolation(connection.InsertRows(object.name, columns, records_)));
        records_.clear();
    }
    if (!updates_.empty()) {
        auto changed = connection.ExecuteBatch(updates_);
        if (!changed.ok()) {
            return ExplainUniqueViolation(Status(std::move(changed).error()));
        }
        if (std::any_of(changed.value().begin(), changed.value().end(),
                        [](std::int64_t rows) { return rows != 1; })) {
            return ChangedElsewhere();
        }
        updates_.clear();
    }
    P360_TRY(connection.InsertRows(kOutboxTable, kOutboxColumns, outbox_));
    P360_TRY(connection.InsertRows(kHistoryTable, kHistoryColumns, history_));
    outbox_.clear();
    history_.clear();
    rows_ = 0;
    return Ok();
}

Result<storage::Row> InsertRecord(Connection& connection, const WriteScope& scope,
                                  const std::vector<FieldAssignment>& assignments) {
    const ObjectDef& object = scope.object;
    storage::Row values(object.fields.size());
    std::string id = NewId(object.id_prefix, scope.now_millis);
    values[kIdIndex] = id;
    values[kVersionIndex] = std::int64_t{1};
    values[kOwnerIndex] = scope.actor.user_id;
    values[kCreatedAtIndex] = scope.now;
    values[kCreatedByIndex] = scope.actor.user_id;
    values[kModifiedAtIndex] = scope.now;
    values[kModifiedByIndex] = scope.actor.user_id;
    std::vector<std::string_view> assigned;
    assigned.reserve(assignments.size());
    for (const FieldAssignment& assignment : assignments) {
        values[assignment.field_index] = assignment.value;
        assigned.push_back(object.fields[assignment.field_index].name);
    }
    P360_TRY(CheckRequired(object, values));
    P360_TRY(CheckReferences(connection, scope, assignments));
    if (scope.defer_writes && scope.deferred != nullptr) {
        // Later lines may point at this record before it is written: it counts as existing.
        if (scope.known_references != nullptr) {
            scope.known_references->insert(object.name + "/" + id);
        }
        scope.deferred->AddRecord(object, values);
    } else {
        P360_TRY(ExplainUniqueViolation(connection.Execute(SqlFor(object).insert, values)));
    }
    P360_TRY(AppendOutbox(connection, scope, id, "create", 1, assigned));
    return values;
}

// Applies `assignments` to the stored `row` (updated in place).
Result<UpdateResult> UpdateRecord(Connection& connection, const WriteScope& scope,
                                  storage::Row& row,
                                  const std::vector<FieldAssignment>& assignments) {
    const ObjectDef& object = scope.object;
    std::vector<const FieldAssignment*> changes;
    for (const FieldAssignment& assignment : assignments) {
        if (row[assignment.field_index] != assignment.value) {
            changes.push_back(&assignment);
        }
    }
    if (changes.empty()) {
        return UpdateResult::kUnchanged;
    }
    const storage::Row before = row;
    for (const FieldAssignment* change : changes) {
        row[change->field_index] = change->value;
    }
    P360_TRY(CheckRequired(object, row));
    P360_TRY(CheckReferences(connection, scope, assignments));

    const std::int64_t version = VersionOf(before);
    std::string sql = "UPDATE " + QuoteIdentifier(object.name) +
                      " SET \"version\" = ?, \"modifiedAt\" = ?, \"modifiedBy\" = ?";
    std::vector<Value> params = {version + 1, scope.now, scope.actor.user_id};
    std::vector<std::string_view> changed_names;
    for (const FieldAssignment* change : changes) {
        const FieldDef& field = object.fields[change->field_index];
        sql.append(", ").append(QuoteIdentifier(field.name)).append(" = ?");
        params.push_back(change->value);
        changed_names.push_back(field.name);
    }
    sql.append(" WHERE \"id\" = ? AND \"version\" = ?");
    const std::string& id = std::get<std::string>(before[kIdIndex]);
    params.push_back(id);
    params.push_back(version);
    if (scope.defer_writes && scope.deferred != nullptr) {
        scope.deferred->AddUpdate({std::move(sql), std::move(params)});
    } else {
        P360_TRY(ExplainUniqueViolation(connection.Execute(sql, params)));
        if (connection.ChangedRows() != 1) {
            return ChangedElsewhere();
        }
    }
    row[kVersionIndex] = version + 1;
    row[kModifiedAtIndex] = scope.now;
    row[kModifiedByIndex] = scope.actor.user_id;
    for (const FieldAssignment* change : changes) {
        const FieldDef& field = object.fields[change->field_index];
        if (field.tracked) {
            P360_TRY(AppendHistory(connection, scope, id, field, before[change->field_index],
                                   change->value));
        }
    }
    P360_TRY(AppendOutbox(connection, scope, id, "update", version + 1, changed_names));
    return UpdateResult::kUpdated;
}

namespace {

// Applies each reference's onDelete rule to the records that point at `id`.
Status ResolveReferencesTo(Connection& connection, const WriteScope& scope, const std::string& id,
                           int depth_left) {
    const auto sites = scope.catalog.ReferencesTo(scope.object.name);
    const Value id_param[] = {id};
    // Check every restriction before changing anything, so the refusal names the first one.
    for (const metadata::ReferenceSite& site : sites) {
        if (site.field->on_delete != metadata::OnDelete::kRestrict) {
            continue;
        }
        P360_ASSIGN_OR_RETURN(
            auto referencing,
            connection.QueryOne("SELECT 1 FROM " + QuoteIdentifier(site.object->name) + " WHERE " +
                                    QuoteIdentifier(site.field->name) + " = ? LIMIT 1",
                                id_param));
        if (referencing) {
            return Error::Conflict("The record is referenced by " + site.object->name + "." +
                                       site.field->name + " records; delete those first.",
                                   site.object->name + "." + site.field->name);
        }
    }
    for (const metadata::ReferenceSite& site : sites) {
        const std::string column = QuoteIdentifier(site.field->name);
        const std::string table = QuoteIdentifier(site.object->name);
        if (site.field->on_delete == metadata::OnDelete::kCascade) {
            if (depth_left <= 0) {
                return Error::Conflict("The cascade of deletions is too deep.");
            }
            P360_ASSIGN_OR_RETURN(auto children, connection.Query("SELECT \"id\" FROM " + table +
                                                                      " WHERE " + column + " = ?",
                                                                  id_param));
            WriteScope child_scope{scope.catalog,    *site.object, scope.actor,
                                   scope.now_millis, scope.now,    nullptr};
            for (const storage::Row& child : children) {
                P360_TRY(DeleteRecord(connection, child_scope, std::get<std::string>(child[0]),
                                      depth_left - 1));
            }
        } else if (site.field->on_delete == metadata::OnDelete::kSetNull) {
            // Each record changed gets its outbox event, as any update does: followers (kept
            // member 360 answers, webhooks) learn of the change from it.
            P360_ASSIGN_OR_RETURN(auto changed,
                                  connection.Query("SELECT \"id\", \"version\" FROM " + table +
                                                       " WHERE " + column + " = ?",
                                                   id_param));
            const Value params[] = {scope.now, scope.actor.user_id, id};
            P360_TRY(connection.Execute("UPDATE " + table + " SET " + column +
                                            " = NULL, \"version\" = \"version\" + 1, "
                                            "\"modifiedAt\" = ?, \"modifiedBy\" = ? WHERE " +
                                            column + " = ?",
                                        params));
            const WriteScope changed_scope{scope.catalog,    *site.object, scope.actor,
                                           scope.now_millis, scope.now,    nullptr};
            for (const storage::Row& record : changed) {
                P360_TRY(AppendOutbox(connection, changed_scope, std::get<std::string>(record[0]),
                                      "update", std::get<std::int64_t>(record[1]) + 1,
                                      {site.field->name}));
            }
        }
    }
    return Ok();
}

}  // namespace

Status DeleteRecord(Connection& connection, const WriteScope& scope, const std::string& id,
                    int depth_left) {
    P360_TRY(ResolveReferencesTo(connection, scope, id, depth_left));
    const Value params[] = {id};
    P360_TRY(connection.Execute(
        "DELETE FROM " + QuoteIdentifier(scope.object.name) + " WHERE \"id\" = ?", params));
    return AppendOutbox(connection, scope, id, "delete", 0, {});
}

json::object EncodeRecord(const ObjectDef& object, const storage::Row& row,
                          const std::function<bool(const FieldDef&)>& include) {
    json::object record;
    record.reserve(object.fields.size());
    for (std::size_t field_idx = 0; field_idx < object.fields.size() && field_idx < row.size();
         ++field_idx) {
        const FieldDef& field = object.fields[field_idx];
        if (include(field)) {
            record.emplace(field.name, EncodeValue(field, row[field_idx]));
        }
    }
    return record;
}

std::string EncodeRecordText(const ObjectDef& object, const storage::Row& row,
                             const std::function<bool(const FieldDef&)>& include) {
    std::string text = "{";
    for (std::size_t field_idx = 0; field_idx < object.fields.size() && field_idx < row.size();
         ++field_idx) {
        const FieldDef& field = object.fields[field_idx];
        if (!include(field)) {
            continue;
        }
        text.append(text.size() == 1 ? "" : ",");
        AppendJsonString(text, field.name);
        text.push_back(':');
        AppendJsonValue(text, field, row[field_idx]);
    }
    text.push_back('}');
    return text;
}

}  // namespace p360::records::detail
