#include "core/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "core/time_format.hpp"

namespace p360::log {
namespace {

std::atomic<Level> g_minimum_level{Level::kInfo};
std::mutex g_write_mutex;

std::string_view LevelName(Level level) {
    switch (level) {
        case Level::kDebug:
            return "debug";
        case Level::kInfo:
            return "info";
        case Level::kWarn:
            return "warn";
        case Level::kError:
            return "error";
    }
    return "info";
}

// Values are quoted when they contain spaces or quotes, so lines stay machine-readable.
void AppendValue(std::string& line, std::string_view value) {
    const bool needs_quotes = value.empty() || value.find_first_of(" \"=") != value.npos;
    if (!needs_quotes) {
        line.append(value);
        return;
    }
    line.push_back('"');
    for (char c : value) {
        if (c == '"' || c == '\\') {
            line.push_back('\\');
        }
        line.push_back(c == '\n' ? ' ' : c);
    }
    line.push_back('"');
}

}  // namespace

void SetMinimumLevel(Level level) { g_minimum_level = level; }

void Write(Level level, std::string_view event, std::initializer_list<Pair> fields) {
    if (level < g_minimum_level.load()) {
        return;
    }
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    std::string line = FormatDateTime(now);
    line.append(" level=").append(LevelName(level)).append(" event=").append(event);
    for (const auto& [key, value] : fields) {
        line.append(" ").append(key).append("=");
        AppendValue(line, value);
    }
    line.push_back('\n');
    std::lock_guard lock(g_write_mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace p360::log
