#include "api/fhir_routes.hpp"

#include <charconv>

#include "api/api_support.hpp"
#include "formats/fhir/patient.hpp"
#include "http/problem.hpp"

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

std::string Quote(std::string_view text) {
    std::string quoted = "'";
    for (char c : text) {
        quoted += c == '\'' ? std::string("''") : std::string(1, c);
    }
    return quoted + "'";
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
    return std::string(field) + " " + std::string(op) + " " + Quote(value);
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
                   Quote(value);
        }
        return any + ")";
    }
    const std::string_view field =
        formats::fhir::PersonFieldForIdentifierSystem(value.substr(0, bar));
    if (field.empty()) {
        return std::string("id = ''");  // a system payer360 keeps nothing under: no match
    }
    return std::string(field) + " = " + Quote(value.substr(bar + 1));
}

// The search parameters of a Patient search as one filter.
Result<std::string> PatientFilter(const HttpRequest& request) {
    std::vector<std::string> terms;
    for (const auto& [name, value] : request.query) {
        if (name == "_count" || name == "_cursor") {
            continue;
        }
        if (value.empty()) {
            return Error::InvalidArgument("Search parameter " + name + " has no value.", name);
        }
        if (name == "family") {
            terms.push_back("lastName startsWith " + Quote(value));
        } else if (name == "given") {
            terms.push_back("(firstName startsWith " + Quote(value) + " or middleName startsWith " +
                            Quote(value) + ")");
        } else if (name == "name") {
            terms.push_back("(lastName startsWith " + Quote(value) + " or firstName startsWith " +
                            Quote(value) + ")");
        } else if (name == "birthdate") {
            P360_ASSIGN_OR_RETURN(auto term, DateTerm("birthDate", value));
            terms.push_back(std::move(term));
        } else if (name == "gender") {
            terms.push_back("gender = " + Quote(value));
        } else if (name == "identifier") {
            P360_ASSIGN_OR_RETURN(auto term, IdentifierTerm(value));
            terms.push_back(std::move(term));
        } else if (name == "_id") {
            terms.push_back("id = " + Quote(value));
        } else {
            return Error::InvalidArgument("Unknown search parameter " + name + ".", name);
        }
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

Result<HttpResponse> SearchPatients(records::RecordService& records, const HttpRequest& request,
                                    const Actor& actor) {
    query::ListRequest list;
    P360_ASSIGN_OR_RETURN(list.filter, PatientFilter(request));
    P360_ASSIGN_OR_RETURN(list.limit, CountOf(request));
    list.cursor = request.Query("_cursor").value_or("");
    P360_ASSIGN_OR_RETURN(json::object page, records.List(actor, "Person", list));
    const std::string base = BaseUrl(request);
    json::array entries;
    for (const json::value& person : page.at("items").as_array()) {
        json::object patient = formats::fhir::PatientFromPerson(person.as_object());
        const std::string url = base + "/Patient/" + std::string(patient.at("id").as_string());
        entries.push_back(json::object{
            {"fullUrl", url}, {"resource", std::move(patient)}, {"search", {{"mode", "match"}}}});
    }
    std::string self = base + "/Patient?_count=" + std::to_string(list.limit);
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
    json::object patient{{"type", "Patient"},
                         {"interaction", json::array{json::object{{"code", "read"}},
                                                     json::object{{"code", "search-type"}}}},
                         {"searchParam", std::move(search_params)}};
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
                                     {"resource", json::array{std::move(patient)}}}}}};
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
    router.Add(
        "GET", "/fhir/r4/Patient/{id}",
        Authenticated(
            services.auth,
            [&records](const HttpRequest& request, const Actor& actor) -> Result<HttpResponse> {
                P360_ASSIGN_OR_RETURN(json::object person,
                                      records.Get(actor, "Person", request.PathParam("id")));
                return FhirResponse(200, formats::fhir::PatientFromPerson(person));
            },
            OperationOutcome));
    router.Add("GET", "/fhir/r4/Patient",
               Authenticated(
                   services.auth,
                   [&records](const HttpRequest& request, const Actor& actor) {
                       return SearchPatients(records, request, actor);
                   },
                   OperationOutcome));
}

}  // namespace p360::api
