#include "http/content_coding.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/compression.hpp"

namespace p360::http {
namespace {

std::string HeaderOf(const HttpResponse& response, const std::string& name) {
    for (const auto& [header, value] : response.headers) {
        if (header == name) {
            return value;
        }
    }
    return "";
}

HttpResponse JsonOf(std::size_t bytes, std::string content_type = "application/json") {
    HttpResponse response;
    response.content_type = std::move(content_type);
    response.body = "{\"items\":[";
    while (response.body.size() < bytes) {
        response.body += "{\"id\":\"per_" + std::to_string(response.body.size()) + "\"},";
    }
    response.body += "{}]}";
    return response;
}

TEST(ContentCodingTest, ZstdIsTakenWhenNamedWithAWeightAboveZero) {
    EXPECT_TRUE(AcceptsZstd("zstd"));
    EXPECT_TRUE(AcceptsZstd("gzip, deflate, br, zstd"));
    EXPECT_TRUE(AcceptsZstd("gzip;q=1.0, ZSTD ; q=0.5"));
    EXPECT_FALSE(AcceptsZstd(std::nullopt));
    EXPECT_FALSE(AcceptsZstd(""));
    EXPECT_FALSE(AcceptsZstd("gzip, deflate, br"));
    EXPECT_FALSE(AcceptsZstd("*"));
    EXPECT_FALSE(AcceptsZstd("zstd;q=0"));
    EXPECT_FALSE(AcceptsZstd("zstd; q=0.000, gzip"));
    EXPECT_FALSE(AcceptsZstd("zstdx, xzstd"));
}

TEST(ContentCodingTest, LargeJsonAnswersAreCodedForClientsThatTakeThem) {
    for (const char* type :
         {"application/json", "application/fhir+json; charset=utf-8", "application/problem+json"}) {
        HttpResponse response = JsonOf(20'000, type);
        const std::string json = response.body;
        EncodeForClient(response, true);
        EXPECT_EQ(HeaderOf(response, "Content-Encoding"), "zstd") << type;
        EXPECT_EQ(HeaderOf(response, "Vary"), "Accept-Encoding");
        EXPECT_LT(response.body.size(), json.size() / 4);
        auto decoded = Decompress(response.body);
        ASSERT_TRUE(decoded.ok());
        EXPECT_EQ(*decoded, json);
    }
}

TEST(ContentCodingTest, OtherAnswersGoOutAsTheyAre) {
    HttpResponse not_asked = JsonOf(20'000);
    const std::string json = not_asked.body;
    EncodeForClient(not_asked, false);
    EXPECT_EQ(not_asked.body, json);
    EXPECT_EQ(HeaderOf(not_asked, "Content-Encoding"), "");
    EXPECT_EQ(HeaderOf(not_asked, "Vary"), "Accept-Encoding");

    HttpResponse small = JsonOf(100);
    const std::string small_json = small.body;
    EncodeForClient(small, true);
    EXPECT_EQ(small.body, small_json);
    EXPECT_EQ(HeaderOf(small, "Content-Encoding"), "");

    for (const char* type : {"text/javascript", "application/fhir+ndjson", "text/csv"}) {
        HttpResponse other = JsonOf(20'000, type);
        const std::string other_body = other.body;
        EncodeForClient(other, true);
        EXPECT_EQ(other.body, other_body) << type;
        EXPECT_EQ(HeaderOf(other, "Content-Encoding"), "") << type;
        EXPECT_EQ(HeaderOf(other, "Vary"), "") << type;
    }

    HttpResponse coded = JsonOf(20'000);
    coded.headers.emplace_back("Content-Encoding", "gzip");
    const std::string coded_body = coded.body;
    EncodeForClient(coded, true);
    EXPECT_EQ(coded.body, coded_body);
}

}  // namespace
}  // namespace p360::http
