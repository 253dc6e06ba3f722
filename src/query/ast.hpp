// The typed syntax tree of a list filter, produced by ParseFilter (parser.hpp) and turned into
// SQL by the compiler (compiler.hpp).
//
// Every path in the tree is resolved against the catalog and every literal is already checked
// against its field's type and converted to the storage::Value it binds as, so the compiler never
// fails on a tree the parser produced. Field and object pointers point into the Catalog the
// filter was parsed against; the tree must not outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "metadata/object_def.hpp"
#include "storage/value.hpp"

namespace p360::query {

// Decides whether the caller may read a field of an object. An empty FieldAccess allows every
// field. Used for filters, sorts and projections; see compiler.hpp.
using FieldAccess =
    std::function<bool(const metadata::ObjectDef& object, const metadata::FieldDef& field)>;

// A field of the filtered object, or a field of the object one of its reference fields points
// at (`household.name`).
struct FieldPath {
    // The reference field of the filtered object that is traversed; null for a direct field.
    const metadata::FieldDef* reference = nullptr;
    const metadata::ObjectDef* object = nullptr;  // the object that owns `field`
    const metadata::FieldDef* field = nullptr;
};

enum class PredicateOp : std::uint8_t {
    kEq,
    kNe,
    kLt,
    kLe,
    kGt,
    kGe,
    kIn,
    kNotIn,
    kLike,        // values[0]: the user's pattern, `%`/`_` wildcards, `\` escapes
    kStartsWith,  // values[0]: the literal prefix
    kIncludes,    // values[0]: one multi-picklist value
    kIsNull,
    kIsNotNull,
};

struct Predicate {
    FieldPath path;
    PredicateOp op = PredicateOp::kEq;
    // The bound values: one for comparisons, like, startsWith and includes, one or more for
    // in / not in, none for is [not] null. Never Null.
    std::vector<storage::Value> values;
    std::size_t position = 0;  // byte offset of the path in the filter text
};

enum class ExprKind : std::uint8_t { kAnd, kOr, kNot, kPredicate };

struct Expr {
    ExprKind kind = ExprKind::kPredicate;
    std::vector<Expr> children;  // two or more for kAnd/kOr, exactly one for kNot
    Predicate predicate;         // kPredicate only
};

}  // namespace p360::query
