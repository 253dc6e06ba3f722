#include "test_server.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace p360::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

std::filesystem::path NewDirectory() {
    static int counter = 0;
    auto directory = std::filesystem::temp_directory_path() /
                     ("p360_it_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(directory);
    std::filesystem::create_directories(directory);
    return directory;
}

// Forks and execs payer360 with `args`; stdin from `stdin_text`, stderr appended to `log`.
pid_t Spawn(const std::vector<std::string>& args, const std::string& stdin_text,
            const std::filesystem::path& log) {
    int input[2];
    if (pipe(input) != 0) {
        throw std::runtime_error("pipe failed");
    }
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(input[0], STDIN_FILENO);
        close(input[0]);
        close(input[1]);
        const int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        dup2(log_fd, STDERR_FILENO);
        dup2(log_fd, STDOUT_FILENO);
        std::vector<char*> argv;
        std::string binary = P360_BINARY;
        argv.push_back(binary.data());
        for (const std::string& arg : args) {
            argv.push_back(const_cast<char*>(arg.c_str()));
        }
        argv.push_back(nullptr);
        execv(binary.c_str(), argv.data());
        _exit(127);
    }
    close(input[0]);
    if (!stdin_text.empty()) {
        (void)!write(input[1], stdin_text.data(), stdin_text.size());
    }
    close(input[1]);
    return pid;
}

int WaitExit(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Runs one statement on the PostgreSQL cluster the suite was given; throws on failure.
void RunOnCluster(const std::string& base_url, const std::string& sql) {
    PGconn* conn = PQconnectdb(base_url.c_str());
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);  // "does not exist, skipping"
    PGresult* result = PQstatus(conn) == CONNECTION_OK ? PQexec(conn, sql.c_str()) : nullptr;
    const bool ok = result != nullptr && PQresultStatus(result) == PGRES_COMMAND_OK;
    const std::string message = PQerrorMessage(conn);
    PQclear(result);
    PQfinish(conn);
    if (!ok) {
        throw std::runtime_error("PostgreSQL: " + message);
    }
}

// With P360_TEST_POSTGRES set (scripts/with-postgres.sh sets it), each server gets a database
// of its own in that cluster instead of SQLite files.
std::string NewPostgresDatabase() {
    const char* base = std::getenv("P360_TEST_POSTGRES");
    if (base == nullptr || *base == 0) {
        return {};
    }
    static int counter = 0;
    const std::string name =
        "p360_it_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    RunOnCluster(base, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    RunOnCluster(base, "CREATE DATABASE " + name);
    const std::string url(base);
    return url.substr(0, url.rfind('/') + 1) + name;
}

}  // namespace

const json::value& HttpResult::Json() const {
    if (!parsed_) {
        boost::system::error_code error;
        json::value value = json::parse(body, error);
        parsed_ = error ? json::value(nullptr) : std::move(value);
    }
    return *parsed_;
}

std::string HttpResult::Header(const std::string& lowercase_name) const {
    auto found = headers.find(lowercase_name);
    return found == headers.end() ? "" : found->second;
}

namespace {

bhttp::request<bhttp::string_body> BuildRequest(const std::string& method,
                                                const std::string& target, const std::string& body,
                                                const std::string& token,
                                                const std::map<std::string, std::string>& headers) {
    bhttp::request<bhttp::string_body> request{bhttp::string_to_verb(method), target, 11};
    request.set(bhttp::field::host, "127.0.0.1");
    request.keep_alive(true);
    if (!token.empty()) {
        request.set(bhttp::field::authorization, "Bearer " + token);
    }
    if (!body.empty()) {
        request.set(bhttp::field::content_type, "application/json");
    }
    for (const auto& [name, value] : headers) {
        request.set(name, value);
    }
    request.body() = body;
    request.prepare_payload();
    return request;
}

}  // namespace

class HttpConnection::Impl {
public:
    explicit Impl(std::uint16_t port) : port_(port) {}

    void Connect() {
        if (stream_) {
            return;
        }
        stream_ = std::make_unique<beast::tcp_stream>(io_);
        stream_->connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    }

    void Write(bhttp::request<bhttp::string_body>& request) {
        Connect();
        bhttp::write(*stream_, request);
    }

    HttpResult Read() {
        beast::flat_buffer buffer;
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(1u << 30);
        bhttp::read(*stream_, buffer, parser);
        auto response = parser.release();
        HttpResult result;
        result.status = static_cast<int>(response.result_int());
        for (const auto& field : response) {
            std::string name(field.name_string());
            for (char& c : name) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            result.headers[name] = std::string(field.value());
        }
        result.body = response.body();
        if (!response.keep_alive()) {
            stream_.reset();
        }
        return result;
    }

    void Reset() { stream_.reset(); }

private:
    std::uint16_t port_;
    asio::io_context io_;
    std::unique_ptr<beast::tcp_stream> stream_;
};

HttpConnection::HttpConnection(std::uint16_t port) : impl_(std::make_unique<Impl>(port)) {}

HttpConnection::~HttpConnection() = default;

HttpResult HttpConnection::Request(const std::string& method, const std::string& target,
                                   const std::string& body, const std::string& token,
                                   const std::map<std::string, std::string>& headers) {
    auto request = BuildRequest(method, target, body, token, headers);
    for (int attempt = 0;; ++attempt) {
        try {
            try {
                impl_->Write(request);
            } catch (const std::exception&) {
                // The server may answer (413, 431) and close before reading everything we
                // send; its answer is still waiting to be read.
                return impl_->Read();
            }
            return impl_->Read();
        } catch (const std::exception&) {
            impl_->Reset();  // the server closed the connection (idle, or after an error)
            if (attempt == 1) {
                throw;
            }
        }
    }
}

void HttpConnection::Send(const std::string& method, const std::string& target,
                          const std::string& body, const std::string& token,
                          const std::map<std::string, std::string>& headers) {
    auto request = BuildRequest(method, target, body, token, headers);
    impl_->Write(request);
}

HttpResult HttpConnection::Receive() { return impl_->Read(); }

TestServer::TestServer() : directory_(NewDirectory()), database_url_(NewPostgresDatabase()) {
    CreateUser("admin", "admin");
    CreateUser("agent", "agent");
}

TestServer::TestServer(SharedDatabase shared)
    : directory_(NewDirectory()),
      database_url_(std::move(shared.url)),
      owns_database_(shared.owned) {}

std::unique_ptr<TestServer> TestServer::Empty() {
    return std::unique_ptr<TestServer>(new TestServer(SharedDatabase{NewPostgresDatabase(), true}));
}

std::unique_ptr<TestServer> TestServer::SecondNode(const TestServer& first) {
    if (first.database_url_.empty()) {
        throw std::logic_error("a second node needs PostgreSQL (P360_TEST_POSTGRES)");
    }
    return std::unique_ptr<TestServer>(new TestServer(SharedDatabase{first.database_url_}));
}

std::unique_ptr<TestServer> TestServer::OnSqlite() {
    std::unique_ptr<TestServer> server(new TestServer(SharedDatabase{}));
    server->CreateUser("admin", "admin");
    server->CreateUser("agent", "agent");
    return server;
}

void TestServer::CreateUser(const std::string& username, const std::string& role) {
    const int status =
        RunCommand({"user", "create", "--username", username, "--role", role, "--password-stdin"},
                   std::string(kPassword) + "\n");
    if (status != 0) {
        throw std::runtime_error("user create failed: " + ServerLog());
    }
}

TestServer::~TestServer() {
    if (running()) {
        Kill();
    }
    std::filesystem::remove_all(directory_);
    if (!database_url_.empty() && owns_database_) {
        try {
            const std::string name = database_url_.substr(database_url_.rfind('/') + 1);
            RunOnCluster(std::getenv("P360_TEST_POSTGRES"),
                         "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (const std::exception&) {
            // A database left behind goes with the throwaway cluster.
        }
    }
}

std::vector<std::string> TestServer::DatabaseArgs() const {
    std::vector<std::string> args = {"--data", directory_.string()};
    if (!database_url_.empty()) {
        args.insert(args.end(), {"--db", database_url_});
    }
    return args;
}

int TestServer::RunCommand(const std::vector<std::string>& args, const std::string& stdin_text) {
    std::vector<std::string> full = args;
    const auto database_args = DatabaseArgs();
    full.insert(full.end(), database_args.begin(), database_args.end());
    return WaitExit(Spawn(full, stdin_text, directory_ / "server.log"));
}

void TestServer::Start(const std::vector<std::string>& extra_args) {
    const auto port_file = directory_ / "port";
    std::filesystem::remove(port_file);
    std::vector<std::string> args = {"serve",     "--port", "0", "--port-file", port_file.string(),
                                     "--workers", "8"};
    const auto database_args = DatabaseArgs();
    args.insert(args.end(), database_args.begin(), database_args.end());
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    pid_ = Spawn(args, "", directory_ / "server.log");
    // Readiness: the server writes the port file once it listens.
    for (int attempt = 0; attempt < 3000; ++attempt) {
        std::ifstream in(port_file);
        int port = 0;
        if (in >> port && port > 0) {
            port_ = static_cast<std::uint16_t>(port);
            client_ = std::make_unique<HttpConnection>(port_);
            return;
        }
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("server exited at start: " + ServerLog());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("server did not start: " + ServerLog());
}

void TestServer::Kill() {
    client_.reset();
    kill(pid_, SIGKILL);
    WaitExit(pid_);
    pid_ = -1;
}

int TestServer::Terminate() {
    kill(pid_, SIGTERM);
    const int status = WaitExit(pid_);
    client_.reset();
    pid_ = -1;
    return status;
}

std::string TestServer::Login(const std::string& username) {
    const json::object body{{"username", username}, {"password", kPassword}};
    HttpResult result = Request("POST", "/api/v1/auth/login", json::serialize(body));
    if (result.status != 200) {
        throw std::runtime_error("login failed: " + result.body);
    }
    return std::string(result.Json().at("token").as_string());
}

HttpResult TestServer::Request(const std::string& method, const std::string& target,
                               const std::string& body, const std::string& token,
                               const std::map<std::string, std::string>& headers) {
    return client_->Request(method, target, body, token, headers);
}

std::string TestServer::ServerLog() const {
    std::ifstream in(directory_ / "server.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string UrlEncode(const std::string& text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15U]);
        }
    }
    return out;
}

}  // namespace p360::testing
