// IdentityService: the master member index as a product feature. It keeps a MemberIndex of
// every Person, read through the records layer as the system, and stores each decision as
// records of the identity objects (catalog/identity.yaml) through the same layer, so history,
// outbox events and access control apply to them like to any record:
//
//   MemberIdentity  one per source Person: its golden member id, how it was decided, the
//                   score and per-field weights of the link
//   IdentityReview  a pair between the thresholds, open until a steward accepts or rejects
//                   it; its pairKey makes sure a pair is proposed once, whatever its fate
//   IdentityMerge   one merge, with every related record it moved, for an exact unmerge
//
// Source Person records are never changed or removed by resolution: they keep their identity
// and lineage, and the golden member is built from them on demand by the declared
// survivorship (survivorship_rules.hpp).
//
// Real time. Every write of a Person — records API, bulk and CSV imports, X12 834, FHIR — goes
// through RecordService and leaves a `sys_outbox` event in the same transaction. The service
// follows those events (a background thread that gives way to requests, and synchronously at
// the start of every identity call, so an identity answer always reflects the writes
// acknowledged before it): each new or
// changed Person is added to the index and matched, then linked to a golden member, given a
// new one, or queued for review. Following the outbox rather than hooking the write path keeps
// matching off the latency of every write and bulk import, sees every writer alike, and
// needs no durable cursor: at startup the service reads every Person and resolves those that
// have no MemberIdentity yet, which covers whatever happened while it was down. Every node
// follows the outbox to keep its own index current; decisions are keyed writes (by person, by
// pair), so a second node deciding the same event converges on one record.
//
// The index is append-only: a changed Person is added again and its older entry ignored.
//
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/background_pacing.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "domain/identity/member_index.hpp"
#include "domain/identity/survivorship_rules.hpp"
#include "records/metadata_service.hpp"
#include "records/record_service.hpp"
#include "security/authorizer.hpp"
#include "storage/database.hpp"

namespace p360::identity {

namespace json = boost::json;

struct IdentityServiceOptions {
    IndexOptions index;
    // Below this many Persons EM has too little to learn from: the model is trained on a
    // fixed synthetic reference population instead (see identity_service.cpp).
    std::size_t min_training_records = 500;
    // At startup, Persons without a MemberIdentity are resolved one by one; beyond this many
    // the batch `payer360 identity dedupe` is the way, and startup only logs it.
    std::size_t max_startup_resolutions = 20'000;
    // The batch dedupe writes its decisions in transactions of this many records (at most
    // the records layer's bulk limit), so memory stays bounded and a stopped run keeps what it
    // wrote.
    std::size_t dedupe_batch = 20'000;
};

// Progress of a long step, for the command line: a stage name and a count.
using IdentityProgress = std::function<void(std::string_view stage, std::uint64_t done)>;

// One line of the dedupe report; the views are valid during the call that hands it over.
struct DedupeLine {
    std::string_view person_id;
    std::string_view source_id;
    std::string_view golden_member_id;
};

// Receives the report line by line, one per Person in id order, as the run writes them.
using DedupeLineSink = std::function<Status(const DedupeLine& line)>;

struct DedupeReport {
    std::uint64_t people = 0;
    std::uint64_t golden_members = 0;
    std::uint64_t changed = 0;  // MemberIdentity records created or moved
    std::uint64_t reviews = 0;  // new review items
};

enum class ReviewDecision { kAccept, kReject };

class IdentityService {
public:
    // `system` is the actor resolution reads and writes as. The references must outlive the
    // service.
    IdentityService(records::RecordService& records, records::MetadataService& metadata,
                    storage::Database& database, const security::Authorizer& authorizer,
                    const Clock& clock, security::Actor system, SurvivorshipPolicy policy,
                    IdentityServiceOptions options = {});
    ~IdentityService();

    IdentityService(const IdentityService&) = delete;
    IdentityService& operator=(const IdentityService&) = delete;

    // Reads every Person, builds and trains the index, then resolves Persons that have no
    // MemberIdentity yet. Call once before anything else.
    Status Load(const IdentityProgress& progress = {});

    // Follows the outbox on a thread of its own every `interval` until Stop or destruction.
    void StartFollowing(std::chrono::milliseconds interval);
    void Stop();

    // Matches and resolves every Person written since the last call.
    Status CatchUp();

    // Scores a candidate (Person fields as JSON) against the index: ranked Person ids with
    // total score, probability, decision and per-field weights. The caller must be able to read
    // Person and every field they send (no probing of fields they may not see); candidates
    // come back only when the caller may read them, read through the records layer (audited).
    Result<json::object> Match(const security::Actor& actor, const json::value& candidate,
                               std::size_t limit);

    // The MemberIdentity of a Person the caller may read.
    Result<json::object> IdentityOf(const security::Actor& actor, std::string_view person_id);

    // A golden member: its fields by survivorship with lineage, its identifiers and sources,
    // from the source records the caller may read.
    Result<json::object> GoldenMember(const security::Actor& actor,
                                      std::string_view golden_member_id);

    // Open review items, most probable first: {"items", "nextCursor"}.
    Result<json::object> ListReviews(const security::Actor& actor, std::string_view cursor,
                                     int limit);

    // Accept: both records become one golden member. Reject: kept apart, never proposed again.
    // kConflict when the item was decided already.
    Result<json::object> DecideReview(const security::Actor& actor, std::string_view review_id,
                                      ReviewDecision decision);

    // Moves every record that references `merged` to `survivor` and joins `merged` to the
    // survivor's golden member, in one transaction; the IdentityMerge record lists what moved.
    Result<json::object> Merge(const security::Actor& actor, std::string_view survivor,
                               std::string_view merged);
    // Puts every record a merge moved back, restores the merged record's golden member, and
    // remembers the pair as rejected so it is not linked again.
    Result<json::object> Unmerge(const security::Actor& actor, std::string_view merge_id);

    // Deduplicates every Person in one batch: clusters without chaining, keeps the golden ids
    // clusters already had and the links stewards decided, queues the uncertain pairs.
    // Streams: Persons are read page by page into the index (no JSON is kept), and decisions
    // are written in bulk transactions of `dedupe_batch` records as they are made. Running it
    // again changes nothing and proposes no pair twice; a run that was stopped is completed by
    // the next one.
    Result<DedupeReport> Dedupe(const DedupeLineSink& on_line,
                                const IdentityProgress& progress = {});

private:
    struct Live {
        std::unique_ptr<MemberIndex> index;  // each person's newest entry is its current one
    };
    struct Identity {
        std::string record_id;
        std::string golden;
        std::string method;
    };
    using Identities = std::unordered_map<std::string, Identity>;

    // Hands every record of `object` matching `filter` to `on_record`, page by page, as the
    // system; only one page is held at a time.
    Status ForEachRecord(std::string_view object, std::string filter,
                         std::vector<std::string> fields,
                         const std::function<Status(json::object& record)>& on_record,
                         const IdentityProgress& progress = {});
    // Every record of `object` matching `filter`, page by page, as the system or as `actor`.
    Result<std::vector<json::object>> ReadAll(std::string_view object, std::string filter,
                                              std::vector<std::string> fields,
                                              const IdentityProgress& progress = {});
    Result<std::vector<json::object>> ReadAllAs(const security::Actor& actor,
                                                std::string_view object, std::string filter,
                                                std::vector<std::string> fields,
                                                const IdentityProgress& progress = {});
    Result<Identities> IdentitiesOf(const std::vector<std::string>& person_ids);
    Result<std::unordered_map<std::string, std::string>> ReviewStatuses(
        const std::vector<std::string>& pair_keys);
    // Trains `index` on its own records, or on the reference population when it is small.
    void TrainIndex(MemberIndex& index, const IdentityProgress& progress);
    // Upserts the NDJSON `lines` into `object` by `key_field` in one atomic bulk transaction,
    // through the records layer's bulk path (validation, history, outbox), then clears them.
    Status WriteBulk(std::string_view object, std::string_view key_field, std::string& lines);
    // The steps of Dedupe, over the state of one run (identity_service.cpp).
    struct DedupeRun;
    Status IndexEveryPerson(DedupeRun& run, const IdentityProgress& progress);
    Status ReadStoredIdentities(DedupeRun& run, const IdentityProgress& progress);
    Status WriteIdentities(DedupeRun& run, const DedupeLineSink& on_line,
                           const IdentityProgress& progress);
    Status WriteReviews(DedupeRun& run, const std::vector<ScoredPair>& pairs,
                        const IdentityProgress& progress);
    // Ranked matches of a record among the live entries, itself excluded.
    std::vector<MatchCandidate> MatchLive(const PersonRecord& record, std::size_t limit) const;
    // Decisions of a group not yet written, which the group's later persons see as stored.
    struct PendingDecisions {
        Identities identities;                    // by person
        std::unordered_set<std::string> reviews;  // pair keys
    };
    // Decides `person`'s identity, and the reviews it raises, as the stored decisions and
    // `pending` stand: adds the writes to `changes` and the decisions to `pending`.
    Status Decide(const json::object& person, PendingDecisions& pending,
                  std::vector<records::RecordChange>& changes);
    // Resolves `persons` in order and writes all their decisions in one transaction; if that
    // fails, resolves and writes each alone, so one person that cannot be resolved holds up no
    // other (only the database being away is returned). `index_first`: each person joins the
    // live index just before its decision, as persons arriving one by one would.
    Status ResolveAll(const std::vector<const json::object*>& persons, bool index_first);
    // Reads the Persons `person_ids` names and resolves them (see ResolveAll); with
    // `index_first`, as the follower does, deleted ones also leave the live index.
    Status ResolveGroup(const std::vector<std::string>& person_ids, bool index_first);
    // One batch of outbox events. In the background (with a pacer) it paces itself against
    // the requests being served, and stops early when a caller waits to catch up, which then
    // goes on from where it stopped.
    Status FollowOnce(bool& more, BackgroundPacer* pacer);
    Status CatchUpInBackground();
    void FollowLoop(std::chrono::milliseconds interval);
    std::string NewGoldenId() const;
    std::string NowText() const;

    records::RecordService& records_;
    records::MetadataService& metadata_;
    storage::Database& database_;
    const security::Authorizer& authorizer_;
    const Clock& clock_;
    const security::Actor system_;
    const SurvivorshipPolicy policy_;
    const IdentityServiceOptions options_;

    mutable std::shared_mutex live_mutex_;
    Live live_;  // guarded by live_mutex_

    std::mutex follow_mutex_;  // one follower pass at a time
    std::int64_t cursor_ = 0;  // guarded by follow_mutex_: last outbox id seen
    // Callers waiting for follow_mutex_. The follower thread paces itself, so it hands the
    // rest of a catch-up to them rather than make them wait on its pace.
    std::atomic<int> callers_waiting_{0};
    std::mutex decide_mutex_;  // decisions on identities, one at a time per node

    std::mutex stop_mutex_;
    std::condition_variable stop_wake_;
    bool stopping_ = false;  // guarded by stop_mutex_
    // Read between events too, so a long catch-up does not hold up shutdown.
    std::atomic<bool> stop_requested_{false};
    std::thread follower_;
};

}  // namespace p360::identity
