#include "query/compiler.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "query/parser.hpp"

namespace p360::query {
namespace {

using metadata::FieldDef;
using metadata::FieldType;
using metadata::ObjectDef;

constexpr std::string_view kMainAlias = "t";

// Whether `name` can be echoed in an error message: short, printable ASCII, no quotes.
bool IsEchoable(std::string_view name) {
    if (name.empty() || name.size() > 64) {
        return false;
    }
    for (char c : name) {
        if (c <= 0x20 || c >= 0x7f || c == '\'' || c == '"') {
            return false;
        }
    }
    return true;
}

std::string Quoted(std::string_view name) {
    return IsEchoable(name) ? "'" + std::string(name) + "'" : std::string("(name not shown)");
}

std::string At(std::size_t position) { return " at position " + std::to_string(position); }

Error Denied(std::string message, std::string location) {
    Error error = Error::PermissionDenied(std::move(message));
    error.location = std::move(location);
    return error;
}

bool Readable(const FieldAccess& can_read, const ObjectDef& object, const FieldDef& field) {
    return !can_read || can_read(object, field);
}

// Appends `alias."field"` in place: a list's SELECT names every column, some thirty lists a
// member 360, so the column names are not built as strings of their own.
void AppendColumn(std::string& sql, std::string_view alias, const FieldDef& field) {
    sql.append(alias).push_back('.');
    storage::AppendQuotedIdentifier(sql, field.name);
}

std::string Column(std::string_view alias, const FieldDef& field) {
    std::string column;
    AppendColumn(column, alias, field);
    return column;
}

// `text` as a LIKE pattern that matches itself literally (escape character `\`).
std::string EscapeLike(std::string_view text) {
    std::string escaped;
    escaped.reserve(text.size() + 4);
    for (char c : text) {
        if (c == '\\' || c == '%' || c == '_') {
            escaped.push_back('\\');
        }
        escaped.push_back(c);
    }
    return escaped;
}

// Writes a typed filter tree as SQL, collecting parameters and joins.
class FilterWriter {
public:
    FilterWriter(const storage::Dialect& dialect, const RecordScope& scope)
        : dialect_(dialect), scope_(scope) {}

    void Write(const Expr& expr, bool negated) {
        switch (expr.kind) {
            case ExprKind::kPredicate:
                WritePredicate(expr.predicate, negated);
                return;
            case ExprKind::kNot:
                Write(expr.children.front(), !negated);
                return;
            case ExprKind::kAnd:
            case ExprKind::kOr: {
                // De Morgan: under negation AND becomes OR and vice versa.
                const bool is_and = (expr.kind == ExprKind::kAnd) != negated;
                sql_ += "(";
                for (std::size_t child_idx = 0; child_idx < expr.children.size(); ++child_idx) {
                    if (child_idx > 0) {
                        sql_ += is_and ? " AND " : " OR ";
                    }
                    Write(expr.children[child_idx], negated);
                }
                sql_ += ")";
                return;
            }
        }
    }

    SqlFragment Take() && {
        return SqlFragment{std::move(sql_), std::move(params_), std::move(joins_),
                           std::move(join_params_)};
    }

private:
    std::string ColumnOf(const FieldPath& path) {
        if (path.reference == nullptr) {
            return Column(kMainAlias, *path.field);
        }
        std::string alias;
        for (const auto& [reference, existing] : aliases_) {
            if (reference == path.reference) {
                alias = existing;
                break;
            }
        }
        if (alias.empty()) {
            alias = "j" + std::to_string(aliases_.size() + 1);
            aliases_.emplace_back(path.reference, alias);
            std::string join = "LEFT JOIN " + storage::QuoteIdentifier(path.object->name) + " AS " +
                               alias + " ON " + alias + "." +
                               storage::QuoteIdentifier(metadata::kIdField) + " = " +
                               Column(kMainAlias, *path.reference);
            if (scope_) {
                storage::SqlCondition visible = scope_(*path.object, alias);
                if (!visible.Unrestricted()) {
                    join += " AND " + visible.sql;
                    join_params_.insert(join_params_.end(), visible.params.begin(),
                                        visible.params.end());
                }
            }
            joins_.push_back(std::move(join));
        }
        return Column(alias, *path.field);
    }

    void Bind(storage::Value value) { params_.push_back(std::move(value)); }

    std::string Like() const { return std::string(dialect_.CaseInsensitiveLike()); }

    // Positive predicates are false (NULL) on a null field; their negations are true there.
    void WritePredicate(const Predicate& predicate, bool negated) {
        const std::string column = ColumnOf(predicate.path);
        PredicateOp op = predicate.op;
        switch (op) {
            case PredicateOp::kNe:
                op = PredicateOp::kEq;
                negated = !negated;
                break;
            case PredicateOp::kNotIn:
                op = PredicateOp::kIn;
                negated = !negated;
                break;
            case PredicateOp::kIsNotNull:
                op = PredicateOp::kIsNull;
                negated = !negated;
                break;
            default:
                break;
        }
        if (op == PredicateOp::kIsNull) {
            sql_ += column + (negated ? " IS NOT NULL" : " IS NULL");
            return;
        }
        if (negated) {
            sql_ += "(" + column + " IS NULL OR ";
        }
        const std::string not_word = negated ? "NOT " : "";
        const storage::Value& first = predicate.values.front();
        switch (op) {
            case PredicateOp::kEq:
                sql_ += column + (negated ? " <> ?" : " = ?");
                Bind(first);
                break;
            case PredicateOp::kLt:
                sql_ += column + (negated ? " >= ?" : " < ?");
                Bind(first);
                break;
            case PredicateOp::kLe:
                sql_ += column + (negated ? " > ?" : " <= ?");
                Bind(first);
                break;
            case PredicateOp::kGt:
                sql_ += column + (negated ? " <= ?" : " > ?");
                Bind(first);
                break;
            case PredicateOp::kGe:
                sql_ += column + (negated ? " < ?" : " >= ?");
                Bind(first);
                break;
            case PredicateOp::kIn:
                sql_ += column + " " + not_word + "IN (";
                for (std::size_t value_idx = 0; value_idx < predicate.values.size(); ++value_idx) {
                    sql_ += value_idx == 0 ? "?" : ", ?";
                    Bind(predicate.values[value_idx]);
                }
                sql_ += ")";
                break;
            case PredicateOp::kLike:
                sql_ += column + " " + not_word + Like() + " ? ESCAPE '\\'";
                Bind(first);
                break;
            case PredicateOp::kStartsWith:
                sql_ += column + " " + not_word + Like() + " ? ESCAPE '\\'";
                Bind(EscapeLike(std::get<std::string>(first)) + "%");
                break;
            case PredicateOp::kIncludes:
                sql_ += "(';' || " + column + " || ';') " + not_word + Like() + " ? ESCAPE '\\'";
                Bind("%;" + EscapeLike(std::get<std::string>(first)) + ";%");
                break;
            default:
                break;  // normalised away above
        }
        if (negated) {
            sql_ += ")";
        }
    }

    const storage::Dialect& dialect_;
    std::string sql_;
    std::vector<storage::Value> params_;
    std::vector<std::string> joins_;
    std::vector<std::pair<const FieldDef*, std::string>> aliases_;
    const RecordScope& scope_;
    std::vector<storage::Value> join_params_;
};

// Appends "rows after `values` in `sort` order" for keys [key_idx, end) to `sql`.
void WriteKeyset(const std::vector<SortKey>& sort, const std::vector<storage::Value>& values,
                 std::size_t key_idx, std::string& sql, std::vector<storage::Value>& params) {
    const SortKey& key = sort[key_idx];
    const std::string column = Column(kMainAlias, *key.field);
    const bool is_last = key_idx + 1 == sort.size();
    const bool nullable = key.field->name != metadata::kIdField;
    const storage::Value& value = values[key_idx];
    auto rest = [&] { WriteKeyset(sort, values, key_idx + 1, sql, params); };

    if (storage::IsNull(value)) {
        if (!key.descending) {
            // ASC NULLS FIRST: every non-null value comes after; nulls tie.
            if (is_last) {
                sql += column + " IS NOT NULL";
                return;
            }
            sql += "(" + column + " IS NOT NULL OR (" + column + " IS NULL AND ";
            rest();
            sql += "))";
            return;
        }
        // DESC NULLS LAST: nothing but other nulls comes after.
        if (is_last) {
            sql += "1 = 0";
            return;
        }
        sql += "(" + column + " IS NULL AND ";
        rest();
        sql += ")";
        return;
    }

    const std::string beyond = key.descending ? " < ?" : " > ?";
    // DESC NULLS LAST: nulls come after every value.
    const std::string nulls_after = key.descending && nullable ? " OR " + column + " IS NULL" : "";
    if (is_last) {
        sql += nulls_after.empty() ? column + beyond : "(" + column + beyond + nulls_after + ")";
        params.push_back(value);
        return;
    }
    sql += "(" + column + beyond;
    params.push_back(value);
    sql += nulls_after + " OR (" + column + " = ?";
    params.push_back(value);
    sql += " AND ";
    rest();
    sql += "))";
}

Result<std::vector<const FieldDef*>> ResolveProjection(const ObjectDef& object,
                                                       const std::vector<std::string>& fields,
                                                       const FieldAccess& can_read,
                                                       bool skip_unreadable) {
    const FieldDef* id = object.FindField(metadata::kIdField);
    if (id == nullptr) {
        return Error::Internal("object " + object.name + " has no id field");
    }
    std::vector<const FieldDef*> columns{id};
    if (fields.empty()) {
        for (const FieldDef& field : object.fields) {
            if (&field != id && Readable(can_read, object, field)) {
                columns.push_back(&field);
            }
        }
        return columns;
    }
    if (fields.size() > kMaxProjectionFields) {
        return Error::InvalidArgument(
            "fields: more than " + std::to_string(kMaxProjectionFields) + " fields", "fields");
    }
    bool id_listed = false;
    for (const std::string& name : fields) {
        const FieldDef* field = object.FindField(name);
        if (field == nullptr) {
            return Error::InvalidArgument(
                "fields: unknown field " + Quoted(name) + " on " + object.name, "fields");
        }
        const bool duplicate =
            field == id ? id_listed
                        : std::find(columns.begin(), columns.end(), field) != columns.end();
        if (duplicate) {
            return Error::InvalidArgument("fields: field '" + field->name + "' is listed twice",
                                          "fields");
        }
        if (!Readable(can_read, object, *field)) {
            if (skip_unreadable) {
                continue;
            }
            return Denied(
                "fields: field '" + field->name + "' on " + object.name + " may not be read",
                "fields");
        }
        if (field == id) {
            id_listed = true;
        } else {
            columns.push_back(field);
        }
    }
    return columns;
}

}  // namespace

Result<std::vector<SortKey>> ParseSort(const ObjectDef& object, std::string_view sort,
                                       const FieldAccess& can_read) {
    if (sort.size() > kMaxSortBytes) {
        return Error::InvalidArgument(
            "sort: longer than " + std::to_string(kMaxSortBytes) + " bytes", "sort");
    }
    const FieldDef* id = object.FindField(metadata::kIdField);
    if (id == nullptr) {
        return Error::Internal("object " + object.name + " has no id field");
    }
    auto is_blank = [](char c) { return c == ' ' || c == '\t'; };
    bool all_blank = true;
    for (char c : sort) {
        all_blank = all_blank && is_blank(c);
    }

    std::vector<SortKey> keys;
    std::size_t start = 0;
    while (!all_blank && start <= sort.size()) {
        std::size_t end = sort.find(',', start);
        if (end == std::string_view::npos) {
            end = sort.size();
        }
        std::size_t first = start;
        std::size_t last = end;
        while (first < last && is_blank(sort[first])) {
            ++first;
        }
        while (last > first && is_blank(sort[last - 1])) {
            --last;
        }
        std::string_view item = sort.substr(first, last - first);
        const std::size_t position = first;
        if (item.empty()) {
            return Error::InvalidArgument("sort: empty sort key" + At(position), "sort");
        }
        SortKey key;
        if (item.front() == '-') {
            key.descending = true;
            item.remove_prefix(1);
            if (item.empty()) {
                return Error::InvalidArgument("sort: missing field name after '-'" + At(position),
                                              "sort");
            }
        }
        if (keys.size() >= kMaxSortKeys) {
            return Error::InvalidArgument(
                "sort: more than " + std::to_string(kMaxSortKeys) + " sort keys", "sort");
        }
        key.field = object.FindField(item);
        if (key.field == nullptr) {
            return Error::InvalidArgument(
                "sort: unknown field " + Quoted(item) + " on " + object.name + At(position),
                "sort");
        }
        if (key.field->type == FieldType::kLongText ||
            key.field->type == FieldType::kMultiPicklist) {
            return Error::InvalidArgument(
                "sort: cannot sort by " + std::string(metadata::FieldTypeName(key.field->type)) +
                    " field '" + key.field->name + "'" + At(position),
                "sort");
        }
        for (const SortKey& existing : keys) {
            if (existing.field == key.field) {
                return Error::InvalidArgument(
                    "sort: field '" + key.field->name + "' appears more than once" + At(position),
                    "sort");
            }
        }
        if (!Readable(can_read, object, *key.field)) {
            return Denied("sort: field '" + key.field->name + "' on " + object.name +
                              " may not be read" + At(position),
                          "sort");
        }
        keys.push_back(key);
        start = end + 1;
    }
    bool has_id = false;
    for (const SortKey& key : keys) {
        has_id = has_id || key.field == id;
    }
    if (!has_id) {
        keys.push_back(SortKey{id, false});
    }
    return keys;
}

Result<SqlFragment> CompileFilter(const metadata::Catalog& catalog, const ObjectDef& object,
                                  std::string_view filter, const storage::Dialect& dialect,
                                  const FieldAccess& can_read, const RecordScope& scope) {
    P360_ASSIGN_OR_RETURN(std::optional<Expr> expr, ParseFilter(catalog, object, filter, can_read));
    FilterWriter writer(dialect, scope);
    if (expr) {
        writer.Write(*expr, false);
    }
    return std::move(writer).Take();
}

Result<CompiledList> CompileList(const metadata::Catalog& catalog, const ObjectDef& object,
                                 const ListRequest& request, const storage::Dialect& dialect,
                                 const FieldAccess& can_read, const RecordScope& scope) {
    if (request.limit < kMinListLimit || request.limit > kMaxListLimit) {
        return Error::InvalidArgument("limit: must be between " + std::to_string(kMinListLimit) +
                                          " and " + std::to_string(kMaxListLimit),
                                      "limit");
    }
    CompiledList list;
    P360_ASSIGN_OR_RETURN(list.columns, ResolveProjection(object, request.fields, can_read,
                                                          request.skip_unreadable_fields));
    P360_ASSIGN_OR_RETURN(list.sort, ParseSort(object, request.sort, can_read));
    P360_ASSIGN_OR_RETURN(SqlFragment filter,
                          CompileFilter(catalog, object, request.filter, dialect, can_read, scope));
    storage::SqlCondition visible = scope ? scope(object, kMainAlias) : storage::SqlCondition{};

    std::string keyset;
    std::vector<storage::Value> keyset_params;
    if (!request.cursor.empty()) {
        P360_ASSIGN_OR_RETURN(std::vector<storage::Value> after,
                              DecodeCursor(list.sort, request.cursor));
        WriteKeyset(list.sort, after, 0, keyset, keyset_params);
    }

    std::string& sql = list.sql;
    sql.reserve(256 + 24 * (list.columns.size() + 2 * list.sort.size()) + filter.sql.size() +
                visible.sql.size() + keyset.size());
    sql = "SELECT ";
    bool first = true;
    auto select = [&](const FieldDef& field) {
        sql += first ? "" : ", ";
        AppendColumn(sql, kMainAlias, field);
        first = false;
    };
    for (const FieldDef* field : list.columns) {
        select(*field);
    }
    list.sort_value_offset = list.columns.size();
    for (const SortKey& key : list.sort) {
        select(*key.field);
    }
    sql += " FROM " + storage::QuoteIdentifier(object.name) + " AS " + std::string(kMainAlias);
    for (const std::string& join : filter.joins) {
        sql += " " + join;
    }
    // Each condition is self-contained (a group, or one predicate that binds tighter than AND).
    std::string where;
    for (const std::string* condition : {&filter.sql, &visible.sql, &keyset}) {
        if (!condition->empty()) {
            where += (where.empty() ? " WHERE " : " AND ") + *condition;
        }
    }
    sql += where;
    sql += " ORDER BY ";
    for (std::size_t key_idx = 0; key_idx < list.sort.size(); ++key_idx) {
        const SortKey& key = list.sort[key_idx];
        sql += key_idx == 0 ? "" : ", ";
        AppendColumn(sql, kMainAlias, *key.field);
        sql += key.descending ? " DESC" : " ASC";
        if (key.field->name != metadata::kIdField) {
            sql += key.descending ? " NULLS LAST" : " NULLS FIRST";
        }
    }
    sql += " LIMIT ?";

    list.params = std::move(filter.join_params);
    list.params.insert(list.params.end(), filter.params.begin(), filter.params.end());
    list.params.insert(list.params.end(), visible.params.begin(), visible.params.end());
    list.params.insert(list.params.end(), keyset_params.begin(), keyset_params.end());
    list.params.emplace_back(std::int64_t{request.limit});
    return list;
}

}  // namespace p360::query
