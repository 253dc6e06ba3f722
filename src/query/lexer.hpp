// Lexer for the filter language (see parser.hpp for the grammar).
//
// Turns filter text into tokens. Never throws and accepts any bytes: text that is not valid
// UTF-8, control characters (other than tab, CR, LF) and malformed literals become an
// InvalidArgument error with location "filter" and the byte offset in the message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace p360::query {

enum class TokenKind : std::uint8_t {
    kEnd,         // after the last token
    kIdentifier,  // [A-Za-z_][A-Za-z0-9_]*; keywords are identifiers the parser recognises
    kString,      // 'text' with '' as an escaped quote; `value` holds the unescaped text
    kNumber,      // -?digits(.digits)?(e[+-]?digits)?; `number`, and `integer` when integral
    kDate,        // YYYY-MM-DD, a valid calendar date; `value` holds it
    kDateTime,    // YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM); `value` holds the UTC canonical form
    kLParen,
    kRParen,
    kComma,
    kDot,
    kEq,  // =
    kNe,  // != or <>
    kLt,
    kLe,
    kGt,
    kGe,
};

struct Token {
    TokenKind kind = TokenKind::kEnd;
    std::size_t position = 0;             // byte offset in the filter text
    std::string_view text;                // the token as written
    std::string value;                    // kString, kDate, kDateTime
    double number = 0;                    // kNumber
    std::optional<std::int64_t> integer;  // kNumber written without fraction or exponent
};

// Human-readable name of a token kind for error messages ("a string", "')'").
std::string_view TokenKindName(TokenKind kind);

// Splits `text` into tokens, ending with one kEnd token.
Result<std::vector<Token>> Tokenize(std::string_view text);

// The byte offset of the first byte that is not part of valid UTF-8, or nothing.
std::optional<std::size_t> FindInvalidUtf8(std::string_view text);

}  // namespace p360::query
