#include "storage/schema.hpp"

#include <algorithm>
#include <string>

namespace p360::storage {
namespace {

// Portable DDL: TEXT and INTEGER mean the same in SQLite and PostgreSQL for these columns.
constexpr const char* kSystemTables[] = {
    "CREATE TABLE IF NOT EXISTS sys_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sys_custom_objects (name TEXT PRIMARY KEY, definition TEXT NOT "
    "NULL, created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sys_custom_fields (object_name TEXT NOT NULL, name TEXT NOT NULL, "
    "definition TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (object_name, name))",
    // failed_logins and locked_until (a datetime, or NULL) drive the login lockout; person_id
    // links a portal user to their Person record; permission_sets (comma-separated) are held
    // beyond the role's.
    "CREATE TABLE IF NOT EXISTS sys_users (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, "
    "password_hash TEXT NOT NULL, role TEXT NOT NULL, active INTEGER NOT NULL, created_at TEXT "
    "NOT NULL, failed_logins INTEGER NOT NULL DEFAULT 0, locked_until TEXT, person_id TEXT, "
    "permission_sets TEXT NOT NULL DEFAULT '')",
    // A refreshed session keeps the absolute_expires_at of the login that began it.
    "CREATE TABLE IF NOT EXISTS sys_sessions (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, "
    "created_at TEXT NOT NULL, expires_at TEXT NOT NULL, absolute_expires_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_sys_sessions_user ON sys_sessions (user_id)",
    // Field history: one row per changed tracked field, numbered in commit order.
    "CREATE TABLE IF NOT EXISTS sys_field_history (id {sequence_key}, object_name TEXT NOT "
    "NULL, record_id TEXT NOT NULL, field TEXT NOT NULL, old_value TEXT, new_value TEXT, "
    "changed_by TEXT NOT NULL, changed_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_sys_field_history_record ON sys_field_history (record_id, id)",
    // Outbox: one event per committed write, numbered in commit order, for flows, webhooks and
    // engines to follow.
    "CREATE TABLE IF NOT EXISTS sys_outbox (id {sequence_key}, object_name TEXT NOT NULL, "
    "record_id TEXT NOT NULL, operation TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT "
    "NULL)",
    // Teams and queues: groups of users that can own records together (a queue is a team that
    // work is routed to). A record owned by a team is open to its members.
    "CREATE TABLE IF NOT EXISTS sys_teams (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind "
    "TEXT NOT NULL, created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sys_team_members (team_id TEXT NOT NULL, user_id TEXT NOT NULL, "
    "added_at TEXT NOT NULL, PRIMARY KEY (team_id, user_id))",
    "CREATE INDEX IF NOT EXISTS ix_sys_team_members_user ON sys_team_members (user_id, team_id)",
    // Keys of change sets already applied (an X12 interchange's transaction set, say), so a
    // file sent twice changes nothing the second time.
    "CREATE TABLE IF NOT EXISTS sys_change_sets (key TEXT PRIMARY KEY, applied_at TEXT NOT NULL, "
    "changes INTEGER NOT NULL)",
};

std::string ColumnDefinition(const Dialect& dialect, const metadata::FieldDef& field) {
    std::string column = QuoteIdentifier(field.name);
    column.push_back(' ');
    column.append(dialect.ColumnType(field.type, field.scale));
    if (field.name == metadata::kIdField) {
        column.append(" PRIMARY KEY");
    } else if (field.name == metadata::kVersionField) {
        column.append(" NOT NULL");
    }
    return column;
}

std::string IndexName(std::string_view prefix, const metadata::ObjectDef& object,
                      const std::vector<std::string>& fields) {
    std::string name(prefix);
    name.append("_").append(object.name);
    for (const std::string& field : fields) {
        name.append("_").append(field);
    }
    return name;
}

// Contact points and keys match one record or a handful: an index on them needs no `id` to
// return its matches in order, and a shorter entry keeps bulk loads fast.
bool IsNearlyUnique(const metadata::FieldDef& field) {
    using metadata::FieldType;
    return field.type == FieldType::kEmail || field.type == FieldType::kPhone ||
           field.type == FieldType::kUrl || field.type == FieldType::kExternalId;
}

// Non-unique indexes end with `id`, the tie-breaker of every sort, so "field = ? ORDER BY id"
// (the default list order, and keyset pagination) walks the index without sorting.
// Single-field indexes are partial (`WHERE field IS NOT NULL`): sparse fields such as an MBI
// or a Medicaid id then cost nothing on the many records without them, and `field = ?` still
// uses the index in both engines.
Status CreateIndex(Connection& connection, const metadata::ObjectDef& object,
                   std::vector<std::string> fields, bool unique) {
    const bool single = fields.size() == 1;
    if (!unique && !(single && IsNearlyUnique(*object.FindField(fields.front())))) {
        fields.emplace_back(metadata::kIdField);
    }
    std::string sql = unique ? "CREATE UNIQUE INDEX IF NOT EXISTS " : "CREATE INDEX IF NOT EXISTS ";
    sql.append(QuoteIdentifier(IndexName(unique ? "ux" : "ix", object, fields)));
    sql.append(" ON ").append(QuoteIdentifier(object.name)).append(" (");
    for (std::size_t field_idx = 0; field_idx < fields.size(); ++field_idx) {
        sql.append(field_idx == 0 ? "" : ", ").append(QuoteIdentifier(fields[field_idx]));
    }
    sql.append(")");
    if (single) {
        sql.append(" WHERE ").append(QuoteIdentifier(fields.front())).append(" IS NOT NULL");
    }
    return connection.Execute(sql);
}

Status CreateTable(Connection& connection, const metadata::ObjectDef& object) {
    std::string sql = "CREATE TABLE " + QuoteIdentifier(object.name) + " (";
    for (std::size_t field_idx = 0; field_idx < object.fields.size(); ++field_idx) {
        sql.append(field_idx == 0 ? "" : ", ");
        sql.append(ColumnDefinition(connection.dialect(), object.fields[field_idx]));
    }
    sql.append(")");
    return connection.Execute(sql);
}

Status AddMissingColumns(Connection& connection, const metadata::ObjectDef& object,
                         const std::vector<std::string>& existing) {
    for (const metadata::FieldDef& field : object.fields) {
        if (std::find(existing.begin(), existing.end(), field.name) != existing.end()) {
            continue;
        }
        P360_TRY(connection.Execute("ALTER TABLE " + QuoteIdentifier(object.name) + " ADD COLUMN " +
                                    ColumnDefinition(connection.dialect(), field)));
    }
    return Ok();
}

Status CreateIndexes(Connection& connection, const metadata::ObjectDef& object) {
    for (const metadata::FieldDef& field : object.fields) {
        if (field.name == metadata::kIdField) {
            continue;  // the primary key
        }
        if (field.unique || field.external_id) {
            P360_TRY(CreateIndex(connection, object, {field.name}, true));
        } else if (field.indexed || field.type == metadata::FieldType::kReference) {
            P360_TRY(CreateIndex(connection, object, {field.name}, false));
        }
    }
    for (const metadata::IndexDef& index : object.indexes) {
        P360_TRY(CreateIndex(connection, object, index.fields, index.unique));
    }
    return Ok();
}

}  // namespace

Status SetMetaValue(Connection& connection, std::string_view key, std::string value) {
    const Value params[] = {std::string(key), std::move(value)};
    return connection.Execute(
        "INSERT INTO sys_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
        "excluded.value",
        params);
}

Status EnsureSystemTables(Connection& connection) {
    constexpr std::string_view kSequenceKey = "{sequence_key}";
    for (std::string statement : kSystemTables) {
        if (auto at = statement.find(kSequenceKey); at != std::string::npos) {
            statement.replace(at, kSequenceKey.size(), connection.dialect().SequenceKeyColumn());
        }
        P360_TRY(connection.Execute(statement));
    }
    return Ok();
}

Status MigrateObject(Connection& connection, const metadata::ObjectDef& object) {
    P360_ASSIGN_OR_RETURN(auto existing, connection.TableColumns(object.name));
    if (existing.empty()) {
        P360_TRY(CreateTable(connection, object));
    } else {
        P360_TRY(AddMissingColumns(connection, object, existing));
    }
    return CreateIndexes(connection, object);
}

Status MigrateObjects(Connection& connection, const std::vector<metadata::ObjectDef>& objects) {
    for (const metadata::ObjectDef& object : objects) {
        P360_TRY(MigrateObject(connection, object));
    }
    return Ok();
}

}  // namespace p360::storage
