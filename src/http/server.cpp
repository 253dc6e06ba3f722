#include "http/server.hpp"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "core/background_pacing.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "http/content_coding.hpp"
#include "http/problem.hpp"

namespace p360::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// Files are sent in chunks of this size.
constexpr std::size_t kFileChunkBytes = 256 * 1024;

std::string NewRequestId() {
    return NewId("req", std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
}

// A client's X-Request-Id is kept when it is short and plain; otherwise we make one.
std::string RequestIdFor(std::string_view incoming) {
    if (incoming.empty() || incoming.size() > 64) {
        return NewRequestId();
    }
    for (char c : incoming) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!plain) {
            return NewRequestId();
        }
    }
    return std::string(incoming);
}

// Fills path and query from the request target; false for a target that is not origin-form.
bool ParseTarget(std::string_view target, HttpRequest& request) {
    auto url = boost::urls::parse_origin_form(target);
    if (!url) {
        return false;
    }
    request.path = url->path();
    for (const auto& param : url->params()) {
        request.query.emplace_back(param.key, param.value);
    }
    return true;
}

// The peer's IP address as text, empty when it is gone. IPv4 clients of a dual-stack socket
// appear as plain IPv4, so one client has one address whatever the bind address.
std::string RemoteAddress(const tcp::socket& socket) {
    boost::system::error_code error;
    const tcp::endpoint peer = socket.remote_endpoint(error);
    if (error) {
        return {};
    }
    const asio::ip::address address = peer.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
    }
    return address.to_string();
}

HttpResponse NotFoundOrMethod(const RouteMatch& match, const std::string& request_id) {
    if (match.allowed_methods.empty()) {
        return ProblemResponse(Error::NotFound("No such endpoint."), request_id);
    }
    HttpResponse response = ProblemResponse(
        Error{ErrorCode::kInvalidArgument, "The method is not allowed here.", {}, {}, {}},
        request_id, 405);
    std::string allow;
    for (const std::string& method : match.allowed_methods) {
        allow.append(allow.empty() ? "" : ", ").append(method);
    }
    response.headers.emplace_back("Allow", allow);
    return response;
}

HttpResponse RunHandler(const Route& route, const HttpRequest& request) {
    try {
        return route.handler(request);
    } catch (const std::exception& exception) {
        log::Error("http.handler_exception", {{"route", route.pattern},
                                              {"request_id", request.request_id},
                                              {"what", exception.what()}});
        return ProblemResponse(Error::Internal("handler exception"), request.request_id);
    }
}

}  // namespace

class HttpServer::Impl {
public:
    Impl(ServerOptions options, const Router& router)
        : options_(std::move(options)),
          router_(router),
          io_(options_.io_threads),
          workers_(static_cast<std::size_t>(options_.worker_threads)),
          readers_(static_cast<std::size_t>(options_.read_worker_threads)),
          acceptor_(io_),
          signals_(io_, SIGTERM, SIGINT) {}

    Result<std::uint16_t> Listen() {
        boost::system::error_code error;
        const auto address = asio::ip::make_address(options_.bind_address, error);
        if (error) {
            return Error::InvalidArgument("Not an IP address: " + options_.bind_address, "bind");
        }
        const tcp::endpoint endpoint(address, options_.port);
        acceptor_.open(endpoint.protocol(), error);
        if (!error) {
            acceptor_.set_option(asio::socket_base::reuse_address(true), error);
        }
        if (!error) {
            acceptor_.bind(endpoint, error);
        }
        if (!error) {
            acceptor_.listen(asio::socket_base::max_listen_connections, error);
        }
        if (error) {
            return Error::Unavailable("Cannot listen on " + options_.bind_address + ":" +
                                          std::to_string(options_.port) + ": " + error.message(),
                                      error.message());
        }
        return acceptor_.local_endpoint().port();
    }

    void Run() {
        signals_.async_wait([this](boost::system::error_code error, int) {
            if (!error) {
                BeginStop();
            }
        });
        asio::co_spawn(io_, Accept(), asio::detached);
        std::vector<std::thread> threads;
        for (int thread_idx = 1; thread_idx < options_.io_threads; ++thread_idx) {
            threads.emplace_back([this] { io_.run(); });
        }
        io_.run();
        for (auto& thread : threads) {
            thread.join();
        }
        workers_.join();
        readers_.join();
        log::Info("http.stopped");
    }

    void Stop() {
        asio::post(io_, [this] { BeginStop(); });
    }

private:
    // What shutdown needs to reach a connection: its stream, and whether it waits idle.
    struct Connection {
        explicit Connection(tcp::socket socket)
            : remote_address(RemoteAddress(socket)), stream(std::move(socket)) {}
        // The peer's address, asked of the socket once rather than once per request.
        const std::string remote_address;
        beast::tcp_stream stream;
        beast::flat_buffer buffer;  // bytes read but not yet parsed; touched on the strand only
        std::atomic<bool> idle{true};
    };

    void BeginStop() {
        if (stopping_.exchange(true)) {
            return;
        }
        log::Info("http.stopping");
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        signals_.cancel(ignored);
        // Requests that outlive the grace period are cut off.
        auto deadline = std::make_shared<asio::steady_timer>(io_, options_.shutdown_grace);
        deadline->async_wait([this, deadline](boost::system::error_code error) {
            if (!error) {
                log::Warn("http.shutdown_grace_expired");
                io_.stop();
            }
        });
        {
            std::lock_guard lock(connections_mutex_);
            grace_timer_ = deadline;
            for (const auto& connection : connections_) {
                if (connection->idle) {
                    // Close a keep-alive connection only if no request has started to arrive:
                    // bytes in the socket or already read are a request the client believes
                    // sent. (A read that completed but is not processed yet is not cancelled.)
                    asio::post(connection->stream.get_executor(), [connection] {
                        boost::system::error_code error;
                        if (connection->buffer.size() == 0 &&
                            connection->stream.socket().available(error) == 0) {
                            connection->stream.socket().cancel(error);
                        }
                    });
                }
            }
        }
        MaybeFinish();
    }

    void MaybeFinish() {
        std::lock_guard lock(connections_mutex_);
        if (stopping_ && live_connections_ == 0 && grace_timer_) {
            grace_timer_->cancel();
        }
    }

    asio::awaitable<void> Accept() {
        while (!stopping_) {
            auto [error, socket] =
                co_await acceptor_.async_accept(asio::make_strand(io_), kNoThrow);
            if (error) {
                if (stopping_ || error == asio::error::operation_aborted) {
                    co_return;
                }
                continue;  // e.g. too many open files: keep serving the others
            }
            socket.set_option(tcp::no_delay(true), error);
            auto connection = std::make_shared<Connection>(std::move(socket));
            {
                std::lock_guard lock(connections_mutex_);
                connections_.insert(connection);
                ++live_connections_;
            }
            asio::co_spawn(connection->stream.get_executor(), Serve(connection),
                           [this, connection](std::exception_ptr) {
                               {
                                   std::lock_guard lock(connections_mutex_);
                                   connections_.erase(connection);
                                   --live_connections_;
                               }
                               asio::post(io_, [this] { MaybeFinish(); });
                           });
        }
    }

    asio::awaitable<void> Serve(std::shared_ptr<Connection> connection) {
        beast::tcp_stream& stream = connection->stream;
        beast::flat_buffer& buffer = connection->buffer;
        while (!stopping_) {
            bhttp::request_parser<bhttp::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
            // The body limit depends on the route, known only once the header is in.
            parser.body_limit(boost::none);
            connection->idle = true;
            if (stopping_) {
                break;  // a stop that began just now may not have seen this connection idle
            }
            stream.expires_after(buffer.size() > 0 ? options_.read_timeout : options_.idle_timeout);
            auto [header_error, header_bytes] =
                co_await bhttp::async_read_header(stream, buffer, parser, kNoThrow);
            connection->idle = false;
            if (header_error) {
                if (header_error == bhttp::error::header_limit) {
                    co_await WriteProblem(stream, 431,
                                          Error::TooLarge("The headers are too large."));
                } else if (header_error != bhttp::error::end_of_stream &&
                           header_error != asio::error::operation_aborted &&
                           header_error != beast::error::timeout &&
                           header_error != asio::error::eof &&
                           header_error != asio::error::connection_reset) {
                    co_await WriteProblem(stream, 400,
                                          Error::InvalidArgument("Malformed HTTP request."));
                }
                break;
            }
            const bool keep_going =
                co_await HandleOne(stream, buffer, parser, connection->remote_address);
            if (!keep_going) {
                break;
            }
        }
        co_await LingeringClose(stream);
    }

    // Closing with unread input makes the kernel send RST, which can destroy the answer we just
    // wrote (a 413, say) before the client reads it. So: stop sending, then read and discard
    // what the client still sends, for a bounded amount and time, before closing.
    asio::awaitable<void> LingeringClose(beast::tcp_stream& stream) {
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        std::array<char, 16 * 1024> sink{};
        std::size_t discarded = 0;
        stream.expires_after(std::chrono::seconds(2));
        while (discarded < (64u << 20)) {
            auto [error, bytes] = co_await stream.async_read_some(asio::buffer(sink), kNoThrow);
            if (error) {
                break;
            }
            discarded += bytes;
        }
        stream.socket().close(ignored);
    }

    // Reads the body, runs the route and writes the response. False: close the connection.
    asio::awaitable<bool> HandleOne(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                    bhttp::request_parser<bhttp::string_body>& parser,
                                    const std::string& remote_address) {
        const auto started = std::chrono::steady_clock::now();
        const ForegroundActivity::Scope in_flight;  // background loops give way meanwhile
        auto& header = parser.get();
        HttpRequest request;
        request.method = std::string(header.method_string());
        request.request_id = RequestIdFor(header["x-request-id"]);
        request.remote_address = remote_address;
        if (!ParseTarget(header.target(), request)) {
            co_await WriteResponse(
                stream,
                ProblemResponse(Error::InvalidArgument("Malformed request target."),
                                request.request_id),
                false, request, "-", started);
            co_return false;
        }
        const RouteMatch match = router_.Match(request.method, request.path);
        const std::size_t body_limit =
            match.route != nullptr ? match.route->options.max_body_bytes : (1 << 20);
        // Beast checks a declared Content-Length against the limit while parsing the header,
        // before the route was known, so check it here; chunked bodies are checked as they come.
        parser.body_limit(body_limit);
        const bool declared_too_large = parser.content_length().value_or(0) > body_limit;
        boost::system::error_code body_error;
        if (!declared_too_large) {
            if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
                // The client waits for this before sending a large body (curl does, for a
                // second, when nobody answers).
                bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, 11};
                co_await bhttp::async_write(stream, go_on, kNoThrow);
            }
            stream.expires_after(options_.read_timeout);
            auto [read_error, body_bytes] =
                co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
            body_error = read_error;
        }
        if (declared_too_large || body_error) {
            if (declared_too_large || body_error == bhttp::error::body_limit) {
                co_await WriteResponse(
                    stream,
                    ProblemResponse(Error::TooLarge("The body exceeds " +
                                                    std::to_string(body_limit) + " bytes."),
                                    request.request_id),
                    false, request, "-", started);
            }
            co_return false;
        }
        const bool keep_alive = parser.keep_alive();
        auto message = parser.release();
        for (const auto& field : message) {
            std::string name(field.name_string());
            for (char& c : name) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            request.headers.emplace_back(std::move(name), std::string(field.value()));
        }
        request.body = std::move(message.body());

        if (match.route == nullptr) {
            co_await WriteResponse(stream, NotFoundOrMethod(match, request.request_id), keep_alive,
                                   request, "-", started);
            co_return keep_alive;
        }
        request.path_params = match.path_params;
        const Route& route = *match.route;
        HttpResponse response;
        if (route.options.execution == Execution::kInline) {
            response = RunHandler(route, request);
        } else {
            // Reads never wait for a commit, so a small pool serves them with fewer thread
            // switches; anything that may write waits for its group commit on a big pool.
            auto& pool = request.method == "GET" ? readers_ : workers_;
            response = co_await asio::co_spawn(
                pool.get_executor(),
                [&route, &request]() -> asio::awaitable<HttpResponse> {
                    co_return RunHandler(route, request);
                },
                asio::use_awaitable);
        }
        co_await WriteResponse(stream, std::move(response), keep_alive, request, route.pattern,
                               started);
        co_return keep_alive;
    }

    asio::awaitable<void> WriteProblem(beast::tcp_stream& stream, int status, const Error& error) {
        HttpRequest request;
        request.request_id = NewRequestId();
        HttpResponse response = ProblemResponse(error, request.request_id, status);
        co_await WriteResponse(stream, std::move(response), false, request, "-",
                               std::chrono::steady_clock::now());
    }

    template <class Body>
    void SetHeaders(bhttp::response<Body>& message, const HttpResponse& response,
                    const HttpRequest& request, bool keep_alive) const {
        message.set(bhttp::field::server, "payer360");
        message.set(bhttp::field::content_type, response.content_type);
        message.set("X-Request-Id", request.request_id);
        message.set("X-Content-Type-Options", "nosniff");
        message.set(bhttp::field::cache_control, "no-store");
        for (const auto& [name, value] : response.headers) {
            message.set(name, value);
        }
        message.keep_alive(keep_alive && !stopping_);
    }

    // A file answer, read and sent a chunk at a time, each chunk with its own timeout: a
    // download of gigabytes neither sits in memory nor has to finish within one timeout. False
    // when the file cannot be opened (nothing is written then).
    asio::awaitable<bool> WriteFile(beast::tcp_stream& stream, const HttpResponse& response,
                                    const HttpRequest& request, bool keep_alive) {
        std::ifstream file(response.file_path, std::ios::binary);
        std::error_code size_error;
        const std::uint64_t size = std::filesystem::file_size(response.file_path, size_error);
        if (!file || size_error) {
            co_return false;
        }
        bhttp::response<bhttp::empty_body> message{static_cast<bhttp::status>(response.status), 11};
        SetHeaders(message, response, request, keep_alive);
        message.content_length(size);
        bhttp::response_serializer<bhttp::empty_body> serializer{message};
        stream.expires_after(options_.read_timeout);
        auto [header_error, header_bytes] =
            co_await bhttp::async_write_header(stream, serializer, kNoThrow);
        std::vector<char> chunk(kFileChunkBytes);
        std::uint64_t left = header_error ? 0 : size;
        while (left > 0) {
            file.read(chunk.data(),
                      static_cast<std::streamsize>(std::min<std::uint64_t>(chunk.size(), left)));
            const auto got = static_cast<std::size_t>(file.gcount());
            if (got == 0) {
                break;
            }
            stream.expires_after(options_.read_timeout);
            auto [error, written] =
                co_await asio::async_write(stream, asio::buffer(chunk.data(), got), kNoThrow);
            if (error) {
                break;
            }
            left -= got;
        }
        if (left > 0) {
            // Shorter than its Content-Length: closing tells the client it is not whole.
            beast::error_code ignored;
            stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        }
        co_return true;
    }

    asio::awaitable<void> WriteResponse(beast::tcp_stream& stream, HttpResponse response,
                                        bool keep_alive, const HttpRequest& request,
                                        std::string_view route_pattern,
                                        std::chrono::steady_clock::time_point started) {
        if (!response.file_path.empty() &&
            !co_await WriteFile(stream, response, request, keep_alive)) {
            // Gone since the handler looked (a bulk request's files expire).
            response = ProblemResponse(Error::NotFound("No such file."), request.request_id);
        }
        if (response.file_path.empty()) {
            EncodeForClient(response, AcceptsZstd(request.Header("accept-encoding")));
            bhttp::response<bhttp::string_body> message{static_cast<bhttp::status>(response.status),
                                                        11};
            SetHeaders(message, response, request, keep_alive);
            message.body() = std::move(response.body);
            message.prepare_payload();
            stream.expires_after(options_.read_timeout);
            co_await bhttp::async_write(stream, message, kNoThrow);
        }
        if (options_.access_log) {
            const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now() - started)
                                    .count();
            log::Info("http.request", {{"method", request.method},
                                       {"route", route_pattern},
                                       {"status", std::to_string(response.status)},
                                       {"us", std::to_string(micros)},
                                       {"request_id", request.request_id}});
        }
    }

    const ServerOptions options_;
    const Router& router_;
    asio::io_context io_;
    asio::thread_pool workers_;  // requests that may write: many threads, so writes group
    asio::thread_pool readers_;  // GET requests: few threads, which stay busy under load
    tcp::acceptor acceptor_;
    asio::signal_set signals_;
    std::atomic<bool> stopping_{false};

    std::mutex connections_mutex_;
    std::set<std::shared_ptr<Connection>> connections_;  // guarded by connections_mutex_
    int live_connections_ = 0;                           // guarded by connections_mutex_
    std::shared_ptr<asio::steady_timer> grace_timer_;    // guarded by connections_mutex_
};

HttpServer::HttpServer(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

HttpServer::~HttpServer() = default;

Result<std::uint16_t> HttpServer::Listen() { return impl_->Listen(); }

void HttpServer::Run() { impl_->Run(); }

void HttpServer::Stop() { impl_->Stop(); }

}  // namespace p360::http
