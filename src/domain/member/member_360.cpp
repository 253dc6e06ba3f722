#include "domain/member/member_360.hpp"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include "core/time_format.hpp"
#include "query/parser.hpp"
#include "records/record_codec.hpp"

namespace p360::member {
namespace {

using records::AppendJsonString;
using records::RecordText;
using records::SerializeJson;
using security::Actor;
using Records = std::vector<RecordText>;

bool IsDateOnly(std::string_view value) { return value.size() == 10; }

// ---- Writing the answer ---------------------------------------------------------------------
// Records arrive as the JSON text the records API answers with and go into the answer as they
// are; only the few values the view computes with are read apart (RecordText::values).

// `"key":` in an object being written, after a comma unless it is the object's first member.
void AppendKey(std::string& out, std::string_view key) {
    if (out.back() != '{') {
        out.push_back(',');
    }
    AppendJsonString(out, key);
    out.push_back(':');
}

void AppendArray(std::string& out, const Records& records) {
    out.push_back('[');
    for (std::size_t record_idx = 0; record_idx < records.size(); ++record_idx) {
        out.append(record_idx == 0 ? "" : ",").append(records[record_idx].json);
    }
    out.push_back(']');
}

std::string ArrayText(const Records& records) {
    std::string out;
    AppendArray(out, records);
    return out;
}

// `"key": [records]` in an object being written, unless the caller may not see the part.
void AppendPart(std::string& out, std::string_view key, const std::optional<Records>& part) {
    if (part) {
        AppendKey(out, key);
        AppendArray(out, *part);
    }
}

// An object of members whose values are JSON text already.
void AppendObject(std::string& out,
                  std::initializer_list<std::pair<std::string_view, std::string>> members) {
    out.push_back('{');
    for (const auto& [key, value_json] : members) {
        AppendKey(out, key);
        out.append(value_json);
    }
    out.push_back('}');
}

// Adds `"key": value_json` at the end of a record's JSON object.
void AddMember(std::string& record_json, std::string_view key, std::string_view value_json) {
    record_json.pop_back();  // the closing brace
    AppendKey(record_json, key);
    record_json.append(value_json).push_back('}');
}

// A value the view computes with: "" when null or hidden.
const std::string& Value(const RecordText& record, std::size_t index) {
    static const std::string kNone;
    return index < record.values.size() && record.values[index] ? *record.values[index] : kNone;
}

double Number(const RecordText& record, std::size_t index) {
    const std::string& text = Value(record, index);
    double number = 0;
    std::from_chars(text.data(), text.data() + text.size(), number);
    return number;
}

// Reads parts of the view as the caller, all on one read connection: a part the caller may not
// see at all is nullopt. Every record's values start with its id; `values_of` names the others.
class PartReader {
public:
    // `read_ids`, when given, collects the id of every record read and of every record a list
    // is read by: what a kept answer depends on.
    PartReader(records::RecordReader& reader, std::vector<std::string>* read_ids)
        : reader_(reader), read_ids_(read_ids) {}

    // A record the view's lists are read by (the member, the household, a plan), seen or not.
    void DependOn(std::string_view id) const {
        if (read_ids_ != nullptr) {
            read_ids_->emplace_back(id);
        }
    }

    // `fields`: only these, as far as the caller may read them; empty: every readable field.
    Result<std::optional<Records>> List(std::string_view object, std::string filter,
                                        std::string sort, int limit,
                                        std::vector<std::string_view> values_of = {},
                                        std::vector<std::string> fields = {}) const {
        query::ListRequest request;
        request.filter = std::move(filter);
        request.sort = std::move(sort);
        request.limit = std::clamp(limit, query::kMinListLimit, query::kMaxListLimit);
        request.fields = std::move(fields);
        request.skip_unreadable_fields = true;
        values_of.insert(values_of.begin(), metadata::kIdField);
        auto page = reader_.List(object, request, values_of);
        if (!page.ok()) {
            if (page.error().code == ErrorCode::kPermissionDenied) {
                return std::optional<Records>();  // hidden parts are omitted
            }
            return page.error();
        }
        for (const RecordText& record : page->records) {
            DependOn(Value(record, 0));
        }
        return std::optional<Records>(std::move(page->records));
    }

    // One record, or nullopt when it is missing or out of reach.
    Result<std::optional<RecordText>> Get(std::string_view object, std::string_view id,
                                          std::vector<std::string_view> values_of = {}) const {
        values_of.insert(values_of.begin(), metadata::kIdField);
        auto record = reader_.Get(object, id, values_of);
        if (!record.ok()) {
            const ErrorCode code = record.error().code;
            if (code == ErrorCode::kNotFound || code == ErrorCode::kPermissionDenied) {
                return std::optional<RecordText>();
            }
            return record.error();
        }
        DependOn(Value(*record, 0));
        return std::optional<RecordText>(std::move(record).value());
    }

    // The JSON of the records of `object` with these ids that the caller may see, by id: one
    // read per filter's worth of ids (and so one audit event), however many there are.
    Result<std::map<std::string, std::string>> ByIds(std::string_view object,
                                                     const std::vector<std::string>& ids) const {
        std::map<std::string, std::string> found;
        for (std::string& filter : query::InListFilters(metadata::kIdField, ids)) {
            P360_ASSIGN_OR_RETURN(auto records, List(object, std::move(filter), "",
                                                     static_cast<int>(query::kMaxInListItems)));
            if (!records) {
                break;
            }
            for (RecordText& record : *records) {
                found.emplace(Value(record, 0), std::move(record.json));
            }
        }
        return found;
    }

private:
    records::RecordReader& reader_;
    std::vector<std::string>* read_ids_;
};

// ---- Household and coverages ----------------------------------------------------------------

// Puts each household member's Person, where the caller may see it, beside the membership: all
// of them in one read. Memberships' values: id, person.
Status AttachPersons(const PartReader& reader, Records& members) {
    std::vector<std::string> person_ids;
    for (const RecordText& member : members) {
        if (!Value(member, 1).empty()) {
            person_ids.push_back(Value(member, 1));
        }
    }
    P360_ASSIGN_OR_RETURN(auto persons, reader.ByIds("Person", person_ids));
    for (RecordText& member : members) {
        if (auto person = persons.find(Value(member, 1)); person != persons.end()) {
            AddMember(member.json, "personRecord", person->second);
        }
    }
    return Ok();
}

// The household object of the view, or nullopt when the caller may see nothing of it.
Result<std::optional<std::string>> Household(const PartReader& reader,
                                             const std::string& household_id,
                                             const std::string& member_filter) {
    std::string household = "{";
    if (!household_id.empty()) {
        reader.DependOn(household_id);
        P360_ASSIGN_OR_RETURN(auto record, reader.Get("Household", household_id));
        if (record) {
            AppendKey(household, "household");
            household.append(record->json);
            P360_ASSIGN_OR_RETURN(
                auto members,
                reader.List("HouseholdMember", "household = " + query::QuoteText(household_id), "",
                            50, {"person"}));
            if (members) {
                P360_TRY(AttachPersons(reader, *members));
                AppendKey(household, "members");
                AppendArray(household, *members);
            }
        }
    }
    P360_ASSIGN_OR_RETURN(auto relationships,
                          reader.List("ContactRelationship", member_filter, "", 50));
    AppendPart(household, "relationships", relationships);
    if (household == "{") {
        return std::optional<std::string>();
    }
    household.push_back('}');
    return std::optional<std::string>(std::move(household));
}

// Puts each coverage's plan and the plan's benefits beside it. Members of one family share
// plans: each plan and its benefits are read once. Coverages' values: id, effectiveDate, plan.
Status AttachPlans(const PartReader& reader, Records& coverages) {
    std::vector<std::string> plan_ids;
    for (const RecordText& coverage : coverages) {
        const std::string& plan_id = Value(coverage, 2);
        if (!plan_id.empty() &&
            std::find(plan_ids.begin(), plan_ids.end(), plan_id) == plan_ids.end()) {
            plan_ids.push_back(plan_id);
            reader.DependOn(plan_id);
        }
    }
    P360_ASSIGN_OR_RETURN(auto plans, reader.ByIds("Plan", plan_ids));
    std::map<std::string, std::string> benefits_of;
    for (const std::string& plan_id : plan_ids) {
        P360_ASSIGN_OR_RETURN(
            auto benefits, reader.List("Benefit", "plan = " + query::QuoteText(plan_id), "", 100));
        if (benefits) {
            benefits_of[plan_id] = ArrayText(*benefits);
        }
    }
    for (RecordText& coverage : coverages) {
        const std::string& plan_id = Value(coverage, 2);
        if (auto plan = plans.find(plan_id); plan != plans.end()) {
            AddMember(coverage.json, "planRecord", plan->second);
        }
        if (auto benefits = benefits_of.find(plan_id); benefits != benefits_of.end()) {
            AddMember(coverage.json, "benefits", benefits->second);
        }
    }
    return Ok();
}

// ---- Claims summary -------------------------------------------------------------------------

// The claims of the summary carry these values, after the id.
enum ClaimValue : std::size_t { kServiceFrom = 1, kBilled, kPaid, kDiagnosis };

// One entry per calendar month from the month of `since` to the same month a year later, oldest
// first, with the claims whose service began in it (months without claims count zero).
json::array ClaimsByMonth(const Records& claims, const std::string& since, bool amounts) {
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
    for (const RecordText& claim : claims) {
        const std::string& from = Value(claim, kServiceFrom);
        auto found = from.size() >= 7 ? months.find(from.substr(0, 7)) : months.end();
        if (found == months.end()) {
            continue;
        }
        ++found->second.count;
        found->second.billed += Number(claim, kBilled);
        found->second.paid += Number(claim, kPaid);
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
json::object ClaimsSummary(const Records& claims, const std::string& since) {
    double billed = 0;
    double paid = 0;
    std::map<std::string, std::int64_t> diagnoses;
    for (const RecordText& claim : claims) {
        billed += Number(claim, kBilled);
        paid += Number(claim, kPaid);
        if (const std::string& code = Value(claim, kDiagnosis); !code.empty()) {
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
    const bool amounts_visible = !claims.empty() && claims[0].values[kBilled].has_value();
    json::object summary{{"since", since},
                         {"count", static_cast<std::int64_t>(claims.size())},
                         {"complete", claims.size() < static_cast<std::size_t>(kMaxSummaryClaims)}};
    if (amounts_visible || claims.empty()) {
        summary["billed"] = billed;
        summary["paid"] = paid;
    }
    summary["byMonth"] = ClaimsByMonth(claims, since, amounts_visible || claims.empty());
    if (!claims.empty() && claims[0].values[kDiagnosis].has_value()) {
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

// A part of the view, already read whole, that holds a timeline source's records; its values
// are the id, then the source's date.
struct SharedPart {
    const std::optional<Records>* records = nullptr;
    int limit = 0;  // the part's limit: fewer records than this and it holds all of them
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
    if (!*part.records) {
        return true;  // the caller may not see the object: no entries, as the read would find
    }
    const Records& records = **part.records;
    std::vector<TimelineKey> found;
    for (const RecordText& record : records) {
        if (!record.values[1]) {
            return false;  // the date is hidden: the read answers for it
        }
        if (!record.values[1]->empty() && found.size() <= static_cast<std::size_t>(limit)) {
            found.push_back(
                TimelineKey{*record.values[1], std::string(source.object), Value(record, 0)});
        }
    }
    const bool complete = records.size() < static_cast<std::size_t>(part.limit);
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
            auto records,
            reader.List(source.object, filter, "-" + std::string(source.field) + ",-id", limit + 1,
                        {source.field},
                        {std::string(metadata::kIdField), std::string(source.field)}));
        if (!records) {
            continue;
        }
        for (const RecordText& record : *records) {
            entries.push_back(
                TimelineKey{Value(record, 1), std::string(source.object), Value(record, 0)});
        }
    }
    std::sort(entries.begin(), entries.end());
    return entries;
}

// Two steps: each source's newest entries by date and id alone, merged into one page; then
// the whole records of just the entries on the page. Reading every source's candidates whole
// would read (and audit) eight times what the page shows. Records another part of the view
// holds already are taken from it; the rest are read, one read per object.
Result<std::string> Timeline(const PartReader& reader, const std::string& member_filter, int limit,
                             const std::optional<TimelineKey>& cursor, const SharedParts& shared) {
    P360_ASSIGN_OR_RETURN(auto entries,
                          TimelineEntries(reader, member_filter, limit, cursor, shared));
    const std::size_t shown = std::min(entries.size(), static_cast<std::size_t>(limit));
    std::map<std::pair<std::string, std::string>, const std::string*> held;
    for (const auto& [object, part] : shared) {
        if (*part.records) {
            for (const RecordText& record : **part.records) {
                held.emplace(std::pair(std::string(object), Value(record, 0)), &record.json);
            }
        }
    }
    std::map<std::string, std::vector<std::string>> missing;
    for (std::size_t entry_idx = 0; entry_idx < shown; ++entry_idx) {
        const TimelineKey& key = entries[entry_idx];
        if (!held.contains(std::pair(key.object, key.id))) {
            missing[key.object].push_back(key.id);
        }
    }
    std::map<std::pair<std::string, std::string>, std::string> read;
    for (const auto& [object, ids] : missing) {
        P360_ASSIGN_OR_RETURN(auto records, reader.ByIds(object, ids));
        for (auto& [id, json] : records) {
            read.emplace(std::pair(object, id), std::move(json));
        }
    }
    std::string timeline = "{\"items\":[";
    for (std::size_t entry_idx = 0; entry_idx < shown; ++entry_idx) {
        const TimelineKey& key = entries[entry_idx];
        const auto id = std::pair(key.object, key.id);
        const std::string* record = nullptr;
        if (auto found = held.find(id); found != held.end()) {
            record = found->second;
        } else if (auto fresh = read.find(id); fresh != read.end()) {
            record = &fresh->second;
        } else {
            continue;  // out of reach
        }
        timeline.append(timeline.back() == '[' ? "{" : ",{");
        AppendKey(timeline, "at");
        AppendJsonString(timeline, key.at);
        AppendKey(timeline, "object");
        AppendJsonString(timeline, key.object);
        AppendKey(timeline, "id");
        AppendJsonString(timeline, key.id);
        AppendKey(timeline, "record");
        timeline.append(*record).push_back('}');
    }
    timeline.append("],\"nextCursor\":");
    if (entries.size() > shown) {
        AppendJsonString(timeline, entries[shown - 1].Encode());
    } else {
        timeline.append("null");
    }
    timeline.push_back('}');
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

// The parts of the view, each read once, written in the order the answer lists them.
// `since`: the first day of the claims summary. The ids of what the view was read from go into
// `read_ids` when it is given.
Result<std::string> Assemble(records::RecordReader& records, std::string_view person_id,
                             const Member360Options& options,
                             const std::optional<TimelineKey>& cursor, const std::string& since,
                             std::vector<std::string>* read_ids) {
    const std::string_view profile_values[] = {metadata::kIdField, "household"};
    P360_ASSIGN_OR_RETURN(RecordText person, records.Get("Person", person_id, profile_values));
    const PartReader reader(records, read_ids);
    reader.DependOn(person_id);
    const std::string member = "person = " + query::QuoteText(person_id);

    P360_ASSIGN_OR_RETURN(auto household, Household(reader, Value(person, 1), member));
    // Lists sorted newest first by the date the timeline places them at, then by id, as the
    // timeline is: its first page takes what it can from them rather than reading again.
    P360_ASSIGN_OR_RETURN(auto coverages, reader.List("MemberPlan", member, "-effectiveDate,-id",
                                                      20, {"effectiveDate", "plan"}));
    const std::vector<std::string_view> summed = {"serviceFromDate", "billedAmount", "paidAmount",
                                                  "primaryDiagnosis"};
    P360_ASSIGN_OR_RETURN(auto year_of_claims,
                          reader.List("Claim", member + " and serviceFromDate >= " + since,
                                      "-serviceFromDate", kMaxSummaryClaims, summed,
                                      std::vector<std::string>(summed.begin(), summed.end())));
    std::optional<Records> recent_claims;
    if (year_of_claims) {
        P360_ASSIGN_OR_RETURN(recent_claims,
                              reader.List("Claim", member, "-serviceFromDate,-id",
                                          options.recent_items, {"serviceFromDate"}));
    }
    P360_ASSIGN_OR_RETURN(auto open_cases, reader.List("Case", member + " and status != 'closed'",
                                                       "-createdAt,-id", options.list_items));
    P360_ASSIGN_OR_RETURN(auto recent_cases, reader.List("Case", member, "-createdAt,-id",
                                                         options.recent_items, {"createdAt"}));
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
    std::optional<Records> parts[std::size(lists)];
    for (std::size_t part_idx = 0; part_idx < std::size(lists); ++part_idx) {
        const ListPart& list = lists[part_idx];
        P360_ASSIGN_OR_RETURN(
            parts[part_idx],
            reader.List(list.object, member, "-" + std::string(list.date_field) + ",-id",
                        list.limit, {list.date_field}));
        shared.emplace(list.object, SharedPart{&parts[part_idx], list.limit, true});
    }
    P360_ASSIGN_OR_RETURN(std::string timeline,
                          Timeline(reader, member, options.timeline_items, cursor, shared));
    if (coverages) {
        P360_TRY(AttachPlans(reader, *coverages));  // after the timeline took the coverages bare
    }

    std::string view = "{";
    AppendKey(view, "profile");
    view.append(person.json);
    if (household) {
        AppendKey(view, "household");
        view.append(*household);
    }
    AppendPart(view, "coverages", coverages);
    if (year_of_claims) {
        AppendKey(view, "claims");
        AppendObject(view, {{"summary", SerializeJson(ClaimsSummary(*year_of_claims, since))},
                            {"recent", ArrayText(recent_claims ? *recent_claims : Records())}});
    }
    if (open_cases && recent_cases) {
        AppendKey(view, "cases");
        AppendObject(view,
                     {{"open", ArrayText(*open_cases)}, {"recent", ArrayText(*recent_cases)}});
    }
    for (std::size_t part_idx = 0; part_idx < std::size(lists); ++part_idx) {
        AppendPart(view, lists[part_idx].key, parts[part_idx]);
    }
    AppendKey(view, "timeline");
    view.append(timeline).push_back('}');
    return view;
}

// Everything a kept answer was built for besides the member: the caller's access (role,
// permission sets, portal member), the catalog and sharing, the day (the summary's year and
// care teams' end dates move with it), and the page size. Fields are separated by a byte no id
// or name holds. An answer read through scopes of the caller's own is kept under this key with
// the user's id added (KeyOfTheUser); one read through their grants alone under this key, for
// everyone who holds the same.
std::string KeyOfTheAccess(const Actor& actor, std::string_view person_id,
                           const Member360Options& options, const records::ChangeMark& mark,
                           const std::string& since) {
    std::string key;
    // An actor without a user id reaches no records whatever their grants: never the same
    // access as a signed-in user's.
    const std::string_view signed_in = actor.user_id.empty() ? "-" : "+";
    for (std::string_view part :
         {signed_in, std::string_view(actor.role), std::string_view(actor.person_id),
          std::string_view(mark.catalog_stamp), std::string_view(mark.sharing_stamp),
          std::string_view(since), person_id}) {
        key.append(part).push_back('\x1f');
    }
    for (const std::string& set : actor.permission_sets) {
        key.append(set).push_back(',');
    }
    key.push_back('\x1f');
    return key.append(std::to_string(options.timeline_items));
}

std::string KeyOfTheUser(const std::string& key_of_the_access, const Actor& actor) {
    return key_of_the_access + "\x1f" + actor.user_id;
}

}  // namespace

Result<std::string> Member360::Build(const Actor& actor, std::string_view person_id,
                                     const Member360Options& options) const {
    if (options.timeline_items < 1 || options.timeline_items > kMaxTimelineItems) {
        return Error::InvalidArgument("timelineLimit must be between 1 and 200.", "timelineLimit");
    }
    P360_ASSIGN_OR_RETURN(auto cursor, DecodeCursor(options.timeline_cursor));
    const std::string since = TwelveMonthsBefore(clock_.NowMillis());
    if (cache_ != nullptr && !cursor) {
        return BuildOrReuse(actor, person_id, options, since);  // later pages are read anew
    }
    std::string view;
    // Every part on one read connection: one snapshot, one connection for some twenty reads.
    P360_TRY(records_.ReadTogether(actor, [&](records::RecordReader& records) -> Status {
        P360_ASSIGN_OR_RETURN(view, Assemble(records, person_id, options, cursor, since, nullptr));
        return Ok();
    }));
    return view;
}

Result<std::string> Member360::BuildOrReuse(const Actor& actor, std::string_view person_id,
                                            const Member360Options& options,
                                            const std::string& since) const {
    std::shared_ptr<const KeptAnswer> kept;
    std::string key;
    std::int64_t built_at = 0;
    std::string view;
    std::vector<security::Disclosure> disclosures;
    std::vector<std::string> read_ids;
    P360_TRY(records_.ReadTogether(actor, [&](records::RecordReader& records) -> Status {
        // What this snapshot holds decides: every change in it is applied before the lookup.
        P360_ASSIGN_OR_RETURN(const records::ChangeMark mark, records.Mark());
        P360_TRY(
            cache_->CatchUp(mark.last_change, [&records](std::int64_t after, std::size_t limit) {
                return records.ChangesAfter(after, limit);
            }));
        // Whether an answer depends on the user, beyond their access, is decided by that access
        // alone: of the two keys, answers are only ever kept under one.
        key = KeyOfTheAccess(actor, person_id, options, mark, since);
        built_at = mark.last_change;
        kept = cache_->Find(key);
        if (kept == nullptr) {
            kept = cache_->Find(KeyOfTheUser(key, actor));
        }
        if (kept) {
            return Ok();
        }
        records.CaptureDisclosures(&disclosures);
        P360_ASSIGN_OR_RETURN(
            view, Assemble(records, person_id, options, std::nullopt, since, &read_ids));
        if (records.ScopedToTheCaller()) {
            key = KeyOfTheUser(key, actor);
        }
        return Ok();
    }));
    if (kept) {
        P360_ASSIGN_OR_RETURN(std::string body, kept->Body());
        P360_ASSIGN_OR_RETURN(const auto disclosures_again, kept->Disclosures());
        records_.Disclose(actor, disclosures_again);
        return body;
    }
    cache_->Keep(key, std::make_shared<KeptAnswer>(view, disclosures), read_ids, built_at);
    return view;
}

}  // namespace p360::member
