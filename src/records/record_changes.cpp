// RecordService::ApplyChanges: several records of several objects written as one unit, with
// references between them by key — the write path of importers.
#include <unordered_set>

#include "core/time_format.hpp"
#include "records/record_codec.hpp"
#include "records/record_service.hpp"
#include "records/record_writes.hpp"

namespace p360::records {
namespace {

using metadata::FieldDef;
using metadata::ObjectDef;
using security::Operation;
using storage::Connection;
using storage::Value;

// Prefixes an error's locations with the change it came from.
Error AtChange(Error error, std::size_t change_idx) {
    const std::string prefix = "changes[" + std::to_string(change_idx) + "]";
    error.location = error.location.empty() ? prefix : prefix + "." + error.location;
    for (FieldError& field_error : error.field_errors) {
        field_error.field = prefix + "." + field_error.field;
    }
    return error;
}

// The stored record a key names, or nothing.
Result<std::optional<storage::Row>> FindByKey(Connection& connection,
                                              const metadata::Catalog& catalog,
                                              const ObjectDef& object, std::string_view key_field,
                                              std::string_view key) {
    const FieldDef* field = object.FindField(key_field);
    if (field == nullptr ||
        !(field->name == metadata::kIdField || field->external_id || field->unique)) {
        return Error::InvalidArgument(
            "The key must be id or an external-id or unique field of " + object.name + ".", "key");
    }
    P360_ASSIGN_OR_RETURN(Value value, DecodeValue(catalog, *field, json::value(key)));
    return detail::LoadRowBy(connection, object, *field, value);
}

}  // namespace

Result<ChangeSetOutcome> RecordService::ApplyChanges(const security::Actor& actor,
                                                     const std::vector<RecordChange>& changes,
                                                     std::string_view idempotency_key) {
    std::vector<Target> targets;
    for (std::size_t change_idx = 0; change_idx < changes.size(); ++change_idx) {
        const RecordChange& change = changes[change_idx];
        auto target = Resolve(actor, change.object, Operation::kUpdate);
        if (!target.ok()) {
            return AtChange(target.error(), change_idx);
        }
        if (change.create) {
            Status may_create = authorizer_.CheckObject(actor, *target->object, Operation::kCreate);
            if (!may_create.ok()) {
                return AtChange(may_create.error(), change_idx);
            }
        }
        targets.push_back(std::move(target).value());
    }
    const std::int64_t now = clock_.NowMillis();
    ChangeSetOutcome outcome;
    std::vector<storage::Row> written(changes.size());
    std::vector<std::vector<FieldAssignment>> assigned(changes.size());
    P360_TRY(database_.Write([&](Connection& connection) -> Status {
        if (!idempotency_key.empty()) {
            const Value key[] = {std::string(idempotency_key)};
            P360_ASSIGN_OR_RETURN(
                auto seen, connection.QueryOne("SELECT 1 FROM sys_change_sets WHERE key = ?", key));
            if (seen) {
                outcome.already_applied = true;
                return Ok();
            }
        }
        std::unordered_set<std::string> known_references;
        for (std::size_t change_idx = 0; change_idx < changes.size(); ++change_idx) {
            Status applied =
                ApplyChange(connection, actor, targets[change_idx], changes[change_idx], now,
                            known_references, written[change_idx], assigned[change_idx], outcome);
            if (!applied.ok()) {
                return AtChange(std::move(applied).error(), change_idx);
            }
        }
        if (!idempotency_key.empty()) {
            const Value row[] = {std::string(idempotency_key), FormatDateTime(now),
                                 static_cast<std::int64_t>(changes.size())};
            P360_TRY(connection.Execute(
                "INSERT INTO sys_change_sets (key, applied_at, changes) VALUES (?, ?, ?)", row));
        }
        return Ok();
    }));
    for (std::size_t change_idx = 0; change_idx < outcome.changes.size(); ++change_idx) {
        if (outcome.changes[change_idx].status != "unchanged") {
            const ObjectDef& object = *targets[change_idx].object;
            AuditWrite(actor, outcome.changes[change_idx].status == "created" ? "create" : "update",
                       object, written[change_idx], [&](const FieldDef& field) {
                           for (const FieldAssignment& assignment : assigned[change_idx]) {
                               if (&object.fields[assignment.field_index] == &field) {
                                   return true;
                               }
                           }
                           return false;
                       });
        }
    }
    return outcome;
}

Status RecordService::ApplyChange(Connection& connection, const security::Actor& actor,
                                  const Target& target, const RecordChange& change,
                                  std::int64_t now,
                                  std::unordered_set<std::string>& known_references,
                                  storage::Row& row, std::vector<FieldAssignment>& assignments,
                                  ChangeSetOutcome& outcome) const {
    const ObjectDef& object = *target.object;
    json::object fields = change.fields;
    for (const KeyReference& reference : change.references) {
        const ObjectDef* referenced = target.catalog->FindObject(reference.object);
        if (referenced == nullptr) {
            return Error::InvalidArgument("No object named " + reference.object + ".",
                                          reference.field);
        }
        P360_ASSIGN_OR_RETURN(auto found, FindByKey(connection, *target.catalog, *referenced,
                                                    reference.key_field, reference.key));
        if (!found) {
            return Error::InvalidArgument(
                "No " + reference.object + " record has this " + reference.key_field + ".",
                reference.field);
        }
        fields[reference.field] = std::get<std::string>((*found)[0]);
    }
    if (change.key_field != metadata::kIdField) {
        fields[change.key_field] = change.key;
    }
    P360_ASSIGN_OR_RETURN(auto existing, FindByKey(connection, *target.catalog, object,
                                                   change.key_field, change.key));
    if (!existing) {
        for (const auto& [name, value] : change.create_fields) {
            fields.emplace(name, value);  // never over a value the change sets itself
        }
    }
    P360_ASSIGN_OR_RETURN(assignments, Decode(actor, target, fields));
    const query::RecordScope readable = ScopeOf(actor, target, Operation::kRead);
    detail::WriteScope scope{*target.catalog,   object,   actor, now, FormatDateTime(now),
                             &known_references, &readable};
    if (existing && !change.update) {
        P360_ASSIGN_OR_RETURN(
            row, LoadForChange(connection, actor, target, std::get<std::string>((*existing)[0]),
                               Operation::kRead));
        outcome.changes.push_back(
            {object.name, std::get<std::string>(row[0]), "unchanged", detail::VersionOf(row)});
        return Ok();
    }
    if (existing) {
        P360_ASSIGN_OR_RETURN(
            row, LoadForChange(connection, actor, target, std::get<std::string>((*existing)[0]),
                               Operation::kUpdate));
        P360_ASSIGN_OR_RETURN(auto result,
                              detail::UpdateRecord(connection, scope, row, assignments));
        outcome.changes.push_back(
            {object.name, std::get<std::string>(row[0]),
             result == detail::UpdateResult::kUpdated ? "updated" : "unchanged",
             detail::VersionOf(row)});
        return Ok();
    }
    if (!change.create) {
        return Error::NotFound("No " + object.name + " record has this " + change.key_field + ".");
    }
    P360_ASSIGN_OR_RETURN(row, detail::InsertRecord(connection, scope, assignments));
    outcome.changes.push_back(
        {object.name, std::get<std::string>(row[0]), "created", detail::VersionOf(row)});
    return CheckStillReadable(connection, readable, target, std::get<std::string>(row[0]));
}

}  // namespace p360::records
