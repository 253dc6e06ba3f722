// MetadataService: the live catalog of a deployment and the only way to change it.
//
// At start it combines the standard definitions (catalog/*.yaml) with the custom objects and
// fields stored in the database, migrates the tables to match and publishes the result as an
// immutable snapshot. Adding a custom object or field validates the definition against the
// whole catalog, stores it, alters the table and publishes a new snapshot — all in one write
// transaction, so a failure leaves neither the definition nor the column behind. Readers call
// Current() and keep the snapshot for one request. Thread-safe; changes are serialised.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "metadata/catalog.hpp"
#include "storage/database.hpp"

namespace p360::records {

class MetadataService {
public:
    // Loads custom definitions, migrates every table and publishes the first snapshot.
    static Result<std::unique_ptr<MetadataService>> Open(storage::Database& database,
                                                         std::vector<metadata::ObjectDef> standard,
                                                         const Clock& clock);

    metadata::CatalogSnapshot Current() const { return current_.load(); }

    // `object` has no system fields yet; they and an id prefix are added here.
    Result<metadata::ObjectDef> CreateObject(metadata::ObjectDef object);

    Result<metadata::FieldDef> AddField(std::string_view object_name, metadata::FieldDef field);

    // Re-reads custom definitions from the database (another node may have added some).
    Status Reload();

private:
    MetadataService(storage::Database& database, std::vector<metadata::ObjectDef> standard,
                    const Clock& clock);

    Result<std::vector<metadata::ObjectDef>> LoadDefinitions(storage::Connection& connection) const;
    Status Publish(std::vector<metadata::ObjectDef> objects);

    storage::Database& database_;
    const std::vector<metadata::ObjectDef> standard_;
    const Clock& clock_;
    std::mutex change_mutex_;  // one metadata change at a time
    std::atomic<metadata::CatalogSnapshot> current_;
};

}  // namespace p360::records
