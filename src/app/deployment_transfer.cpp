#include "app/deployment_transfer.hpp"

#include <algorithm>

#include "core/time_format.hpp"
#include "storage/schema.hpp"

namespace p360::app {
namespace {

using storage::DumpManifest;
using storage::TableDump;

// Custom objects and fields come first on import: the migrations that create their tables
// read them.
constexpr const char* kMetadataTables[] = {"sys_custom_objects", "sys_custom_fields"};

bool IsAuditTable(std::string_view table) { return table.starts_with("audit_"); }

bool IsMetadataTable(std::string_view table) {
    return std::find(std::begin(kMetadataTables), std::end(kMetadataTables), table) !=
           std::end(kMetadataTables);
}

// The tables a store holds for the dump: the audit's own on the audit store, the rest on the
// records store (on PostgreSQL both stores see every table).
Result<std::vector<TableDump>> DumpStore(storage::Database& database, bool audit,
                                         const std::filesystem::path& directory) {
    std::vector<TableDump> dumps;
    P360_TRY(database.Read([&](storage::Connection& connection) -> Status {
        P360_ASSIGN_OR_RETURN(auto tables, connection.Tables());
        std::erase_if(tables,
                      [audit](const std::string& table) { return IsAuditTable(table) != audit; });
        P360_ASSIGN_OR_RETURN(dumps, storage::DumpTables(connection, tables, directory));
        return Ok();
    }));
    return dumps;
}

// Loads the metadata tables, or else every other table of one store, in one transaction: a
// failure leaves that store as it was.
Status LoadTables(storage::Database& database, const DumpManifest& manifest,
                  const std::filesystem::path& directory, bool metadata, bool audit) {
    return database.WriteAlone([&](storage::Connection& connection) -> Status {
        for (const TableDump& table : manifest.tables) {
            if (IsMetadataTable(table.name) != metadata || IsAuditTable(table.name) != audit) {
                continue;
            }
            P360_ASSIGN_OR_RETURN(auto columns, connection.TableColumns(table.name));
            if (columns.empty()) {
                return Error::FailedPrecondition("The target has no table " + table.name +
                                                 "; was the dump made by a newer payer360?");
            }
            P360_TRY(storage::LoadTable(connection, table, directory));
        }
        return Ok();
    });
}

// The records store's data, then the audit's. Both files are read through first, so what
// can still fail here is the target itself (space, a dropped connection); then whatever was
// committed is taken back out, the metadata included, so the import can simply be run again.
Status LoadData(const DeploymentOptions& options, const DumpManifest& manifest,
                const std::filesystem::path& directory) {
    P360_ASSIGN_OR_RETURN(auto stores, OpenStores(options));
    Status loaded = LoadTables(*stores.records, manifest, directory, false, false);
    if (loaded.ok()) {
        loaded = LoadTables(*stores.audit, manifest, directory, false, true);
    }
    if (loaded.ok()) {
        return loaded;
    }
    for (const TableDump& table : manifest.tables) {
        if (!IsAuditTable(table.name)) {
            (void)stores.records->WriteAlone([&](storage::Connection& connection) {
                return storage::ClearTable(connection, table.name);
            });
        }
    }
    return loaded;
}
Result<std::vector<TableDump>> SummarizeStores(const DeploymentStores& stores,
                                               const DumpManifest& manifest) {
    std::vector<TableDump> summaries;
    for (const TableDump& expected : manifest.tables) {
        storage::Database& database = IsAuditTable(expected.name) ? *stores.audit : *stores.records;
        P360_TRY(database.Read([&](storage::Connection& connection) -> Status {
            P360_ASSIGN_OR_RETURN(auto summary, storage::SummarizeTable(connection, expected.name));
            if (summary.rows != expected.rows || summary.checksum != expected.checksum) {
                return Error::Internal("table " + expected.name + " differs after import");
            }
            summaries.push_back(std::move(summary));
            return Ok();
        }));
    }
    return summaries;
}

}  // namespace

Result<DumpManifest> ExportDeployment(const DeploymentOptions& options,
                                      const std::filesystem::path& directory) {
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error || !std::filesystem::is_empty(directory, error)) {
        return Error::InvalidArgument("The dump directory must be new or empty: " +
                                      directory.string());
    }
    P360_ASSIGN_OR_RETURN(auto stores, OpenStores(options));
    DumpManifest manifest;
    manifest.engine = std::string(stores.records->dialect().Name());
    manifest.created_at = FormatDateTime(SystemClock().NowMillis());
    P360_ASSIGN_OR_RETURN(manifest.tables, DumpStore(*stores.records, false, directory));
    P360_ASSIGN_OR_RETURN(auto audit_tables, DumpStore(*stores.audit, true, directory));
    manifest.tables.insert(manifest.tables.end(), audit_tables.begin(), audit_tables.end());
    P360_TRY(storage::WriteManifest(manifest, directory));
    return manifest;
}

Result<std::vector<TableDump>> ImportDeployment(const DeploymentOptions& options,
                                                const std::filesystem::path& directory) {
    P360_ASSIGN_OR_RETURN(auto manifest, storage::ReadManifest(directory));
    for (const TableDump& table : manifest.tables) {
        P360_TRY(storage::VerifyTable(table, directory));
    }
    {
        P360_ASSIGN_OR_RETURN(auto stores, OpenStores(options));
        P360_TRY(stores.records->WriteAlone([](storage::Connection& connection) {
            return storage::EnsureSystemTables(connection);
        }));
        P360_TRY(LoadTables(*stores.records, manifest, directory, true, false));
    }
    // Opening the deployment migrates every table, the custom ones included, and creates the
    // audit and job tables.
    P360_TRY(Deployment::Open(options));
    P360_TRY(LoadData(options, manifest, directory));
    P360_ASSIGN_OR_RETURN(auto stores, OpenStores(options));
    return SummarizeStores(stores, manifest);
}

}  // namespace p360::app
