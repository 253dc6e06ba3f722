// Parser for the list-filter language: text → typed syntax tree (ast.hpp).
//
// Grammar (keywords are case-insensitive; they are only keywords where the grammar expects one):
//
//   filter     := [or_expr]
//   or_expr    := and_expr ("or" and_expr)*
//   and_expr   := unary ("and" unary)*
//   unary      := "not" unary | "(" or_expr ")" | predicate
//   predicate  := path ( cmp literal
//                      | ["not"] "in" "(" literal ("," literal)* ")"
//                      | "like" string | "startsWith" string | "includes" string
//                      | "is" ["not"] "null" )
//   cmp        := "=" | "!=" | "<>" | "<" | "<=" | ">" | ">="
//   path       := field | reference "." field
//   literal    := string | number | date | datetime | "true" | "false" | "null"
//
// Paths: `field` is a field of the filtered object. `ref.field` traverses one reference field of
// the filtered object (`household.name` on Person); the referenced object's name also works
// (case-insensitively) when exactly one reference field of the object points at it
// (`Household.name`). Deeper paths are rejected.
//
// Type checking (literal against the field's metadata::FieldType):
//   number/currency/percent  numbers; =, !=, <, <=, >, >=, in. Integral literals on fields with
//                            scale 0 bind as int64, all others as double.
//   boolean                  true/false (bound as int64 1/0); =, !=, in.
//   date                     date literals or quoted valid dates; comparisons, in.
//   datetime                 datetime literals (normalised to UTC) or quoted valid datetimes;
//                            comparisons, in. A date literal is accepted with <, <=, >, >= only,
//                            and means that day's midnight UTC (`createdAt >= 2024-01-31`); with
//                            =, != or in it is rejected, because it would match only midnight.
//   multiPicklist            `includes 'value'` (one value, no ';') and is [not] null only.
//   other (textual) types    quoted strings; comparisons, in, like, startsWith.
//   `includes` applies only to multiPicklist fields. Comparing with null (`= null`, `in (null)`)
//   is an error that points to `is null` / `is not null`.
//
// Like patterns use `%` and `_` as wildcards and `\` as the escape character; a `\` must be
// followed by `%`, `_` or `\`. Matching is case-insensitive (Dialect::CaseInsensitiveLike).
//
// Limits: at most kMaxFilterBytes of text, kMaxFilterDepth nested parentheses/`not`,
// kMaxInListItems values per `in` list and kMaxFilterTerms predicates.
//
// Errors are InvalidArgument with location "filter" and a message naming what is wrong and the
// byte offset ("filter: unknown field 'lastNme' on Person at position 0"). Literal values are
// never echoed in messages. A field that `can_read` rejects gives PermissionDenied (location
// "filter"). Parsing never throws or aborts, whatever the bytes.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "metadata/catalog.hpp"
#include "metadata/object_def.hpp"
#include "query/ast.hpp"

namespace p360::query {

inline constexpr std::size_t kMaxFilterBytes = 4096;
inline constexpr int kMaxFilterDepth = 32;
inline constexpr std::size_t kMaxInListItems = 500;
inline constexpr std::size_t kMaxFilterTerms = 100;

// Parses `text` as a filter on `object`. An empty (or all-whitespace) filter gives nothing.
Result<std::optional<Expr>> ParseFilter(const metadata::Catalog& catalog,
                                        const metadata::ObjectDef& object, std::string_view text,
                                        const FieldAccess& can_read = {});

// `text` as a string literal of the filter language (quotes doubled), for code that writes
// filters from values it was given: the value stays a value whatever it holds.
std::string QuoteText(std::string_view text);

// "field in ('a', 'b', …)" for every value, split into as many filters as it takes to keep
// each within kMaxFilterBytes and kMaxInListItems (none for no values).
std::vector<std::string> InListFilters(std::string_view field, std::span<const std::string> values);

}  // namespace p360::query
