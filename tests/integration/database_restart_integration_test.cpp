// Two payer360 nodes on one PostgreSQL database that is stopped and started under load:
// requests fail cleanly with 503 meanwhile, both nodes recover, no acknowledged write is lost.
// Its tests run alone (SERIAL): stopping the database would fail any test beside it.
// Runs under scripts/with-postgres.sh (label `postgres`).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "two_nodes.hpp"

namespace p360::testing {
namespace {

using std::chrono::milliseconds;

class DatabaseRestartTest : public TwoNodeTest {};

TEST_F(DatabaseRestartTest, ADatabaseRestartUnderLoadFailsCleanlyAndLosesNoAcknowledgedWrite) {
    const char* ctl = std::getenv("P360_TEST_POSTGRES_CTL");
    ASSERT_NE(ctl, nullptr);
    std::atomic<bool> stop{false};
    std::mutex seen_mutex;
    std::vector<std::pair<std::string, std::string>> acknowledged;  // id, sourceId
    std::set<int> statuses;
    std::vector<std::thread> writers;
    // However the test ends, the writers stop and are joined.
    struct StopWriters {
        std::atomic<bool>& stop;
        std::vector<std::thread>& writers;
        ~StopWriters() {
            stop = true;
            for (auto& writer : writers) {
                if (writer.joinable()) {
                    writer.join();
                }
            }
        }
    } stop_writers{stop, writers};
    for (int writer_idx = 0; writer_idx < 2; ++writer_idx) {
        writers.emplace_back([&, writer_idx] {
            TestServer::Connection connection(writer_idx == 0 ? first_.port() : second_->port());
            for (int write_idx = 0; !stop; ++write_idx) {
                const std::string source_id =
                    "restart-" + std::to_string(writer_idx) + "-" + std::to_string(write_idx);
                const HttpResult result = connection.Request(
                    "POST", "/api/v1/records/Person",
                    Body({{"firstName", "Rea"}, {"lastName", "Restart"}, {"sourceId", source_id}}),
                    token_);
                std::lock_guard lock(seen_mutex);
                statuses.insert(result.status);
                if (result.status == 201) {
                    acknowledged.emplace_back(std::string(result.Json().at("id").as_string()),
                                              source_id);
                }
            }
        });
    }
    std::this_thread::sleep_for(milliseconds(300));
    ASSERT_EQ(std::system((std::string(ctl) + " stop").c_str()), 0);
    std::this_thread::sleep_for(milliseconds(1500));  // requests meet a database that is away
    ASSERT_TRUE(Eventually([&] { return first_.Request("GET", "/healthz").status == 503; }));
    ASSERT_EQ(std::system((std::string(ctl) + " start").c_str()), 0);
    ASSERT_TRUE(Eventually([&] { return first_.Request("GET", "/healthz").status == 200; }));
    const std::size_t before_recovery = [&] {
        std::lock_guard lock(seen_mutex);
        return acknowledged.size();
    }();
    // Both nodes write again.
    ASSERT_TRUE(Eventually([&] {
        std::lock_guard lock(seen_mutex);
        return acknowledged.size() > before_recovery + 20;
    })) << first_.ServerLog()
        << second_->ServerLog();
    stop = true;
    for (auto& writer : writers) {
        writer.join();
    }
    // While the database was away, requests failed with 503, never with a 500 or a hang.
    EXPECT_EQ(statuses, (std::set<int>{201, 503}));
    for (const auto& [id, source_id] : acknowledged) {
        const HttpResult read = second_->Request("GET", "/api/v1/records/Person/" + id, "", token_);
        ASSERT_EQ(read.status, 200) << id;
        EXPECT_EQ(read.Json().at("sourceId").as_string(), source_id);
    }
}

}  // namespace
}  // namespace p360::testing
