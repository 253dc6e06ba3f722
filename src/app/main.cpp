// payer360: one binary, subcommands for serving, migrating, demo data and users.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <string>

#include "api/csv_routes.hpp"
#include "api/fhir_bulk_routes.hpp"
#include "api/fhir_routes.hpp"
#include "api/job_routes.hpp"
#include "api/platform_routes.hpp"
#include "api/search_routes.hpp"
#include "api/team_routes.hpp"
#include "app/deployment.hpp"
#include "app/deployment_transfer.hpp"
#include "automation/diagnostic_jobs.hpp"
#include "catalog_files.hpp"
#include "core/log.hpp"
#include "demo/demo_generator.hpp"
#include "demo/demo_staff.hpp"
#include "domain/identity/identity_routes.hpp"
#include "domain/member/member_routes.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"

namespace p360::app {
namespace {

namespace po = boost::program_options;

constexpr const char* kUsage = R"(payer360 — a CRM for health insurance payers

Usage: payer360 <command> [options]

Commands:
  serve          run the HTTP server
  migrate        create or update the database schema, then exit
  demo           add a synthetic payer (plans, providers, members, claims, cases)
  user create    add a user
  import x12     read an X12 834 enrollment file into members and coverage
  export         write the whole deployment to a dump directory (any engine)
  import         load a dump into a new deployment (e.g. SQLite → PostgreSQL)
  identity dedupe  resolve every Person into golden members in one batch, with a CSV report

Every command takes --data DIR (default ./data), the deployment's data directory, and
--db URL to keep the records in PostgreSQL instead (postgresql://user@host:port/database).
Run `payer360 <command> --help` for a command's options.
)";

struct Command {
    po::options_description options;
    po::variables_map values;
    po::positional_options_description positional;  // arguments without an option name
};

po::options_description CommonOptions(const std::string& title) {
    po::options_description options(title);
    options.add_options()("help,h", "show this help")(
        "data", po::value<std::string>()->default_value("data"), "data directory")(
        "db", po::value<std::string>(),
        "database URL: postgresql://… (default: SQLite files in the data directory)")(
        "catalog", po::value<std::string>(),
        "load the standard catalog from this directory instead of the built-in one");
    return options;
}

// Parses args; returns false (after printing) when the caller should exit.
bool Parse(int argc, char** argv, int first_arg, Command& command, int& exit_code) {
    try {
        // The parser skips its argv[0]; hand it the subcommand word in that place.
        po::store(po::command_line_parser(argc - first_arg + 1, argv + first_arg - 1)
                      .options(command.options)
                      .positional(command.positional)
                      .run(),
                  command.values);
        // Help first: asking how to use a command must not fail on the options it requires.
        if (command.values.count("help") != 0) {
            std::cout << command.options;
            exit_code = 0;
            return false;
        }
        po::notify(command.values);
    } catch (const po::error& error) {
        std::cerr << "payer360: " << error.what() << "\n\n" << command.options;
        exit_code = 2;
        return false;
    }
    return true;
}

// Where the deployment lives: the options every command takes.
DeploymentOptions StoreOptions(const po::variables_map& values) {
    DeploymentOptions options;
    options.data_directory = values["data"].as<std::string>();
    if (values.count("db") != 0) {
        options.database_url = values["db"].as<std::string>();
    }
    if (values.count("catalog") != 0) {
        options.catalog_directory = values["catalog"].as<std::string>();
    }
    return options;
}

// `options` carries what only some commands set (sessions, audit, jobs); the rest comes from
// the options every command takes.
Result<std::unique_ptr<Deployment>> OpenDeployment(const po::variables_map& values,
                                                   DeploymentOptions options = {}) {
    const DeploymentOptions stores = StoreOptions(values);
    options.data_directory = stores.data_directory;
    options.database_url = stores.database_url;
    options.catalog_directory = stores.catalog_directory;
    return Deployment::Open(options);
}

// host:pid — unique among the nodes of one deployment at any moment.
std::string DefaultNodeName() {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) {
        std::strcpy(host, "node");
    }
    return std::string(host) + ":" + std::to_string(getpid());
}

int Fail(const Error& error);

// The identity service of a deployment, with the shipped survivorship rules.
Result<std::unique_ptr<identity::IdentityService>> OpenIdentity(
    Deployment& deployment, identity::IdentityServiceOptions options = {}) {
    const auto& files = catalog::EmbeddedIdentityFiles();
    const auto rules = std::find_if(files.begin(), files.end(), [](const auto& file) {
        return file.name == "survivorship.yaml";
    });
    if (rules == files.end()) {
        return Error::Internal("survivorship.yaml is not compiled in");
    }
    P360_ASSIGN_OR_RETURN(auto policy,
                          identity::SurvivorshipPolicy::Parse(rules->text, rules->name));
    return std::make_unique<identity::IdentityService>(
        deployment.records(), deployment.metadata(), deployment.database(), deployment.authorizer(),
        deployment.clock(), SystemActor(), std::move(policy), options);
}

int Fail(const Error& error) {
    std::cerr << "payer360: " << error.public_message;
    for (const FieldError& field_error : error.field_errors) {
        std::cerr << "\n  " << field_error.field << ": " << field_error.message;
    }
    if (!error.internal_detail.empty()) {
        std::cerr << "\n  (" << error.internal_detail << ")";
    }
    std::cerr << "\n";
    return 1;
}

int Serve(int argc, char** argv) {
    Command command{CommonOptions("payer360 serve"), {}};
    command.options.add_options()("port", po::value<int>()->default_value(8080),
                                  "TCP port (0 = any free port)")(
        "bind", po::value<std::string>()->default_value("127.0.0.1"), "address to listen on")(
        "io-threads", po::value<int>()->default_value(2), "threads for network I/O")(
        "workers", po::value<int>()->default_value(64),
        "threads for requests that may write (each waits for its group commit)")(
        "read-workers", po::value<int>(),
        "threads for GET requests (default: 2 on SQLite, whose reads run in this process; 16 "
        "on PostgreSQL, whose reads wait on the network and go to it in batches)")(
        "port-file", po::value<std::string>(), "write the bound port to this file")(
        "no-access-log", "do not log one line per request")(
        "login-burst", po::value<int>()->default_value(20),
        "login attempts a client address may make at once")(
        "login-refill-seconds", po::value<int>()->default_value(3),
        "seconds until a client address may make one more login attempt")(
        "web", po::value<std::string>(), "serve the web console's files from this directory")(
        "public-url", po::value<std::string>(),
        "the address clients reach this service at (https://crm.example.org), for links in "
        "answers; default: the Host each request names")(
        "node-id", po::value<std::string>(),
        "this node's name in jobs it runs (default: host name and process id)")(
        "job-workers", po::value<int>()->default_value(2), "threads running background jobs")(
        "job-retry-base-ms", po::value<int>()->default_value(1000),
        "wait before a failed job's first retry; doubles with each further failure")(
        "bulk-retention-hours", po::value<int>()->default_value(24),
        "how long FHIR bulk export and import files are kept after the request finished")(
        "member360-cache-mib", po::value<int>()->default_value(256),
        "memory for member 360 answers kept for reuse (0: none; SQLite only, see "
        "docs/operations.md)")(
        "access-audit", po::value<std::string>()->default_value("on"),
        "on, or off to record no access at all: only for measuring its cost or for data that "
        "holds no real PHI");
    int exit_code = 0;
    if (!Parse(argc, argv, 2, command, exit_code)) {
        return exit_code;
    }
    const auto& values = command.values;
    const int port = values["port"].as<int>();
    if (port < 0 || port > 65535) {
        return Fail(Error::InvalidArgument("--port must be 0..65535"));
    }
    security::AuthOptions auth;
    auth.login_burst = values["login-burst"].as<int>();
    auth.login_refill = std::chrono::seconds(values["login-refill-seconds"].as<int>());
    if (auth.login_burst < 1 || auth.login_refill.count() < 1) {
        return Fail(
            Error::InvalidArgument("--login-burst and --login-refill-seconds must be at least 1"));
    }
    if (values["member360-cache-mib"].as<int>() < 0) {
        return Fail(Error::InvalidArgument("--member360-cache-mib must be 0 or more",
                                           "member360-cache-mib"));
    }
    const std::string audit_mode = values["access-audit"].as<std::string>();
    if (audit_mode != "on" && audit_mode != "off") {
        return Fail(Error::InvalidArgument("--access-audit must be on or off"));
    }
    std::string public_url =
        values.count("public-url") != 0 ? values["public-url"].as<std::string>() : "";
    while (public_url.ends_with('/')) {
        public_url.pop_back();
    }
    if (!public_url.empty() && !public_url.starts_with("http://") &&
        !public_url.starts_with("https://")) {
        return Fail(Error::InvalidArgument("--public-url must start with http:// or https://",
                                           "public-url"));
    }
    DeploymentOptions deployment_options;
    deployment_options.auth = auth;
    deployment_options.access_audit = audit_mode == "on";
    deployment_options.jobs.node =
        values.count("node-id") != 0 ? values["node-id"].as<std::string>() : DefaultNodeName();
    deployment_options.jobs.backoff_base =
        std::chrono::milliseconds(std::max(1, values["job-retry-base-ms"].as<int>()));
    auto deployment = OpenDeployment(values, deployment_options);
    if (!deployment.ok()) {
        return Fail(deployment.error());
    }
    if (audit_mode == "off") {
        log::Warn("access_audit_off", {{"detail", "reads and writes of PHI are not recorded"}});
    }
    // Many worker threads would each get a malloc arena that keeps its peak forever; a few
    // shared arenas keep the footprint near what is in use.
    mallopt(M_ARENA_MAX, 4);
    Deployment& services = **deployment;
    http::Router router;
    const storage::HealthMonitor health(services.database());
    // Other nodes on the same database may add custom objects and fields.
    services.metadata().WatchForChanges(std::chrono::seconds(1));
    api::PlatformServices platform{services.auth(), services.authorizer(), services.metadata(),
                                   services.records(), services.audit()};
    platform.health = &health;
    platform.public_url = public_url;
    api::RegisterPlatformRoutes(router, platform);
    api::RegisterCsvRoutes(router, platform);
    api::RegisterFhirRoutes(router, platform);
    api::RegisterSearchRoutes(router, platform);
    api::RegisterTeamRoutes(router, services.auth(), services.authorizer(), services.teams());
    // Kept answers follow the outbox in id order, which is commit order only where one writer
    // commits at a time: on SQLite. PostgreSQL commits concurrent writers in any order.
    const int cache_mib = values["member360-cache-mib"].as<int>();
    std::unique_ptr<member::Member360Cache> member_cache;
    if (cache_mib > 0 && services.database().dialect().Name() == "sqlite") {
        member_cache = std::make_unique<member::Member360Cache>(
            member::Member360CacheOptions{.max_bytes = std::size_t(cache_mib) << 20});
    }
    const member::Member360 member_view(services.records(), services.clock(), member_cache.get());
    member::EnrollmentImporter enrollments(services.records(), services.clock());
    member::RegisterMemberRoutes(router, services.auth(), member_view, enrollments);
    auto identity = OpenIdentity(services);
    if (!identity.ok()) {
        return Fail(identity.error());
    }
    if (Status loaded = (*identity)->Load(); !loaded.ok()) {
        return Fail(loaded.error());
    }
    (*identity)->StartFollowing(std::chrono::seconds(1));
    identity::RegisterIdentityRoutes(router, services.auth(), **identity);
    api::RegisterJobRoutes(router, services.auth(), services.authorizer(), services.jobs());
    const api::FhirBulkServices bulk{
        services.database(),
        services.jobs(),
        services.async_requests(),
        services.clock(),
        services.data_directory() / "fhir-bulk",
        std::chrono::hours(std::max(1, values["bulk-retention-hours"].as<int>()))};
    api::RegisterFhirBulkRoutes(router, platform, bulk);
    automation::RegisterDiagnosticJobs(services.jobs());
    services.jobs().Start(std::max(0, values["job-workers"].as<int>()));
    std::optional<http::StaticFiles> web;
    if (values.count("web") != 0) {
        auto files = http::StaticFiles::Open(values["web"].as<std::string>());
        if (!files.ok()) {
            return Fail(files.error());
        }
        web.emplace(std::move(files).value());
        router.SetFallback(
            "GET", [&web](const http::HttpRequest& request) { return web->Serve(request); });
    }

    http::ServerOptions options;
    options.bind_address = values["bind"].as<std::string>();
    options.port = static_cast<std::uint16_t>(port);
    options.io_threads = std::max(1, values["io-threads"].as<int>());
    options.worker_threads = std::max(1, values["workers"].as<int>());
    const bool remote_database = services.database().dialect().Name() == "postgresql";
    options.read_worker_threads = values.count("read-workers") != 0
                                      ? std::max(1, values["read-workers"].as<int>())
                                      : (remote_database ? 16 : 2);
    options.access_log = values.count("no-access-log") == 0;
    http::HttpServer server(options, router);
    auto bound = server.Listen();
    if (!bound.ok()) {
        return Fail(bound.error());
    }
    if (values.count("port-file") != 0) {
        std::ofstream(values["port-file"].as<std::string>()) << *bound << "\n";
    }
    std::cout << "payer360 listening on http://" << options.bind_address << ":" << *bound
              << std::endl;
    log::Info("http.listening", {{"port", std::to_string(*bound)}});
    server.Run();
    return 0;
}

int Migrate(int argc, char** argv) {
    Command command{CommonOptions("payer360 migrate"), {}};
    int exit_code = 0;
    if (!Parse(argc, argv, 2, command, exit_code)) {
        return exit_code;
    }
    auto deployment = OpenDeployment(command.values);
    if (!deployment.ok()) {
        return Fail(deployment.error());
    }
    std::cout << "schema up to date: " << (*deployment)->metadata().Current()->objects().size()
              << " objects\n";
    return 0;
}

// The demo logins, with the password from standard input.
int DemoStaff(Deployment& deployment, const po::variables_map& values) {
    if (values.count("password-stdin") == 0) {
        return Fail(Error::InvalidArgument(
            "Pass the demo users' password on standard input with --password-stdin."));
    }
    std::string password;
    std::getline(std::cin, password);
    auto logins = demo::SeedDemoStaff(deployment.records(), deployment.auth(), deployment.teams(),
                                      SystemActor(), password);
    if (!logins.ok()) {
        return Fail(logins.error());
    }
    for (const demo::DemoLogin& login : *logins) {
        std::cout << "demo login: " << login.username << " — " << login.what << "\n";
    }
    return 0;
}

int Demo(int argc, char** argv) {
    Command command{CommonOptions("payer360 demo"), {}};
    command.options.add_options()("members", po::value<int>()->default_value(1000),
                                  "number of members to generate")(
        "seed", po::value<std::uint64_t>()->default_value(360), "random seed")(
        "claim-rate", po::value<double>()->default_value(1.0),
        "multiplies each member's yearly claim rate (1: about 3 claims a member; 0..20)")(
        "staff", "also add one demo login per kind of user, with teams and a care team")(
        "password-stdin", "with --staff: read the demo users' password from standard input");
    int exit_code = 0;
    if (!Parse(argc, argv, 2, command, exit_code)) {
        return exit_code;
    }
    const int members = command.values["members"].as<int>();
    if (members < 1 || members > 10'000'000) {
        return Fail(Error::InvalidArgument("--members must be 1..10000000"));
    }
    auto deployment = OpenDeployment(command.values);
    if (!deployment.ok()) {
        return Fail(deployment.error());
    }
    demo::DemoOptions options;
    options.members = members;
    options.seed = command.values["seed"].as<std::uint64_t>();
    options.claim_rate = command.values["claim-rate"].as<double>();
    if (!(options.claim_rate >= 0 && options.claim_rate <= 20)) {
        return Fail(Error::InvalidArgument("--claim-rate must be 0..20", "claim-rate"));
    }
    auto summary = demo::GenerateDemo((*deployment)->records(), SystemActor(), options,
                                      [](std::string_view stage, std::int64_t done) {
                                          std::cerr << "  " << stage << ": " << done << "\n";
                                      });
    if (!summary.ok()) {
        return Fail(summary.error());
    }
    std::cout << "demo data: " << summary->ToText() << "\n";
    return command.values.count("staff") != 0 ? DemoStaff(**deployment, command.values) : 0;
}

int ImportX12(int argc, char** argv) {
    Command command{CommonOptions("payer360 import x12 FILE"), {}};
    command.options.add_options()("file", po::value<std::string>()->required(),
                                  "the 834 file (also the first argument)")(
        "ack", po::value<std::string>(), "write the 999 acknowledgement to this file");
    command.positional.add("file", 1);
    int exit_code = 0;
    if (!Parse(argc, argv, 3, command, exit_code)) {
        return exit_code;
    }
    std::ifstream input(command.values["file"].as<std::string>(), std::ios::binary);
    if (!input) {
        return Fail(
            Error::InvalidArgument("Cannot read " + command.values["file"].as<std::string>()));
    }
    auto deployment = OpenDeployment(command.values);
    if (!deployment.ok()) {
        return Fail(deployment.error());
    }
    member::EnrollmentImporter importer((*deployment)->records(), (*deployment)->clock());
    auto result = importer.Import(SystemActor(), input);
    if (!result.ok()) {
        return Fail(result.error());
    }
    if (command.values.count("ack") != 0) {
        std::ofstream(command.values["ack"].as<std::string>()) << result->acknowledgement;
    }
    std::cout << boost::json::serialize(member::EnrollmentResultJson(*result)) << "\n";
    return result->interchange.accepted == result->interchange.transaction_sets ? 0 : 3;
}

int ExportDump(int argc, char** argv) {
    Command command{CommonOptions("payer360 export --to DIR"), {}};
    command.options.add_options()("to", po::value<std::string>()->required(),
                                  "the dump directory to create");
    int exit_code = 0;
    if (!Parse(argc, argv, 2, command, exit_code)) {
        return exit_code;
    }
    auto manifest =
        ExportDeployment(StoreOptions(command.values), command.values["to"].as<std::string>());
    if (!manifest.ok()) {
        return Fail(manifest.error());
    }
    std::int64_t rows = 0;
    for (const auto& table : manifest->tables) {
        rows += table.rows;
    }
    std::cout << "exported " << manifest->tables.size() << " tables, " << rows << " rows from "
              << manifest->engine << "\n";
    return 0;
}

int ImportDump(int argc, char** argv) {
    Command command{CommonOptions("payer360 import --from DIR"), {}};
    command.options.add_options()("from", po::value<std::string>()->required(),
                                  "the dump directory written by payer360 export");
    int exit_code = 0;
    if (!Parse(argc, argv, 2, command, exit_code)) {
        return exit_code;
    }
    auto tables =
        ImportDeployment(StoreOptions(command.values), command.values["from"].as<std::string>());
    if (!tables.ok()) {
        return Fail(tables.error());
    }
    std::int64_t rows = 0;
    for (const auto& table : *tables) {
        rows += table.rows;
    }
    std::cout << "imported " << tables->size() << " tables, " << rows
              << " rows; every table's count and checksum match the dump\n";
    return 0;
}

// A CSV cell, quoted when it must be.
std::string CsvCell(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
        return std::string(text);
    }
    std::string quoted = "\"";
    for (char c : text) {
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    return quoted + "\"";
}

// Progress on standard error with the seconds since the start: a line when a stage begins and
// at most one a second within it, so a million records do not print a thousand lines.
class ProgressPrinter {
public:
    void operator()(std::string_view stage, std::uint64_t done) {
        const auto now = std::chrono::steady_clock::now();
        if (stage == stage_ && now - printed_ < std::chrono::seconds(1)) {
            return;
        }
        stage_ = std::string(stage);
        printed_ = now;
        const auto seconds = std::chrono::duration<double>(now - started_).count();
        std::cerr << "  [" << std::fixed << std::setprecision(1) << seconds << " s] " << stage
                  << ": " << done << "\n";
    }

private:
    const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point printed_;
    std::string stage_;
};

int IdentityDedupe(int argc, char** argv) {
    Command command{CommonOptions("payer360 identity dedupe --report FILE"), {}};
    identity::IdentityServiceOptions options;
    command.options.add_options()(
        "report", po::value<std::string>()->required(),
        "write a CSV here: one line per Person (record id, its sourceId, golden member id)")(
        "batch", po::value<std::size_t>()->default_value(options.dedupe_batch),
        "records written per transaction (1 to 100000)");
    int exit_code = 0;
    if (!Parse(argc, argv, 3, command, exit_code)) {
        return exit_code;
    }
    options.dedupe_batch = command.values["batch"].as<std::size_t>();
    if (options.dedupe_batch < 1 || options.dedupe_batch > records::RecordLimits{}.max_bulk_lines) {
        return Fail(Error::InvalidArgument("--batch must be 1 to 100000", "batch"));
    }
    const std::string report_path = command.values["report"].as<std::string>();
    std::ofstream report(report_path, std::ios::binary | std::ios::trunc);
    if (!report) {
        return Fail(Error::InvalidArgument("Cannot write " + report_path));
    }
    auto deployment = OpenDeployment(command.values);
    if (!deployment.ok()) {
        return Fail(deployment.error());
    }
    auto identity = OpenIdentity(**deployment, options);
    if (!identity.ok()) {
        return Fail(identity.error());
    }
    report << "recordId,externalId,goldenMemberId\n";
    const auto write_line = [&report](const identity::DedupeLine& line) -> Status {
        report << CsvCell(line.person_id) << ',' << CsvCell(line.source_id) << ','
               << CsvCell(line.golden_member_id) << '\n';
        return report ? Ok() : Status(Error::Unavailable("Writing the report failed."));
    };
    ProgressPrinter progress;
    auto result = (*identity)->Dedupe(write_line, std::ref(progress));
    if (!result.ok()) {
        return Fail(result.error());
    }
    report.close();
    if (!report) {
        return Fail(Error::Unavailable("Writing " + report_path + " failed."));
    }
    std::cout << "identity dedupe: " << result->people << " people, " << result->golden_members
              << " golden members, " << result->changed << " identities written, "
              << result->reviews << " pairs for review\n";
    return 0;
}

int UserCreate(int argc, char** argv) {
    Command command{CommonOptions("payer360 user create"), {}};
    command.options.add_options()("username", po::value<std::string>()->required(), "login name")(
        "role", po::value<std::string>()->required(),
        "admin, agent, supervisor, care_manager, sales, marketing, network_manager, auditor "
        "or portal_member")("person-id", po::value<std::string>()->default_value(""),
                            "portal members: the id of the Person record they are")(
        "password-stdin", "read the password from standard input");
    int exit_code = 0;
    if (!Parse(argc, argv, 3, command, exit_code)) {
        return exit_code;
    }
    if (command.values.count("password-stdin") == 0) {
        return Fail(Error::InvalidArgument(
            "Pass the password on standard input with --password-stdin (never as an argument)."));
    }
    std::string password;
    std::getline(std::cin, password);
    auto deployment = OpenDeployment(command.values);
    if (!deployment.ok()) {
        return Fail(deployment.error());
    }
    auto user = (*deployment)
                    ->auth()
                    .CreateUser(command.values["username"].as<std::string>(), password,
                                command.values["role"].as<std::string>(),
                                command.values["person-id"].as<std::string>());
    if (!user.ok()) {
        return Fail(user.error());
    }
    std::cout << "created user " << user->username << " (" << user->role << ")\n";
    return 0;
}

int Main(int argc, char** argv) {
    const std::string command = argc > 1 ? argv[1] : "";
    if (command == "serve") {
        return Serve(argc, argv);
    }
    if (command == "migrate") {
        return Migrate(argc, argv);
    }
    if (command == "demo") {
        return Demo(argc, argv);
    }
    if (command == "user" && argc > 2 && std::string(argv[2]) == "create") {
        return UserCreate(argc, argv);
    }
    if (command == "identity" && argc > 2 && std::string(argv[2]) == "dedupe") {
        return IdentityDedupe(argc, argv);
    }
    if (command == "import" && argc > 2 && std::string(argv[2]) == "x12") {
        return ImportX12(argc, argv);
    }
    if (command == "export") {
        return ExportDump(argc, argv);
    }
    if (command == "import") {
        return ImportDump(argc, argv);
    }
    if (command == "--help" || command == "-h" || command == "help") {
        std::cout << kUsage;
        return 0;
    }
    std::cerr << kUsage;
    return 2;
}

}  // namespace
}  // namespace p360::app

int main(int argc, char** argv) { return p360::app::Main(argc, argv); }
