// Interned strings: each distinct value is stored once and named by a dense 32-bit id, so a
// million people cost a few integers each rather than a dozen std::strings. Id 0 is the empty
// string. Views stay valid for the pool's lifetime (text lives in fixed chunks that never move).
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace p360::identity {

class StringPool {
public:
    StringPool();

    // The id of `text`, adding it if new. Not thread-safe.
    std::uint32_t Intern(std::string_view text);

    // The id of `text` if present. Safe to call concurrently with other const calls.
    std::optional<std::uint32_t> Find(std::string_view text) const;

    std::string_view View(std::uint32_t id) const { return views_[id]; }
    std::size_t size() const { return views_.size(); }

private:
    std::string_view Store(std::string_view text);

    static constexpr std::size_t kChunkBytes = 1 << 20;
    std::vector<std::unique_ptr<char[]>> chunks_;
    char* current_chunk_ = nullptr;  // the shared chunk new text goes into
    std::size_t chunk_used_ = 0;
    std::vector<std::string_view> views_;
    boost::unordered_flat_map<std::string_view, std::uint32_t> ids_;
};

}  // namespace p360::identity
