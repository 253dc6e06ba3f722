#include "domain/identity/identity_service.hpp"

#include <algorithm>
#include <array>
#include <boost/unordered/unordered_flat_set.hpp>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <span>

#include "core/background_pacing.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/time_format.hpp"
#include "query/parser.hpp"

namespace p360::identity {
namespace {

using security::Operation;

constexpr std::string_view kMemberIdentity = "MemberIdentity";
constexpr std::string_view kIdentityReview = "IdentityReview";
constexpr std::string_view kIdentityMerge = "IdentityMerge";
constexpr int kPageSize = 1000;
constexpr std::size_t kChangesPerTransaction = 500;
constexpr std::size_t kMaxCandidateText = 256;

// The Person fields the index reads.
const std::vector<std::string>& PersonFields() {
    static const std::vector<std::string> kFields = {
        "id",         "firstName", "lastName",    "birthDate",    "gender",
        "email",      "phone",     "mobilePhone", "addressLine1", "addressLine2",
        "city",       "state",     "postalCode",  "ssn",          "medicareBeneficiaryId",
        "medicaidId", "sourceId",  "modifiedAt"};
    return kFields;
}

// The Person fields a match candidate may carry.
constexpr std::array<std::string_view, 16> kCandidateFields = {
    "firstName",    "middleName",   "lastName", "birthDate", "gender",
    "addressLine1", "addressLine2", "city",     "state",     "postalCode",
    "phone",        "mobilePhone",  "email",    "ssn",       "medicareBeneficiaryId",
    "medicaidId"};

std::string Text(const json::object& object, std::string_view key) {
    const json::value* value = object.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

double Number(const json::object& object, std::string_view key) {
    const json::value* value = object.if_contains(key);
    return value != nullptr && value->is_number() ? value->to_number<double>() : 0.0;
}

std::string FirstOf(const json::object& object, std::string_view first, std::string_view second) {
    std::string value = Text(object, first);
    return value.empty() ? Text(object, second) : value;
}

PersonRecord ToPersonRecord(const json::object& person) {
    PersonRecord record;
    record.record_id = Text(person, "id");
    record.given_name = Text(person, "firstName");
    record.family_name = Text(person, "lastName");
    record.birth_date = Text(person, "birthDate");
    record.sex = Text(person, "gender");
    record.street = Text(person, "addressLine1");
    record.address_line2 = Text(person, "addressLine2");
    record.city = Text(person, "city");
    record.postal_code = Text(person, "postalCode");
    record.state = Text(person, "state");
    record.phone = FirstOf(person, "phone", "mobilePhone");
    record.email = Text(person, "email");
    record.national_id = Text(person, "ssn");
    record.member_id = FirstOf(person, "medicareBeneficiaryId", "medicaidId");
    return record;
}

std::string_view DecisionName(Decision decision) {
    switch (decision) {
        case Decision::kLink:
            return "link";
        case Decision::kReview:
            return "review";
        case Decision::kNoLink:
            break;
    }
    return "none";
}

double Rounded(double value, double scale) { return std::round(value * scale) / scale; }

// Per-field weights: what explains a score.
json::array EvidenceJson(const std::vector<FieldEvidence>& fields) {
    json::array evidence;
    for (const FieldEvidence& field : fields) {
        const int top = LevelCount(field.field) - 1;
        const std::string_view agreement = field.level == kMissing ? "missing"
                                           : field.level == top    ? "exact"
                                           : field.level == 0      ? "disagree"
                                                                   : "partial";
        evidence.push_back(json::object{{"field", FieldName(field.field)},
                                        {"level", field.level},
                                        {"agreement", agreement},
                                        {"weight", Rounded(field.weight, 1e4)}});
    }
    return evidence;
}

// The evidence column holds JSON text; answers carry it parsed.
void ParseEvidence(json::object& record) {
    json::value* evidence = record.if_contains("evidence");
    if (evidence == nullptr || !evidence->is_string()) {
        return;
    }
    boost::system::error_code error;
    json::value parsed = json::parse(evidence->as_string(), error);
    *evidence = error ? json::value(nullptr) : std::move(parsed);
}

std::string PairKey(std::string_view left, std::string_view right) {
    return left < right ? std::string(left) + "|" + std::string(right)
                        : std::string(right) + "|" + std::string(left);
}

std::int64_t MillisOf(std::string_view datetime) {
    // YYYY-MM-DDTHH:MM:SS[.fff]Z, as the records layer writes it; 0 when it is not that.
    if (datetime.size() < 19) {
        return 0;
    }
    const auto digits = [&](std::size_t at, std::size_t count) {
        int value = 0;
        for (std::size_t digit_idx = at; digit_idx < at + count; ++digit_idx) {
            const char c = datetime[digit_idx];
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    };
    const int year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
    const int hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
    if (year < 0 || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0) {
        return 0;
    }
    const int millis =
        datetime.size() >= 23 && datetime[19] == '.' ? std::max(0, digits(20, 3)) : 0;
    return (DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
            hour * 3600 + minute * 60 + second) *
               1000 +
           millis;
}

// ---- The reference population ----
// A small deployment has too few Persons for EM to learn m and u from. Its model is trained
// instead on a fixed synthetic population of 3,000 people, a fifth of them with a second
// record carrying the errors sources make (nicknames, typos, swapped date parts, moves), so
// the weights are sensible from the first record on. Deterministic: no seed, no clock.

constexpr std::array<std::string_view, 40> kReferenceGiven = {
    "james",   "mary",      "robert",  "patricia", "john",    "jennifer", "michael", "linda",
    "david",   "elizabeth", "william", "barbara",  "richard", "susan",    "joseph",  "jessica",
    "thomas",  "sarah",     "charles", "karen",    "daniel",  "nancy",    "matthew", "lisa",
    "anthony", "betty",     "mark",    "margaret", "donald",  "sandra",   "steven",  "ashley",
    "paul",    "emily",     "andrew",  "donna",    "joshua",  "michelle", "kenneth", "carol"};
constexpr std::array<std::string_view, 48> kReferenceFamily = {
    "smith",    "johnson",   "williams", "brown",     "jones",    "garcia",   "miller",
    "davis",    "rodriguez", "martinez", "hernandez", "lopez",    "gonzalez", "wilson",
    "anderson", "thomas",    "taylor",   "moore",     "jackson",  "martin",   "lee",
    "perez",    "thompson",  "white",    "harris",    "sanchez",  "clark",    "ramirez",
    "lewis",    "robinson",  "walker",   "young",     "allen",    "king",     "wright",
    "scott",    "torres",    "nguyen",   "hill",      "flores",   "green",    "adams",
    "nelson",   "baker",     "hall",     "rivera",    "campbell", "mitchell"};
constexpr std::array<std::string_view, 12> kReferenceStreets = {
    "main street", "oak avenue", "maple drive", "cedar lane", "pine street",   "elm road",
    "lake view",   "hill crest", "park avenue", "river road", "church street", "mill lane"};
constexpr std::array<std::string_view, 10> kReferenceCities = {
    "springfield", "riverside", "franklin", "greenville", "bristol",
    "clinton",     "fairview",  "salem",    "madison",    "georgetown"};

int Draw(int number, int salt, int bound) {
    std::uint64_t state = static_cast<std::uint64_t>(number) * 0x9E3779B97F4A7C15ull +
                          static_cast<std::uint64_t>(salt) * 0xBF58476D1CE4E5B9ull + 1;
    state ^= state >> 31;
    state *= 0x94D049BB133111EBull;
    state ^= state >> 29;
    return static_cast<int>(state % static_cast<std::uint64_t>(bound));
}

std::string TwoDigits(int value) { return (value < 10 ? "0" : "") + std::to_string(value); }

PersonRecord ReferencePerson(int number) {
    PersonRecord record;
    record.record_id = "ref" + std::to_string(number);
    record.given_name = kReferenceGiven[Draw(number, 1, kReferenceGiven.size())];
    record.family_name = kReferenceFamily[Draw(number, 2, kReferenceFamily.size())];
    record.birth_date = std::to_string(1930 + Draw(number, 3, 85)) + "-" +
                        TwoDigits(1 + Draw(number, 4, 12)) + "-" +
                        TwoDigits(1 + Draw(number, 5, 28));
    record.sex = Draw(number, 6, 2) == 0 ? "female" : "male";
    record.street = std::to_string(1 + Draw(number, 7, 2000)) + " " +
                    std::string(kReferenceStreets[Draw(number, 8, kReferenceStreets.size())]);
    const int city = Draw(number, 9, kReferenceCities.size());
    record.city = kReferenceCities[city];
    record.postal_code = std::to_string(10000 + city * 100 + Draw(number, 10, 60));
    record.state = "ny";
    if (Draw(number, 11, 3) != 0) {
        record.phone = std::to_string(2012000000LL + Draw(number, 12, 700000000));
    }
    if (Draw(number, 13, 2) == 0) {
        record.email = record.given_name + "." + std::to_string(number) + "@example.org";
    }
    if (Draw(number, 14, 4) == 0) {
        record.national_id = std::to_string(100000000 + Draw(number, 15, 800000000));
    }
    return record;
}

PersonRecord ReferenceDuplicate(PersonRecord record, int number) {
    record.record_id += "d";
    switch (Draw(number, 20, 5)) {
        case 0:  // a typo in the family name
            if (record.family_name.size() > 3) {
                std::swap(record.family_name[1], record.family_name[2]);
            }
            break;
        case 1:  // day and month swapped, contact data missing
            std::swap(record.birth_date[5], record.birth_date[8]);
            std::swap(record.birth_date[6], record.birth_date[9]);
            record.email.clear();
            record.phone.clear();
            break;
        case 2:  // moved
            record.street = "7 harbour road";
            record.postal_code = "20500";
            record.city = "bristol";
            record.phone.clear();
            break;
        case 3:  // a short given name and a year typo
            record.given_name = record.given_name.substr(0, 3);
            record.birth_date[3] = record.birth_date[3] == '9' ? '8' : '9';
            break;
        default:  // names in each other's fields
            std::swap(record.given_name, record.family_name);
            break;
    }
    return record;
}

MatchModel ReferenceModel(const IndexOptions& options) {
    MemberIndex reference(options);
    constexpr int kPeople = 3000;
    for (int number = 0; number < kPeople; ++number) {
        reference.Add(ReferencePerson(number));
        if (number % 5 == 0) {
            reference.Add(ReferenceDuplicate(ReferencePerson(number), number));
        }
    }
    reference.Train();
    return reference.model();
}

// A disjoint-set forest over dense record ids.
class DisjointSets {
public:
    explicit DisjointSets(std::size_t count) : parent_(count) {
        std::iota(parent_.begin(), parent_.end(), 0u);
    }
    std::uint32_t Find(std::uint32_t item) {
        while (parent_[item] != item) {
            parent_[item] = parent_[parent_[item]];
            item = parent_[item];
        }
        return item;
    }
    void Join(std::uint32_t left, std::uint32_t right) {
        left = Find(left);
        right = Find(right);
        if (left != right) {
            parent_[std::max(left, right)] = std::min(left, right);
        }
    }

private:
    std::vector<std::uint32_t> parent_;
};

// Every record of `object` matching `filter`, handed to `on_record` one page at a time.
Status ForEachPage(records::RecordService& records, const security::Actor& actor,
                   std::string_view object, std::string filter, std::vector<std::string> fields,
                   const std::function<Status(json::object& record)>& on_record,
                   const IdentityProgress& progress) {
    query::ListRequest request{.filter = std::move(filter),
                               .sort = "",
                               .fields = std::move(fields),
                               .limit = kPageSize,
                               .cursor = ""};
    std::uint64_t seen = 0;
    for (;;) {
        P360_ASSIGN_OR_RETURN(json::object page, records.List(actor, object, request));
        for (json::value& item : page.at("items").as_array()) {
            P360_TRY(on_record(item.as_object()));
            ++seen;
        }
        if (progress) {
            progress(std::string("read ") + std::string(object), seen);
        }
        const json::value& next = page.at("nextCursor");
        if (!next.is_string()) {
            return Ok();
        }
        request.cursor = std::string(next.as_string());
    }
}

records::RecordChange IdentityChange(const std::string& person, json::object fields) {
    return records::RecordChange{.object = std::string(kMemberIdentity),
                                 .key_field = "person",
                                 .key = person,
                                 .fields = std::move(fields)};
}

// A decision taken on an event every node follows: whichever node writes it first wins, and
// a later writer leaves it as it is rather than overwriting a steward's or another node's work.
records::RecordChange CreateOnly(records::RecordChange change) {
    change.update = false;
    return change;
}

records::RecordChange UpdateById(std::string_view object, const std::string& id,
                                 json::object fields) {
    return records::RecordChange{.object = std::string(object),
                                 .key_field = "id",
                                 .key = id,
                                 .fields = std::move(fields),
                                 .create = false};
}

}  // namespace

IdentityService::IdentityService(records::RecordService& records,
                                 records::MetadataService& metadata, storage::Database& database,
                                 const security::Authorizer& authorizer, const Clock& clock,
                                 security::Actor system, SurvivorshipPolicy policy,
                                 IdentityServiceOptions options)
    : records_(records),
      metadata_(metadata),
      database_(database),
      authorizer_(authorizer),
      clock_(clock),
      system_(std::move(system)),
      policy_(std::move(policy)),
      options_(options) {}

IdentityService::~IdentityService() { Stop(); }

std::string IdentityService::NewGoldenId() const { return NewId("gm", clock_.NowMillis()); }

std::string IdentityService::NowText() const { return FormatDateTime(clock_.NowMillis()); }

Result<std::vector<json::object>> IdentityService::ReadAll(std::string_view object,
                                                           std::string filter,
                                                           std::vector<std::string> fields,
                                                           const IdentityProgress& progress) {
    return ReadAllAs(system_, object, std::move(filter), std::move(fields), progress);
}

Result<std::vector<json::object>> IdentityService::ReadAllAs(const security::Actor& actor,
                                                             std::string_view object,
                                                             std::string filter,
                                                             std::vector<std::string> fields,
                                                             const IdentityProgress& progress) {
    std::vector<json::object> items;
    P360_TRY(ForEachPage(
        records_, actor, object, std::move(filter), std::move(fields),
        [&items](json::object& item) {
            items.push_back(std::move(item));
            return Ok();
        },
        progress));
    return items;
}

Status IdentityService::ForEachRecord(std::string_view object, std::string filter,
                                      std::vector<std::string> fields,
                                      const std::function<Status(json::object& record)>& on_record,
                                      const IdentityProgress& progress) {
    return ForEachPage(records_, system_, object, std::move(filter), std::move(fields), on_record,
                       progress);
}

Result<IdentityService::Identities> IdentityService::IdentitiesOf(
    const std::vector<std::string>& person_ids) {
    Identities identities;
    for (std::string& filter : query::InListFilters("person", person_ids)) {
        P360_ASSIGN_OR_RETURN(auto items, ReadAll(kMemberIdentity, std::move(filter),
                                                  {"id", "person", "goldenMemberId", "method"}));
        for (const json::object& item : items) {
            identities[Text(item, "person")] =
                Identity{Text(item, "id"), Text(item, "goldenMemberId"), Text(item, "method")};
        }
    }
    return identities;
}

Result<std::unordered_map<std::string, std::string>> IdentityService::ReviewStatuses(
    const std::vector<std::string>& pair_keys) {
    std::unordered_map<std::string, std::string> statuses;
    for (std::string& filter : query::InListFilters("pairKey", pair_keys)) {
        P360_ASSIGN_OR_RETURN(auto items,
                              ReadAll(kIdentityReview, std::move(filter), {"pairKey", "status"}));
        for (const json::object& item : items) {
            statuses[Text(item, "pairKey")] = Text(item, "status");
        }
    }
    return statuses;
}

void IdentityService::TrainIndex(MemberIndex& index, const IdentityProgress& progress) {
    if (index.size() >= options_.min_training_records) {
        index.Train();
    } else {
        // Computed once per process: the population is fixed.
        static const MatchModel kReference = ReferenceModel(options_.index);
        index.set_model(kReference);
    }
    if (progress) {
        progress("trained", index.size());
    }
}

Status IdentityService::Load(const IdentityProgress& progress) {
    std::int64_t cursor = 0;
    P360_TRY(database_.Read([&cursor](storage::Connection& connection) -> Status {
        P360_ASSIGN_OR_RETURN(auto row, connection.QueryOne("SELECT MAX(id) FROM sys_outbox WHERE "
                                                            "object_name = 'Person'"));
        if (row && std::holds_alternative<std::int64_t>((*row)[0])) {
            cursor = std::get<std::int64_t>((*row)[0]);
        }
        return Ok();
    }));
    // Persons go page by page straight into the index's compact form: holding a million of
    // them as JSON first would take gigabytes for the length of the load. Only the ids of
    // those without a decision are kept, to resolve them after.
    boost::unordered_flat_set<std::string> resolved;
    P360_TRY(ForEachRecord(kMemberIdentity, "", {"person"}, [&resolved](json::object& identity) {
        resolved.insert(Text(identity, "person"));
        return Ok();
    }));
    auto index = std::make_unique<MemberIndex>(options_.index);
    std::vector<std::string> unresolved;  // up to the most resolved at startup
    std::size_t unresolved_count = 0;
    P360_TRY(ForEachRecord(
        "Person", "", PersonFields(),
        [&](json::object& person) {
            PersonRecord record = ToPersonRecord(person);
            index->Add(record);
            if (!resolved.contains(record.record_id) &&
                ++unresolved_count <= options_.max_startup_resolutions) {
                unresolved.push_back(std::move(record.record_id));
            }
            return Ok();
        },
        progress));
    resolved = {};
    if (progress) {
        progress("indexed", index->size());
    }
    TrainIndex(*index, progress);
    {
        std::unique_lock lock(live_mutex_);
        live_.index = std::move(index);
    }
    {
        std::lock_guard lock(follow_mutex_);
        cursor_ = cursor;
    }
    if (unresolved_count > options_.max_startup_resolutions) {
        log::Warn("identity.unresolved",
                  {{"count", std::to_string(unresolved_count)},
                   {"detail", "run payer360 identity dedupe to resolve them in one batch"}});
        return Ok();
    }
    constexpr std::size_t kGroup = 256;
    for (std::size_t first = 0; first < unresolved.size(); first += kGroup) {
        const auto last = unresolved.begin() + std::min(first + kGroup, unresolved.size());
        P360_TRY(ResolveGroup({unresolved.begin() + first, last}, false));
    }
    return Ok();
}

std::vector<MatchCandidate> IdentityService::MatchLive(const PersonRecord& record,
                                                       std::size_t limit) const {
    std::shared_lock lock(live_mutex_);
    if (!live_.index) {
        return {};
    }
    // Older entries of changed records come back too; ask for a few more than needed.
    std::vector<MatchCandidate> found = live_.index->Match(record, limit + 8);
    std::vector<MatchCandidate> live;
    for (MatchCandidate& candidate : found) {
        if (live_.index->NewestEntry(candidate.record_id) != candidate.record ||
            candidate.record_id == record.record_id) {
            continue;
        }
        live.push_back(std::move(candidate));
        if (live.size() == limit) {
            break;
        }
    }
    return live;
}

Status IdentityService::Decide(const json::object& person, PendingDecisions& pending,
                               std::vector<records::RecordChange>& changes) {
    const PersonRecord record = ToPersonRecord(person);
    const std::vector<MatchCandidate> matches = MatchLive(record, 10);
    std::vector<std::string> ids = {record.record_id};
    for (const MatchCandidate& match : matches) {
        ids.push_back(match.record_id);
    }
    P360_ASSIGN_OR_RETURN(Identities identities, IdentitiesOf(ids));
    for (const std::string& id : ids) {
        if (const auto decided = pending.identities.find(id); decided != pending.identities.end()) {
            identities.insert_or_assign(id, decided->second);
        }
    }
    std::string golden;
    if (const auto own = identities.find(record.record_id); own != identities.end()) {
        golden = own->second.golden;
    } else {
        const auto best = std::find_if(matches.begin(), matches.end(), [&](const auto& match) {
            return match.decision == Decision::kLink && identities.contains(match.record_id);
        });
        if (best != matches.end()) {
            golden = identities.at(best->record_id).golden;
            changes.push_back(CreateOnly(IdentityChange(
                record.record_id,
                json::object{{"goldenMemberId", golden},
                             {"method", "link"},
                             {"matchedTo", best->record_id},
                             {"probability", Rounded(best->probability, 1e6)},
                             {"matchWeight", Rounded(best->match_weight, 1e4)},
                             {"evidence", json::serialize(EvidenceJson(best->fields))}})));
        } else {
            golden = NewGoldenId();
            changes.push_back(CreateOnly(IdentityChange(
                record.record_id, json::object{{"goldenMemberId", golden}, {"method", "seed"}})));
        }
        pending.identities[record.record_id] =
            Identity{"", golden, best != matches.end() ? "link" : "seed"};
    }
    // Uncertain pairs, and confident ones that would join two golden members (resolution never
    // chains members together on its own), go to a steward — once per pair.
    std::vector<const MatchCandidate*> to_review;
    std::vector<std::string> pair_keys;
    for (const MatchCandidate& match : matches) {
        const auto other = identities.find(match.record_id);
        if (match.decision == Decision::kNoLink || other == identities.end() ||
            other->second.golden == golden) {
            continue;
        }
        to_review.push_back(&match);
        pair_keys.push_back(PairKey(record.record_id, match.record_id));
    }
    P360_ASSIGN_OR_RETURN(auto seen, ReviewStatuses(pair_keys));
    for (std::size_t review_idx = 0; review_idx < to_review.size(); ++review_idx) {
        if (seen.contains(pair_keys[review_idx]) ||
            !pending.reviews.insert(pair_keys[review_idx]).second) {
            continue;
        }
        const MatchCandidate& match = *to_review[review_idx];
        changes.push_back(CreateOnly(records::RecordChange{
            .object = std::string(kIdentityReview),
            .key_field = "pairKey",
            .key = pair_keys[review_idx],
            .fields = json::object{{"person", record.record_id},
                                   {"candidate", match.record_id},
                                   {"probability", Rounded(match.probability, 1e6)},
                                   {"matchWeight", Rounded(match.match_weight, 1e4)},
                                   {"evidence", json::serialize(EvidenceJson(match.fields))},
                                   {"status", "open"}}}));
    }
    return Ok();
}

Status IdentityService::ResolveAll(const std::vector<const json::object*>& persons,
                                   bool index_first) {
    if (persons.empty()) {
        return Ok();
    }
    Status outcome = Ok();
    {
        std::lock_guard decide(decide_mutex_);
        PendingDecisions pending;
        std::vector<records::RecordChange> changes;
        for (const json::object* person : persons) {
            if (index_first) {
                const PersonRecord record = ToPersonRecord(*person);
                std::unique_lock lock(live_mutex_);
                live_.index->Add(record);
            }
            outcome = Decide(*person, pending, changes);
            if (!outcome.ok()) {
                break;
            }
        }
        if (outcome.ok() && !changes.empty()) {
            auto written = records_.ApplyChanges(system_, changes);
            outcome = written.ok() ? Ok() : Status(written.error());
        }
    }
    if (outcome.ok() || outcome.error().code == ErrorCode::kUnavailable) {
        return outcome;
    }
    if (persons.size() == 1) {
        log::Error("identity.resolve_failed", {{"person", Text(*persons[0], "id")},
                                               {"code", ErrorCodeName(outcome.error().code)}});
        return Ok();
    }
    for (const json::object* person : persons) {
        P360_TRY(ResolveAll({person}, false));
    }
    return Ok();
}

Status IdentityService::ResolveGroup(const std::vector<std::string>& person_ids, bool index_first) {
    std::unordered_map<std::string, json::object> found;
    for (std::string& filter : query::InListFilters(metadata::kIdField, person_ids)) {
        P360_ASSIGN_OR_RETURN(auto people, ReadAll("Person", std::move(filter), PersonFields()));
        for (json::object& person : people) {
            std::string id = Text(person, "id");
            found.emplace(std::move(id), std::move(person));
        }
    }
    std::vector<const json::object*> present;
    for (const std::string& id : person_ids) {
        if (const auto person = found.find(id); person != found.end()) {
            present.push_back(&person->second);
        } else if (index_first) {
            std::unique_lock lock(live_mutex_);
            live_.index->Forget(id);  // deleted: its entries are ignored from now on
        }
    }
    return ResolveAll(present, index_first);
}

Status IdentityService::FollowOnce(bool& more, BackgroundPacer* pacer) {
    more = false;
    {
        std::shared_lock lock(live_mutex_);
        if (!live_.index) {
            return Ok();
        }
    }
    // The cursor walks every event, not only Person ones: filtering on object_name in SQL
    // would rescan all later events of other objects (a claims load, say) on every call.
    constexpr std::int64_t kBatch = 2000;
    std::vector<std::pair<std::int64_t, std::string>> events;  // Person ids, null for others
    std::int64_t scanned = 0;
    P360_TRY(database_.Read([&](storage::Connection& connection) -> Status {
        const storage::Value params[] = {cursor_, kBatch};
        return connection.ForEachRow(
            "SELECT id, object_name, record_id FROM sys_outbox WHERE id > ? ORDER BY id LIMIT ?",
            params, [&](const storage::Row& row) {
                ++scanned;
                const bool person = std::get<std::string>(row[1]) == "Person";
                events.emplace_back(std::get<std::int64_t>(row[0]),
                                    person ? std::get<std::string>(row[2]) : std::string());
                return true;
            });
    }));
    more = scanned == kBatch;
    // Persons are resolved in groups whose decisions are written in one transaction: a commit
    // per person would make a large load wait on the disk once for every person in it. Paced
    // groups are small, so that each one is a short unit of work to rest after.
    const std::size_t group_size = pacer != nullptr ? 32 : 256;
    std::set<std::string> done;
    for (std::size_t next = 0; next < events.size();) {
        if (stop_requested_ || (pacer != nullptr && callers_waiting_ > 0)) {
            more = false;
            return Ok();  // the cursor stays after the last group handled
        }
        std::vector<std::string> group;
        for (; next < events.size() && group.size() < group_size; ++next) {
            const std::string& person_id = events[next].second;
            if (!person_id.empty() && done.insert(person_id).second) {
                group.push_back(person_id);
            }
        }
        if (!group.empty()) {
            P360_TRY(ResolveGroup(group, true));
        }
        cursor_ = events[next - 1].first;
        if (pacer != nullptr && !group.empty()) {
            pacer->Pace();
        }
    }
    return Ok();
}

Status IdentityService::CatchUp() {
    ++callers_waiting_;
    std::unique_lock lock(follow_mutex_);
    --callers_waiting_;
    for (bool more = true; more;) {
        P360_TRY(FollowOnce(more, nullptr));
    }
    return Ok();
}

Status IdentityService::CatchUpInBackground() {
    // After a bulk load of Persons there are minutes of matching to do: while requests are in
    // flight the follower keeps to a tenth of a core (plus the writes it asks for), and takes
    // the rest of the machine when they are done.
    constexpr double kShareWhileServing = 0.1;
    BackgroundPacer pacer(kShareWhileServing, std::chrono::milliseconds(50), clock_);
    std::lock_guard lock(follow_mutex_);
    for (bool more = true; more;) {
        P360_TRY(FollowOnce(more, &pacer));
    }
    return Ok();
}

void IdentityService::FollowLoop(std::chrono::milliseconds interval) {
    std::unique_lock lock(stop_mutex_);
    while (!stopping_) {
        lock.unlock();
        if (Status status = CatchUpInBackground(); !status.ok()) {
            log::Warn("identity.follow_failed", {{"error", status.error().public_message}});
        }
        lock.lock();
        stop_wake_.wait_for(lock, interval, [this] { return stopping_; });
    }
}

void IdentityService::StartFollowing(std::chrono::milliseconds interval) {
    follower_ = std::thread([this, interval] { FollowLoop(interval); });
}

void IdentityService::Stop() {
    stop_requested_ = true;
    {
        std::lock_guard lock(stop_mutex_);
        stopping_ = true;
    }
    stop_wake_.notify_all();
    if (follower_.joinable()) {
        follower_.join();
    }
}

Result<json::object> IdentityService::Match(const security::Actor& actor,
                                            const json::value& candidate, std::size_t limit) {
    const metadata::CatalogSnapshot catalog = metadata_.Current();
    const metadata::ObjectDef* person = catalog->FindObject("Person");
    P360_TRY(authorizer_.CheckObject(actor, *person, Operation::kRead));
    if (!candidate.is_object()) {
        return Error::InvalidArgument("The body must be a JSON object of Person fields.", "body");
    }
    std::vector<FieldError> errors;
    json::object fields;
    bool identifying = false;
    for (const auto& [key, value] : candidate.as_object()) {
        const std::string name(key);
        if (std::find(kCandidateFields.begin(), kCandidateFields.end(), key) ==
            kCandidateFields.end()) {
            errors.push_back({name, "Not a field matching uses.", {}});
            continue;
        }
        if (value.is_null()) {
            continue;
        }
        if (!value.is_string()) {
            errors.push_back({name, "Expected text.", {}});
            continue;
        }
        const std::string text(value.as_string());
        if (text.size() > kMaxCandidateText) {
            errors.push_back({name, "At most 256 characters.", {}});
            continue;
        }
        if (!authorizer_.CanReadField(actor, *person, *person->FindField(name))) {
            return Error{.code = ErrorCode::kPermissionDenied,
                         .public_message = "Your role may not read this Person field.",
                         .location = name};
        }
        if (name == "birthDate" && !text.empty()) {
            const auto date = NormalizeDate(text);
            if (!date) {
                errors.push_back({name, "Expected a date as YYYY-MM-DD.", {}});
                continue;
            }
            fields[name] = *date;
        } else {
            fields[name] = text;
        }
        identifying = identifying || (!text.empty() && name != "gender" && name != "state");
    }
    if (!errors.empty()) {
        return Error::Validation(std::move(errors));
    }
    if (!identifying) {
        return Error::InvalidArgument("Give at least a name, a birth date or an identifier.",
                                      "body");
    }
    P360_TRY(CatchUp());
    const std::vector<MatchCandidate> matches = MatchLive(ToPersonRecord(fields), limit);
    std::vector<std::string> ids;
    for (const MatchCandidate& match : matches) {
        ids.push_back(match.record_id);
    }
    P360_ASSIGN_OR_RETURN(Identities identities, IdentitiesOf(ids));
    // Minimum necessary: the candidates' names and birth date, as far as the caller may read
    // them, through the records layer (record scope and access audit apply).
    std::vector<std::string> shown = {"id"};
    for (const char* name : {"firstName", "lastName", "birthDate"}) {
        if (authorizer_.CanReadField(actor, *person, *person->FindField(name))) {
            shown.emplace_back(name);
        }
    }
    // One read for all candidates; those out of the caller's reach (or deleted since) are
    // simply not among the answers.
    std::unordered_map<std::string, json::object> people;
    for (std::string& filter : query::InListFilters("id", ids)) {
        P360_ASSIGN_OR_RETURN(auto readable, ReadAllAs(actor, "Person", std::move(filter), shown));
        for (json::object& item : readable) {
            people.emplace(Text(item, "id"), std::move(item));
        }
    }
    json::array candidates;
    for (const MatchCandidate& match : matches) {
        const auto record = people.find(match.record_id);
        if (record == people.end()) {
            continue;
        }
        const auto identity = identities.find(match.record_id);
        candidates.push_back(json::object{
            {"personId", match.record_id},
            {"goldenMemberId", identity == identities.end() ? json::value(nullptr)
                                                            : json::value(identity->second.golden)},
            {"score", Rounded(match.match_weight, 1e4)},
            {"probability", Rounded(match.probability, 1e6)},
            {"decision", DecisionName(match.decision)},
            {"identityContradicted", match.contradicted},
            {"fields", EvidenceJson(match.fields)},
            {"person", std::move(record->second)}});
    }
    const Thresholds& thresholds = options_.index.thresholds;
    return json::object{{"candidates", std::move(candidates)},
                        {"thresholds", json::object{{"link", thresholds.link_probability},
                                                    {"review", thresholds.review_probability}}}};
}

Result<json::object> IdentityService::IdentityOf(const security::Actor& actor,
                                                 std::string_view person_id) {
    P360_TRY(records_.Get(actor, "Person", person_id, {"id"}));
    P360_TRY(CatchUp());
    // Whoever may read the Person learns its golden member; how it was decided (the records
    // matched, the evidence) is for those who may read MemberIdentity, read as them.
    const std::string filter = "person = " + query::QuoteText(person_id);
    const metadata::CatalogSnapshot catalog = metadata_.Current();
    const bool sees_decision =
        authorizer_.CheckObject(actor, *catalog->FindObject(kMemberIdentity), Operation::kRead)
            .ok();
    P360_ASSIGN_OR_RETURN(
        auto items, sees_decision
                        ? ReadAllAs(actor, kMemberIdentity, filter,
                                    {"id", "goldenMemberId", "method", "matchedTo", "probability",
                                     "matchWeight", "evidence", "modifiedAt"})
                        : ReadAll(kMemberIdentity, filter, {"goldenMemberId"}));
    json::object answer{{"personId", person_id}, {"goldenMemberId", nullptr}};
    if (!items.empty()) {
        json::object& identity = items.front();
        ParseEvidence(identity);
        for (auto& [key, value] : identity) {
            if (sees_decision || key == "goldenMemberId") {
                answer[key == "id" ? std::string("identityId") : std::string(key)] =
                    std::move(value);
            }
        }
    }
    return answer;
}

Result<json::object> IdentityService::GoldenMember(const security::Actor& actor,
                                                   std::string_view golden_member_id) {
    const metadata::CatalogSnapshot catalog = metadata_.Current();
    P360_TRY(authorizer_.CheckObject(actor, *catalog->FindObject("Person"), Operation::kRead));
    P360_TRY(CatchUp());
    P360_ASSIGN_OR_RETURN(
        auto links,
        ReadAll(kMemberIdentity, "goldenMemberId = " + query::QuoteText(golden_member_id),
                {"person", "method"}));
    std::vector<SourceRecord> sources;
    json::array source_list;
    json::array identifiers;
    for (const json::object& link : links) {
        const std::string person_id = Text(link, "person");
        auto person = records_.Get(actor, "Person", person_id);
        if (!person.ok()) {
            if (person.error().code == ErrorCode::kNotFound) {
                continue;
            }
            return person.error();
        }
        SourceRecord source;
        source.record_id = person_id;
        const std::string source_id = Text(*person, "sourceId");
        const SourceTrust& trust = policy_.SourceOf(source_id);
        source.source = trust.name;
        source.trust_rank = trust.trust;
        source.updated_at_ms = MillisOf(Text(*person, "modifiedAt"));
        for (const auto& [key, value] : *person) {
            if (value.is_string()) {
                source.fields[std::string(key)] = std::string(value.as_string());
            }
        }
        identifiers.push_back(
            json::object{{"type", "personId"}, {"value", person_id}, {"personId", person_id}});
        for (const char* type : {"sourceId", "medicareBeneficiaryId", "medicaidId"}) {
            if (std::string value = Text(*person, type); !value.empty()) {
                identifiers.push_back(
                    json::object{{"type", type}, {"value", value}, {"personId", person_id}});
            }
        }
        source_list.push_back(json::object{
            {"personId", person_id},
            {"sourceId", source_id.empty() ? json::value(nullptr) : json::value(source_id)},
            {"source", trust.name},
            {"method", Text(link, "method")}});
        sources.push_back(std::move(source));
    }
    if (sources.empty()) {
        return Error::NotFound("No golden member with this id.");
    }
    const GoldenRecord golden = BuildGoldenRecord(sources, policy_.rules());
    json::object fields;
    for (const auto& [name, value] : golden.fields) {
        const std::string_view rule = value.rule == SurvivorshipRule::kMostRecent ? "mostRecent"
                                      : value.rule == SurvivorshipRule::kMostFrequent
                                          ? "mostFrequent"
                                          : "mostTrustedSource";
        fields[name] = json::object{{"value", value.value},
                                    {"personId", value.record_id},
                                    {"source", value.source},
                                    {"rule", rule}};
    }
    return json::object{{"goldenMemberId", golden_member_id},
                        {"fields", std::move(fields)},
                        {"identifiers", std::move(identifiers)},
                        {"sources", std::move(source_list)}};
}

Result<json::object> IdentityService::ListReviews(const security::Actor& actor,
                                                  std::string_view cursor, int limit) {
    P360_TRY(CatchUp());
    query::ListRequest request{.filter = "status = 'open'",
                               .sort = "-probability",
                               .fields = {},
                               .limit = limit,
                               .cursor = std::string(cursor)};
    P360_ASSIGN_OR_RETURN(json::object page, records_.List(actor, kIdentityReview, request));
    for (json::value& item : page.at("items").as_array()) {
        ParseEvidence(item.as_object());
    }
    return page;
}

Result<json::object> IdentityService::DecideReview(const security::Actor& actor,
                                                   std::string_view review_id,
                                                   ReviewDecision decision) {
    const metadata::CatalogSnapshot catalog = metadata_.Current();
    P360_TRY(
        authorizer_.CheckObject(actor, *catalog->FindObject(kIdentityReview), Operation::kUpdate));
    P360_TRY(CatchUp());
    std::lock_guard decide(decide_mutex_);
    P360_ASSIGN_OR_RETURN(json::object review, records_.Get(actor, kIdentityReview, review_id));
    if (Text(review, "status") != "open") {
        return Error::Conflict("This review item was decided already.", "status");
    }
    const std::string id(review_id);
    const bool accept = decision == ReviewDecision::kAccept;
    std::vector<records::RecordChange> changes = {
        UpdateById(kIdentityReview, id,
                   json::object{{"status", accept ? "accepted" : "rejected"},
                                {"decidedBy", actor.user_id},
                                {"decidedAt", NowText()}})};
    const std::string person = Text(review, "person");
    const std::string candidate = Text(review, "candidate");
    std::string golden;
    if (accept) {
        P360_ASSIGN_OR_RETURN(Identities identities, IdentitiesOf({person, candidate}));
        const auto kept = identities.find(candidate);
        golden = kept != identities.end() ? kept->second.golden : NewGoldenId();
        if (kept == identities.end()) {
            changes.push_back(IdentityChange(
                candidate, json::object{{"goldenMemberId", golden}, {"method", "seed"}}));
        }
        // Every source record of the person's golden member joins the candidate's.
        std::vector<std::string> moving = {person};
        if (const auto dropped = identities.find(person); dropped != identities.end()) {
            P360_ASSIGN_OR_RETURN(
                auto members,
                ReadAll(kMemberIdentity,
                        "goldenMemberId = " + query::QuoteText(dropped->second.golden),
                        {"person"}));
            for (const json::object& member : members) {
                if (Text(member, "person") != person) {
                    moving.push_back(Text(member, "person"));
                }
            }
        }
        for (const std::string& member : moving) {
            json::object fields{{"goldenMemberId", golden}, {"method", "review"}};
            if (member == person) {
                fields["matchedTo"] = candidate;
                fields["probability"] = Number(review, "probability");
                fields["matchWeight"] = Number(review, "matchWeight");
                fields["evidence"] = Text(review, "evidence");
            }
            changes.push_back(IdentityChange(member, std::move(fields)));
        }
    }
    security::Actor system = system_;
    system.request_id = actor.request_id;
    P360_TRY(records_.ApplyChanges(system, changes));
    P360_ASSIGN_OR_RETURN(json::object decided, records_.Get(actor, kIdentityReview, review_id));
    ParseEvidence(decided);
    if (accept) {
        decided["goldenMemberId"] = golden;
    }
    return decided;
}

Result<json::object> IdentityService::Merge(const security::Actor& actor, std::string_view survivor,
                                            std::string_view merged) {
    const metadata::CatalogSnapshot catalog = metadata_.Current();
    P360_TRY(
        authorizer_.CheckObject(actor, *catalog->FindObject(kIdentityMerge), Operation::kCreate));
    if (survivor.empty()) {
        return Error::InvalidArgument("Name the surviving Person.", "survivor");
    }
    if (merged.empty() || merged == survivor) {
        return Error::InvalidArgument("Name another Person to merge into the survivor.", "merged");
    }
    P360_TRY(records_.Get(actor, "Person", survivor, {"id"}));
    P360_TRY(records_.Get(actor, "Person", merged, {"id"}));
    P360_TRY(CatchUp());
    std::lock_guard decide(decide_mutex_);
    const std::string survivor_id(survivor);
    const std::string merged_id(merged);
    // Every reference to the merged Person, in every object (custom ones included) except the
    // identity objects, which describe the Persons themselves.
    std::vector<records::RecordChange> changes;
    json::array moved;
    for (const metadata::ObjectDef& object : catalog->objects()) {
        if (object.name == kMemberIdentity || object.name == kIdentityReview ||
            object.name == kIdentityMerge) {
            continue;
        }
        for (const metadata::FieldDef& field : object.fields) {
            if (field.type != metadata::FieldType::kReference || field.reference_to != "Person") {
                continue;
            }
            P360_ASSIGN_OR_RETURN(
                auto related,
                ReadAll(object.name, field.name + " = " + query::QuoteText(merged), {"id"}));
            for (const json::object& record : related) {
                const std::string id = Text(record, "id");
                moved.push_back(
                    json::object{{"object", object.name}, {"id", id}, {"field", field.name}});
                changes.push_back(
                    UpdateById(object.name, id, json::object{{field.name, survivor}}));
            }
        }
    }
    std::string moved_text = json::serialize(moved);
    if (moved_text.size() > 100'000) {
        return Error::TooLarge("Too many related records to merge in one step.");
    }
    P360_ASSIGN_OR_RETURN(Identities identities, IdentitiesOf({survivor_id, merged_id}));
    std::string golden;
    if (const auto kept = identities.find(survivor_id); kept != identities.end()) {
        golden = kept->second.golden;
    } else {
        golden = NewGoldenId();
        changes.push_back(IdentityChange(
            survivor_id, json::object{{"goldenMemberId", golden}, {"method", "seed"}}));
    }
    const auto before = identities.find(merged_id);
    changes.push_back(IdentityChange(
        merged_id,
        json::object{{"goldenMemberId", golden}, {"method", "merge"}, {"matchedTo", survivor}}));
    changes.push_back(records::RecordChange{
        .object = std::string(kIdentityMerge),
        .key_field = "id",
        .key = NewId("idm", clock_.NowMillis()),
        .fields = json::object{{"survivor", survivor},
                               {"merged", merged},
                               {"previousGoldenMemberId", before == identities.end()
                                                              ? json::value(nullptr)
                                                              : json::value(before->second.golden)},
                               {"moved", std::move(moved_text)},
                               {"status", "merged"},
                               {"mergedBy", actor.user_id}}});
    security::Actor system = system_;
    system.request_id = actor.request_id;
    P360_ASSIGN_OR_RETURN(auto outcome, records_.ApplyChanges(system, changes));
    return json::object{
        {"id", outcome.changes.back().id}, {"survivor", survivor}, {"merged", merged},
        {"goldenMemberId", golden},        {"status", "merged"},   {"moved", std::move(moved)}};
}

Result<json::object> IdentityService::Unmerge(const security::Actor& actor,
                                              std::string_view merge_id) {
    const metadata::CatalogSnapshot catalog = metadata_.Current();
    P360_TRY(
        authorizer_.CheckObject(actor, *catalog->FindObject(kIdentityMerge), Operation::kUpdate));
    P360_TRY(CatchUp());
    std::lock_guard decide(decide_mutex_);
    P360_ASSIGN_OR_RETURN(json::object merge, records_.Get(actor, kIdentityMerge, merge_id));
    if (Text(merge, "status") != "merged") {
        return Error::Conflict("This merge was undone already.", "status");
    }
    const std::string survivor = Text(merge, "survivor");
    const std::string merged = Text(merge, "merged");
    boost::system::error_code parse_error;
    const json::value moved = json::parse(Text(merge, "moved"), parse_error);
    if (parse_error || !moved.is_array()) {
        return Error::Internal("The merge's list of moved records is unreadable.");
    }
    std::vector<records::RecordChange> changes;
    json::array restored;
    json::array missing;
    json::array changed_since;
    for (const json::value& entry : moved.as_array()) {
        const json::object& item = entry.as_object();
        const std::string object = Text(item, "object");
        const std::string id = Text(item, "id");
        const std::string field = Text(item, "field");
        auto current = records_.Get(system_, object, id, {"id", field});
        if (!current.ok()) {
            if (current.error().code != ErrorCode::kNotFound) {
                return current.error();
            }
            missing.push_back(item);  // deleted since the merge: nothing to put back
            continue;
        }
        if (Text(*current, field) != survivor) {
            // Someone pointed it elsewhere after the merge: their edit stands.
            changed_since.push_back(item);
            continue;
        }
        changes.push_back(UpdateById(object, id, json::object{{field, merged}}));
        restored.push_back(item);
    }
    std::string golden = Text(merge, "previousGoldenMemberId");
    if (golden.empty()) {
        golden = NewGoldenId();
    }
    changes.push_back(IdentityChange(
        merged,
        json::object{{"goldenMemberId", golden}, {"method", "unmerge"}, {"matchedTo", nullptr}}));
    const std::string now = NowText();
    changes.push_back(records::RecordChange{.object = std::string(kIdentityReview),
                                            .key_field = "pairKey",
                                            .key = PairKey(survivor, merged),
                                            .fields = json::object{{"person", merged},
                                                                   {"candidate", survivor},
                                                                   {"status", "rejected"},
                                                                   {"decidedBy", actor.user_id},
                                                                   {"decidedAt", now}}});
    changes.push_back(UpdateById(
        kIdentityMerge, std::string(merge_id),
        json::object{{"status", "unmerged"}, {"unmergedBy", actor.user_id}, {"unmergedAt", now}}));
    security::Actor system = system_;
    system.request_id = actor.request_id;
    P360_TRY(records_.ApplyChanges(system, changes));
    return json::object{{"id", merge_id},
                        {"survivor", survivor},
                        {"merged", merged},
                        {"goldenMemberId", golden},
                        {"status", "unmerged"},
                        {"restored", std::move(restored)},
                        {"missing", std::move(missing)},
                        {"changedSince", std::move(changed_since)}};
}

namespace {

constexpr std::uint32_t kNoGolden = std::numeric_limits<std::uint32_t>::max();

// The golden member ids of one dedupe run, each held once and named by a dense number, so a
// million records carry four bytes each rather than a string.
class GoldenIds {
public:
    std::uint32_t Intern(std::string id) {
        const auto [found, inserted] =
            numbers_.try_emplace(std::move(id), static_cast<std::uint32_t>(ids_.size()));
        if (inserted) {
            ids_.push_back(&found->first);
        }
        return found->second;
    }
    const std::string& operator[](std::uint32_t number) const { return *ids_[number]; }
    std::size_t size() const { return ids_.size(); }

private:
    std::unordered_map<std::string, std::uint32_t> numbers_;
    std::vector<const std::string*> ids_;  // the keys of numbers_, which never move
};

// What the stored MemberIdentity records say of each indexed record.
struct StoredIdentities {
    std::vector<std::uint32_t> golden;  // per record; kNoGolden when it has none yet
    std::vector<bool> decided;          // linked by a steward (an accepted review, a merge)
};

// Records grouped by cluster, clusters in the order of their smallest record.
struct ClusterMembers {
    std::vector<std::uint32_t> offsets;  // cluster c is members[offsets[c], offsets[c + 1])
    std::vector<std::uint32_t> members;

    std::size_t size() const { return offsets.size() - 1; }
    std::span<const std::uint32_t> Of(std::size_t cluster) const {
        return std::span(members).subspan(offsets[cluster],
                                          offsets[cluster + 1] - offsets[cluster]);
    }
};

// The engine's clusters, joined where a steward decided two records are one person: those
// links stand whatever the scores say.
ClusterMembers GroupClusters(const std::vector<std::uint32_t>& cluster_of,
                             const StoredIdentities& stored, std::size_t golden_count) {
    const std::size_t count = cluster_of.size();
    DisjointSets sets(count);
    for (std::uint32_t record = 0; record < count; ++record) {
        sets.Join(record, cluster_of[record]);
    }
    std::vector<std::uint32_t> first_decided(golden_count, kNoGolden);
    for (std::uint32_t record = 0; record < count; ++record) {
        if (stored.decided[record]) {
            std::uint32_t& first = first_decided[stored.golden[record]];
            if (first == kNoGolden) {
                first = record;
            } else {
                sets.Join(first, record);
            }
        }
    }
    // A set's root is its smallest record, so records in order meet each cluster at its root
    // first: numbering clusters there keeps them in the order of their smallest record.
    std::vector<std::uint32_t> cluster(count);
    std::uint32_t clusters = 0;
    for (std::uint32_t record = 0; record < count; ++record) {
        const std::uint32_t root = sets.Find(record);
        cluster[record] = root == record ? clusters++ : cluster[root];
    }
    ClusterMembers grouped;
    grouped.offsets.assign(clusters + 1, 0);
    for (const std::uint32_t number : cluster) {
        ++grouped.offsets[number + 1];
    }
    std::partial_sum(grouped.offsets.begin(), grouped.offsets.end(), grouped.offsets.begin());
    std::vector<std::uint32_t> next(grouped.offsets.begin(), grouped.offsets.end() - 1);
    grouped.members.resize(count);
    for (std::uint32_t record = 0; record < count; ++record) {
        grouped.members[next[cluster[record]]++] = record;
    }
    return grouped;
}

// The stored golden id most records of `records` have (ties: the smallest id) that no earlier
// cluster took; kNoGolden when there is none.
std::uint32_t MajorityGolden(std::span<const std::uint32_t> records, const StoredIdentities& stored,
                             const GoldenIds& goldens, const std::vector<bool>& taken) {
    std::vector<std::pair<std::uint32_t, int>> votes;
    for (const std::uint32_t record : records) {
        const std::uint32_t golden = stored.golden[record];
        if (golden == kNoGolden || taken[golden]) {
            continue;
        }
        const auto found = std::find_if(votes.begin(), votes.end(), [golden](const auto& vote) {
            return vote.first == golden;
        });
        if (found == votes.end()) {
            votes.emplace_back(golden, 1);
        } else {
            ++found->second;
        }
    }
    std::uint32_t best = kNoGolden;
    int best_votes = 0;
    for (const auto& [golden, count] : votes) {
        if (count > best_votes || (count == best_votes && goldens[golden] < goldens[best])) {
            best = golden;
            best_votes = count;
        }
    }
    return best;
}

// Each cluster keeps the golden id most of its records had, so golden ids survive re-runs;
// each id goes to one cluster at most, and a cluster without one gets a new id.
std::vector<std::uint32_t> AssignGoldenIds(const ClusterMembers& clusters,
                                           const StoredIdentities& stored, GoldenIds& goldens,
                                           const std::function<std::string()>& new_id) {
    std::vector<std::uint32_t> golden_of(stored.golden.size(), kNoGolden);
    std::vector<bool> taken(goldens.size(), false);  // new ids are unique by construction
    for (std::size_t cluster = 0; cluster < clusters.size(); ++cluster) {
        const auto records = clusters.Of(cluster);
        std::uint32_t golden = MajorityGolden(records, stored, goldens, taken);
        if (golden == kNoGolden) {
            golden = goldens.Intern(new_id());
        } else {
            taken[golden] = true;
        }
        for (const std::uint32_t record : records) {
            golden_of[record] = golden;
        }
    }
    return golden_of;
}

void AppendLine(std::string& ndjson, const json::object& fields) {
    ndjson.append(json::serialize(fields)).push_back('\n');
}

}  // namespace

Status IdentityService::WriteBulk(std::string_view object, std::string_view key_field,
                                  std::string& lines) {
    if (lines.empty()) {
        return Ok();
    }
    P360_ASSIGN_OR_RETURN(
        records::BulkOutcome outcome,
        records_.BulkUpsert(system_, object, lines, key_field, records::BulkMode::kAtomic));
    lines.clear();
    if (outcome.applied) {
        return Ok();
    }
    // Only a defect makes a decision invalid: say which and why.
    for (const json::value& result : outcome.body.at("results").as_array()) {
        if (const json::value* errors = result.as_object().if_contains("errors")) {
            return Error::Internal("A " + std::string(object) +
                                   " record was refused: " + json::serialize(*errors));
        }
    }
    return Error::Internal("The " + std::string(object) + " batch was rolled back.");
}

// Everything one dedupe run holds, compact: per record a few integers, the person id once (in
// the index) and the external id for the report.
struct IdentityService::DedupeRun {
    std::unique_ptr<MemberIndex> index;
    std::vector<std::string> source_ids;  // per record
    GoldenIds goldens;
    StoredIdentities stored;
    std::vector<std::uint32_t> golden_of;  // per record, the golden member decided
    DedupeReport report;
};

Result<DedupeReport> IdentityService::Dedupe(const DedupeLineSink& on_line,
                                             const IdentityProgress& progress) {
    std::lock_guard decide(decide_mutex_);
    const IdentityProgress report_progress = [&progress](std::string_view stage,
                                                         std::uint64_t done) {
        if (progress) {
            progress(stage, done);
        }
    };
    DedupeRun run;
    P360_TRY(IndexEveryPerson(run, report_progress));
    const DedupeResult result = run.index->Dedupe();
    report_progress("compared pairs", result.compared_pairs);
    P360_TRY(ReadStoredIdentities(run, report_progress));
    const ClusterMembers clusters =
        GroupClusters(result.cluster_of, run.stored, run.goldens.size());
    run.golden_of =
        AssignGoldenIds(clusters, run.stored, run.goldens, [this] { return NewGoldenId(); });
    run.report.golden_members = clusters.size();
    report_progress("clustered", clusters.size());
    P360_TRY(WriteIdentities(run, on_line, report_progress));
    P360_TRY(WriteReviews(run, result.review, report_progress));
    std::unique_lock lock(live_mutex_);
    live_.index = std::move(run.index);
    return run.report;
}

Status IdentityService::IndexEveryPerson(DedupeRun& run, const IdentityProgress& progress) {
    // Persons go straight into the index's compact form; of their JSON only the external id
    // is kept, for the report.
    run.index = std::make_unique<MemberIndex>(options_.index);
    P360_TRY(ForEachRecord(
        "Person", "", PersonFields(),
        [&run](json::object& person) {
            run.index->Add(ToPersonRecord(person));
            run.source_ids.push_back(Text(person, "sourceId"));
            return Ok();
        },
        progress));
    progress("indexed", run.index->size());
    TrainIndex(*run.index, progress);
    run.report.people = run.index->size();
    return Ok();
}

Status IdentityService::ReadStoredIdentities(DedupeRun& run, const IdentityProgress& progress) {
    const std::size_t count = run.index->size();
    run.stored.golden.assign(count, kNoGolden);
    run.stored.decided.assign(count, false);
    return ForEachRecord(
        kMemberIdentity, "", {"person", "goldenMemberId", "method"},
        [&run](json::object& identity) {
            // A Person written after the index was read has no record: the follower owns it.
            const auto record = run.index->NewestEntry(Text(identity, "person"));
            if (record) {
                const std::string method = Text(identity, "method");
                run.stored.golden[*record] = run.goldens.Intern(Text(identity, "goldenMemberId"));
                run.stored.decided[*record] = method == "review" || method == "merge";
            }
            return Ok();
        },
        progress);
}

Status IdentityService::WriteIdentities(DedupeRun& run, const DedupeLineSink& on_line,
                                        const IdentityProgress& progress) {
    std::string batch;
    std::size_t in_batch = 0;
    for (std::uint32_t record = 0; record < run.index->size(); ++record) {
        const std::string_view person = run.index->record_id(record);
        const std::string& golden = run.goldens[run.golden_of[record]];
        if (run.stored.golden[record] != run.golden_of[record]) {
            AppendLine(
                batch,
                json::object{{"person", person}, {"goldenMemberId", golden}, {"method", "dedupe"}});
            ++run.report.changed;
            if (++in_batch == options_.dedupe_batch) {
                P360_TRY(WriteBulk(kMemberIdentity, "person", batch));
                in_batch = 0;
                progress("identities written", run.report.changed);
            }
        }
        if (on_line) {
            P360_TRY(on_line(DedupeLine{person, run.source_ids[record], golden}));
        }
    }
    P360_TRY(WriteBulk(kMemberIdentity, "person", batch));
    progress("identities written", run.report.changed);
    return Ok();
}

Status IdentityService::WriteReviews(DedupeRun& run, const std::vector<ScoredPair>& pairs,
                                     const IdentityProgress& progress) {
    // A slice of the pairs at a time: its keys are looked up, its new pairs explained and
    // written, before the next slice is touched, so memory does not grow with the queue.
    const MemberIndex& index = *run.index;
    std::string batch;
    for (std::size_t first = 0; first < pairs.size(); first += options_.dedupe_batch) {
        const std::size_t end = std::min(pairs.size(), first + options_.dedupe_batch);
        std::vector<std::string> pair_keys;
        std::vector<const ScoredPair*> proposed;
        for (std::size_t pair_idx = first; pair_idx < end; ++pair_idx) {
            const ScoredPair& pair = pairs[pair_idx];
            if (run.golden_of[pair.left] != run.golden_of[pair.right]) {
                pair_keys.push_back(
                    PairKey(index.record_id(pair.left), index.record_id(pair.right)));
                proposed.push_back(&pair);
            }
        }
        P360_ASSIGN_OR_RETURN(auto seen, ReviewStatuses(pair_keys));
        for (std::size_t pair_idx = 0; pair_idx < proposed.size(); ++pair_idx) {
            if (seen.contains(pair_keys[pair_idx])) {
                continue;  // proposed before, whatever became of it
            }
            const ScoredPair& pair = *proposed[pair_idx];
            const MatchCandidate explained = index.Explain(pair.left, pair.right);
            AppendLine(batch,
                       json::object{{"pairKey", pair_keys[pair_idx]},
                                    {"person", index.record_id(pair.left)},
                                    {"candidate", index.record_id(pair.right)},
                                    {"probability", Rounded(explained.probability, 1e6)},
                                    {"matchWeight", Rounded(explained.match_weight, 1e4)},
                                    {"evidence", json::serialize(EvidenceJson(explained.fields))},
                                    {"status", "open"}});
            ++run.report.reviews;
        }
        P360_TRY(WriteBulk(kIdentityReview, "pairKey", batch));
        progress("reviews written", run.report.reviews);
    }
    return Ok();
}

}  // namespace p360::identity
