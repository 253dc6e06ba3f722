#include "core/ids.hpp"

#include <array>
#include <random>

namespace p360 {
namespace {

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t kUlidLength = 26;

std::uint64_t RandomBits() {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return engine();
}

}  // namespace

std::string NewId(std::string_view prefix, std::int64_t unix_millis) {
    std::string id;
    id.reserve(prefix.size() + 1 + kUlidLength);
    id.append(prefix);
    id.push_back('_');

    // 10 characters of time (50 bits, top 2 always zero), 16 of randomness (80 bits).
    const auto time = static_cast<std::uint64_t>(unix_millis);
    for (int shift = 45; shift >= 0; shift -= 5) {
        id.push_back(kCrockford[(time >> shift) & 31U]);
    }
    const std::uint64_t high = RandomBits();
    const std::uint64_t low = RandomBits();
    for (int char_idx = 0; char_idx < 16; ++char_idx) {
        const std::uint64_t source = char_idx < 8 ? high : low;
        id.push_back(kCrockford[(source >> ((char_idx % 8) * 5)) & 31U]);
    }
    return id;
}

bool IsWellFormedId(std::string_view id, std::string_view prefix) {
    if (id.size() != prefix.size() + 1 + kUlidLength || !id.starts_with(prefix) ||
        id[prefix.size()] != '_') {
        return false;
    }
    for (char c : id.substr(prefix.size() + 1)) {
        if (kCrockford.find(c) == std::string_view::npos) {
            return false;
        }
    }
    return true;
}

}  // namespace p360
