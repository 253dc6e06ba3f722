// Value: one database cell, the currency between the records layer and the storage engines.
//
// Booleans are integers (0/1); dates, datetimes, ids and picklists are text; numbers are
// doubles unless the field has scale 0. NULL is `std::monostate`.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace p360::storage {

using Null = std::monostate;
using Value = std::variant<Null, std::int64_t, double, std::string>;
using Row = std::vector<Value>;

inline bool IsNull(const Value& value) { return std::holds_alternative<Null>(value); }

// A boolean SQL condition with its `?` parameters in order, for composing WHERE clauses from
// parts written by different layers. An empty `sql` is no condition: every row qualifies.
struct SqlCondition {
    std::string sql;
    std::vector<Value> params;

    bool Unrestricted() const { return sql.empty(); }
};

}  // namespace p360::storage
