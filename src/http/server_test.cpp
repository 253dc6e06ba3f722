// The server on loopback, in process: what it tells the rest of the process while it works.
#include "http/server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <string>
#include <thread>

#include "core/background_pacing.hpp"
#include "core/compression.hpp"

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
    ServerOptions options;
    options.port = 0;
    options.access_log = false;
    HttpServer server(options, router);
    auto port = server.Listen();
    ASSERT_TRUE(port.ok());
    std::thread serving([&server] { server.Run(); });
    const std::size_t idle = ForegroundActivity::InFlight();
    EXPECT_EQ(Get(*port, "/inline"), 200);
    EXPECT_EQ(Get(*port, "/pooled"), 200);
    server.Stop();
    serving.join();
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
    ServerOptions options;
    options.port = 0;
    options.access_log = false;
    HttpServer server(options, router);
    auto port = server.Listen();
    ASSERT_TRUE(port.ok());
    std::thread serving([&server] { server.Run(); });
    const auto coded = Fetch(*port, "/items", "gzip, deflate, br, zstd");
    const auto plain = Fetch(*port, "/items");
    server.Stop();
    serving.join();

    EXPECT_EQ(coded[beast::http::field::content_encoding], "zstd");
    EXPECT_EQ(coded[beast::http::field::vary], "Accept-Encoding");
    EXPECT_LT(coded.body().size(), json.size() / 4);
    auto decoded = Decompress(coded.body());
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, json);
    EXPECT_EQ(plain[beast::http::field::content_encoding], "");
    EXPECT_EQ(plain.body(), json);
}

}  // namespace
}  // namespace p360::http
