// Several payer360 nodes on one PostgreSQL database: writes from both, optimistic concurrency
// across nodes, custom fields seen everywhere without a restart, the job queue running each
// job exactly once (the database restart under load is in database_restart_integration_test).
// Runs under scripts/with-postgres.sh (label `postgres`).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "two_nodes.hpp"

namespace p360::testing {
namespace {

class MultiNodeTest : public TwoNodeTest {};

TEST_F(MultiNodeTest, BothNodesServeTheSameRecordsAndSessions) {
    const HttpResult created =
        first_.Request("POST", "/api/v1/records/Person",
                       Body({{"firstName", "Ada"}, {"lastName", "Node"}}), token_);
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string id(created.Json().at("id").as_string());
    // A session opened on one node is honoured on the other: sessions live in the database.
    const HttpResult read = second_->Request("GET", "/api/v1/records/Person/" + id, "", token_);
    ASSERT_EQ(read.status, 200) << read.body;
    EXPECT_EQ(read.Json().at("lastName").as_string(), "Node");

    const HttpResult health = second_->Request("GET", "/healthz");
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.Json().at("database").at("engine").as_string(), "postgresql");
    EXPECT_TRUE(health.Json().at("database").at("reachable").as_bool());
}

TEST_F(MultiNodeTest, ConcurrentWritesOnBothNodesAllLand) {
    std::mutex ids_mutex;
    std::set<std::string> ids;
    std::vector<std::thread> writers;
    for (int writer_idx = 0; writer_idx < 4; ++writer_idx) {
        const std::uint16_t port = writer_idx % 2 == 0 ? first_.port() : second_->port();
        writers.emplace_back([&, writer_idx, port] {
            TestServer::Connection connection(port);
            for (int write_idx = 0; write_idx < 50; ++write_idx) {
                const HttpResult result =
                    connection.Request("POST", "/api/v1/records/Person",
                                       Body({{"firstName", "Wes"},
                                             {"lastName", "Writer"},
                                             {"sourceId", "w" + std::to_string(writer_idx) + "-" +
                                                              std::to_string(write_idx)}}),
                                       token_);
                EXPECT_EQ(result.status, 201) << result.body;
                std::lock_guard lock(ids_mutex);
                ids.insert(std::string(result.Json().at("id").as_string()));
            }
        });
    }
    for (auto& writer : writers) {
        writer.join();
    }
    EXPECT_EQ(ids.size(), 200u);
    const HttpResult list = second_->Request(
        "GET", "/api/v1/records/Person?limit=500&filter=" + UrlEncode("lastName = 'Writer'"), "",
        token_);
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(list.Json().at("items").as_array().size(), 200u);
}

TEST_F(MultiNodeTest, OfTwoConflictingUpdatesOnTwoNodesOneWinsAndOneGets412) {
    const HttpResult created =
        first_.Request("POST", "/api/v1/records/Person",
                       Body({{"firstName", "Cy"}, {"lastName", "Contested"}}), token_);
    ASSERT_EQ(created.status, 201);
    const std::string path =
        "/api/v1/records/Person/" + std::string(created.Json().at("id").as_string());
    for (int round = 1; round <= 5; ++round) {
        const std::string version = "\"" + std::to_string(round) + "\"";
        auto update = [&](std::uint16_t port, const std::string& name) {
            TestServer::Connection connection(port);
            return connection
                .Request("PATCH", path, Body({{"lastName", name}}), token_, {{"If-Match", version}})
                .status;
        };
        // New values every round: an update that changes nothing needs no version check.
        const std::string suffix = std::to_string(round);
        auto on_first = std::async(std::launch::async, update, first_.port(), "FromA" + suffix);
        auto on_second = std::async(std::launch::async, update, second_->port(), "FromB" + suffix);
        std::multiset<int> statuses = {on_first.get(), on_second.get()};
        EXPECT_EQ(statuses, (std::multiset<int>{200, 412})) << "round " << round;
    }
    const HttpResult final_state = second_->Request("GET", path, "", token_);
    EXPECT_EQ(final_state.Json().at("version").as_int64(), 6);
}

// Without If-Match nobody asked for a version check: updates of one record racing on two
// nodes all apply, one after the other, and none is lost.
TEST_F(MultiNodeTest, UpdatesWithoutIfMatchRacingOnTwoNodesAllApply) {
    const HttpResult created =
        first_.Request("POST", "/api/v1/records/Person",
                       Body({{"firstName", "Rae"}, {"lastName", "Raced"}}), token_);
    ASSERT_EQ(created.status, 201);
    const std::string path =
        "/api/v1/records/Person/" + std::string(created.Json().at("id").as_string());
    constexpr int kWriters = 4;
    constexpr int kUpdatesEach = 25;
    std::vector<std::future<void>> writers;
    for (int writer_idx = 0; writer_idx < kWriters; ++writer_idx) {
        const std::uint16_t port = writer_idx % 2 == 0 ? first_.port() : second_->port();
        writers.push_back(std::async(std::launch::async, [&, writer_idx, port] {
            TestServer::Connection connection(port);
            for (int update_idx = 0; update_idx < kUpdatesEach; ++update_idx) {
                const std::string name =
                    "W" + std::to_string(writer_idx) + "U" + std::to_string(update_idx);
                const HttpResult updated =
                    connection.Request("PATCH", path, Body({{"middleName", name}}), token_);
                EXPECT_EQ(updated.status, 200) << updated.body;
            }
        }));
    }
    for (auto& writer : writers) {
        writer.get();
    }
    const HttpResult final_state = second_->Request("GET", path, "", token_);
    EXPECT_EQ(final_state.Json().at("version").as_int64(), 1 + kWriters * kUpdatesEach);
}

// Both nodes upsert the same records in bulk at once, round after round, from the first
// round on, when neither finds them yet. A bulk chunk reads its records once and writes them
// later; where the other node created or changed one in between, that write must be neither
// lost nor reported as applied, nor the line failed (it named no version): every record is
// created once, and its version counts exactly the updates the answers report for it.
TEST_F(MultiNodeTest, BulkUpsertsOfTheSameRecordsOnBothNodesLoseNoUpdate) {
    constexpr int kRecords = 600;  // more than two chunks of the PostgreSQL bulk path
    constexpr int kRounds = 5;
    auto batch = [](const std::string& last_name) {
        std::string body;
        for (int record_idx = 0; record_idx < kRecords; ++record_idx) {
            body += Body({{"sourceId", "race-" + std::to_string(record_idx)},
                          {"firstName", "Bulk"},
                          {"lastName", last_name}}) +
                    "\n";
        }
        return body;
    };
    const std::string path = "/api/v1/records/Person/bulk?externalId=sourceId&mode=partial";
    std::mutex counts_mutex;
    std::map<std::string, int> creations_by_id;
    std::map<std::string, int> updates_by_id;
    auto upsert_rounds = [&](std::uint16_t port, const std::string& node) {
        TestServer::Connection connection(port);
        for (int round = 0; round < kRounds; ++round) {
            // A name of its own each round and node: every applied line is a change.
            const HttpResult answer =
                connection.Request("POST", path, batch(node + std::to_string(round)), token_);
            ASSERT_EQ(answer.status, 200) << answer.body.substr(0, 400);
            EXPECT_EQ(answer.Json().at("failed").as_int64(), 0) << answer.body.substr(0, 400);
            std::lock_guard lock(counts_mutex);
            for (const auto& line : answer.Json().at("results").as_array()) {
                const std::string id(line.at("id").as_string());
                if (line.at("status").as_string() == "created") {
                    ++creations_by_id[id];
                } else if (line.at("status").as_string() == "updated") {
                    ++updates_by_id[id];
                }
            }
        }
    };
    auto on_first = std::async(std::launch::async, upsert_rounds, first_.port(), "A");
    auto on_second = std::async(std::launch::async, upsert_rounds, second_->port(), "B");
    on_first.get();
    on_second.get();

    const HttpResult list =
        second_->Request("GET",
                         "/api/v1/records/Person?limit=1000&fields=id,version&filter=" +
                             UrlEncode("firstName = 'Bulk'"),
                         "", token_);
    ASSERT_EQ(list.status, 200) << list.body;
    ASSERT_EQ(list.Json().at("items").as_array().size(), static_cast<std::size_t>(kRecords));
    EXPECT_EQ(creations_by_id.size(), static_cast<std::size_t>(kRecords));
    for (const auto& item : list.Json().at("items").as_array()) {
        const std::string id(item.at("id").as_string());
        EXPECT_EQ(creations_by_id[id], 1) << id;
        EXPECT_EQ(updates_by_id[id], 2 * kRounds - 1) << id;
        EXPECT_EQ(item.at("version").as_int64(), 1 + updates_by_id[id]) << id;
    }
}

TEST_F(MultiNodeTest, ACustomFieldAddedOnOneNodeIsUsableOnTheOtherWithoutRestart) {
    const HttpResult added = first_.Request(
        "POST", "/api/v1/objects/Person/fields",
        Body({{"name", "preferredPharmacy"}, {"label", "Preferred Pharmacy"}, {"type", "text"}}),
        token_);
    ASSERT_EQ(added.status, 201) << added.body;
    ASSERT_TRUE(Eventually([&] {
        const HttpResult describe = second_->Request("GET", "/api/v1/objects/Person", "", token_);
        for (const auto& field : describe.Json().at("fields").as_array()) {
            if (field.at("name").as_string() == "preferredPharmacy") {
                return true;
            }
        }
        return false;
    }));
    const HttpResult created = second_->Request(
        "POST", "/api/v1/records/Person",
        Body({{"firstName", "Cal"}, {"lastName", "Custom"}, {"preferredPharmacy", "Corner Drugs"}}),
        token_);
    ASSERT_EQ(created.status, 201) << created.body;
    const HttpResult read = first_.Request(
        "GET", "/api/v1/records/Person/" + std::string(created.Json().at("id").as_string()), "",
        token_);
    EXPECT_EQ(read.Json().at("preferredPharmacy").as_string(), "Corner Drugs");
}

TEST_F(MultiNodeTest, AThousandJobsRunExactlyOnceAcrossTheNodes) {
    TestServer::Connection connection(first_.port());
    // Every job falls due at one moment, after all are queued: queued due at once, each would
    // be run by the node it was queued on before the other node's next look for work.
    const auto due = std::chrono::steady_clock::now() + std::chrono::seconds(4);
    for (int job_idx = 0; job_idx < 1000; ++job_idx) {
        const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(
            due - std::chrono::steady_clock::now());
        const HttpResult queued =
            connection.Request("POST", "/api/v1/jobs",
                               Body({{"kind", "diagnostic.echo"},
                                     {"delayMillis", std::max<std::int64_t>(0, delay.count())}}),
                               token_);
        ASSERT_EQ(queued.status, 202) << queued.body;
    }
    ASSERT_TRUE(Eventually([&] {
        return first_.Request("GET", "/api/v1/jobs/summary", "", token_)
                   .Json()
                   .at("done")
                   .as_int64() == 1000;
    }));
    const HttpResult done =
        second_->Request("GET", "/api/v1/jobs?status=done&limit=1000", "", token_);
    ASSERT_EQ(done.status, 200);
    std::map<std::string, int> runs_by_node;
    for (const auto& job : done.Json().at("items").as_array()) {
        // The handler appends its node's name on every run: one name means one run.
        const std::string result(job.at("result").as_string());
        ASSERT_TRUE(result == "node-a" || result == "node-b") << result;
        EXPECT_EQ(job.at("finishedBy").as_string(), result);
        ++runs_by_node[result];
    }
    EXPECT_EQ(runs_by_node["node-a"] + runs_by_node["node-b"], 1000);
    EXPECT_GT(runs_by_node["node-a"], 0);
    EXPECT_GT(runs_by_node["node-b"], 0);
}

TEST_F(MultiNodeTest, FailingJobsAreRetriedWithBackoffThenDeadUntilRetried) {
    const HttpResult recovers = first_.Request(
        "POST", "/api/v1/jobs",
        Body({{"kind", "diagnostic.echo"}, {"payload", {{"failAttempts", 2}}}, {"maxAttempts", 5}}),
        token_);
    const HttpResult gives_up = first_.Request(
        "POST", "/api/v1/jobs",
        Body({{"kind", "diagnostic.echo"}, {"payload", {{"failAttempts", 9}}}, {"maxAttempts", 2}}),
        token_);
    ASSERT_EQ(recovers.status, 202) << recovers.body;
    ASSERT_EQ(gives_up.status, 202);
    const std::string recovers_path =
        "/api/v1/jobs/" + std::to_string(recovers.Json().at("id").as_int64());
    const std::string gives_up_path =
        "/api/v1/jobs/" + std::to_string(gives_up.Json().at("id").as_int64());
    auto status_of = [&](const std::string& path) {
        return std::string(first_.Request("GET", path, "", token_).Json().at("status").as_string());
    };
    ASSERT_TRUE(Eventually([&] { return status_of(recovers_path) == "done"; }));
    EXPECT_EQ(first_.Request("GET", recovers_path, "", token_).Json().at("attempts").as_int64(), 3);
    ASSERT_TRUE(Eventually([&] { return status_of(gives_up_path) == "dead"; }));
    const HttpResult dead = first_.Request("GET", gives_up_path, "", token_);
    EXPECT_EQ(dead.Json().at("attempts").as_int64(), 2);
    EXPECT_NE(std::string(dead.Json().at("lastError").as_string()).find("planned failure"),
              std::string::npos);

    const HttpResult retried = second_->Request("POST", gives_up_path + "/retry", "", token_);
    ASSERT_EQ(retried.status, 200) << retried.body;
    EXPECT_EQ(second_->Request("POST", gives_up_path + "/retry", "", token_).status, 412);
    // Only administrators see or change the queue; unknown kinds are refused.
    first_.CreateUser("agent2", "agent");
    EXPECT_EQ(first_.Request("GET", "/api/v1/jobs/summary", "", first_.Login("agent2")).status,
              403);
    EXPECT_EQ(
        first_.Request("POST", "/api/v1/jobs", Body({{"kind", "no.such.kind"}}), token_).status,
        400);
}

}  // namespace
}  // namespace p360::testing
