// Schema migrations: the database shape follows the catalog.
//
// Every object is one table named after it, with one typed column per field (system fields
// first), a primary key on `id`, a unique index per unique or external-id field, and an index
// per indexed or reference field and per declared composite index. Migration is additive and
// idempotent: missing tables, columns and indexes are created, nothing is dropped, so running it
// on every start is safe and a custom field is an online ALTER TABLE.
//
// The platform's own tables (users, sessions, field history, outbox, custom metadata) are
// created by EnsureSystemTables. Run both inside a write transaction.
#pragma once

#include <vector>

#include "core/result.hpp"
#include "metadata/object_def.hpp"
#include "storage/database.hpp"

namespace p360::storage {

Status EnsureSystemTables(Connection& connection);

// Sets `key` of `sys_meta` (the deployment's stamps) to `value`, adding the key if new.
Status SetMetaValue(Connection& connection, std::string_view key, std::string value);

Status MigrateObject(Connection& connection, const metadata::ObjectDef& object);

Status MigrateObjects(Connection& connection, const std::vector<metadata::ObjectDef>& objects);

}  // namespace p360::storage
