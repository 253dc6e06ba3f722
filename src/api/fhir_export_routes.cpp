// $export: what a kick-off asks for, checked against what the caller may read, and the job that
// writes one NDJSON file per resource type, reading and encoding pages on two cores.
#include <algorithm>
#include <future>

#include "api/fhir_bulk_requests.hpp"
#include "api/fhir_resources.hpp"
#include "core/ids.hpp"
#include "core/time_format.hpp"
#include "query/parser.hpp"
#include "records/record_codec.hpp"

namespace p360::api::detail {
namespace {

// The parameters of an export kick-off, from the query string or a POSTed Parameters resource.
struct ExportParameters {
    std::vector<std::pair<std::string, std::string>> values;
};

Result<ExportParameters> ExportParametersOf(const HttpRequest& request) {
    ExportParameters parameters{request.query};
    if (request.method != "POST" || request.body.empty()) {
        return parameters;
    }
    P360_ASSIGN_OR_RETURN(json::value body, records::ParseJson(request.body, "body"));
    const json::object* resource = body.if_object();
    const json::value* items = resource != nullptr ? resource->if_contains("parameter") : nullptr;
    if (resource == nullptr || !resource->contains("resourceType") ||
        resource->at("resourceType") != "Parameters") {
        return Error::InvalidArgument("A POSTed export takes a Parameters resource.",
                                      "/resourceType");
    }
    if (items == nullptr) {
        return parameters;
    }
    if (!items->is_array()) {
        return Error::InvalidArgument("parameter must be an array.", "/parameter");
    }
    for (std::size_t item_idx = 0; item_idx < items->get_array().size(); ++item_idx) {
        const json::value& item = items->get_array()[item_idx];
        const std::string at = "/parameter/" + std::to_string(item_idx);
        const json::object* object = item.if_object();
        const json::value* name = object != nullptr ? object->if_contains("name") : nullptr;
        const json::value* value = nullptr;
        for (const char* key : {"valueString", "valueInstant", "valueCode"}) {
            if (object != nullptr && value == nullptr) {
                value = object->if_contains(key);
            }
        }
        if (name == nullptr || !name->is_string() || value == nullptr || !value->is_string()) {
            return Error::InvalidArgument(
                "Each parameter needs a name and a valueString, valueInstant or valueCode.", at);
        }
        parameters.values.emplace_back(std::string(name->get_string()),
                                       std::string(value->get_string()));
    }
    return parameters;
}

// What an export was asked for, checked.
struct ExportPlan {
    bool patient_level = false;
    std::vector<std::string> types;
    std::string since;  // canonical UTC datetime; empty = everything
};

Status CheckOutputFormat(std::string_view format) {
    static constexpr std::string_view kAliases[] = {"application/fhir+ndjson", "application/ndjson",
                                                    "ndjson"};
    for (std::string_view alias : kAliases) {
        if (format == alias) {
            return Ok();
        }
    }
    return Error::InvalidArgument(
        "_outputFormat must be application/fhir+ndjson (or application/ndjson, ndjson).",
        "_outputFormat");
}

// The types an export may hold: every type, or (Patient level) the member-centred ones.
std::vector<FhirResourceType> ExportableTypes(bool patient_level) {
    std::vector<FhirResourceType> types;
    for (const FhirResourceType& type : FhirResourceTypes()) {
        if (!patient_level || !type.member_field.empty()) {
            types.push_back(type);
        }
    }
    return types;
}

Result<ExportPlan> PlanExport(const ExportParameters& parameters, bool patient_level) {
    ExportPlan plan{.patient_level = patient_level};
    const std::vector<FhirResourceType> exportable = ExportableTypes(patient_level);
    for (const auto& [name, value] : parameters.values) {
        if (name == "_outputFormat") {
            P360_TRY(CheckOutputFormat(value));
        } else if (name == "_since") {
            const std::optional<std::string> since = NormalizeDateTime(value);
            if (!since || value.size() < 20) {
                return Error::InvalidArgument(
                    "_since must be an instant with a time zone, e.g. 2026-01-31T12:00:00Z.",
                    "_since");
            }
            plan.since = *since;
        } else if (name == "_type") {
            for (const std::string& type : SplitList(value)) {
                const bool known = std::any_of(
                    exportable.begin(), exportable.end(),
                    [&type](const FhirResourceType& candidate) { return candidate.name == type; });
                if (!known) {
                    return Error::InvalidArgument(
                        "_type names " + type + ", which this export does not hold.", "_type");
                }
                plan.types.push_back(type);
            }
        } else {
            return Error::InvalidArgument("Unsupported export parameter " + name +
                                              " (supported: _type, _since, "
                                              "_outputFormat).",
                                          name);
        }
    }
    return plan;
}

// The types of the plan the caller may read: a type they named and may not read refuses the
// export, as a search would; a type they did not name is left out, as in $everything.
Status KeepReadableTypes(const Bulk& bulk, const Actor& actor, ExportPlan& plan) {
    const bool named = !plan.types.empty();
    std::vector<std::string> candidates = plan.types;
    if (!named) {
        for (const FhirResourceType& type : ExportableTypes(plan.patient_level)) {
            candidates.emplace_back(type.name);
        }
    }
    const auto catalog = bulk.metadata.Current();
    plan.types.clear();
    for (const FhirResourceType& type : FhirResourceTypes()) {
        if (std::find(candidates.begin(), candidates.end(), type.name) == candidates.end()) {
            continue;
        }
        const metadata::ObjectDef* object = catalog->FindObject(type.object);
        Status readable = object == nullptr ? Status(Error::NotFound("No such object."))
                                            : bulk.authorizer.CheckObject(
                                                  actor, *object, security::Operation::kRead);
        if (readable.ok()) {
            plan.types.emplace_back(type.name);
        } else if (named) {
            return Error::PermissionDenied("You may not read " + std::string(type.name) + ".");
        }
    }
    if (plan.types.empty()) {
        return Error::PermissionDenied("You may not read any of the resource types exported.");
    }
    return Ok();
}

// A page of records as NDJSON lines.
struct EncodedPage {
    std::string lines;
    std::int64_t count = 0;
};

// The next page's cursor, handed over as soon as a page is read; nothing after the last page.
using NextCursor = std::optional<std::string>;

// Reads the page at `request` and encodes it. The next page's cursor goes to `next` as soon as
// the page is read, so that the next page is read and encoded while this one still is: the
// two pages keep a core each.
Result<EncodedPage> EncodePage(const Bulk& bulk, const Actor& actor, FhirResourceType type,
                               query::ListRequest request, std::promise<NextCursor> next) {
    auto text = bulk.records.ListJson(actor, type.object, request);
    if (!text.ok()) {
        next.set_value(std::nullopt);
        return text.error();
    }
    // Parsed into an arena released at once with the page.
    json::monotonic_resource arena(2 * text->size() + 4096);
    auto page = records::ParseJson(*text, "page", &arena);
    if (!page.ok()) {
        next.set_value(std::nullopt);
        return page.error();
    }
    const json::value& cursor = page->at("nextCursor");
    next.set_value(cursor.is_string() ? NextCursor(std::string(cursor.get_string()))
                                      : std::nullopt);
    const json::array& items = page->at("items").as_array();
    EncodedPage encoded;
    encoded.lines.reserve(text->size());
    encoded.count = static_cast<std::int64_t>(items.size());
    LinkedRecords linked;  // a page's coverages mostly share a few plans
    json::serializer serializer;
    for (const json::value& record : items) {
        NdjsonFile::AppendLine(
            encoded.lines,
            FhirResourceOf(bulk.records, actor, type.name, record.as_object(), &linked),
            serializer);
    }
    return encoded;
}

// A page being read and encoded, and the cursor of the one after it.
struct PageInProgress {
    std::future<NextCursor> next_cursor;
    std::future<Result<EncodedPage>> encoded;
};

PageInProgress StartPage(const Bulk& bulk, const Actor& actor, const FhirResourceType& type,
                         const query::ListRequest& request) {
    std::promise<NextCursor> next;
    PageInProgress page;
    page.next_cursor = next.get_future();
    page.encoded = std::async(std::launch::async, EncodePage, std::cref(bulk), std::cref(actor),
                              type, request, std::move(next));
    return page;
}

// One type's records, page by page, as one NDJSON file. Returns the count, or nothing when the
// request was cancelled.
Result<std::optional<std::int64_t>> ExportType(const Bulk& bulk, const Actor& actor,
                                               const FhirResourceType& type,
                                               const std::string& since, const fs::path& path,
                                               ProgressReporter& progress, std::int64_t& total) {
    P360_ASSIGN_OR_RETURN(auto file, NdjsonFile::Create(path));
    query::ListRequest list{.limit = query::kMaxListLimit};
    std::vector<std::string> terms;
    if (!type.records_filter.empty()) {
        terms.emplace_back(type.records_filter);
    }
    if (!since.empty()) {
        terms.push_back("modifiedAt >= " + query::QuoteText(since));
    }
    for (const std::string& term : terms) {
        list.filter += (list.filter.empty() ? "" : " and ") + term;
    }
    PageInProgress page = StartPage(bulk, actor, type, list);
    while (true) {
        // The next page starts as soon as this one is read (an early return waits for it).
        PageInProgress next;
        if (NextCursor cursor = page.next_cursor.get()) {
            list.cursor = std::move(*cursor);
            next = StartPage(bulk, actor, type, list);
        }
        P360_ASSIGN_OR_RETURN(EncodedPage encoded, page.encoded.get());
        P360_TRY(file->Append(encoded.lines, encoded.count));
        total += encoded.count;
        P360_ASSIGN_OR_RETURN(
            bool running,
            progress.Report(std::string(type.name) + ": " + std::to_string(file->lines()) +
                            " resources, " + std::to_string(total) + " in all"));
        if (!running) {
            return std::optional<std::int64_t>();
        }
        if (!next.encoded.valid()) {
            break;
        }
        page = std::move(next);
    }
    P360_TRY(file->Close());
    return std::optional<std::int64_t>(file->lines());
}

}  // namespace

Result<HttpResponse> KickOffExport(const Bulk& bulk, const HttpRequest& request, const Actor& actor,
                                   bool patient_level) {
    P360_TRY(RequireRespondAsync(request));
    P360_ASSIGN_OR_RETURN(ExportParameters parameters, ExportParametersOf(request));
    P360_ASSIGN_OR_RETURN(ExportPlan plan, PlanExport(parameters, patient_level));
    P360_TRY(KeepReadableTypes(bulk, actor, plan));
    P360_TRY(SweepExpired(bulk));
    const std::string id = NewId(kIdPrefix, bulk.services.clock.NowMillis());
    return Accept(bulk, request, actor, kFhirExportJob, id, plan.types,
                  json::object{{"since", plan.since}});
}

Result<std::optional<json::object>> ExportResources(const Bulk& bulk, const automation::Job& job,
                                                    const JobInput& input) {
    const std::string& id = input.request.id;
    const fs::path directory = bulk.DirectoryOf(id);
    std::error_code error;
    fs::remove_all(directory, error);  // what an earlier attempt left
    fs::create_directories(directory, error);
    if (error) {
        return Error::Unavailable("Cannot create the directory of the export files.");
    }
    const std::string since(input.payload.at("since").as_string());
    const std::string base(input.payload.at("base").as_string());
    ProgressReporter progress(bulk, job, id);
    json::array output;
    std::int64_t total = 0;
    for (const json::value& name : input.payload.at("types").as_array()) {
        for (const FhirResourceType& type : FhirResourceTypes()) {
            if (type.name != name.as_string()) {
                continue;
            }
            const std::string file = std::string(type.name) + ".ndjson";
            P360_ASSIGN_OR_RETURN(auto count, ExportType(bulk, input.actor, type, since,
                                                         directory / file, progress, total));
            if (!count) {
                fs::remove_all(directory, error);
                return std::optional<json::object>();
            }
            if (*count == 0) {
                fs::remove(directory / file, error);  // empty types are not listed
                continue;
            }
            output.push_back(json::object{
                {"type", type.name}, {"url", FileUrl(base, id, file)}, {"count", *count}});
        }
    }
    return std::optional<json::object>(Manifest(input, std::move(output), json::array()));
}

}  // namespace p360::api::detail
