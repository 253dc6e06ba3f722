#include "records/metadata_service.hpp"

#include <algorithm>

#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/time_format.hpp"
#include "records/definition_json.hpp"
#include "records/record_codec.hpp"
#include "storage/schema.hpp"

namespace p360::records {
namespace {

using storage::Value;

// An id prefix for a custom object: "c" plus two letters of its name, the first free one.
std::string ChooseIdPrefix(const std::string& name,
                           const std::vector<metadata::ObjectDef>& existing) {
    std::string letters;
    for (char c : name) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
            letters.push_back(static_cast<char>(c | 0x20));
        }
    }
    auto is_free = [&existing](const std::string& prefix) {
        return std::none_of(existing.begin(), existing.end(),
                            [&prefix](const auto& object) { return object.id_prefix == prefix; });
    };
    for (std::size_t first = 0; first < letters.size(); ++first) {
        for (std::size_t second = first + 1; second < letters.size(); ++second) {
            std::string prefix = {'c', letters[first], letters[second]};
            if (is_free(prefix)) {
                return prefix;
            }
        }
    }
    for (char first = 'a'; first <= 'z'; ++first) {
        for (char second = 'a'; second <= 'z'; ++second) {
            for (char third = 'a'; third <= 'z'; ++third) {
                std::string prefix = {'c', first, second, third};
                if (is_free(prefix)) {
                    return prefix;
                }
            }
        }
    }
    return "cxxx";
}

std::string StoredObjectJson(const metadata::ObjectDef& object) {
    json::object stored{{"name", object.name},
                        {"label", object.label},
                        {"pluralLabel", object.plural_label},
                        {"description", object.description},
                        {"idPrefix", object.id_prefix}};
    return json::serialize(stored);
}

std::string StoredFieldJson(const metadata::FieldDef& field) {
    json::object stored = FieldToJson(field);
    stored.erase("system");
    stored.erase("custom");
    return json::serialize(stored);
}

Result<metadata::ObjectDef> ParseStoredObject(const std::string& text) {
    P360_ASSIGN_OR_RETURN(json::value value, ParseJson(text, "sys_custom_objects"));
    if (!value.is_object() || !value.get_object().contains("idPrefix")) {
        return Error::Internal("stored custom object without idPrefix");
    }
    const std::string prefix(value.get_object().at("idPrefix").as_string());
    value.get_object().erase("idPrefix");
    P360_ASSIGN_OR_RETURN(metadata::ObjectDef object, ObjectFromJson(value));
    object.id_prefix = prefix;
    object.custom = true;
    object.fields = metadata::SystemFields();
    return object;
}

Status InsertCustomField(storage::Connection& connection, const std::string& object_name,
                         const metadata::FieldDef& field, const std::string& now) {
    const Value params[] = {object_name, field.name, StoredFieldJson(field), now};
    return connection.Execute(
        "INSERT INTO sys_custom_fields (object_name, name, definition, created_at) "
        "VALUES (?, ?, ?, ?)",
        params);
}

}  // namespace

MetadataService::~MetadataService() {
    {
        std::lock_guard lock(watch_mutex_);
        stopping_ = true;
    }
    watch_wake_.notify_all();
    if (watcher_.joinable()) {
        watcher_.join();
    }
}

Status MetadataService::StampChange(storage::Connection& connection) {
    std::string stamp = NewId("cat", clock_.NowMillis());
    P360_TRY(storage::SetMetaValue(connection, kCatalogStampKey, stamp));
    std::lock_guard lock(stamp_mutex_);
    seen_stamp_ = std::move(stamp);
    return Ok();
}

Result<std::string> MetadataService::ReadStamp() {
    std::string stamp;
    P360_TRY(database_.Read([&stamp](storage::Connection& connection) -> Status {
        const Value key{std::string(kCatalogStampKey)};
        return connection.ForEachRow("SELECT value FROM sys_meta WHERE key = ?", std::span(&key, 1),
                                     [&stamp](const storage::Row& row) {
                                         stamp = std::get<std::string>(row[0]);
                                         return false;
                                     });
    }));
    return stamp;
}

void MetadataService::WatchForChanges(std::chrono::milliseconds interval) {
    if (auto stamp = ReadStamp(); stamp.ok()) {
        std::lock_guard lock(stamp_mutex_);
        seen_stamp_ = *stamp;
    }
    watcher_ = std::thread([this, interval] { WatchLoop(interval); });
}

void MetadataService::WatchLoop(std::chrono::milliseconds interval) {
    std::unique_lock lock(watch_mutex_);
    while (!watch_wake_.wait_for(lock, interval, [this] { return stopping_; })) {
        lock.unlock();
        auto stamp = ReadStamp();
        bool changed = false;
        if (stamp.ok()) {
            std::lock_guard stamp_lock(stamp_mutex_);
            changed = *stamp != seen_stamp_;
        }
        // Read the stamp before the definitions: a change landing in between is seen again
        // at the next poll, never missed.
        if (changed && Reload().ok()) {
            std::lock_guard stamp_lock(stamp_mutex_);
            seen_stamp_ = *stamp;
            log::Info("metadata.reloaded", {{"reason", "changed on another node"}});
        }
        lock.lock();
    }
}

MetadataService::MetadataService(storage::Database& database,
                                 std::vector<metadata::ObjectDef> standard, const Clock& clock)
    : database_(database), standard_(std::move(standard)), clock_(clock) {}

Result<std::unique_ptr<MetadataService>> MetadataService::Open(
    storage::Database& database, std::vector<metadata::ObjectDef> standard, const Clock& clock) {
    std::unique_ptr<MetadataService> service(
        new MetadataService(database, std::move(standard), clock));
    std::vector<metadata::ObjectDef> objects;
    P360_TRY(database.WriteAlone([&](storage::Connection& connection) -> Status {
        P360_TRY(storage::EnsureSystemTables(connection));
        P360_ASSIGN_OR_RETURN(objects, service->LoadDefinitions(connection));
        P360_TRY(metadata::ValidateCatalog(objects));
        return storage::MigrateObjects(connection, objects);
    }));
    P360_TRY(service->Publish(std::move(objects)));
    return service;
}

Result<std::vector<metadata::ObjectDef>> MetadataService::LoadDefinitions(
    storage::Connection& connection) const {
    std::vector<metadata::ObjectDef> objects = standard_;
    P360_ASSIGN_OR_RETURN(
        auto object_rows,
        connection.Query("SELECT definition FROM sys_custom_objects ORDER BY created_at, name"));
    for (const storage::Row& row : object_rows) {
        P360_ASSIGN_OR_RETURN(auto object, ParseStoredObject(std::get<std::string>(row[0])));
        objects.push_back(std::move(object));
    }
    P360_ASSIGN_OR_RETURN(auto field_rows,
                          connection.Query("SELECT object_name, definition FROM sys_custom_fields "
                                           "ORDER BY created_at, object_name, name"));
    for (const storage::Row& row : field_rows) {
        const std::string& object_name = std::get<std::string>(row[0]);
        auto owner = std::find_if(objects.begin(), objects.end(),
                                  [&](const auto& object) { return object.name == object_name; });
        P360_ASSIGN_OR_RETURN(json::value definition,
                              ParseJson(std::get<std::string>(row[1]), "sys_custom_fields"));
        P360_ASSIGN_OR_RETURN(metadata::FieldDef field, FieldFromJson(definition));
        if (owner == objects.end()) {
            log::Warn("metadata.orphan_custom_field", {{"object", object_name}});
            continue;
        }
        field.custom = true;
        owner->fields.push_back(std::move(field));
    }
    return objects;
}

Status MetadataService::Publish(std::vector<metadata::ObjectDef> objects) {
    current_.store(std::make_shared<const metadata::Catalog>(std::move(objects)));
    return Ok();
}

Result<metadata::ObjectDef> MetadataService::CreateObject(metadata::ObjectDef object) {
    std::lock_guard lock(change_mutex_);
    const auto catalog = Current();
    if (catalog->FindObject(object.name) != nullptr) {
        return Error::AlreadyExists("An object with this name exists.", "name");
    }
    std::vector<metadata::ObjectDef> objects = catalog->objects();
    object.custom = true;
    object.id_prefix = ChooseIdPrefix(object.name, objects);
    std::vector<metadata::FieldDef> declared = std::move(object.fields);
    object.fields = metadata::SystemFields();
    for (metadata::FieldDef& field : declared) {
        field.custom = true;
        object.fields.push_back(std::move(field));
    }
    objects.push_back(object);
    P360_TRY(metadata::ValidateCatalog(objects));

    const std::string now = FormatDateTime(clock_.NowMillis());
    P360_TRY(database_.WriteAlone([&](storage::Connection& connection) -> Status {
        const Value params[] = {object.name, StoredObjectJson(object), now};
        P360_TRY(connection.Execute(
            "INSERT INTO sys_custom_objects (name, definition, created_at) VALUES (?, ?, ?)",
            params));
        for (const metadata::FieldDef& field : object.fields) {
            if (!field.system) {
                P360_TRY(InsertCustomField(connection, object.name, field, now));
            }
        }
        P360_TRY(storage::MigrateObject(connection, object));
        return StampChange(connection);
    }));
    P360_TRY(Publish(std::move(objects)));
    log::Info("metadata.object_created", {{"object", object.name}});
    return object;
}

Result<metadata::FieldDef> MetadataService::AddField(std::string_view object_name,
                                                     metadata::FieldDef field) {
    std::lock_guard lock(change_mutex_);
    const auto catalog = Current();
    const metadata::ObjectDef* existing = catalog->FindObject(object_name);
    if (existing == nullptr) {
        return Error::NotFound("No object with this name.");
    }
    if (existing->FindField(field.name) != nullptr) {
        return Error::AlreadyExists("The object already has a field with this name.", "name");
    }
    field.custom = true;
    P360_TRY(metadata::ValidateFieldDef(field));
    std::vector<metadata::ObjectDef> objects = catalog->objects();
    auto owner = std::find_if(objects.begin(), objects.end(),
                              [&](const auto& object) { return object.name == object_name; });
    owner->fields.push_back(field);
    P360_TRY(metadata::ValidateCatalog(objects));

    const metadata::ObjectDef& changed = *owner;
    const std::string changed_name = changed.name;
    const std::string now = FormatDateTime(clock_.NowMillis());
    P360_TRY(database_.WriteAlone([&](storage::Connection& connection) -> Status {
        P360_TRY(InsertCustomField(connection, changed.name, field, now));
        P360_TRY(storage::MigrateObject(connection, changed));
        return StampChange(connection);
    }));
    P360_TRY(Publish(std::move(objects)));
    log::Info("metadata.field_added", {{"object", changed_name}, {"field", field.name}});
    return field;
}

Status MetadataService::Reload() {
    std::lock_guard lock(change_mutex_);
    std::vector<metadata::ObjectDef> objects;
    P360_TRY(database_.Read([&](storage::Connection& connection) -> Status {
        P360_ASSIGN_OR_RETURN(objects, LoadDefinitions(connection));
        return Ok();
    }));
    P360_TRY(metadata::ValidateCatalog(objects));
    return Publish(std::move(objects));
}

}  // namespace p360::records
