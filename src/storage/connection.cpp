#include <algorithm>
#include <unordered_map>

#include "storage/database.hpp"

namespace p360::storage {

Value RowView::ValueAt(std::size_t column) const {
    const Cell cell = CellAt(column);
    switch (cell.type) {
        case Type::kNull:
            return Null{};
        case Type::kInteger:
            return cell.integer;
        case Type::kReal:
            return cell.real;
        case Type::kText:
            break;
    }
    return std::string(cell.text);
}

namespace {

Row ToRow(const RowView& view) {
    Row row;
    row.reserve(view.size());
    for (std::size_t column = 0; column < view.size(); ++column) {
        row.push_back(view.ValueAt(column));
    }
    return row;
}

}  // namespace

Status Connection::Execute(std::string_view sql, std::span<const Value> params) {
    return ForEachRowView(sql, params, [](const RowView&) { return true; });
}

namespace {

// Rows one multi-row INSERT carries at most: enough to make the statement's own cost small
// per row, few enough to stay far below every engine's limit on parameters.
constexpr std::size_t kRowsPerInsert = 16;

// "<head> VALUES (?, …), …" for `rows` rows, built once per thread, head and row count.
const std::string& MultiRowInsert(const std::string& head, std::size_t columns, std::size_t rows) {
    thread_local std::unordered_map<std::string, std::vector<std::string>> by_head;
    auto [entry, inserted] = by_head.try_emplace(head);
    if (inserted) {
        entry->second.resize(kRowsPerInsert + 1);
    }
    std::string& sql = entry->second[rows];
    if (sql.empty()) {
        sql = MultiRowInsertSql(head, columns, rows);
    }
    return sql;
}

}  // namespace

Status Connection::InsertRows(std::string_view table, std::span<const std::string_view> columns,
                              std::span<const Value> values) {
    if (values.empty()) {
        return Ok();
    }
    std::string head = "INSERT INTO " + QuoteIdentifier(table) + " (";
    for (std::size_t column_idx = 0; column_idx < columns.size(); ++column_idx) {
        head.append(column_idx == 0 ? "" : ", ").append(QuoteIdentifier(columns[column_idx]));
    }
    head.push_back(')');
    const std::size_t rows = values.size() / columns.size();
    for (std::size_t first = 0; first < rows; first += kRowsPerInsert) {
        const std::size_t count = std::min(kRowsPerInsert, rows - first);
        P360_TRY(Execute(MultiRowInsert(head, columns.size(), count),
                         values.subspan(first * columns.size(), count * columns.size())));
    }
    return Ok();
}

Result<std::vector<std::int64_t>> Connection::ExecuteBatch(std::span<const Statement> statements) {
    std::vector<std::int64_t> changed;
    changed.reserve(statements.size());
    for (const Statement& statement : statements) {
        P360_TRY(Execute(statement.sql, statement.params));
        changed.push_back(ChangedRows());
    }
    return changed;
}

Status Connection::ForEachRow(std::string_view sql, std::span<const Value> params,
                              const std::function<bool(const Row&)>& on_row) {
    Row row;
    return ForEachRowView(sql, params, [&](const RowView& view) {
        row.resize(view.size());
        for (std::size_t column = 0; column < row.size(); ++column) {
            row[column] = view.ValueAt(column);
        }
        return on_row(row);
    });
}

// Both build each Row once from the engine's cells, rather than copying a reused Row.
Result<std::vector<Row>> Connection::Query(std::string_view sql, std::span<const Value> params) {
    std::vector<Row> rows;
    P360_TRY(ForEachRowView(sql, params, [&rows](const RowView& row) {
        rows.push_back(ToRow(row));
        return true;
    }));
    return rows;
}

Result<std::optional<Row>> Connection::QueryOne(std::string_view sql,
                                                std::span<const Value> params) {
    std::optional<Row> first;
    P360_TRY(ForEachRowView(sql, params, [&first](const RowView& row) {
        first = ToRow(row);
        return false;
    }));
    return first;
}

}  // namespace p360::storage

namespace p360::storage {

Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url) {
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
        return OpenPostgres(url);
    }
    constexpr std::string_view kSqliteScheme = "sqlite://";
    if (url.starts_with(kSqliteScheme)) {
        return OpenSqlite(url.substr(kSqliteScheme.size()));
    }
    return OpenSqlite(url);
}

Status Ping(Database& database) {
    return database.Read([](Connection& connection) { return connection.Execute("SELECT 1"); });
}

}  // namespace p360::storage
