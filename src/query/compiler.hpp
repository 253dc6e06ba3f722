// Compiles list requests and filters (parser.hpp) to parameterised, engine-neutral SQL.
//
// Everything the caller wrote reaches the database as a `?` parameter: identifiers come from
// the catalog and always go through storage::QuoteIdentifier, so filter, sort and cursor text
// never appears in the SQL. The main table is aliased `t`; each followed reference field gets
// one `LEFT JOIN <Target> AS jN ON jN."id" = t."<field>"`.
//
// Null semantics: a comparison, `in`, `like`, `startsWith` or `includes` is false when the field
// (or the followed reference) is null. `!=`, `not in` and `not` are exact complements, so they
// match records whose field is null: `status != 'closed'` includes records without a status.
// Negation is pushed down to the predicates, so the SQL keeps index-friendly positive forms.
//
//   ListRequest request{.filter = "lastName startsWith 'Sm' and household.city = 'Springfield'",
//                       .sort = "lastName,-birthDate", .limit = 25};
//   P360_ASSIGN_OR_RETURN(CompiledList list, CompileList(catalog, *person, request, dialect));
//   // run list.sql with list.params; columns = list.columns; for the last row of a full page:
//   //   std::vector<storage::Value> keys(row.begin() + list.sort_value_offset, row.end());
//   //   next_cursor = EncodeCursor(list.sort, keys);
//
// Thread-safe: the functions are pure.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "metadata/catalog.hpp"
#include "metadata/object_def.hpp"
#include "query/ast.hpp"
#include "query/cursor.hpp"
#include "storage/dialect.hpp"
#include "storage/value.hpp"

namespace p360::query {

inline constexpr int kMinListLimit = 1;
inline constexpr int kMaxListLimit = 1000;
inline constexpr std::size_t kMaxSortKeys = 16;
inline constexpr std::size_t kMaxSortBytes = 1024;
inline constexpr std::size_t kMaxProjectionFields = 500;

struct ListRequest {
    std::string filter;               // may be empty
    std::string sort;                 // "a,-b" (minus = descending); may be empty
    std::vector<std::string> fields;  // projection; empty = all (readable) fields of the object
    int limit = 50;                   // kMinListLimit..kMaxListLimit
    std::string cursor;               // opaque, from a previous page; empty = first page
    // true: projected fields the caller may not read are left out rather than refused, for
    // internal readers that ask for what they can use (a view of several parts, say).
    bool skip_unreadable_fields = false;
};

struct CompiledList {
    // SELECT <columns>, <sort key columns> FROM … [JOIN …] [WHERE …] ORDER BY … LIMIT ?
    std::string sql;
    std::vector<storage::Value> params;              // in order of the ? placeholders
    std::vector<const metadata::FieldDef*> columns;  // selected columns of the main object
    std::vector<SortKey> sort;                       // effective sort, ending with `id`
    // Index in each result row of the first sort-key value. The sort-key columns are always
    // appended after `columns` (one per key of `sort`, in order), so every row's
    // [sort_value_offset, sort_value_offset + sort.size()) is what EncodeCursor takes.
    std::size_t sort_value_offset = 0;
};

struct SqlFragment {
    std::string sql;                     // a boolean expression over `t` and the joins; "" = all
    std::vector<storage::Value> params;  // in order of the ? placeholders in `sql`
    std::vector<std::string> joins;      // complete "LEFT JOIN … ON …" clauses, in order
    std::vector<storage::Value> join_params;  // of the joins' placeholders; they come first
};

// The records of `object` the caller may see, as a condition over its row under `alias`
// (security::Authorizer::RecordScope). The compiler applies it to the listed object and to
// every followed reference: a reference to a record outside it reads as null, so filters
// cannot reach into records the caller may not see. Empty = every record everywhere.
using RecordScope =
    std::function<storage::SqlCondition(const metadata::ObjectDef& object, std::string_view alias)>;

// Compiles one page of a list of `object`'s records.
//
// - limit outside 1..1000: InvalidArgument, location "limit".
// - fields: each must be a field of `object` (InvalidArgument "fields"), listed once, and
//   readable (PermissionDenied "fields"). `id` is always selected first, listed or not. Empty
//   selects every field `can_read` allows, in definition order.
// - sort: comma-separated field names of `object`, `-` prefix for descending, blanks around
//   names ignored. Default `id`; `id` ascending is appended unless present. Fields must exist,
//   be sortable (not longText or multiPicklist), appear once and be readable; errors are
//   InvalidArgument / PermissionDenied with location "sort". Ascending puts NULLs first,
//   descending puts them last (explicit NULLS FIRST / NULLS LAST).
// - filter: see parser.hpp; errors carry location "filter".
// - cursor: from EncodeCursor with this request's `sort`; otherwise InvalidArgument "cursor".
//   Adds the keyset condition "rows strictly after the cursor's row in sort order".
// - scope: which records may be listed, and which referenced records filters may look into.
// The LIMIT parameter is the last one and equals `limit`.
Result<CompiledList> CompileList(const metadata::Catalog& catalog,
                                 const metadata::ObjectDef& object, const ListRequest& request,
                                 const storage::Dialect& dialect, const FieldAccess& can_read = {},
                                 const RecordScope& scope = {});

// Compiles just a filter, for counts and segments: the caller writes
// `FROM <object> AS t <joins…> WHERE <sql>` (omitting WHERE when `sql` is empty), binding
// `join_params` then `params`. `scope` applies to the followed references only; the caller
// restricts `t` itself.
Result<SqlFragment> CompileFilter(const metadata::Catalog& catalog,
                                  const metadata::ObjectDef& object, std::string_view filter,
                                  const storage::Dialect& dialect, const FieldAccess& can_read = {},
                                  const RecordScope& scope = {});

// The effective sort for a sort parameter (see CompileList), ending with `id`.
Result<std::vector<SortKey>> ParseSort(const metadata::ObjectDef& object, std::string_view sort,
                                       const FieldAccess& can_read = {});

}  // namespace p360::query
