// ISO 8601 dates and datetimes as payer360 stores and returns them.
//
// Dates are `YYYY-MM-DD`. Datetimes are stored in UTC as `YYYY-MM-DDTHH:MM:SS.mmmZ`, a fixed
// width, so text order is time order in every database engine. Input datetimes may carry any
// UTC offset (`+05:30`, `Z`) and optional fractional seconds; they are normalised to UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace p360 {

// The canonical form of a valid calendar date, or nothing (wrong shape, 2023-02-29, …).
std::optional<std::string> NormalizeDate(std::string_view text);

// The canonical UTC form of a valid datetime, or nothing.
std::optional<std::string> NormalizeDateTime(std::string_view text);

// Milliseconds since the epoch as a canonical UTC datetime.
std::string FormatDateTime(std::int64_t unix_millis);

// Days since 1970-01-01 for a valid civil date (proleptic Gregorian).
std::int64_t DaysFromCivil(int year, unsigned month, unsigned day);

}  // namespace p360
