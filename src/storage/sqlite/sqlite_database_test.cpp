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

}  // namespace
}  // namespace p360::storage
