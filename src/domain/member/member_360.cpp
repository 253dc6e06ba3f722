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

// Reads parts of the view as the caller: a part the caller may not see at all is nullopt.
class PartReader {
public:
    PartReader(records::RecordService& records, const Actor& actor)
        : records_(records), actor_(actor) {}

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
        auto page = records_.List(actor_, object, request);
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
        auto record = records_.Get(actor_, object, id);
        if (!record.ok()) {
            const ErrorCode code = record.error().code;
            if (code == ErrorCode::kNotFound || code == ErrorCode::kPermissionDenied) {
                return std::optional<json::object>();
            }
            return record.error();
        }
        return std::optional<json::object>(std::move(record).value());
    }

private:
    records::RecordService& records_;
    const Actor& actor_;
};

void PutIfVisible(json::object& view, std::string_view key, std::optional<json::array> part) {
    if (part) {
        view[key] = std::move(*part);
    }
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
                for (json::value& member : *members) {
                    json::object& entry = member.as_object();
                    P360_ASSIGN_OR_RETURN(auto relative,
                                          reader.Get("Person", Text(entry, "person")));
                    if (relative) {
                        entry["personRecord"] = std::move(*relative);
                    }
                }
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

Result<std::optional<json::array>> Coverages(const PartReader& reader,
                                             const std::string& member_filter) {
    P360_ASSIGN_OR_RETURN(auto coverages,
                          reader.List("MemberPlan", member_filter, "-effectiveDate", 20));
    if (!coverages) {
        return coverages;
    }
    std::map<std::string, std::optional<json::array>> benefits_of;
    for (json::value& coverage : *coverages) {
        json::object& entry = coverage.as_object();
        const std::string plan_id = Text(entry, "plan");
        if (plan_id.empty()) {
            continue;
        }
        P360_ASSIGN_OR_RETURN(auto plan, reader.Get("Plan", plan_id));
        if (plan) {
            entry["planRecord"] = std::move(*plan);
        }
        if (!benefits_of.contains(plan_id)) {
            P360_ASSIGN_OR_RETURN(
                benefits_of[plan_id],
                reader.List("Benefit", "plan = " + query::QuoteText(plan_id), "", 100));
        }
        if (benefits_of[plan_id]) {
            entry["benefits"] = *benefits_of[plan_id];
        }
    }
    return coverages;
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

// "id in ('a', 'b', …)" in the filter language.
std::string IdIn(const std::vector<std::string>& ids) {
    std::string filter = "id in (";
    for (std::size_t id_idx = 0; id_idx < ids.size(); ++id_idx) {
        filter += (id_idx == 0 ? "" : ", ") + query::QuoteText(ids[id_idx]);
    }
    return filter + ")";
}

// Two steps: each source's newest entries by date and id alone, merged into one page; then
// the whole records of just the entries on the page, one read per object. Reading every
// source's candidates whole would read (and audit) eight times what the page shows.
Result<json::object> Timeline(const PartReader& reader, const std::string& member_filter, int limit,
                              const std::optional<TimelineKey>& cursor) {
    std::vector<TimelineKey> entries;
    for (const TimelineSource& source : kTimelineSources) {
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
    const std::size_t shown = std::min(entries.size(), static_cast<std::size_t>(limit));
    std::map<std::string, std::vector<std::string>> ids_by_object;
    for (std::size_t entry_idx = 0; entry_idx < shown; ++entry_idx) {
        ids_by_object[entries[entry_idx].object].push_back(entries[entry_idx].id);
    }
    std::map<std::pair<std::string, std::string>, json::object> records;
    for (const auto& [object, ids] : ids_by_object) {
        P360_ASSIGN_OR_RETURN(auto items, reader.List(object, member_filter + " and " + IdIn(ids),
                                                      "", static_cast<int>(ids.size())));
        if (!items) {
            continue;
        }
        for (json::value& item : *items) {
            json::object& record = item.as_object();
            records.emplace(std::pair(object, Text(record, "id")), std::move(record));
        }
    }
    json::array page;
    for (std::size_t entry_idx = 0; entry_idx < shown; ++entry_idx) {
        const TimelineKey& key = entries[entry_idx];
        auto record = records.find(std::pair(key.object, key.id));
        if (record == records.end()) {
            continue;  // deleted between the two reads
        }
        page.push_back(json::object{{"at", key.at},
                                    {"object", key.object},
                                    {"id", key.id},
                                    {"record", std::move(record->second)}});
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

}  // namespace

Result<json::object> Member360::Build(const Actor& actor, std::string_view person_id,
                                      const Member360Options& options) const {
    if (options.timeline_items < 1 || options.timeline_items > kMaxTimelineItems) {
        return Error::InvalidArgument("timelineLimit must be between 1 and 200.", "timelineLimit");
    }
    P360_ASSIGN_OR_RETURN(auto cursor, DecodeCursor(options.timeline_cursor));
    P360_ASSIGN_OR_RETURN(json::object person, records_.Get(actor, "Person", person_id));
    const PartReader reader(records_, actor);
    const std::string member = "person = " + query::QuoteText(person_id);

    json::object view;
    P360_ASSIGN_OR_RETURN(auto household, Household(reader, person, member));
    view["profile"] = std::move(person);
    if (household) {
        view["household"] = std::move(*household);
    }
    P360_ASSIGN_OR_RETURN(auto coverages, Coverages(reader, member));
    PutIfVisible(view, "coverages", std::move(coverages));

    const std::string since = TwelveMonthsBefore(clock_.NowMillis());
    P360_ASSIGN_OR_RETURN(
        auto year_of_claims,
        reader.List("Claim", member + " and serviceFromDate >= " + since, "-serviceFromDate",
                    kMaxSummaryClaims,
                    {"serviceFromDate", "billedAmount", "paidAmount", "primaryDiagnosis"}));
    if (year_of_claims) {
        P360_ASSIGN_OR_RETURN(auto recent, reader.List("Claim", member, "-serviceFromDate,-id",
                                                       options.recent_items));
        view["claims"] = json::object{{"summary", ClaimsSummary(*year_of_claims, since)},
                                      {"recent", recent ? std::move(*recent) : json::array()}};
    }
    P360_ASSIGN_OR_RETURN(auto open_cases, reader.List("Case", member + " and status != 'closed'",
                                                       "-createdAt", options.list_items));
    P360_ASSIGN_OR_RETURN(auto recent_cases,
                          reader.List("Case", member, "-createdAt", options.recent_items));
    if (open_cases && recent_cases) {
        view["cases"] =
            json::object{{"open", std::move(*open_cases)}, {"recent", std::move(*recent_cases)}};
    }
    const std::pair<std::string_view, std::string_view> lists[] = {
        {"interactions", "Interaction|-startedAt"}, {"conditions", "Condition|-recordedDate"},
        {"medications", "Medication|-startDate"},   {"consents", "Consent|-effectiveDate"},
        {"lifeEvents", "LifeEvent|-eventDate"},     {"careTeam", "CareTeamMember|-startDate"},
    };
    for (const auto& [key, spec] : lists) {
        const auto bar = spec.find('|');
        const int limit = key == "interactions" ? options.recent_items : options.list_items;
        P360_ASSIGN_OR_RETURN(auto part, reader.List(spec.substr(0, bar), member,
                                                     std::string(spec.substr(bar + 1)), limit));
        PutIfVisible(view, key, std::move(part));
    }
    P360_ASSIGN_OR_RETURN(view["timeline"],
                          Timeline(reader, member, options.timeline_items, cursor));
    return view;
}

}  // namespace p360::member
