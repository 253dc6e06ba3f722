#include "query/lexer.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

#include "core/time_format.hpp"

namespace p360::query {
namespace {

constexpr std::size_t kMaxIdentifierLength = 128;
constexpr std::size_t kMaxNumberLength = 64;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsIdentifierStart(char c) { return IsAlpha(c) || c == '_'; }
bool IsIdentifierPart(char c) { return IsAlpha(c) || IsDigit(c) || c == '_'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

Error LexError(std::string_view what, std::size_t position) {
    return Error::InvalidArgument(
        "filter: " + std::string(what) + " at position " + std::to_string(position), "filter");
}

// Describes the character at `position` without echoing anything but printable ASCII.
std::string DescribeCharacter(char c) {
    if (c > 0x20 && c < 0x7f) {
        return std::string("unexpected character '") + c + "'";
    }
    return "unexpected character";
}

bool IsDateShape(std::string_view text, std::size_t pos) {
    if (pos + 10 > text.size()) {
        return false;
    }
    for (std::size_t i = 0; i < 10; ++i) {
        const char c = text[pos + i];
        const bool want_dash = i == 4 || i == 7;
        if (want_dash ? c != '-' : !IsDigit(c)) {
            return false;
        }
    }
    return true;
}

bool IsDateTimeChar(char c) {
    return IsDigit(c) || c == ':' || c == '.' || c == '+' || c == '-' || c == 'Z' || c == 'z';
}

}  // namespace

std::string_view TokenKindName(TokenKind kind) {
    switch (kind) {
        case TokenKind::kEnd:
            return "the end of the filter";
        case TokenKind::kIdentifier:
            return "a name";
        case TokenKind::kString:
            return "a string";
        case TokenKind::kNumber:
            return "a number";
        case TokenKind::kDate:
            return "a date";
        case TokenKind::kDateTime:
            return "a datetime";
        case TokenKind::kLParen:
            return "'('";
        case TokenKind::kRParen:
            return "')'";
        case TokenKind::kComma:
            return "','";
        case TokenKind::kDot:
            return "'.'";
        case TokenKind::kEq:
            return "'='";
        case TokenKind::kNe:
            return "'!='";
        case TokenKind::kLt:
            return "'<'";
        case TokenKind::kLe:
            return "'<='";
        case TokenKind::kGt:
            return "'>'";
        case TokenKind::kGe:
            return "'>='";
    }
    return "a token";
}

std::optional<std::size_t> FindInvalidUtf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        unsigned char min_second = 0x80;
        unsigned char max_second = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0) {
                min_second = 0xA0;  // no overlong forms
            } else if (lead == 0xED) {
                max_second = 0x9F;  // no surrogates
            }
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0) {
                min_second = 0x90;
            } else if (lead == 0xF4) {
                max_second = 0x8F;  // nothing above U+10FFFF
            }
        } else {
            return i;
        }
        if (i + length > text.size()) {
            return i;
        }
        for (std::size_t k = 1; k < length; ++k) {
            const auto c = static_cast<unsigned char>(text[i + k]);
            const unsigned char low = k == 1 ? min_second : 0x80;
            const unsigned char high = k == 1 ? max_second : 0xBF;
            if (c < low || c > high) {
                return i;
            }
        }
        i += length;
    }
    return std::nullopt;
}

Result<std::vector<Token>> Tokenize(std::string_view text) {
    if (auto bad = FindInvalidUtf8(text)) {
        return LexError("invalid UTF-8", *bad);
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c < 0x20 && !IsSpace(text[i])) || c == 0x7f) {
            return LexError("unexpected control character", i);
        }
    }

    std::vector<Token> tokens;
    std::size_t pos = 0;
    auto push = [&](TokenKind kind, std::size_t start, std::size_t end) -> Token& {
        Token& token = tokens.emplace_back();
        token.kind = kind;
        token.position = start;
        token.text = text.substr(start, end - start);
        return token;
    };

    while (pos < text.size()) {
        const char c = text[pos];
        const std::size_t start = pos;
        if (IsSpace(c)) {
            ++pos;
            continue;
        }
        switch (c) {
            case '(':
                push(TokenKind::kLParen, start, ++pos);
                continue;
            case ')':
                push(TokenKind::kRParen, start, ++pos);
                continue;
            case ',':
                push(TokenKind::kComma, start, ++pos);
                continue;
            case '.':
                push(TokenKind::kDot, start, ++pos);
                continue;
            case '=':
                push(TokenKind::kEq, start, ++pos);
                continue;
            case '!':
                if (pos + 1 < text.size() && text[pos + 1] == '=') {
                    pos += 2;
                    push(TokenKind::kNe, start, pos);
                    continue;
                }
                return LexError(DescribeCharacter(c), start);
            case '<':
                if (pos + 1 < text.size() && text[pos + 1] == '=') {
                    pos += 2;
                    push(TokenKind::kLe, start, pos);
                } else if (pos + 1 < text.size() && text[pos + 1] == '>') {
                    pos += 2;
                    push(TokenKind::kNe, start, pos);
                } else {
                    push(TokenKind::kLt, start, ++pos);
                }
                continue;
            case '>':
                if (pos + 1 < text.size() && text[pos + 1] == '=') {
                    pos += 2;
                    push(TokenKind::kGe, start, pos);
                } else {
                    push(TokenKind::kGt, start, ++pos);
                }
                continue;
            default:
                break;
        }

        if (c == '\'') {
            std::string value;
            ++pos;
            bool closed = false;
            while (pos < text.size()) {
                if (text[pos] == '\'') {
                    if (pos + 1 < text.size() && text[pos + 1] == '\'') {
                        value.push_back('\'');
                        pos += 2;
                        continue;
                    }
                    ++pos;
                    closed = true;
                    break;
                }
                value.push_back(text[pos++]);
            }
            if (!closed) {
                return LexError("unterminated string starting", start);
            }
            push(TokenKind::kString, start, pos).value = std::move(value);
            continue;
        }

        if (IsDigit(c) && IsDateShape(text, pos)) {
            pos += 10;
            const bool has_time = pos < text.size() && (text[pos] == 'T' || text[pos] == 't');
            if (has_time) {
                ++pos;
                while (pos < text.size() && IsDateTimeChar(text[pos])) {
                    ++pos;
                }
            }
            if (pos < text.size() && (IsIdentifierPart(text[pos]) || text[pos] == '.')) {
                return LexError(has_time ? "invalid datetime literal" : "invalid date literal",
                                start);
            }
            const std::string_view literal = text.substr(start, pos - start);
            if (has_time) {
                auto normalized = NormalizeDateTime(literal);
                if (!normalized) {
                    return LexError(
                        "invalid datetime literal (expected YYYY-MM-DDTHH:MM:SS with Z or an "
                        "offset such as +02:00)",
                        start);
                }
                push(TokenKind::kDateTime, start, pos).value = std::move(*normalized);
            } else {
                auto normalized = NormalizeDate(literal);
                if (!normalized) {
                    return LexError("invalid date literal (expected a calendar date YYYY-MM-DD)",
                                    start);
                }
                push(TokenKind::kDate, start, pos).value = std::move(*normalized);
            }
            continue;
        }

        if (IsDigit(c) || (c == '-' && pos + 1 < text.size() && IsDigit(text[pos + 1]))) {
            if (c == '-') {
                ++pos;
            }
            bool integral = true;
            while (pos < text.size() && IsDigit(text[pos])) {
                ++pos;
            }
            if (pos < text.size() && text[pos] == '.') {
                integral = false;
                ++pos;
                if (pos >= text.size() || !IsDigit(text[pos])) {
                    return LexError("invalid number", start);
                }
                while (pos < text.size() && IsDigit(text[pos])) {
                    ++pos;
                }
            }
            if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
                integral = false;
                ++pos;
                if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
                    ++pos;
                }
                if (pos >= text.size() || !IsDigit(text[pos])) {
                    return LexError("invalid number", start);
                }
                while (pos < text.size() && IsDigit(text[pos])) {
                    ++pos;
                }
            }
            if (pos < text.size() && (IsIdentifierPart(text[pos]) || text[pos] == '.')) {
                return LexError("invalid number", start);
            }
            if (pos - start > kMaxNumberLength) {
                return LexError("number too long", start);
            }
            const std::string_view literal = text.substr(start, pos - start);
            double number = 0;
            const auto [end, ec] =
                std::from_chars(literal.data(), literal.data() + literal.size(), number);
            if (ec != std::errc() || end != literal.data() + literal.size() ||
                !std::isfinite(number)) {
                return LexError("number out of range", start);
            }
            Token& token = push(TokenKind::kNumber, start, pos);
            token.number = number;
            if (integral) {
                std::int64_t integer = 0;
                const auto [int_end, int_ec] =
                    std::from_chars(literal.data(), literal.data() + literal.size(), integer);
                if (int_ec == std::errc() && int_end == literal.data() + literal.size()) {
                    token.integer = integer;
                }
            }
            continue;
        }

        if (IsIdentifierStart(c)) {
            while (pos < text.size() && IsIdentifierPart(text[pos])) {
                ++pos;
            }
            if (pos - start > kMaxIdentifierLength) {
                return LexError("name too long", start);
            }
            push(TokenKind::kIdentifier, start, pos);
            continue;
        }

        return LexError(DescribeCharacter(c), start);
    }
    push(TokenKind::kEnd, text.size(), text.size());
    return tokens;
}

}  // namespace p360::query
