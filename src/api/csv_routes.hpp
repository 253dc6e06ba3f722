// CSV in and out of any object:
//
//   GET  /api/v1/records/{object}/export.csv[?filter=…][&sort=…][&fields=a,b][&cursor=…]
//   POST /api/v1/records/{object}/import.csv?externalId=<key field>
//                                  [&mode=atomic|partial|dryRun][&map=Column:field,…]
//
// Export writes a header of field names and one row per record the caller may see, with only
// the fields they may read (as every list does); at most kMaxCsvExportRows rows a request — when
// there are more, the `X-Next-Cursor` header continues the export. Values: text as is, numbers
// and booleans as JSON writes them, multi-picklists joined by `;`, empty for null.
//
// Import maps each column to a field by its header — the field's name or label, ignoring case,
// or the `map` parameter — converts cells to the field's type, and upserts by the key field
// through the bulk path, so every row gets its own result and error, numbered by its line in the
// file. `dryRun` reports what would be created, updated or refused and writes nothing. An empty
// cell leaves the field as it is.
#pragma once

#include <cstddef>

#include "api/platform_routes.hpp"

namespace p360::api {

inline constexpr std::size_t kMaxCsvExportRows = 200'000;

// The handlers keep a reference to `services`: it must outlive the router.
void RegisterCsvRoutes(http::Router& router, const PlatformServices& services);

}  // namespace p360::api
