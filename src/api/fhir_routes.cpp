#include "api/fhir_routes.hpp"

#include <charconv>
#include <optional>

#include "api/api_support.hpp"
#include "formats/fhir/patient.hpp"
#include "formats/fhir/resources.hpp"
#include "http/problem.hpp"
#include "query/parser.hpp"

namespace p360::api {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using security::Actor;

constexpr std::string_view kFhirJson = "application/fhir+json";
constexpr int kDefaultCount = 20;

HttpResponse FhirResponse(int status, const json::object& resource) {
    HttpResponse response = JsonResponse(status, resource);
    response.content_type = std::string(kFhirJson);
    return response;
}

// FHIR answers errors with an OperationOutcome; the HTTP status is the platform's for the code.
HttpResponse OperationOutcome(const Error& error, const HttpRequest& request) {
    const std::string code = error.code == ErrorCode::kNotFound           ? "not-found"
                             : error.code == ErrorCode::kUnauthenticated  ? "login"
                             : error.code == ErrorCode::kPermissionDenied ? "forbidden"
                             : error.code == ErrorCode::kInvalidArgument  ? "invalid"
                                                                          : "exception";
    json::array issues;
    auto issue = [&](const std::string& diagnostics, const std::string& location) {
        json::object entry{{"severity", "error"}, {"code", code}, {"diagnostics", diagnostics}};
        if (!location.empty()) {
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
    HttpResponse response = FhirResponse(
        http::HttpStatusOf(error.code),
        json::object{{"resourceType", "OperationOutcome"}, {"issue", std::move(issues)}});
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

// identifier=[system|]value: a system payer360 keeps, or any of them.
Result<std::string> IdentifierTerm(std::string_view value) {
    const auto bar = value.find('|');
    if (bar == std::string_view::npos) {
        std::string any;
        for (std::string_view system : {formats::fhir::kSourceIdSystem, formats::fhir::kMbiSystem,
                                        formats::fhir::kMedicaidSystem}) {
            any += (any.empty() ? "(" : " or ") +
                   std::string(formats::fhir::PersonFieldForIdentifierSystem(system)) + " = " +
                   query::QuoteText(value);
        }
        return any + ")";
    }
    const std::string_view field =
        formats::fhir::PersonFieldForIdentifierSystem(value.substr(0, bar));
    if (field.empty()) {
        return std::string("id = ''");  // a system payer360 keeps nothing under: no match
    }
    return std::string(field) + " = " + query::QuoteText(value.substr(bar + 1));
}

// The payer360 object behind a FHIR resource type, and how its records become resources.
struct ResourceType {
    std::string_view name;          // Patient, Coverage, …
    std::string_view object;        // Person, MemberPlan, …
    std::string_view member_field;  // the reference to the member: what `patient` searches
    std::string_view name_filter;   // what `name` searches ("" = no name search)
};

// Member-centred types first (Patient/$everything walks them), then the directory.
constexpr ResourceType kResourceTypes[] = {
    {"Patient", "Person", "id", ""},
    {"Coverage", "MemberPlan", "person", ""},
    {"Condition", "Condition", "person", ""},
    {"MedicationRequest", "Medication", "person", ""},
    {"Organization", "Account", "", "name"},
    {"Practitioner", "Provider", "", "lastName"},
    {"Location", "ProviderLocation", "", "name"},
};

// A Patient reference as a search value: `Patient/<id>` or `<id>`.
std::string PatientId(std::string_view value) {
    constexpr std::string_view kPrefix = "Patient/";
    return std::string(value.starts_with(kPrefix) ? value.substr(kPrefix.size()) : value);
}

// The Patient-only search parameters.
Result<std::optional<std::string>> PatientTerm(const std::string& name, const std::string& value) {
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
        P360_ASSIGN_OR_RETURN(auto term, IdentifierTerm(value));
        return std::optional<std::string>(std::move(term));
    }
    return std::optional<std::string>();
}

// The search parameters of a request as one filter over the type's object.
Result<std::string> SearchFilter(const ResourceType& type, const HttpRequest& request) {
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
        if ((name == "patient" || name == "subject" || name == "beneficiary") &&
            !type.member_field.empty() && type.member_field != "id") {
            terms.push_back(std::string(type.member_field) + " = " +
                            query::QuoteText(PatientId(value)));
            continue;
        }
        std::optional<std::string> term;
        if (type.name == "Patient") {
            P360_ASSIGN_OR_RETURN(term, PatientTerm(name, value));
        } else if (name == "name" && !type.name_filter.empty()) {
            term = std::string(type.name_filter) + " startsWith " + query::QuoteText(value);
        }
        if (!term) {
            return Error::InvalidArgument(
                "Unknown search parameter " + name + " for " + std::string(type.name) + ".", name);
        }
        terms.push_back(std::move(*term));
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

std::string BaseUrl(const HttpRequest& request) {
    return "http://" + std::string(request.Header("host").value_or("localhost")) + "/fhir/r4";
}

// The resource a record becomes; a Coverage also shows its plan, if the caller may read it.
json::object ToResource(records::RecordService& records, const Actor& actor,
                        const ResourceType& type, const json::object& record) {
    if (type.name == "Patient") {
        return formats::fhir::PatientFromPerson(record);
    }
    if (type.name == "Coverage") {
        std::optional<json::object> plan;
        if (const json::value* plan_id = record.if_contains("plan");
            plan_id && plan_id->is_string()) {
            auto found = records.Get(actor, "Plan", plan_id->get_string());
            if (found.ok()) {
                plan = std::move(found).value();
            }
        }
        return formats::fhir::CoverageFromMemberPlan(record, plan ? &*plan : nullptr);
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
    return formats::fhir::MedicationRequestFromMedication(record);
}

Result<HttpResponse> Search(records::RecordService& records, const ResourceType& type,
                            const HttpRequest& request, const Actor& actor) {
    query::ListRequest list;
    P360_ASSIGN_OR_RETURN(list.filter, SearchFilter(type, request));
    P360_ASSIGN_OR_RETURN(list.limit, CountOf(request));
    list.cursor = request.Query("_cursor").value_or("");
    P360_ASSIGN_OR_RETURN(json::object page, records.List(actor, type.object, list));
    const std::string base = BaseUrl(request);
    json::array entries;
    for (const json::value& record : page.at("items").as_array()) {
        json::object resource = ToResource(records, actor, type, record.as_object());
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
                                const Actor& actor) {
    P360_TRY(OnlyQueryParameters(request, {}));
    const std::string id(request.PathParam("id"));
    P360_ASSIGN_OR_RETURN(json::object person, records.Get(actor, "Person", id));
    const std::string base = BaseUrl(request);
    json::array entries;
    auto add = [&](const ResourceType& type, const json::object& record) {
        json::object resource = ToResource(records, actor, type, record);
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

json::object CapabilityStatement(std::string_view software_date) {
    json::array search_params;
    for (const auto& [name, type] :
         std::initializer_list<std::pair<const char*, const char*>>{{"_id", "token"},
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
        json::array params = json::array{json::object{{"name", "_id"}, {"type", "token"}}};
        if (type.name == "Patient") {
            params = search_params;
        } else if (!type.member_field.empty()) {
            params.push_back(json::object{{"name", "patient"}, {"type", "reference"}});
        } else {
            params.push_back(json::object{{"name", "name"}, {"type", "string"}});
        }
        resources.push_back(json::object{
            {"type", type.name},
            {"interaction",
             json::array{json::object{{"code", "read"}}, json::object{{"code", "search-type"}}}},
            {"searchParam", std::move(params)}});
    }
    return json::object{{"resourceType", "CapabilityStatement"},
                        {"status", "active"},
                        {"date", software_date},
                        {"kind", "instance"},
                        {"software", {{"name", "payer360"}}},
                        {"implementation", {{"description", "payer360 FHIR R4 API"}}},
                        {"fhirVersion", "4.0.1"},
                        {"format", json::array{json::value("json")}},
                        {"rest", json::array{json::object{
                                     {"mode", "server"},
                                     {"security",
                                      {{"description",
                                        "Bearer tokens from POST /api/v1/auth/login; the caller's "
                                        "access rules apply to every resource."}}},
                                     {"resource", std::move(resources)}}}}};
}

}  // namespace

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

void RegisterFhirRoutes(http::Router& router, const PlatformServices& services) {
    records::RecordService& records = services.records;
    router.Add("GET", "/fhir/r4/metadata", [](const HttpRequest&) {
        return FhirResponse(200, CapabilityStatement("2026-11-26"));
    });
    router.Add("GET", "/fhir/r4/Patient/{id}/$everything",
               Authenticated(
                   services.auth,
                   [&records](const HttpRequest& request, const Actor& actor) {
                       return Everything(records, request, actor);
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
                               records.Get(actor, type.object, request.PathParam("id")));
                           return FhirResponse(200, ToResource(records, actor, type, record));
                       },
                       OperationOutcome));
        router.Add("GET", base,
                   Authenticated(
                       services.auth,
                       [&records, &type](const HttpRequest& request, const Actor& actor) {
                           return Search(records, type, request, actor);
                       },
                       OperationOutcome));
    }
}

}  // namespace p360::api
