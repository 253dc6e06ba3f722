// Structured, PHI-safe logging.
//
// A log line is an event name plus key/value pairs of *safe* values: ids, counts, codes,
// durations, object and field names. Never pass a record value, a filter text, a query string, a
// password or a token: log lines leave the PHI boundary. Thread-safe; writes to stderr.
#pragma once

#include <initializer_list>
#include <string_view>
#include <utility>

namespace p360::log {

enum class Level { kDebug, kInfo, kWarn, kError };

using Pair = std::pair<std::string_view, std::string_view>;

void Write(Level level, std::string_view event, std::initializer_list<Pair> fields = {});
void SetMinimumLevel(Level level);

inline void Info(std::string_view event, std::initializer_list<Pair> fields = {}) {
    Write(Level::kInfo, event, fields);
}
inline void Warn(std::string_view event, std::initializer_list<Pair> fields = {}) {
    Write(Level::kWarn, event, fields);
}
inline void Error(std::string_view event, std::initializer_list<Pair> fields = {}) {
    Write(Level::kError, event, fields);
}

}  // namespace p360::log
