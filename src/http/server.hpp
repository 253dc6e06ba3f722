// HttpServer: HTTP/1.1 on Boost.Beast with C++20 coroutines.
//
// I/O threads only move bytes: each connection is a coroutine on its own strand that reads a
// request (bounded header and body, read timeout), routes it and writes the answer, keeping the
// connection alive while the client wants. Routes marked kBlocking run on worker pools (a
// small one for GET, a large one for requests that may write and wait for their commit), so
// database work never stalls the I/O threads. Every response carries X-Request-Id and
// produces one access-log line (method, route pattern, status, duration, request id — never
// the query string or body, which may hold PHI).
//
// Shutdown (SIGTERM/SIGINT or Stop()): stop accepting, let in-flight requests finish and be
// answered, close idle keep-alive connections, then return from Run().
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "http/router.hpp"

namespace p360::http {

struct ServerOptions {
    std::string bind_address = "127.0.0.1";
    std::uint16_t port = 8080;  // 0 = any free port
    int io_threads = 2;
    int worker_threads = 64;      // for requests that may write (they wait for group commit)
    int read_worker_threads = 2;  // for GET requests
    std::size_t max_header_bytes = 16 * 1024;
    std::chrono::seconds read_timeout{30};
    std::chrono::seconds idle_timeout{60};
    std::chrono::seconds shutdown_grace{30};
    bool access_log = true;
};

class HttpServer {
public:
    HttpServer(ServerOptions options, const Router& router);
    ~HttpServer();

    // Binds the listening socket; returns the port actually bound.
    Result<std::uint16_t> Listen();

    // Serves until a stop signal or Stop(), then drains. Call after Listen().
    void Run();

    // Begins a graceful stop; safe from any thread.
    void Stop();

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace p360::http
