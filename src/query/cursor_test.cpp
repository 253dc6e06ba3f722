#include "query/cursor.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "query/compiler.hpp"
#include "query/test_catalog.hpp"

namespace p360::query {
namespace {

using storage::Value;
using testing::TestObject;

std::vector<SortKey> Sort(std::string_view sort) {
    auto keys = ParseSort(TestObject("Person"), sort);
    EXPECT_TRUE(keys.ok());
    return keys.ok() ? std::move(keys).value() : std::vector<SortKey>{};
}

Error DecodeError(const std::vector<SortKey>& sort, std::string_view cursor) {
    auto decoded = DecodeCursor(sort, cursor);
    EXPECT_FALSE(decoded.ok()) << cursor;
    if (decoded.ok()) {
        return {};
    }
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(decoded.error().location, "cursor");
    return decoded.error();
}

// Applies `edit` to the JSON inside a cursor and re-encodes it.
std::string EditJson(const std::string& cursor, const std::string& from, const std::string& to) {
    auto json = Base64UrlDecode(cursor);
    EXPECT_TRUE(json.has_value());
    const std::size_t at = json->find(from);
    EXPECT_NE(at, std::string::npos) << *json;
    if (at != std::string::npos) {
        json->replace(at, from.size(), to);
    }
    return Base64UrlEncode(*json);
}

TEST(Base64UrlTest, EncodesAndDecodesRfc4648Vectors) {
    const std::vector<std::pair<std::string, std::string>> vectors = {
        {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}, {"\xFB\xFF", "-_8"},
    };
    for (const auto& [bytes, text] : vectors) {
        EXPECT_EQ(Base64UrlEncode(bytes), text);
        EXPECT_EQ(Base64UrlDecode(text), bytes);
    }
}

TEST(Base64UrlTest, RejectsNonCanonicalText) {
    for (const char* text : {"Zg==", "Zm9v+", "Z", "Zm9vY", "Zh", "Zm9=", "a b", "é"}) {
        EXPECT_FALSE(Base64UrlDecode(text).has_value()) << text;
    }
}

TEST(CursorTest, RoundTripsTypedValues) {
    const std::vector<SortKey> sort = Sort("lastName,-age,score,active,birthDate,-email,household");
    ASSERT_EQ(sort.size(), 8u);
    const std::vector<std::vector<Value>> rows = {
        {Value("Smith"), Value(std::int64_t{40}), Value(0.1), Value(std::int64_t{1}),
         Value("1990-01-31"), Value("a@b.org"), Value("hh_1"), Value("per_1")},
        {Value(), Value(), Value(), Value(), Value(), Value(), Value(), Value("per_2")},
        {Value(""), Value(std::numeric_limits<std::int64_t>::min()), Value(-1e300),
         Value(std::int64_t{0}), Value("M\xC3\xBCller \xF0\x9F\x98\x80"),
         Value(std::string("nul\0inside", 10)), Value("quote\"back\\slash"), Value("per_3")},
        {Value("\xFF\xFE not utf-8"), Value(std::numeric_limits<std::int64_t>::max()),
         Value(std::numeric_limits<double>::denorm_min()), Value(std::int64_t{1}), Value("x"),
         Value("y"), Value("z"), Value("per_4")},
        {Value("a"), Value(2.5), Value(std::int64_t{7}), Value(std::int64_t{1}), Value("d"),
         Value("e"), Value("f"), Value("per_5")},  // numeric fields hold either kind
    };
    for (const std::vector<Value>& row : rows) {
        const std::string cursor = EncodeCursor(sort, row);
        for (char c : cursor) {
            EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
        }
        auto decoded = DecodeCursor(sort, cursor);
        ASSERT_TRUE(decoded.ok()) << decoded.error().public_message;
        EXPECT_EQ(*decoded, row);
    }
}

TEST(CursorTest, RoundTripsDoublesExactly) {
    const std::vector<SortKey> sort = Sort("score");
    for (double value : {0.1, 1.0 / 3.0, 2.2250738585072014e-308, 1.7976931348623157e308,
                         -123456.789, 0.30000000000000004}) {
        auto decoded = DecodeCursor(sort, EncodeCursor(sort, {Value(value), Value("per_1")}));
        ASSERT_TRUE(decoded.ok());
        EXPECT_EQ(std::get<double>((*decoded)[0]), value);
    }
}

TEST(CursorTest, RejectsACursorForAnotherSort) {
    const std::string cursor = EncodeCursor(Sort("lastName"), {Value("Smith"), Value("per_1")});
    for (const char* other : {"-lastName", "firstName", "lastName,-id", "lastName,age"}) {
        Error error = DecodeError(Sort(other), cursor);
        EXPECT_NE(error.public_message.find("different sort"), std::string::npos) << other;
    }
    EXPECT_TRUE(DecodeCursor(Sort("lastName,id"), cursor).ok());
}

TEST(CursorTest, RejectsTamperedCursors) {
    const std::vector<SortKey> sort = Sort("lastName,-age");
    const std::string cursor =
        EncodeCursor(sort, {Value("Smith"), Value(std::int64_t{40}), Value("per_1")});
    ASSERT_TRUE(DecodeCursor(sort, cursor).ok());

    EXPECT_NE(DecodeError(sort, EditJson(cursor, "Smith", "Smitj")).public_message.find("altered"),
              std::string::npos);
    EXPECT_NE(DecodeError(sort, EditJson(cursor, ",40,", ",41,")).public_message.find("altered"),
              std::string::npos);
    EXPECT_NE(DecodeError(sort, EditJson(cursor, "per_1", "per_0")).public_message.find("altered"),
              std::string::npos);
    // Wrong types, counts and shapes.
    DecodeError(sort, EditJson(cursor, ",40,", ",\"40\","));
    DecodeError(sort, EditJson(cursor, ",40,", ",40.0,"));
    DecodeError(sort, EditJson(cursor, "\"per_1\"", "null"));
    DecodeError(sort, EditJson(cursor, ",\"per_1\"", ""));
    DecodeError(sort, EditJson(cursor, "\"v\":1", "\"v\":2"));
    DecodeError(sort, EditJson(cursor, "{", "["));
    DecodeError(sort, EditJson(cursor, "\"h\"", "\"x\""));
    DecodeError(sort, EditJson(cursor, "\"Smith\"", "{\"d\":\"1.5\"}"));
    DecodeError(sort, EditJson(cursor, "\"Smith\"", "{\"q\":\"1\"}"));
}

TEST(CursorTest, RejectsMalformedText) {
    const std::vector<SortKey> sort = Sort("lastName");
    const std::string cursor = EncodeCursor(sort, {Value("Smith"), Value("per_1")});
    for (const std::string& bad :
         {std::string("x"), std::string("!!!!"), cursor.substr(0, cursor.size() - 4), cursor + "A",
          cursor + "==", Base64UrlEncode("{}"), Base64UrlEncode("null"),
          Base64UrlEncode("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["),
          Base64UrlEncode(std::string("\0\xFF", 2)), std::string("\0", 1)}) {
        EXPECT_NE(DecodeError(sort, bad).public_message.find("cursor: "), std::string::npos);
    }
    EXPECT_NE(
        DecodeError(sort, std::string(kMaxCursorBytes + 1, 'A')).public_message.find("longer than"),
        std::string::npos);
}

// Cursors outlive deployments (a client may hold one across an upgrade), so the wire format is
// pinned: this one was produced independently of EncodeCursor, from the format in cursor.hpp.
TEST(CursorTest, DecodesThePinnedWireFormat) {
    const std::string cursor =
        "eyJ2IjoxLCJzIjoiYzM0ZmM1ZGQzMzdiZWEwOCIsImsiOlsiU21pdGgiLDQwLCJwZXJfMSJdLCJoIjoiOTk4ZG"
        "Q0ZDJlNTg2N2VlNCJ9";
    const std::vector<SortKey> sort = Sort("-lastName,age");
    auto decoded = DecodeCursor(sort, cursor);
    ASSERT_TRUE(decoded.ok()) << decoded.error().public_message;
    EXPECT_EQ(*decoded,
              (std::vector<Value>{Value("Smith"), Value(std::int64_t{40}), Value("per_1")}));
    EXPECT_EQ(EncodeCursor(sort, *decoded), cursor);
}

TEST(CursorTest, FingerprintDependsOnNamesTypesAndDirections) {
    EXPECT_EQ(SortFingerprint(Sort("lastName")), SortFingerprint(Sort("lastName,id")));
    EXPECT_NE(SortFingerprint(Sort("lastName")), SortFingerprint(Sort("-lastName")));
    EXPECT_NE(SortFingerprint(Sort("lastName,age")), SortFingerprint(Sort("age,lastName")));
}

}  // namespace
}  // namespace p360::query
