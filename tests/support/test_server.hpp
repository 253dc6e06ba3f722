// TestServer: a real payer360 process on loopback, on its own data directory, for integration
// tests. It creates users through the CLI, starts `payer360 serve --port 0`, learns the port
// from --port-file, and talks HTTP/1.1 to it over a keep-alive connection.
#pragma once

#include <sys/types.h>

#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace p360::testing {

namespace json = boost::json;

struct HttpResult {
    int status = 0;
    std::map<std::string, std::string> headers;  // lowercase names
    std::string body;

    // The body parsed as JSON (null when it is not JSON). Parsed once and kept, so references
    // into it live as long as this result.
    const json::value& Json() const;
    std::string Header(const std::string& lowercase_name) const;

private:
    mutable std::optional<json::value> parsed_;
};

// One keep-alive HTTP/1.1 connection to a server; one thread at a time.
class HttpConnection {
public:
    explicit HttpConnection(std::uint16_t port);
    ~HttpConnection();

    HttpResult Request(const std::string& method, const std::string& target,
                       const std::string& body = "", const std::string& token = "",
                       const std::map<std::string, std::string>& headers = {});

    // The two halves of Request, for tests that act between sending and receiving.
    void Send(const std::string& method, const std::string& target, const std::string& body = "",
              const std::string& token = "",
              const std::map<std::string, std::string>& headers = {});
    HttpResult Receive();

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

class TestServer {
public:
    using Connection = HttpConnection;

    // A fresh data directory with users admin/agent (password kPassword). With
    // P360_TEST_POSTGRES set, also a fresh database in that PostgreSQL cluster.
    TestServer();
    // Another node of `first`'s deployment: a data directory of its own on the same
    // PostgreSQL database (users and records are shared).
    static std::unique_ptr<TestServer> SecondNode(const TestServer& first);
    // A server on SQLite files whatever P360_TEST_POSTGRES says (moving between engines), with
    // users admin/agent.
    static std::unique_ptr<TestServer> OnSqlite();
    // A deployment with nothing in it, not even users (the target of an import).
    static std::unique_ptr<TestServer> Empty();
    ~TestServer();

    static constexpr const char* kPassword = "integration-test-password";

    // Starts `payer360 serve`; `extra_args` (e.g. {"--login-burst", "3"}) join its options.
    void Start(const std::vector<std::string>& extra_args = {});
    void Kill();      // SIGKILL, no goodbye
    int Terminate();  // SIGTERM, returns the exit status
    bool running() const { return pid_ > 0; }

    // Runs `payer360 <args> --data <dir> [--db <url>]` to completion; returns the exit status.
    int RunCommand(const std::vector<std::string>& args, const std::string& stdin_text = "");

    // Adds a user with the test password.
    void CreateUser(const std::string& username, const std::string& role);

    // Logs in and returns a bearer token.
    std::string Login(const std::string& username);

    HttpResult Request(const std::string& method, const std::string& target,
                       const std::string& body = "", const std::string& token = "",
                       const std::map<std::string, std::string>& headers = {});

    const std::filesystem::path& data_directory() const { return directory_; }
    // The PostgreSQL database this server runs on; empty when it runs on SQLite.
    const std::string& database_url() const { return database_url_; }
    // "--data DIR", and "--db URL" on PostgreSQL: what every command of this server is given.
    std::vector<std::string> DatabaseArgs() const;
    std::string ServerLog() const;  // everything the server wrote to stderr
    std::uint16_t port() const { return port_; }

private:
    struct SharedDatabase {
        std::string url;
        bool owned = false;  // dropped with this server
    };
    explicit TestServer(SharedDatabase shared);

    std::filesystem::path directory_;
    std::string database_url_;
    bool owns_database_ = true;
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
    std::unique_ptr<HttpConnection> client_;
};

// Percent-encodes a query parameter value.
std::string UrlEncode(const std::string& text);

}  // namespace p360::testing
