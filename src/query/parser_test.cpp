#include "query/parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "query/test_catalog.hpp"

namespace p360::query {
namespace {

using testing::TestCatalog;
using testing::TestObject;

std::string DescribeValue(const storage::Value& value) {
    if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        return "i:" + std::to_string(*integer);
    }
    if (const auto* real = std::get_if<double>(&value)) {
        std::string text = std::to_string(*real);
        text.erase(text.find_last_not_of('0') + 1);
        if (text.back() == '.') {
            text.pop_back();
        }
        return "d:" + text;
    }
    if (const auto* text = std::get_if<std::string>(&value)) {
        return "s:" + *text;
    }
    return "null";
}

std::string OpName(PredicateOp op) {
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
            return "notIn";
        case PredicateOp::kLike:
            return "like";
        case PredicateOp::kStartsWith:
            return "startsWith";
        case PredicateOp::kIncludes:
            return "includes";
        case PredicateOp::kIsNull:
            return "isNull";
        case PredicateOp::kIsNotNull:
            return "isNotNull";
    }
    return "?";
}

// A compact rendering of a tree: `and(lastName = s:Smith, not(email isNull))`.
std::string Describe(const Expr& expr) {
    switch (expr.kind) {
        case ExprKind::kPredicate: {
            const Predicate& predicate = expr.predicate;
            std::string text = predicate.path.reference != nullptr
                                   ? predicate.path.reference->name + "."
                                   : std::string();
            text += predicate.path.field->name + " " + OpName(predicate.op);
            for (std::size_t i = 0; i < predicate.values.size(); ++i) {
                text += (i == 0 ? " " : ",") + DescribeValue(predicate.values[i]);
            }
            return text;
        }
        case ExprKind::kNot:
            return "not(" + Describe(expr.children.front()) + ")";
        case ExprKind::kAnd:
        case ExprKind::kOr: {
            std::string text = expr.kind == ExprKind::kAnd ? "and(" : "or(";
            for (std::size_t i = 0; i < expr.children.size(); ++i) {
                text += (i == 0 ? "" : ", ") + Describe(expr.children[i]);
            }
            return text + ")";
        }
    }
    return "?";
}

struct ValidCase {
    std::string object;
    std::string filter;
    std::string expected;
};

TEST(ParserTest, ParsesValidFilters) {
    const std::vector<ValidCase> cases = {
        {"Person", "lastName = 'Smith'", "lastName = s:Smith"},
        {"Person", "lastName = 'O''Brien'", "lastName = s:O'Brien"},
        {"Person", "lastName = 'M\xC3\xBCller'", "lastName = s:M\xC3\xBCller"},
        {"Person", "lastName <> 'x'", "lastName != s:x"},
        {"Person", "lastName != ''", "lastName != s:"},
        {"Person", "age = 42", "age = i:42"},
        {"Person", "age > -3.5", "age > d:-3.5"},
        {"Person", "score = 42", "score = d:42"},
        {"Person", "score >= 1e2", "score >= d:100"},
        {"Claim", "amount < 10", "amount < d:10"},
        {"Person", "active = true", "active = i:1"},
        {"Person", "active != FALSE", "active != i:0"},
        {"Person", "birthDate = 2024-01-31", "birthDate = s:2024-01-31"},
        {"Person", "birthDate <= '2024-02-29'", "birthDate <= s:2024-02-29"},
        {"Person", "lastContactAt >= 2024-01-31T10:00:00+02:00",
         "lastContactAt >= s:2024-01-31T08:00:00.000Z"},
        {"Person", "lastContactAt = '2024-01-31T10:00:00.5Z'",
         "lastContactAt = s:2024-01-31T10:00:00.500Z"},
        {"Person", "lastContactAt < 2024-01-31", "lastContactAt < s:2024-01-31T00:00:00.000Z"},
        {"Person", "lastName in ('a', 'b','c')", "lastName in s:a,s:b,s:c"},
        {"Person", "age not in (1, 2)", "age notIn i:1,i:2"},
        {"Person", "active in (true)", "active in i:1"},
        {"Person", "lastName like 'sm%'", "lastName like s:sm%"},
        {"Person", "lastName like 'a\\%b\\_c\\\\'", "lastName like s:a\\%b\\_c\\\\"},
        {"Person", "notes like '%diabetes%'", "notes like s:%diabetes%"},
        {"Person", "lastName startsWith 'Sm'", "lastName startsWith s:Sm"},
        {"Person", "lastName STARTSWITH '50%'", "lastName startsWith s:50%"},
        {"Person", "tags includes 'vip'", "tags includes s:vip"},
        {"Person", "tags is null", "tags isNull"},
        {"Person", "email is null", "email isNull"},
        {"Person", "email IS NOT NULL", "email isNotNull"},
        {"Person", "status = 'open'", "status = s:open"},
        {"Person", "household = 'hh_1'", "household = s:hh_1"},
        {"Person", "id = 'per_1'", "id = s:per_1"},
        // Precedence: not > and > or.
        {"Person", "age = 1 or age = 2 and age = 3", "or(age = i:1, and(age = i:2, age = i:3))"},
        {"Person", "not age = 1 and age = 2", "and(not(age = i:1), age = i:2)"},
        {"Person", "(age = 1 or age = 2) and age = 3", "and(or(age = i:1, age = i:2), age = i:3)"},
        {"Person", "not not age = 1", "not(not(age = i:1))"},
        {"Person", "age = 1 or age = 2 or age = 3", "or(age = i:1, age = i:2, age = i:3)"},
        {"Person", "((((age = 1))))", "age = i:1"},
        {"Person", "lastName LIKE 'a%' AnD age Is NoT nUlL",
         "and(lastName like s:a%, age isNotNull)"},
        {"Person", "\tlastName = 'x'\r\n and\nage = 1 ", "and(lastName = s:x, age = i:1)"},
        // Traversal, by reference field or by target object name.
        {"Person", "household.name = 'H1'", "household.name = s:H1"},
        {"Person", "Household.city startsWith 'Spr'", "household.city startsWith s:Spr"},
        {"Person", "HOUSEHOLD.memberCount > 2", "household.memberCount > i:2"},
        {"Person", "spouse.lastName is null", "spouse.lastName isNull"},
        {"Claim", "subscriber.lastName = 'x'", "subscriber.lastName = s:x"},
    };
    for (const ValidCase& test_case : cases) {
        auto parsed = ParseFilter(TestCatalog(), TestObject(test_case.object), test_case.filter);
        ASSERT_TRUE(parsed.ok()) << test_case.filter << " → " << parsed.error().public_message;
        ASSERT_TRUE(parsed->has_value()) << test_case.filter;
        EXPECT_EQ(Describe(**parsed), test_case.expected) << test_case.filter;
    }
}

TEST(ParserTest, EmptyFilterMatchesEverything) {
    for (const char* filter : {"", " ", "\t\r\n"}) {
        auto parsed = ParseFilter(TestCatalog(), TestObject("Person"), filter);
        ASSERT_TRUE(parsed.ok());
        EXPECT_FALSE(parsed->has_value());
    }
}

struct InvalidCase {
    std::string object;
    std::string filter;
    std::string message;  // a substring of the public message
};

TEST(ParserTest, RejectsInvalidFiltersWithAPosition) {
    const std::vector<InvalidCase> cases = {
        // Paths.
        {"Person", "lastNme = 'x'", "filter: unknown field 'lastNme' on Person at position 0"},
        {"Person", "age = 1 and lastname = 'x'",
         "unknown field 'lastname' on Person at position 12"},
        {"Person", "household.nme = 'x'", "unknown field 'nme' on Household at position 10"},
        {"Person", "household.spouse.name = 'x'",
         "path 'household.spouse.name' is too deep: only one reference can be followed at "
         "position 0"},
        {"Person", "firstName.x = 'a'", "'firstName' on Person is not a reference field"},
        {"Person", "Claim.amount = 1", "Person has no reference field to Claim at position 0"},
        {"Person", "Nothing.amount = 1", "unknown field 'Nothing' on Person"},
        {"Person", "Person.lastName = 'x'", "names Person itself"},
        {"Claim", "person.lastName = 'x'",
         "'person' is ambiguous: several fields of Claim refer to Person (subscriber, patient)"},
        {"Person", "household. = 'x'", "expected a field name after '.', found '='"},
        {"Person", "and", "unknown field 'and' on Person"},
        // Types.
        {"Person", "age = 'x'", "number field 'age' on Person takes a number, not a string"},
        {"Person", "lastName = 42", "text field 'lastName' on Person takes a quoted string"},
        {"Person", "active = 1", "boolean field 'active' on Person takes true or false"},
        {"Person", "age = true", "takes a number, not a boolean"},
        {"Person", "active < true", "'<' does not apply to boolean field 'active' on Person"},
        {"Person", "birthDate = '2024-02-30'", "takes a valid date (YYYY-MM-DD) at position 12"},
        {"Person", "birthDate = 2024-02-30", "invalid date literal"},
        {"Person", "birthDate = 2024-01-31T10:00:00Z", "takes a date such as 2024-01-31"},
        {"Person", "lastContactAt = 2024-01-31", "a date would match only midnight"},
        {"Person", "lastContactAt in (2024-01-31)", "a date would match only midnight"},
        {"Person", "lastContactAt = 2024-01-31T10:00:00", "invalid datetime literal"},
        {"Person", "lastContactAt = 'yesterday'", "takes a valid datetime"},
        {"Person", "lastName = null", "compare with null using 'is null', not '='"},
        {"Person", "lastName != null", "compare with null using 'is not null'"},
        {"Person", "age < null", "compare with null using 'is null', not '<'"},
        {"Person", "lastName in ('a', null)", "null cannot be listed in 'in'"},
        {"Person", "tags = 'vip'",
         "'=' does not apply to multiPicklist field 'tags' on Person (use 'includes' or 'is "
         "null')"},
        {"Person", "tags like 'v%'", "'like' does not apply to multiPicklist field"},
        {"Person", "lastName includes 'x'", "'includes' is for multiPicklist fields"},
        {"Person", "tags includes 'a;b'", "'includes' takes one non-empty value without ';'"},
        {"Person", "tags includes ''", "'includes' takes one non-empty value"},
        {"Person", "tags includes 1", "'includes' takes a quoted string, found a number"},
        {"Person", "age like '1%'", "'like' does not apply to number field 'age'"},
        {"Person", "birthDate startsWith '19'", "'startsWith' does not apply to date field"},
        {"Person", "lastName like 'a\\b'", "invalid escape in like pattern"},
        {"Person", "lastName like 'a\\'", "invalid escape in like pattern"},
        {"Person", "lastName like 42", "'like' takes a quoted string, found a number"},
        // Syntax.
        {"Person", "lastName = ", "expected a value, found the end of the filter at position 11"},
        {"Person", "lastName = firstName", "fields cannot be compared with fields"},
        {"Person", "lastName 'x'", "expected an operator after 'lastName'"},
        {"Person", "lastName", "expected an operator after 'lastName'"},
        {"Person", "lastName = 'x' lastName = 'y'",
         "expected 'and', 'or' or the end of the filter, found 'lastName' at position 15"},
        {"Person", "(lastName = 'x'", "expected ')' to close the '(' at position 0"},
        {"Person", "lastName = 'x')", "expected 'and', 'or' or the end of the filter, found ')'"},
        {"Person", "lastName = 'x", "unterminated string starting at position 11"},
        {"Person", "lastName == 'x'", "expected a value, found '='"},
        {"Person", "lastName ! 'x'", "unexpected character '!' at position 9"},
        {"Person", "lastName in ()", "expected a value, found ')'"},
        {"Person", "lastName in 'a'", "expected '(' after 'in', found a string"},
        {"Person", "lastName in ('a' 'b')", "expected ',' or ')' in the 'in' list"},
        {"Person", "lastName in ('a',", "expected a value, found the end of the filter"},
        {"Person", "email is nul", "expected 'null' after 'is', found 'nul'"},
        {"Person", "email is not", "expected 'null' after 'is not'"},
        {"Person", "email not like 'x'", "expected 'in' after 'not', found 'like'"},
        {"Person", "age = 1e999", "number out of range"},
        {"Person", "age = 12abc", "invalid number at position 6"},
        {"Person", "= 5", "expected a field name, 'not' or '(', found '=' at position 0"},
        {"Person", "lastName = 'x' or", "expected a field name, 'not' or '(', found the end"},
        {"Person", "not", "expected a field name, 'not' or '(', found the end of the filter"},
        {"Person", "()", "expected a field name, 'not' or '(', found ')' at position 1"},
        // Bytes.
        {"Person", std::string("lastName = 'a\0b'", 16),
         "unexpected control character at position 13"},
        {"Person", "lastName = '\xFF'", "invalid UTF-8 at position 12"},
        {"Person", "lastName = '\xC0\xAF'", "invalid UTF-8 at position 12"},
        {"Person", "\xEF\xBB\xBFlastName = 'x'", "unexpected character at position 0"},
    };
    for (const InvalidCase& test_case : cases) {
        auto parsed = ParseFilter(TestCatalog(), TestObject(test_case.object), test_case.filter);
        ASSERT_FALSE(parsed.ok()) << test_case.filter;
        EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << test_case.filter;
        EXPECT_EQ(parsed.error().location, "filter") << test_case.filter;
        EXPECT_NE(parsed.error().public_message.find(test_case.message), std::string::npos)
            << test_case.filter << "\n  got: " << parsed.error().public_message
            << "\n want: " << test_case.message;
    }
}

TEST(ParserTest, ErrorMessagesDoNotEchoValues) {
    for (const char* filter :
         {"age = 'SECRET-VALUE'", "birthDate = 'SECRET-VALUE'", "lastName = 'SECRET-VALUE' or",
          "lastName = 'SECRET-VALUE' x", "tags includes 'SECRET-VALUE;x'"}) {
        auto parsed = ParseFilter(TestCatalog(), TestObject("Person"), filter);
        ASSERT_FALSE(parsed.ok()) << filter;
        EXPECT_EQ(parsed.error().public_message.find("SECRET"), std::string::npos)
            << parsed.error().public_message;
    }
}

TEST(ParserTest, AcceptsDepthUpToTheLimit) {
    auto nested = [](int depth) {
        return std::string(static_cast<std::size_t>(depth), '(') + "age = 1" +
               std::string(static_cast<std::size_t>(depth), ')');
    };
    EXPECT_TRUE(ParseFilter(TestCatalog(), TestObject("Person"), nested(kMaxFilterDepth)).ok());
    auto too_deep = ParseFilter(TestCatalog(), TestObject("Person"), nested(kMaxFilterDepth + 1));
    ASSERT_FALSE(too_deep.ok());
    EXPECT_NE(too_deep.error().public_message.find("nesting deeper than 32 at position 32"),
              std::string::npos)
        << too_deep.error().public_message;

    std::string nots;
    for (int i = 0; i < kMaxFilterDepth; ++i) {
        nots += "not ";
    }
    EXPECT_TRUE(ParseFilter(TestCatalog(), TestObject("Person"), nots + "age = 1").ok());
    EXPECT_FALSE(ParseFilter(TestCatalog(), TestObject("Person"), nots + "not age = 1").ok());
    // Deep input well beyond the limit is rejected without exhausting the stack.
    EXPECT_FALSE(ParseFilter(TestCatalog(), TestObject("Person"), std::string(4000, '(')).ok());
}

TEST(ParserTest, LimitsInListSize) {
    auto in_list = [](std::size_t count) {
        std::string filter = "age in (";
        for (std::size_t i = 0; i < count; ++i) {
            filter += (i == 0 ? "" : ",") + std::to_string(i);
        }
        return filter + ")";
    };
    auto ok = ParseFilter(TestCatalog(), TestObject("Person"), in_list(kMaxInListItems));
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ((*ok)->predicate.values.size(), kMaxInListItems);
    auto too_many = ParseFilter(TestCatalog(), TestObject("Person"), in_list(kMaxInListItems + 1));
    ASSERT_FALSE(too_many.ok());
    EXPECT_NE(too_many.error().public_message.find("more than 500 values"), std::string::npos);
}

TEST(ParserTest, LimitsTermCount) {
    auto terms = [](std::size_t count) {
        std::string filter;
        for (std::size_t i = 0; i < count; ++i) {
            filter += (i == 0 ? "" : " or ") + std::string("age=1");
        }
        return filter;
    };
    EXPECT_TRUE(ParseFilter(TestCatalog(), TestObject("Person"), terms(kMaxFilterTerms)).ok());
    auto too_many = ParseFilter(TestCatalog(), TestObject("Person"), terms(kMaxFilterTerms + 1));
    ASSERT_FALSE(too_many.ok());
    EXPECT_NE(too_many.error().public_message.find("more than 100 conditions"), std::string::npos);
}

TEST(ParserTest, LimitsTextLength) {
    std::string filter = "lastName = '" + std::string(kMaxFilterBytes - 13, 'x') + "'";
    ASSERT_EQ(filter.size(), kMaxFilterBytes);
    EXPECT_TRUE(ParseFilter(TestCatalog(), TestObject("Person"), filter).ok());
    filter.insert(0, " ");
    auto too_long = ParseFilter(TestCatalog(), TestObject("Person"), filter);
    ASSERT_FALSE(too_long.ok());
    EXPECT_EQ(too_long.error().location, "filter");
    EXPECT_NE(too_long.error().public_message.find("longer than 4096 bytes"), std::string::npos);
}

TEST(ParserTest, UnreadableFieldIsPermissionDenied) {
    const FieldAccess no_phi = [](const metadata::ObjectDef&, const metadata::FieldDef& field) {
        return !field.phi;
    };
    auto denied = ParseFilter(TestCatalog(), TestObject("Person"), "ssn = '123-45-6789'", no_phi);
    ASSERT_FALSE(denied.ok());
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(denied.error().location, "filter");
    EXPECT_NE(denied.error().public_message.find("'ssn' on Person may not be read"),
              std::string::npos);
    EXPECT_EQ(denied.error().public_message.find("123"), std::string::npos);
    // The access check comes before type checking, so a wrong literal reveals nothing either.
    auto denied_first = ParseFilter(TestCatalog(), TestObject("Person"), "ssn = 5", no_phi);
    ASSERT_FALSE(denied_first.ok());
    EXPECT_EQ(denied_first.error().code, ErrorCode::kPermissionDenied);

    EXPECT_TRUE(ParseFilter(TestCatalog(), TestObject("Person"), "lastName = 'x'", no_phi).ok());
}

TEST(ParserTest, TraversalChecksBothFields) {
    const FieldAccess no_city = [](const metadata::ObjectDef& object,
                                   const metadata::FieldDef& field) {
        return !(object.name == "Household" && field.name == "city");
    };
    auto denied = ParseFilter(TestCatalog(), TestObject("Person"), "household.city = 'x'", no_city);
    ASSERT_FALSE(denied.ok());
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
    EXPECT_TRUE(
        ParseFilter(TestCatalog(), TestObject("Person"), "household.name = 'x'", no_city).ok());

    const FieldAccess no_household = [](const metadata::ObjectDef&,
                                        const metadata::FieldDef& field) {
        return field.name != "household";
    };
    auto ref_denied =
        ParseFilter(TestCatalog(), TestObject("Person"), "Household.name = 'x'", no_household);
    ASSERT_FALSE(ref_denied.ok());
    EXPECT_EQ(ref_denied.error().code, ErrorCode::kPermissionDenied);
}

// Many long values (identity looks up hundreds of 61-character pair keys at once): every
// value lands in exactly one filter, and every filter is one the parser accepts.
TEST(ParserTest, InListFiltersStayWithinTheLimits) {
    std::vector<std::string> values;
    for (int value_idx = 0; value_idx < 700; ++value_idx) {
        values.push_back("per_" + std::string(56, 'x') + std::to_string(value_idx) + "'q");
    }
    const std::vector<std::string> filters = InListFilters("lastName", values);
    ASSERT_GT(filters.size(), 1u);
    std::size_t found = 0;
    for (const std::string& filter : filters) {
        EXPECT_LE(filter.size(), kMaxFilterBytes);
        auto parsed = ParseFilter(TestCatalog(), TestObject("Person"), filter);
        ASSERT_TRUE(parsed.ok()) << parsed.error().public_message;
        for (const std::string& value : values) {
            found += filter.find(QuoteText(value) + ",") != std::string::npos ||
                     filter.find(QuoteText(value) + ")") != std::string::npos;
        }
    }
    EXPECT_EQ(found, values.size());
    EXPECT_TRUE(InListFilters("lastName", {}).empty());
}

}  // namespace
}  // namespace p360::query
