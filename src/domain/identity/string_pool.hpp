// Interned strings: each distinct value is stored once and named by a dense 32-bit id, so a
// million people cost a few integers each rather than a dozen std::strings. Id 0 is the empty
// string. Views stay valid for the pool's lifetime (text lives in fixed chunks that never move).
#pragma once

#include <boost/unordered/unordered_flat_set.hpp>
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

    std::string_view View(std::uint32_t id) const { return (*views_)[id]; }
    // Asks the CPU to fetch where `id`'s text is stored, ahead of a View that will need it.
    void Prefetch(std::uint32_t id) const { __builtin_prefetch(views_->data() + id); }
    std::size_t size() const { return views_->size(); }

private:
    std::string_view Store(std::string_view text);

    static constexpr std::size_t kChunkBytes = 1 << 20;
    std::vector<std::unique_ptr<char[]>> chunks_;
    char* current_chunk_ = nullptr;  // the shared chunk new text goes into
    std::size_t chunk_used_ = 0;
    // Ids are hashed and compared by the text they name, so the set holds four bytes a string
    // (a million people intern about three million) and is searched with the text itself.
    struct TextHash {
        using is_transparent = void;
        const std::vector<std::string_view>* views;
        std::size_t operator()(std::string_view text) const;
        std::size_t operator()(std::uint32_t id) const { return (*this)((*views)[id]); }
    };
    struct TextEqual {
        using is_transparent = void;
        const std::vector<std::string_view>* views;
        std::string_view TextOf(std::string_view text) const { return text; }
        std::string_view TextOf(std::uint32_t id) const { return (*views)[id]; }
        template <typename Left, typename Right>
        bool operator()(const Left& left, const Right& right) const {
            return TextOf(left) == TextOf(right);
        }
    };

    // On the heap, so that the set's hash and equality may point at it and the pool may move.
    std::unique_ptr<std::vector<std::string_view>> views_;
    boost::unordered_flat_set<std::uint32_t, TextHash, TextEqual> ids_;
};

}  // namespace p360::identity
