// Member360Cache: assembled member 360 answers kept for reuse, never older than the last change
// a request could see.
//
// An answer is kept under a key naming everything it was built for (the caller's access, and the
// caller too when their own scopes were read through; the member, the catalog and sharing
// stamps, the day), with the ids of the records it was built
// from: each record it shows or counts, and the member, household and plans its lists were read
// by. A committed change drops every answer that depends on the changed record or on a record it
// now refers to: a new claim refers to its member, a new benefit to its plan, a person moved into
// a household to the household. Lists are only ever read by such a reference, so an answer stays
// while everything that could change it stands.
//
// Changes are learned from the outbox, in commit order: before each lookup a request reads the
// newest event id in its own snapshot and the cache first applies every event up to it
// (CatchUp), so an answer is served only if no change the request could see touched it. Writers
// in other processes on the same database (an import run from the command line) are seen like
// the server's own. A long run of changes (a bulk load) is not walked: past `max_tail` events
// every answer is dropped. An answer built from a snapshot older than events another request
// applied meanwhile is checked against those events before it is kept.
//
// Bounded by bytes (answers, their audit disclosures, their dependencies); the least recently
// used answer goes first. Thread-safe.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "records/record_service.hpp"
#include "security/access_audit.hpp"

namespace p360::member {

// What one request is served from a kept answer: the body, and the PHI disclosures its reads
// made, recorded again for each caller served. Both are kept compressed: an answer of some
// 34 KB of JSON and 3 KB of disclosures takes about 5 KB, so the same memory holds several
// times as many, for about 3% more CPU to build one and some 10 us to serve it.
class KeptAnswer {
public:
    KeptAnswer(std::string_view body, const std::vector<security::Disclosure>& disclosures);

    Result<std::string> Body() const;
    Result<std::vector<security::Disclosure>> Disclosures() const;
    // What it holds in memory.
    std::size_t bytes() const { return compressed_body_.size() + compressed_disclosures_.size(); }

private:
    std::string compressed_body_;
    std::string compressed_disclosures_;
};

struct Member360CacheOptions {
    std::size_t max_bytes = std::size_t{256} << 20;
    std::size_t max_tail = 2000;       // changes applied one by one; more drop every answer
    std::size_t recent_events = 4096;  // applied changes remembered for answers built before them
};

struct Member360CacheStats {
    std::size_t answers = 0;
    std::size_t bytes = 0;
};

class Member360Cache {
public:
    // Reads the changes after outbox event `after`, oldest first, at most `limit`.
    using ReadChanges = std::function<Result<std::vector<records::ChangedRecord>>(
        std::int64_t after, std::size_t limit)>;

    explicit Member360Cache(Member360CacheOptions options = {}) : options_(options) {}

    // Applies every change up to outbox event `through` (the newest the caller's snapshot holds).
    Status CatchUp(std::int64_t through, const ReadChanges& read_changes);

    // The answer kept under `key`, or null.
    std::shared_ptr<const KeptAnswer> Find(const std::string& key);

    // Keeps an answer built from a snapshot whose newest outbox event was `built_at`, depending
    // on the records with these ids. Not kept when a change applied since touched it.
    void Keep(const std::string& key, std::shared_ptr<const KeptAnswer> answer,
              const std::vector<std::string>& dependencies, std::int64_t built_at);

    Member360CacheStats Stats() const;

private:
    struct Entry {
        std::string key;
        std::shared_ptr<const KeptAnswer> answer;
        std::vector<std::uint64_t> dependencies;  // hashes of record ids
        std::size_t bytes = 0;
        std::list<std::uint64_t>::iterator recency;  // in recency_, newest first
    };
    // A change applied, as the hashes of the ids it touched.
    struct AppliedChange {
        std::int64_t position = 0;
        std::vector<std::uint64_t> touched;
    };

    // Each with mutex_ held.
    void Apply(const records::ChangedRecord& change);
    void DropDependents(std::uint64_t id_hash);
    void Erase(std::uint64_t serial);
    void DropAll(std::int64_t through);
    void CompactPostings();

    const Member360CacheOptions options_;
    mutable std::mutex mutex_;
    std::int64_t applied_through_ = -1;  // -1: nothing seen yet
    // Every change with a position in (recent_floor_, applied_through_] is in recent_.
    std::deque<AppliedChange> recent_;
    std::int64_t recent_floor_ = 0;
    boost::unordered_flat_map<std::uint64_t, Entry> entries_;       // by serial
    boost::unordered_flat_map<std::string, std::uint64_t> by_key_;  // key -> serial
    // Record id hash -> serials of answers depending on it. Erasing an answer leaves its
    // postings behind; they are skipped when met and compacted when they outnumber the live.
    boost::unordered_flat_map<std::uint64_t, std::vector<std::uint64_t>> postings_;
    std::size_t posting_count_ = 0;
    std::size_t live_dependencies_ = 0;
    std::list<std::uint64_t> recency_;
    std::uint64_t next_serial_ = 1;
    std::size_t bytes_ = 0;
};

}  // namespace p360::member
