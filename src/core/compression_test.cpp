#include "core/compression.hpp"

#include <gtest/gtest.h>

#include <string>

namespace p360 {
namespace {

std::string RepetitiveJson(int records) {
    std::string text = "{\"items\":[";
    for (int record = 0; record < records; ++record) {
        text += "{\"id\":\"clm_" + std::to_string(100000 + record) +
                "\",\"status\":\"paid\",\"billedAmount\":" + std::to_string(record * 7 % 1000) +
                ",\"serviceFromDate\":\"2026-0" + std::to_string(1 + record % 9) + "-1" +
                std::to_string(record % 10) + "\"},";
    }
    return text + "{}]}";
}

TEST(CompressionTest, RoundTripsTextExactly) {
    for (const std::string& text :
         {std::string(), std::string("x"), RepetitiveJson(400), std::string("\0\xff\n", 3)}) {
        auto restored = Decompress(Compress(text));
        ASSERT_TRUE(restored.ok()) << restored.error().internal_detail;
        EXPECT_EQ(*restored, text);
    }
}

TEST(CompressionTest, RepetitiveJsonTakesAFractionOfItsSize) {
    const std::string text = RepetitiveJson(400);
    EXPECT_LT(Compress(text).size() * 4, text.size());
}

TEST(CompressionTest, DamagedOrForeignFramesAreErrorsNotCrashes) {
    const std::string frame = Compress(RepetitiveJson(100));
    EXPECT_FALSE(Decompress(frame.substr(0, frame.size() / 2)).ok());
    EXPECT_FALSE(Decompress(frame.substr(0, 3)).ok());
    EXPECT_FALSE(Decompress("").ok());
    EXPECT_FALSE(Decompress("{\"not\":\"a frame\"}").ok());
    std::string flipped = frame;
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x5a);
    EXPECT_FALSE(Decompress(flipped).ok());  // the frame's checksum catches it
}

}  // namespace
}  // namespace p360
