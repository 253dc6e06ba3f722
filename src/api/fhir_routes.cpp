#include "api/fhir_routes.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <iterator>
#include <optional>

#include "api/api_support.hpp"
#include "api/fhir_resources.hpp"
#include "core/time_format.hpp"
#include "formats/fhir/bundle.hpp"
#include "formats/fhir/care.hpp"
#include "formats/fhir/claim.hpp"
#include "formats/fhir/decode.hpp"
#include "formats/fhir/patient.hpp"
#include "formats/fhir/resources.hpp"
#include "http/problem.hpp"
#include "query/parser.hpp"

namespace p360::api {
namespace {

using detail::FhirResponse;
using detail::LinkedRecords;
using detail::UrlEncodeComponent;
using http::HttpRequest;
using http::HttpResponse;
using security::Actor;

constexpr std::string_view kFhirJson = "application/fhir+json";
constexpr int kDefaultCount = 20;
// Linked records kept at most for the resources still to come (plans and providers are few;
// relatives are many).
constexpr std::size_t kMaxLinkedRecords = 10'000;

// `/entry/3/resource/name/0/family` → `Bundle.entry[3].resource.name[0].family`.
std::string FhirPathOfPointer(std::string_view pointer) {
    std::string path = "Bundle";
    std::size_t start = 1;
    while (start <= pointer.size()) {
        std::size_t end = pointer.find('/', start);
        if (end == std::string_view::npos) {
            end = pointer.size();
        }
        const std::string_view segment = pointer.substr(start, end - start);
        const bool index =
            !segment.empty() && segment.find_first_not_of("0123456789") == std::string_view::npos;
        if (index) {
            path += "[" + std::string(segment) + "]";
        } else if (!segment.empty()) {
            path += "." + std::string(segment);
        }
        start = end + 1;
    }
    return path;
}

// The OperationOutcome of an error, as a resource. A JSON pointer into a posted Bundle goes to
// `location`, and the same place as FHIRPath to `expression`.
json::object OutcomeOf(const Error& error) {
    const std::string code = error.code == ErrorCode::kNotFound           ? "not-found"
                             : error.code == ErrorCode::kUnauthenticated  ? "login"
                             : error.code == ErrorCode::kPermissionDenied ? "forbidden"
                             : error.code == ErrorCode::kInvalidArgument  ? "invalid"
                                                                          : "exception";
    json::array issues;
    auto issue = [&](const std::string& diagnostics, const std::string& location) {
        json::object entry{{"severity", "error"}, {"code", code}, {"diagnostics", diagnostics}};
        if (location.starts_with("/")) {
            // A JSON pointer into the posted Bundle, and the same place as FHIRPath.
            entry["location"] = json::array{json::value(location)};
            entry["expression"] = json::array{json::value(FhirPathOfPointer(location))};
        } else if (!location.empty()) {
            entry["expression"] = json::array{json::value(location)};
        }
        issues.push_back(std::move(entry));
    };
    if (error.field_errors.empty()) {
        issue(error.public_message, error.location);
    }
    for (const FieldError& field_error : error.field_errors) {
        issue(field_error.message, field_error.field);
    }
    return json::object{{"resourceType", "OperationOutcome"}, {"issue", std::move(issues)}};
}

// FHIR answers errors with an OperationOutcome; the HTTP status is the platform's for the code.
HttpResponse OperationOutcome(const Error& error, const HttpRequest& request) {
    HttpResponse response = FhirResponse(http::HttpStatusOf(error.code), OutcomeOf(error));
    response.headers.emplace_back("X-Request-Id", request.request_id);
    return response;
}

// birthdate=[eq|ge|le|gt|lt]YYYY-MM-DD → a filter term.
Result<std::string> DateTerm(std::string_view field, std::string_view value) {
    static constexpr std::pair<std::string_view, std::string_view> kPrefixes[] = {
        {"eq", "="}, {"ne", "!="}, {"ge", ">="}, {"le", "<="}, {"gt", ">"}, {"lt", "<"}};
    std::string_view op = "=";
    for (const auto& [prefix, comparison] : kPrefixes) {
        if (value.starts_with(prefix)) {
            op = comparison;
            value.remove_prefix(prefix.size());
            break;
        }
    }
    if (value.size() != 10 || value[4] != '-' || value[7] != '-') {
        return Error::InvalidArgument(
            "birthdate takes a date, YYYY-MM-DD, with an optional "
            "prefix eq, ne, ge, le, gt or lt.",
            "birthdate");
    }
    return std::string(field) + " " + std::string(op) + " " + query::QuoteText(value);
}

// _lastUpdated=(gt|ge|lt|le)<date or datetime>: when the record last changed. A date alone is
// its first instant in UTC.
Result<std::string> LastUpdatedTerm(std::string_view value) {
    static constexpr std::pair<std::string_view, std::string_view> kPrefixes[] = {
        {"ge", ">="}, {"le", "<="}, {"gt", ">"}, {"lt", "<"}};
    std::string_view op;
    for (const auto& [prefix, comparison] : kPrefixes) {
        if (value.starts_with(prefix)) {
            op = comparison;
            value.remove_prefix(prefix.size());
            break;
        }
    }
    std::string instant(value);
    if (instant.size() == 10) {
        instant += "T00:00:00Z";
    }
    if (op.empty() || !NormalizeDateTime(instant)) {
        return Error::InvalidArgument(
            "_lastUpdated takes a prefix gt, ge, lt or le and a date (YYYY-MM-DD) or a datetime "
            "with Z or an offset.",
            "_lastUpdated");
    }
    return "modifiedAt " + std::string(op) + " " + query::QuoteText(instant);
}

// identifier=[system|]value: a system payer360 keeps, or any of them.
// Whether the caller may read a Person field (identifier search filters on such fields).
using PersonFieldReadable = std::function<bool(std::string_view field)>;

Result<std::string> IdentifierTerm(std::string_view value, const PersonFieldReadable& readable) {
    const auto bar = value.find('|');
    if (bar == std::string_view::npos) {
        // Any identifier the caller may see: a role without government ids searches the others
        // rather than being refused for fields it did not name.
        std::string any;
        for (std::string_view system : {formats::fhir::kSourceIdSystem, formats::fhir::kMbiSystem,
                                        formats::fhir::kMedicaidSystem}) {
            const std::string_view field = formats::fhir::PersonFieldForIdentifierSystem(system);
            if (readable(field)) {
                any += (any.empty() ? "(" : " or ") + std::string(field) + " = " +
                       query::QuoteText(value);
            }
        }
        return any.empty() ? std::string("id is null") : any + ")";
    }
    const std::string_view field =
        formats::fhir::PersonFieldForIdentifierSystem(value.substr(0, bar));
    if (field.empty()) {
        // Any other system: the identifier the record was keyed by (decode.hpp).
        const formats::fhir::RecordKey key =
            formats::fhir::KeyOfIdentifier("Patient", value.substr(0, bar), value.substr(bar + 1));
        return key.field + " = " + query::QuoteText(key.value);
    }
    return std::string(field) + " = " + query::QuoteText(value.substr(bar + 1));
}

// The payer360 object behind a FHIR resource type, and how its records become resources.
struct ResourceType {
    std::string_view name;          // Patient, Coverage, …
    std::string_view object;        // Person, MemberPlan, …
    std::string_view member_field;  // the reference to the member: what `patient` searches
    std::string_view name_filter;   // what `name` searches ("" = no name search)
    // Which of the object's records are resources of this type ("" = all of them): only a claim
    // the payer has taken up has an ExplanationOfBenefit.
    std::string_view records_filter = "";
};

// Member-centred types first (Patient/$everything walks them), then the directory.
constexpr ResourceType kResourceTypes[] = {
    {"Patient", "Person", "id", ""},
    {"Coverage", "MemberPlan", "person", ""},
    {"Condition", "Condition", "person", ""},
    {"MedicationRequest", "Medication", "person", ""},
    {"Encounter", "Encounter", "person", ""},
    {"RelatedPerson", "ContactRelationship", "person", ""},
    {"Claim", "Claim", "person", ""},
    {"ExplanationOfBenefit", "Claim", "person", "", "status != 'received'"},
    {"CarePlan", "CarePlan", "person", ""},
    {"Consent", "Consent", "person", ""},
    {"Organization", "Account", "", "name"},
    {"Practitioner", "Provider", "", "lastName"},
    {"Location", "ProviderLocation", "", "name"},
    {"PractitionerRole", "ProviderLocation", "", ""},
};

// Types read out of the catalog but not imported (no identifiers to search by).
bool Importable(const ResourceType& type) {
    return !formats::fhir::ObjectOfResourceType(type.name).empty();
}

// A record the resource shows besides its own (a Coverage's plan, a relative's person), when
// the caller may read it; null otherwise. It is kept in `memo` for the resources still to come
// (and valid until the next call).
const json::object* Linked(records::RecordService& records, const Actor& actor,
                           const json::object& record, std::string_view field,
                           std::string_view object, LinkedRecords& memo) {
    const json::value* id = record.if_contains(field);
    if (id == nullptr || !id->is_string()) {
        return nullptr;
    }
    std::string key = std::string(object) + "/" + std::string(id->get_string());
    auto kept = memo.find(key);
    if (kept == memo.end()) {
        if (memo.size() >= kMaxLinkedRecords) {
            memo.clear();
        }
        auto found = records.Get(actor, object, id->get_string());
        kept = memo.emplace(std::move(key),
                            found.ok() ? std::optional<json::object>(std::move(found).value())
                                       : std::nullopt)
                   .first;
    }
    return kept->second ? &*kept->second : nullptr;
}

// A claim's lines the caller may read: its items. None when they cannot be listed (a caller who
// may read claims but not their lines still gets the claim).
json::array ClaimLinesOf(records::RecordService& records, const Actor& actor,
                         const json::object& claim) {
    const json::value* id = claim.if_contains("id");
    if (id == nullptr || !id->is_string()) {
        return {};
    }
    query::ListRequest list{.filter = "claim = " + query::QuoteText(id->get_string()),
                            .limit = query::kMaxListLimit};
    auto page = records.List(actor, "ClaimLine", list);
    if (!page.ok()) {
        return {};
    }
    return std::move(page->at("items").as_array());
}

// A Patient reference as a search value: `Patient/<id>` or `<id>`.
std::string PatientId(std::string_view value) {
    constexpr std::string_view kPrefix = "Patient/";
    return std::string(value.starts_with(kPrefix) ? value.substr(kPrefix.size()) : value);
}

// The Patient-only search parameters.
Result<std::optional<std::string>> PatientTerm(const std::string& name, const std::string& value,
                                               const PersonFieldReadable& readable) {
    if (name == "family") {
        return std::optional<std::string>("lastName startsWith " + query::QuoteText(value));
    }
    if (name == "given") {
        return std::optional<std::string>("(firstName startsWith " + query::QuoteText(value) +
                                          " or middleName startsWith " + query::QuoteText(value) +
                                          ")");
    }
    if (name == "name") {
        return std::optional<std::string>("(lastName startsWith " + query::QuoteText(value) +
                                          " or firstName startsWith " + query::QuoteText(value) +
                                          ")");
    }
    if (name == "birthdate") {
        P360_ASSIGN_OR_RETURN(auto term, DateTerm("birthDate", value));
        return std::optional<std::string>(std::move(term));
    }
    if (name == "gender") {
        return std::optional<std::string>("gender = " + query::QuoteText(value));
    }
    if (name == "identifier") {
        P360_ASSIGN_OR_RETURN(auto term, IdentifierTerm(value, readable));
        return std::optional<std::string>(std::move(term));
    }
    return std::optional<std::string>();
}

// The search parameters of a request as one filter over the type's object.
Result<std::string> SearchFilter(const ResourceType& type, const HttpRequest& request,
                                 const PersonFieldReadable& readable) {
    std::vector<std::string> terms;
    for (const auto& [name, value] : request.query) {
        if (name == "_count" || name == "_cursor") {
            continue;
        }
        if (value.empty()) {
            return Error::InvalidArgument("Search parameter " + name + " has no value.", name);
        }
        if (name == "_id") {
            terms.push_back("id = " + query::QuoteText(value));
            continue;
        }
        if (name == "_lastUpdated") {
            P360_ASSIGN_OR_RETURN(std::string term, LastUpdatedTerm(value));
            terms.push_back(std::move(term));
            continue;
        }
        if ((name == "patient" || name == "subject" || name == "beneficiary") &&
            !type.member_field.empty() && type.member_field != "id") {
            terms.push_back(std::string(type.member_field) + " = " +
                            query::QuoteText(PatientId(value)));
            continue;
        }
        std::optional<std::string> term;
        if (type.name == "Patient") {
            P360_ASSIGN_OR_RETURN(term, PatientTerm(name, value, readable));
        } else if (name == "name" && !type.name_filter.empty()) {
            term = std::string(type.name_filter) + " startsWith " + query::QuoteText(value);
        } else if (name == "practitioner" && type.name == "PractitionerRole") {
            constexpr std::string_view kPrefix = "Practitioner/";
            const std::string_view id = std::string_view(value).starts_with(kPrefix)
                                            ? std::string_view(value).substr(kPrefix.size())
                                            : std::string_view(value);
            term = "provider = " + query::QuoteText(id);
        } else if (name == "identifier" && Importable(type)) {
            // system|value: the key the record was imported under (decode.hpp).
            const auto bar = value.find('|');
            const formats::fhir::RecordKey key =
                bar == std::string::npos ? formats::fhir::RecordKey{"sourceId", value}
                                         : formats::fhir::KeyOfIdentifier(
                                               type.name, std::string_view(value).substr(0, bar),
                                               std::string_view(value).substr(bar + 1));
            term = key.field + " = " + query::QuoteText(key.value);
        }
        if (!term) {
            return Error::InvalidArgument(
                "Unknown search parameter " + name + " for " + std::string(type.name) + ".", name);
        }
        terms.push_back(std::move(*term));
    }
    if (!type.records_filter.empty()) {
        terms.emplace_back(type.records_filter);
    }
    std::string filter;
    for (const std::string& term : terms) {
        filter += (filter.empty() ? "" : " and ") + term;
    }
    return filter;
}

Result<int> CountOf(const HttpRequest& request) {
    const auto text = request.Query("_count");
    if (!text) {
        return kDefaultCount;
    }
    int count = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), count);
    if (error != std::errc() || end != text->data() + text->size() || count < 1 ||
        count > query::kMaxListLimit) {
        return Error::InvalidArgument("_count must be a whole number from 1 to 1000.", "_count");
    }
    return count;
}

// Links point at the configured public address; without one, at the Host the client named,
// as long as it looks like a host (so a forged header cannot write markup or paths into them).
std::string BaseUrl(std::string_view public_url, const HttpRequest& request) {
    if (!public_url.empty()) {
        return std::string(public_url) + "/fhir/r4";
    }
    std::string_view host = request.Header("host").value_or("localhost");
    const bool plain =
        !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
                   c == ':' || c == '[' || c == ']';
        });
    return "http://" + std::string(plain ? host : "localhost") + "/fhir/r4";
}

// The resource a record becomes; a Coverage also shows its plan, if the caller may read it.
json::object ToResource(records::RecordService& records, const Actor& actor,
                        const ResourceType& type, const json::object& record,
                        LinkedRecords* linked = nullptr) {
    LinkedRecords this_resource;  // when the caller keeps none
    LinkedRecords& memo = linked != nullptr ? *linked : this_resource;
    if (type.name == "Patient") {
        return formats::fhir::PatientFromPerson(record);
    }
    if (type.name == "Coverage") {
        const json::object* plan = Linked(records, actor, record, "plan", "Plan", memo);
        return formats::fhir::CoverageFromMemberPlan(record, plan);
    }
    if (type.name == "RelatedPerson") {
        const json::object* related =
            Linked(records, actor, record, "relatedPerson", "Person", memo);
        return formats::fhir::RelatedPersonFromContactRelationship(record, related);
    }
    if (type.name == "PractitionerRole") {
        const json::object* provider = Linked(records, actor, record, "provider", "Provider", memo);
        return formats::fhir::PractitionerRoleFromProviderLocation(record, provider);
    }
    if (type.name == "Claim" || type.name == "ExplanationOfBenefit") {
        const json::array lines = ClaimLinesOf(records, actor, record);
        return type.name == "Claim" ? formats::fhir::ClaimFromClaim(record, lines)
                                    : formats::fhir::ExplanationOfBenefitFromClaim(record, lines);
    }
    if (type.name == "CarePlan") {
        return formats::fhir::CarePlanFromCarePlan(record);
    }
    if (type.name == "Consent") {
        return formats::fhir::ConsentFromConsent(record);
    }
    if (type.name == "Condition") {
        return formats::fhir::ConditionFromCondition(record);
    }
    if (type.name == "Organization") {
        return formats::fhir::OrganizationFromAccount(record);
    }
    if (type.name == "Practitioner") {
        return formats::fhir::PractitionerFromProvider(record);
    }
    if (type.name == "Location") {
        return formats::fhir::LocationFromProviderLocation(record);
    }
    if (type.name == "Encounter") {
        return formats::fhir::EncounterFromEncounter(record);
    }
    return formats::fhir::MedicationRequestFromMedication(record);
}

// The record `id` as a resource of `type`: not found when the type's records filter leaves it out.
Result<json::object> ReadRecord(records::RecordService& records, const Actor& actor,
                                const ResourceType& type, std::string_view id) {
    P360_ASSIGN_OR_RETURN(json::object record, records.Get(actor, type.object, id));
    if (!type.records_filter.empty()) {
        query::ListRequest list{
            .filter = "id = " + query::QuoteText(id) + " and " + std::string(type.records_filter),
            .limit = 1};
        P360_ASSIGN_OR_RETURN(json::object page, records.List(actor, type.object, list));
        if (page.at("items").as_array().empty()) {
            return Error::NotFound("No " + std::string(type.name) + " has this id.");
        }
    }
    return record;
}

Result<HttpResponse> Search(records::RecordService& records, const ResourceType& type,
                            const HttpRequest& request, const Actor& actor,
                            const std::string& base) {
    query::ListRequest list;
    P360_ASSIGN_OR_RETURN(list.filter, SearchFilter(type, request, [&](std::string_view field) {
                              return records.CanReadField(actor, "Person", field);
                          }));
    P360_ASSIGN_OR_RETURN(list.limit, CountOf(request));
    list.cursor = request.Query("_cursor").value_or("");
    P360_ASSIGN_OR_RETURN(json::object page, records.List(actor, type.object, list));
    json::array entries;
    LinkedRecords linked;  // a plan or provider many results share is read once
    for (const json::value& record : page.at("items").as_array()) {
        json::object resource = ToResource(records, actor, type, record.as_object(), &linked);
        const std::string url =
            base + "/" + std::string(type.name) + "/" + std::string(resource.at("id").as_string());
        entries.push_back(json::object{
            {"fullUrl", url}, {"resource", std::move(resource)}, {"search", {{"mode", "match"}}}});
    }
    std::string self =
        base + "/" + std::string(type.name) + "?_count=" + std::to_string(list.limit);
    for (const auto& [name, value] : request.query) {
        if (name != "_count" && name != "_cursor") {
            self += "&" + name + "=" + UrlEncodeComponent(value);
        }
    }
    json::array links{json::object{{"relation", "self"}, {"url", self}}};
    if (const json::value& next = page.at("nextCursor"); next.is_string()) {
        links.push_back(
            json::object{{"relation", "next"},
                         {"url", self + "&_cursor=" + UrlEncodeComponent(next.get_string())}});
    }
    return FhirResponse(200, json::object{{"resourceType", "Bundle"},
                                          {"type", "searchset"},
                                          {"link", std::move(links)},
                                          {"entry", std::move(entries)}});
}

// Patient/{id}/$everything: the patient and every resource about them the caller may see, as a
// searchset Bundle (at most kMaxListLimit of each type; types the caller may not read are left
// out, as in the member 360).
Result<HttpResponse> Everything(records::RecordService& records, const HttpRequest& request,
                                const Actor& actor, const std::string& base) {
    P360_TRY(OnlyQueryParameters(request, {}));
    const std::string id(request.PathParam("id"));
    P360_ASSIGN_OR_RETURN(json::object person, records.Get(actor, "Person", id));
    json::array entries;
    LinkedRecords linked;
    auto add = [&](const ResourceType& type, const json::object& record) {
        json::object resource = ToResource(records, actor, type, record, &linked);
        const std::string url =
            base + "/" + std::string(type.name) + "/" + std::string(resource.at("id").as_string());
        entries.push_back(json::object{
            {"fullUrl", url}, {"resource", std::move(resource)}, {"search", {{"mode", "match"}}}});
    };
    add(kResourceTypes[0], person);
    for (const ResourceType& type : kResourceTypes) {
        if (type.member_field.empty() || type.member_field == "id") {
            continue;
        }
        query::ListRequest list;
        list.filter = std::string(type.member_field) + " = " + query::QuoteText(id);
        if (!type.records_filter.empty()) {
            list.filter += " and " + std::string(type.records_filter);
        }
        list.limit = query::kMaxListLimit;
        auto page = records.List(actor, type.object, list);
        if (!page.ok()) {
            if (page.error().code == ErrorCode::kPermissionDenied) {
                continue;  // a part the caller may not see is left out
            }
            return page.error();
        }
        for (const json::value& record : page->at("items").as_array()) {
            add(type, record.as_object());
        }
    }
    return FhirResponse(200, json::object{{"resourceType", "Bundle"},
                                          {"type", "searchset"},
                                          {"total", static_cast<std::int64_t>(entries.size())},
                                          {"entry", std::move(entries)}});
}

// ---- POST /fhir/r4: transaction and batch Bundles ----

using formats::fhir::BundleEntry;
using formats::fhir::BundleType;
using records::RecordChange;

// A resource about another entry's record or a record of payer360 (an ExplanationOfBenefit naming
// its claim) updates that record: found by the other entry's key, or by id.
void WriteToNamedRecord(const formats::fhir::Bundle& bundle,
                        const formats::fhir::ResolvedReference& reference, RecordChange& change,
                        std::vector<FieldError>& errors) {
    change.update = true;
    if (!reference.entry) {
        change.key_field = "id";
        change.key = reference.id;
        change.create = false;
        return;
    }
    const BundleEntry& target = bundle.entries[*reference.entry];
    if (!target.target_id.empty()) {
        change.key_field = "id";
        change.key = target.target_id;
        change.create = false;
    } else if (target.key) {
        change.key_field = target.key->field;
        change.key = target.key->value;
    } else {
        errors.push_back({reference.pointer,
                          "The entry this names has no identifier and no fullUrl to find its "
                          "record by.",
                          {}});
    }
}

// The entry's record change. Conditional and identified POSTs leave a record that exists as it
// is; PUTs update (a conditional PUT creates when nothing matches).
Result<RecordChange> ChangeOf(records::RecordService& records, const Actor& actor,
                              const formats::fhir::Bundle& bundle, const BundleEntry& entry) {
    const formats::fhir::DecodedResource& resource = *entry.resource;
    RecordChange change{.object = resource.object, .fields = resource.fields};
    if (!entry.target_id.empty()) {
        change.key_field = "id";
        change.key = entry.target_id;
        change.create = false;
    } else if (entry.key) {
        change.key_field = entry.key->field;
        change.key = entry.key->value;
        change.update = entry.method == "PUT";
    } else {
        change.key_field = "id";  // nothing to find it by: always a new record
    }
    std::vector<FieldError> errors;
    for (const formats::fhir::ResolvedReference& reference : entry.references) {
        if (reference.field == formats::fhir::kSameRecordField) {
            WriteToNamedRecord(bundle, reference, change, errors);
            continue;
        }
        if (reference.entry) {
            const BundleEntry& target = bundle.entries[*reference.entry];
            if (!target.target_id.empty()) {
                change.fields[reference.field] = target.target_id;
            } else if (target.key) {
                change.references.push_back(
                    {reference.field, reference.object, target.key->field, target.key->value});
            } else {
                errors.push_back({reference.pointer,
                                  "The entry this reference names has no identifier and no "
                                  "fullUrl to find its record by.",
                                  {}});
            }
        } else if (!reference.id.empty()) {
            change.fields[reference.field] = reference.id;
        } else {
            change.references.push_back(
                {reference.field, reference.object, reference.key.field, reference.key.value});
        }
    }
    // A coverage's line of business is its plan's.
    if (resource.object == "MemberPlan" && !change.fields.contains("lineOfBusiness")) {
        for (const formats::fhir::ResolvedReference& reference : entry.references) {
            if (reference.field != "plan" || reference.key.field != "planCode") {
                continue;
            }
            query::ListRequest find{.filter = "planCode = " + query::QuoteText(reference.key.value),
                                    .fields = {"lineOfBusiness"},
                                    .limit = 1};
            P360_ASSIGN_OR_RETURN(json::object plans, records.List(actor, "Plan", find));
            const json::array& items = plans.at("items").as_array();
            if (items.empty()) {
                errors.push_back(
                    {reference.pointer, "No plan has this plan code: set the plan up first.", {}});
            } else if (const json::value* line = items[0].as_object().if_contains("lineOfBusiness");
                       line != nullptr && line->is_string()) {
                change.fields["lineOfBusiness"] = *line;
            }
        }
    }
    if (!errors.empty()) {
        return Error::Validation(std::move(errors));
    }
    return change;
}

// Where a change of a change set came from: its entry, and the part of the entry's resource (an
// item) when the change is one.
struct ChangeOrigin {
    std::size_t entry = 0;
    const formats::fhir::DecodedPart* part = nullptr;
};

// The first record of `object` the filter finds that the caller may read, by id.
std::optional<std::string> FindId(records::RecordService& records, const Actor& actor,
                                  std::string_view object, std::string filter) {
    query::ListRequest find{.filter = std::move(filter), .limit = 1};
    auto page = records.List(actor, object, find);
    if (!page.ok() || page->at("items").as_array().empty()) {
        return std::nullopt;  // not there, or not the caller's: applying the change will tell
    }
    return std::string(page->at("items").at(0).at("id").as_string());
}

// A part's record (a claim's line), given its owner and the owner's member. The part of an owner
// that exists already is found by its position in the owner (a claim's line number), however the
// owner was named this time; a new part is keyed by its owner's key and its own suffix.
Result<RecordChange> PartChange(records::RecordService& records, const Actor& actor,
                                const BundleEntry& entry, const RecordChange& owner,
                                const std::optional<std::string>& owner_id,
                                const formats::fhir::DecodedPart& part) {
    RecordChange change{.object = part.object, .fields = part.fields};
    change.update = owner.update;
    if (owner.key.empty()) {
        return Error::Validation({{entry.pointer + "/resource/identifier",
                                   "A resource whose items are kept needs an identifier or a "
                                   "fullUrl, to find its items again.",
                                   {}}});
    }
    change.key_field = "sourceId";
    change.key = owner.key + part.key_suffix;
    if (owner_id) {
        change.fields[part.owner_field] = *owner_id;
        const json::value* position = part.fields.if_contains(part.position_field);
        if (position != nullptr) {
            if (auto existing =
                    FindId(records, actor, part.object,
                           part.owner_field + " = " + query::QuoteText(*owner_id) + " and " +
                               part.position_field + " = " + json::serialize(*position))) {
                change.key_field = "id";
                change.key = *existing;
                change.create = false;
            }
        }
    } else {
        change.references.push_back({part.owner_field, owner.object, owner.key_field, owner.key});
    }
    if (const json::value* person = owner.fields.if_contains("person")) {
        change.fields["person"] = *person;
    }
    for (const records::KeyReference& reference : owner.references) {
        if (reference.field == "person") {
            change.references.push_back(reference);
        }
    }
    return change;
}

// The changes of one entry: its own record's, then those of the records it holds.
Result<std::vector<RecordChange>> EntryChanges(records::RecordService& records, const Actor& actor,
                                               const formats::fhir::Bundle& bundle,
                                               const BundleEntry& entry) {
    P360_ASSIGN_OR_RETURN(RecordChange change, ChangeOf(records, actor, bundle, entry));
    std::vector<RecordChange> changes{std::move(change)};
    if (entry.resource->parts.empty()) {
        return changes;
    }
    const RecordChange& owner = changes[0];
    const std::optional<std::string> owner_id =
        owner.key_field == "id" ? std::optional<std::string>(owner.key)
                                : FindId(records, actor, owner.object,
                                         owner.key_field + " = " + query::QuoteText(owner.key));
    for (const formats::fhir::DecodedPart& part : entry.resource->parts) {
        P360_ASSIGN_OR_RETURN(RecordChange part_change,
                              PartChange(records, actor, entry, changes[0], owner_id, part));
        changes.push_back(std::move(part_change));
    }
    return changes;
}

// Where each change of `changes` came from, for an entry whose changes are EntryChanges'.
void AddOrigins(std::size_t entry_idx, const BundleEntry& entry,
                std::vector<ChangeOrigin>& origins) {
    origins.push_back({entry_idx, nullptr});
    for (const formats::fhir::DecodedPart& part : entry.resource->parts) {
        origins.push_back({entry_idx, &part});
    }
}

// Rewrites the change set's locations (`changes[2].birthDate`) as JSON pointers into the
// Bundle (`/entry/5/resource/birthDate`).
Error AtEntries(Error error, const formats::fhir::Bundle& bundle,
                const std::vector<ChangeOrigin>& origin_of_change) {
    auto rewrite = [&](const std::string& location) -> std::string {
        if (!location.starts_with("changes[")) {
            return location;
        }
        const auto close = location.find(']');
        std::size_t change_idx = origin_of_change.size();
        if (close != std::string::npos) {
            std::from_chars(location.data() + 8, location.data() + close, change_idx);
        }
        if (change_idx >= origin_of_change.size()) {
            return location;
        }
        const ChangeOrigin& origin = origin_of_change[change_idx];
        const BundleEntry& entry = bundle.entries[origin.entry];
        std::string pointer = entry.pointer + "/resource";
        if (close + 1 < location.size() && location[close + 1] == '.') {
            const std::string field = location.substr(close + 2);
            const auto& pointers =
                origin.part != nullptr ? origin.part->pointers : entry.resource->pointers;
            if (auto found = pointers.find(field); found != pointers.end()) {
                pointer += found->second;
            }
        }
        return pointer;
    };
    error.location = rewrite(error.location);
    for (FieldError& field_error : error.field_errors) {
        field_error.field = rewrite(field_error.field);
    }
    return error;
}

std::string StatusLine(const Error& error) {
    const int status = http::HttpStatusOf(error.code);
    return std::to_string(status) + (status == 403   ? " Forbidden"
                                     : status == 404 ? " Not Found"
                                     : status == 409 ? " Conflict"
                                     : status < 500  ? " Bad Request"
                                                     : " Internal Server Error");
}

json::object EntryResponse(const BundleEntry& entry, const records::ChangeOutcome& outcome) {
    const std::string version = std::to_string(outcome.version);
    return json::object{
        {"response",
         json::object{{"status", outcome.status == "created" ? "201 Created" : "200 OK"},
                      {"location",
                       entry.resource->resource_type + "/" + outcome.id + "/_history/" + version},
                      {"etag", "W/\"" + version + "\""}}}};
}

json::object FailedEntry(const Error& error) {
    return json::object{
        {"response", json::object{{"status", StatusLine(error)}, {"outcome", OutcomeOf(error)}}}};
}

Result<HttpResponse> PostBundle(records::RecordService& records, const HttpRequest& request,
                                const Actor& actor) {
    P360_TRY(OnlyQueryParameters(request, {}));
    if (request.body.empty()) {
        return Error::InvalidArgument("The request needs a Bundle.", "body");
    }
    // The Bundle is parsed into one arena, released at once when the request is answered (the
    // parsed tree takes about twice the text).
    json::monotonic_resource arena(2 * request.body.size() + 4096);
    P360_ASSIGN_OR_RETURN(json::value body, records::ParseJson(request.body, "body", &arena));
    P360_ASSIGN_OR_RETURN(formats::fhir::Bundle bundle, formats::fhir::ReadBundle(body));
    json::array responses;
    if (bundle.type == BundleType::kBatch) {
        // Each entry on its own: one change set each, failures answered in place.
        for (const BundleEntry& entry : bundle.entries) {
            if (!entry.errors.empty()) {
                responses.push_back(FailedEntry(Error::Validation(entry.errors)));
                continue;
            }
            auto changes = EntryChanges(records, actor, bundle, entry);
            if (!changes.ok()) {
                responses.push_back(FailedEntry(changes.error()));
                continue;
            }
            auto applied = records.ApplyChanges(actor, *changes);
            if (!applied.ok()) {
                std::vector<ChangeOrigin> origins;
                AddOrigins(static_cast<std::size_t>(&entry - &bundle.entries[0]), entry, origins);
                responses.push_back(FailedEntry(AtEntries(applied.error(), bundle, origins)));
                continue;
            }
            responses.push_back(EntryResponse(entry, applied->changes.at(0)));
        }
        return FhirResponse(200, json::object{{"resourceType", "Bundle"},
                                              {"type", "batch-response"},
                                              {"entry", std::move(responses)}});
    }
    // A transaction: every entry in one change set, all or nothing.
    std::vector<FieldError> errors;
    for (const BundleEntry& entry : bundle.entries) {
        errors.insert(errors.end(), entry.errors.begin(), entry.errors.end());
    }
    if (!errors.empty()) {
        return Error::Validation(std::move(errors));
    }
    std::vector<RecordChange> changes;
    std::vector<ChangeOrigin> origin_of_change;
    for (std::size_t entry_idx = 0; entry_idx < bundle.entries.size(); ++entry_idx) {
        auto entry_changes = EntryChanges(records, actor, bundle, bundle.entries[entry_idx]);
        if (!entry_changes.ok()) {
            if (entry_changes.error().code != ErrorCode::kInvalidArgument) {
                return entry_changes.error();
            }
            errors.insert(errors.end(), entry_changes.error().field_errors.begin(),
                          entry_changes.error().field_errors.end());
            continue;
        }
        std::move(entry_changes->begin(), entry_changes->end(), std::back_inserter(changes));
        AddOrigins(entry_idx, bundle.entries[entry_idx], origin_of_change);
    }
    if (!errors.empty()) {
        return Error::Validation(std::move(errors));
    }
    auto applied = records.ApplyChanges(actor, changes);
    if (!applied.ok()) {
        return AtEntries(applied.error(), bundle, origin_of_change);
    }
    // One response per entry: its own record's change (the first of the entry's changes).
    for (std::size_t change_idx = 0; change_idx < applied->changes.size(); ++change_idx) {
        if (origin_of_change[change_idx].part == nullptr) {
            responses.push_back(EntryResponse(bundle.entries[origin_of_change[change_idx].entry],
                                              applied->changes[change_idx]));
        }
    }
    return FhirResponse(200, json::object{{"resourceType", "Bundle"},
                                          {"type", "transaction-response"},
                                          {"entry", std::move(responses)}});
}

// The Bulk Data operations (fhir_bulk_routes.hpp), as the Bulk Data Access IG names them.
json::array BulkOperations() {
    json::array operations;
    for (const auto& [name, definition] :
         std::initializer_list<std::pair<const char*, const char*>>{
             {"export", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"},
             {"patient-export",
              "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"},
             {"import", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/import"}}) {
        operations.push_back(json::object{{"name", name}, {"definition", definition}});
    }
    return operations;
}

json::object CapabilityStatement(std::string_view software_date) {
    json::array search_params;
    for (const auto& [name, type] :
         std::initializer_list<std::pair<const char*, const char*>>{{"_id", "token"},
                                                                    {"_lastUpdated", "date"},
                                                                    {"identifier", "token"},
                                                                    {"name", "string"},
                                                                    {"family", "string"},
                                                                    {"given", "string"},
                                                                    {"birthdate", "date"},
                                                                    {"gender", "token"}}) {
        search_params.push_back(json::object{{"name", name}, {"type", type}});
    }
    json::array resources;
    for (const ResourceType& type : kResourceTypes) {
        json::array params = json::array{json::object{{"name", "_id"}, {"type", "token"}},
                                         json::object{{"name", "_lastUpdated"}, {"type", "date"}}};
        if (type.name == "Patient") {
            params = search_params;
        } else if (!type.member_field.empty()) {
            params.push_back(json::object{{"name", "patient"}, {"type", "reference"}});
        } else if (type.name == "PractitionerRole") {
            params.push_back(json::object{{"name", "practitioner"}, {"type", "reference"}});
        }
        if (type.name != "Patient" && Importable(type)) {
            params.push_back(json::object{{"name", "identifier"}, {"type", "token"}});
        }
        if (!type.name_filter.empty() && type.name != "Patient") {
            params.push_back(json::object{{"name", "name"}, {"type", "string"}});
        }
        resources.push_back(json::object{
            {"type", type.name},
            {"interaction",
             json::array{json::object{{"code", "read"}}, json::object{{"code", "search-type"}}}},
            {"searchParam", std::move(params)}});
    }
    return json::object{
        {"resourceType", "CapabilityStatement"},
        {"status", "active"},
        {"date", software_date},
        {"kind", "instance"},
        {"software", {{"name", "payer360"}}},
        {"implementation", {{"description", "payer360 FHIR R4 API"}}},
        {"fhirVersion", "4.0.1"},
        {"format", json::array{json::value("json")}},
        {"rest",
         json::array{json::object{{"mode", "server"},
                                  {"security",
                                   {{"description",
                                     "Bearer tokens from POST /api/v1/auth/login; the caller's "
                                     "access rules apply to every resource."}}},
                                  {"resource", std::move(resources)},
                                  {"interaction", json::array{json::object{{"code", "transaction"}},
                                                              json::object{{"code", "batch"}}}},
                                  {"operation", BulkOperations()}}}}};
}

}  // namespace

namespace detail {

std::vector<FhirResourceType> FhirResourceTypes() {
    std::vector<FhirResourceType> types;
    for (const ResourceType& type : kResourceTypes) {
        types.push_back({type.name, type.object, type.member_field, type.records_filter});
    }
    return types;
}

json::object FhirResourceOf(records::RecordService& records, const Actor& actor,
                            std::string_view type_name, const json::object& record,
                            LinkedRecords* linked) {
    for (const ResourceType& type : kResourceTypes) {
        if (type.name == type_name) {
            return ToResource(records, actor, type, record, linked);
        }
    }
    return {};
}

Result<records::RecordChange> FhirChangeOf(records::RecordService& records, const Actor& actor,
                                           const formats::fhir::Bundle& bundle,
                                           const formats::fhir::BundleEntry& entry) {
    return ChangeOf(records, actor, bundle, entry);
}

json::object FhirOutcomeOf(const Error& error) { return OutcomeOf(error); }

HttpResponse FhirResponse(int status, const json::object& resource) {
    HttpResponse response = JsonResponse(status, resource);
    response.content_type = std::string(kFhirJson);
    return response;
}

http::HttpResponse FhirErrorResponse(const Error& error, const HttpRequest& request) {
    return OperationOutcome(error, request);
}

std::string FhirBaseUrl(std::string_view public_url, const HttpRequest& request) {
    return BaseUrl(public_url, request);
}

std::string UrlEncodeComponent(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string encoded;
    for (unsigned char c : text) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            encoded.push_back(static_cast<char>(c));
        } else {
            encoded.push_back('%');
            encoded.push_back(kHex[c >> 4]);
            encoded.push_back(kHex[c & 15U]);
        }
    }
    return encoded;
}

}  // namespace detail

void RegisterFhirRoutes(http::Router& router, const PlatformServices& services) {
    records::RecordService& records = services.records;
    router.Add("GET", "/fhir/r4/metadata", [](const HttpRequest&) {
        return FhirResponse(200, CapabilityStatement("2026-11-26"));
    });
    router.Add("POST", "/fhir/r4",
               Authenticated(
                   services.auth,
                   [&records](const HttpRequest& request, const Actor& actor) {
                       return PostBundle(records, request, actor);
                   },
                   OperationOutcome),
               http::RouteOptions{.max_body_bytes = 64u << 20});
    router.Add("GET", "/fhir/r4/Patient/{id}/$everything",
               Authenticated(
                   services.auth,
                   [&records, &services](const HttpRequest& request, const Actor& actor) {
                       return Everything(records, request, actor,
                                         BaseUrl(services.public_url, request));
                   },
                   OperationOutcome));
    for (const ResourceType& type : kResourceTypes) {
        const std::string base = "/fhir/r4/" + std::string(type.name);
        router.Add("GET", base + "/{id}",
                   Authenticated(
                       services.auth,
                       [&records, &type](const HttpRequest& request,
                                         const Actor& actor) -> Result<HttpResponse> {
                           P360_ASSIGN_OR_RETURN(
                               json::object record,
                               ReadRecord(records, actor, type, request.PathParam("id")));
                           return FhirResponse(200, ToResource(records, actor, type, record));
                       },
                       OperationOutcome));
        router.Add(
            "GET", base,
            Authenticated(
                services.auth,
                [&records, &type, &services](const HttpRequest& request, const Actor& actor) {
                    return Search(records, type, request, actor,
                                  BaseUrl(services.public_url, request));
                },
                OperationOutcome));
    }
}

}  // namespace p360::api
