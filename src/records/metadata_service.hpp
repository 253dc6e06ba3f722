// MetadataService: the live catalog of a deployment and the only way to change it.
//
// At start it combines the standard definitions (catalog/*.yaml) with the custom objects and
// fields stored in the database, migrates the tables to match and publishes the result as an
// immutable snapshot. Adding a custom object or field validates the definition against the
// whole catalog, stores it, alters the table and publishes a new snapshot — all in one write
// transaction, so a failure leaves neither the definition nor the column behind. Readers call
// Current() and keep the snapshot for one request. Thread-safe; changes are serialised.
//
// Several nodes may share one database. Every change also writes a fresh catalog stamp in
// `sys_meta`; WatchForChanges() polls the stamp and reloads when another node changed it, so a
// custom field added on one node is usable on the others within a poll interval.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "metadata/catalog.hpp"
#include "storage/database.hpp"

namespace p360::records {

// The `sys_meta` key of the catalog stamp (see the file comment).
inline constexpr std::string_view kCatalogStampKey = "catalog_stamp";

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

    // Polls the catalog stamp every `interval` on a thread of its own, until destruction.
    void WatchForChanges(std::chrono::milliseconds interval);

    ~MetadataService();

private:
    MetadataService(storage::Database& database, std::vector<metadata::ObjectDef> standard,
                    const Clock& clock);

    Result<std::vector<metadata::ObjectDef>> LoadDefinitions(storage::Connection& connection) const;
    Status Publish(std::vector<metadata::ObjectDef> objects);
    // A new stamp, written in the transaction of the change it marks.
    Status StampChange(storage::Connection& connection);
    Result<std::string> ReadStamp();
    void WatchLoop(std::chrono::milliseconds interval);

    storage::Database& database_;
    const std::vector<metadata::ObjectDef> standard_;
    const Clock& clock_;
    std::mutex change_mutex_;  // one metadata change at a time
    std::atomic<metadata::CatalogSnapshot> current_;

    std::mutex stamp_mutex_;
    std::string seen_stamp_;  // guarded by stamp_mutex_: the stamp the current snapshot reflects
    std::mutex watch_mutex_;
    std::condition_variable watch_wake_;
    bool stopping_ = false;  // guarded by watch_mutex_
    std::thread watcher_;
};

}  // namespace p360::records
