#include "metadata/catalog.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cctype>
#include <fstream>
#include <iterator>
#include <set>
#include <span>
#include <sstream>
#include <system_error>
#include <type_traits>
#include <utility>

namespace p360::metadata {
namespace {

// ---------------------------------------------------------------------------------------------
// Field-type families

// Types whose values are free text of bounded length, so `maxLength` means something.
bool IsTextLike(FieldType type) {
    return type == FieldType::kText || type == FieldType::kLongText || type == FieldType::kEmail ||
           type == FieldType::kPhone || type == FieldType::kUrl || type == FieldType::kExternalId;
}

bool IsPicklist(FieldType type) {
    return type == FieldType::kPicklist || type == FieldType::kMultiPicklist;
}

bool IsReference(FieldType type) { return type == FieldType::kReference; }

bool IsSystemFieldName(std::string_view name) {
    for (const FieldDef& field : SystemFields()) {
        if (field.name == name) {
            return true;
        }
    }
    return false;
}

std::string AllFieldTypeNames() {
    std::string names;
    for (int type_idx = 0; type_idx <= static_cast<int>(FieldType::kExternalId); ++type_idx) {
        names += names.empty() ? "" : ", ";
        names += FieldTypeName(static_cast<FieldType>(type_idx));
    }
    return names;
}

std::string JoinNames(std::span<const std::string_view> names) {
    std::string joined;
    for (std::string_view name : names) {
        joined += joined.empty() ? "" : ", ";
        joined += name;
    }
    return joined;
}

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string Indexed(std::string_view path, std::string_view key, std::size_t idx) {
    return std::string(path) + "." + std::string(key) + "[" + std::to_string(idx) + "]";
}

// ---------------------------------------------------------------------------------------------
// YAML reading

constexpr std::array<std::string_view, 1> kDocumentKeys{"objects"};
constexpr std::array<std::string_view, 8> kObjectKeys{
    "name", "label", "pluralLabel", "idPrefix", "description", "personField", "fields", "indexes"};
constexpr std::array<std::string_view, 17> kFieldKeys{
    "name",    "label",      "description", "type",        "maxLength",  "precision",
    "scale",   "required",   "unique",      "indexed",     "searchable", "phi",
    "tracked", "externalId", "values",      "referenceTo", "onDelete"};
constexpr std::array<std::string_view, 3> kValueKeys{"value", "label", "active"};
constexpr std::array<std::string_view, 2> kIndexKeys{"fields", "unique"};

constexpr std::array<std::pair<std::string_view, bool FieldDef::*>, 7> kFlagKeys{{
    {"required", &FieldDef::required},
    {"unique", &FieldDef::unique},
    {"indexed", &FieldDef::indexed},
    {"searchable", &FieldDef::searchable},
    {"phi", &FieldDef::phi},
    {"tracked", &FieldDef::tracked},
    {"externalId", &FieldDef::external_id},
}};

// Keys that only make sense for some field types; anywhere else they are a mistake.
struct TypeSpecificKey {
    std::string_view key;
    bool (*applies)(FieldType);
    std::string_view types;
};

constexpr std::array<TypeSpecificKey, 6> kTypeSpecificKeys{{
    {"maxLength", IsTextLike, "text, longText, email, phone, url and externalId"},
    {"precision", IsNumeric, "number, currency and percent"},
    {"scale", IsNumeric, "number, currency and percent"},
    {"values", IsPicklist, "picklist and multiPicklist"},
    {"referenceTo", IsReference, "reference"},
    {"onDelete", IsReference, "reference"},
}};

template <typename T>
std::string_view ExpectedKind() {
    if constexpr (std::is_same_v<T, bool>) {
        return "true or false";
    } else if constexpr (std::is_same_v<T, int>) {
        return "an integer";
    } else {
        return "a string";
    }
}

// Ignores every parse event: used only to count documents.
class IgnoreEvents : public YAML::EventHandler {
public:
    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

// The number of documents in `text`, counting no further than two. Not YAML::LoadAll: in
// yaml-cpp 0.7 it never returns on some malformed input (a lone ",") and fills memory with
// empty documents (jbeder/yaml-cpp#1040, fixed upstream in #1319).
int CountDocuments(const std::string& text) {
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    IgnoreEvents ignore;
    int count = 0;
    while (count < 2 && parser.HandleNextDocument(ignore)) {
        ++count;
    }
    return count;
}

// One YAML map with the path that names it in errors ("Person.fields.firstName").
struct MapNode {
    struct Entry {
        std::string key;
        YAML::Node key_node;
        YAML::Node value;
    };

    YAML::Node node;
    std::string path;
    std::vector<Entry> entries;

    const Entry* Find(std::string_view key) const {
        for (const Entry& entry : entries) {
            if (entry.key == key) {
                return &entry;
            }
        }
        return nullptr;
    }
    std::string PathOf(std::string_view key) const {
        return path.empty() ? std::string(key) : path + "." + std::string(key);
    }
};

// Reads one catalog document into definitions. Stops at the first problem, located as
// "<source>: <path>" and with the YAML line, so a typo is found without a hunt. yaml-cpp's
// decoders are used in their non-throwing form; ParseCatalogYaml catches what remains.
class CatalogParser {
public:
    explicit CatalogParser(std::string_view source) : source_(source) {}

    Result<std::vector<ObjectDef>> ParseText(std::string_view text) const {
        const std::string owned_text(text);
        if (CountDocuments(owned_text) != 1) {
            return Fail(YAML::Node(), "", "Expected one YAML document with an `objects` list.");
        }
        P360_ASSIGN_OR_RETURN(const MapNode root, ReadMap(YAML::Load(owned_text), ""));
        P360_TRY(CheckKeys(root, kDocumentKeys));
        const MapNode::Entry* objects = root.Find("objects");
        if (objects == nullptr) {
            return Fail(root.node, "objects", "Missing required key \"objects\".");
        }
        return ParseList<ObjectDef>(objects->value, "objects",
                                    [&](const YAML::Node& node, const std::string& path) {
                                        return ParseObject(node, path);
                                    });
    }

private:
    template <typename T, typename ParseOne>
    Result<std::vector<T>> ParseList(const YAML::Node& node, const std::string& path,
                                     ParseOne parse_one) const {
        if (!node.IsSequence()) {
            return Fail(node, path, "Expected a list.");
        }
        std::vector<T> items;
        for (const YAML::Node& item_node : node) {
            const std::string item_path = path + "[" + std::to_string(items.size()) + "]";
            P360_ASSIGN_OR_RETURN(T item, parse_one(item_node, item_path));
            items.push_back(std::move(item));
        }
        return items;
    }

    Result<ObjectDef> ParseObject(const YAML::Node& node, const std::string& fallback_path) const {
        P360_ASSIGN_OR_RETURN(MapNode map, ReadMap(node, fallback_path));
        ObjectDef object;
        P360_TRY(ReadRequired(map, "name", object.name));
        map.path = object.name.empty() ? fallback_path : object.name;
        P360_TRY(CheckKeys(map, kObjectKeys));
        P360_TRY(ReadOptional(map, "label", object.label));
        P360_TRY(ReadOptional(map, "pluralLabel", object.plural_label));
        P360_TRY(ReadOptional(map, "idPrefix", object.id_prefix));
        P360_TRY(ReadOptional(map, "description", object.description));
        P360_TRY(ReadOptional(map, "personField", object.person_field));
        object.label = object.label.empty() ? object.name : object.label;
        object.plural_label =
            object.plural_label.empty() ? object.label + "s" : object.plural_label;
        object.fields = SystemFields();
        P360_TRY(ParseFields(map, object.fields));
        P360_TRY(ParseIndexes(map, object.indexes));
        return object;
    }

    Status ParseFields(const MapNode& object_map, std::vector<FieldDef>& fields) const {
        const MapNode::Entry* entry = object_map.Find("fields");
        if (entry == nullptr) {
            return Ok();
        }
        P360_ASSIGN_OR_RETURN(
            std::vector<FieldDef> declared,
            ParseList<FieldDef>(entry->value, object_map.PathOf("fields"),
                                [&](const YAML::Node& node, const std::string& fallback_path) {
                                    return ParseField(node, object_map.path, fallback_path);
                                }));
        std::move(declared.begin(), declared.end(), std::back_inserter(fields));
        return Ok();
    }

    Status ParseIndexes(const MapNode& object_map, std::vector<IndexDef>& indexes) const {
        const MapNode::Entry* entry = object_map.Find("indexes");
        if (entry == nullptr) {
            return Ok();
        }
        P360_ASSIGN_OR_RETURN(
            indexes, ParseList<IndexDef>(entry->value, object_map.PathOf("indexes"),
                                         [&](const YAML::Node& node, const std::string& path) {
                                             return ParseIndex(node, path);
                                         }));
        return Ok();
    }

    Result<FieldDef> ParseField(const YAML::Node& node, const std::string& object_path,
                                const std::string& fallback_path) const {
        P360_ASSIGN_OR_RETURN(MapNode map, ReadMap(node, fallback_path));
        FieldDef field;
        P360_TRY(ReadRequired(map, "name", field.name));
        map.path = field.name.empty() ? fallback_path : object_path + ".fields." + field.name;
        P360_TRY(CheckKeys(map, kFieldKeys));
        P360_TRY(ReadType(map, field));
        P360_TRY(ReadOptional(map, "label", field.label));
        P360_TRY(ReadOptional(map, "description", field.description));
        for (const auto& [key, member] : kFlagKeys) {
            P360_TRY(ReadOptional(map, key, field.*member));
        }
        P360_TRY(ReadOptional(map, "maxLength", field.max_length));
        P360_TRY(ReadOptional(map, "precision", field.precision));
        P360_TRY(ReadOptional(map, "scale", field.scale));
        P360_TRY(ReadOptional(map, "referenceTo", field.reference_to));
        P360_TRY(ParseOnDeleteKey(map, field));
        P360_TRY(ParseValues(map, field));
        field.label = field.label.empty() ? HumanizeName(field.name) : field.label;
        ApplyImpliedFlags(field);
        return field;
    }

    // Reads `type`, then rejects settings that do not apply to it (`maxLength` on a date).
    Status ReadType(const MapNode& map, FieldDef& field) const {
        std::string type_name;
        P360_TRY(ReadRequired(map, "type", type_name));
        const std::optional<FieldType> type = ParseFieldType(type_name);
        if (!type) {
            return Fail(map.Find("type")->value, map.PathOf("type"),
                        "Unknown field type " + Quoted(type_name) +
                            ". Types: " + AllFieldTypeNames() + ".");
        }
        field.type = *type;
        for (const TypeSpecificKey& rule : kTypeSpecificKeys) {
            const MapNode::Entry* entry = map.Find(rule.key);
            if (entry != nullptr && !rule.applies(field.type)) {
                return Fail(entry->key_node, map.PathOf(rule.key),
                            std::string(rule.key) + " applies only to " + std::string(rule.types) +
                                " fields, not " + type_name + ".");
            }
        }
        return Ok();
    }

    Status ParseOnDeleteKey(const MapNode& map, FieldDef& field) const {
        std::string name;
        P360_TRY(ReadOptional(map, "onDelete", name));
        if (name.empty()) {
            return Ok();
        }
        const std::optional<OnDelete> on_delete = ParseOnDelete(name);
        if (!on_delete) {
            return Fail(
                map.Find("onDelete")->value, map.PathOf("onDelete"),
                "Unknown onDelete " + Quoted(name) + ". Expected restrict, cascade or setNull.");
        }
        field.on_delete = *on_delete;
        return Ok();
    }

    Status ParseValues(const MapNode& field_map, FieldDef& field) const {
        const MapNode::Entry* entry = field_map.Find("values");
        if (entry == nullptr) {
            return Ok();
        }
        P360_ASSIGN_OR_RETURN(
            field.values,
            ParseList<PicklistValue>(entry->value, field_map.PathOf("values"),
                                     [&](const YAML::Node& node, const std::string& path) {
                                         return ParseValue(node, path);
                                     }));
        return Ok();
    }

    // A picklist value is either a plain string or a map {value, label, active}.
    Result<PicklistValue> ParseValue(const YAML::Node& node, const std::string& path) const {
        PicklistValue value;
        if (node.IsScalar()) {
            value.value = node.Scalar();
        } else if (!node.IsMap()) {
            return Fail(node, path, "Expected a value, or a map with value, label and active.");
        } else {
            P360_ASSIGN_OR_RETURN(const MapNode map, ReadMap(node, path));
            P360_TRY(CheckKeys(map, kValueKeys));
            P360_TRY(ReadRequired(map, "value", value.value));
            P360_TRY(ReadOptional(map, "label", value.label));
            P360_TRY(ReadOptional(map, "active", value.active));
        }
        value.label = value.label.empty() ? HumanizeName(value.value) : value.label;
        return value;
    }

    Result<IndexDef> ParseIndex(const YAML::Node& node, const std::string& path) const {
        P360_ASSIGN_OR_RETURN(const MapNode map, ReadMap(node, path));
        P360_TRY(CheckKeys(map, kIndexKeys));
        IndexDef index;
        const MapNode::Entry* fields = map.Find("fields");
        if (fields == nullptr) {
            return Fail(node, map.PathOf("fields"), "Missing required key \"fields\".");
        }
        P360_ASSIGN_OR_RETURN(
            index.fields,
            ParseList<std::string>(fields->value, map.PathOf("fields"),
                                   [&](const YAML::Node& item, const std::string& item_path) {
                                       return ReadScalar<std::string>(item, item_path);
                                   }));
        P360_TRY(ReadOptional(map, "unique", index.unique));
        return index;
    }

    // Collects a map's entries; keys are checked later, once the path can name the object.
    Result<MapNode> ReadMap(const YAML::Node& node, const std::string& path) const {
        if (!node.IsMap()) {
            return Fail(node, path, "Expected a map of keys and values.");
        }
        MapNode map{node, path, {}};
        for (const auto& pair : node) {
            std::string key;
            if (!YAML::convert<std::string>::decode(pair.first, key)) {
                return Fail(pair.first, path, "Keys must be plain strings.");
            }
            map.entries.push_back({std::move(key), pair.first, pair.second});
        }
        return map;
    }

    // Unknown keys are errors, so a misspelt `requird: true` cannot silently do nothing. yaml-cpp
    // keeps duplicate keys and reads the first, so those are rejected too.
    Status CheckKeys(const MapNode& map, std::span<const std::string_view> allowed) const {
        std::set<std::string_view> seen;
        for (const MapNode::Entry& entry : map.entries) {
            if (std::find(allowed.begin(), allowed.end(), entry.key) == allowed.end()) {
                return Fail(entry.key_node, map.PathOf(entry.key),
                            "Unknown key " + Quoted(entry.key) +
                                ". Allowed keys: " + JoinNames(allowed) + ".");
            }
            if (!seen.insert(entry.key).second) {
                return Fail(entry.key_node, map.PathOf(entry.key),
                            "Duplicate key " + Quoted(entry.key) + ".");
            }
        }
        return Ok();
    }

    template <typename T>
    Result<T> ReadScalar(const YAML::Node& node, const std::string& path) const {
        T value{};
        if (!YAML::convert<T>::decode(node, value)) {
            return Fail(node, path, "Expected " + std::string(ExpectedKind<T>()) + ".");
        }
        return value;
    }

    // Leaves `target` unchanged when the key is absent.
    template <typename T>
    Status ReadOptional(const MapNode& map, std::string_view key, T& target) const {
        const MapNode::Entry* entry = map.Find(key);
        if (entry != nullptr) {
            P360_ASSIGN_OR_RETURN(target, ReadScalar<T>(entry->value, map.PathOf(key)));
        }
        return Ok();
    }

    template <typename T>
    Status ReadOptional(const MapNode& map, std::string_view key, std::optional<T>& target) const {
        const MapNode::Entry* entry = map.Find(key);
        if (entry != nullptr) {
            P360_ASSIGN_OR_RETURN(target, ReadScalar<T>(entry->value, map.PathOf(key)));
        }
        return Ok();
    }

    template <typename T>
    Status ReadRequired(const MapNode& map, std::string_view key, T& target) const {
        if (map.Find(key) == nullptr) {
            return Fail(map.node, map.PathOf(key), "Missing required key " + Quoted(key) + ".");
        }
        return ReadOptional(map, key, target);
    }

    Error Fail(const YAML::Node& node, const std::string& path, std::string message) const {
        const std::string location = path.empty() ? source_ : source_ + ": " + path;
        Error error = Error::InvalidArgument(std::move(message), location);
        const YAML::Mark mark = node.IsDefined() ? node.Mark() : YAML::Mark::null_mark();
        if (!mark.is_null() && !error.field_errors.empty()) {
            error.field_errors.front().line = mark.line + 1;
        }
        return error;
    }

    std::string source_;
};

// "person.yaml:12:5", from yaml-cpp's zero-based mark.
std::string MarkLocation(std::string_view source, const YAML::Mark& mark) {
    if (mark.is_null()) {
        return std::string(source);
    }
    return std::string(source) + ":" + std::to_string(mark.line + 1) + ":" +
           std::to_string(mark.column + 1);
}

// ---------------------------------------------------------------------------------------------
// Validation

// Collects every problem, so an author fixes a catalog in one pass rather than one per run.
class Problems {
public:
    void Add(std::string field, std::string message) {
        errors_.push_back({std::move(field), std::move(message), std::nullopt});
    }
    Status ToStatus() && {
        if (errors_.empty()) {
            return Ok();
        }
        return Error::Validation(std::move(errors_));
    }

private:
    std::vector<FieldError> errors_;
};

void CheckReferenceSettings(const FieldDef& field, const std::string& prefix, Problems& problems) {
    if (field.type != FieldType::kReference) {
        if (!field.reference_to.empty()) {
            problems.Add(prefix + "referenceTo", "Only reference fields have referenceTo.");
        }
        if (field.on_delete != OnDelete::kRestrict) {
            problems.Add(prefix + "onDelete", "Only reference fields have onDelete.");
        }
        return;
    }
    if (!IsUpperCamelCase(field.reference_to)) {
        problems.Add(prefix + "referenceTo",
                     "A reference field needs referenceTo: the name of an object.");
    }
    // Deleting the target would have to break the field's own `required` rule.
    if (field.required && field.on_delete == OnDelete::kSetNull) {
        problems.Add(prefix + "onDelete", "A required reference cannot use onDelete setNull.");
    }
}

void CheckPicklistSettings(const FieldDef& field, const std::string& prefix, Problems& problems) {
    if (!IsPicklist(field.type)) {
        if (!field.values.empty()) {
            problems.Add(prefix + "values", "Only picklist and multiPicklist fields have values.");
        }
        return;
    }
    if (field.values.empty()) {
        problems.Add(prefix + "values", "A picklist needs at least one value.");
    }
    std::set<std::string_view> seen;
    for (std::size_t value_idx = 0; value_idx < field.values.size(); ++value_idx) {
        const PicklistValue& value = field.values[value_idx];
        const std::string path = prefix + "values[" + std::to_string(value_idx) + "]";
        if (value.value.empty()) {
            problems.Add(path, "A picklist value cannot be empty.");
        } else if (!seen.insert(value.value).second) {
            problems.Add(path, "Duplicate picklist value " + Quoted(value.value) + ".");
        }
        if (value.label.empty()) {
            problems.Add(path + ".label", "A picklist value needs a label.");
        }
    }
}

void CheckSizeSettings(const FieldDef& field, const std::string& prefix, Problems& problems) {
    if (field.max_length) {
        if (!IsTextLike(field.type)) {
            problems.Add(prefix + "maxLength", "Only text-like fields have maxLength.");
        } else if (*field.max_length < 1 || *field.max_length > 100000) {
            problems.Add(prefix + "maxLength", "maxLength must be between 1 and 100000.");
        }
    }
    if (!IsNumeric(field.type)) {
        return;
    }
    if (field.precision < 1 || field.precision > 38) {
        problems.Add(prefix + "precision", "precision must be between 1 and 38.");
    }
    if (field.scale < 0 || field.scale > field.precision) {
        problems.Add(prefix + "scale", "scale must be between 0 and precision.");
    }
}

// Storage relies on the implications ApplyImpliedFlags sets, so a definition missing one is
// rejected rather than silently given an unindexed unique column.
void CheckFlags(const FieldDef& field, const std::string& prefix, Problems& problems) {
    if (field.external_id && field.type != FieldType::kText &&
        field.type != FieldType::kExternalId) {
        problems.Add(prefix + "externalId", "Only text and externalId fields can be external ids.");
    }
    if (field.type == FieldType::kExternalId && !field.external_id) {
        problems.Add(prefix + "externalId", "An externalId field must be flagged externalId.");
    }
    if (field.external_id && !field.unique) {
        problems.Add(prefix + "unique", "An external id must be unique.");
    }
    if (field.unique && !field.indexed) {
        problems.Add(prefix + "indexed", "A unique field must be indexed.");
    }
}

// `prefix` is "" for a lone field and "Person.fields.firstName." inside a catalog.
void CheckField(const FieldDef& field, const std::string& prefix, Problems& problems) {
    if (!IsLowerCamelCase(field.name)) {
        problems.Add(prefix + "name",
                     "Field names are lowerCamelCase: a lowercase letter, then letters and "
                     "digits, at most 64 characters.");
    } else if (!field.system && IsSystemFieldName(field.name)) {
        problems.Add(prefix + "name", Quoted(field.name) + " is reserved for a system field.");
    }
    if (field.label.empty()) {
        problems.Add(prefix + "label", "A field needs a label.");
    }
    CheckReferenceSettings(field, prefix, problems);
    CheckPicklistSettings(field, prefix, problems);
    CheckSizeSettings(field, prefix, problems);
    CheckFlags(field, prefix, problems);
}

bool IsWellFormedIdPrefix(std::string_view prefix) {
    return prefix.size() >= 2 && prefix.size() <= 4 &&
           std::all_of(prefix.begin(), prefix.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

void CheckObjectNames(const ObjectDef& object, Problems& problems) {
    if (!IsUpperCamelCase(object.name)) {
        problems.Add(object.name + ".name",
                     "Object names are UpperCamelCase: an uppercase letter, then letters and "
                     "digits, at most 64 characters.");
    }
    if (object.label.empty()) {
        problems.Add(object.name + ".label", "An object needs a label.");
    }
    if (object.plural_label.empty()) {
        problems.Add(object.name + ".pluralLabel", "An object needs a plural label.");
    }
    if (!object.id_prefix.empty() && !IsWellFormedIdPrefix(object.id_prefix)) {
        problems.Add(object.name + ".idPrefix", "An idPrefix is 2 to 4 lowercase letters.");
    } else if (object.id_prefix.empty() && !object.custom) {
        problems.Add(object.name + ".idPrefix", "A standard object needs an idPrefix.");
    }
}

// Storage, security and the API all assume the system fields lead every object, in order.
void CheckSystemFields(const ObjectDef& object, Problems& problems) {
    const std::vector<FieldDef> system_fields = SystemFields();
    bool leading = object.fields.size() >= system_fields.size();
    for (std::size_t field_idx = 0; leading && field_idx < system_fields.size(); ++field_idx) {
        leading = object.fields[field_idx].system &&
                  object.fields[field_idx].name == system_fields[field_idx].name;
    }
    const bool system_later =
        std::any_of(object.fields.begin() + (leading ? system_fields.size() : 0),
                    object.fields.end(), [](const FieldDef& field) { return field.system; });
    if (!leading || system_later) {
        problems.Add(object.name + ".fields",
                     "The system fields must come first, in order, and only once.");
    }
}

void CheckDeclaredFields(const ObjectDef& object, const std::set<std::string_view>& objects,
                         Problems& problems) {
    std::set<std::string_view> seen;
    for (const FieldDef& field : object.fields) {
        if (field.system) {
            continue;
        }
        const std::string path = object.name + ".fields." + field.name;
        CheckField(field, path + ".", problems);
        if (!seen.insert(field.name).second) {
            problems.Add(path, "Field " + Quoted(field.name) + " is declared more than once.");
        }
        if (IsReference(field.type) && IsUpperCamelCase(field.reference_to) &&
            objects.count(field.reference_to) == 0) {
            problems.Add(path + ".referenceTo",
                         "No object named " + Quoted(field.reference_to) + ".");
        }
    }
}

void CheckIndexes(const ObjectDef& object, Problems& problems) {
    for (std::size_t index_idx = 0; index_idx < object.indexes.size(); ++index_idx) {
        const IndexDef& index = object.indexes[index_idx];
        const std::string path = Indexed(object.name, "indexes", index_idx) + ".fields";
        if (index.fields.empty()) {
            problems.Add(path, "An index needs at least one field.");
        }
        std::set<std::string_view> seen;
        for (std::size_t field_idx = 0; field_idx < index.fields.size(); ++field_idx) {
            const std::string& name = index.fields[field_idx];
            const std::string field_path = path + "[" + std::to_string(field_idx) + "]";
            if (object.FindField(name) == nullptr) {
                problems.Add(field_path, "No field named " + Quoted(name) + ".");
            } else if (!seen.insert(name).second) {
                problems.Add(field_path, "Field " + Quoted(name) + " appears twice in the index.");
            }
        }
    }
}

// The person field is how member-centred records are found (and later distributed) by member.
void CheckPersonField(const ObjectDef& object, Problems& problems) {
    if (object.person_field.empty()) {
        return;
    }
    const FieldDef* field = object.FindField(object.person_field);
    if (field == nullptr || field->type != FieldType::kReference ||
        field->reference_to != "Person") {
        problems.Add(object.name + ".personField",
                     "personField must name a reference field to Person.");
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Catalog

Catalog::Catalog(std::vector<ObjectDef> objects) : objects_(std::move(objects)) {
    for (std::size_t object_idx = 0; object_idx < objects_.size(); ++object_idx) {
        [[maybe_unused]] const bool inserted =
            index_by_name_.emplace(objects_[object_idx].name, object_idx).second;
        assert(inserted && "object names are unique once ValidateCatalog has passed");
    }
}

const ObjectDef* Catalog::FindObject(std::string_view name) const {
    const auto found = index_by_name_.find(name);
    return found == index_by_name_.end() ? nullptr : &objects_[found->second];
}

std::vector<ReferenceSite> Catalog::ReferencesTo(std::string_view target) const {
    std::vector<ReferenceSite> sites;
    for (const ObjectDef& object : objects_) {
        for (const FieldDef& field : object.fields) {
            if (field.type == FieldType::kReference && field.reference_to == target) {
                sites.push_back({&object, &field});
            }
        }
    }
    return sites;
}

// ---------------------------------------------------------------------------------------------
// Loading

Result<std::vector<ObjectDef>> ParseCatalogYaml(std::string_view yaml_text,
                                                std::string_view source_name) {
    try {
        return CatalogParser(source_name).ParseText(yaml_text);
    } catch (const YAML::Exception& error) {
        Error result = Error::InvalidArgument("Invalid YAML: " + error.msg + ".",
                                              MarkLocation(source_name, error.mark));
        if (!error.mark.is_null()) {
            result.field_errors.front().line = error.mark.line + 1;
        }
        return result;
    } catch (const std::exception& error) {
        return Error::Internal(std::string("catalog parser failed: ") + error.what());
    }
}

namespace {

Result<std::vector<std::filesystem::path>> ListYamlFiles(const std::filesystem::path& directory) {
    std::vector<std::filesystem::path> files;
    std::error_code error;
    for (std::filesystem::directory_iterator entry(directory, error), end; !error && entry != end;
         entry.increment(error)) {
        std::error_code type_error;
        if (entry->path().extension() == ".yaml" && entry->is_regular_file(type_error)) {
            files.push_back(entry->path());
        }
    }
    if (error) {
        return Error::Unavailable("The catalog directory cannot be read.",
                                  directory.string() + ": " + error.message());
    }
    if (files.empty()) {
        return Error::InvalidArgument("The catalog directory holds no *.yaml files.",
                                      directory.string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

Result<std::string> ReadWholeFile(const std::filesystem::path& path) {
    std::ifstream stream(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
    if (!stream.is_open() || stream.bad()) {
        return Error::Unavailable("A catalog file cannot be read.", path.string());
    }
    return text;
}

}  // namespace

Result<std::vector<ObjectDef>> LoadCatalogDirectory(const std::filesystem::path& directory) {
    P360_ASSIGN_OR_RETURN(const std::vector<std::filesystem::path> files, ListYamlFiles(directory));
    std::vector<ObjectDef> objects;
    for (const std::filesystem::path& file : files) {
        P360_ASSIGN_OR_RETURN(const std::string text, ReadWholeFile(file));
        P360_ASSIGN_OR_RETURN(std::vector<ObjectDef> parsed,
                              ParseCatalogYaml(text, file.filename().string()));
        std::move(parsed.begin(), parsed.end(), std::back_inserter(objects));
    }
    P360_TRY(ValidateCatalog(objects));
    return objects;
}

// ---------------------------------------------------------------------------------------------
// Validation

Status ValidateCatalog(const std::vector<ObjectDef>& objects) {
    Problems problems;
    std::set<std::string_view> names;
    std::map<std::string_view, std::string_view> prefix_owners;
    for (const ObjectDef& object : objects) {
        if (!names.insert(object.name).second) {
            problems.Add(object.name + ".name",
                         "Object " + Quoted(object.name) + " is declared more than once.");
        }
        if (!object.id_prefix.empty()) {
            const auto [owner, inserted] = prefix_owners.emplace(object.id_prefix, object.name);
            if (!inserted) {
                problems.Add(object.name + ".idPrefix", "idPrefix " + Quoted(object.id_prefix) +
                                                            " is already used by " +
                                                            std::string(owner->second) + ".");
            }
        }
    }
    for (const ObjectDef& object : objects) {
        CheckObjectNames(object, problems);
        CheckSystemFields(object, problems);
        CheckDeclaredFields(object, names, problems);
        CheckIndexes(object, problems);
        CheckPersonField(object, problems);
    }
    return std::move(problems).ToStatus();
}

Status ValidateFieldDef(const FieldDef& field) {
    Problems problems;
    CheckField(field, "", problems);
    return std::move(problems).ToStatus();
}

void ApplyImpliedFlags(FieldDef& field) {
    if (field.type == FieldType::kExternalId) {
        field.external_id = true;
    }
    if (field.external_id) {
        field.unique = true;
    }
    if (field.unique) {
        field.indexed = true;
    }
}

namespace {

bool IsAsciiUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAsciiLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// True when name[char_idx] begins a new word of a camelCase or digit-suffixed name.
bool StartsWord(std::string_view name, std::size_t char_idx) {
    const char c = name[char_idx];
    const char previous = name[char_idx - 1];
    const bool next_is_lower = char_idx + 1 < name.size() && IsAsciiLower(name[char_idx + 1]);
    if (IsAsciiUpper(c)) {
        // "firstName" splits before N; "IDNumber" splits before N, keeping "ID" whole.
        return !IsAsciiUpper(previous) || next_is_lower;
    }
    return IsAsciiDigit(c) != IsAsciiDigit(previous);
}

// Common initialisms that read wrongly in title case ("Member Id").
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kInitialisms{
    {{"Id", "ID"}, {"Url", "URL"}, {"Npi", "NPI"}, {"Ssn", "SSN"}, {"Sms", "SMS"}}};

std::string TitleWord(std::string word) {
    word.front() = static_cast<char>(std::toupper(static_cast<unsigned char>(word.front())));
    for (const auto& [title, initialism] : kInitialisms) {
        if (word == title) {
            return std::string(initialism);
        }
    }
    return word;
}

}  // namespace

std::string HumanizeName(std::string_view name) {
    std::vector<std::string> words;
    for (std::size_t char_idx = 0; char_idx < name.size(); ++char_idx) {
        const char c = name[char_idx];
        if (c == '-' || c == '_' || c == ' ') {
            words.emplace_back();
            continue;
        }
        if (words.empty() || (char_idx > 0 && StartsWord(name, char_idx))) {
            words.emplace_back();
        }
        words.back() += c;
    }
    std::string label;
    for (std::string& word : words) {
        if (!word.empty()) {
            label += label.empty() ? "" : " ";
            label += TitleWord(std::move(word));
        }
    }
    return label;
}

}  // namespace p360::metadata
