#include "domain/member/member_360.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include "core/time_format.hpp"
#include "query/parser.hpp"

namespace p360::member {
namespace {

using security::Actor;

bool IsDateOnly(std::string_view value) { return value.size() == 10; }

std::string Text(const json::object& record, std::string_view key) {
    const json::value* value = record.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->get_string())
                                                  : std::string();
}

double Number(const json::object& record, std::string_view key) {
    const json::value* value = record.if_contains(key);
    if (value == nullptr) {
        return 0;
    }
    return value->is_double()  ? value->get_double()
           : value->is_int64() ? static_cast<double>(value->get_int64())
                               : 0;
}

// Reads parts of the view as the caller, all on one read connection: a part the caller may not
// see at all is nullopt.
class PartReader {
public:
    explicit PartReader(records::RecordReader& reader) : reader_(reader) {}

    // `fields`: only these, as far as the caller may read them; empty: every readable field.
    Result<std::optional<json::array>> List(std::string_view object, std::string filter,
                                            std::string sort, int limit,
                                            std::vector<std::string> fields = {}) const {
        query::ListRequest request;
        request.filter = std::move(filter);
        request.sort = std::move(sort);
        request.limit = std::clamp(limit, query::kMinListLimit, query::kMaxListLimit);
        request.fields = std::move(fields);
        request.skip_unreadable_fields = true;
        auto page = reader_.List(object, request);
        if (!page.ok()) {
            if (page.error().code == ErrorCode::kPermissionDenied) {
                return std::optional<json::array>();  // hidden parts are omitted
            }
            return page.error();
        }
        return std::optional<json::array>(std::move(page->at("items").as_array()));
    }

    // One record, or nullopt when it is missing or out of reach.
    Result<std::optional<json::object>> Get(std::string_view object, std::string_view id) const {
        auto record = reader_.Get(object, id);
        if (!record.ok()) {
            const ErrorCode code = record.error().code;
            if (code == ErrorCode::kNotFound || code == ErrorCode::kPermissionDenied) {
                return std::optional<json::object>();
            }
            return record.error();
        }
        return std::optional<json::object>(std::move(record).value());
    }

    // The records of `object` with these ids that the caller may see, by id: one read per
    // filter's worth of ids (and so one audit event), however many there are.
    Result<std::map<std::string, json::object>> ByIds(std::string_view object,
                                                      const std::vector<std::string>& ids) const {
        std::map<std::string, json::object> found;
        for (std::string& filter : query::InListFilters("id", ids)) {
            P360_ASSIGN_OR_RETURN(auto items, List(object, std::move(filter), "",
                                                   static_cast<int>(query::kMaxInListItems)));
            if (!items) {
                break;
            }
            for (json::value& item : *items) {
                json::object& record = item.as_object();
                found.emplace(Text(record, "id"), std::move(record));
            }
        }
        return found;
    }

private:
    records::RecordReader& reader_;
};

void PutIfVisible(json::object& view, std::string_view key, std::optional<json::array> part) {
    if (part) {
        view[key] = std::move(*part);
    }
}

// Puts each household member's Person, where the caller may see it, beside the membership: all
// of them in one read.
Status AttachPersons(const PartReader& reader, json::array& members) {
    std::vector<std::string> person_ids;
    for (const json::value& member : members) {
        if (std::string id = Text(member.as_object(), "person"); !id.empty()) {
            person_ids.push_back(std::move(id));
        }
    }
    P360_ASSIGN_OR_RETURN(auto persons, reader.ByIds("Person", person_ids));
    for (json::value& member : members) {
        json::object& entry = member.as_object();
        auto person = persons.find(Text(entry, "person"));
        if (person != persons.end()) {
            entry["personRecord"] = person->second;  // a member may be listed twice
        }
    }
    return Ok();
}

Result<std::optional<json::object>> Household(const PartReader& reader, const json::object& person,
                                              const std::string& member_filter) {
    json::object household;
    if (const std::string household_id = Text(person, "household"); !household_id.empty()) {
        P360_ASSIGN_OR_RETURN(auto record, reader.Get("Household", household_id));
        if (record) {
            household["household"] = std::move(*record);
            P360_ASSIGN_OR_RETURN(
                auto members, reader.List("HouseholdMember",
                                          "household = " + query::QuoteText(household_id), "", 50));
            if (members) {
                P360_TRY(AttachPersons(reader, *members));
                household["members"] = std::move(*members);
            }
        }
    }
    P360_ASSIGN_OR_RETURN(auto relationships,
                          reader.List("ContactRelationship", member_filter, "", 50));
    PutIfVisible(household, "relationships", std::move(relationships));
    if (household.empty()) {
        return std::optional<json::object>();
    }
    return std::optional<json::object>(std::move(household));
}

// Puts each coverage's plan and the plan's benefits beside it. Members of one family share
// plans: each plan and its benefits are read once.
Status AttachPlans(const PartReader& reader, json::array& coverages) {
    std::vector<std::string> plan_ids;
    for (const json::value& coverage : coverages) {
        std::string plan_id = Text(coverage.as_object(), "plan");
        if (!plan_id.empty() &&
            std::find(plan_ids.begin(), plan_ids.end(), plan_id) == plan_ids.end()) {
            plan_ids.push_back(std::move(plan_id));
        }
    }
    P360_ASSIGN_OR_RETURN(auto plans, reader.ByIds("Plan", plan_ids));
    std::map<std::string, std::optional<json::array>> benefits_of;
    for (const std::string& plan_id : plan_ids) {
        P360_ASSIGN_OR_RETURN(
            benefits_of[plan_id],
            reader.List("Benefit", "plan = " + query::QuoteText(plan_id), "", 100));
    }
    for (json::value& coverage : coverages) {
        json::object& entry = coverage.as_object();
        const std::string plan_id = Text(entry, "plan");
        if (auto plan = plans.find(plan_id); plan != plans.end()) {
            entry["planRecord"] = plan->second;
        }
        if (auto benefits = benefits_of.find(plan_id);
            benefits != benefits_of.end() && benefits->second) {
            entry["benefits"] = *benefits->second;
        }
    }
    return Ok();
}

// One entry per calendar month from the month of `since` to the same month a year later, oldest
// first, with the claims whose service began in it (months without claims count zero).
json::array ClaimsByMonth(const json::array& claims, const std::string& since, bool amounts) {
    struct Month {
        std::int64_t count = 0;
        double billed = 0;
        double paid = 0;
    };
    std::map<std::string, Month> months;
    int year = std::stoi(since.substr(0, 4));
    int month = std::stoi(since.substr(5, 2));
    for (int month_idx = 0; month_idx < 13; ++month_idx) {
        const std::string key =
            std::to_string(year) + (month < 10 ? "-0" : "-") + std::to_string(month);
        months[key];
        if (++month > 12) {
            month = 1;
            ++year;
        }
    }
    for (const json::value& claim : claims) {
        const json::object& record = claim.as_object();
        const std::string from = Text(record, "serviceFromDate");
        auto found = from.size() >= 7 ? months.find(from.substr(0, 7)) : months.end();
        if (found == months.end()) {
            continue;
        }
        ++found->second.count;
        found->second.billed += Number(record, "billedAmount");
        found->second.paid += Number(record, "paidAmount");
    }
    json::array series;
    for (const auto& [key, totals] : months) {
        json::object entry{{"month", key}, {"count", totals.count}};
        if (amounts) {
            entry["billed"] = totals.billed;
            entry["paid"] = totals.paid;
        }
        series.push_back(std::move(entry));
    }
    return series;
}

// Count, billed and paid amounts and the most frequent diagnoses of the last 12 months, and the
// same by month.
json::object ClaimsSummary(const json::array& claims, const std::string& since) {
    double billed = 0;
    double paid = 0;
    std::map<std::string, std::int64_t> diagnoses;
    for (const json::value& claim : claims) {
        const json::object& record = claim.as_object();
        billed += Number(record, "billedAmount");
        paid += Number(record, "paidAmount");
        if (const std::string code = Text(record, "primaryDiagnosis"); !code.empty()) {
            ++diagnoses[code];
        }
    }
    std::vector<std::pair<std::string, std::int64_t>> ranked(diagnoses.begin(), diagnoses.end());
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    json::array top;
    for (std::size_t rank = 0; rank < ranked.size() && rank < 5; ++rank) {
        top.push_back(json::object{{"code", ranked[rank].first}, {"claims", ranked[rank].second}});
    }
    const bool amounts_visible = !claims.empty() && claims[0].as_object().contains("billedAmount");
    json::object summary{{"since", since},
                         {"count", static_cast<std::int64_t>(claims.size())},
                         {"complete", claims.size() < static_cast<std::size_t>(kMaxSummaryClaims)}};
    if (amounts_visible || claims.empty()) {
        summary["billed"] = billed;
        summary["paid"] = paid;
    }
    summary["byMonth"] = ClaimsByMonth(claims, since, amounts_visible || claims.empty());
    if (!claims.empty() && claims[0].as_object().contains("primaryDiagnosis")) {
        summary["topDiagnoses"] = std::move(top);
    }
    return summary;
}

// ---- Timeline -------------------------------------------------------------------------------

struct TimelineSource {
    std::string_view object;
    std::string_view field;  // the date or datetime the entry is placed at
};

// In object-name order; entries at the same moment are ordered by object, then id.
constexpr TimelineSource kTimelineSources[] = {
    {"Case", "createdAt"},        {"Claim", "serviceFromDate"},    {"Condition", "recordedDate"},
    {"Consent", "effectiveDate"}, {"Interaction", "startedAt"},    {"LifeEvent", "eventDate"},
    {"Medication", "startDate"},  {"MemberPlan", "effectiveDate"},
};

struct TimelineKey {
    std::string at;
    std::string object;
    std::string id;

    // Newest first; ties by object, then id, both descending.
    bool operator<(const TimelineKey& other) const {
        return std::tie(other.at, other.object, other.id) < std::tie(at, object, id);
    }
    std::string Encode() const { return at + "~" + object + "~" + id; }
};

Result<std::optional<TimelineKey>> DecodeCursor(std::string_view cursor) {
    if (cursor.empty()) {
        return std::optional<TimelineKey>();
    }
    const Error bad = Error::InvalidArgument("timelineCursor is not a cursor of this timeline.",
                                             "timelineCursor");
    const auto first = cursor.find('~');
    const auto second = first == std::string_view::npos ? first : cursor.find('~', first + 1);
    if (second == std::string_view::npos || cursor.size() > 200) {
        return bad;
    }
    TimelineKey key{std::string(cursor.substr(0, first)),
                    std::string(cursor.substr(first + 1, second - first - 1)),
                    std::string(cursor.substr(second + 1))};
    const bool known = std::any_of(std::begin(kTimelineSources), std::end(kTimelineSources),
                                   [&](const auto& source) { return source.object == key.object; });
    const bool date_like = key.at.size() >= 10 && key.at[4] == '-' && key.at[7] == '-';
    if (!known || !date_like || key.id.empty()) {
        return bad;
    }
    return std::optional<TimelineKey>(std::move(key));
}

// The filter that keeps a source's entries strictly after the cursor in timeline order.
std::string AfterCursor(const TimelineSource& source, bool datetime_field,
                        const TimelineKey& cursor) {
    const std::string field(source.field);
    const std::string date = cursor.at.substr(0, 10);
    if (!datetime_field && !IsDateOnly(cursor.at)) {
        return field + " <= " + date;  // every entry of that day sorts below the moment
    }
    if (datetime_field && IsDateOnly(cursor.at)) {
        return field + " < " + date;  // before that day's midnight
    }
    const std::string at = datetime_field ? query::QuoteText(cursor.at) : date;
    if (source.object < cursor.object) {
        return field + " <= " + at;
    }
    if (source.object > cursor.object) {
        return field + " < " + at;
    }
    return "(" + field + " < " + at + " or (" + field + " = " + at + " and id < " +
           query::QuoteText(cursor.id) + "))";
}

// A part of the view, already read whole, that holds a timeline source's records.
struct SharedPart {
    const std::optional<json::array>* items = nullptr;
    int limit = 0;  // the part's limit: fewer items than this and it holds all of them
    // Sorted by the source's field, then id, both descending: the timeline's own order, so
    // the records with the field set are the source's first entries.
    bool timeline_order = false;
};
using SharedParts = std::map<std::string_view, SharedPart>;

// Takes a source's entries of the first page from a part sorted like the timeline, when the
// part holds them all: every record of the member, or at least one more than the page with
// the date set. False when the part cannot tell and the source must be read.
bool EntriesFromPart(const TimelineSource& source, const SharedPart& part, int limit,
                     std::vector<TimelineKey>& entries) {
    if (!part.timeline_order) {
        return false;
    }
    if (!*part.items) {
        return true;  // the caller may not see the object: no entries, as the read would find
    }
    const json::array& items = **part.items;
    std::vector<TimelineKey> found;
    for (const json::value& item : items) {
        const json::value* at = item.as_object().if_contains(source.field);
        if (at == nullptr) {
            return false;  // the date is hidden: the read answers for it
        }
        if (at->is_string() && found.size() <= static_cast<std::size_t>(limit)) {
            found.push_back(TimelineKey{std::string(at->get_string()), std::string(source.object),
                                        Text(item.as_object(), "id")});
        }
    }
    const bool complete = items.size() < static_cast<std::size_t>(part.limit);
    if (!complete && found.size() <= static_cast<std::size_t>(limit)) {
        return false;
    }
    entries.insert(entries.end(), std::make_move_iterator(found.begin()),
                   std::make_move_iterator(found.end()));
    return true;
}

// Each source's newest entries by date and id alone, from the part that holds them or read.
Result<std::vector<TimelineKey>> TimelineEntries(const PartReader& reader,
                                                 const std::string& member_filter, int limit,
                                                 const std::optional<TimelineKey>& cursor,
                                                 const SharedParts& shared) {
    std::vector<TimelineKey> entries;
    for (const TimelineSource& source : kTimelineSources) {
        const auto part = shared.find(source.object);
        if (!cursor && part != shared.end() &&
            EntriesFromPart(source, part->second, limit, entries)) {
            continue;
        }
        const bool datetime_field = source.field == "createdAt" || source.field == "startedAt";
        std::string filter = member_filter + " and " + std::string(source.field) + " is not null";
        if (cursor) {
            filter += " and " + AfterCursor(source, datetime_field, *cursor);
        }
        P360_ASSIGN_OR_RETURN(
            auto items, reader.List(source.object, filter, "-" + std::string(source.field) + ",-id",
                                    limit + 1, {"id", std::string(source.field)}));
        if (!items) {
            continue;
        }
        for (const json::value& item : *items) {
            const json::object& record = item.as_object();
            entries.push_back(TimelineKey{Text(record, source.field), std::string(source.object),
                                          Text(record, "id")});
        }
    }
    std::sort(entries.begin(), entries.end());
    return entries;
}

// Two steps: each source's newest entries by date and id alone, merged into one page; then
// the whole records of just the entries on the page. Reading every source's candidates whole
// would read (and audit) eight times what the page shows. Records another part of the view
// holds already are taken from it; the rest are read, one read per object.
Result<json::object> Timeline(const PartReader& reader, const std::string& member_filter, int limit,
                              const std::optional<TimelineKey>& cursor, const SharedParts& shared) {
    P360_ASSIGN_OR_RETURN(auto entries,
                          TimelineEntries(reader, member_filter, limit, cursor, shared));
    const std::size_t shown = std::min(entries.size(), static_cast<std::size_t>(limit));
    std::map<std::pair<std::string, std::string>, const json::object*> held;
    for (const auto& [object, part] : shared) {
        if (!*part.items) {
            continue;
        }
        for (const json::value& item : **part.items) {
            held.emplace(std::pair(std::string(object), Text(item.as_object(), "id")),
                         &item.as_object());
        }
    }
    std::map<std::string, std::vector<std::string>> missing;
    for (std::size_t entry_idx = 0; entry_idx < shown; ++entry_idx) {
        const TimelineKey& key = entries[entry_idx];
        if (!held.contains(std::pair(key.object, key.id))) {
            missing[key.object].push_back(key.id);
        }
    }
    std::map<std::pair<std::string, std::string>, json::object> read;
    for (const auto& [object, ids] : missing) {
        P360_ASSIGN_OR_RETURN(auto records, reader.ByIds(object, ids));
        for (auto& [id, record] : records) {
            read.emplace(std::pair(object, id), std::move(record));
        }
    }
    json::array page;
    for (std::size_t entry_idx = 0; entry_idx < shown; ++entry_idx) {
        const TimelineKey& key = entries[entry_idx];
        const auto id = std::pair(key.object, key.id);
        json::object record;
        if (auto found = held.find(id); found != held.end()) {
            record = *found->second;
        } else if (auto fresh = read.find(id); fresh != read.end()) {
            record = std::move(fresh->second);
        } else {
            continue;  // out of reach
        }
        page.push_back(json::object{
            {"at", key.at}, {"object", key.object}, {"id", key.id}, {"record", std::move(record)}});
    }
    json::object timeline{{"items", std::move(page)}};
    timeline["nextCursor"] =
        entries.size() > shown ? json::value(entries[shown - 1].Encode()) : json::value(nullptr);
    return timeline;
}

// The date twelve months before `now_millis`, as YYYY-MM-DD.
std::string TwelveMonthsBefore(std::int64_t now_millis) {
    const std::string today = FormatDateTime(now_millis).substr(0, 10);
    const int year = std::stoi(today.substr(0, 4)) - 1;
    std::string month_day = today.substr(4);
    if (month_day == "-02-29") {
        month_day = "-02-28";
    }
    return std::to_string(year) + month_day;
}

// The parts of the view, each read once, in the order the answer lists them.
Result<json::object> Assemble(records::RecordReader& records, std::string_view person_id,
                              const Member360Options& options,
                              const std::optional<TimelineKey>& cursor, std::int64_t now_millis) {
    P360_ASSIGN_OR_RETURN(json::object person, records.Get("Person", person_id));
    const PartReader reader(records);
    const std::string member = "person = " + query::QuoteText(person_id);

    json::object view;
    P360_ASSIGN_OR_RETURN(auto household, Household(reader, person, member));
    view["profile"] = std::move(person);
    if (household) {
        view["household"] = std::move(*household);
    }
    // Lists sorted newest first by the date the timeline places them at, then by id, as the
    // timeline is: its first page takes what it can from them rather than reading again.
    P360_ASSIGN_OR_RETURN(auto coverages,
                          reader.List("MemberPlan", member, "-effectiveDate,-id", 20));
    const std::string since = TwelveMonthsBefore(now_millis);
    P360_ASSIGN_OR_RETURN(
        auto year_of_claims,
        reader.List("Claim", member + " and serviceFromDate >= " + since, "-serviceFromDate",
                    kMaxSummaryClaims,
                    {"serviceFromDate", "billedAmount", "paidAmount", "primaryDiagnosis"}));
    std::optional<json::array> recent_claims;
    if (year_of_claims) {
        P360_ASSIGN_OR_RETURN(recent_claims, reader.List("Claim", member, "-serviceFromDate,-id",
                                                         options.recent_items));
    }
    P360_ASSIGN_OR_RETURN(auto open_cases, reader.List("Case", member + " and status != 'closed'",
                                                       "-createdAt,-id", options.list_items));
    P360_ASSIGN_OR_RETURN(auto recent_cases,
                          reader.List("Case", member, "-createdAt,-id", options.recent_items));
    SharedParts shared{
        {"MemberPlan", {&coverages, 20, true}},
        {"Claim", {&recent_claims, options.recent_items, year_of_claims.has_value()}},
        {"Case", {&recent_cases, options.recent_items, true}},
    };
    struct ListPart {
        std::string_view key;
        std::string_view object;
        std::string_view date_field;
        int limit;
    };
    const ListPart lists[] = {
        {"interactions", "Interaction", "startedAt", options.recent_items},
        {"conditions", "Condition", "recordedDate", options.list_items},
        {"medications", "Medication", "startDate", options.list_items},
        {"consents", "Consent", "effectiveDate", options.list_items},
        {"lifeEvents", "LifeEvent", "eventDate", options.list_items},
        {"careTeam", "CareTeamMember", "startDate", options.list_items},
    };
    std::optional<json::array> parts[std::size(lists)];
    for (std::size_t part_idx = 0; part_idx < std::size(lists); ++part_idx) {
        const ListPart& list = lists[part_idx];
        P360_ASSIGN_OR_RETURN(parts[part_idx],
                              reader.List(list.object, member,
                                          "-" + std::string(list.date_field) + ",-id", list.limit));
        shared.emplace(list.object, SharedPart{&parts[part_idx], list.limit, true});
    }
    P360_ASSIGN_OR_RETURN(json::object timeline,
                          Timeline(reader, member, options.timeline_items, cursor, shared));

    if (coverages) {
        P360_TRY(AttachPlans(reader, *coverages));
    }
    PutIfVisible(view, "coverages", std::move(coverages));
    if (year_of_claims) {
        view["claims"] =
            json::object{{"summary", ClaimsSummary(*year_of_claims, since)},
                         {"recent", recent_claims ? std::move(*recent_claims) : json::array()}};
    }
    if (open_cases && recent_cases) {
        view["cases"] =
            json::object{{"open", std::move(*open_cases)}, {"recent", std::move(*recent_cases)}};
    }
    for (std::size_t part_idx = 0; part_idx < std::size(lists); ++part_idx) {
        PutIfVisible(view, lists[part_idx].key, std::move(parts[part_idx]));
    }
    view["timeline"] = std::move(timeline);
    return view;
}

}  // namespace

Result<json::object> Member360::Build(const Actor& actor, std::string_view person_id,
                                      const Member360Options& options) const {
    if (options.timeline_items < 1 || options.timeline_items > kMaxTimelineItems) {
        return Error::InvalidArgument("timelineLimit must be between 1 and 200.", "timelineLimit");
    }
    P360_ASSIGN_OR_RETURN(auto cursor, DecodeCursor(options.timeline_cursor));
    json::object view;
    // Every part on one read connection: one snapshot, one connection for some twenty reads.
    P360_TRY(records_.ReadTogether(actor, [&](records::RecordReader& records) -> Status {
        P360_ASSIGN_OR_RETURN(view,
                              Assemble(records, person_id, options, cursor, clock_.NowMillis()));
        return Ok();
    }));
    return view;
}

}  // namespace p360::member
