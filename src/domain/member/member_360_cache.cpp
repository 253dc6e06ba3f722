#include "domain/member/member_360_cache.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

#include "core/compression.hpp"

namespace p360::member {
namespace {

std::uint64_t IdHash(std::string_view id) { return std::hash<std::string_view>{}(id); }

// Disclosures as text: each one's action, object, PHI fields, subject count and packed
// subjects, every field preceded by its length ("4:read").
void AppendField(std::string& text, std::string_view field) {
    text.append(std::to_string(field.size())).push_back(':');
    text.append(field);
}

std::string SerializeDisclosures(const std::vector<security::Disclosure>& disclosures) {
    std::string text;
    for (const security::Disclosure& disclosure : disclosures) {
        AppendField(text, disclosure.action);
        AppendField(text, disclosure.object_name);
        AppendField(text, disclosure.phi_fields);
        AppendField(text, std::to_string(disclosure.subjects.size()));
        AppendField(text, disclosure.subjects.packed());
    }
    return text;
}

// The next length-prefixed field of `text`, consumed; nullopt when `text` is malformed.
std::optional<std::string_view> NextField(std::string_view& text) {
    std::size_t length = 0;
    const auto [end, problem] = std::from_chars(text.data(), text.data() + text.size(), length);
    const auto digits = static_cast<std::size_t>(end - text.data());
    if (problem != std::errc() || digits == text.size() || *end != ':' ||
        length > text.size() - digits - 1) {
        return std::nullopt;
    }
    const std::string_view field = text.substr(digits + 1, length);
    text.remove_prefix(digits + 1 + length);
    return field;
}

Result<std::vector<security::Disclosure>> ParseDisclosures(std::string_view text) {
    std::vector<security::Disclosure> disclosures;
    while (!text.empty()) {
        std::optional<std::string_view> fields[5];
        for (auto& field : fields) {
            field = NextField(text);
            if (!field) {
                return Error::Internal("kept disclosures are malformed");
            }
        }
        std::size_t count = 0;
        const std::string_view count_text = *fields[3];
        if (std::from_chars(count_text.data(), count_text.data() + count_text.size(), count).ec !=
            std::errc()) {
            return Error::Internal("kept disclosures are malformed");
        }
        disclosures.push_back(
            {std::string(*fields[0]), std::string(*fields[1]), std::string(*fields[2]),
             security::AuditSubjects::FromPacked(std::string(*fields[4]), count)});
    }
    return disclosures;
}

// What an answer costs in all: itself, its dependencies with their postings, its key twice,
// and the bookkeeping around them.
std::size_t BytesOf(const std::string& key, const KeptAnswer& answer, std::size_t dependencies) {
    return answer.bytes() + 2 * key.size() + 256 + dependencies * 3 * sizeof(std::uint64_t);
}

}  // namespace

KeptAnswer::KeptAnswer(std::string_view body, const std::vector<security::Disclosure>& disclosures)
    : compressed_body_(Compress(body)),
      compressed_disclosures_(Compress(SerializeDisclosures(disclosures))) {}

Result<std::string> KeptAnswer::Body() const { return Decompress(compressed_body_); }

Result<std::vector<security::Disclosure>> KeptAnswer::Disclosures() const {
    P360_ASSIGN_OR_RETURN(const std::string text, Decompress(compressed_disclosures_));
    return ParseDisclosures(text);
}

Status Member360Cache::CatchUp(std::int64_t through, const ReadChanges& read_changes) {
    std::int64_t after = 0;
    {
        std::lock_guard lock(mutex_);
        if (applied_through_ < 0) {
            // Nothing is kept yet, so nothing before this point can be stale.
            applied_through_ = through;
            recent_floor_ = through;
            return Ok();
        }
        if (through <= applied_through_) {
            return Ok();
        }
        after = applied_through_;
    }
    // Read without the lock: other requests go on being served meanwhile.
    P360_ASSIGN_OR_RETURN(auto changes, read_changes(after, options_.max_tail + 1));
    std::lock_guard lock(mutex_);
    if (through <= applied_through_) {
        return Ok();  // another request applied them first
    }
    if (changes.size() > options_.max_tail) {
        DropAll(through);
        return Ok();
    }
    for (const records::ChangedRecord& change : changes) {
        if (change.position > applied_through_ && change.position <= through) {
            Apply(change);
        }
    }
    applied_through_ = through;
    while (recent_.size() > options_.recent_events) {
        recent_floor_ = recent_.front().position;
        recent_.pop_front();
    }
    return Ok();
}

void Member360Cache::Apply(const records::ChangedRecord& change) {
    AppliedChange applied{change.position, {IdHash(change.id)}};
    for (const std::string& reference : change.references) {
        applied.touched.push_back(IdHash(reference));
    }
    for (std::uint64_t id_hash : applied.touched) {
        DropDependents(id_hash);
    }
    recent_.push_back(std::move(applied));
}

void Member360Cache::DropDependents(std::uint64_t id_hash) {
    auto posting = postings_.find(id_hash);
    if (posting == postings_.end()) {
        return;
    }
    const std::vector<std::uint64_t> serials = std::move(posting->second);
    postings_.erase(posting);
    posting_count_ -= serials.size();
    for (std::uint64_t serial : serials) {
        if (entries_.contains(serial)) {
            Erase(serial);
        }
    }
}

void Member360Cache::Erase(std::uint64_t serial) {
    auto entry = entries_.find(serial);
    by_key_.erase(entry->second.key);
    recency_.erase(entry->second.recency);
    bytes_ -= entry->second.bytes;
    live_dependencies_ -= entry->second.dependencies.size();
    entries_.erase(entry);
}

void Member360Cache::DropAll(std::int64_t through) {
    entries_.clear();
    by_key_.clear();
    postings_.clear();
    recency_.clear();
    posting_count_ = 0;
    live_dependencies_ = 0;
    bytes_ = 0;
    recent_.clear();
    applied_through_ = through;
    recent_floor_ = through;
}

void Member360Cache::CompactPostings() {
    postings_.clear();
    posting_count_ = 0;
    for (const auto& [serial, entry] : entries_) {
        for (std::uint64_t id_hash : entry.dependencies) {
            postings_[id_hash].push_back(serial);
        }
        posting_count_ += entry.dependencies.size();
    }
}

std::shared_ptr<const KeptAnswer> Member360Cache::Find(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto found = by_key_.find(key);
    if (found == by_key_.end()) {
        return nullptr;
    }
    Entry& entry = entries_.at(found->second);
    recency_.splice(recency_.begin(), recency_, entry.recency);
    return entry.answer;
}

void Member360Cache::Keep(const std::string& key, std::shared_ptr<const KeptAnswer> answer,
                          const std::vector<std::string>& dependencies, std::int64_t built_at) {
    std::vector<std::uint64_t> hashes;
    hashes.reserve(dependencies.size());
    for (const std::string& id : dependencies) {
        hashes.push_back(IdHash(id));
    }
    std::sort(hashes.begin(), hashes.end());
    hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
    const std::size_t bytes = BytesOf(key, *answer, hashes.size());
    if (bytes > options_.max_bytes / 8) {
        return;  // one answer may not push out most of the others
    }
    std::lock_guard lock(mutex_);
    if (built_at < applied_through_) {
        // Changes after its snapshot were applied before it arrived: keep it only if none
        // of them touched what it was built from.
        if (built_at < recent_floor_) {
            return;
        }
        for (const AppliedChange& change : recent_) {
            if (change.position > built_at &&
                std::any_of(change.touched.begin(), change.touched.end(), [&](std::uint64_t id) {
                    return std::binary_search(hashes.begin(), hashes.end(), id);
                })) {
                return;
            }
        }
    }
    if (auto old = by_key_.find(key); old != by_key_.end()) {
        Erase(old->second);
    }
    while (!recency_.empty() && bytes_ + bytes > options_.max_bytes) {
        Erase(recency_.back());
    }
    const std::uint64_t serial = next_serial_++;
    for (std::uint64_t id_hash : hashes) {
        postings_[id_hash].push_back(serial);
    }
    posting_count_ += hashes.size();
    live_dependencies_ += hashes.size();
    recency_.push_front(serial);
    by_key_.emplace(key, serial);
    entries_.emplace(serial,
                     Entry{key, std::move(answer), std::move(hashes), bytes, recency_.begin()});
    bytes_ += bytes;
    if (posting_count_ > 2 * live_dependencies_ + 4096) {
        CompactPostings();
    }
}

Member360CacheStats Member360Cache::Stats() const {
    std::lock_guard lock(mutex_);
    return {entries_.size(), bytes_};
}

}  // namespace p360::member
