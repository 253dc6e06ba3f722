// The PostgreSQL engine against a real server: the cluster scripts/with-postgres.sh starts
// (P360_TEST_POSTGRES). Each test gets a database of its own.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <future>
#include <map>
#include <stdexcept>
#include <string>

#include "storage/database.hpp"

namespace p360::storage {
namespace {

// Statements that cannot run inside a transaction (CREATE/DROP DATABASE), straight on libpq.
void RunOnCluster(const std::string& sql) {
    PGconn* conn = PQconnectdb(std::getenv("P360_TEST_POSTGRES"));
    PGresult* result = PQexec(conn, sql.c_str());
    const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    const std::string message = PQerrorMessage(conn);
    PQclear(result);
    PQfinish(conn);
    ASSERT_TRUE(ok) << message;
}

class PostgresDatabaseTest : public ::testing::Test {
protected:
    void SetUp() override {
        const char* base = std::getenv("P360_TEST_POSTGRES");
        ASSERT_NE(base, nullptr) << "run under scripts/with-postgres.sh";
        name_ = "p360_storage_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name();
        for (char& c : name_) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        RunOnCluster("DROP DATABASE IF EXISTS " + name_);
        RunOnCluster("CREATE DATABASE " + name_);
        const std::string url(base);
        url_ = url.substr(0, url.rfind('/') + 1) + name_;
        database_ = Open();
        ASSERT_TRUE(Write("CREATE TABLE item (id TEXT PRIMARY KEY, n BIGINT, x DOUBLE PRECISION, "
                          "version BIGINT NOT NULL DEFAULT 1)")
                        .ok());
    }
    void TearDown() override {
        database_.reset();
        RunOnCluster("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    }

    std::unique_ptr<Database> Open() {
        auto database = OpenPostgres(url_);
        EXPECT_TRUE(database.ok()) << database.error().internal_detail;
        return database.ok() ? std::move(database).value() : nullptr;
    }

    Status Write(const std::string& sql, std::vector<Value> params = {}) {
        return database_->Write(
            [&](Connection& connection) { return connection.Execute(sql, params); });
    }

    std::vector<Row> Query(const std::string& sql, std::vector<Value> params = {}) {
        std::vector<Row> rows;
        const Status status = database_->Read([&](Connection& connection) -> Status {
            P360_ASSIGN_OR_RETURN(rows, connection.Query(sql, params));
            return Ok();
        });
        EXPECT_TRUE(status.ok()) << status.error().internal_detail;
        return rows;
    }

    std::string name_;
    std::string url_;
    std::unique_ptr<Database> database_;
};

TEST_F(PostgresDatabaseTest, CellsComeBackAsIntegersRealsTextAndNull) {
    ASSERT_TRUE(
        Write("INSERT INTO item (id, n, x) VALUES (?, ?, ?), (?, ?, ?)",
              {std::string("a"), std::int64_t{40}, 1.25, std::string("b"), std::int64_t{2}, Null{}})
            .ok());
    const auto rows =
        Query("SELECT id, n, x, SUM(n) OVER (), COUNT(*) OVER (), n > 3 FROM item ORDER BY id");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0][0], Value(std::string("a")));
    EXPECT_EQ(rows[0][1], Value(std::int64_t{40}));
    EXPECT_EQ(rows[0][2], Value(1.25));
    // SUM over BIGINT is NUMERIC in PostgreSQL; it still arrives as an integer, as in SQLite.
    EXPECT_EQ(rows[0][3], Value(std::int64_t{42}));
    EXPECT_EQ(rows[0][4], Value(std::int64_t{2}));
    EXPECT_EQ(rows[0][5], Value(std::int64_t{1}));  // a boolean is 1 or 0
    EXPECT_TRUE(IsNull(rows[1][2]));
    EXPECT_EQ(rows[1][5], Value(std::int64_t{0}));
}

TEST_F(PostgresDatabaseTest, QuestionMarksInsideQuotesAreNotParameters) {
    const auto rows =
        Query("SELECT '?' || ?, \"n?\" FROM (SELECT 7 AS \"n?\") AS t", {std::string("!")});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], Value(std::string("?!")));
    EXPECT_EQ(rows[0][1], Value(std::int64_t{7}));
}

TEST_F(PostgresDatabaseTest, UniqueViolationNamesTheColumnButNotTheValue) {
    ASSERT_TRUE(Write("INSERT INTO item (id, n) VALUES (?, 1)", {std::string("secret-1")}).ok());
    const Status again = Write("INSERT INTO item (id, n) VALUES (?, 2)", {std::string("secret-1")});
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
    EXPECT_EQ(again.error().location, "id");
    EXPECT_EQ(again.error().public_message.find("secret"), std::string::npos);
    EXPECT_EQ(again.error().internal_detail.find("secret"), std::string::npos);
}

TEST_F(PostgresDatabaseTest, AFailedWriteLeavesNothingBehind) {
    const Status status = database_->Write([](Connection& connection) -> Status {
        P360_TRY(connection.Execute("INSERT INTO item (id, n) VALUES ('a', 1)"));
        return Error::InvalidArgument("changed my mind");
    });
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(Query("SELECT id FROM item").empty());
}

TEST_F(PostgresDatabaseTest, WorkThatIgnoresAFailedStatementIsNotCommitted) {
    const Status status = database_->Write([](Connection& connection) -> Status {
        P360_TRY(connection.Execute("INSERT INTO item (id, n) VALUES ('a', 1)"));
        (void)connection.Execute("INSERT INTO item (id, n) VALUES ('a', 2)");  // fails
        return Ok();
    });
    EXPECT_FALSE(status.ok());
    EXPECT_TRUE(Query("SELECT id FROM item").empty());
}

TEST_F(PostgresDatabaseTest, ChangedRowsCountWritesNotSelects) {
    const Status status = database_->Write([](Connection& connection) -> Status {
        P360_TRY(connection.Execute("INSERT INTO item (id, n) VALUES ('a', 1), ('b', 2)"));
        EXPECT_EQ(connection.ChangedRows(), 2);
        P360_TRY(connection.Execute("SELECT id FROM item"));
        P360_TRY(connection.Execute("UPDATE item SET n = 3 WHERE id = 'a'"));
        EXPECT_EQ(connection.ChangedRows(), 1);
        EXPECT_EQ(connection.TotalChanges(), 3);
        return Ok();
    });
    EXPECT_TRUE(status.ok());
}

// Rows of `count` items whose text, integers and reals need care in COPY's text format.
std::vector<Value> AwkwardItems(int count) {
    const std::string texts[] = {"tab\there", "two\nlines", "cr\r",    "back\\slash",
                                 "\\N",       "plain",      "naïve ☃", "quote ' and \" both"};
    const double reals[] = {0.1, -1e300, 1.25, 5e-324};
    std::vector<Value> values;
    for (int item = 0; item < count; ++item) {
        values.emplace_back(texts[item % std::size(texts)] + "#" + std::to_string(item));
        if (item % 5 == 0) {
            values.emplace_back(Null{});
        } else {
            values.emplace_back(std::int64_t{item} * -3'000'000'000'000LL);
        }
        if (item % 7 == 0) {
            values.emplace_back(Null{});
        } else {
            values.emplace_back(reals[item % std::size(reals)]);
        }
    }
    return values;
}

// Short runs go in INSERTs and long runs in COPY; either way every cell comes back as it was
// given, and the rows count as changes.
TEST_F(PostgresDatabaseTest, InsertRowsKeepsEveryValueInShortAndLongRuns) {
    const std::string_view columns[] = {"id", "n", "x"};
    for (const int count : {3, 300}) {
        ASSERT_TRUE(Write("DELETE FROM item").ok());
        const std::vector<Value> values = AwkwardItems(count);
        const Status status = database_->Write([&](Connection& connection) -> Status {
            const std::int64_t before = connection.TotalChanges();
            P360_TRY(connection.InsertRows("item", columns, values));
            EXPECT_EQ(connection.TotalChanges() - before, count);
            return Ok();
        });
        ASSERT_TRUE(status.ok()) << status.error().internal_detail;
        const auto rows = Query("SELECT id, n, x FROM item");
        ASSERT_EQ(rows.size(), static_cast<std::size_t>(count));
        std::map<Value, Row> by_id;
        for (const Row& row : rows) {
            by_id.emplace(row[0], row);
        }
        for (std::size_t value_idx = 0; value_idx < values.size(); value_idx += 3) {
            const auto found = by_id.find(values[value_idx]);
            ASSERT_NE(found, by_id.end()) << count << " rows, row " << value_idx / 3;
            EXPECT_EQ(found->second[1], values[value_idx + 1])
                << std::get<std::string>(found->first);
            EXPECT_EQ(found->second[2], values[value_idx + 2])
                << std::get<std::string>(found->first);
        }
    }
}

TEST_F(PostgresDatabaseTest, ALongInsertRunThatTakesAUniqueValueFailsNamingTheColumn) {
    ASSERT_TRUE(Write("INSERT INTO item (id, n) VALUES (?, 1)", {std::string("secret-40")}).ok());
    std::vector<Value> values;
    for (int item = 0; item < 100; ++item) {
        values.emplace_back("secret-" + std::to_string(item));
        values.emplace_back(std::int64_t{item});
    }
    const std::string_view columns[] = {"id", "n"};
    bool aborted = false;
    const Status status = database_->Write([&](Connection& connection) -> Status {
        Status inserted = connection.InsertRows("item", columns, values);
        aborted = connection.TransactionAborted();
        return inserted;
    });
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kAlreadyExists);
    EXPECT_EQ(status.error().location, "id");
    EXPECT_EQ(status.error().internal_detail.find("secret"), std::string::npos);
    EXPECT_TRUE(aborted);
    EXPECT_EQ(Query("SELECT id FROM item").size(), 1u);
    // The connection went back to the pool in a usable state.
    EXPECT_TRUE(Write("INSERT INTO item (id, n) VALUES ('after', 1)").ok());
}

TEST_F(PostgresDatabaseTest, ABatchOfStatementsCountsEachOnesChanges) {
    ASSERT_TRUE(Write("INSERT INTO item (id, n) VALUES ('a', 1), ('b', 2), ('c', 3)").ok());
    const std::vector<Statement> batch = {
        {"UPDATE item SET n = ? WHERE id = ?", {std::int64_t{10}, std::string("a")}},
        {"UPDATE item SET n = ? WHERE id = ?", {std::int64_t{20}, std::string("missing")}},
        {"UPDATE item SET x = ? WHERE n >= ?", {2.5, std::int64_t{2}}},
        {"DELETE FROM item WHERE id = ?", {std::string("c")}}};
    std::vector<std::int64_t> changed;
    const Status status = database_->Write([&](Connection& connection) -> Status {
        P360_ASSIGN_OR_RETURN(changed, connection.ExecuteBatch(batch));
        return Ok();
    });
    ASSERT_TRUE(status.ok()) << status.error().internal_detail;
    EXPECT_EQ(changed, (std::vector<std::int64_t>{1, 0, 3, 1}));
    const auto rows = Query("SELECT id, n, x FROM item ORDER BY id");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0][1], Value(std::int64_t{10}));
    EXPECT_EQ(rows[1][2], Value(2.5));
}

TEST_F(PostgresDatabaseTest, ABatchStopsAtItsFirstFailureAndTheConnectionStaysUsable) {
    ASSERT_TRUE(Write("INSERT INTO item (id, n) VALUES ('a', 1), ('b', 2)").ok());
    const std::vector<Statement> batch = {
        {"UPDATE item SET n = ? WHERE id = ?", {std::int64_t{10}, std::string("a")}},
        {"UPDATE item SET id = ? WHERE id = ?", {std::string("a"), std::string("b")}},
        {"UPDATE item SET n = ? WHERE id = ?", {std::int64_t{30}, std::string("b")}}};
    bool aborted = false;
    const Status status = database_->Write([&](Connection& connection) -> Status {
        auto changed = connection.ExecuteBatch(batch);
        aborted = connection.TransactionAborted();
        if (!changed.ok()) {
            return std::move(changed).error();
        }
        return Ok();
    });
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kAlreadyExists);
    EXPECT_EQ(status.error().location, "id");
    EXPECT_TRUE(aborted);
    const auto rows = Query("SELECT n FROM item ORDER BY id");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0][0], Value(std::int64_t{1}));
    EXPECT_EQ(rows[1][0], Value(std::int64_t{2}));
    // The same pooled connection runs plain statements and batches again.
    ASSERT_TRUE(Write("UPDATE item SET n = 5 WHERE id = 'a'").ok());
    const Status again = database_->Write([&](Connection& connection) -> Status {
        P360_TRY(connection.ExecuteBatch(std::span(batch).first(2)));
        return Error::InvalidArgument("the second statement must fail");
    });
    EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
    const Status batched = database_->Write([&](Connection& connection) -> Status {
        P360_TRY(connection.ExecuteBatch(std::span(batch).first(1)));
        return Ok();
    });
    EXPECT_TRUE(batched.ok());
    EXPECT_EQ(Query("SELECT n FROM item WHERE id = 'a'")[0][0], Value(std::int64_t{10}));
}

TEST_F(PostgresDatabaseTest, OneOfTwoNodesUpdatingTheSameVersionWins) {
    ASSERT_TRUE(Write("INSERT INTO item (id, n) VALUES ('a', 0)").ok());
    auto other_node = Open();
    auto update = [](Database& database, std::int64_t n) {
        std::int64_t changed = -1;
        const Status status = database.Write([&](Connection& connection) -> Status {
            const Value params[] = {n};
            P360_TRY(connection.Execute(
                "UPDATE item SET n = ?, version = version + 1 WHERE id = 'a' AND version = 1",
                params));
            changed = connection.ChangedRows();
            return Ok();
        });
        EXPECT_TRUE(status.ok());
        return changed;
    };
    auto first = std::async(std::launch::async, update, std::ref(*database_), 1);
    auto second = std::async(std::launch::async, update, std::ref(*other_node), 2);
    EXPECT_EQ(first.get() + second.get(), 1);
    EXPECT_EQ(Query("SELECT version FROM item")[0][0], Value(std::int64_t{2}));
}

TEST_F(PostgresDatabaseTest, AReadSeesOneSnapshot) {
    ASSERT_TRUE(Write("INSERT INTO item (id, n) VALUES ('a', 1)").ok());
    std::vector<Value> counts;
    auto count = [&counts](Connection& connection) -> Status {
        return connection.ForEachRow("SELECT COUNT(*) FROM item", {}, [&counts](const Row& row) {
            counts.push_back(row[0]);
            return true;
        });
    };
    const Status status = database_->Read([&](Connection& connection) -> Status {
        P360_TRY(count(connection));
        P360_TRY(Write("INSERT INTO item (id, n) VALUES ('b', 2)"));  // another connection
        return count(connection);
    });
    ASSERT_TRUE(status.ok());
    EXPECT_EQ(counts, (std::vector<Value>{std::int64_t{1}, std::int64_t{1}}));
    EXPECT_EQ(Query("SELECT COUNT(*) FROM item")[0][0], Value(std::int64_t{2}));
}

TEST_F(PostgresDatabaseTest, AOneStatementReadRunsOutsideATransactionAndOnlyOnce) {
    ASSERT_TRUE(Write("INSERT INTO item (id, n) VALUES ('a', 1)").ok());
    std::vector<Value> seen;
    const auto in_transaction = [&seen](Connection& connection) -> Status {
        // Reads begin REPEATABLE READ transactions; a statement outside any runs at the
        // session's default, READ COMMITTED.
        return connection.ForEachRow(
            "SELECT n, CASE WHEN current_setting('transaction_isolation') = 'read committed' "
            "THEN 1 ELSE 0 END FROM item",
            {}, [&seen](const Row& row) {
                seen.push_back(row[0]);
                seen.push_back(row[1]);
                return true;
            });
    };
    ASSERT_TRUE(database_->ReadStatement(in_transaction).ok());
    // No BEGIN ran before it.
    EXPECT_EQ(seen, (std::vector<Value>{std::int64_t{1}, std::int64_t{1}}));
    seen.clear();
    ASSERT_TRUE(database_->Read(in_transaction).ok());
    EXPECT_EQ(seen, (std::vector<Value>{std::int64_t{1}, std::int64_t{0}}));

    const Status twice = database_->ReadStatement([](Connection& connection) -> Status {
        P360_TRY(connection.Execute("SELECT 1"));
        return connection.Execute("SELECT 2");
    });
    ASSERT_FALSE(twice.ok());
    EXPECT_EQ(twice.error().code, ErrorCode::kInternal);
    // The connection goes back to the pool able to serve the next one.
    EXPECT_TRUE(
        database_
            ->ReadStatement([](Connection& connection) { return connection.Execute("SELECT 1"); })
            .ok());
}

// Concurrent one-statement reads go to the server in batches; each caller must still get the
// answer to its own statement, and a failing statement must fail only its own caller.
TEST_F(PostgresDatabaseTest, ConcurrentOneStatementReadsEachGetTheirOwnAnswer) {
    constexpr int kCallers = 24;
    constexpr int kReadsEach = 150;
    std::vector<std::future<int>> callers;
    for (int caller_idx = 0; caller_idx < kCallers; ++caller_idx) {
        callers.push_back(std::async(std::launch::async, [this, caller_idx] {
            int wrong = 0;
            for (int read_idx = 0; read_idx < kReadsEach; ++read_idx) {
                const std::int64_t asked = caller_idx * 1000 + read_idx;
                // Every seventh caller's every third read fails: as it runs (division by zero)
                // or already when the server prepares it (no such column).
                const bool fails = caller_idx % 7 == 0 && read_idx % 3 == 0;
                const char* failing = read_idx % 2 == 0 ? "SELECT CAST(? AS BIGINT) / 0"
                                                        : "SELECT CAST(? AS BIGINT) + no_such";
                const Value param{asked};
                std::vector<Value> answer;
                const Status status = database_->ReadStatement([&](Connection& connection) {
                    return connection.ForEachRow(fails ? failing : "SELECT CAST(? AS BIGINT) + 1",
                                                 std::span(&param, 1), [&answer](const Row& row) {
                                                     answer.push_back(row[0]);
                                                     return true;
                                                 });
                });
                if (fails) {
                    wrong += status.ok() ? 1 : 0;
                } else if (!status.ok() || answer != std::vector<Value>{Value{asked + 1}}) {
                    ++wrong;
                }
            }
            return wrong;
        }));
    }
    for (int caller_idx = 0; caller_idx < kCallers; ++caller_idx) {
        EXPECT_EQ(callers[caller_idx].get(), 0) << "caller " << caller_idx;
    }
}

// A row callback that throws fails its own read with an error, not the batch it was in.
TEST_F(PostgresDatabaseTest, AThrowingRowCallbackFailsOnlyItsOwnRead) {
    std::vector<std::future<bool>> callers;
    for (int caller_idx = 0; caller_idx < 16; ++caller_idx) {
        callers.push_back(std::async(std::launch::async, [this, caller_idx] {
            bool as_expected = true;
            for (int read_idx = 0; read_idx < 100; ++read_idx) {
                const bool throws = (caller_idx + read_idx) % 5 == 0;
                const Status status = database_->ReadStatement([&](Connection& connection) {
                    return connection.ForEachRow("SELECT 1", {}, [throws](const Row&) -> bool {
                        if (throws) {
                            throw std::runtime_error("callback failed");
                        }
                        return true;
                    });
                });
                as_expected = as_expected && status.ok() == !throws;
                if (!status.ok()) {
                    as_expected = as_expected && status.error().code == ErrorCode::kInternal;
                }
            }
            return as_expected;
        }));
    }
    for (auto& caller : callers) {
        EXPECT_TRUE(caller.get());
    }
}

TEST_F(PostgresDatabaseTest, TableColumnsListsColumnsInOrder) {
    std::vector<std::string> columns;
    ASSERT_TRUE(database_
                    ->Read([&](Connection& connection) -> Status {
                        P360_ASSIGN_OR_RETURN(columns, connection.TableColumns("item"));
                        return Ok();
                    })
                    .ok());
    EXPECT_EQ(columns, (std::vector<std::string>{"id", "n", "x", "version"}));
}

TEST_F(PostgresDatabaseTest, AnUnreachableServerIsUnavailable) {
    auto database = OpenPostgres("postgresql://postgres@127.0.0.1:1/nowhere?connect_timeout=2");
    ASSERT_FALSE(database.ok());
    EXPECT_EQ(database.error().code, ErrorCode::kUnavailable);
}

TEST_F(PostgresDatabaseTest, OpenDatabaseChoosesTheEngineByUrl) {
    auto database = OpenDatabase(url_);
    ASSERT_TRUE(database.ok());
    EXPECT_EQ((*database)->dialect().Name(), "postgresql");
}

}  // namespace
}  // namespace p360::storage
