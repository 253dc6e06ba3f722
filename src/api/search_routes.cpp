#include "api/search_routes.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_support.hpp"
#include "query/parser.hpp"

namespace p360::api {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using security::Actor;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view text) {
    while (!text.empty() && IsSpace(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && IsSpace(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

std::optional<int> Number(std::string_view text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::string Padded(int value, std::size_t width) {
    std::string text = std::to_string(value);
    return std::string(width > text.size() ? width - text.size() : 0, '0') + text;
}

// A calendar date typed as YYYY-MM-DD or M/D/YYYY, as YYYY-MM-DD; nothing for other text or
// days that do not exist.
std::optional<std::string> AsDate(std::string_view text) {
    std::optional<int> year;
    std::optional<int> month;
    std::optional<int> day;
    if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
        year = Number(text.substr(0, 4));
        month = Number(text.substr(5, 2));
        day = Number(text.substr(8, 2));
    } else if (const auto first = text.find('/'); first != std::string_view::npos) {
        const auto second = text.find('/', first + 1);
        if (second == std::string_view::npos || text.size() - second - 1 != 4) {
            return std::nullopt;
        }
        month = Number(text.substr(0, first));
        day = Number(text.substr(first + 1, second - first - 1));
        year = Number(text.substr(second + 1));
    }
    if (!year || !month || !day || *year < 1850 || *year > 2200 || *month < 1 || *month > 12 ||
        *day < 1) {
        return std::nullopt;
    }
    static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (*year % 4 == 0 && *year % 100 != 0) || *year % 400 == 0;
    const int days = *month == 2 && !leap ? 28 : kDays[*month - 1];
    if (*day > days) {
        return std::nullopt;
    }
    return Padded(*year, 4) + "-" + Padded(*month, 2) + "-" + Padded(*day, 2);
}

// The search text, and what it could be.
struct SearchText {
    std::string text;                 // trimmed
    std::optional<std::string> date;  // a birth date
    std::string phone_digits;         // four or more digits written as a phone number
    bool identifier = false;          // one token with a digit in it: an id or a number
    std::vector<std::string> words;   // name words; with a comma, the family name comes first
    bool family_name_first = false;
};

SearchText Interpret(std::string_view raw) {
    SearchText search;
    search.text = std::string(Trim(raw));
    const std::string_view text = search.text;
    search.date = AsDate(text);
    const bool phone_like = std::all_of(text.begin(), text.end(), [](char c) {
        return IsDigit(c) || c == '(' || c == ')' || c == '-' || c == '+' || c == '.' || c == ' ';
    });
    if (phone_like && !search.date) {
        for (const char c : text) {
            if (IsDigit(c)) {
                search.phone_digits.push_back(c);
            }
        }
        if (search.phone_digits.size() < 4) {
            search.phone_digits.clear();
        }
    }
    const bool one_token = std::none_of(text.begin(), text.end(), IsSpace);
    search.identifier = one_token && std::any_of(text.begin(), text.end(), IsDigit);
    if (!std::any_of(text.begin(), text.end(), IsDigit)) {
        search.family_name_first = text.find(',') != std::string_view::npos;
        std::string word;
        for (const char c : text) {
            if (IsSpace(c) || c == ',') {
                if (!word.empty()) {
                    search.words.push_back(std::move(word));
                }
                word.clear();
            } else {
                word.push_back(c);
            }
        }
        if (!word.empty()) {
            search.words.push_back(std::move(word));
        }
    }
    return search;
}

// `text` as a `like` pattern that matches it anywhere, its own wildcards taken literally.
std::string Containing(std::string_view text) {
    std::string pattern = "%";
    for (const char c : text) {
        if (c == '%' || c == '_' || c == '\\') {
            pattern.push_back('\\');
        }
        pattern.push_back(c);
    }
    pattern.push_back('%');
    return query::QuoteText(pattern);
}

std::string Or(const std::vector<std::string>& terms) {
    std::string joined;
    for (const std::string& term : terms) {
        joined += (joined.empty() ? "(" : " or (") + term + ")";
    }
    return joined;
}

// Runs the lookups of one search as the caller.
class Searcher {
public:
    Searcher(const PlatformServices& services, const Actor& actor, int limit)
        : services_(services),
          actor_(actor),
          catalog_(services.metadata.Current()),
          limit_(limit) {}

    // Whether the caller may read `field` of `object` (and both exist).
    bool CanRead(std::string_view object_name, std::string_view field_name) const {
        const metadata::ObjectDef* object = catalog_->FindObject(object_name);
        const metadata::FieldDef* field =
            object == nullptr ? nullptr : object->FindField(field_name);
        return field != nullptr && services_.authorizer.CanReadField(actor_, *object, *field);
    }

    // The fields of `wanted` the caller may read.
    std::vector<std::string> Readable(std::string_view object,
                                      std::initializer_list<std::string_view> wanted) const {
        return Readable<std::initializer_list<std::string_view>>(object, wanted);
    }
    template <typename Names>
    std::vector<std::string> Readable(std::string_view object, const Names& wanted) const {
        std::vector<std::string> fields;
        for (const std::string_view field : wanted) {
            if (CanRead(object, field)) {
                fields.emplace_back(field);
            }
        }
        return fields;
    }

    // `<field> <op> <value>` for each readable field of `fields`.
    std::vector<std::string> Terms(std::string_view object,
                                   std::initializer_list<std::string_view> fields,
                                   const std::string& op_and_value) const {
        std::vector<std::string> terms;
        for (const std::string& field : Readable(object, fields)) {
            terms.push_back(field + " " + op_and_value);
        }
        return terms;
    }

    // One page of a list; nothing when the caller may not read the object at all.
    Result<std::optional<json::array>> List(std::string_view object, std::string filter,
                                            std::vector<std::string> fields, std::string sort = "",
                                            int limit = 0) const {
        query::ListRequest request;
        request.filter = std::move(filter);
        request.fields = std::move(fields);
        request.sort = std::move(sort);
        request.limit =
            std::clamp(limit > 0 ? limit : limit_, query::kMinListLimit, query::kMaxListLimit);
        auto page = services_.records.List(actor_, object, request);
        if (!page.ok()) {
            if (page.error().code == ErrorCode::kPermissionDenied) {
                return std::optional<json::array>();
            }
            return page.error();
        }
        return std::optional<json::array>(std::move(page->at("items").as_array()));
    }

    // The records of `object` whose `field` is one of `values`: one list per `in` filter
    // within the filter limits, each page in `sort` order, the pages one after the other;
    // nothing when the caller may not read the object at all.
    Result<std::optional<json::array>> ListWhereIn(std::string_view object, std::string_view field,
                                                   const std::vector<std::string>& values,
                                                   const std::vector<std::string>& fields,
                                                   const std::string& sort = "",
                                                   int limit = 0) const {
        json::array found;
        for (std::string& filter : query::InListFilters(field, values)) {
            P360_ASSIGN_OR_RETURN(auto page, List(object, std::move(filter), fields, sort, limit));
            if (!page) {
                return page;
            }
            for (json::value& record : *page) {
                found.push_back(std::move(record));
            }
        }
        return std::optional<json::array>(std::move(found));
    }

    // Whether the caller may read records of `object` at all.
    bool MayList(std::string_view object_name) const {
        const metadata::ObjectDef* object = catalog_->FindObject(object_name);
        return object != nullptr &&
               services_.authorizer.CheckObject(actor_, *object, security::Operation::kRead).ok();
    }

    int limit() const { return limit_; }

private:
    const PlatformServices& services_;
    const Actor& actor_;
    metadata::CatalogSnapshot catalog_;
    int limit_;
};

std::string IdOf(const json::value& record) {
    const json::value* id = record.as_object().if_contains("id");
    return id != nullptr && id->is_string() ? std::string(id->get_string()) : std::string();
}

// Member results in the order found, each with what it matched on.
class MemberResults {
public:
    void Add(json::array records, std::string_view matched_on, std::size_t limit) {
        for (json::value& record : records) {
            const std::string id = IdOf(record);
            auto found = index_.find(id);
            if (found != index_.end()) {
                auto& matched = items_[found->second].as_object()["matchedOn"].as_array();
                if (std::find(matched.begin(), matched.end(), json::value(matched_on)) ==
                    matched.end()) {
                    matched.emplace_back(matched_on);
                }
                continue;
            }
            if (items_.size() >= limit) {
                continue;
            }
            record.as_object()["matchedOn"] = json::array{json::value(matched_on)};
            index_.emplace(id, items_.size());
            items_.push_back(std::move(record));
        }
    }
    std::vector<std::string> Ids() const {
        std::vector<std::string> ids;
        for (const auto& item : items_) {
            ids.push_back(IdOf(item));
        }
        return ids;
    }
    json::array& items() { return items_; }

private:
    json::array items_;
    std::map<std::string, std::size_t> index_;
};

// Whether the person's phone or mobile phone holds `digits` in one run, punctuation aside.
bool HasPhoneDigits(const json::object& person, const std::string& digits) {
    for (const std::string_view field : {"phone", "mobilePhone"}) {
        const json::value* value = person.if_contains(field);
        if (value == nullptr || !value->is_string()) {
            continue;
        }
        std::string number;
        for (const char c : value->get_string()) {
            if (IsDigit(c)) {
                number.push_back(c);
            }
        }
        if (number.find(digits) != std::string::npos) {
            return true;
        }
    }
    return false;
}

constexpr std::string_view kMemberFields[] = {
    "firstName", "middleName",  "lastName", "preferredName", "birthDate",     "gender",
    "phone",     "mobilePhone", "city",     "state",         "lifecycleStage"};

// The people whose coverage lines have a member or subscriber id starting with the text,
// keyed by person, with the member id found.
Result<std::vector<std::pair<std::string, std::string>>> CoverageMatches(const Searcher& searcher,
                                                                         const SearchText& search) {
    std::vector<std::pair<std::string, std::string>> people;
    const auto terms = searcher.Terms("MemberPlan", {"memberId", "subscriberId"},
                                      "startsWith " + query::QuoteText(search.text));
    if (terms.empty() || !searcher.CanRead("MemberPlan", "person")) {
        return people;
    }
    P360_ASSIGN_OR_RETURN(auto lines, searcher.List("MemberPlan", Or(terms),
                                                    searcher.Readable("MemberPlan", {
                                                                                        "person",
                                                                                        "memberId",
                                                                                    })));
    for (const json::value& line : lines.value_or(json::array())) {
        const json::object& record = line.as_object();
        const json::value* person = record.if_contains("person");
        const json::value* member_id = record.if_contains("memberId");
        if (person == nullptr || !person->is_string()) {
            continue;
        }
        people.emplace_back(std::string(person->get_string()),
                            member_id != nullptr && member_id->is_string()
                                ? std::string(member_id->get_string())
                                : std::string());
    }
    return people;
}

// The name filter over a person's or a provider's first and family names, or "".
std::string NameFilter(const Searcher& searcher, std::string_view object, const SearchText& search,
                       std::initializer_list<std::string_view> single_word_fields) {
    if (search.words.empty()) {
        return "";
    }
    const auto prefix = [](const std::string& word) {
        return "startsWith " + query::QuoteText(word);
    };
    if (search.words.size() == 1) {
        return Or(searcher.Terms(object, single_word_fields, prefix(search.words[0])));
    }
    if (!searcher.CanRead(object, "firstName") || !searcher.CanRead(object, "lastName")) {
        return "";
    }
    const std::string& first_word = search.words.front();
    const std::string& last_word = search.words.back();
    const std::string family_first =
        "lastName " + prefix(first_word) + " and firstName " + prefix(last_word);
    if (search.family_name_first) {
        return family_first;
    }
    return Or(
        {"firstName " + prefix(first_word) + " and lastName " + prefix(last_word), family_first});
}

Result<std::optional<json::array>> FindMembers(const Searcher& searcher, const SearchText& search) {
    if (!searcher.MayList("Person")) {
        return std::optional<json::array>();
    }
    const auto limit = static_cast<std::size_t>(searcher.limit());
    const auto fields = searcher.Readable("Person", kMemberFields);
    const std::string sort =
        searcher.CanRead("Person", "lastName") && searcher.CanRead("Person", "firstName")
            ? "lastName,firstName"
            : "";
    MemberResults results;
    std::map<std::string, std::string> member_ids;

    if (search.identifier) {
        if (search.text.find('_') != std::string::npos) {
            P360_ASSIGN_OR_RETURN(
                auto by_id,
                searcher.List("Person", "id = " + query::QuoteText(search.text), fields));
            results.Add(by_id.value_or(json::array()), "id", limit);
        }
        P360_ASSIGN_OR_RETURN(auto coverage, CoverageMatches(searcher, search));
        std::vector<std::string> people;
        for (const auto& [person, member_id] : coverage) {
            if (member_ids.emplace(person, member_id).second) {
                people.push_back(person);
            }
        }
        if (!people.empty()) {
            P360_ASSIGN_OR_RETURN(auto covered,
                                  searcher.ListWhereIn("Person", "id", people, fields, sort));
            results.Add(covered.value_or(json::array()), "memberId", limit);
        }
    }
    if (search.date && searcher.CanRead("Person", "birthDate")) {
        P360_ASSIGN_OR_RETURN(auto born,
                              searcher.List("Person", "birthDate = " + *search.date, fields, sort));
        results.Add(born.value_or(json::array()), "birthDate", limit);
    }
    if (!search.phone_digits.empty()) {
        // Groups of four, three and three digits from the end, as numbers are written; a page
        // of candidates is then checked for the digits in one run, punctuation aside.
        const std::string& digits = search.phone_digits;
        std::vector<std::string> groups;
        std::size_t end = digits.size();
        for (const std::size_t width : {4u, 3u, 3u}) {
            if (end == 0) {
                break;
            }
            const std::size_t start = end > width ? end - width : 0;
            groups.insert(groups.begin(), digits.substr(start, end - start));
            end = start;
        }
        if (end > 0) {
            groups.insert(groups.begin(), digits.substr(0, end));
        }
        std::string pattern = "%";
        for (const std::string& group : groups) {
            pattern += group + "%";
        }
        const auto terms =
            searcher.Terms("Person", {"phone", "mobilePhone"}, "like " + query::QuoteText(pattern));
        if (!terms.empty()) {
            P360_ASSIGN_OR_RETURN(auto candidates, searcher.List("Person", Or(terms), fields, sort,
                                                                 searcher.limit() * 4));
            json::array by_phone;
            for (json::value& candidate : candidates.value_or(json::array())) {
                if (HasPhoneDigits(candidate.as_object(), digits)) {
                    by_phone.push_back(std::move(candidate));
                }
            }
            results.Add(std::move(by_phone), "phone", limit);
        }
    }
    if (const std::string names =
            NameFilter(searcher, "Person", search, {"lastName", "firstName", "preferredName"});
        !names.empty()) {
        P360_ASSIGN_OR_RETURN(auto named, searcher.List("Person", names, fields, sort));
        results.Add(named.value_or(json::array()), "name", limit);
    }

    // The member id of each person found by other means, from their coverage lines.
    std::vector<std::string> missing;
    for (const std::string& id : results.Ids()) {
        if (!member_ids.contains(id)) {
            missing.push_back(id);
        }
    }
    if (!missing.empty() && searcher.CanRead("MemberPlan", "person") &&
        searcher.CanRead("MemberPlan", "memberId")) {
        P360_ASSIGN_OR_RETURN(
            auto lines,
            searcher.ListWhereIn("MemberPlan", "person", missing, {"person", "memberId"}, "",
                                 static_cast<int>(missing.size()) * 8));
        for (const json::value& line : lines.value_or(json::array())) {
            const json::object& record = line.as_object();
            const json::value* person = record.if_contains("person");
            const json::value* member_id = record.if_contains("memberId");
            if (person != nullptr && person->is_string() && member_id != nullptr &&
                member_id->is_string()) {
                member_ids.emplace(std::string(person->get_string()),
                                   std::string(member_id->get_string()));
            }
        }
    }
    for (json::value& item : results.items()) {
        auto found = member_ids.find(IdOf(item));
        if (found != member_ids.end() && !found->second.empty()) {
            item.as_object()["memberId"] = found->second;
        }
    }
    return std::optional<json::array>(std::move(results.items()));
}

Result<std::optional<json::array>> FindProviders(const Searcher& searcher,
                                                 const SearchText& search) {
    if (!searcher.MayList("Provider")) {
        return std::optional<json::array>();
    }
    std::vector<std::string> terms;
    if (search.phone_digits.size() == 10 && search.text.size() == 10) {
        const auto npi = searcher.Terms("Provider", {"npi"}, "= " + query::QuoteText(search.text));
        terms.insert(terms.end(), npi.begin(), npi.end());
    }
    if (std::string names = NameFilter(searcher, "Provider", search,
                                       {"lastName", "firstName", "organizationName", "specialty"});
        !names.empty()) {
        terms.push_back(std::move(names));
    }
    if (search.words.size() > 1) {
        const auto organization = searcher.Terms("Provider", {"organizationName"},
                                                 "startsWith " + query::QuoteText(search.text));
        terms.insert(terms.end(), organization.begin(), organization.end());
    }
    if (terms.empty()) {
        return std::optional<json::array>(json::array());
    }
    return searcher.List(
        "Provider", Or(terms),
        searcher.Readable("Provider",
                          {"npi", "firstName", "lastName", "credentials", "organizationName",
                           "providerType", "specialty", "acceptingNewPatients"}));
}

Result<std::optional<json::array>> FindCases(const Searcher& searcher, const SearchText& search) {
    if (!searcher.MayList("Case")) {
        return std::optional<json::array>();
    }
    std::vector<std::string> terms;
    if (search.identifier) {
        const auto numbers =
            searcher.Terms("Case", {"caseNumber"}, "startsWith " + query::QuoteText(search.text));
        terms.insert(terms.end(), numbers.begin(), numbers.end());
    }
    if (!search.words.empty() && search.text.size() >= 3) {
        const auto subjects =
            searcher.Terms("Case", {"subject"}, "like " + Containing(search.text));
        terms.insert(terms.end(), subjects.begin(), subjects.end());
    }
    if (terms.empty()) {
        return std::optional<json::array>(json::array());
    }
    return searcher.List("Case", Or(terms),
                         searcher.Readable("Case", {"caseNumber", "subject", "status", "priority",
                                                    "type", "person", "createdAt"}),
                         searcher.CanRead("Case", "createdAt") ? "-createdAt" : "");
}

}  // namespace

void RegisterSearchRoutes(http::Router& router, const PlatformServices& services) {
    router.Add(
        "GET", "/api/v1/search",
        Authenticated(
            services.auth,
            [&services](const HttpRequest& request, const Actor& actor) -> Result<HttpResponse> {
                P360_TRY(OnlyQueryParameters(request, {"q", "limit"}));
                P360_ASSIGN_OR_RETURN(
                    const int limit,
                    IntegerQuery(request, "limit", kDefaultSearchLimit, 1, kMaxSearchLimit));
                const SearchText search = Interpret(request.Query("q").value_or(""));
                if (search.text.empty()) {
                    return Error::InvalidArgument("Type something to search for.", "q");
                }
                if (search.text.size() > kMaxSearchText) {
                    return Error::InvalidArgument("Search for at most 100 characters.", "q");
                }
                const Searcher searcher(services, actor, limit);
                json::object answer{{"q", search.text}};
                P360_ASSIGN_OR_RETURN(auto members, FindMembers(searcher, search));
                P360_ASSIGN_OR_RETURN(auto providers, FindProviders(searcher, search));
                P360_ASSIGN_OR_RETURN(auto cases, FindCases(searcher, search));
                if (members) {
                    answer["members"] = std::move(*members);
                }
                if (providers) {
                    answer["providers"] = std::move(*providers);
                }
                if (cases) {
                    answer["cases"] = std::move(*cases);
                }
                return JsonResponse(200, answer);
            }));
}

}  // namespace p360::api
