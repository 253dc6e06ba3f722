#include "domain/identity/string_pool.hpp"

#include <algorithm>
#include <boost/container_hash/hash.hpp>
#include <cstring>

namespace p360::identity {

std::size_t StringPool::TextHash::operator()(std::string_view text) const {
    return boost::hash<std::string_view>()(text);
}

StringPool::StringPool()
    : views_(std::make_unique<std::vector<std::string_view>>()),
      ids_(0, TextHash{views_.get()}, TextEqual{views_.get()}) {
    views_->emplace_back();
    ids_.insert(0);
}

std::uint32_t StringPool::Intern(std::string_view text) {
    if (const auto found = ids_.find(text); found != ids_.end()) {
        return *found;
    }
    const auto id = static_cast<std::uint32_t>(views_->size());
    views_->push_back(Store(text));  // before the insert, which hashes the id through views_
    ids_.insert(id);
    return id;
}

std::optional<std::uint32_t> StringPool::Find(std::string_view text) const {
    const auto found = ids_.find(text);
    if (found == ids_.end()) {
        return std::nullopt;
    }
    return *found;
}

std::string_view StringPool::Store(std::string_view text) {
    if (text.size() > kChunkBytes / 4) {
        // A rare oversized value gets a chunk of its own rather than wasting a shared one.
        chunks_.push_back(std::make_unique<char[]>(text.size()));
        std::memcpy(chunks_.back().get(), text.data(), text.size());
        return {chunks_.back().get(), text.size()};
    }
    if (current_chunk_ == nullptr || chunk_used_ + text.size() > kChunkBytes) {
        chunks_.push_back(std::make_unique<char[]>(kChunkBytes));
        current_chunk_ = chunks_.back().get();
        chunk_used_ = 0;
    }
    char* destination = current_chunk_ + chunk_used_;
    std::memcpy(destination, text.data(), text.size());
    chunk_used_ += text.size();
    return {destination, text.size()};
}

}  // namespace p360::identity
