#include "storage/dialect.hpp"

namespace p360::storage {

std::string MultiRowInsertSql(std::string_view head, std::size_t columns, std::size_t rows) {
    std::string sql(head);
    sql.append(" VALUES ");
    for (std::size_t row_idx = 0; row_idx < rows; ++row_idx) {
        sql.append(row_idx == 0 ? "(" : ", (");
        for (std::size_t column_idx = 0; column_idx < columns; ++column_idx) {
            sql.append(column_idx == 0 ? "?" : ", ?");
        }
        sql.push_back(')');
    }
    return sql;
}

void AppendQuotedIdentifier(std::string& sql, std::string_view name) {
    sql.push_back('"');
    for (char c : name) {
        if (c == '"') {
            sql.push_back('"');
        }
        sql.push_back(c);
    }
    sql.push_back('"');
}

std::string QuoteIdentifier(std::string_view name) {
    std::string quoted;
    quoted.reserve(name.size() + 2);
    AppendQuotedIdentifier(quoted, name);
    return quoted;
}

}  // namespace p360::storage
