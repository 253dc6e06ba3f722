#include "query/lexer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace p360::query {
namespace {

std::vector<TokenKind> Kinds(const std::vector<Token>& tokens) {
    std::vector<TokenKind> kinds;
    for (const Token& token : tokens) {
        kinds.push_back(token.kind);
    }
    return kinds;
}

TEST(LexerTest, SplitsOperatorsAndPunctuation) {
    auto tokens = Tokenize("a.b = != <> < <= > >= ( , )");
    ASSERT_TRUE(tokens.ok());
    EXPECT_EQ(
        Kinds(*tokens),
        (std::vector<TokenKind>{TokenKind::kIdentifier, TokenKind::kDot, TokenKind::kIdentifier,
                                TokenKind::kEq, TokenKind::kNe, TokenKind::kNe, TokenKind::kLt,
                                TokenKind::kLe, TokenKind::kGt, TokenKind::kGe, TokenKind::kLParen,
                                TokenKind::kComma, TokenKind::kRParen, TokenKind::kEnd}));
    EXPECT_EQ((*tokens)[3].position, 4u);
}

TEST(LexerTest, UnescapesDoubledQuotes) {
    auto tokens = Tokenize("'O''Brien' '' ''''");
    ASSERT_TRUE(tokens.ok());
    EXPECT_EQ((*tokens)[0].value, "O'Brien");
    EXPECT_EQ((*tokens)[1].value, "");
    EXPECT_EQ((*tokens)[2].value, "'");
}

TEST(LexerTest, ReadsNumbers) {
    auto tokens = Tokenize("42 -3.5 1e3 -0 9223372036854775808");
    ASSERT_TRUE(tokens.ok());
    EXPECT_EQ((*tokens)[0].integer, 42);
    EXPECT_DOUBLE_EQ((*tokens)[1].number, -3.5);
    EXPECT_FALSE((*tokens)[1].integer.has_value());
    EXPECT_DOUBLE_EQ((*tokens)[2].number, 1000);
    EXPECT_FALSE((*tokens)[2].integer.has_value());
    EXPECT_EQ((*tokens)[3].integer, 0);
    EXPECT_FALSE((*tokens)[4].integer.has_value());  // beyond int64: a double only
}

TEST(LexerTest, ReadsDatesAndNormalisesDateTimes) {
    auto tokens = Tokenize("2024-01-31 2024-01-31T10:00:00+02:00 2024-01-31t23:30Z");
    ASSERT_TRUE(tokens.ok());
    EXPECT_EQ((*tokens)[0].kind, TokenKind::kDate);
    EXPECT_EQ((*tokens)[0].value, "2024-01-31");
    EXPECT_EQ((*tokens)[1].kind, TokenKind::kDateTime);
    EXPECT_EQ((*tokens)[1].value, "2024-01-31T08:00:00.000Z");
    EXPECT_EQ((*tokens)[2].value, "2024-01-31T23:30:00.000Z");
}

TEST(LexerTest, ValidatesUtf8) {
    EXPECT_FALSE(FindInvalidUtf8("plain ascii").has_value());
    EXPECT_FALSE(FindInvalidUtf8("M\xC3\xBCller \xF0\x9F\x98\x80").has_value());
    EXPECT_EQ(FindInvalidUtf8("ab\xFF"), 2u);
    EXPECT_EQ(FindInvalidUtf8("\xC0\xAF"), 0u);          // overlong '/'
    EXPECT_EQ(FindInvalidUtf8("x\xED\xA0\x80"), 1u);     // surrogate
    EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
    EXPECT_EQ(FindInvalidUtf8("\xE2\x82"), 0u);          // truncated
}

struct LexErrorCase {
    std::string input;
    std::string message;
};

TEST(LexerTest, RejectsBadInputWithPosition) {
    const std::vector<LexErrorCase> cases = {
        {"'open", "unterminated string starting at position 0"},
        {"a ! b", "unexpected character '!' at position 2"},
        {"a # b", "unexpected character '#' at position 2"},
        {std::string("a\0b", 3), "unexpected control character at position 1"},
        {"'\x01'", "unexpected control character at position 1"},
        {"'\xC3('", "invalid UTF-8 at position 1"},
        {"\xC3\xA9", "unexpected character at position 0"},
        {"12abc", "invalid number at position 0"},
        {"1.", "invalid number at position 0"},
        {"1.2.3", "invalid number at position 0"},
        {"1e", "invalid number at position 0"},
        {"1e999", "number out of range at position 0"},
        {"2023-02-29", "invalid date literal"},
        {"2024-01-31x", "invalid date literal at position 0"},
        {"2024-01-31T25:00:00Z", "invalid datetime literal"},
        {"2024-01-31T10:00:00", "invalid datetime literal"},
        {"- 1", "unexpected character '-' at position 0"},
        {std::string(200, 'a'), "name too long at position 0"},
        {"1" + std::string(80, '0'), "number too long at position 0"},
    };
    for (const LexErrorCase& test_case : cases) {
        auto tokens = Tokenize(test_case.input);
        ASSERT_FALSE(tokens.ok()) << test_case.input;
        EXPECT_EQ(tokens.error().code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(tokens.error().location, "filter");
        EXPECT_NE(tokens.error().public_message.find(test_case.message), std::string::npos)
            << test_case.input << " → " << tokens.error().public_message;
    }
}

}  // namespace
}  // namespace p360::query
