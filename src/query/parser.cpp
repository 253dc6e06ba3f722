#include "query/parser.hpp"

#include <string>
#include <utility>
#include <vector>

#include "core/time_format.hpp"
#include "query/lexer.hpp"

namespace p360::query {
namespace {

using metadata::FieldDef;
using metadata::FieldType;
using metadata::ObjectDef;

std::string At(std::size_t position) { return " at position " + std::to_string(position); }

Error FilterError(const std::string& message, std::size_t position) {
    return Error::InvalidArgument("filter: " + message + At(position), "filter");
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        if (x >= 'A' && x <= 'Z') {
            x = static_cast<char>(x - 'A' + 'a');
        }
        if (y >= 'A' && y <= 'Z') {
            y = static_cast<char>(y - 'A' + 'a');
        }
        if (x != y) {
            return false;
        }
    }
    return true;
}

std::string_view OpText(PredicateOp op) {
    switch (op) {
        case PredicateOp::kEq:
            return "=";
        case PredicateOp::kNe:
            return "!=";
        case PredicateOp::kLt:
            return "<";
        case PredicateOp::kLe:
            return "<=";
        case PredicateOp::kGt:
            return ">";
        case PredicateOp::kGe:
            return ">=";
        case PredicateOp::kIn:
            return "in";
        case PredicateOp::kNotIn:
            return "not in";
        case PredicateOp::kLike:
            return "like";
        case PredicateOp::kStartsWith:
            return "startsWith";
        case PredicateOp::kIncludes:
            return "includes";
        case PredicateOp::kIsNull:
            return "is null";
        case PredicateOp::kIsNotNull:
            return "is not null";
    }
    return "?";
}

bool IsRangeOp(PredicateOp op) {
    return op == PredicateOp::kLt || op == PredicateOp::kLe || op == PredicateOp::kGt ||
           op == PredicateOp::kGe;
}

enum class FieldKind { kNumeric, kBoolean, kDate, kDateTime, kMultiPicklist, kText };

FieldKind KindOf(FieldType type) {
    if (metadata::IsNumeric(type)) {
        return FieldKind::kNumeric;
    }
    switch (type) {
        case FieldType::kBoolean:
            return FieldKind::kBoolean;
        case FieldType::kDate:
            return FieldKind::kDate;
        case FieldType::kDateTime:
            return FieldKind::kDateTime;
        case FieldType::kMultiPicklist:
            return FieldKind::kMultiPicklist;
        default:
            return FieldKind::kText;
    }
}

std::string_view ExpectedLiteral(FieldKind kind) {
    switch (kind) {
        case FieldKind::kNumeric:
            return "a number";
        case FieldKind::kBoolean:
            return "true or false";
        case FieldKind::kDate:
            return "a date such as 2024-01-31";
        case FieldKind::kDateTime:
            return "a datetime such as 2024-01-31T10:00:00Z";
        case FieldKind::kMultiPicklist:
        case FieldKind::kText:
            return "a quoted string";
    }
    return "a value";
}

bool OpApplies(FieldKind kind, PredicateOp op) {
    if (op == PredicateOp::kIsNull || op == PredicateOp::kIsNotNull) {
        return true;
    }
    switch (kind) {
        case FieldKind::kMultiPicklist:
            return op == PredicateOp::kIncludes;
        case FieldKind::kBoolean:
            return op == PredicateOp::kEq || op == PredicateOp::kNe || op == PredicateOp::kIn ||
                   op == PredicateOp::kNotIn;
        case FieldKind::kText:
            return op != PredicateOp::kIncludes;
        case FieldKind::kNumeric:
        case FieldKind::kDate:
        case FieldKind::kDateTime:
            return op != PredicateOp::kIncludes && op != PredicateOp::kLike &&
                   op != PredicateOp::kStartsWith;
    }
    return false;
}

// A resolved path plus how it was written, for messages.
struct ResolvedPath {
    FieldPath path;
    std::string text;
    std::size_t position = 0;
};

class Parser {
public:
    Parser(const metadata::Catalog& catalog, const ObjectDef& object, const FieldAccess& can_read,
           std::vector<Token> tokens)
        : catalog_(catalog), object_(object), can_read_(can_read), tokens_(std::move(tokens)) {}

    Result<std::optional<Expr>> ParseAll() {
        if (Peek().kind == TokenKind::kEnd) {
            return std::optional<Expr>();
        }
        P360_ASSIGN_OR_RETURN(Expr expr, ParseOr(0));
        if (Peek().kind != TokenKind::kEnd) {
            return FilterError(
                "expected 'and', 'or' or the end of the filter, found " + Describe(Peek()),
                Peek().position);
        }
        return std::optional<Expr>(std::move(expr));
    }

private:
    const Token& Peek() const { return tokens_[index_]; }
    const Token& PeekAt(std::size_t ahead) const {
        const std::size_t at = index_ + ahead;
        return at < tokens_.size() ? tokens_[at] : tokens_.back();
    }
    const Token& Next() {
        const Token& token = tokens_[index_];
        if (token.kind != TokenKind::kEnd) {
            ++index_;
        }
        return token;
    }

    static bool IsKeyword(const Token& token, std::string_view keyword) {
        return token.kind == TokenKind::kIdentifier && EqualsIgnoreCase(token.text, keyword);
    }

    static std::string Describe(const Token& token) {
        if (token.kind == TokenKind::kIdentifier) {
            return "'" + std::string(token.text) + "'";
        }
        return std::string(TokenKindName(token.kind));
    }

    Result<Expr> ParseOr(int depth) {
        P360_ASSIGN_OR_RETURN(Expr first, ParseAnd(depth));
        if (!IsKeyword(Peek(), "or")) {
            return first;
        }
        Expr node;
        node.kind = ExprKind::kOr;
        node.children.push_back(std::move(first));
        while (IsKeyword(Peek(), "or")) {
            Next();
            P360_ASSIGN_OR_RETURN(Expr next, ParseAnd(depth));
            node.children.push_back(std::move(next));
        }
        return node;
    }

    Result<Expr> ParseAnd(int depth) {
        P360_ASSIGN_OR_RETURN(Expr first, ParseUnary(depth));
        if (!IsKeyword(Peek(), "and")) {
            return first;
        }
        Expr node;
        node.kind = ExprKind::kAnd;
        node.children.push_back(std::move(first));
        while (IsKeyword(Peek(), "and")) {
            Next();
            P360_ASSIGN_OR_RETURN(Expr next, ParseUnary(depth));
            node.children.push_back(std::move(next));
        }
        return node;
    }

    Result<Expr> ParseUnary(int depth) {
        const Token& token = Peek();
        if (IsKeyword(token, "not")) {
            if (depth + 1 > kMaxFilterDepth) {
                return FilterError("nesting deeper than " + std::to_string(kMaxFilterDepth),
                                   token.position);
            }
            Next();
            P360_ASSIGN_OR_RETURN(Expr child, ParseUnary(depth + 1));
            Expr node;
            node.kind = ExprKind::kNot;
            node.children.push_back(std::move(child));
            return node;
        }
        if (token.kind == TokenKind::kLParen) {
            if (depth + 1 > kMaxFilterDepth) {
                return FilterError("nesting deeper than " + std::to_string(kMaxFilterDepth),
                                   token.position);
            }
            Next();
            P360_ASSIGN_OR_RETURN(Expr inner, ParseOr(depth + 1));
            if (Peek().kind != TokenKind::kRParen) {
                return FilterError("expected ')' to close the '(' at position " +
                                       std::to_string(token.position) + ", found " +
                                       Describe(Peek()),
                                   Peek().position);
            }
            Next();
            return inner;
        }
        if (token.kind == TokenKind::kIdentifier) {
            return ParsePredicate();
        }
        return FilterError("expected a field name, 'not' or '(', found " + Describe(token),
                           token.position);
    }

    Status CheckReadable(const ObjectDef& object, const FieldDef& field, std::size_t position) {
        if (!can_read_ || can_read_(object, field)) {
            return Ok();
        }
        Error error = Error::PermissionDenied("filter: field '" + field.name + "' on " +
                                              object.name + " may not be read" + At(position));
        error.location = "filter";
        return error;
    }

    // The reference field of the filtered object that `segment` names: a reference field by
    // name, or the target object's name (case-insensitive) when exactly one field points at it.
    Result<const FieldDef*> ResolveReference(std::string_view segment, std::size_t position) {
        if (const FieldDef* field = object_.FindField(segment)) {
            if (field->type != FieldType::kReference) {
                return FilterError("'" + field->name + "' on " + object_.name +
                                       " is not a reference field, so it cannot be followed by "
                                       "'.'",
                                   position);
            }
            return field;
        }
        const ObjectDef* target = nullptr;
        for (const ObjectDef& candidate : catalog_.objects()) {
            if (EqualsIgnoreCase(candidate.name, segment)) {
                target = &candidate;
                break;
            }
        }
        if (target == nullptr) {
            return FilterError("unknown field '" + std::string(segment) + "' on " + object_.name,
                               position);
        }
        if (target->name == object_.name) {
            return FilterError("'" + std::string(segment) + "' names " + object_.name +
                                   " itself; use the field name alone, or the name of the "
                                   "reference field to follow",
                               position);
        }
        std::vector<const FieldDef*> matches;
        for (const FieldDef& field : object_.fields) {
            if (field.type == FieldType::kReference && field.reference_to == target->name) {
                matches.push_back(&field);
            }
        }
        if (matches.empty()) {
            return FilterError(object_.name + " has no reference field to " + target->name,
                               position);
        }
        if (matches.size() > 1) {
            std::string names;
            for (const FieldDef* match : matches) {
                names += (names.empty() ? "" : ", ") + match->name;
            }
            return FilterError("'" + std::string(segment) + "' is ambiguous: several fields of " +
                                   object_.name + " refer to " + target->name + " (" + names +
                                   "); use the field name",
                               position);
        }
        return matches.front();
    }

    Result<ResolvedPath> ParsePath() {
        const Token& first = Next();
        ResolvedPath resolved;
        resolved.position = first.position;
        resolved.text = std::string(first.text);
        std::vector<const Token*> segments{&first};
        while (Peek().kind == TokenKind::kDot) {
            Next();
            if (Peek().kind != TokenKind::kIdentifier) {
                return FilterError("expected a field name after '.', found " + Describe(Peek()),
                                   Peek().position);
            }
            segments.push_back(&Next());
            resolved.text += "." + std::string(segments.back()->text);
        }
        if (segments.size() > 2) {
            return FilterError(
                "path '" + resolved.text + "' is too deep: only one reference can be followed",
                resolved.position);
        }
        if (segments.size() == 1) {
            const FieldDef* field = object_.FindField(first.text);
            if (field == nullptr) {
                return FilterError("unknown field '" + resolved.text + "' on " + object_.name,
                                   resolved.position);
            }
            P360_TRY(CheckReadable(object_, *field, resolved.position));
            resolved.path = FieldPath{nullptr, &object_, field};
            return resolved;
        }
        P360_ASSIGN_OR_RETURN(const FieldDef* reference,
                              ResolveReference(first.text, first.position));
        P360_TRY(CheckReadable(object_, *reference, resolved.position));
        const ObjectDef* target = catalog_.FindObject(reference->reference_to);
        if (target == nullptr) {
            return FilterError("the object that '" + reference->name + "' refers to (" +
                                   reference->reference_to + ") is not defined",
                               resolved.position);
        }
        const Token& second = *segments[1];
        const FieldDef* field = target->FindField(second.text);
        if (field == nullptr) {
            return FilterError(
                "unknown field '" + std::string(second.text) + "' on " + target->name,
                second.position);
        }
        P360_TRY(CheckReadable(*target, *field, resolved.position));
        resolved.path = FieldPath{reference, target, field};
        return resolved;
    }

    std::string FieldWords(const ResolvedPath& path) const {
        return std::string(metadata::FieldTypeName(path.path.field->type)) + " field '" +
               path.text + "' on " + object_.name;
    }

    // Converts the literal at the current token into the value it binds as for `op` on `path`.
    Result<storage::Value> ParseLiteral(const ResolvedPath& path, PredicateOp op) {
        const Token& token = Next();
        const FieldKind kind = KindOf(path.path.field->type);
        const bool is_null = IsKeyword(token, "null");
        if (is_null) {
            if (op == PredicateOp::kIn || op == PredicateOp::kNotIn) {
                return FilterError("null cannot be listed in 'in'; use 'is null' or 'is not null'",
                                   token.position);
            }
            return FilterError(std::string("compare with null using '") +
                                   (op == PredicateOp::kNe ? "is not null" : "is null") +
                                   "', not '" + std::string(OpText(op)) + "'",
                               token.position);
        }
        const bool is_bool = IsKeyword(token, "true") || IsKeyword(token, "false");
        const bool is_value = is_bool || token.kind == TokenKind::kString ||
                              token.kind == TokenKind::kNumber || token.kind == TokenKind::kDate ||
                              token.kind == TokenKind::kDateTime;
        if (!is_value) {
            std::string message = "expected a value";
            if (token.kind == TokenKind::kIdentifier) {
                message += " (" + std::string(ExpectedLiteral(kind)) +
                           "; fields cannot be compared with fields)";
            }
            return FilterError(message + ", found " + Describe(token), token.position);
        }
        auto mismatch = [&]() {
            return FilterError(FieldWords(path) + " takes " + std::string(ExpectedLiteral(kind)) +
                                   ", not " + (is_bool ? "a boolean" : Describe(token)),
                               token.position);
        };
        switch (kind) {
            case FieldKind::kNumeric:
                if (token.kind != TokenKind::kNumber) {
                    return mismatch();
                }
                if (token.integer && path.path.field->scale == 0) {
                    return storage::Value(*token.integer);
                }
                return storage::Value(token.number);
            case FieldKind::kBoolean:
                if (!is_bool) {
                    return mismatch();
                }
                return storage::Value(std::int64_t{IsKeyword(token, "true") ? 1 : 0});
            case FieldKind::kDate:
                if (token.kind == TokenKind::kDate) {
                    return storage::Value(token.value);
                }
                if (token.kind == TokenKind::kString) {
                    if (auto date = NormalizeDate(token.value)) {
                        return storage::Value(std::move(*date));
                    }
                    return FilterError(FieldWords(path) + " takes a valid date (YYYY-MM-DD)",
                                       token.position);
                }
                return mismatch();
            case FieldKind::kDateTime:
                if (token.kind == TokenKind::kDateTime) {
                    return storage::Value(token.value);
                }
                if (token.kind == TokenKind::kString) {
                    if (auto datetime = NormalizeDateTime(token.value)) {
                        return storage::Value(std::move(*datetime));
                    }
                    return FilterError(
                        FieldWords(path) + " takes a valid datetime with Z or an offset",
                        token.position);
                }
                if (token.kind == TokenKind::kDate) {
                    if (!IsRangeOp(op)) {
                        return FilterError(
                            FieldWords(path) + " needs a datetime with '" +
                                std::string(OpText(op)) +
                                "'; a date would match only midnight (use a range such as "
                                ">= 2024-01-31 and < 2024-02-01)",
                            token.position);
                    }
                    return storage::Value(token.value + "T00:00:00.000Z");
                }
                return mismatch();
            case FieldKind::kMultiPicklist:
            case FieldKind::kText:
                if (token.kind != TokenKind::kString) {
                    return mismatch();
                }
                return storage::Value(token.value);
        }
        return mismatch();
    }

    Result<std::string> ParseStringOperand(PredicateOp op) {
        const Token& token = Next();
        if (token.kind != TokenKind::kString) {
            return FilterError(
                "'" + std::string(OpText(op)) + "' takes a quoted string, found " + Describe(token),
                token.position);
        }
        if (op == PredicateOp::kLike) {
            const std::string& pattern = token.value;
            for (std::size_t i = 0; i < pattern.size(); ++i) {
                if (pattern[i] != '\\') {
                    continue;
                }
                if (i + 1 >= pattern.size() ||
                    (pattern[i + 1] != '%' && pattern[i + 1] != '_' && pattern[i + 1] != '\\')) {
                    return FilterError(
                        "invalid escape in like pattern ('\\' must be followed by %, _ or \\)",
                        token.position);
                }
                ++i;
            }
        }
        if (op == PredicateOp::kIncludes &&
            (token.value.empty() || token.value.find(';') != std::string::npos)) {
            return FilterError("'includes' takes one non-empty value without ';'", token.position);
        }
        return token.value;
    }

    Result<Expr> ParsePredicate() {
        const std::size_t position = Peek().position;
        if (++terms_ > kMaxFilterTerms) {
            return FilterError("more than " + std::to_string(kMaxFilterTerms) + " conditions",
                               position);
        }
        P360_ASSIGN_OR_RETURN(ResolvedPath path, ParsePath());

        Expr node;
        node.kind = ExprKind::kPredicate;
        Predicate& predicate = node.predicate;
        predicate.path = path.path;
        predicate.position = position;

        const Token& op_token = Peek();
        switch (op_token.kind) {
            case TokenKind::kEq:
                predicate.op = PredicateOp::kEq;
                break;
            case TokenKind::kNe:
                predicate.op = PredicateOp::kNe;
                break;
            case TokenKind::kLt:
                predicate.op = PredicateOp::kLt;
                break;
            case TokenKind::kLe:
                predicate.op = PredicateOp::kLe;
                break;
            case TokenKind::kGt:
                predicate.op = PredicateOp::kGt;
                break;
            case TokenKind::kGe:
                predicate.op = PredicateOp::kGe;
                break;
            default:
                if (IsKeyword(op_token, "in")) {
                    predicate.op = PredicateOp::kIn;
                } else if (IsKeyword(op_token, "not") && IsKeyword(PeekAt(1), "in")) {
                    predicate.op = PredicateOp::kNotIn;
                    Next();
                } else if (IsKeyword(op_token, "like")) {
                    predicate.op = PredicateOp::kLike;
                } else if (IsKeyword(op_token, "startsWith")) {
                    predicate.op = PredicateOp::kStartsWith;
                } else if (IsKeyword(op_token, "includes")) {
                    predicate.op = PredicateOp::kIncludes;
                } else if (IsKeyword(op_token, "is")) {
                    predicate.op = PredicateOp::kIsNull;
                    if (IsKeyword(PeekAt(1), "not")) {
                        predicate.op = PredicateOp::kIsNotNull;
                        Next();
                    }
                    if (!IsKeyword(PeekAt(1), "null")) {
                        const char* after =
                            predicate.op == PredicateOp::kIsNotNull ? "'is not'" : "'is'";
                        return FilterError(std::string("expected 'null' after ") + after +
                                               ", found " + Describe(PeekAt(1)),
                                           PeekAt(1).position);
                    }
                    Next();
                } else if (IsKeyword(op_token, "not")) {
                    return FilterError("expected 'in' after 'not', found " + Describe(PeekAt(1)),
                                       PeekAt(1).position);
                } else {
                    return FilterError("expected an operator after '" + path.text +
                                           "' (=, !=, <, <=, >, >=, in, not in, like, "
                                           "startsWith, includes, is null), found " +
                                           Describe(op_token),
                                       op_token.position);
                }
                break;
        }
        Next();  // the operator (or its last word)

        const FieldKind kind = KindOf(path.path.field->type);
        if (!OpApplies(kind, predicate.op)) {
            std::string message =
                "'" + std::string(OpText(predicate.op)) + "' does not apply to " + FieldWords(path);
            if (kind == FieldKind::kMultiPicklist) {
                message += " (use 'includes' or 'is null')";
            } else if (predicate.op == PredicateOp::kIncludes) {
                message += " ('includes' is for multiPicklist fields)";
            }
            return FilterError(message, op_token.position);
        }

        switch (predicate.op) {
            case PredicateOp::kIsNull:
            case PredicateOp::kIsNotNull:
                break;
            case PredicateOp::kLike:
            case PredicateOp::kStartsWith:
            case PredicateOp::kIncludes: {
                P360_ASSIGN_OR_RETURN(std::string operand, ParseStringOperand(predicate.op));
                predicate.values.emplace_back(std::move(operand));
                break;
            }
            case PredicateOp::kIn:
            case PredicateOp::kNotIn: {
                if (Peek().kind != TokenKind::kLParen) {
                    return FilterError("expected '(' after '" + std::string(OpText(predicate.op)) +
                                           "', found " + Describe(Peek()),
                                       Peek().position);
                }
                Next();
                while (true) {
                    if (predicate.values.size() >= kMaxInListItems) {
                        return FilterError("more than " + std::to_string(kMaxInListItems) +
                                               " values in an 'in' list",
                                           Peek().position);
                    }
                    P360_ASSIGN_OR_RETURN(storage::Value value, ParseLiteral(path, predicate.op));
                    predicate.values.push_back(std::move(value));
                    if (Peek().kind == TokenKind::kComma) {
                        Next();
                        continue;
                    }
                    if (Peek().kind == TokenKind::kRParen) {
                        Next();
                        break;
                    }
                    return FilterError(
                        "expected ',' or ')' in the 'in' list, found " + Describe(Peek()),
                        Peek().position);
                }
                break;
            }
            default: {
                P360_ASSIGN_OR_RETURN(storage::Value value, ParseLiteral(path, predicate.op));
                predicate.values.push_back(std::move(value));
                break;
            }
        }
        return node;
    }

    const metadata::Catalog& catalog_;
    const ObjectDef& object_;
    const FieldAccess& can_read_;
    std::vector<Token> tokens_;
    std::size_t index_ = 0;
    std::size_t terms_ = 0;
};

}  // namespace

Result<std::optional<Expr>> ParseFilter(const metadata::Catalog& catalog,
                                        const metadata::ObjectDef& object, std::string_view text,
                                        const FieldAccess& can_read) {
    if (text.size() > kMaxFilterBytes) {
        return Error::InvalidArgument(
            "filter: longer than " + std::to_string(kMaxFilterBytes) + " bytes", "filter");
    }
    P360_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
    Parser parser(catalog, object, can_read, std::move(tokens));
    return parser.ParseAll();
}

std::vector<std::string> InListFilters(std::string_view field,
                                       std::span<const std::string> values) {
    std::vector<std::string> filters;
    const std::string head = std::string(field) + " in (";
    std::string filter;
    std::size_t items = 0;
    for (const std::string& value : values) {
        const std::string quoted = QuoteText(value);
        const bool full =
            items == kMaxInListItems || filter.size() + quoted.size() + 3 > kMaxFilterBytes;
        if (items > 0 && full) {
            filters.push_back(filter + ")");
            items = 0;
        }
        filter = items == 0 ? head + quoted : filter + ", " + quoted;
        ++items;
    }
    if (items > 0) {
        filters.push_back(filter + ")");
    }
    return filters;
}

std::string QuoteText(std::string_view text) {
    std::string quoted = "'";
    for (char c : text) {
        quoted += c == '\'' ? std::string("''") : std::string(1, c);
    }
    return quoted + "'";
}

}  // namespace p360::query
