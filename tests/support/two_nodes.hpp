// TwoNodeTest: a fixture with two payer360 nodes (node-a, node-b) on one PostgreSQL database,
// an administrator's token, and Eventually() for what other nodes see after a poll interval.
// Runs under scripts/with-postgres.sh (P360_TEST_POSTGRES).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "test_server.hpp"

namespace p360::testing {

class TwoNodeTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_NE(std::getenv("P360_TEST_POSTGRES"), nullptr)
            << "run under scripts/with-postgres.sh";
        first_.Start({"--node-id", "node-a", "--job-retry-base-ms", "20"});
        second_ = TestServer::SecondNode(first_);
        second_->Start({"--node-id", "node-b", "--job-retry-base-ms", "20"});
        token_ = first_.Login("admin");
    }

    static std::string Body(const json::object& body) { return json::serialize(body); }

    // Polls `done` (a question to the servers) every 20 ms for up to 30 s.
    static bool Eventually(const std::function<bool()>& done) {
        for (int attempt = 0; attempt < 1500; ++attempt) {
            if (done()) {
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }

    TestServer first_;
    std::unique_ptr<TestServer> second_;
    std::string token_;
};

}  // namespace p360::testing
