// Keyset-pagination cursors: the opaque token a list response hands out for "the next page".
//
// A cursor holds the sort-key values of the last row of a page, typed, plus a fingerprint of the
// sort it was made for, as base64url (no padding) of a small JSON document:
//
//   {"v":1,"s":"<sort fingerprint>","k":[<value>,…],"h":"<checksum>"}
//
// Values are JSON null, integers (int64), strings, {"d":"<shortest decimal>"} for doubles (so
// they round-trip exactly) or {"b":"<base64url>"} for text that is not valid UTF-8.
//
// The checksum catches corrupted and hand-edited cursors. It is not a MAC: a client can forge a
// cursor, but that buys nothing, because the values are only ever bound as parameters of the
// keyset condition, ANDed with the caller's filter and access rules — a forged cursor can only
// choose where in the rows the caller may already see the page starts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "metadata/object_def.hpp"
#include "storage/value.hpp"

namespace p360::query {

// One key of a list's sort order. `field` points into the Catalog's ObjectDef.
struct SortKey {
    const metadata::FieldDef* field = nullptr;
    bool descending = false;
};

inline constexpr std::size_t kMaxCursorBytes = 16384;

// The cursor for the page after a row: `sort_values` are that row's sort-key values, in sort
// order (one per key). A value of the wrong count is a programming error.
std::string EncodeCursor(const std::vector<SortKey>& sort,
                         const std::vector<storage::Value>& sort_values);

// The sort-key values held by `cursor`, one per key of `sort`, each checked against its field's
// storage class (the `id` key is never null). A cursor that is malformed, altered or was made
// for a different sort gives InvalidArgument with location "cursor".
Result<std::vector<storage::Value>> DecodeCursor(const std::vector<SortKey>& sort,
                                                 std::string_view cursor);

// A short, stable digest of a sort order (field names, types and directions).
std::string SortFingerprint(const std::vector<SortKey>& sort);

// RFC 4648 §5 base64url without padding.
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace p360::query
