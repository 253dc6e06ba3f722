// Dialect: the few places where SQL differs between SQLite and PostgreSQL.
//
// SQL written outside src/storage/ is engine-neutral: identifiers are double-quoted, parameters
// are `?` (engines that number them rewrite), NULL order is explicit (NULLS FIRST/LAST), and
// anything else that differs is asked of the Dialect.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "metadata/object_def.hpp"

namespace p360::storage {

class Dialect {
public:
    virtual ~Dialect() = default;

    virtual std::string_view Name() const = 0;  // "sqlite", "postgresql"
    // Column type for a field type.
    virtual std::string_view ColumnType(metadata::FieldType type, int scale) const = 0;
    // Operator for a case-insensitive LIKE ("LIKE" in SQLite, "ILIKE" in PostgreSQL).
    virtual std::string_view CaseInsensitiveLike() const = 0;
    // True when a failed statement poisons the whole transaction (PostgreSQL), so work that
    // must survive a failed step needs a savepoint; false when only the statement is undone.
    virtual bool FailedStatementAbortsTransaction() const = 0;
    // Column type of a key the database numbers itself, in insertion order.
    virtual std::string_view SequenceKeyColumn() const = 0;
    // Appended to a SELECT that claims rows for this transaction, so that concurrent
    // transactions on other nodes skip them instead of waiting ("FOR UPDATE SKIP LOCKED");
    // empty where writes are serialised anyway (SQLite).
    virtual std::string_view ClaimRowsSuffix() const = 0;
    // Appended to a SELECT of rows this transaction is about to change, so that a concurrent
    // writer on another node waits for it instead of changing them in between ("FOR
    // UPDATE"); empty where writes are serialised anyway (SQLite).
    virtual std::string_view LockRowsSuffix() const = 0;
    // After rows were inserted with explicit sequence keys (moving a deployment), a statement
    // that moves the table's key sequence past them; empty where the engine needs none.
    virtual std::string SyncSequenceSql(std::string_view table) const = 0;
};

// `"name"` with embedded quotes doubled. Names come from validated definitions, but quoting
// keeps them from ever being read as keywords.
std::string QuoteIdentifier(std::string_view name);
// The same, appended to `sql` (for statements that name many columns).
void AppendQuotedIdentifier(std::string& sql, std::string_view name);

// "<head> VALUES (?, …), …": `rows` rows of `columns` placeholders, for multi-row INSERTs
// (`head` is "INSERT INTO t (a, b)"). Portable to every engine.
std::string MultiRowInsertSql(std::string_view head, std::size_t columns, std::size_t rows);

}  // namespace p360::storage
