#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "storage/database.hpp"

namespace p360::storage {
namespace {

class SqliteDatabaseTest : public ::testing::Test {
protected:
    void SetUp() override {
        directory_ = std::filesystem::temp_directory_path() /
                     ("p360_sqlite_test_" + std::to_string(::getpid()) + "_" +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(directory_);
        std::filesystem::create_directories(directory_);
        auto database = OpenSqlite((directory_ / "test.db").string());
        ASSERT_TRUE(database.ok()) << database.error().internal_detail;
        database_ = std::move(database).value();
        ASSERT_TRUE(database_
                        ->Write([](Connection& connection) -> Status {
                            return connection.Execute(
                                "CREATE TABLE item (id TEXT PRIMARY KEY, n INTEGER)");
                        })
                        .ok());
    }
    void TearDown() override {
        database_.reset();
        std::filesystem::remove_all(directory_);
    }

    std::int64_t CountItems() {
        std::int64_t count = -1;
        EXPECT_TRUE(database_
                        ->Read([&count](Connection& connection) -> Status {
                            auto row = connection.QueryOne("SELECT COUNT(*) FROM item");
                            P360_TRY(row);
                            count = std::get<std::int64_t>((**row)[0]);
                            return Ok();
                        })
                        .ok());
        return count;
    }

    std::filesystem::path directory_;
    std::unique_ptr<Database> database_;
};

TEST_F(SqliteDatabaseTest, WriteIsVisibleToLaterReads) {
    const Value params[] = {std::string("a"), std::int64_t{1}};
    ASSERT_TRUE(database_
                    ->Write([&params](Connection& connection) -> Status {
                        return connection.Execute("INSERT INTO item VALUES (?, ?)", params);
                    })
                    .ok());
    EXPECT_EQ(CountItems(), 1);
}

// Reads together see the database as it was when they began, whatever commits meanwhile.
TEST_F(SqliteDatabaseTest, ReadsTogetherSeeOneSnapshot) {
    auto insert = [this](const char* id) {
        const Value params[] = {std::string(id), std::int64_t{1}};
        return database_->Write([&params](Connection& connection) -> Status {
            return connection.Execute("INSERT INTO item VALUES (?, ?)", params);
        });
    };
    ASSERT_TRUE(insert("before").ok());
    std::vector<std::int64_t> counts;
    auto count = [&counts](Connection& connection) -> Status {
        return connection.ForEachRowView("SELECT COUNT(*) FROM item", {},
                                         [&counts](const RowView& row) {
                                             counts.push_back(row.IntegerAt(0));
                                             return true;
                                         });
    };
    ASSERT_TRUE(database_
                    ->ReadTogether([&](Connection& connection) -> Status {
                        P360_TRY(count(connection));
                        P360_TRY(insert("during"));  // committed by the writer meanwhile
                        return count(connection);
                    })
                    .ok());
    EXPECT_EQ(counts, (std::vector<std::int64_t>{1, 1}));
    EXPECT_EQ(CountItems(), 2) << "the write did commit";
}

TEST_F(SqliteDatabaseTest, FailedWriteLeavesNothingBehind) {
    Status status = database_->Write([](Connection& connection) -> Status {
        const Value first[] = {std::string("a"), std::int64_t{1}};
        P360_TRY(connection.Execute("INSERT INTO item VALUES (?, ?)", first));
        return Status(Error::InvalidArgument("second step failed"));
    });
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(CountItems(), 0);
}

TEST_F(SqliteDatabaseTest, UniqueViolationIsAlreadyExists) {
    const Value params[] = {std::string("a"), std::int64_t{1}};
    auto insert = [&params](Connection& connection) -> Status {
        return connection.Execute("INSERT INTO item VALUES (?, ?)", params);
    };
    ASSERT_TRUE(database_->Write(insert).ok());
    Status second = database_->Write(insert);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().code, ErrorCode::kAlreadyExists);
    EXPECT_EQ(second.error().location, "id");
}

// Many threads write at once; the writer merges them into groups, and a failing write in a
// group must not take the others with it.
// More rows than one multi-row INSERT carries, and a last statement of fewer.
TEST_F(SqliteDatabaseTest, InsertRowsWritesEveryRowInOrder) {
    std::vector<Value> values;
    for (int item = 0; item < 37; ++item) {
        values.emplace_back("item-" + std::to_string(item));
        if (item % 4 == 0) {
            values.emplace_back(Null{});
        } else {
            values.emplace_back(std::int64_t{item});
        }
    }
    const std::string_view columns[] = {"id", "n"};
    ASSERT_TRUE(database_
                    ->Write([&](Connection& connection) -> Status {
                        return connection.InsertRows("item", columns, values);
                    })
                    .ok());
    std::vector<Row> rows;
    ASSERT_TRUE(database_
                    ->Read([&rows](Connection& connection) -> Status {
                        P360_ASSIGN_OR_RETURN(
                            rows, connection.Query("SELECT id, n FROM item ORDER BY rowid"));
                        return Ok();
                    })
                    .ok());
    ASSERT_EQ(rows.size(), 37U);
    for (std::size_t row_idx = 0; row_idx < rows.size(); ++row_idx) {
        EXPECT_EQ(rows[row_idx][0], values[row_idx * 2]);
        EXPECT_EQ(rows[row_idx][1], values[row_idx * 2 + 1]);
    }
}

TEST_F(SqliteDatabaseTest, ConcurrentWritesCommitIndependently) {
    constexpr int kThreads = 8;
    constexpr int kWritesPerThread = 50;
    std::vector<std::thread> threads;
    std::atomic<int> failures_seen = 0;
    for (int thread_idx = 0; thread_idx < kThreads; ++thread_idx) {
        threads.emplace_back([&, thread_idx] {
            for (int write_idx = 0; write_idx < kWritesPerThread; ++write_idx) {
                const bool poison = write_idx % 10 == 0;
                Status status = database_->Write([&](Connection& connection) -> Status {
                    const Value params[] = {
                        std::to_string(thread_idx) + "-" + std::to_string(write_idx),
                        std::int64_t{write_idx}};
                    P360_TRY(connection.Execute("INSERT INTO item VALUES (?, ?)", params));
                    if (poison) {
                        return Status(Error::InvalidArgument("poisoned"));
                    }
                    return Ok();
                });
                if (!status.ok()) {
                    ++failures_seen;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(failures_seen.load(), kThreads * kWritesPerThread / 10);
    EXPECT_EQ(CountItems(), kThreads * kWritesPerThread * 9 / 10);
}

TEST_F(SqliteDatabaseTest, TableColumnsListsColumnsInOrder) {
    std::vector<std::string> columns;
    ASSERT_TRUE(database_
                    ->Read([&columns](Connection& connection) -> Status {
                        P360_ASSIGN_OR_RETURN(columns, connection.TableColumns("item"));
                        return Ok();
                    })
                    .ok());
    EXPECT_EQ(columns, (std::vector<std::string>{"id", "n"}));
}

// Rows read in place carry each cell's type and value, the same as the copying reader.
TEST_F(SqliteDatabaseTest, RowViewsReadCellsInPlace) {
    struct Seen {
        RowView::Type type;
        Value value;
        std::string text;
    };
    std::vector<std::vector<Seen>> rows;
    std::vector<Row> copied;
    const std::string sql =
        "SELECT 'a\"b', 42, 2.5, NULL UNION ALL SELECT '', -7, 0.125, 'x' ORDER BY 2";
    ASSERT_TRUE(database_
                    ->Read([&](Connection& connection) -> Status {
                        P360_TRY(connection.ForEachRowView(sql, {}, [&](const RowView& row) {
                            std::vector<Seen>& seen = rows.emplace_back();
                            for (std::size_t column = 0; column < row.size(); ++column) {
                                seen.push_back({row.TypeAt(column), row.ValueAt(column),
                                                std::string(row.TextAt(column))});
                            }
                            return true;
                        }));
                        P360_ASSIGN_OR_RETURN(copied, connection.Query(sql));
                        return Ok();
                    })
                    .ok());
    ASSERT_EQ(rows.size(), 2U);
    ASSERT_EQ(rows[0].size(), 4U);
    EXPECT_EQ(rows[0][0].type, RowView::Type::kText);
    EXPECT_EQ(rows[0][0].text, "");
    EXPECT_EQ(rows[0][1].type, RowView::Type::kInteger);
    EXPECT_EQ(rows[0][2].type, RowView::Type::kReal);
    EXPECT_EQ(rows[0][3].type, RowView::Type::kText);
    EXPECT_EQ(rows[1][0].text, "a\"b");
    EXPECT_EQ(rows[1][1].text, "");  // not text: no text
    EXPECT_EQ(rows[1][3].type, RowView::Type::kNull);
    ASSERT_EQ(copied.size(), 2U);
    for (std::size_t row_idx = 0; row_idx < 2; ++row_idx) {
        for (std::size_t column = 0; column < 4; ++column) {
            EXPECT_EQ(rows[row_idx][column].value, copied[row_idx][column]) << row_idx << column;
        }
    }
}

TEST_F(SqliteDatabaseTest, RowViewsStopWhenTheCallbackSaysSo) {
    ASSERT_TRUE(database_
                    ->Write([](Connection& connection) -> Status {
                        return connection.Execute(
                            "INSERT INTO item VALUES ('a', 1), ('b', 2), ('c', 3)");
                    })
                    .ok());
    std::vector<std::int64_t> seen;
    ASSERT_TRUE(database_
                    ->Read([&seen](Connection& connection) -> Status {
                        return connection.ForEachRowView("SELECT n FROM item ORDER BY n", {},
                                                         [&seen](const RowView& row) {
                                                             seen.push_back(row.IntegerAt(0));
                                                             return seen.size() < 2;
                                                         });
                    })
                    .ok());
    EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 2}));
    // The statement was reset: the same query runs again from the start.
    seen.clear();
    ASSERT_TRUE(database_
                    ->Read([&seen](Connection& connection) -> Status {
                        return connection.ForEachRowView("SELECT n FROM item ORDER BY n", {},
                                                         [&seen](const RowView& row) {
                                                             seen.push_back(row.IntegerAt(0));
                                                             return true;
                                                         });
                    })
                    .ok());
    EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 2, 3}));
}

}  // namespace
}  // namespace p360::storage
