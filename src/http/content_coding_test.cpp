#include "http/content_coding.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/compression.hpp"

namespace p360::http {
namespace {

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
    // What is not a list of codings names no zstd (and the request is served as it is).
    for (const char* malformed : {",,,", ";q=1", "\"zstd\"", "=\x01\x7f"}) {
        EXPECT_FALSE(AcceptsZstd(malformed)) << malformed;
    }
}

TEST(ContentCodingTest, LargeJsonAnswersAreCodedForClientsThatTakeThem) {
    for (const char* type :
         {"application/json", "application/fhir+json; charset=utf-8", "application/problem+json"}) {
        HttpResponse response = JsonOf(20'000, type);
        const std::string json = response.body;
        EncodeForClient(response, true);
        EXPECT_EQ(response.Header("Content-Encoding").value_or(""), "zstd") << type;
        EXPECT_EQ(response.Header("Vary").value_or(""), "Accept-Encoding");
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
    EXPECT_EQ(not_asked.Header("Content-Encoding").value_or(""), "");
    EXPECT_EQ(not_asked.Header("Vary").value_or(""), "Accept-Encoding");

    HttpResponse small = JsonOf(100);
    const std::string small_json = small.body;
    EncodeForClient(small, true);
    EXPECT_EQ(small.body, small_json);
    EXPECT_EQ(small.Header("Content-Encoding").value_or(""), "");

    for (const char* type : {"text/javascript", "application/fhir+ndjson", "text/csv"}) {
        HttpResponse other = JsonOf(20'000, type);
        const std::string other_body = other.body;
        EncodeForClient(other, true);
        EXPECT_EQ(other.body, other_body) << type;
        EXPECT_EQ(other.Header("Content-Encoding").value_or(""), "") << type;
        EXPECT_EQ(other.Header("Vary").value_or(""), "") << type;
    }

    HttpResponse coded = JsonOf(20'000);
    coded.headers.emplace_back("Content-Encoding", "gzip");
    const std::string coded_body = coded.body;
    EncodeForClient(coded, true);
    EXPECT_EQ(coded.body, coded_body);
}

}  // namespace
}  // namespace p360::http
