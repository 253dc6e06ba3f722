// Fuzz target for the list-filter language (src/query): the input is used as a filter, as a
// sort and as a cursor, against a fixed small catalog. Nothing may crash, hang or leak, and any
// SQL produced must be fully parameterised: one parameter per `?` and no quoted text other than
// the fixed `ESCAPE '\'` and `';'` fragments.
//
// Seeds: fuzz/corpus/filter_parser/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "metadata/catalog.hpp"
#include "metadata/object_def.hpp"
#include "query/compiler.hpp"
#include "query/cursor.hpp"
#include "storage/dialect.hpp"

namespace {

using p360::metadata::FieldDef;
using p360::metadata::FieldType;
using p360::metadata::ObjectDef;

FieldDef Field(std::string name, FieldType type, std::string reference_to = {}) {
    FieldDef field;
    field.label = name;
    field.name = std::move(name);
    field.type = type;
    field.reference_to = std::move(reference_to);
    if (field.type == FieldType::kNumber && field.name == "age") {
        field.scale = 0;
    }
    return field;
}

p360::metadata::Catalog BuildCatalog() {
    ObjectDef household;
    household.name = "Household";
    household.id_prefix = "hh";
    household.fields = p360::metadata::SystemFields();
    household.fields.push_back(Field("name", FieldType::kText));
    household.fields.push_back(Field("city", FieldType::kText));

    ObjectDef person;
    person.name = "Person";
    person.id_prefix = "per";
    person.fields = p360::metadata::SystemFields();
    person.fields.push_back(Field("firstName", FieldType::kText));
    person.fields.push_back(Field("lastName", FieldType::kText));
    person.fields.push_back(Field("birthDate", FieldType::kDate));
    person.fields.push_back(Field("age", FieldType::kNumber));
    person.fields.push_back(Field("score", FieldType::kCurrency));
    person.fields.push_back(Field("active", FieldType::kBoolean));
    person.fields.push_back(Field("email", FieldType::kEmail));
    person.fields.push_back(Field("notes", FieldType::kLongText));
    person.fields.push_back(Field("tags", FieldType::kMultiPicklist));
    person.fields.push_back(Field("lastContactAt", FieldType::kDateTime));
    person.fields.push_back(Field("household", FieldType::kReference, "Household"));
    person.fields.push_back(Field("spouse", FieldType::kReference, "Person"));
    return p360::metadata::Catalog({household, person});
}

class FuzzDialect : public p360::storage::Dialect {
public:
    std::string_view Name() const override { return "sqlite"; }
    std::string_view ColumnType(FieldType, int) const override { return "TEXT"; }
    std::string_view CaseInsensitiveLike() const override { return "LIKE"; }
    bool FailedStatementAbortsTransaction() const override { return false; }
    std::string_view SequenceKeyColumn() const override { return "INTEGER PRIMARY KEY"; }
    std::string_view ClaimRowsSuffix() const override { return ""; }
    std::string_view LockRowsSuffix() const override { return ""; }
    std::string SyncSequenceSql(std::string_view) const override { return {}; }
};

void Check(bool condition) {
    if (!condition) {
        __builtin_trap();
    }
}

// The SQL carries no user text: placeholders match parameters and no quote is left once the
// compiler's own literal fragments are removed.
void CheckParameterised(const p360::query::CompiledList& list) {
    std::size_t placeholders = 0;
    for (char c : list.sql) {
        placeholders += c == '?' ? 1 : 0;
    }
    Check(placeholders == list.params.size());
    std::string sql = list.sql;
    for (std::string_view fixed : {std::string_view("ESCAPE '\\'"), std::string_view("';'")}) {
        for (std::size_t at = sql.find(fixed); at != std::string::npos; at = sql.find(fixed)) {
            sql.erase(at, fixed.size());
        }
    }
    Check(sql.find('\'') == std::string::npos);
    Check(sql.find(';') == std::string::npos);
    Check(list.sort_value_offset == list.columns.size());
    Check(!list.sort.empty() && list.sort.back().field != nullptr);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const p360::metadata::Catalog catalog = BuildCatalog();
    static const ObjectDef& person = *catalog.FindObject("Person");
    static const FuzzDialect dialect;
    static const p360::query::FieldAccess hide_email = [](const ObjectDef&, const FieldDef& f) {
        return f.name != "email";
    };

    const std::string input(reinterpret_cast<const char*>(data), size);

    p360::query::ListRequest as_filter;
    as_filter.filter = input;
    as_filter.sort = "lastName,-age";
    for (const p360::query::FieldAccess* access :
         {static_cast<const p360::query::FieldAccess*>(nullptr), &hide_email}) {
        auto list = p360::query::CompileList(catalog, person, as_filter, dialect,
                                             access != nullptr ? *access : nullptr);
        if (list.ok()) {
            CheckParameterised(*list);
        }
    }
    auto fragment = p360::query::CompileFilter(catalog, person, input, dialect);
    if (fragment.ok()) {
        std::size_t placeholders = 0;
        for (char c : fragment->sql) {
            placeholders += c == '?' ? 1 : 0;
        }
        Check(placeholders == fragment->params.size());
    }

    p360::query::ListRequest as_sort;
    as_sort.sort = input;
    if (auto list = p360::query::CompileList(catalog, person, as_sort, dialect); list.ok()) {
        CheckParameterised(*list);
        // A cursor for the first row of any valid sort decodes and compiles again.
        std::vector<p360::storage::Value> keys(list->sort.size());
        for (std::size_t key_idx = 0; key_idx < keys.size(); ++key_idx) {
            if (list->sort[key_idx].field->name == p360::metadata::kIdField) {
                keys[key_idx] = std::string("per_1");
            }
        }
        as_sort.cursor = p360::query::EncodeCursor(list->sort, keys);
        auto next = p360::query::CompileList(catalog, person, as_sort, dialect);
        Check(next.ok());
        CheckParameterised(*next);
    }

    p360::query::ListRequest as_cursor;
    as_cursor.sort = "-lastName,age";
    as_cursor.cursor = input;
    if (auto list = p360::query::CompileList(catalog, person, as_cursor, dialect); list.ok()) {
        CheckParameterised(*list);
    }
    // The input as a cursor's raw JSON, so the fuzzer reaches the JSON checks directly.
    as_cursor.cursor = p360::query::Base64UrlEncode(input);
    if (auto list = p360::query::CompileList(catalog, person, as_cursor, dialect); list.ok()) {
        CheckParameterised(*list);
    }
    return 0;
}
