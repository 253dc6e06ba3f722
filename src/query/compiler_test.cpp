#include "query/compiler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "query/test_catalog.hpp"

namespace p360::query {
namespace {

using storage::Value;
using testing::TestCatalog;
using testing::TestDialect;
using testing::TestObject;

const TestDialect& Sqlite() {
    static const TestDialect dialect("sqlite", "LIKE");
    return dialect;
}

const TestDialect& Postgres() {
    static const TestDialect dialect("postgresql", "ILIKE");
    return dialect;
}

std::size_t Placeholders(const std::string& sql) {
    return static_cast<std::size_t>(std::count(sql.begin(), sql.end(), '?'));
}

SqlFragment Filter(std::string_view filter, const storage::Dialect& dialect = Sqlite(),
                   std::string_view object = "Person") {
    auto fragment = CompileFilter(TestCatalog(), TestObject(object), filter, dialect);
    EXPECT_TRUE(fragment.ok()) << filter << " → " << fragment.error().public_message;
    if (!fragment.ok()) {
        return {};
    }
    EXPECT_EQ(Placeholders(fragment->sql), fragment->params.size()) << fragment->sql;
    return std::move(fragment).value();
}

CompiledList List(const ListRequest& request, const FieldAccess& can_read = {}) {
    auto list = CompileList(TestCatalog(), TestObject("Person"), request, Sqlite(), can_read);
    EXPECT_TRUE(list.ok()) << list.error().public_message;
    if (!list.ok()) {
        return {};
    }
    EXPECT_EQ(Placeholders(list->sql), list->params.size()) << list->sql;
    return std::move(list).value();
}

Error ListError(const ListRequest& request, const FieldAccess& can_read = {}) {
    auto list = CompileList(TestCatalog(), TestObject("Person"), request, Sqlite(), can_read);
    EXPECT_FALSE(list.ok()) << list->sql;
    return list.ok() ? Error{} : list.error();
}

struct FilterCase {
    std::string filter;
    std::string sql;
    std::vector<Value> params;
};

TEST(CompilerTest, CompilesPredicates) {
    const std::vector<FilterCase> cases = {
        {"lastName = 'Smith'", R"(t."lastName" = ?)", {Value("Smith")}},
        {"lastName != 'Smith'", R"((t."lastName" IS NULL OR t."lastName" <> ?))", {Value("Smith")}},
        {"age < 30", R"(t."age" < ?)", {Value(std::int64_t{30})}},
        {"age <= 30.5", R"(t."age" <= ?)", {Value(30.5)}},
        {"score > 2", R"(t."score" > ?)", {Value(2.0)}},
        {"age >= 30", R"(t."age" >= ?)", {Value(std::int64_t{30})}},
        {"active = true", R"(t."active" = ?)", {Value(std::int64_t{1})}},
        {"active = false", R"(t."active" = ?)", {Value(std::int64_t{0})}},
        {"birthDate >= 1990-01-01", R"(t."birthDate" >= ?)", {Value("1990-01-01")}},
        {"lastContactAt < 2024-03-01T00:00:00-05:00",
         R"(t."lastContactAt" < ?)",
         {Value("2024-03-01T05:00:00.000Z")}},
        {"age in (1, 2, 3)",
         R"(t."age" IN (?, ?, ?))",
         {Value(std::int64_t{1}), Value(std::int64_t{2}), Value(std::int64_t{3})}},
        {"age not in (1, 2)",
         R"((t."age" IS NULL OR t."age" NOT IN (?, ?)))",
         {Value(std::int64_t{1}), Value(std::int64_t{2})}},
        {"lastName like 'sm%'", R"(t."lastName" LIKE ? ESCAPE '\')", {Value("sm%")}},
        {"lastName startsWith '10%_a\\b'",
         R"(t."lastName" LIKE ? ESCAPE '\')",
         {Value("10\\%\\_a\\\\b%")}},
        {"tags includes 'vip'",
         R"((';' || t."tags" || ';') LIKE ? ESCAPE '\')",
         {Value("%;vip;%")}},
        {"tags includes 'a_b'",
         R"((';' || t."tags" || ';') LIKE ? ESCAPE '\')",
         {Value("%;a\\_b;%")}},
        {"email is null", R"(t."email" IS NULL)", {}},
        {"email is not null", R"(t."email" IS NOT NULL)", {}},
        {"lastName = 'a' and (age = 1 or age = 2)",
         R"((t."lastName" = ? AND (t."age" = ? OR t."age" = ?)))",
         {Value("a"), Value(std::int64_t{1}), Value(std::int64_t{2})}},
        // Negation is pushed down to the predicates and is an exact complement.
        {"not lastName = 'a'", R"((t."lastName" IS NULL OR t."lastName" <> ?))", {Value("a")}},
        {"not lastName != 'a'", R"(t."lastName" = ?)", {Value("a")}},
        {"not email is null", R"(t."email" IS NOT NULL)", {}},
        {"not (lastName = 'a' or age < 3)",
         R"(((t."lastName" IS NULL OR t."lastName" <> ?) AND (t."age" IS NULL OR t."age" >= ?)))",
         {Value("a"), Value(std::int64_t{3})}},
        {"not (age <= 3 and age > 1)",
         R"(((t."age" IS NULL OR t."age" > ?) OR (t."age" IS NULL OR t."age" <= ?)))",
         {Value(std::int64_t{3}), Value(std::int64_t{1})}},
        {"not age >= 3", R"((t."age" IS NULL OR t."age" < ?))", {Value(std::int64_t{3})}},
        {"not age not in (1)", R"(t."age" IN (?))", {Value(std::int64_t{1})}},
        {"not lastName like 'a%'",
         R"((t."lastName" IS NULL OR t."lastName" NOT LIKE ? ESCAPE '\'))",
         {Value("a%")}},
        {"not tags includes 'vip'",
         R"((t."tags" IS NULL OR (';' || t."tags" || ';') NOT LIKE ? ESCAPE '\'))",
         {Value("%;vip;%")}},
        {"not not age = 1", R"(t."age" = ?)", {Value(std::int64_t{1})}},
    };
    for (const FilterCase& test_case : cases) {
        SqlFragment fragment = Filter(test_case.filter);
        EXPECT_EQ(fragment.sql, test_case.sql) << test_case.filter;
        EXPECT_EQ(fragment.params, test_case.params) << test_case.filter;
        EXPECT_TRUE(fragment.joins.empty());
    }
}

TEST(CompilerTest, UsesTheDialectsCaseInsensitiveLike) {
    SqlFragment fragment = Filter("lastName startsWith 'Sm' or not lastName like 'x%'", Postgres());
    EXPECT_EQ(
        fragment.sql,
        R"((t."lastName" ILIKE ? ESCAPE '\' OR (t."lastName" IS NULL OR t."lastName" NOT ILIKE ? ESCAPE '\')))");
}

TEST(CompilerTest, EmptyFilterIsEmptyFragment) {
    SqlFragment fragment = Filter("  ");
    EXPECT_EQ(fragment.sql, "");
    EXPECT_TRUE(fragment.params.empty());
    EXPECT_TRUE(fragment.joins.empty());
}

TEST(CompilerTest, JoinsEachFollowedReferenceOnce) {
    SqlFragment fragment =
        Filter("household.city = 'Springfield' and spouse.lastName = 'x' or Household.name = 'H'");
    EXPECT_EQ(fragment.sql, R"(((j1."city" = ? AND j2."lastName" = ?) OR j1."name" = ?))");
    EXPECT_EQ(fragment.joins,
              (std::vector<std::string>{R"(LEFT JOIN "Household" AS j1 ON j1."id" = t."household")",
                                        R"(LEFT JOIN "Person" AS j2 ON j2."id" = t."spouse")"}));

    SqlFragment negated = Filter("household.city != 'Springfield'");
    EXPECT_EQ(negated.sql, R"((j1."city" IS NULL OR j1."city" <> ?))");
}

TEST(CompilerTest, CompilesAListRequest) {
    ListRequest request;
    request.filter = "lastName = 'Smith' and household.city = 'Springfield'";
    request.sort = "lastName";
    request.fields = {"firstName", "lastName"};
    request.limit = 25;
    CompiledList list = List(request);
    EXPECT_EQ(
        list.sql,
        R"(SELECT t."id", t."firstName", t."lastName", t."lastName", t."id" FROM "Person" AS t )"
        R"(LEFT JOIN "Household" AS j1 ON j1."id" = t."household" )"
        R"(WHERE (t."lastName" = ? AND j1."city" = ?) )"
        R"(ORDER BY t."lastName" ASC NULLS FIRST, t."id" ASC LIMIT ?)");
    EXPECT_EQ(list.params,
              (std::vector<Value>{Value("Smith"), Value("Springfield"), Value(std::int64_t{25})}));
    ASSERT_EQ(list.columns.size(), 3u);
    EXPECT_EQ(list.columns[0]->name, "id");
    EXPECT_EQ(list.columns[1]->name, "firstName");
    EXPECT_EQ(list.columns[2]->name, "lastName");
    ASSERT_EQ(list.sort.size(), 2u);
    EXPECT_EQ(list.sort[0].field->name, "lastName");
    EXPECT_FALSE(list.sort[0].descending);
    EXPECT_EQ(list.sort[1].field->name, "id");
    EXPECT_EQ(list.sort_value_offset, 3u);
}

TEST(CompilerTest, DefaultsToAllFieldsSortedById) {
    CompiledList list = List(ListRequest{});
    const metadata::ObjectDef& person = TestObject("Person");
    ASSERT_EQ(list.columns.size(), person.fields.size());
    for (std::size_t i = 0; i < person.fields.size(); ++i) {
        EXPECT_EQ(list.columns[i], &person.fields[i]);
    }
    EXPECT_TRUE(list.sql.ends_with(R"(, t."id" FROM "Person" AS t ORDER BY t."id" ASC LIMIT ?)"))
        << list.sql;
    EXPECT_EQ(list.params, (std::vector<Value>{Value(std::int64_t{50})}));
    ASSERT_EQ(list.sort.size(), 1u);
    EXPECT_EQ(list.sort_value_offset, person.fields.size());
}

TEST(CompilerTest, UserTextOnlyEverReachesParams) {
    const std::string hostile = "'; DROP TABLE \"Person\"; --";
    ListRequest request;
    request.filter =
        "lastName = '''; DROP TABLE \"Person\"; --' or firstName startsWith 'x'' OR 1=1 --'";
    CompiledList list = List(request);
    EXPECT_EQ(list.sql.find("DROP"), std::string::npos) << list.sql;
    EXPECT_EQ(list.sql.find("1=1"), std::string::npos) << list.sql;
    EXPECT_EQ(list.sql.find("--"), std::string::npos) << list.sql;
    ASSERT_EQ(list.params.size(), 3u);
    EXPECT_EQ(list.params[0], Value(hostile));
    EXPECT_EQ(list.params[1], Value("x' OR 1=1 --%"));
}

TEST(CompilerTest, SortsWithExplicitNullOrdering) {
    ListRequest request;
    request.sort = " lastName , -age,-birthDate";
    request.fields = {"lastName"};
    CompiledList list = List(request);
    EXPECT_NE(list.sql.find(R"(ORDER BY t."lastName" ASC NULLS FIRST, t."age" DESC NULLS LAST, )"
                            R"(t."birthDate" DESC NULLS LAST, t."id" ASC LIMIT ?)"),
              std::string::npos)
        << list.sql;
    EXPECT_NE(list.sql.find(R"(SELECT t."id", t."lastName", t."lastName", t."age", t."birthDate", )"
                            R"(t."id" FROM)"),
              std::string::npos)
        << list.sql;
    EXPECT_EQ(list.sort_value_offset, 2u);
    ASSERT_EQ(list.sort.size(), 4u);
    EXPECT_TRUE(list.sort[1].descending);

    request.sort = "-id";
    list = List(request);
    ASSERT_EQ(list.sort.size(), 1u);
    EXPECT_TRUE(list.sort[0].descending);
    EXPECT_NE(list.sql.find(R"(ORDER BY t."id" DESC LIMIT ?)"), std::string::npos) << list.sql;
}

struct SortErrorCase {
    std::string sort;
    std::string message;
};

TEST(CompilerTest, RejectsBadSorts) {
    const std::vector<SortErrorCase> cases = {
        {"lastNme", "sort: unknown field 'lastNme' on Person at position 0"},
        {"lastName,-frist", "sort: unknown field 'frist' on Person at position 9"},
        {"household.name", "sort: unknown field 'household.name' on Person"},
        {"notes", "sort: cannot sort by longText field 'notes'"},
        {"-tags", "sort: cannot sort by multiPicklist field 'tags'"},
        {"lastName,-lastName", "sort: field 'lastName' appears more than once at position 9"},
        {"lastName,,age", "sort: empty sort key at position 9"},
        {"lastName,", "sort: empty sort key at position 9"},
        {"-", "sort: missing field name after '-' at position 0"},
        {"--age", "sort: unknown field '-age' on Person"},
        {std::string("age\0", 4), "sort: unknown field (name not shown)"},
        {"version,ownerId,createdAt,createdBy,modifiedAt,modifiedBy,firstName,lastName,birthDate,"
         "age,score,active,email,status,household,spouse,lastContactAt",
         "sort: more than 16 sort keys"},
        {std::string(2000, 'a'), "sort: longer than 1024 bytes"},
    };
    for (const SortErrorCase& test_case : cases) {
        ListRequest request;
        request.sort = test_case.sort;
        Error error = ListError(request);
        EXPECT_EQ(error.code, ErrorCode::kInvalidArgument) << test_case.sort;
        EXPECT_EQ(error.location, "sort") << test_case.sort;
        EXPECT_NE(error.public_message.find(test_case.message), std::string::npos)
            << test_case.sort << "\n  got: " << error.public_message;
    }
}

TEST(CompilerTest, ValidatesLimit) {
    for (int limit : {0, -1, 1001}) {
        ListRequest request;
        request.limit = limit;
        Error error = ListError(request);
        EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(error.location, "limit");
    }
    for (int limit : {1, 1000}) {
        ListRequest request;
        request.limit = limit;
        EXPECT_EQ(List(request).params.back(), Value(std::int64_t{limit}));
    }
}

TEST(CompilerTest, ValidatesProjection) {
    ListRequest request;
    request.fields = {"lastName", "nope"};
    Error unknown = ListError(request);
    EXPECT_EQ(unknown.location, "fields");
    EXPECT_NE(unknown.public_message.find("unknown field 'nope' on Person"), std::string::npos);

    request.fields = {"lastName", "lastName"};
    EXPECT_EQ(ListError(request).location, "fields");

    request.fields = {"lastName", "id"};
    CompiledList list = List(request);
    ASSERT_EQ(list.columns.size(), 2u);
    EXPECT_EQ(list.columns[0]->name, "id");
    EXPECT_EQ(list.columns[1]->name, "lastName");
}

TEST(CompilerTest, FieldAccessAppliesToFieldsSortAndFilter) {
    const FieldAccess no_phi = [](const metadata::ObjectDef&, const metadata::FieldDef& field) {
        return !field.phi;
    };
    CompiledList all = List(ListRequest{}, no_phi);
    for (const metadata::FieldDef* column : all.columns) {
        EXPECT_NE(column->name, "ssn");
    }
    EXPECT_EQ(all.sql.find("ssn"), std::string::npos);

    ListRequest request;
    request.fields = {"ssn"};
    Error fields = ListError(request, no_phi);
    EXPECT_EQ(fields.code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(fields.location, "fields");

    // An internal reader asking for what it can use gets the readable part of its projection.
    request.fields = {"lastName", "ssn"};
    request.skip_unreadable_fields = true;
    CompiledList readable = List(request, no_phi);
    ASSERT_EQ(readable.columns.size(), 2u);
    EXPECT_EQ(readable.columns[1]->name, "lastName");
    EXPECT_EQ(readable.sql.find("ssn"), std::string::npos);

    request = {};
    request.sort = "-ssn";
    Error sort = ListError(request, no_phi);
    EXPECT_EQ(sort.code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(sort.location, "sort");

    request = {};
    request.filter = "ssn startsWith '123'";
    Error filter = ListError(request, no_phi);
    EXPECT_EQ(filter.code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(filter.location, "filter");
    EXPECT_EQ(filter.public_message.find("123"), std::string::npos);
}

TEST(CompilerTest, KeysetConditionForNonNullValues) {
    ListRequest request;
    request.sort = "lastName,-age";
    request.fields = {"lastName"};
    CompiledList first = List(request);
    request.cursor =
        EncodeCursor(first.sort, {Value("Smith"), Value(std::int64_t{40}), Value("per_1")});
    request.filter = "active = true";
    CompiledList list = List(request);
    EXPECT_NE(list.sql.find(
                  R"(WHERE t."active" = ? AND (t."lastName" > ? OR (t."lastName" = ? AND )"
                  R"((t."age" < ? OR t."age" IS NULL OR (t."age" = ? AND t."id" > ?)))) ORDER BY)"),
              std::string::npos)
        << list.sql;
    EXPECT_EQ(list.params,
              (std::vector<Value>{Value(std::int64_t{1}), Value("Smith"), Value("Smith"),
                                  Value(std::int64_t{40}), Value(std::int64_t{40}), Value("per_1"),
                                  Value(std::int64_t{50})}));
}

TEST(CompilerTest, KeysetConditionForNullValues) {
    ListRequest request;
    request.sort = "lastName,-age";
    CompiledList first = List(request);
    request.cursor = EncodeCursor(first.sort, {Value(), Value(), Value("per_1")});
    CompiledList list = List(request);
    EXPECT_NE(list.sql.find(R"(WHERE (t."lastName" IS NOT NULL OR (t."lastName" IS NULL AND )"
                            R"((t."age" IS NULL AND t."id" > ?))) ORDER BY)"),
              std::string::npos)
        << list.sql;
    EXPECT_EQ(list.params, (std::vector<Value>{Value("per_1"), Value(std::int64_t{50})}));
}

TEST(CompilerTest, KeysetConditionForDescendingLastKey) {
    ListRequest request;
    request.sort = "-id";
    request.cursor = EncodeCursor(List(request).sort, {Value("per_5")});
    EXPECT_NE(List(request).sql.find(R"(WHERE t."id" < ? ORDER BY)"), std::string::npos);

    request.sort = "id,-email";
    request.cursor.clear();
    CompiledList first = List(request);
    request.cursor = EncodeCursor(first.sort, {Value("per_5"), Value()});
    EXPECT_NE(List(request).sql.find(R"(WHERE (t."id" > ? OR (t."id" = ? AND 1 = 0)) ORDER BY)"),
              std::string::npos)
        << List(request).sql;
    request.cursor = EncodeCursor(first.sort, {Value("per_5"), Value("a@b.org")});
    EXPECT_NE(List(request).sql.find(R"(WHERE (t."id" > ? OR (t."id" = ? AND )"
                                     R"((t."email" < ? OR t."email" IS NULL))) ORDER BY)"),
              std::string::npos)
        << List(request).sql;
}

TEST(CompilerTest, RejectsACursorForAnotherSort) {
    ListRequest request;
    request.sort = "lastName";
    request.cursor = EncodeCursor(List(request).sort, {Value("Smith"), Value("per_1")});
    request.sort = "-lastName";
    Error error = ListError(request);
    EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(error.location, "cursor");
    EXPECT_NE(error.public_message.find("different sort"), std::string::npos);

    request.cursor = "not a cursor!";
    EXPECT_EQ(ListError(request).location, "cursor");
}

}  // namespace
}  // namespace p360::query
