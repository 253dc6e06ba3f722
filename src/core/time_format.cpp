#include "core/time_format.hpp"

#include <charconv>
#include <cstdio>

namespace p360 {
namespace {

bool ParseDigits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
    if (pos + count > text.size()) {
        return false;
    }
    out = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
        out = out * 10 + (text[i] - '0');
    }
    return true;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

struct CivilDate {
    int year = 0;
    int month = 0;
    int day = 0;
};

std::optional<CivilDate> ParseCivilDate(std::string_view text) {
    CivilDate date;
    if (text.size() < 10 || text[4] != '-' || text[7] != '-' ||
        !ParseDigits(text, 0, 4, date.year) || !ParseDigits(text, 5, 2, date.month) ||
        !ParseDigits(text, 8, 2, date.day)) {
        return std::nullopt;
    }
    if (date.year < 1 || date.month < 1 || date.month > 12 || date.day < 1 ||
        date.day > DaysInMonth(date.year, date.month)) {
        return std::nullopt;
    }
    return date;
}

// Civil date from days since the epoch (inverse of DaysFromCivil).
CivilDate CivilFromDays(std::int64_t days) {
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned day = doy - (153 * mp + 2) / 5 + 1;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    const auto year = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2));
    return {year, static_cast<int>(month), static_cast<int>(day)};
}

}  // namespace

std::int64_t DaysFromCivil(int year, unsigned month, unsigned day) {
    year -= month <= 2;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const auto yoe = static_cast<unsigned>(year - era * 400);
    const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<std::string> NormalizeDate(std::string_view text) {
    if (text.size() != 10 || !ParseCivilDate(text)) {
        return std::nullopt;
    }
    return std::string(text);
}

std::optional<std::string> NormalizeDateTime(std::string_view text) {
    auto date = ParseCivilDate(text);
    if (!date || text.size() < 16 || (text[10] != 'T' && text[10] != 't' && text[10] != ' ')) {
        return std::nullopt;
    }
    int hour = 0;
    int minute = 0;
    int second = 0;
    if (!ParseDigits(text, 11, 2, hour) || text[13] != ':' || !ParseDigits(text, 14, 2, minute)) {
        return std::nullopt;
    }
    std::size_t pos = 16;
    if (pos < text.size() && text[pos] == ':') {
        if (!ParseDigits(text, pos + 1, 2, second)) {
            return std::nullopt;
        }
        pos += 3;
    }
    int millis = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        int digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (digits < 3) {
                millis = millis * 10 + (text[pos] - '0');
            }
            ++digits;
            ++pos;
        }
        if (digits == 0 || digits > 9) {
            return std::nullopt;
        }
        for (int pad = digits; pad < 3; ++pad) {
            millis *= 10;
        }
    }
    if (hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    int offset_minutes = 0;
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        int offset_hours = 0;
        int offset_mins = 0;
        if (!ParseDigits(text, pos + 1, 2, offset_hours) || pos + 3 >= text.size() ||
            text[pos + 3] != ':' || !ParseDigits(text, pos + 4, 2, offset_mins) ||
            offset_hours > 23 || offset_mins > 59) {
            return std::nullopt;
        }
        offset_minutes = (offset_hours * 60 + offset_mins) * (text[pos] == '-' ? -1 : 1);
        pos += 6;
    } else {
        return std::nullopt;  // a datetime without an offset is ambiguous
    }
    if (pos != text.size()) {
        return std::nullopt;
    }
    const std::int64_t days = DaysFromCivil(date->year, static_cast<unsigned>(date->month),
                                            static_cast<unsigned>(date->day));
    const std::int64_t unix_millis =
        ((days * 86400) + hour * 3600 + minute * 60 + second - offset_minutes * 60) * 1000 + millis;
    return FormatDateTime(unix_millis);
}

std::string FormatDateTime(std::int64_t unix_millis) {
    std::int64_t days = unix_millis / 86400000;
    std::int64_t rest = unix_millis % 86400000;
    if (rest < 0) {
        rest += 86400000;
        --days;
    }
    const CivilDate date = CivilFromDays(days);
    char buffer[64];  // room for any int year, though only 0001..9999 reach here
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", date.year,
                  date.month, date.day, static_cast<int>(rest / 3600000),
                  static_cast<int>(rest / 60000 % 60), static_cast<int>(rest / 1000 % 60),
                  static_cast<int>(rest % 1000));
    return buffer;
}

}  // namespace p360
