#include "query/cursor.hpp"

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cassert>
#include <charconv>
#include <cstdint>
#include <system_error>

#include "query/lexer.hpp"

namespace p360::query {
namespace {

namespace json = boost::json;

constexpr std::int64_t kCursorVersion = 1;
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

Error CursorError(std::string message) {
    return Error::InvalidArgument("cursor: " + std::move(message), "cursor");
}

Error Malformed() { return CursorError("malformed; start again without a cursor"); }

// FNV-1a, 64 bit: a checksum, not a cryptographic hash.
class Fnv1a {
public:
    void Add(std::string_view bytes) {
        for (char c : bytes) {
            hash_ ^= static_cast<unsigned char>(c);
            hash_ *= 0x100000001b3ULL;
        }
    }
    // Length-prefixed, so that the concatenation of parts is unambiguous.
    void AddPart(std::string_view bytes) {
        Add(std::to_string(bytes.size()));
        Add(":");
        Add(bytes);
    }
    std::string Hex() const {
        static constexpr char kDigits[] = "0123456789abcdef";
        std::string hex(16, '0');
        for (int i = 0; i < 16; ++i) {
            hex[static_cast<std::size_t>(15 - i)] = kDigits[(hash_ >> (4 * i)) & 0xF];
        }
        return hex;
    }

private:
    std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

std::string DoubleText(double value) {
    std::array<char, 64> buffer{};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    assert(ec == std::errc());
    return std::string(buffer.data(), end);
}

std::string Checksum(const std::string& fingerprint, const std::vector<storage::Value>& values) {
    Fnv1a hash;
    hash.AddPart("p360-cursor-v1");
    hash.AddPart(fingerprint);
    for (const storage::Value& value : values) {
        if (std::holds_alternative<storage::Null>(value)) {
            hash.AddPart("n");
        } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
            hash.AddPart("i");
            hash.AddPart(std::to_string(*integer));
        } else if (const auto* real = std::get_if<double>(&value)) {
            hash.AddPart("d");
            hash.AddPart(DoubleText(*real));
        } else {
            hash.AddPart("s");
            hash.AddPart(std::get<std::string>(value));
        }
    }
    return hash.Hex();
}

json::value ValueToJson(const storage::Value& value) {
    if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        return json::value(*integer);
    }
    if (const auto* real = std::get_if<double>(&value)) {
        json::object object;
        object["d"] = DoubleText(*real);
        return object;
    }
    if (const auto* text = std::get_if<std::string>(&value)) {
        if (FindInvalidUtf8(*text)) {
            json::object object;
            object["b"] = Base64UrlEncode(*text);
            return object;
        }
        return json::value(json::string(*text));
    }
    return json::value(nullptr);
}

std::optional<storage::Value> ValueFromJson(const json::value& value) {
    if (value.is_null()) {
        return std::optional<storage::Value>(std::in_place, storage::Null{});
    }
    if (const auto* integer = value.if_int64()) {
        return storage::Value(*integer);
    }
    if (const auto* text = value.if_string()) {
        return storage::Value(std::string(text->data(), text->size()));
    }
    const auto* object = value.if_object();
    if (object == nullptr || object->size() != 1) {
        return std::nullopt;
    }
    if (const json::value* real = object->if_contains("d")) {
        const auto* text = real->if_string();
        if (text == nullptr) {
            return std::nullopt;
        }
        double number = 0;
        const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), number);
        if (ec != std::errc() || end != text->data() + text->size()) {
            return std::nullopt;
        }
        return storage::Value(number);
    }
    if (const json::value* bytes = object->if_contains("b")) {
        const auto* text = bytes->if_string();
        if (text == nullptr) {
            return std::nullopt;
        }
        auto decoded = Base64UrlDecode(std::string_view(text->data(), text->size()));
        if (!decoded) {
            return std::nullopt;
        }
        return storage::Value(std::move(*decoded));
    }
    return std::nullopt;
}

// Whether `value` can be a stored value of `field`.
bool FitsField(const metadata::FieldDef& field, const storage::Value& value) {
    if (storage::IsNull(value)) {
        return field.name != metadata::kIdField;
    }
    switch (metadata::StorageClassOf(field.type)) {
        case metadata::StorageClass::kText:
            return std::holds_alternative<std::string>(value);
        case metadata::StorageClass::kReal:
            return std::holds_alternative<double>(value) ||
                   std::holds_alternative<std::int64_t>(value);
        case metadata::StorageClass::kInteger:
            return std::holds_alternative<std::int64_t>(value);
    }
    return false;
}

}  // namespace

std::string SortFingerprint(const std::vector<SortKey>& sort) {
    Fnv1a hash;
    hash.AddPart("p360-sort-v1");
    for (const SortKey& key : sort) {
        hash.AddPart(key.field != nullptr ? key.field->name : std::string());
        hash.AddPart(key.field != nullptr ? metadata::FieldTypeName(key.field->type) : "");
        hash.AddPart(key.descending ? "desc" : "asc");
    }
    return hash.Hex();
}

std::string EncodeCursor(const std::vector<SortKey>& sort,
                         const std::vector<storage::Value>& sort_values) {
    assert(sort.size() == sort_values.size());
    const std::string fingerprint = SortFingerprint(sort);
    json::object document;
    document["v"] = kCursorVersion;
    document["s"] = fingerprint;
    json::array keys;
    for (const storage::Value& value : sort_values) {
        keys.push_back(ValueToJson(value));
    }
    document["k"] = std::move(keys);
    document["h"] = Checksum(fingerprint, sort_values);
    return Base64UrlEncode(json::serialize(document));
}

Result<std::vector<storage::Value>> DecodeCursor(const std::vector<SortKey>& sort,
                                                 std::string_view cursor) {
    if (cursor.size() > kMaxCursorBytes) {
        return CursorError("longer than " + std::to_string(kMaxCursorBytes) + " bytes");
    }
    auto text = Base64UrlDecode(cursor);
    if (!text) {
        return Malformed();
    }
    std::error_code ec;
    json::value parsed = json::parse(*text, ec);
    if (ec) {
        return Malformed();
    }
    const json::object* document = parsed.if_object();
    if (document == nullptr || document->size() != 4) {
        return Malformed();
    }
    const json::value* version = document->if_contains("v");
    const json::value* fingerprint = document->if_contains("s");
    const json::value* keys = document->if_contains("k");
    const json::value* checksum = document->if_contains("h");
    if (version == nullptr || fingerprint == nullptr || keys == nullptr || checksum == nullptr ||
        !fingerprint->is_string() || !keys->is_array() || !checksum->is_string()) {
        return Malformed();
    }
    if (version->if_int64() == nullptr || *version->if_int64() != kCursorVersion) {
        return CursorError("made by an unsupported version; start again without a cursor");
    }
    if (fingerprint->get_string() != SortFingerprint(sort)) {
        return CursorError("was made for a different sort; start again without a cursor");
    }
    const json::array& key_values = keys->get_array();
    if (key_values.size() != sort.size()) {
        return Malformed();
    }
    std::vector<storage::Value> values;
    values.reserve(sort.size());
    for (std::size_t key_idx = 0; key_idx < sort.size(); ++key_idx) {
        auto value = ValueFromJson(key_values[key_idx]);
        if (!value || sort[key_idx].field == nullptr || !FitsField(*sort[key_idx].field, *value)) {
            return Malformed();
        }
        values.push_back(std::move(*value));
    }
    const json::string& stored_checksum = checksum->get_string();
    if (std::string_view(stored_checksum.data(), stored_checksum.size()) !=
        Checksum(SortFingerprint(sort), values)) {
        return CursorError("has been altered; start again without a cursor");
    }
    return values;
}

std::string Base64UrlEncode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t chunk = (static_cast<unsigned char>(bytes[i]) << 16) |
                                    (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                                    static_cast<unsigned char>(bytes[i + 2]);
        out.push_back(kAlphabet[(chunk >> 18) & 63]);
        out.push_back(kAlphabet[(chunk >> 12) & 63]);
        out.push_back(kAlphabet[(chunk >> 6) & 63]);
        out.push_back(kAlphabet[chunk & 63]);
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t chunk = static_cast<unsigned char>(bytes[i]) << 16;
        out.push_back(kAlphabet[(chunk >> 18) & 63]);
        out.push_back(kAlphabet[(chunk >> 12) & 63]);
    } else if (rest == 2) {
        const std::uint32_t chunk = (static_cast<unsigned char>(bytes[i]) << 16) |
                                    (static_cast<unsigned char>(bytes[i + 1]) << 8);
        out.push_back(kAlphabet[(chunk >> 18) & 63]);
        out.push_back(kAlphabet[(chunk >> 12) & 63]);
        out.push_back(kAlphabet[(chunk >> 6) & 63]);
    }
    return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
    if (text.size() % 4 == 1) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(text.size() / 4 * 3 + 2);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        const std::size_t digit = kAlphabet.find(c);
        if (digit == std::string_view::npos) {
            return std::nullopt;
        }
        buffer = (buffer << 6) | static_cast<std::uint32_t>(digit);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
        }
    }
    // Leftover bits must be zero, so every byte string has exactly one encoding.
    if ((buffer & ((1U << bits) - 1)) != 0) {
        return std::nullopt;
    }
    return out;
}

}  // namespace p360::query
