#include "records/record_codec.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <iterator>

#include "core/ids.hpp"
#include "core/time_format.hpp"

namespace p360::records {
namespace {

using metadata::FieldDef;
using metadata::FieldType;
using storage::Value;

constexpr std::size_t kMaxJsonDepth = 32;

std::size_t DefaultMaxLength(FieldType type) {
    switch (type) {
        case FieldType::kLongText:
            return 131'072;
        case FieldType::kEmail:
            return 254;
        case FieldType::kPhone:
            return 40;
        case FieldType::kUrl:
            return 2048;
        default:
            return 255;
    }
}

// Counts code points, so a limit of 80 means 80 characters for any script.
std::size_t Utf8Length(std::string_view text) {
    std::size_t length = 0;
    for (unsigned char c : text) {
        length += (c & 0xC0U) != 0x80U;
    }
    return length;
}

bool IsPlausibleEmail(std::string_view text) {
    const auto at = text.find('@');
    if (at == std::string_view::npos || at == 0 || at != text.rfind('@')) {
        return false;
    }
    const std::string_view domain = text.substr(at + 1);
    const auto dot = domain.find('.');
    return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size() &&
           text.find_first_of(" \t\r\n,;<>") == std::string_view::npos;
}

bool IsPlausiblePhone(std::string_view text) {
    int digits = 0;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            ++digits;
        } else if (std::string_view(" +-().x").find(c) == std::string_view::npos) {
            return false;
        }
    }
    return digits >= 4;
}

bool IsPlausibleUrl(std::string_view text) {
    return (text.starts_with("https://") || text.starts_with("http://")) && text.size() > 8 &&
           text.find_first_of(" \t\r\n") == std::string_view::npos;
}

Result<Value> DecodeText(const FieldDef& field, const json::value& value) {
    if (!value.is_string()) {
        return Error::InvalidArgument("Expected a string.", field.name);
    }
    const std::string_view text = value.get_string();
    const std::size_t limit = field.max_length ? static_cast<std::size_t>(*field.max_length)
                                               : DefaultMaxLength(field.type);
    if (Utf8Length(text) > limit) {
        return Error::InvalidArgument("At most " + std::to_string(limit) + " characters.",
                                      field.name);
    }
    switch (field.type) {
        case FieldType::kEmail:
            if (!IsPlausibleEmail(text)) {
                return Error::InvalidArgument("Not a valid e-mail address.", field.name);
            }
            break;
        case FieldType::kPhone:
            if (!IsPlausiblePhone(text)) {
                return Error::InvalidArgument("Not a valid phone number.", field.name);
            }
            break;
        case FieldType::kUrl:
            if (!IsPlausibleUrl(text)) {
                return Error::InvalidArgument("Not a valid http(s) URL.", field.name);
            }
            break;
        case FieldType::kPicklist: {
            const auto* choice = field.FindValue(text);
            if (choice == nullptr || !choice->active) {
                return Error::InvalidArgument("Not one of the field's picklist values.",
                                              field.name);
            }
            break;
        }
        default:
            break;
    }
    return Value{std::string(text)};
}

Result<Value> DecodeMultiPicklist(const FieldDef& field, const json::value& value) {
    if (!value.is_array()) {
        return Error::InvalidArgument("Expected an array of picklist values.", field.name);
    }
    std::string joined;
    std::vector<std::string_view> seen;
    for (const json::value& item : value.get_array()) {
        if (!item.is_string()) {
            return Error::InvalidArgument("Expected an array of picklist values.", field.name);
        }
        const std::string_view choice = item.get_string();
        const auto* known = field.FindValue(choice);
        if (known == nullptr || !known->active) {
            return Error::InvalidArgument("Not one of the field's picklist values.", field.name);
        }
        if (std::find(seen.begin(), seen.end(), choice) != seen.end()) {
            return Error::InvalidArgument("A picklist value is repeated.", field.name);
        }
        seen.push_back(choice);
        joined.append(joined.empty() ? "" : ";").append(choice);
    }
    if (seen.empty()) {
        return Value{storage::Null{}};
    }
    return Value{std::move(joined)};
}

Result<Value> DecodeNumber(const FieldDef& field, const json::value& value) {
    double number = 0;
    if (value.is_int64()) {
        number = static_cast<double>(value.get_int64());
    } else if (value.is_uint64()) {
        number = static_cast<double>(value.get_uint64());
    } else if (value.is_double()) {
        number = value.get_double();
    } else {
        return Error::InvalidArgument("Expected a number.", field.name);
    }
    const double bound = std::pow(10.0, field.precision - field.scale);
    if (!std::isfinite(number) || std::fabs(number) >= bound) {
        return Error::InvalidArgument("The number is out of range for this field.", field.name);
    }
    if (field.scale == 0) {
        if (number != std::trunc(number)) {
            return Error::InvalidArgument("Expected a whole number.", field.name);
        }
        return Value{value.is_int64() ? value.get_int64() : static_cast<std::int64_t>(number)};
    }
    return Value{number};
}

Result<Value> DecodeReference(const metadata::Catalog& catalog, const FieldDef& field,
                              const json::value& value) {
    if (!value.is_string()) {
        return Error::InvalidArgument("Expected a record id.", field.name);
    }
    const auto* target = catalog.FindObject(field.reference_to);
    if (target == nullptr || !IsWellFormedId(value.get_string(), target->id_prefix)) {
        return Error::InvalidArgument("Not a " + field.reference_to + " record id.", field.name);
    }
    return Value{std::string(value.get_string())};
}

}  // namespace

Result<Value> DecodeValue(const metadata::Catalog& catalog, const FieldDef& field,
                          const json::value& value) {
    if (value.is_null()) {
        return Value{storage::Null{}};
    }
    switch (field.type) {
        case FieldType::kNumber:
        case FieldType::kCurrency:
        case FieldType::kPercent:
            return DecodeNumber(field, value);
        case FieldType::kBoolean:
            if (!value.is_bool()) {
                return Error::InvalidArgument("Expected true or false.", field.name);
            }
            return Value{std::int64_t{value.get_bool() ? 1 : 0}};
        case FieldType::kDate: {
            auto date = value.is_string() ? NormalizeDate(value.get_string()) : std::nullopt;
            if (!date) {
                return Error::InvalidArgument("Expected a date as YYYY-MM-DD.", field.name);
            }
            return Value{std::move(*date)};
        }
        case FieldType::kDateTime: {
            auto datetime =
                value.is_string() ? NormalizeDateTime(value.get_string()) : std::nullopt;
            if (!datetime) {
                return Error::InvalidArgument(
                    "Expected a datetime with an offset, e.g. 2024-05-01T09:30:00Z.", field.name);
            }
            return Value{std::move(*datetime)};
        }
        case FieldType::kMultiPicklist:
            return DecodeMultiPicklist(field, value);
        case FieldType::kReference:
            return DecodeReference(catalog, field, value);
        default:
            return DecodeText(field, value);
    }
}

Result<std::vector<FieldAssignment>> DecodeFields(const metadata::Catalog& catalog,
                                                  const metadata::ObjectDef& object,
                                                  const json::value& body,
                                                  const EditCheck& can_edit) {
    if (!body.is_object()) {
        return Error::InvalidArgument("The request body must be a JSON object.", "body");
    }
    std::vector<FieldAssignment> assignments;
    std::vector<FieldError> errors;
    for (const auto& [key, value] : body.get_object()) {
        const std::string_view name = key;
        const FieldDef* field = object.FindField(name);
        if (field == nullptr) {
            errors.push_back({std::string(name), "Unknown field of " + object.name + ".", {}});
            continue;
        }
        if (field->system) {
            errors.push_back({field->name, "This field is maintained by the system.", {}});
            continue;
        }
        if (can_edit && !can_edit(*field)) {
            errors.push_back({field->name, "You may not change this field.", {}});
            continue;
        }
        auto decoded = DecodeValue(catalog, *field, value);
        if (!decoded.ok()) {
            errors.push_back({field->name, decoded.error().public_message, {}});
            continue;
        }
        const auto index = static_cast<std::size_t>(field - object.fields.data());
        assignments.push_back({index, std::move(decoded).value()});
    }
    if (!errors.empty()) {
        return Error::Validation(std::move(errors));
    }
    return assignments;
}

json::value EncodeValue(const FieldDef& field, const Value& value) {
    if (storage::IsNull(value)) {
        return nullptr;
    }
    if (field.type == FieldType::kBoolean) {
        const auto* integer = std::get_if<std::int64_t>(&value);
        return integer != nullptr && *integer != 0;
    }
    if (field.type == FieldType::kMultiPicklist) {
        json::array items;
        const auto* text = std::get_if<std::string>(&value);
        std::string_view rest = text != nullptr ? std::string_view(*text) : std::string_view();
        while (!rest.empty()) {
            const auto separator = rest.find(';');
            items.emplace_back(rest.substr(0, separator));
            rest = separator == std::string_view::npos ? std::string_view()
                                                       : rest.substr(separator + 1);
        }
        return items;
    }
    if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        return *integer;
    }
    if (const auto* real = std::get_if<double>(&value)) {
        return *real;
    }
    return json::string(std::get<std::string>(value));
}

void AppendJsonString(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    // Only quotes, backslashes and control characters need escaping (stored text is valid
    // UTF-8: it passed the JSON parser). Most text has none: find the first, by table.
    static constexpr auto kEscaped = [] {
        std::array<bool, 256> escaped{};
        for (int byte = 0; byte < 0x20; ++byte) {
            escaped[static_cast<std::size_t>(byte)] = true;
        }
        escaped['"'] = true;
        escaped['\\'] = true;
        return escaped;
    }();
    std::size_t plain = 0;
    while (plain < text.size() && !kEscaped[static_cast<unsigned char>(text[plain])]) {
        ++plain;
    }
    out.push_back('"');
    out.append(text.data(), plain);
    // Copy runs of plain characters at once.
    std::size_t run_start = plain;
    for (std::size_t char_idx = plain; char_idx < text.size(); ++char_idx) {
        const auto byte = static_cast<unsigned char>(text[char_idx]);
        if (!kEscaped[byte]) {
            continue;
        }
        out.append(text.data() + run_start, char_idx - run_start);
        run_start = char_idx + 1;
        if (byte == '"' || byte == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(byte));
        } else if (byte == '\n') {
            out.append("\\n");
        } else if (byte == '\r') {
            out.append("\\r");
        } else if (byte == '\t') {
            out.append("\\t");
        } else {
            out.append("\\u00");
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 15U]);
        }
    }
    out.append(text.data() + run_start, text.size() - run_start);
    out.push_back('"');
}

void AppendJsonValue(std::string& out, const FieldDef& field, const Value& value) {
    if (storage::IsNull(value)) {
        out.append("null");
        return;
    }
    const auto* text = std::get_if<std::string>(&value);
    if (text != nullptr && field.type != FieldType::kMultiPicklist) {
        AppendJsonString(out, *text);
        return;
    }
    if (const auto* integer = std::get_if<std::int64_t>(&value);
        integer != nullptr && field.type != FieldType::kBoolean) {
        char digits[24];
        const auto end = std::to_chars(std::begin(digits), std::end(digits), *integer).ptr;
        out.append(digits, end);
        return;
    }
    // Booleans, doubles and multi-picklists are rarer: go through their JSON value.
    AppendJson(out, EncodeValue(field, value));
}

void AppendJsonCell(std::string& out, const FieldDef& field, const storage::RowView& row,
                    std::size_t column) {
    using Type = storage::RowView::Type;
    const storage::RowView::Cell cell = row.CellAt(column);
    switch (cell.type) {
        case Type::kNull:
            out.append("null");
            return;
        case Type::kText:
            if (field.type != FieldType::kMultiPicklist) {
                AppendJsonString(out, cell.text);
                return;
            }
            break;
        case Type::kInteger:
            if (field.type == FieldType::kBoolean) {
                out.append(cell.integer != 0 ? "true" : "false");
                return;
            }
            if (field.type != FieldType::kMultiPicklist) {
                char digits[24];
                const auto end =
                    std::to_chars(std::begin(digits), std::end(digits), cell.integer).ptr;
                out.append(digits, end);
                return;
            }
            break;
        case Type::kReal:
            break;
    }
    // Multi-picklists, doubles and odd combinations are rarer: take the general path.
    AppendJsonValue(out, field, row.ValueAt(column));
}

void AppendJson(std::string& out, const json::value& value) {
    switch (value.kind()) {
        case json::kind::null:
            out.append("null");
            return;
        case json::kind::bool_:
            out.append(value.get_bool() ? "true" : "false");
            return;
        case json::kind::int64:
        case json::kind::uint64:
        case json::kind::double_: {
            char digits[64];
            const auto [end, error] =
                value.is_int64()
                    ? std::to_chars(std::begin(digits), std::end(digits), value.get_int64())
                : value.is_uint64()
                    ? std::to_chars(std::begin(digits), std::end(digits), value.get_uint64())
                    : std::to_chars(std::begin(digits), std::end(digits), value.get_double());
            if (error != std::errc()) {
                out.append(json::serialize(value));
                return;
            }
            out.append(digits, end);
            return;
        }
        case json::kind::string:
            AppendJsonString(out, value.get_string());
            return;
        case json::kind::array: {
            out.push_back('[');
            bool first = true;
            for (const json::value& item : value.get_array()) {
                out.append(first ? "" : ",");
                first = false;
                AppendJson(out, item);
            }
            out.push_back(']');
            return;
        }
        case json::kind::object: {
            out.push_back('{');
            bool first = true;
            for (const auto& [key, item] : value.get_object()) {
                out.append(first ? "" : ",");
                first = false;
                AppendJsonString(out, key);
                out.push_back(':');
                AppendJson(out, item);
            }
            out.push_back('}');
            return;
        }
    }
}

std::string SerializeJson(const json::value& value) {
    std::string out;
    AppendJson(out, value);
    return out;
}

Result<json::value> ParseJson(std::string_view text, std::string_view location,
                              json::storage_ptr storage) {
    json::parse_options options;
    options.max_depth = kMaxJsonDepth;
    boost::system::error_code error;
    json::value value = json::parse(text, error, std::move(storage), options);
    if (error) {
        return Error::InvalidArgument("Malformed JSON: " + error.message() + ".",
                                      std::string(location));
    }
    return value;
}

}  // namespace p360::records
