#include "app/deployment.hpp"

#include "catalog_files.hpp"
#include "metadata/catalog.hpp"

namespace p360::app {
namespace {

Result<std::vector<metadata::ObjectDef>> LoadStandardCatalog(const DeploymentOptions& options) {
    if (options.catalog_directory) {
        return metadata::LoadCatalogDirectory(*options.catalog_directory);
    }
    std::vector<metadata::ObjectDef> objects;
    for (const auto& file : catalog::EmbeddedFiles()) {
        P360_ASSIGN_OR_RETURN(auto parsed, metadata::ParseCatalogYaml(file.text, file.name));
        for (auto& object : parsed) {
            objects.push_back(std::move(object));
        }
    }
    P360_TRY(metadata::ValidateCatalog(objects));
    return objects;
}

Result<std::unique_ptr<security::PolicyAuthorizer>> LoadAccessPolicy(
    const metadata::Catalog& catalog, const Clock& clock) {
    std::vector<security::PolicyFile> files;
    for (const auto& file : catalog::EmbeddedPolicyFiles()) {
        files.push_back({file.name, file.text});
    }
    P360_ASSIGN_OR_RETURN(auto policy, security::AccessPolicy::Parse(files));
    P360_TRY(policy.Validate(catalog));
    return std::make_unique<security::PolicyAuthorizer>(std::move(policy), clock);
}

bool IsPostgresUrl(const std::string& url) {
    return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

// The records database: PostgreSQL when the URL names it, else SQLite (the URL's file, or
// payer360.db in the data directory).
Result<std::unique_ptr<storage::Database>> OpenRecordsDatabase(const DeploymentOptions& options) {
    if (options.database_url.empty()) {
        return storage::OpenSqlite((options.data_directory / "payer360.db").string());
    }
    return storage::OpenDatabase(options.database_url);
}

// The audit shares the PostgreSQL database (its tables are audit_*) with a small pool of its
// own: it writes in batches from one thread. On SQLite it is a file of its own, so audit
// writes never queue behind record writes.
Result<std::unique_ptr<storage::Database>> OpenAuditDatabase(const DeploymentOptions& options) {
    if (IsPostgresUrl(options.database_url)) {
        return storage::OpenPostgres(options.database_url, {.max_readers = 2, .max_writers = 2});
    }
    // The audit only appends, and is read now and then to account for disclosures: small
    // caches, which would otherwise fill with pages it never reads again.
    return storage::OpenSqlite(
        (options.data_directory / "audit.db").string(),
        {.max_readers = 2, .writer_cache_kib = 16 * 1024, .reader_cache_kib = 4 * 1024});
}

}  // namespace

Result<DeploymentStores> OpenStores(const DeploymentOptions& options) {
    std::error_code error;
    std::filesystem::create_directories(options.data_directory, error);
    if (error) {
        return Error::Unavailable("Cannot create the data directory: " + error.message());
    }
    DeploymentStores stores;
    P360_ASSIGN_OR_RETURN(stores.records, OpenRecordsDatabase(options));
    P360_ASSIGN_OR_RETURN(stores.audit, OpenAuditDatabase(options));
    return stores;
}

security::Actor SystemActor() { return {"usr_system", "system", "admin"}; }

Result<std::unique_ptr<Deployment>> Deployment::Open(const DeploymentOptions& options) {
    std::unique_ptr<Deployment> deployment(new Deployment());
    P360_ASSIGN_OR_RETURN(auto standard, LoadStandardCatalog(options));
    P360_ASSIGN_OR_RETURN(auto stores, OpenStores(options));
    deployment->database_ = std::move(stores.records);
    P360_ASSIGN_OR_RETURN(deployment->metadata_,
                          records::MetadataService::Open(*deployment->database_,
                                                         std::move(standard), deployment->clock_));
    P360_ASSIGN_OR_RETURN(deployment->authorizer_,
                          LoadAccessPolicy(*deployment->metadata_->Current(), deployment->clock_));
    deployment->auth_ = std::make_unique<security::AuthService>(*deployment->database_,
                                                                deployment->clock_, options.auth);
    deployment->teams_ =
        std::make_unique<security::TeamService>(*deployment->database_, deployment->clock_);
    P360_ASSIGN_OR_RETURN(deployment->audit_,
                          security::AccessAudit::Open(std::move(stores.audit), deployment->clock_));
    deployment->records_ = std::make_unique<records::RecordService>(
        *deployment->database_, *deployment->metadata_, *deployment->authorizer_,
        deployment->clock_, options.access_audit ? deployment->audit_.get() : nullptr);
    P360_ASSIGN_OR_RETURN(
        deployment->jobs_,
        automation::JobQueue::Open(*deployment->database_, deployment->clock_, options.jobs));
    P360_ASSIGN_OR_RETURN(
        deployment->async_requests_,
        automation::AsyncRequests::Open(*deployment->database_, deployment->clock_));
    deployment->data_directory_ = options.data_directory;
    return deployment;
}

Deployment::~Deployment() {
    jobs_.reset();  // workers finish their job first
    async_requests_.reset();
    records_.reset();
    audit_.reset();  // writes the reads still queued
    auth_.reset();
    metadata_.reset();
    if (database_) {
        database_->Close();
    }
}

}  // namespace p360::app
