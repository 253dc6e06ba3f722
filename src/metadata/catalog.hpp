// Catalog: an immutable set of object definitions, shared as a snapshot.
//
// A Catalog is built once (standard objects from catalog/*.yaml plus the custom objects and
// fields stored in the database) and never changed; adding a custom field produces a new Catalog
// that replaces the old one atomically (see MetadataService). Readers hold a
// `std::shared_ptr<const Catalog>` for the duration of a request, so a concurrent change never
// shows them half a definition. Thread-safe for concurrent reads.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "metadata/object_def.hpp"

namespace p360::metadata {

// A reference field and the object it belongs to.
struct ReferenceSite {
    const ObjectDef* object = nullptr;
    const FieldDef* field = nullptr;
};

class Catalog {
public:
    // `objects` must have passed ValidateCatalog.
    explicit Catalog(std::vector<ObjectDef> objects);

    const ObjectDef* FindObject(std::string_view name) const;
    const std::vector<ObjectDef>& objects() const { return objects_; }

    // Every reference field, in any object, whose target is `target`.
    std::vector<ReferenceSite> ReferencesTo(std::string_view target) const;

private:
    std::vector<ObjectDef> objects_;
    std::map<std::string, std::size_t, std::less<>> index_by_name_;
};

using CatalogSnapshot = std::shared_ptr<const Catalog>;

// Parses one YAML catalog document (`objects: [...]`) into definitions with system fields
// added. Errors name the source and the object/field at fault.
Result<std::vector<ObjectDef>> ParseCatalogYaml(std::string_view yaml_text,
                                                std::string_view source_name);

// Loads every `*.yaml` file of a directory, in name order.
Result<std::vector<ObjectDef>> LoadCatalogDirectory(const std::filesystem::path& directory);

// Checks a whole set of definitions: names well formed and unique, id prefixes unique,
// references point at existing objects, picklists have values, index fields exist.
Status ValidateCatalog(const std::vector<ObjectDef>& objects);

// Checks one field definition on its own (used for custom fields). Error locations are the
// definition's keys (`maxLength`, `values[2]`, `referenceTo`), as in the YAML format.
Status ValidateFieldDef(const FieldDef& field);

// Sets the flags other flags imply: an `externalId` type makes an external id, an external id
// is unique, a unique field is indexed. The loader applies it; so must any other definer.
void ApplyImpliedFlags(FieldDef& field);

// A default label from a name: "firstName" -> "First Name", "memberId" -> "Member ID",
// "waiting-on-member" -> "Waiting On Member".
std::string HumanizeName(std::string_view name);

}  // namespace p360::metadata
