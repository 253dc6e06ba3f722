#include "automation/job_queue.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "automation/diagnostic_jobs.hpp"

namespace p360::automation {
namespace {

using storage::Connection;

class JobQueueTest : public ::testing::Test {
protected:
    void SetUp() override {
        directory_ = std::filesystem::temp_directory_path() /
                     ("p360_jobs_test_" + std::to_string(::getpid()) + "_" +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(directory_);
        std::filesystem::create_directories(directory_);
        database_ = std::move(storage::OpenSqlite((directory_ / "jobs.db").string())).value();
        ASSERT_TRUE(database_
                        ->Write([](Connection& connection) {
                            return connection.Execute("CREATE TABLE effect (job_id INTEGER)");
                        })
                        .ok());
        queue_ = Open("node-a");
    }
    void TearDown() override {
        queue_.reset();
        database_.reset();
        std::filesystem::remove_all(directory_);
    }

    std::unique_ptr<JobQueue> Open(std::string node) {
        JobQueueOptions options;
        options.node = std::move(node);
        options.backoff_base = std::chrono::seconds(10);
        auto queue = JobQueue::Open(*database_, clock_, options);
        EXPECT_TRUE(queue.ok());
        return std::move(queue).value();
    }

    // A handler that writes an effect, then fails while attempt <= fail_until.
    JobQueue::Handler EffectThenFail(int fail_until) {
        return [fail_until](Connection& connection, const Job& job) -> Status {
            const storage::Value params[] = {job.id};
            P360_TRY(connection.Execute("INSERT INTO effect (job_id) VALUES (?)", params));
            if (job.attempt <= fail_until) {
                return Error::Unavailable("downstream away");
            }
            return Ok();
        };
    }

    std::int64_t Effects() {
        std::int64_t count = -1;
        EXPECT_TRUE(database_
                        ->Read([&count](Connection& connection) -> Status {
                            P360_ASSIGN_OR_RETURN(auto rows,
                                                  connection.Query("SELECT COUNT(*) FROM effect"));
                            count = std::get<std::int64_t>(rows.at(0).at(0));
                            return Ok();
                        })
                        .ok());
        return count;
    }

    bool RunOne() {
        auto ran = queue_->RunOne();
        EXPECT_TRUE(ran.ok());
        return ran.ok() && *ran;
    }

    std::filesystem::path directory_;
    FakeClock clock_{1'790'000'000'000};
    std::unique_ptr<storage::Database> database_;
    std::unique_ptr<JobQueue> queue_;
};

TEST_F(JobQueueTest, AJobRunsOnceAndIsDone) {
    queue_->RegisterHandler("effect", EffectThenFail(0));
    auto id = queue_->Enqueue({.kind = "effect"});
    ASSERT_TRUE(id.ok());
    EXPECT_TRUE(RunOne());
    EXPECT_FALSE(RunOne());  // nothing left
    EXPECT_EQ(Effects(), 1);
    auto info = queue_->Get(*id);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->status, "done");
    EXPECT_EQ(info->attempts, 1);
    EXPECT_EQ(info->finished_by, "node-a");
}

TEST_F(JobQueueTest, AFailedAttemptLeavesNoEffectAndRetriesAfterBackoff) {
    queue_->RegisterHandler("effect", EffectThenFail(2));
    auto id = queue_->Enqueue({.kind = "effect", .max_attempts = 5});
    ASSERT_TRUE(RunOne());
    EXPECT_EQ(Effects(), 0);  // rolled back with the failure
    auto info = queue_->Get(*id);
    EXPECT_EQ(info->status, "ready");
    EXPECT_EQ(info->attempts, 1);
    EXPECT_NE(info->last_error.find("downstream away"), std::string::npos);

    EXPECT_FALSE(RunOne());  // not due before the backoff (10 s)
    clock_.Advance(std::chrono::seconds(10));
    EXPECT_TRUE(RunOne());  // attempt 2 fails; the backoff doubles to 20 s
    clock_.Advance(std::chrono::seconds(10));
    EXPECT_FALSE(RunOne());
    clock_.Advance(std::chrono::seconds(10));
    EXPECT_TRUE(RunOne());  // attempt 3 succeeds
    EXPECT_EQ(Effects(), 1);
    EXPECT_EQ(queue_->Get(*id)->status, "done");
    EXPECT_EQ(queue_->Get(*id)->attempts, 3);
}

TEST_F(JobQueueTest, AJobThatKeepsFailingIsDeadUntilRetried) {
    queue_->RegisterHandler("effect", EffectThenFail(2));
    auto id = queue_->Enqueue({.kind = "effect", .max_attempts = 2});
    for (int attempt = 0; attempt < 2; ++attempt) {
        EXPECT_TRUE(RunOne());
        clock_.Advance(std::chrono::hours(1));
    }
    EXPECT_FALSE(RunOne());
    EXPECT_EQ(queue_->Get(*id)->status, "dead");
    EXPECT_EQ(queue_->CountByStatus()->at("dead"), 1);
    ASSERT_EQ(queue_->List("dead", 10)->size(), 1u);

    ASSERT_TRUE(queue_->Retry(*id).ok());
    EXPECT_FALSE(queue_->Retry(*id).ok());  // no longer dead
    // Attempts start over: the next try is attempt 1 again (which this handler fails).
    EXPECT_TRUE(RunOne());
    EXPECT_EQ(queue_->Get(*id)->attempts, 1);
    EXPECT_EQ(queue_->Get(*id)->status, "ready");
}

TEST_F(JobQueueTest, ANodeClaimsOnlyKindsItHandles) {
    queue_->RegisterHandler("effect", EffectThenFail(0));
    auto other = queue_->Enqueue({.kind = "newer.kind"});
    EXPECT_FALSE(RunOne());
    EXPECT_EQ(queue_->Get(*other)->status, "ready");
}

TEST_F(JobQueueTest, ADelayedJobWaitsForItsTime) {
    queue_->RegisterHandler("effect", EffectThenFail(0));
    ASSERT_TRUE(queue_->Enqueue({.kind = "effect", .delay_millis = 60'000}).ok());
    EXPECT_FALSE(RunOne());
    clock_.Advance(std::chrono::minutes(1));
    EXPECT_TRUE(RunOne());
}

TEST_F(JobQueueTest, EnqueueRefusesJobsThatCouldNeverRun) {
    EXPECT_EQ(queue_->Enqueue({.kind = ""}).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(queue_->Enqueue({.kind = "x", .max_attempts = 0}).error().code,
              ErrorCode::kInvalidArgument);
}

// A leased handler runs outside any transaction: it may write through the database itself
// (inside the claiming transaction that would wait for itself on SQLite's single writer).
TEST_F(JobQueueTest, ALeasedJobRunsOutsideTheClaimingTransaction) {
    queue_->RegisterLeasedHandler("long", std::chrono::minutes(1), [this](const Job& job) {
        return database_->Write([&job](Connection& connection) {
            const storage::Value params[] = {job.id};
            return connection.Execute("INSERT INTO effect (job_id) VALUES (?)", params);
        });
    });
    auto id = queue_->Enqueue({.kind = "long"});
    ASSERT_TRUE(id.ok());
    EXPECT_TRUE(RunOne());
    EXPECT_FALSE(RunOne());
    EXPECT_EQ(Effects(), 1);
    EXPECT_EQ(queue_->Get(*id)->status, "done");
    EXPECT_EQ(queue_->Get(*id)->attempts, 1);
}

TEST_F(JobQueueTest, AFailedLeasedAttemptIsRetriedAfterBackoff) {
    int calls = 0;
    queue_->RegisterLeasedHandler("long", std::chrono::minutes(1), [&calls](const Job& job) {
        ++calls;
        return job.attempt == 1 ? Status(Error::Unavailable("downstream away")) : Ok();
    });
    auto id = queue_->Enqueue({.kind = "long"});
    EXPECT_TRUE(RunOne());
    EXPECT_EQ(queue_->Get(*id)->status, "ready");
    EXPECT_NE(queue_->Get(*id)->last_error.find("downstream away"), std::string::npos);
    EXPECT_FALSE(RunOne());
    clock_.Advance(std::chrono::seconds(10));
    EXPECT_TRUE(RunOne());
    EXPECT_EQ(queue_->Get(*id)->status, "done");
    EXPECT_EQ(calls, 2);
}

// While a handler holds the lease no other node takes the job; once the lease has run out
// (the node died, or the handler forgot to extend it) another node runs it again, and only
// that attempt's outcome is recorded.
TEST_F(JobQueueTest, AnExpiredLeaseLetsAnotherNodeRunTheJob) {
    auto other = Open("node-b");
    other->RegisterLeasedHandler("long", std::chrono::minutes(1),
                                 [](const Job&) -> Status { return Ok(); });
    bool claimed_while_leased = true;
    bool claimed_after_lease = false;
    queue_->RegisterLeasedHandler("long", std::chrono::minutes(1), [&](const Job&) -> Status {
        claimed_while_leased = *other->RunOne();
        clock_.Advance(std::chrono::seconds(61));
        claimed_after_lease = *other->RunOne();
        return Error::Unavailable("too late to count");
    });
    auto id = queue_->Enqueue({.kind = "long"});
    EXPECT_TRUE(RunOne());
    EXPECT_FALSE(claimed_while_leased);
    EXPECT_TRUE(claimed_after_lease);
    const auto info = queue_->Get(*id);
    EXPECT_EQ(info->status, "done");
    EXPECT_EQ(info->finished_by, "node-b");
    EXPECT_EQ(info->attempts, 2);
}

TEST_F(JobQueueTest, ExtendingTheLeaseKeepsOtherNodesAway) {
    auto other = Open("node-b");
    other->RegisterLeasedHandler("long", std::chrono::minutes(1),
                                 [](const Job&) -> Status { return Ok(); });
    bool claimed = true;
    queue_->RegisterLeasedHandler("long", std::chrono::minutes(1), [&](const Job& job) -> Status {
        clock_.Advance(std::chrono::seconds(50));
        P360_TRY(queue_->ExtendLease(job));
        clock_.Advance(std::chrono::seconds(50));
        claimed = *other->RunOne();
        return Ok();
    });
    auto id = queue_->Enqueue({.kind = "long"});
    EXPECT_TRUE(RunOne());
    EXPECT_FALSE(claimed);
    EXPECT_EQ(queue_->Get(*id)->finished_by, "node-a");
}

TEST_F(JobQueueTest, WorkerThreadsDrainTheQueue) {
    RegisterDiagnosticJobs(*queue_);
    for (int job = 0; job < 50; ++job) {
        ASSERT_TRUE(queue_->Enqueue({.kind = kEchoJob}).ok());
    }
    queue_->Start(2);
    for (int wait = 0; wait < 2000 && queue_->CountByStatus()->at("done") < 50; ++wait) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    queue_->Stop();
    EXPECT_EQ(queue_->CountByStatus()->at("done"), 50);
    const auto done = queue_->List("done", 100);
    ASSERT_TRUE(done.ok());
    ASSERT_EQ(done->size(), 50u);
    for (const JobInfo& job : *done) {
        EXPECT_EQ(job.result, "node-a");  // one run each
    }
}

}  // namespace
}  // namespace p360::automation
