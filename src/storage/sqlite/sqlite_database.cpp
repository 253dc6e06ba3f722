// SQLite engine: one writer connection on a dedicated thread (group commit), a pool of read
// connections, WAL journal with synchronous=FULL so every acknowledged commit is on disk.
#include <sqlite3.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "core/log.hpp"
#include "storage/database.hpp"

namespace p360::storage {
namespace {

class SqliteDialect final : public Dialect {
public:
    std::string_view Name() const override { return "sqlite"; }
    std::string_view ColumnType(metadata::FieldType type, int scale) const override {
        switch (metadata::StorageClassOf(type)) {
            case metadata::StorageClass::kReal:
                return scale == 0 ? "INTEGER" : "REAL";
            case metadata::StorageClass::kInteger:
                return "INTEGER";
            case metadata::StorageClass::kText:
                return "TEXT";
        }
        return "TEXT";
    }
    std::string_view CaseInsensitiveLike() const override { return "LIKE"; }
    bool FailedStatementAbortsTransaction() const override { return false; }
    std::string_view SequenceKeyColumn() const override { return "INTEGER PRIMARY KEY"; }
    std::string_view ClaimRowsSuffix() const override { return ""; }
    std::string_view LockRowsSuffix() const override { return ""; }
    // INTEGER PRIMARY KEY continues after the largest key by itself.
    std::string SyncSequenceSql(std::string_view) const override { return {}; }
};

const SqliteDialect kDialect;

// Maps an SQLite result code to our vocabulary. Constraint failures name the column when
// SQLite says which one ("UNIQUE constraint failed: Person.sourceId").
Error ToError(sqlite3* db, int rc) {
    const std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    const int primary = rc & 0xff;
    if (primary == SQLITE_CONSTRAINT) {
        std::string location;
        if (auto dot = message.rfind('.'); dot != std::string::npos) {
            location = message.substr(dot + 1);
        }
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
            Error error =
                Error::AlreadyExists("A record with this value already exists.", location);
            error.internal_detail = message;
            return error;
        }
        Error error = Error::Conflict("The change violates a database constraint.", location);
        error.internal_detail = message;
        return error;
    }
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_FULL ||
        primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY) {
        return Error::Unavailable("The database is temporarily unavailable.", message);
    }
    if (primary == SQLITE_TOOBIG) {
        return Error::TooLarge("A value is too large.");
    }
    return Error::Internal("sqlite: " + message);
}

// The current row of a stepped statement, read in place.
class StatementRow final : public RowView {
public:
    explicit StatementRow(sqlite3_stmt* statement)
        : statement_(statement),
          columns_(static_cast<std::size_t>(sqlite3_column_count(statement))) {}

    std::size_t size() const override { return columns_; }
    Cell CellAt(std::size_t column) const override {
        // One call for the cell, then the value accessors, which skip the per-call checks of
        // the sqlite3_column_* family. The value is used only here, by this connection's thread.
        sqlite3_value* value = sqlite3_column_value(statement_, static_cast<int>(column));
        Cell cell;
        switch (sqlite3_value_type(value)) {
            case SQLITE_INTEGER:
                cell.type = Type::kInteger;
                cell.integer = sqlite3_value_int64(value);
                break;
            case SQLITE_FLOAT:
                cell.type = Type::kReal;
                cell.real = sqlite3_value_double(value);
                break;
            case SQLITE_NULL:
                break;
            default: {
                // Text first, then its size: the size then describes the text form.
                const auto* text = sqlite3_value_text(value);
                const auto size = static_cast<std::size_t>(sqlite3_value_bytes(value));
                cell.type = Type::kText;
                if (text != nullptr) {
                    cell.text = std::string_view(reinterpret_cast<const char*>(text), size);
                }
            }
        }
        return cell;
    }

private:
    sqlite3_stmt* statement_;
    std::size_t columns_;
};

class SqliteConnection final : public Connection {
public:
    static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path, bool writer,
                                                          int cache_kib) {
        sqlite3* db = nullptr;
        const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
        const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
        if (rc != SQLITE_OK) {
            Error error = ToError(db, rc);
            sqlite3_close(db);
            return error;
        }
        auto connection = std::unique_ptr<SqliteConnection>(new SqliteConnection(db));
        P360_TRY(connection->Configure(writer, cache_kib));
        return connection;
    }

    ~SqliteConnection() override {
        for (auto& [sql, statement] : statements_) {
            sqlite3_finalize(statement);
        }
        sqlite3_close(db_);
    }

    const Dialect& dialect() const override { return kDialect; }

    Status ForEachRowView(std::string_view sql, std::span<const Value> params,
                          const std::function<bool(const RowView&)>& on_row) override {
        P360_ASSIGN_OR_RETURN(sqlite3_stmt * statement, Prepare(sql));
        StatementReset reset{statement};
        P360_TRY(Bind(statement, params));
        const StatementRow row(statement);
        while (true) {
            const int rc = sqlite3_step(statement);
            if (rc == SQLITE_DONE) {
                break;
            }
            if (rc != SQLITE_ROW) {
                return ToError(db_, sqlite3_extended_errcode(db_));
            }
            if (!on_row(row)) {
                break;
            }
        }
        changed_rows_ = sqlite3_changes64(db_);
        return Ok();
    }

    std::int64_t ChangedRows() const override { return changed_rows_; }
    std::int64_t TotalChanges() const override { return sqlite3_total_changes64(db_); }

    Result<std::vector<std::string>> TableColumns(std::string_view table) override {
        std::vector<std::string> columns;
        const std::string sql = "SELECT name FROM pragma_table_info(?) ORDER BY cid";
        const Value name{std::string(table)};
        P360_TRY(ForEachRow(sql, std::span(&name, 1), [&columns](const Row& row) {
            columns.push_back(std::get<std::string>(row[0]));
            return true;
        }));
        return columns;
    }

    Result<std::vector<std::string>> Tables() override {
        std::vector<std::string> tables;
        P360_TRY(ForEachRow(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' "
            "ORDER BY name",
            {}, [&tables](const Row& row) {
                tables.push_back(std::get<std::string>(row[0]));
                return true;
            }));
        return tables;
    }

private:
    // Resets a cached statement whichever way the caller leaves.
    struct StatementReset {
        sqlite3_stmt* statement;
        ~StatementReset() {
            sqlite3_reset(statement);
            sqlite3_clear_bindings(statement);
        }
    };

    static constexpr std::size_t kMaxCachedStatements = 512;

    explicit SqliteConnection(sqlite3* db) : db_(db) {}

    Status Configure(bool writer, int cache_kib) {
        sqlite3_extended_result_codes(db_, 1);
        sqlite3_busy_timeout(db_, 10'000);
        P360_TRY(ExecRaw("PRAGMA journal_mode=WAL"));
        P360_TRY(ExecRaw("PRAGMA synchronous=FULL"));
        P360_TRY(ExecRaw("PRAGMA temp_store=MEMORY"));
        // Page cache: see SqliteOptions.
        const std::string cache_size = "PRAGMA cache_size=-" + std::to_string(cache_kib);
        P360_TRY(ExecRaw(cache_size.c_str()));
        if (writer) {
            // The checkpointer thread keeps the WAL short; this is only a backstop (256 MiB).
            P360_TRY(ExecRaw("PRAGMA wal_autocheckpoint=65536"));
        }
        return Ok();
    }

    Status ExecRaw(const char* sql) {
        char* message = nullptr;
        const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
        sqlite3_free(message);
        return rc == SQLITE_OK ? Ok() : Status(ToError(db_, rc));
    }

    Result<sqlite3_stmt*> Prepare(std::string_view sql) {
        auto cached = statements_.find(sql);
        if (cached != statements_.end()) {
            return cached->second;
        }
        sqlite3_stmt* statement = nullptr;
        const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                          SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
        if (rc != SQLITE_OK) {
            return ToError(db_, rc);
        }
        if (statements_.size() >= kMaxCachedStatements) {
            for (auto& [old_sql, old_statement] : statements_) {
                sqlite3_finalize(old_statement);
            }
            statements_.clear();
        }
        statements_.emplace(std::string(sql), statement);
        return statement;
    }

    Status Bind(sqlite3_stmt* statement, std::span<const Value> params) {
        if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(statement)) {
            return Error::Internal("sqlite: parameter count mismatch");
        }
        for (std::size_t param_idx = 0; param_idx < params.size(); ++param_idx) {
            const int position = static_cast<int>(param_idx) + 1;
            const Value& value = params[param_idx];
            int rc = SQLITE_OK;
            if (const auto* text = std::get_if<std::string>(&value)) {
                rc = sqlite3_bind_text64(statement, position, text->data(), text->size(),
                                         SQLITE_STATIC, SQLITE_UTF8);
            } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
                rc = sqlite3_bind_int64(statement, position, *integer);
            } else if (const auto* real = std::get_if<double>(&value)) {
                rc = sqlite3_bind_double(statement, position, *real);
            } else {
                rc = sqlite3_bind_null(statement, position);
            }
            if (rc != SQLITE_OK) {
                return ToError(db_, rc);
            }
        }
        return Ok();
    }

    sqlite3* db_;
    // Prepared statements by SQL text; looked up by string_view without allocating.
    struct TextHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const {
            return std::hash<std::string_view>{}(text);
        }
    };
    std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> statements_;
    std::int64_t changed_rows_ = 0;
};

struct WriteJob {
    const ConnectionWork* work;
    bool alone;
    std::promise<Status> done;
};

class SqliteDatabase final : public Database {
public:
    SqliteDatabase(std::string path, SqliteOptions options,
                   std::unique_ptr<SqliteConnection> writer)
        : path_(std::move(path)), options_(options), writer_(std::move(writer)) {
        writer_thread_ = std::thread([this] { WriterLoop(); });
        checkpoint_thread_ = std::thread([this] { CheckpointLoop(); });
    }

    ~SqliteDatabase() override { Close(); }

    const Dialect& dialect() const override { return kDialect; }

    Status Read(const ConnectionWork& work) override {
        P360_ASSIGN_OR_RETURN(auto connection, AcquireReader());
        Status status = work(*connection);
        ReleaseReader(std::move(connection));
        return status;
    }

    Status ReadTogether(const ConnectionWork& work) override {
        P360_ASSIGN_OR_RETURN(auto connection, AcquireReader());
        Status status = connection->Execute("BEGIN");
        if (status.ok()) {
            status = work(*connection);
            // A read transaction has nothing to keep: ending it cannot lose work.
            (void)connection->Execute(status.ok() ? "COMMIT" : "ROLLBACK");
        }
        ReleaseReader(std::move(connection));
        return status;
    }

    Status Write(const ConnectionWork& work) override { return Submit(work, false); }
    Status WriteAlone(const ConnectionWork& work) override { return Submit(work, true); }

    void Close() override {
        {
            std::lock_guard lock(mutex_);
            if (closed_) {
                return;
            }
            closed_ = true;
        }
        queue_changed_.notify_all();
        checkpoint_wake_.notify_all();
        if (writer_thread_.joinable()) {
            writer_thread_.join();
        }
        if (checkpoint_thread_.joinable()) {
            checkpoint_thread_.join();
        }
        std::lock_guard lock(readers_mutex_);
        readers_.clear();
        writer_.reset();
    }

private:
    Status Submit(const ConnectionWork& work, bool alone) {
        WriteJob job{&work, alone, {}};
        auto done = job.done.get_future();
        {
            std::lock_guard lock(mutex_);
            if (closed_) {
                return Error::Unavailable("The database is closed.");
            }
            queue_.push_back(&job);
        }
        queue_changed_.notify_one();
        return done.get();
    }

    void WriterLoop() {
        while (true) {
            std::vector<WriteJob*> group;
            {
                std::unique_lock lock(mutex_);
                queue_changed_.wait(lock, [this] { return closed_ || !queue_.empty(); });
                if (queue_.empty()) {
                    return;  // closed and drained
                }
                TakeGroupLocked(group);
            }
            RunGroup(group);
        }
    }

    // A job that must run alone forms a group of one; otherwise take up to max_group_size.
    void TakeGroupLocked(std::vector<WriteJob*>& group) {
        if (queue_.front()->alone) {
            group.push_back(queue_.front());
            queue_.pop_front();
            return;
        }
        while (!queue_.empty() && !queue_.front()->alone &&
               static_cast<int>(group.size()) < options_.max_group_size) {
            group.push_back(queue_.front());
            queue_.pop_front();
        }
    }

    // One transaction for the whole group; each job inside its own savepoint, so a failing
    // job rolls back alone. Every job learns the group's fate only after COMMIT returns.
    // A job that runs alone needs no savepoint: its failure rolls back the transaction.
    void RunGroup(const std::vector<WriteJob*>& group) {
        Status begin = writer_->Execute("BEGIN IMMEDIATE");
        if (!begin.ok()) {
            for (WriteJob* job : group) {
                job->done.set_value(begin);
            }
            return;
        }
        const bool alone = group.size() == 1 && group.front()->alone;
        std::vector<Status> results;
        results.reserve(group.size());
        for (WriteJob* job : group) {
            results.push_back(alone ? RunCaught(*job->work) : RunJob(*job->work));
        }
        Status end = alone && !results.front().ok() ? writer_->Execute("ROLLBACK")
                                                    : writer_->Execute("COMMIT");
        if (!end.ok()) {
            log::Error("storage.commit_failed", {{"engine", "sqlite"}});
            (void)writer_->Execute("ROLLBACK");
        }
        for (std::size_t job_idx = 0; job_idx < group.size(); ++job_idx) {
            group[job_idx]->done.set_value(end.ok() ? results[job_idx] : end);
        }
    }

    Status RunJob(const ConnectionWork& work) {
        P360_TRY(writer_->Execute("SAVEPOINT job"));
        Status status = RunCaught(work);
        if (!status.ok()) {
            (void)writer_->Execute("ROLLBACK TO job");
        }
        Status release = writer_->Execute("RELEASE job");
        return status.ok() ? release : status;
    }

    Status RunCaught(const ConnectionWork& work) {
        try {
            return work(*writer_);
        } catch (const std::exception& exception) {
            return Error::Internal(std::string("write failed: ") + exception.what());
        }
    }

    // At most max_readers connections exist; a reader beyond that waits for a free one,
    // which bounds both open files and page-cache memory.
    Result<std::unique_ptr<SqliteConnection>> AcquireReader() {
        {
            std::unique_lock lock(readers_mutex_);
            reader_free_.wait(
                lock, [this] { return !readers_.empty() || open_readers_ < options_.max_readers; });
            if (!readers_.empty()) {
                auto connection = std::move(readers_.back());
                readers_.pop_back();
                return connection;
            }
            ++open_readers_;
        }
        auto opened = SqliteConnection::Open(path_, false, options_.reader_cache_kib);
        if (!opened.ok()) {
            std::lock_guard lock(readers_mutex_);
            --open_readers_;
            reader_free_.notify_one();
        }
        return opened;
    }

    void ReleaseReader(std::unique_ptr<SqliteConnection> connection) {
        {
            std::lock_guard lock(readers_mutex_);
            readers_.push_back(std::move(connection));
        }
        reader_free_.notify_one();
    }

    // Checkpoints run here, off the write path: the writer never waits for the WAL to be
    // copied back into the database file, and readers are not blocked (PASSIVE).
    void CheckpointLoop() {
        auto connection = SqliteConnection::Open(path_, false, options_.reader_cache_kib);
        if (!connection.ok()) {
            log::Error("storage.checkpointer_unavailable", {{"engine", "sqlite"}});
            return;
        }
        std::unique_lock lock(mutex_);
        while (!closed_) {
            checkpoint_wake_.wait_for(lock, std::chrono::seconds(2));
            if (closed_) {
                break;
            }
            lock.unlock();
            (void)(*connection)->Execute("PRAGMA wal_checkpoint(PASSIVE)");
            lock.lock();
        }
    }

    const std::string path_;
    const SqliteOptions options_;
    std::unique_ptr<SqliteConnection> writer_;  // used only by writer_thread_
    std::thread writer_thread_;

    std::mutex mutex_;
    std::condition_variable queue_changed_;
    std::condition_variable checkpoint_wake_;  // only Close() signals it
    std::deque<WriteJob*> queue_;              // guarded by mutex_
    bool closed_ = false;                      // guarded by mutex_

    std::mutex readers_mutex_;
    std::condition_variable reader_free_;
    std::vector<std::unique_ptr<SqliteConnection>> readers_;  // guarded by readers_mutex_
    int open_readers_ = 0;                                    // guarded by readers_mutex_
    std::thread checkpoint_thread_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path,
                                             const SqliteOptions& options) {
    // Memory statistics cost a global mutex on every allocation; we never read them.
    static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)configured;
    P360_ASSIGN_OR_RETURN(auto writer,
                          SqliteConnection::Open(path, true, options.writer_cache_kib));
    return std::unique_ptr<Database>(
        std::make_unique<SqliteDatabase>(path, options, std::move(writer)));
}

}  // namespace p360::storage
