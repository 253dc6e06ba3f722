// Database: connections, transactions and the write path's durability contract.
//
// Reads run on a pooled read connection; ReadTogether's see one consistent snapshot for the
// duration of the callback (Read's do on PostgreSQL; on SQLite each statement has its own). Writes
// are serialised through one writer: `Write` runs the callback inside a transaction that may be
// shared with other concurrent writes (group commit), isolated by a savepoint, and returns only
// after the transaction is durably committed — so an acknowledged write survives a crash. A
// callback that returns an error has all its changes rolled back and never affects the other writes
// of the group.
//
// Callbacks must only touch the database through the given Connection; in-memory effects
// belong after `Write` returns OK. All methods are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "storage/dialect.hpp"
#include "storage/value.hpp"

namespace p360::storage {

// One result row, read in place: the cells stay in the engine's buffers, so a large result is
// encoded without copying every cell into a Row first. Valid only during the callback that
// receives it; text views die with it (copy what must outlive the call).
class RowView {
public:
    enum class Type { kNull, kInteger, kReal, kText };

    // One cell; only the member of its type is set.
    struct Cell {
        Type type = Type::kNull;
        std::int64_t integer = 0;
        double real = 0;
        std::string_view text;
    };

    virtual std::size_t size() const = 0;
    virtual Cell CellAt(std::size_t column) const = 0;

    Type TypeAt(std::size_t column) const { return CellAt(column).type; }
    bool IsNullAt(std::size_t column) const { return TypeAt(column) == Type::kNull; }
    // The cell's text; empty when it is not text.
    std::string_view TextAt(std::size_t column) const { return CellAt(column).text; }
    // The cell's integer; 0 when it is not an integer.
    std::int64_t IntegerAt(std::size_t column) const { return CellAt(column).integer; }
    // The cell as a Value (a copy).
    Value ValueAt(std::size_t column) const;

protected:
    ~RowView() = default;
};

// One statement of a batch (Connection::ExecuteBatch).
struct Statement {
    std::string sql;
    std::vector<Value> params;
};

// One connection, used by one thread at a time. SQL is engine-neutral (see dialect.hpp);
// parameters bind to `?` placeholders in order.
class Connection {
public:
    virtual ~Connection() = default;

    virtual const Dialect& dialect() const = 0;

    // Runs a query and calls `on_row` with every row, read in place (see RowView), in order;
    // stops early if it returns false. What engines implement; the rest is built on it.
    virtual Status ForEachRowView(std::string_view sql, std::span<const Value> params,
                                  const std::function<bool(const RowView&)>& on_row) = 0;

    // Runs a statement that returns no rows.
    Status Execute(std::string_view sql, std::span<const Value> params = {});

    // The same walk as ForEachRowView, with each row as a copy (for callers that keep rows).
    Status ForEachRow(std::string_view sql, std::span<const Value> params,
                      const std::function<bool(const Row&)>& on_row);

    // Inserts rows into `table`: `values` holds them one after another, one value for each
    // of `columns` (names, unquoted) in order. Engines take their fastest way: multi-row
    // INSERTs, or COPY for a long run of rows on PostgreSQL. A failure may leave some of the
    // rows in; the caller's transaction or savepoint undoes them.
    virtual Status InsertRows(std::string_view table, std::span<const std::string_view> columns,
                              std::span<const Value> values);

    // Runs statements that return no rows, in order, and gives the rows each changed; stops at
    // the first that fails, with its error. Where every statement costs a round trip
    // (PostgreSQL), all are sent before the first answer is read.
    virtual Result<std::vector<std::int64_t>> ExecuteBatch(std::span<const Statement> statements);

    // Rows changed by the last Execute.
    virtual std::int64_t ChangedRows() const = 0;

    // Rows changed by every statement on this connection so far. A statement that fails
    // changes nothing, so an unchanged total proves a failed step left no trace.
    virtual std::int64_t TotalChanges() const = 0;

    // True when a statement failed and the open transaction can only be rolled back (engines
    // whose dialect says FailedStatementAbortsTransaction); false otherwise.
    virtual bool TransactionAborted() const { return false; }

    // Column names of a table, in order (empty when the table does not exist).
    virtual Result<std::vector<std::string>> TableColumns(std::string_view table) = 0;

    // The tables of this database, by name.
    virtual Result<std::vector<std::string>> Tables() = 0;

    Result<std::vector<Row>> Query(std::string_view sql, std::span<const Value> params = {});
    Result<std::optional<Row>> QueryOne(std::string_view sql, std::span<const Value> params = {});
};

using ConnectionWork = std::function<Status(Connection&)>;

class Database {
public:
    virtual ~Database() = default;

    virtual const Dialect& dialect() const = 0;

    // Runs `work` on a read connection.
    virtual Status Read(const ConnectionWork& work) = 0;

    // Like Read, in one read transaction on every engine: for work of many short statements
    // that must agree with each other (a view assembled from many reads). SQLite otherwise
    // gives each statement a snapshot of its own and takes and drops its file locks once per
    // statement; here once for all of them. Keep the work short: the snapshot holds back
    // checkpoints while it lasts.
    virtual Status ReadTogether(const ConnectionWork& work) { return Read(work); }

    // Like Read, for work that runs exactly one statement and so needs no snapshot beyond the
    // statement's own. Engines where a transaction costs round trips run it outside one
    // (PostgreSQL: no BEGIN, no COMMIT); a second statement in `work` is an error there.
    virtual Status ReadStatement(const ConnectionWork& work) { return Read(work); }

    // Runs `work` in a (possibly shared) write transaction; returns after a durable commit.
    virtual Status Write(const ConnectionWork& work) = 0;

    // Like Write, but in a transaction of its own: for long batches and schema changes.
    virtual Status WriteAlone(const ConnectionWork& work) = 0;

    // Flushes and closes; further calls fail with kUnavailable.
    virtual void Close() = 0;
};

struct SqliteOptions {
    int max_readers = 16;
    // Page caches, which fill as pages are touched and stay full: the writer's random index
    // inserts into large tables want their index pages at hand; a reader's lookups mostly
    // hit the kernel's page cache anyway. The records database at a million members holds
    // 192 + max_readers × 8 MiB at most.
    int writer_cache_kib = 192 * 1024;
    int reader_cache_kib = 8 * 1024;
    // Writes merged into one commit at most; more waiting writes form the next group.
    int max_group_size = 512;
};

// Opens (creating if needed) the SQLite database file at `path`.
Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path,
                                             const SqliteOptions& options = {});

struct PostgresOptions {
    // Connections opened at most, for reads and for writes; each node holds its own.
    int max_readers = 8;
    int max_writers = 16;
};

// Connects to PostgreSQL at `url` (postgresql://user@host:port/database?…, or a libpq
// keyword string); fails with kUnavailable when it cannot be reached.
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url,
                                               const PostgresOptions& options = {});

// Opens the database a URL names: postgresql:// or postgres:// for PostgreSQL, otherwise a
// path to an SQLite file (sqlite:// prefix optional).
Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url);

// One round trip to the database: OK when it answers.
Status Ping(Database& database);

}  // namespace p360::storage
