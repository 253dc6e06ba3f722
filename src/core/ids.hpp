// Record identifiers: opaque, prefixed and time-sortable, e.g. `per_01JD3X5K8Q0000000000000000`.
//
// The 26 characters after the prefix are a ULID: 48 bits of milliseconds since the epoch and 80
// random bits, in Crockford base32. New ids sort after older ones, so B-tree inserts append and
// id order is a stable tie-breaker for pagination. Ids are never sequential, so they reveal
// neither counts nor neighbours. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace p360 {

// A new id `<prefix>_<ULID>` for the given time in milliseconds since the Unix epoch.
std::string NewId(std::string_view prefix, std::int64_t unix_millis);

// True when `id` has the shape `<prefix>_<26 Crockford base32 characters>`.
bool IsWellFormedId(std::string_view id, std::string_view prefix);

}  // namespace p360
