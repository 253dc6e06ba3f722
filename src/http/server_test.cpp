// The server on loopback, in process: what it tells the rest of the process while it works.
#include "http/server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "core/background_pacing.hpp"
#include "core/compression.hpp"
#include "core/ids.hpp"

namespace p360::http {
namespace {

namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;

beast::http::response<beast::http::string_body> Fetch(std::uint16_t port, const std::string& target,
                                                      const std::string& accept_encoding = "") {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    beast::http::request<beast::http::empty_body> request{beast::http::verb::get, target, 11};
    request.set(beast::http::field::host, "127.0.0.1");
    if (!accept_encoding.empty()) {
        request.set(beast::http::field::accept_encoding, accept_encoding);
    }
    beast::http::write(stream, request);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> response;
    beast::http::read(stream, buffer, response);
    return response;
}

int Get(std::uint16_t port, const std::string& target) {
    return static_cast<int>(Fetch(port, target).result_int());
}

// A server on a free loopback port, without an access log, serving until stopped.
class RunningServer {
public:
    explicit RunningServer(const Router& router) : server_(Options(), router) {
        auto port = server_.Listen();
        if (port.ok()) {
            port_ = *port;
            serving_ = std::thread([this] { server_.Run(); });
        }
    }
    ~RunningServer() { Stop(); }

    std::uint16_t port() const { return port_; }  // 0 when it could not listen
    void Stop() {
        if (serving_.joinable()) {
            server_.Stop();
            serving_.join();
        }
    }

private:
    static ServerOptions Options() {
        ServerOptions options;
        options.port = 0;
        options.access_log = false;
        return options;
    }

    HttpServer server_;
    std::uint16_t port_ = 0;
    std::thread serving_;
};

// Background loops pace themselves against the requests in flight: a request counts while its
// handler runs, on an I/O thread (inline routes) and on the read pool alike.
TEST(HttpServer, ARequestCountsAsInFlightWhileItsHandlerRuns) {
    std::atomic<std::size_t> seen_inline{0};
    std::atomic<std::size_t> seen_pooled{0};
    Router router;
    router.Add("GET", "/inline",
               [&](const HttpRequest&) {
                   seen_inline = ForegroundActivity::InFlight();
                   return HttpResponse{};
               },
               {Execution::kInline, 0});
    router.Add("GET", "/pooled", [&](const HttpRequest&) {
        seen_pooled = ForegroundActivity::InFlight();
        return HttpResponse{};
    });
    RunningServer server(router);
    ASSERT_NE(server.port(), 0);
    const std::size_t idle = ForegroundActivity::InFlight();
    EXPECT_EQ(Get(server.port(), "/inline"), 200);
    // The server gives the count back just after the answer is written, which the client may
    // see first: wait for it before the next request, so that one counts alone.
    for (int tries = 0; tries < 5000 && ForegroundActivity::InFlight() != 0; ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_EQ(Get(server.port(), "/pooled"), 200);
    server.Stop();
    EXPECT_EQ(idle, 0u);
    EXPECT_EQ(seen_inline.load(), 1u);
    EXPECT_EQ(seen_pooled.load(), 1u);
    EXPECT_EQ(ForegroundActivity::InFlight(), 0u);  // every request's count was given back
}

TEST(HttpServer, JsonAnswersTravelZstdCodedToClientsThatAskForIt) {
    std::string json = "[";
    for (int item = 0; item < 2000; ++item) {
        json += "{\"id\":" + std::to_string(item) + ",\"status\":\"active\"},";
    }
    json += "{}]";
    Router router;
    router.Add("GET", "/items", [&](const HttpRequest&) {
        return HttpResponse{200, "application/json", json, {}};
    });
    RunningServer server(router);
    ASSERT_NE(server.port(), 0);
    const auto coded = Fetch(server.port(), "/items", "gzip, deflate, br, zstd");
    const auto plain = Fetch(server.port(), "/items");

    EXPECT_EQ(coded[beast::http::field::content_encoding], "zstd");
    EXPECT_EQ(coded[beast::http::field::vary], "Accept-Encoding");
    EXPECT_LT(coded.body().size(), json.size() / 4);
    auto decoded = Decompress(coded.body());
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, json);
    EXPECT_EQ(plain[beast::http::field::content_encoding], "");
    EXPECT_EQ(plain.body(), json);
}

TEST(HttpServer, AFileAnswerIsStreamedWholeAndAMissingOneIsAProblem) {
    const std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("p360_stream_" + NewId("tst", 0) + ".ndjson");
    std::string content;
    for (int line = 0; line < 60'000; ++line) {
        content +=
            "{\"resourceType\":\"Patient\",\"id\":\"" + std::to_string(line * 7919) + "\"}\n";
    }
    std::ofstream(path, std::ios::binary) << content;
    Router router;
    router.Add("GET", "/file", [&](const HttpRequest&) {
        HttpResponse response{200, "application/fhir+ndjson", "", {}};
        response.file_path = path.string();
        return response;
    });
    router.Add("GET", "/gone", [&](const HttpRequest&) {
        HttpResponse response{200, "application/fhir+ndjson", "", {}};
        response.file_path = (path.parent_path() / "p360_no_such_file.ndjson").string();
        return response;
    });
    RunningServer server(router);
    ASSERT_NE(server.port(), 0);
    const auto file = Fetch(server.port(), "/file", "zstd");
    const auto gone = Fetch(server.port(), "/gone");
    server.Stop();
    std::filesystem::remove(path);

    ASSERT_GT(content.size(), 3u * 256 * 1024) << "more than a few chunks";
    EXPECT_EQ(file.result_int(), 200u);
    EXPECT_EQ(file[beast::http::field::content_length], std::to_string(content.size()));
    EXPECT_EQ(file[beast::http::field::content_encoding], "") << "files go out as they are";
    EXPECT_EQ(file.body(), content);
    EXPECT_EQ(gone.result_int(), 404u);
    EXPECT_EQ(gone[beast::http::field::content_type], "application/problem+json");
}

}  // namespace
}  // namespace p360::http
