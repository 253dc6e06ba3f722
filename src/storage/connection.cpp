#include "storage/database.hpp"

namespace p360::storage {

Result<std::vector<Row>> Connection::Query(std::string_view sql, std::span<const Value> params) {
    std::vector<Row> rows;
    P360_TRY(ForEachRow(sql, params, [&rows](const Row& row) {
        rows.push_back(row);
        return true;
    }));
    return rows;
}

Result<std::optional<Row>> Connection::QueryOne(std::string_view sql,
                                                std::span<const Value> params) {
    std::optional<Row> first;
    P360_TRY(ForEachRow(sql, params, [&first](const Row& row) {
        first = row;
        return false;
    }));
    return first;
}

}  // namespace p360::storage
