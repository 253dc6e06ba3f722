#include "records/record_codec.hpp"

#include <gtest/gtest.h>

#include "records/test_objects.hpp"

namespace p360::records {
namespace {

class RecordCodecTest : public ::testing::Test {
protected:
    Result<std::vector<FieldAssignment>> Decode(std::string_view body) {
        auto parsed = ParseJson(body, "body");
        if (!parsed.ok()) {
            return std::move(parsed).error();
        }
        return DecodeFields(catalog_, *catalog_.FindObject("Person"), parsed.value(), {});
    }
    std::vector<std::string> FieldsAtFault(std::string_view body) {
        auto decoded = Decode(body);
        std::vector<std::string> fields;
        if (!decoded.ok()) {
            for (const auto& error : decoded.error().field_errors) {
                fields.push_back(error.field);
            }
        }
        return fields;
    }
    metadata::Catalog catalog_{testing::TestObjects()};
};

TEST_F(RecordCodecTest, DecodesEveryTypeToItsStorageValue) {
    auto decoded = Decode(R"({"lastName":"Ng","birthDate":"2001-02-03","score":42,"active":true,)"
                          R"("gender":"female","languages":["es","en"],"email":"a@b.org"})");
    ASSERT_TRUE(decoded.ok()) << decoded.error().public_message;
    ASSERT_EQ(decoded->size(), 7U);
    EXPECT_EQ(std::get<std::string>((*decoded)[0].value), "Ng");
    EXPECT_EQ(std::get<std::int64_t>((*decoded)[2].value), 42);
    EXPECT_EQ(std::get<std::int64_t>((*decoded)[3].value), 1);
    EXPECT_EQ(std::get<std::string>((*decoded)[5].value), "es;en");
}

TEST_F(RecordCodecTest, ReportsEveryBadFieldAtOnce) {
    EXPECT_EQ(FieldsAtFault(R"({"lastName":"this name is far too long for the limit",)"
                            R"("birthDate":"2023-02-29","score":12.5,"active":"yes",)"
                            R"("gender":"retired","languages":["fr"],"email":"nope","colour":1})"),
              (std::vector<std::string>{"lastName", "birthDate", "score", "active", "gender",
                                        "languages", "email", "colour"}));
}

TEST_F(RecordCodecTest, RefusesSystemFieldsAndBadReferences) {
    EXPECT_EQ(FieldsAtFault(R"({"id":"per_x","version":3,"createdAt":"2024-01-01T00:00:00Z"})"),
              (std::vector<std::string>{"id", "version", "createdAt"}));
    EXPECT_EQ(FieldsAtFault(R"({"household":"per_01JD0000000000000000000000"})"),
              (std::vector<std::string>{"household"}));
    EXPECT_TRUE(Decode(R"({"household":"hh_01JD0000000000000000000000"})").ok());
}

TEST_F(RecordCodecTest, NumbersOutsidePrecisionAreRefused) {
    EXPECT_EQ(FieldsAtFault(R"({"score":10000})"), (std::vector<std::string>{"score"}));
    EXPECT_TRUE(Decode(R"({"score":-9999})").ok());
}

TEST_F(RecordCodecTest, EncodesBackToJsonTypes) {
    const auto* person = catalog_.FindObject("Person");
    EXPECT_EQ(EncodeValue(*person->FindField("active"), storage::Value{std::int64_t{0}}),
              json::value(false));
    EXPECT_EQ(EncodeValue(*person->FindField("languages"), storage::Value{std::string("en;es")}),
              json::value(json::array{"en", "es"}));
    EXPECT_TRUE(EncodeValue(*person->FindField("email"), storage::Value{}).is_null());
}

TEST_F(RecordCodecTest, WritesNumbersAsPeopleWriteThem) {
    EXPECT_EQ(SerializeJson(json::value(840.0)), "840");
    EXPECT_EQ(SerializeJson(json::value(88.25)), "88.25");
    EXPECT_EQ(SerializeJson(json::value(-3)), "-3");
    EXPECT_EQ(SerializeJson(json::parse(R"({"a":[1,0.5,"x\"y\n"],"b":null,"c":true})")),
              R"({"a":[1,0.5,"x\"y\n"],"b":null,"c":true})");
    // Whatever we write parses back to the same value.
    const json::value tricky = json::parse(R"([1e300,-2.5e-7,"\u0001\\",{"k":false}])");
    EXPECT_EQ(json::parse(SerializeJson(tricky)), tricky);
}

TEST_F(RecordCodecTest, DeepOrMalformedJsonIsAnErrorNotACrash) {
    EXPECT_FALSE(ParseJson(std::string(10'000, '['), "body").ok());
    EXPECT_FALSE(ParseJson("{\"a\":", "body").ok());
    EXPECT_FALSE(ParseJson("\"\xff\"", "body").ok());
}

// A row of Values behind the RowView interface, as a database would hand it.
class ValuesRow final : public storage::RowView {
public:
    explicit ValuesRow(storage::Row values) : values_(std::move(values)) {}
    std::size_t size() const override { return values_.size(); }
    Cell CellAt(std::size_t column) const override {
        const storage::Value& value = values_[column];
        Cell cell;
        if (const auto* integer = std::get_if<std::int64_t>(&value)) {
            cell.type = Type::kInteger;
            cell.integer = *integer;
        } else if (const auto* real = std::get_if<double>(&value)) {
            cell.type = Type::kReal;
            cell.real = *real;
        } else if (const auto* text = std::get_if<std::string>(&value)) {
            cell.type = Type::kText;
            cell.text = *text;
        }
        return cell;
    }

private:
    storage::Row values_;
};

// Pages are encoded straight from the database's cells; the JSON must be what the Value path
// writes, for every kind of field and cell.
TEST_F(RecordCodecTest, CellsEncodeLikeTheirValues) {
    const auto* person = catalog_.FindObject("Person");
    const std::vector<storage::Value> values = {
        storage::Value{},
        storage::Value{std::int64_t{0}},
        storage::Value{std::int64_t{-12}},
        storage::Value{2.5},
        storage::Value{1e21},
        storage::Value{std::string()},
        storage::Value{std::string("en;es")},
        storage::Value{std::string("quote \" backslash \\ tab \t nul \x01 \xc3\xa9")},
    };
    const storage::Row row(values.begin(), values.end());
    const ValuesRow view(row);
    for (const char* name : {"lastName", "score", "active", "languages", "birthDate", "id"}) {
        const metadata::FieldDef& field = *person->FindField(name);
        for (std::size_t column = 0; column < values.size(); ++column) {
            std::string from_value;
            std::string from_cell;
            AppendJsonValue(from_value, field, values[column]);
            AppendJsonCell(from_cell, field, view, column);
            EXPECT_EQ(from_cell, from_value) << name << " " << column;
            EXPECT_TRUE(ParseJson(from_cell, "cell").ok()) << from_cell;
        }
    }
}

TEST_F(RecordCodecTest, StringsAreEscapedOnlyWhereJsonRequires) {
    std::string out;
    AppendJsonString(out, "plain text");
    AppendJsonString(out, "");
    AppendJsonString(out, "a\"b\\c\nd\re\tf\x1fg\xc3\xa9/");
    EXPECT_EQ(out, "\"plain text\"\"\"\"a\\\"b\\\\c\\nd\\re\\tf\\u001fg\xc3\xa9/\"");
}

}  // namespace
}  // namespace p360::records
