#include "records/definition_json.hpp"

#include <array>

namespace p360::records {
namespace {

using metadata::FieldDef;
using metadata::FieldType;

// Reads optional typed members of a JSON object, collecting errors and refusing unknown keys.
class MemberReader {
public:
    MemberReader(const json::object& object, std::string prefix)
        : object_(object), prefix_(std::move(prefix)) {}

    void Text(std::string_view key, std::string& out) {
        if (const json::value* value = Find(key)) {
            if (value->is_string()) {
                out = value->get_string();
            } else {
                Fail(key, "Expected a string.");
            }
        }
    }
    void Flag(std::string_view key, bool& out) {
        if (const json::value* value = Find(key)) {
            if (value->is_bool()) {
                out = value->get_bool();
            } else {
                Fail(key, "Expected true or false.");
            }
        }
    }
    void Integer(std::string_view key, int minimum, int maximum, std::optional<int>& out) {
        if (const json::value* value = Find(key)) {
            if (value->is_int64() && value->get_int64() >= minimum &&
                value->get_int64() <= maximum) {
                out = static_cast<int>(value->get_int64());
            } else {
                Fail(key, "Expected a whole number from " + std::to_string(minimum) + " to " +
                              std::to_string(maximum) + ".");
            }
        }
    }
    const json::value* Find(std::string_view key) {
        seen_.push_back(key);
        return object_.if_contains(key);
    }
    void Fail(std::string_view key, std::string message) {
        errors_.push_back({prefix_ + std::string(key), std::move(message), {}});
    }
    // Reports every key that no reader asked for.
    void RejectUnknown() {
        for (const auto& [key, value] : object_) {
            if (std::find(seen_.begin(), seen_.end(), std::string_view(key)) == seen_.end()) {
                errors_.push_back({prefix_ + std::string(key), "Unknown property.", {}});
            }
        }
    }
    std::vector<FieldError>& errors() { return errors_; }

private:
    const json::object& object_;
    std::string prefix_;
    std::vector<std::string_view> seen_;
    std::vector<FieldError> errors_;
};

void ReadPicklistValues(MemberReader& reader, FieldDef& field) {
    const json::value* values = reader.Find("values");
    if (values == nullptr) {
        return;
    }
    if (!values->is_array()) {
        reader.Fail("values", "Expected an array of values.");
        return;
    }
    for (const json::value& item : values->get_array()) {
        metadata::PicklistValue choice;
        if (item.is_string()) {
            choice.value = item.get_string();
        } else if (item.is_object() && item.get_object().if_contains("value") &&
                   item.get_object().at("value").is_string()) {
            const json::object& entry = item.get_object();
            choice.value = entry.at("value").get_string();
            if (const auto* label = entry.if_contains("label"); label && label->is_string()) {
                choice.label = label->get_string();
            }
            if (const auto* active = entry.if_contains("active"); active && active->is_bool()) {
                choice.active = active->get_bool();
            }
        } else {
            reader.Fail("values", "Each value is a string or {value, label, active}.");
            return;
        }
        if (choice.label.empty()) {
            choice.label = choice.value;
        }
        field.values.push_back(std::move(choice));
    }
}

}  // namespace

json::object FieldToJson(const FieldDef& field) {
    json::object out;
    out["name"] = field.name;
    out["label"] = field.label;
    out["type"] = metadata::FieldTypeName(field.type);
    if (!field.description.empty()) {
        out["description"] = field.description;
    }
    out["required"] = field.required;
    out["unique"] = field.unique || field.external_id;
    out["indexed"] = field.indexed || field.unique || field.external_id;
    out["searchable"] = field.searchable;
    out["externalId"] = field.external_id;
    out["phi"] = field.phi;
    out["tracked"] = field.tracked;
    out["system"] = field.system;
    out["custom"] = field.custom;
    if (field.max_length) {
        out["maxLength"] = *field.max_length;
    }
    if (metadata::IsNumeric(field.type)) {
        out["precision"] = field.precision;
        out["scale"] = field.scale;
    }
    if (!field.values.empty()) {
        json::array values;
        for (const auto& choice : field.values) {
            values.push_back(json::object{
                {"value", choice.value}, {"label", choice.label}, {"active", choice.active}});
        }
        out["values"] = std::move(values);
    }
    if (field.type == FieldType::kReference) {
        out["referenceTo"] = field.reference_to;
        out["onDelete"] = metadata::OnDeleteName(field.on_delete);
    }
    return out;
}

json::object ObjectToJson(const metadata::ObjectDef& object,
                          const std::function<bool(const FieldDef&)>& include_field) {
    json::object out;
    out["name"] = object.name;
    out["label"] = object.label;
    out["pluralLabel"] = object.plural_label;
    if (!object.description.empty()) {
        out["description"] = object.description;
    }
    out["idPrefix"] = object.id_prefix;
    out["custom"] = object.custom;
    if (!object.person_field.empty()) {
        out["personField"] = object.person_field;
    }
    json::array fields;
    for (const FieldDef& field : object.fields) {
        if (!include_field || include_field(field)) {
            fields.push_back(FieldToJson(field));
        }
    }
    out["fields"] = std::move(fields);
    return out;
}

Result<FieldDef> FieldFromJson(const json::value& body) {
    if (!body.is_object()) {
        return Error::InvalidArgument("A field definition must be a JSON object.", "body");
    }
    MemberReader reader(body.get_object(), "");
    FieldDef field;
    std::string type_name;
    std::string on_delete = "restrict";
    std::optional<int> max_length;
    std::optional<int> precision;
    std::optional<int> scale;
    reader.Text("name", field.name);
    reader.Text("label", field.label);
    reader.Text("description", field.description);
    reader.Text("type", type_name);
    reader.Flag("required", field.required);
    reader.Flag("unique", field.unique);
    reader.Flag("indexed", field.indexed);
    reader.Flag("searchable", field.searchable);
    reader.Flag("phi", field.phi);
    reader.Flag("tracked", field.tracked);
    reader.Flag("externalId", field.external_id);
    reader.Integer("maxLength", 1, 131'072, max_length);
    reader.Integer("precision", 1, 38, precision);
    reader.Integer("scale", 0, 18, scale);
    reader.Text("referenceTo", field.reference_to);
    reader.Text("onDelete", on_delete);
    ReadPicklistValues(reader, field);
    reader.RejectUnknown();

    if (field.name.empty()) {
        reader.Fail("name", "A field needs a name.");
    }
    if (auto type = metadata::ParseFieldType(type_name)) {
        field.type = *type;
    } else {
        reader.Fail("type", "Unknown field type.");
    }
    if (auto parsed = metadata::ParseOnDelete(on_delete)) {
        field.on_delete = *parsed;
    } else {
        reader.Fail("onDelete", "Expected restrict, cascade or setNull.");
    }
    field.max_length = max_length;
    field.precision = precision.value_or(field.precision);
    field.scale = scale.value_or(field.scale);
    if (field.type == FieldType::kExternalId) {
        field.external_id = true;
    }
    if (field.external_id) {
        field.unique = true;
    }
    if (field.unique) {
        field.indexed = true;  // uniqueness is enforced by an index
    }
    if (field.label.empty()) {
        field.label = field.name;
    }
    if (!reader.errors().empty()) {
        return Error::Validation(std::move(reader.errors()));
    }
    return field;
}

Result<metadata::ObjectDef> ObjectFromJson(const json::value& body) {
    if (!body.is_object()) {
        return Error::InvalidArgument("An object definition must be a JSON object.", "body");
    }
    MemberReader reader(body.get_object(), "");
    metadata::ObjectDef object;
    reader.Text("name", object.name);
    reader.Text("label", object.label);
    reader.Text("pluralLabel", object.plural_label);
    reader.Text("description", object.description);
    const json::value* fields = reader.Find("fields");
    reader.RejectUnknown();
    if (object.name.empty()) {
        reader.Fail("name", "An object needs a name.");
    }
    if (fields != nullptr) {
        if (!fields->is_array()) {
            reader.Fail("fields", "Expected an array of field definitions.");
        } else {
            for (std::size_t field_idx = 0; field_idx < fields->get_array().size(); ++field_idx) {
                auto field = FieldFromJson(fields->get_array()[field_idx]);
                if (!field.ok()) {
                    for (const FieldError& error : field.error().field_errors) {
                        reader.errors().push_back(
                            {"fields/" + std::to_string(field_idx) + "/" + error.field,
                             error.message,
                             {}});
                    }
                    continue;
                }
                object.fields.push_back(std::move(field).value());
            }
        }
    }
    if (object.label.empty()) {
        object.label = object.name;
    }
    if (object.plural_label.empty()) {
        object.plural_label = object.label + "s";
    }
    if (!reader.errors().empty()) {
        return Error::Validation(std::move(reader.errors()));
    }
    return object;
}

}  // namespace p360::records
