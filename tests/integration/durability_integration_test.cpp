// No acknowledged write is lost: records answered with 201 survive SIGKILL of the server.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "test_server.hpp"

namespace p360::testing {
namespace {

TEST(DurabilityTest, AcknowledgedWritesSurviveKill9) {
    TestServer server;
    server.Start();
    const std::string token = server.Login("admin");

    // Several writers at once, so commits are grouped; every acknowledged id is remembered.
    std::mutex acknowledged_mutex;
    std::vector<std::pair<std::string, std::string>> acknowledged;  // id, sourceId
    std::vector<std::thread> writers;
    for (int writer_idx = 0; writer_idx < 4; ++writer_idx) {
        writers.emplace_back([&, writer_idx] {
            TestServer::Connection connection(server.port());
            for (int write_idx = 0; write_idx < 50; ++write_idx) {
                const std::string source_id =
                    "durable-" + std::to_string(writer_idx) + "-" + std::to_string(write_idx);
                const json::object body{
                    {"firstName", "Durable"}, {"lastName", "Writer"}, {"sourceId", source_id}};
                HttpResult result = connection.Request("POST", "/api/v1/records/Person",
                                                       json::serialize(body), token);
                if (result.status == 201) {
                    std::lock_guard lock(acknowledged_mutex);
                    acknowledged.emplace_back(std::string(result.Json().at("id").as_string()),
                                              source_id);
                }
            }
        });
    }
    for (auto& writer : writers) {
        writer.join();
    }
    ASSERT_EQ(acknowledged.size(), 200U);
    server.Kill();

    server.Start();
    const std::string again = server.Login("admin");
    for (const auto& [id, source_id] : acknowledged) {
        HttpResult read = server.Request("GET", "/api/v1/records/Person/" + id, "", again);
        ASSERT_EQ(read.status, 200) << id;
        EXPECT_EQ(read.Json().at("sourceId").as_string(), source_id);
    }
}

TEST(DurabilityTest, TerminateLetsInFlightRequestsFinish) {
    TestServer server;
    server.Start();
    const std::string token = server.Login("admin");
    std::string ndjson;
    for (int line_idx = 0; line_idx < 20'000; ++line_idx) {
        ndjson += R"({"sourceId":"drain-)" + std::to_string(line_idx) +
                  R"(","firstName":"Drain","lastName":"Bulk"})" + "\n";
    }
    std::atomic<int> bulk_status = 0;
    std::atomic<bool> sent = false;
    std::thread bulk([&] {
        try {
            TestServer::Connection connection(server.port());
            // A first request makes sure the server has accepted this connection.
            if (connection.Request("GET", "/healthz").status != 200) {
                return;
            }
            // Writing a body this large completes only once the server is reading it.
            connection.Send("POST", "/api/v1/records/Person/bulk?externalId=sourceId", ndjson,
                            token);
            sent = true;
            bulk_status = connection.Receive().status;
        } catch (const std::exception&) {
            sent = true;
            bulk_status = -1;  // the server dropped the request: the assertion below says so
        }
    });
    while (!sent) {
        std::this_thread::yield();
    }
    const int exit_status = server.Terminate();
    bulk.join();
    EXPECT_EQ(exit_status, 0);
    // Either the bulk finished before the signal or it was drained; it is never cut off.
    EXPECT_EQ(bulk_status.load(), 200);
}

}  // namespace
}  // namespace p360::testing
