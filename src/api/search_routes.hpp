// Global search for the console: one box that finds members, providers and cases.
//
//   GET /api/v1/search?q=<text>[&limit=1..25]
//   → {"q", "members": [...], "providers": [...], "cases": [...]}
//
// What the text is read as:
//   - a date (YYYY-MM-DD or MM/DD/YYYY): members born that day;
//   - four or more digits with phone punctuation: members whose phone or mobile phone has those
//     digits in that order; ten digits also match a provider's NPI;
//   - a token with a digit (M360-000000042, CS360-…): coverage member and subscriber ids, and
//     case numbers, by prefix; a record id (per_…) finds that member;
//   - words: member and provider names by prefix ("smi", "ana smi", "smith, ana"), in either
//     order, and case subjects.
//
// Every lookup is a records list run as the caller through RecordService, so the same record
// rules and field security apply as to `GET /api/v1/records/...`: a field the caller may not read
// is neither searched nor returned, a group whose object they may not read is left out of the
// answer, and records out of reach are never found. Reads of PHI are audited as lists are.
#pragma once

#include "api/platform_routes.hpp"
#include "http/router.hpp"

namespace p360::api {

inline constexpr int kDefaultSearchLimit = 8;
inline constexpr int kMaxSearchLimit = 25;
inline constexpr std::size_t kMaxSearchText = 100;

// The handler keeps a reference to `services`: it must outlive the router.
void RegisterSearchRoutes(http::Router& router, const PlatformServices& services);

}  // namespace p360::api
