// End to end: compiled lists and filters run on a real (in-memory) SQLite database, checked
// against results computed independently in C++ from the inserted rows.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "query/compiler.hpp"
#include "query/test_catalog.hpp"

namespace p360::query {
namespace {

using storage::Value;
using testing::TestCatalog;
using testing::TestDialect;
using testing::TestObject;

// The minimal SQLite dialect these tests need.
const storage::Dialect& SqliteDialect() {
    static const TestDialect dialect("sqlite", "LIKE");
    return dialect;
}

struct HouseholdRow {
    std::string id;
    std::string name;
    std::optional<std::string> city;
};

struct PersonRow {
    std::string id;
    std::optional<std::string> first_name;
    std::optional<std::string> last_name;
    std::optional<std::string> birth_date;
    std::optional<std::int64_t> age;
    std::optional<double> score;
    std::optional<std::int64_t> active;
    std::optional<std::string> email;
    std::optional<std::string> tags;
    std::optional<std::string> household;
    std::optional<std::string> last_contact_at;
};

// A deterministic generator, so failures reproduce.
class Lcg {
public:
    std::uint32_t Next() {
        state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::uint32_t>(state_ >> 33);
    }
    template <typename T>
    const T& Pick(const std::vector<T>& items) {
        return items[Next() % items.size()];
    }

private:
    std::uint64_t state_ = 20240131;
};

Value ToValue(const std::optional<std::string>& v) { return v ? Value(*v) : Value(); }
Value ToValue(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(); }
Value ToValue(const std::optional<double>& v) { return v ? Value(*v) : Value(); }

class SqliteE2eTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
        Exec(R"(CREATE TABLE "Household" ("id" TEXT PRIMARY KEY, "version" INTEGER,
                "ownerId" TEXT, "createdAt" TEXT, "createdBy" TEXT, "modifiedAt" TEXT,
                "modifiedBy" TEXT, "name" TEXT, "city" TEXT, "memberCount" INTEGER))");
        Exec(R"(CREATE TABLE "Person" ("id" TEXT PRIMARY KEY, "version" INTEGER,
                "ownerId" TEXT, "createdAt" TEXT, "createdBy" TEXT, "modifiedAt" TEXT,
                "modifiedBy" TEXT, "firstName" TEXT, "lastName" TEXT, "birthDate" TEXT,
                "age" INTEGER, "score" REAL, "active" INTEGER, "email" TEXT, "notes" TEXT,
                "tags" TEXT, "status" TEXT, "household" TEXT, "spouse" TEXT,
                "lastContactAt" TEXT, "ssn" TEXT))");

        const std::vector<std::optional<std::string>> cities = {"Springfield", "Shelbyville",
                                                                std::nullopt};
        for (int i = 0; i < 10; ++i) {
            households_.push_back(
                {"hh_" + std::to_string(i), "H" + std::to_string(i), cities[i % 3]});
            Insert(R"(INSERT INTO "Household" ("id", "name", "city") VALUES (?, ?, ?))",
                   {Value(households_.back().id), Value(households_.back().name),
                    ToValue(households_.back().city)});
        }

        Lcg rng;
        const std::vector<std::optional<std::string>> last_names = {
            "Smith", "smith", "Smythe",    "Jones",         "O'Brien",    "Sm_th",
            "Smith", "Brown", "100% Pure", "M\xC3\xBCller", std::nullopt, std::nullopt};
        const std::vector<std::optional<std::string>> first_names = {"Ann", "Bob", "Cy", "Dee",
                                                                     std::nullopt};
        const std::vector<std::optional<std::string>> birth_dates = {
            "1985-06-01", "1990-01-01", "1994-12-31", "1999-12-31", "2000-01-01", std::nullopt};
        const std::vector<std::optional<double>> scores = {1.5,   2.25, 50.5,
                                                           99.99, 75.0, std::nullopt};
        const std::vector<std::optional<std::string>> tags = {
            "vip", "new;vip", "risk", "vip;risk", "newvip", std::nullopt, std::nullopt};
        const std::vector<std::optional<std::string>> contacts = {
            "2024-02-29T23:59:59.999Z", "2024-03-01T00:00:00.000Z", "2024-03-01T00:30:00.000Z",
            "2024-03-15T12:00:00.000Z", std::nullopt};

        for (int i = 0; i < 200; ++i) {
            PersonRow row;
            // Ids are not in insertion order.
            row.id = "per_" + std::to_string(1000 + (i * 37) % 200);
            row.first_name = rng.Pick(first_names);
            row.last_name = rng.Pick(last_names);
            row.birth_date = rng.Pick(birth_dates);
            if (rng.Next() % 8 != 0) {
                row.age = static_cast<std::int64_t>(rng.Next() % 9) * 10;  // many duplicates
            }
            row.score = rng.Pick(scores);
            const std::uint32_t active = rng.Next() % 3;
            if (active < 2) {
                row.active = active;
            }
            if (rng.Next() % 3 != 0) {
                row.email = "p" + std::to_string(i) + "@example.org";
            }
            row.tags = rng.Pick(tags);
            if (rng.Next() % 4 != 0) {
                row.household = "hh_" + std::to_string(rng.Next() % 10);
            }
            row.last_contact_at = rng.Pick(contacts);
            persons_.push_back(row);
            Insert(R"(INSERT INTO "Person" ("id", "firstName", "lastName", "birthDate", "age",
                      "score", "active", "email", "tags", "household", "lastContactAt")
                      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))",
                   {Value(row.id), ToValue(row.first_name), ToValue(row.last_name),
                    ToValue(row.birth_date), ToValue(row.age), ToValue(row.score),
                    ToValue(row.active), ToValue(row.email), ToValue(row.tags),
                    ToValue(row.household), ToValue(row.last_contact_at)});
        }
    }

    void TearDown() override { sqlite3_close(db_); }

    void Exec(const std::string& sql) {
        char* message = nullptr;
        ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK)
            << (message != nullptr ? message : "");
        sqlite3_free(message);
    }

    void Bind(sqlite3_stmt* statement, const std::vector<Value>& params) {
        for (std::size_t i = 0; i < params.size(); ++i) {
            const int index = static_cast<int>(i + 1);
            const Value& param = params[i];
            if (const auto* integer = std::get_if<std::int64_t>(&param)) {
                sqlite3_bind_int64(statement, index, *integer);
            } else if (const auto* real = std::get_if<double>(&param)) {
                sqlite3_bind_double(statement, index, *real);
            } else if (const auto* text = std::get_if<std::string>(&param)) {
                sqlite3_bind_text(statement, index, text->data(), static_cast<int>(text->size()),
                                  SQLITE_TRANSIENT);
            } else {
                sqlite3_bind_null(statement, index);
            }
        }
    }

    void Insert(const std::string& sql, const std::vector<Value>& params) { Query(sql, params); }

    std::vector<storage::Row> Query(const std::string& sql, const std::vector<Value>& params) {
        sqlite3_stmt* statement = nullptr;
        const int prepared = sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr);
        EXPECT_EQ(prepared, SQLITE_OK) << sqlite3_errmsg(db_) << "\n" << sql;
        if (prepared != SQLITE_OK) {
            return {};
        }
        EXPECT_EQ(sqlite3_bind_parameter_count(statement), static_cast<int>(params.size()));
        Bind(statement, params);
        std::vector<storage::Row> rows;
        int step = 0;
        while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
            storage::Row row;
            for (int column = 0; column < sqlite3_column_count(statement); ++column) {
                switch (sqlite3_column_type(statement, column)) {
                    case SQLITE_INTEGER:
                        row.emplace_back(
                            static_cast<std::int64_t>(sqlite3_column_int64(statement, column)));
                        break;
                    case SQLITE_FLOAT:
                        row.emplace_back(sqlite3_column_double(statement, column));
                        break;
                    case SQLITE_TEXT:
                        row.emplace_back(std::string(
                            reinterpret_cast<const char*>(sqlite3_column_text(statement, column)),
                            static_cast<std::size_t>(sqlite3_column_bytes(statement, column))));
                        break;
                    default:
                        row.emplace_back();
                        break;
                }
            }
            rows.push_back(std::move(row));
        }
        EXPECT_EQ(step, SQLITE_DONE) << sqlite3_errmsg(db_) << "\n" << sql;
        sqlite3_finalize(statement);
        return rows;
    }

    // Pages through a list with `limit` rows per page; returns the ids in page order.
    std::vector<std::string> PageThrough(ListRequest request) {
        std::vector<std::string> ids;
        for (int page = 0; page < 500; ++page) {
            auto list = CompileList(TestCatalog(), TestObject("Person"), request, SqliteDialect());
            EXPECT_TRUE(list.ok()) << list.error().public_message;
            if (!list.ok()) {
                return ids;
            }
            std::vector<storage::Row> rows = Query(list->sql, list->params);
            EXPECT_LE(rows.size(), static_cast<std::size_t>(request.limit));
            for (const storage::Row& row : rows) {
                EXPECT_EQ(row.size(), list->sort_value_offset + list->sort.size());
                ids.push_back(std::get<std::string>(row[0]));
            }
            if (rows.size() < static_cast<std::size_t>(request.limit)) {
                return ids;
            }
            const storage::Row& last = rows.back();
            std::vector<Value> keys(
                last.begin() + static_cast<std::ptrdiff_t>(list->sort_value_offset), last.end());
            request.cursor = EncodeCursor(list->sort, keys);
        }
        ADD_FAILURE() << "paging did not end";
        return ids;
    }

    std::vector<std::string> FilterIds(const std::string& filter) {
        ListRequest request;
        request.filter = filter;
        request.fields = {"lastName"};
        request.limit = 1000;
        auto list = CompileList(TestCatalog(), TestObject("Person"), request, SqliteDialect());
        EXPECT_TRUE(list.ok()) << filter << " → " << list.error().public_message;
        if (!list.ok()) {
            return {};
        }
        std::vector<std::string> ids;
        for (const storage::Row& row : Query(list->sql, list->params)) {
            ids.push_back(std::get<std::string>(row[0]));
        }
        return ids;  // ordered by id
    }

    const HouseholdRow* HouseholdOf(const PersonRow& person) const {
        for (const HouseholdRow& household : households_) {
            if (person.household && household.id == *person.household) {
                return &household;
            }
        }
        return nullptr;
    }

    std::vector<std::string> ExpectedIds(const std::function<bool(const PersonRow&)>& keep) const {
        std::vector<std::string> ids;
        for (const PersonRow& person : persons_) {
            if (keep(person)) {
                ids.push_back(person.id);
            }
        }
        std::sort(ids.begin(), ids.end());
        return ids;
    }

    sqlite3* db_ = nullptr;
    std::vector<HouseholdRow> households_;
    std::vector<PersonRow> persons_;
};

// ---- Independent reference semantics -------------------------------------------------------

// An optional value as a sortable key: nothing < anything, then by value.
template <typename T>
int CompareOptional(const std::optional<T>& a, const std::optional<T>& b) {
    if (!a || !b) {
        return a ? 1 : (b ? -1 : 0);
    }
    return *a < *b ? -1 : (*b < *a ? 1 : 0);
}

int CompareField(const PersonRow& a, const PersonRow& b, const std::string& field) {
    if (field == "id") {
        return a.id < b.id ? -1 : (b.id < a.id ? 1 : 0);
    }
    if (field == "firstName") return CompareOptional(a.first_name, b.first_name);
    if (field == "lastName") return CompareOptional(a.last_name, b.last_name);
    if (field == "birthDate") return CompareOptional(a.birth_date, b.birth_date);
    if (field == "age") return CompareOptional(a.age, b.age);
    if (field == "score") return CompareOptional(a.score, b.score);
    if (field == "active") return CompareOptional(a.active, b.active);
    if (field == "email") return CompareOptional(a.email, b.email);
    if (field == "household") return CompareOptional(a.household, b.household);
    if (field == "lastContactAt") return CompareOptional(a.last_contact_at, b.last_contact_at);
    ADD_FAILURE() << "no comparison for " << field;
    return 0;
}

bool IsNullField(const PersonRow& row, const std::string& field) {
    PersonRow empty;
    empty.id = row.id;
    return field != "id" && CompareField(row, empty, field) == 0;
}

// The expected order: ascending puts nulls first, descending puts them last; id breaks ties.
std::vector<std::string> SortedIds(std::vector<PersonRow> rows,
                                   const std::vector<std::pair<std::string, bool>>& keys) {
    std::sort(rows.begin(), rows.end(), [&](const PersonRow& a, const PersonRow& b) {
        for (const auto& [field, descending] : keys) {
            const bool a_null = IsNullField(a, field);
            const bool b_null = IsNullField(b, field);
            if (a_null != b_null) {
                // ASC NULLS FIRST: the null row comes first; DESC NULLS LAST: it comes last.
                return descending ? b_null : a_null;
            }
            const int order = CompareField(a, b, field);
            if (order != 0) {
                return descending ? order > 0 : order < 0;
            }
        }
        return a.id < b.id;
    });
    std::vector<std::string> ids;
    for (const PersonRow& row : rows) {
        ids.push_back(row.id);
    }
    return ids;
}

std::string AsciiLower(std::string text) {
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return text;
}

bool StartsWithIgnoreCase(const std::optional<std::string>& text, const std::string& prefix) {
    return text && AsciiLower(*text).rfind(AsciiLower(prefix), 0) == 0;
}

bool HasTag(const std::optional<std::string>& tags, const std::string& tag) {
    if (!tags) {
        return false;
    }
    std::size_t start = 0;
    while (start <= tags->size()) {
        std::size_t end = tags->find(';', start);
        if (end == std::string::npos) {
            end = tags->size();
        }
        if (tags->substr(start, end - start) == tag) {
            return true;
        }
        start = end + 1;
    }
    return false;
}

// ---- Tests ---------------------------------------------------------------------------------

struct PagingCase {
    std::string sort;
    std::vector<std::pair<std::string, bool>> keys;  // the same sort, for the reference order
};

TEST_F(SqliteE2eTest, PagesCoverEveryRowOnceInSortOrder) {
    const std::vector<PagingCase> cases = {
        {"", {}},
        {"-id", {{"id", true}}},
        {"lastName", {{"lastName", false}}},
        {"-lastName", {{"lastName", true}}},
        {"lastName,-age", {{"lastName", false}, {"age", true}}},
        {"-age,lastName,-firstName", {{"age", true}, {"lastName", false}, {"firstName", true}}},
        {"-birthDate,firstName", {{"birthDate", true}, {"firstName", false}}},
        {"active,-score,lastName", {{"active", false}, {"score", true}, {"lastName", false}}},
        {"-household,email", {{"household", true}, {"email", false}}},
        {"-lastContactAt,-active", {{"lastContactAt", true}, {"active", true}}},
        {"score", {{"score", false}}},
    };
    for (const PagingCase& test_case : cases) {
        std::vector<std::pair<std::string, bool>> keys = test_case.keys;
        if (test_case.sort != "-id") {
            keys.emplace_back("id", false);
        }
        const std::vector<std::string> expected = SortedIds(persons_, keys);
        ASSERT_EQ(expected.size(), 200u);
        for (int limit : {1, 7, 13, 50, 200, 1000}) {
            ListRequest request;
            request.sort = test_case.sort;
            request.limit = limit;
            request.fields = {"firstName"};
            const std::vector<std::string> paged = PageThrough(request);
            EXPECT_EQ(paged, expected) << "sort '" << test_case.sort << "', limit " << limit;
            EXPECT_EQ(std::set<std::string>(paged.begin(), paged.end()).size(), paged.size());
        }
    }
}

TEST_F(SqliteE2eTest, PagingAFilteredList) {
    ListRequest request;
    request.filter = "age >= 40 or age is null or not lastName startsWith 'S'";
    request.sort = "-lastName,age";
    request.limit = 9;
    std::vector<PersonRow> kept;
    for (const PersonRow& person : persons_) {
        if ((person.age && *person.age >= 40) || !person.age ||
            !StartsWithIgnoreCase(person.last_name, "S")) {
            kept.push_back(person);
        }
    }
    ASSERT_GT(kept.size(), 20u);
    ASSERT_LT(kept.size(), 200u);
    EXPECT_EQ(PageThrough(request),
              SortedIds(kept, {{"lastName", true}, {"age", false}, {"id", false}}));
}

struct FilterE2eCase {
    std::string filter;
    std::function<bool(const PersonRow&)> keep;
};

TEST_F(SqliteE2eTest, FiltersSelectTheExpectedRows) {
    auto city_of = [this](const PersonRow& person) -> std::optional<std::string> {
        const HouseholdRow* household = HouseholdOf(person);
        return household != nullptr ? household->city : std::nullopt;
    };
    auto name_of = [this](const PersonRow& person) -> std::optional<std::string> {
        const HouseholdRow* household = HouseholdOf(person);
        return household != nullptr ? std::optional<std::string>(household->name) : std::nullopt;
    };
    const std::vector<FilterE2eCase> cases = {
        {"lastName like 'sm%'",
         [](const PersonRow& p) { return StartsWithIgnoreCase(p.last_name, "sm"); }},
        {"lastName like 'SM\\_%'",
         [](const PersonRow& p) { return StartsWithIgnoreCase(p.last_name, "sm_"); }},
        {"lastName like '%th'",
         [](const PersonRow& p) {
             return p.last_name && AsciiLower(*p.last_name).ends_with("th");
         }},
        {"lastName like '%\xC3\xBC%'",
         [](const PersonRow& p) {
             return p.last_name && p.last_name->find("\xC3\xBC") != std::string::npos;
         }},
        {"lastName startsWith 'Sm_'",
         [](const PersonRow& p) { return StartsWithIgnoreCase(p.last_name, "sm_"); }},
        {"lastName startsWith '100%'",
         [](const PersonRow& p) { return StartsWithIgnoreCase(p.last_name, "100%"); }},
        {"lastName startsWith 'smi'",
         [](const PersonRow& p) { return StartsWithIgnoreCase(p.last_name, "smi"); }},
        {"lastName = 'O''Brien'", [](const PersonRow& p) { return p.last_name == "O'Brien"; }},
        {"lastName = 'Smith'", [](const PersonRow& p) { return p.last_name == "Smith"; }},
        {"not (lastName = 'Smith')", [](const PersonRow& p) { return p.last_name != "Smith"; }},
        {"lastName != 'Smith'", [](const PersonRow& p) { return p.last_name != "Smith"; }},
        {"lastName in ('M\xC3\xBCller', 'Jones') and not (firstName is null)",
         [](const PersonRow& p) {
             return (p.last_name == "M\xC3\xBCller" || p.last_name == "Jones") && p.first_name;
         }},
        {"age in (30, 40, 50)",
         [](const PersonRow& p) { return p.age == 30 || p.age == 40 || p.age == 50; }},
        {"age not in (30, 40)", [](const PersonRow& p) { return p.age != 30 && p.age != 40; }},
        {"email is null", [](const PersonRow& p) { return !p.email; }},
        {"email is not null and age < 20",
         [](const PersonRow& p) { return p.email && p.age && *p.age < 20; }},
        {"score > 50.5 or age < 20",
         [](const PersonRow& p) { return (p.score && *p.score > 50.5) || (p.age && *p.age < 20); }},
        {"not (score > 50.5 or age < 20)",
         [](const PersonRow& p) {
             return !((p.score && *p.score > 50.5) || (p.age && *p.age < 20));
         }},
        {"score = 99.99", [](const PersonRow& p) { return p.score == 99.99; }},
        {"active = true", [](const PersonRow& p) { return p.active == 1; }},
        {"active != true", [](const PersonRow& p) { return p.active != 1; }},
        {"birthDate >= 1990-01-01 and birthDate < 2000-01-01",
         [](const PersonRow& p) {
             return p.birth_date && *p.birth_date >= "1990-01-01" && *p.birth_date < "2000-01-01";
         }},
        {"birthDate = '1999-12-31'",
         [](const PersonRow& p) { return p.birth_date == "1999-12-31"; }},
        {"lastContactAt >= 2024-03-01T00:00:00Z",
         [](const PersonRow& p) {
             return p.last_contact_at && *p.last_contact_at >= "2024-03-01T00:00:00.000Z";
         }},
        {"lastContactAt < 2024-03-01",
         [](const PersonRow& p) {
             return p.last_contact_at && *p.last_contact_at < "2024-03-01T00:00:00.000Z";
         }},
        {"lastContactAt > '2024-03-01T01:00:00+01:00'",
         [](const PersonRow& p) {
             return p.last_contact_at && *p.last_contact_at > "2024-03-01T00:00:00.000Z";
         }},
        {"tags includes 'vip'", [](const PersonRow& p) { return HasTag(p.tags, "vip"); }},
        {"not tags includes 'vip'", [](const PersonRow& p) { return !HasTag(p.tags, "vip"); }},
        {"tags includes 'new' and tags includes 'vip'",
         [](const PersonRow& p) { return HasTag(p.tags, "new") && HasTag(p.tags, "vip"); }},
        {"household.city = 'Springfield'",
         [&](const PersonRow& p) { return city_of(p) == "Springfield"; }},
        {"not household.city = 'Springfield'",
         [&](const PersonRow& p) { return city_of(p) != "Springfield"; }},
        {"household.city is null", [&](const PersonRow& p) { return !city_of(p); }},
        {"Household.name startsWith 'H1' or household is null",
         [&](const PersonRow& p) { return name_of(p) == "H1" || !p.household; }},
        {"household.name in ('H2', 'H3') and lastName like 's%'",
         [&](const PersonRow& p) {
             return (name_of(p) == "H2" || name_of(p) == "H3") &&
                    StartsWithIgnoreCase(p.last_name, "s");
         }},
    };
    for (const FilterE2eCase& test_case : cases) {
        const std::vector<std::string> expected = ExpectedIds(test_case.keep);
        EXPECT_EQ(FilterIds(test_case.filter), expected) << test_case.filter;
    }
    // The data exercises what it should: every interesting filter selects something, but not all.
    for (const char* filter :
         {"lastName startsWith 'Sm_'", "lastName startsWith '100%'", "tags includes 'vip'",
          "household.city = 'Springfield'", "email is null", "lastContactAt < 2024-03-01"}) {
        const std::size_t count = FilterIds(filter).size();
        EXPECT_GT(count, 0u) << filter;
        EXPECT_LT(count, 200u) << filter;
    }
}

TEST_F(SqliteE2eTest, HostileTextIsJustAValue) {
    EXPECT_TRUE(FilterIds("lastName = '''; DROP TABLE \"Person\"; --'").empty());
    EXPECT_EQ(Query(R"(SELECT COUNT(*) FROM "Person")", {}).front().front(),
              Value(std::int64_t{200}));
}

TEST_F(SqliteE2eTest, CompiledFilterFragmentRuns) {
    auto fragment = CompileFilter(TestCatalog(), TestObject("Person"),
                                  "household.city = 'Shelbyville' or age = 0", SqliteDialect());
    ASSERT_TRUE(fragment.ok());
    std::string sql = R"(SELECT COUNT(*) FROM "Person" AS t)";
    for (const std::string& join : fragment->joins) {
        sql += " " + join;
    }
    sql += " WHERE " + fragment->sql;
    const std::vector<storage::Row> rows = Query(sql, fragment->params);
    ASSERT_EQ(rows.size(), 1u);
    const auto expected = static_cast<std::int64_t>(
        ExpectedIds([&](const PersonRow& p) {
            const HouseholdRow* h = HouseholdOf(p);
            return (h != nullptr && h->city == "Shelbyville") || p.age == 0;
        }).size());
    EXPECT_EQ(rows[0][0], Value(expected));
}

// A record scope restricts the listed rows and hides referenced records outside it: a filter
// through `household` sees a hidden household as null. Each scope binds its own parameter, so
// a wrong parameter order would select other rows.
TEST_F(SqliteE2eTest, RecordScopeRestrictsRowsAndFollowedReferences) {
    const RecordScope scope = [](const metadata::ObjectDef& object, std::string_view alias) {
        const std::string prefix = std::string(alias) + ".";
        if (object.name == "Person") {
            return storage::SqlCondition{prefix + "\"age\" >= ?", {std::int64_t{40}}};
        }
        return storage::SqlCondition{prefix + "\"city\" = ?", {std::string("Springfield")}};
    };
    ListRequest request;
    request.filter = "household.city is null or lastName startsWith 'S'";
    request.limit = 1000;
    auto list =
        CompileList(TestCatalog(), TestObject("Person"), request, SqliteDialect(), {}, scope);
    ASSERT_TRUE(list.ok()) << list.error().public_message;
    std::vector<std::string> ids;
    for (const storage::Row& row : Query(list->sql, list->params)) {
        ids.push_back(std::get<std::string>(row[0]));
    }
    std::sort(ids.begin(), ids.end());
    const std::vector<std::string> expected = ExpectedIds([&](const PersonRow& p) {
        const HouseholdRow* h = HouseholdOf(p);
        const bool household_visible = h != nullptr && h->city == "Springfield";
        return p.age && *p.age >= 40 &&
               (!household_visible || StartsWithIgnoreCase(p.last_name, "S"));
    });
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(ids, expected);
}

}  // namespace
}  // namespace p360::query
