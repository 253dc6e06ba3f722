// Member 360: everything the plan knows about one member, in one answer.
//
// The view is assembled from the records layer as the caller, so every part obeys the caller's
// object, field and record access: a part the caller may not see (an agent and the member's
// conditions) is left out rather than failing the whole view, hidden fields are absent from
// every item, and records out of reach are not there. Only the member themself must be
// visible: otherwise the answer is "no such member" (kNotFound).
//
// Parts: the profile; the household with its members and the member's relationships;
// coverages with their plans and benefits; a claims summary of the last twelve months (count,
// billed, paid, top diagnoses) with the most recent claims; open and recent cases;
// interactions; conditions; medications; consents; life events; the care team; and one
// timeline across all of them, newest first, paged by an opaque cursor.
//
// Every part is read in one read transaction (RecordService::ReadTogether), and records go into
// the answer as the JSON text the records layer writes for them: the answer is text, built once.
// With a Member360Cache, a first page is kept per caller and member and served again until a
// change touches what it was built from; each serving records its PHI disclosures again in the
// access audit, for the caller served. Thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "domain/member/member_360_cache.hpp"
#include "records/record_service.hpp"
#include "security/authorizer.hpp"

namespace p360::member {

namespace json = boost::json;

struct Member360Options {
    int recent_items = 10;        // recent claims, cases, interactions
    int list_items = 50;          // conditions, medications, consents, life events, care team
    int timeline_items = 25;      // one timeline page
    std::string timeline_cursor;  // from a previous page's `timeline.nextCursor`
};

inline constexpr int kMaxTimelineItems = 200;
inline constexpr int kMaxSummaryClaims = 1000;  // claims of the last 12 months summarised

class Member360 {
public:
    // `cache` (optional) keeps first pages for reuse; see member_360_cache.hpp.
    Member360(records::RecordService& records, const Clock& clock, Member360Cache* cache = nullptr)
        : records_(records), clock_(clock), cache_(cache) {}

    // The view as JSON text. kNotFound when the member does not exist or is out of the
    // caller's reach; kInvalidArgument for a bad cursor or limit.
    Result<std::string> Build(const security::Actor& actor, std::string_view person_id,
                              const Member360Options& options) const;

private:
    // A first page: the kept answer when nothing it was built from changed, else built and kept.
    Result<std::string> BuildOrReuse(const security::Actor& actor, std::string_view person_id,
                                     const Member360Options& options,
                                     const std::string& since) const;

    records::RecordService& records_;
    const Clock& clock_;
    Member360Cache* cache_;
};

}  // namespace p360::member
