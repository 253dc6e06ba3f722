// Deployment: everything one data directory holds, opened and wired together.
//
// A data directory contains the SQLite database (payer360.db) and the access audit (audit.db),
// unless a database URL names PostgreSQL, which then holds both. Opening a deployment opens the
// database, loads the standard catalog (compiled in, or from --catalog DIR), merges custom
// metadata, migrates the schema, loads the access policy (catalog/policy, compiled in) and builds
// the services the subcommands and the server use.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "automation/async_requests.hpp"
#include "automation/job_queue.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "records/metadata_service.hpp"
#include "records/record_service.hpp"
#include "security/access_audit.hpp"
#include "security/access_policy.hpp"
#include "security/auth_service.hpp"
#include "security/team_service.hpp"
#include "storage/database.hpp"

namespace p360::app {

struct DeploymentOptions {
    std::filesystem::path data_directory = "data";
    // postgresql://… to run on PostgreSQL; empty for the SQLite files in the data directory.
    std::string database_url;
    std::optional<std::filesystem::path> catalog_directory;  // default: the compiled-in catalog
    security::AuthOptions auth;                              // sessions and login throttling
    bool access_audit = true;  // off: record no PHI access (measuring its cost, synthetic data)
    automation::JobQueueOptions jobs;  // this node's name in jobs, retry backoff
};

class Deployment {
public:
    static Result<std::unique_ptr<Deployment>> Open(const DeploymentOptions& options);
    ~Deployment();

    storage::Database& database() { return *database_; }
    records::MetadataService& metadata() { return *metadata_; }
    records::RecordService& records() { return *records_; }
    security::AuthService& auth() { return *auth_; }
    security::AccessAudit& audit() { return *audit_; }
    security::TeamService& teams() { return *teams_; }
    automation::JobQueue& jobs() { return *jobs_; }
    automation::AsyncRequests& async_requests() { return *async_requests_; }
    // Where files of the deployment live besides its databases (bulk data files).
    const std::filesystem::path& data_directory() const { return data_directory_; }
    const security::Authorizer& authorizer() const { return *authorizer_; }
    const Clock& clock() const { return clock_; }

private:
    Deployment() = default;

    SystemClock clock_;
    std::unique_ptr<security::PolicyAuthorizer> authorizer_;
    std::unique_ptr<storage::Database> database_;
    std::unique_ptr<records::MetadataService> metadata_;
    std::unique_ptr<security::AuthService> auth_;
    std::unique_ptr<security::TeamService> teams_;
    std::unique_ptr<security::AccessAudit> audit_;
    std::unique_ptr<records::RecordService> records_;
    std::unique_ptr<automation::JobQueue> jobs_;
    std::unique_ptr<automation::AsyncRequests> async_requests_;
    std::filesystem::path data_directory_;
};

// The databases of a deployment, opened without migrating anything: the records and the access
// audit (on PostgreSQL two pools on one database, whose audit tables are audit_*).
struct DeploymentStores {
    std::unique_ptr<storage::Database> records;
    std::unique_ptr<storage::Database> audit;
};
Result<DeploymentStores> OpenStores(const DeploymentOptions& options);

// The actor for work the operator starts from the command line (migrations, demo data).
security::Actor SystemActor();

}  // namespace p360::app
