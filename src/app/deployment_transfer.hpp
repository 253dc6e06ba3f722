// Moving a whole deployment between engines (SQLite → PostgreSQL, or back) through a dump
// directory (storage/dump.hpp): every table of the records database and of the access audit.
#pragma once

#include <filesystem>

#include "app/deployment.hpp"
#include "storage/dump.hpp"

namespace p360::app {

// Writes the deployment to `directory` (created; must be empty) from one snapshot per store.
Result<storage::DumpManifest> ExportDeployment(const DeploymentOptions& options,
                                               const std::filesystem::path& directory);

// Loads a dump into a new, empty deployment: custom metadata first, so migrations create the
// custom tables, then every other table, each checked against the manifest; finally every
// table is summarised again from the target and compared. Returns the target's summaries.
Result<std::vector<storage::TableDump>> ImportDeployment(const DeploymentOptions& options,
                                                         const std::filesystem::path& directory);

}  // namespace p360::app
