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

}  // namespace
}  // namespace p360::records
