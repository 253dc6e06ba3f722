#include "api/fhir_bulk_routes.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <set>

#include "api/fhir_routes.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/time_format.hpp"
#include "formats/fhir/bundle.hpp"
#include "formats/fhir/decode.hpp"
#include "query/parser.hpp"
#include "records/record_codec.hpp"

namespace p360::api {
namespace {

namespace fs = std::filesystem;
using automation::AsyncRequest;
using http::HttpRequest;
using http::HttpResponse;
using security::Actor;

constexpr std::string_view kNdjson = "application/fhir+ndjson";
constexpr std::string_view kIdPrefix = "blk";
constexpr std::string_view kImportFile = "import.ndjson";
constexpr std::string_view kErrorFile = "OperationOutcome.ndjson";
// The line of an import an OperationOutcome is about (OperationOutcome has no element for it).
constexpr std::string_view kLineExtension =
    "https://payer360.dev/fhir/StructureDefinition/ndjson-line";
// A line's fullUrl when it has an id: how the other lines' `Type/<id>` references find it, and
// the key of a resource that carries no identifier, so importing it again finds its record.
constexpr std::string_view kImportBase = "https://import.payer360.invalid/fhir/";
// Lines decoded and resolved together (one batch Bundle), and changes applied in one write.
constexpr std::size_t kImportChunkLines = 1000;
constexpr std::size_t kImportWriteBatch = 250;
constexpr std::size_t kWriteBufferBytes = 1u << 20;
constexpr std::chrono::seconds kLease{300};
constexpr std::chrono::seconds kLeaseRenewal{60};
constexpr std::chrono::milliseconds kProgressInterval{500};

// Everything a handler or job needs; lives as long as the router and the queue.
struct Bulk {
    records::RecordService& records;
    records::MetadataService& metadata;
    const security::Authorizer& authorizer;
    security::AuthService& auth;
    FhirBulkServices services;
    std::string public_url;  // PlatformServices::public_url

    fs::path DirectoryOf(std::string_view id) const { return services.directory / id; }
    std::int64_t ExpiresAt() const {
        return services.clock.NowMillis() + services.retention.count();
    }
};

json::object Information(const std::string& text) {
    return json::object{{"resourceType", "OperationOutcome"},
                        {"issue", json::array{json::object{{"severity", "information"},
                                                           {"code", "informational"},
                                                           {"diagnostics", text}}}}};
}

// ---- Kick-off parameters ----

Status RequireRespondAsync(const HttpRequest& request) {
    const std::string_view prefer = request.Header("prefer").value_or("");
    if (prefer.find("respond-async") == std::string_view::npos) {
        return Error::InvalidArgument(
            "Bulk requests answer asynchronously: send the header Prefer: respond-async.",
            "Prefer");
    }
    return Ok();
}

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

// ---- Requests and their files ----

std::string StatusUrl(const Bulk& bulk, const HttpRequest& request, std::string_view id) {
    return FhirBaseUrl(bulk.public_url, request) + "/bulk-status/" + std::string(id);
}

// The kick-off as the client sent it, on the same base as the links.
std::string RequestUrl(const Bulk& bulk, const HttpRequest& request) {
    constexpr std::string_view kFhirPath = "/fhir/r4";
    std::string_view path = request.path;
    if (path.starts_with(kFhirPath)) {
        path.remove_prefix(kFhirPath.size());
    }
    std::string url = FhirBaseUrl(bulk.public_url, request) + std::string(path);
    char separator = '?';
    for (const auto& [name, value] : request.query) {
        url += separator + name + "=" + UrlEncodeComponent(value);
        separator = '&';
    }
    return url;
}

// Creates the request and enqueues its job in one transaction, and answers 202.
Result<HttpResponse> Accept(const Bulk& bulk, const HttpRequest& request, const Actor& actor,
                            std::string_view kind, const std::string& id, json::object payload) {
    payload["request"] = id;
    payload["purpose"] = actor.purpose;
    payload["requestId"] = request.request_id;
    AsyncRequest row{.id = id,
                     .kind = std::string(kind),
                     .owner_id = actor.user_id,
                     .request = RequestUrl(bulk, request),
                     .progress = "accepted"};
    P360_TRY(bulk.services.database.Write([&](storage::Connection& connection) -> Status {
        P360_TRY(bulk.services.requests.Create(connection, row));
        P360_TRY(bulk.services.jobs.Enqueue(
            connection,
            {.kind = std::string(kind), .payload = json::serialize(payload), .max_attempts = 3}));
        return Ok();
    }));
    HttpResponse response =
        FhirResponse(202, Information("Accepted: follow " + StatusUrl(bulk, request, id)));
    response.headers.emplace_back("Content-Location", StatusUrl(bulk, request, id));
    return response;
}

// The request `id` if the caller may follow it: its owner or an administrator. Anyone else
// is told there is none, so ids cannot be probed.
Result<AsyncRequest> RequestFor(const Bulk& bulk, std::string_view id, const Actor& actor) {
    if (!IsWellFormedId(id, kIdPrefix)) {
        return Error::NotFound("No bulk request with this id.");
    }
    auto found = bulk.services.requests.Get(id);
    if (!found.ok()) {
        return found.error().code == ErrorCode::kNotFound
                   ? Error::NotFound("No bulk request with this id.")
                   : found.error();
    }
    if (found->owner_id != actor.user_id && !actor.IsAdmin()) {
        return Error::NotFound("No bulk request with this id.");
    }
    if (found->status == automation::kAsyncCancelled) {
        return Error::NotFound("This bulk request was cancelled.");
    }
    return found;
}

// Removes the files and rows of requests whose time is up. Runs as its own job and after
// cancellations; a request still running removes its own files when it sees the cancellation.
Status SweepExpired(const Bulk& bulk) {
    P360_ASSIGN_OR_RETURN(auto expired, bulk.services.requests.Expired(100));
    for (const std::string& id : expired) {
        std::error_code ignored;
        fs::remove_all(bulk.DirectoryOf(id), ignored);
        P360_TRY(bulk.services.requests.Delete(id));
    }
    return Ok();
}

Status EnqueueExpiry(const Bulk& bulk) {
    P360_TRY(bulk.services.jobs.Enqueue(
        {.kind = kFhirBulkExpireJob, .delay_millis = bulk.services.retention.count() + 1000}));
    return Ok();
}

// The user a job acts as, as they are now: a user deactivated since the kick-off may not.
Result<Actor> ActorOf(const Bulk& bulk, const std::string& user_id, const json::object& payload) {
    P360_ASSIGN_OR_RETURN(auto users, bulk.auth.ListUsers());
    for (const security::UserAccount& user : users) {
        if (user.id != user_id) {
            continue;
        }
        if (!user.active) {
            break;
        }
        Actor actor{.user_id = user.id,
                    .username = user.username,
                    .role = user.role,
                    .person_id = user.person_id,
                    .permission_sets = user.permission_sets};
        if (const json::value* purpose = payload.if_contains("purpose");
            purpose && purpose->is_string()) {
            actor.purpose = std::string(purpose->get_string());
        }
        if (const json::value* id = payload.if_contains("requestId"); id && id->is_string()) {
            actor.request_id = std::string(id->get_string());
        }
        return actor;
    }
    return Error::PermissionDenied("The user who made this request is no longer active.");
}

// Writes NDJSON in large blocks: one write per megabyte, whatever the size of the lines.
class NdjsonFile {
public:
    static Result<std::unique_ptr<NdjsonFile>> Create(const fs::path& path) {
        std::FILE* file = std::fopen(path.c_str(), "wb");
        if (file == nullptr) {
            return Error::Unavailable("Cannot create a bulk data file.");
        }
        return std::unique_ptr<NdjsonFile>(new NdjsonFile(file));
    }
    ~NdjsonFile() {
        if (file_ != nullptr) {
            std::fclose(file_);
        }
    }

    Status Add(const json::object& resource) {
        AppendLine(buffer_, resource, serializer_);
        ++lines_;
        return buffer_.size() >= kWriteBufferBytes ? Flush() : Ok();
    }

    // Lines already serialized (each ending in a newline), `count` of them.
    Status Append(std::string_view lines, std::int64_t count) {
        buffer_.append(lines);
        lines_ += count;
        return buffer_.size() >= kWriteBufferBytes ? Flush() : Ok();
    }

    // A resource as one NDJSON line at the end of `out`.
    static void AppendLine(std::string& out, const json::object& resource,
                           json::serializer& serializer) {
        serializer.reset(&resource);
        char block[4096];
        while (!serializer.done()) {
            out.append(serializer.read(block, sizeof block));
        }
        out.push_back('\n');
    }

    // Everything on disk; the file is complete.
    Status Close() {
        P360_TRY(Flush());
        const bool closed = std::fclose(file_) == 0;
        file_ = nullptr;
        return closed ? Ok() : Status(Error::Unavailable("Cannot write a bulk data file."));
    }

    std::int64_t lines() const { return lines_; }

private:
    explicit NdjsonFile(std::FILE* file) : file_(file) { buffer_.reserve(2 * kWriteBufferBytes); }

    Status Flush() {
        if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
            return Error::Unavailable("Cannot write a bulk data file.");
        }
        buffer_.clear();
        return Ok();
    }

    std::FILE* file_;
    json::serializer serializer_;
    std::string buffer_;
    std::int64_t lines_ = 0;
};

// Tells the request how far a job got, at most every kProgressInterval, and keeps its lease;
// false when the request was cancelled meanwhile.
class ProgressReporter {
public:
    ProgressReporter(const Bulk& bulk, const automation::Job& job, std::string id)
        : bulk_(bulk), job_(job), id_(std::move(id)) {}

    Result<bool> Report(const std::string& progress, bool now = false) {
        const auto time = std::chrono::steady_clock::now();
        if (!now && time - last_report_ < kProgressInterval) {
            return true;
        }
        last_report_ = time;
        if (time - last_renewal_ >= kLeaseRenewal) {
            last_renewal_ = time;
            P360_TRY(bulk_.services.jobs.ExtendLease(job_));
        }
        return bulk_.services.requests.Progress(id_, progress);
    }

private:
    const Bulk& bulk_;
    const automation::Job& job_;
    std::string id_;
    std::chrono::steady_clock::time_point last_report_{};
    std::chrono::steady_clock::time_point last_renewal_ = std::chrono::steady_clock::now();
};

std::string FileUrl(std::string_view base, std::string_view id, std::string_view file) {
    return std::string(base) + "/bulk-files/" + std::string(id) + "/" + std::string(file);
}

// What a job was given, and the request it works for.
struct JobInput {
    json::object payload;
    AsyncRequest request;
};

// The job's request, or nothing when it needs no more work (finished, cancelled, expired).
Result<std::optional<JobInput>> LoadJob(const Bulk& bulk, const automation::Job& job) {
    boost::system::error_code parse_error;
    json::value payload = json::parse(job.payload, parse_error);
    if (parse_error || !payload.is_object() || !payload.as_object().contains("request")) {
        return Error::InvalidArgument("The job's payload names no request.");
    }
    const std::string id(payload.as_object().at("request").as_string());
    auto request = bulk.services.requests.Get(id);
    if (!request.ok()) {
        if (request.error().code == ErrorCode::kNotFound) {
            return std::optional<JobInput>();
        }
        return request.error();
    }
    if (request->status == automation::kAsyncCancelled) {
        std::error_code ignored;
        fs::remove_all(bulk.DirectoryOf(id), ignored);
        return std::optional<JobInput>();
    }
    if (request->status != automation::kAsyncAccepted &&
        request->status != automation::kAsyncInProgress) {
        return std::optional<JobInput>();
    }
    return std::optional<JobInput>(JobInput{std::move(payload).as_object(), *std::move(request)});
}

// The files of a request that was cancelled while its job ran.
Status RemoveFiles(const Bulk& bulk, const std::string& id) {
    std::error_code ignored;
    fs::remove_all(bulk.DirectoryOf(id), ignored);
    return Ok();
}

// Records the result; the files stay until the request expires, unless it was cancelled
// meanwhile.
Status Finish(const Bulk& bulk, const std::string& id, const json::object& manifest) {
    P360_ASSIGN_OR_RETURN(bool completed, bulk.services.requests.Complete(
                                              id, json::serialize(manifest), bulk.ExpiresAt()));
    return completed ? EnqueueExpiry(bulk) : RemoveFiles(bulk, id);
}

// A job's error: a problem with the request itself fails it for good; anything else (the
// database away) is retried by the queue until its last attempt.
Status FailOrRetry(const Bulk& bulk, const automation::Job& job, const std::string& id,
                   const Error& error) {
    const bool lasting = error.code == ErrorCode::kPermissionDenied ||
                         error.code == ErrorCode::kInvalidArgument ||
                         error.code == ErrorCode::kNotFound;
    if (!lasting && job.attempt < job.max_attempts) {
        return error;
    }
    log::Warn("fhir.bulk.failed", {{"request", id}});
    P360_ASSIGN_OR_RETURN(bool failed,
                          bulk.services.requests.Fail(id, error.public_message, bulk.ExpiresAt()));
    return failed ? EnqueueExpiry(bulk) : RemoveFiles(bulk, id);
}

// ---- Export ----

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

// The export proper; nothing when cancelled.
Result<std::optional<json::object>> Export(const Bulk& bulk, const automation::Job& job,
                                           const JobInput& input) {
    const std::string& id = input.request.id;
    P360_ASSIGN_OR_RETURN(Actor actor, ActorOf(bulk, input.request.owner_id, input.payload));
    const std::string transaction_time = FormatDateTime(bulk.services.clock.NowMillis());
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
            P360_ASSIGN_OR_RETURN(auto count, ExportType(bulk, actor, type, since, directory / file,
                                                         progress, total));
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
    return std::optional<json::object>(json::object{{"transactionTime", transaction_time},
                                                    {"request", input.request.request},
                                                    {"requiresAccessToken", true},
                                                    {"output", std::move(output)},
                                                    {"error", json::array()}});
}

// Runs an export job: a leased job, so it may read for minutes without holding a transaction.
Status RunExportJob(const Bulk& bulk, const automation::Job& job) {
    P360_ASSIGN_OR_RETURN(auto input, LoadJob(bulk, job));
    if (!input) {
        return Ok();
    }
    auto manifest = Export(bulk, job, *input);
    if (!manifest.ok()) {
        return FailOrRetry(bulk, job, input->request.id, manifest.error());
    }
    if (!*manifest) {
        return Ok();  // cancelled; its files are gone
    }
    return Finish(bulk, input->request.id, **manifest);
}

// ---- Import ----

struct LineError {
    std::size_t line = 0;
    std::string pointer;  // into the line's resource; "" = the line as a whole
    std::string message;
};

// The lines of an import, numbered from 1; blank lines are skipped (but counted).
struct ImportLine {
    std::size_t number = 0;
    std::string_view text;
};

std::vector<ImportLine> SplitLines(std::string_view body) {
    std::vector<ImportLine> lines;
    std::size_t number = 0;
    while (!body.empty()) {
        const std::size_t end = body.find('\n');
        std::string_view text = body.substr(0, end);
        body.remove_prefix(end == std::string_view::npos ? body.size() : end + 1);
        ++number;
        if (!text.empty() && text.back() == '\r') {
            text.remove_suffix(1);
        }
        if (text.find_first_not_of(" \t") != std::string_view::npos) {
            lines.push_back({number, text});
        }
    }
    return lines;
}

// `/entry/7/resource/birthDate` → `/birthDate`.
std::string PointerInResource(std::string_view pointer) {
    constexpr std::string_view kResource = "/resource";
    const auto at = pointer.find(kResource);
    return at == std::string_view::npos ? std::string()
                                        : std::string(pointer.substr(at + kResource.size()));
}

// `changes[0].birthDate` → the JSON pointer the decoder noted for `birthDate`.
std::string PointerOfChangeField(const formats::fhir::BundleEntry& entry,
                                 std::string_view location) {
    const auto dot = location.find("].");
    if (dot == std::string_view::npos || !entry.resource) {
        return {};
    }
    const std::string field(location.substr(dot + 2));
    const auto& pointers = entry.resource->pointers;
    const auto found = pointers.find(field);
    return found != pointers.end() ? found->second : "/" + field;
}

void AddErrors(std::vector<LineError>& errors, std::size_t line, const Error& error,
               const formats::fhir::BundleEntry* entry) {
    auto pointer_of = [&](const std::string& location) {
        if (location.starts_with("/entry/")) {
            return PointerInResource(location);
        }
        return entry != nullptr ? PointerOfChangeField(*entry, location) : std::string();
    };
    if (error.field_errors.empty()) {
        errors.push_back({line, pointer_of(error.location), error.public_message});
    }
    for (const FieldError& field_error : error.field_errors) {
        errors.push_back({line, pointer_of(field_error.field), field_error.message});
    }
}

// The per-line problems as OperationOutcome resources, one per line.
json::object OutcomeOfLine(std::size_t line, const std::vector<LineError>& errors) {
    json::array issues;
    for (const LineError& error : errors) {
        json::object issue{{"extension", json::array{json::object{{"url", kLineExtension},
                                                                  {"valueInteger", error.line}}}},
                           {"severity", "error"},
                           {"code", "invalid"},
                           {"diagnostics", "Line " + std::to_string(line) + ": " + error.message}};
        if (!error.pointer.empty()) {
            issue["location"] = json::array{json::value(error.pointer)};
        }
        issues.push_back(std::move(issue));
    }
    return json::object{{"resourceType", "OperationOutcome"}, {"issue", std::move(issues)}};
}

// What an import has done so far.
struct ImportTally {
    std::map<std::string, std::int64_t> imported;  // by resource type
    std::vector<LineError> errors;
};

// One line as an entry of the batch Bundle a chunk is read as; nothing (and an error) when the
// line is no resource this import takes.
std::optional<json::object> EntryOfLine(const ImportLine& line,
                                        const std::set<std::string, std::less<>>& allowed,
                                        std::vector<LineError>& errors) {
    boost::system::error_code parse_error;
    json::value resource = json::parse(line.text, parse_error);
    if (parse_error) {
        errors.push_back({line.number, "", "Not valid JSON: " + parse_error.message() + "."});
        return std::nullopt;
    }
    const json::object* object = resource.if_object();
    const json::value* type = object != nullptr ? object->if_contains("resourceType") : nullptr;
    if (type == nullptr || !type->is_string()) {
        errors.push_back({line.number, "/resourceType", "Each line must be a FHIR resource."});
        return std::nullopt;
    }
    const std::string type_name(type->get_string());
    if (!allowed.empty() && !allowed.contains(type_name)) {
        errors.push_back({line.number, "/resourceType",
                          type_name + " is not among the types this import declared."});
        return std::nullopt;
    }
    if (formats::fhir::ObjectOfResourceType(type_name).empty()) {
        errors.push_back(
            {line.number, "/resourceType", "payer360 does not import " + type_name + "."});
        return std::nullopt;
    }
    json::object entry{{"resource", resource},
                       {"request", json::object{{"method", "POST"}, {"url", type_name}}}};
    if (const json::value* id = object->if_contains("id"); id != nullptr && id->is_string()) {
        entry["fullUrl"] =
            std::string(kImportBase) + type_name + "/" + std::string(id->get_string());
    }
    return entry;
}

// Applies changes in one write when all of them hold, else line by line, so a bad line is
// refused alone and never half-applied.
Status ApplyChangeBatch(const Bulk& bulk, const Actor& actor,
                        const std::vector<records::RecordChange>& changes,
                        const std::vector<const formats::fhir::BundleEntry*>& entries,
                        const std::vector<std::size_t>& lines, ImportTally& tally) {
    if (changes.empty()) {
        return Ok();
    }
    auto applied = bulk.records.ApplyChanges(actor, changes);
    if (applied.ok()) {
        for (const auto* entry : entries) {
            ++tally.imported[entry->resource_type];
        }
        return Ok();
    }
    if (applied.error().code == ErrorCode::kUnavailable || changes.size() == 1) {
        if (applied.error().code == ErrorCode::kUnavailable ||
            applied.error().code == ErrorCode::kInternal) {
            return applied.error();
        }
        AddErrors(tally.errors, lines[0], applied.error(), entries[0]);
        return Ok();
    }
    for (std::size_t change_idx = 0; change_idx < changes.size(); ++change_idx) {
        P360_TRY(ApplyChangeBatch(bulk, actor, {changes[change_idx]}, {entries[change_idx]},
                                  {lines[change_idx]}, tally));
    }
    return Ok();
}

// A chunk of lines: read as one batch Bundle (references between its lines resolve), each
// entry turned into its change as a transaction would, then applied.
Status ImportChunk(const Bulk& bulk, const Actor& actor, std::span<const ImportLine> lines,
                   const std::set<std::string, std::less<>>& allowed, ImportTally& tally) {
    json::array entries;
    std::vector<std::size_t> line_of_entry;
    for (const ImportLine& line : lines) {
        if (auto entry = EntryOfLine(line, allowed, tally.errors)) {
            entries.push_back(std::move(*entry));
            line_of_entry.push_back(line.number);
        }
    }
    const json::value bundle_json =
        json::object{{"resourceType", "Bundle"}, {"type", "batch"}, {"entry", std::move(entries)}};
    P360_ASSIGN_OR_RETURN(formats::fhir::Bundle bundle, formats::fhir::ReadBundle(bundle_json));
    std::vector<records::RecordChange> changes;
    std::vector<const formats::fhir::BundleEntry*> changed_entries;
    std::vector<std::size_t> changed_lines;
    for (std::size_t entry_idx = 0; entry_idx < bundle.entries.size(); ++entry_idx) {
        const formats::fhir::BundleEntry& entry = bundle.entries[entry_idx];
        const std::size_t line = line_of_entry[entry_idx];
        if (!entry.errors.empty()) {
            AddErrors(tally.errors, line, Error::Validation(entry.errors), &entry);
            continue;
        }
        auto change = FhirChangeOf(bulk.records, actor, bundle, entry);
        if (!change.ok()) {
            AddErrors(tally.errors, line, change.error(), &entry);
            continue;
        }
        change->update = true;  // importing again brings the record up to date
        changes.push_back(std::move(change).value());
        changed_entries.push_back(&entry);
        changed_lines.push_back(line);
        if (changes.size() == kImportWriteBatch) {
            P360_TRY(ApplyChangeBatch(bulk, actor, changes, changed_entries, changed_lines, tally));
            changes.clear();
            changed_entries.clear();
            changed_lines.clear();
        }
    }
    return ApplyChangeBatch(bulk, actor, changes, changed_entries, changed_lines, tally);
}

Result<std::string> ReadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Error::Unavailable("Cannot read a bulk data file.");
    }
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The import proper; nothing when cancelled.
Result<std::optional<json::object>> Import(const Bulk& bulk, const automation::Job& job,
                                           const JobInput& input) {
    const std::string& id = input.request.id;
    P360_ASSIGN_OR_RETURN(Actor actor, ActorOf(bulk, input.request.owner_id, input.payload));
    const std::string transaction_time = FormatDateTime(bulk.services.clock.NowMillis());
    const fs::path directory = bulk.DirectoryOf(id);
    P360_ASSIGN_OR_RETURN(std::string body, ReadFile(directory / kImportFile));
    std::set<std::string, std::less<>> allowed;
    for (const json::value& type : input.payload.at("types").as_array()) {
        allowed.emplace(type.as_string());
    }
    const std::vector<ImportLine> lines = SplitLines(body);
    ProgressReporter progress(bulk, job, id);
    ImportTally tally;
    for (std::size_t start = 0; start < lines.size(); start += kImportChunkLines) {
        const std::size_t count = std::min(kImportChunkLines, lines.size() - start);
        P360_TRY(ImportChunk(bulk, actor, std::span(lines).subspan(start, count), allowed, tally));
        P360_ASSIGN_OR_RETURN(bool running,
                              progress.Report(std::to_string(start + count) + " of " +
                                                  std::to_string(lines.size()) + " lines",
                                              true));
        if (!running) {
            std::error_code ignored;
            fs::remove_all(directory, ignored);
            return std::optional<json::object>();
        }
    }
    const std::string base(input.payload.at("base").as_string());
    json::array output;
    for (const auto& [type, count] : tally.imported) {
        output.push_back(json::object{{"type", type}, {"count", count}});
    }
    json::array errors;
    if (!tally.errors.empty()) {
        std::stable_sort(tally.errors.begin(), tally.errors.end(),
                         [](const LineError& a, const LineError& b) { return a.line < b.line; });
        P360_ASSIGN_OR_RETURN(auto file, NdjsonFile::Create(directory / kErrorFile));
        for (std::size_t first = 0; first < tally.errors.size();) {
            std::size_t last = first;
            while (last < tally.errors.size() &&
                   tally.errors[last].line == tally.errors[first].line) {
                ++last;
            }
            P360_TRY(file->Add(OutcomeOfLine(tally.errors[first].line,
                                             std::vector<LineError>(tally.errors.begin() + first,
                                                                    tally.errors.begin() + last))));
            first = last;
        }
        P360_TRY(file->Close());
        errors.push_back(json::object{{"type", "OperationOutcome"},
                                      {"url", FileUrl(base, id, kErrorFile)},
                                      {"count", file->lines()}});
    }
    std::error_code ignored;
    fs::remove(directory / kImportFile, ignored);  // the records hold it now
    return std::optional<json::object>(json::object{{"transactionTime", transaction_time},
                                                    {"request", input.request.request},
                                                    {"requiresAccessToken", true},
                                                    {"output", std::move(output)},
                                                    {"error", std::move(errors)}});
}

Status RunImportJob(const Bulk& bulk, const automation::Job& job) {
    P360_ASSIGN_OR_RETURN(auto input, LoadJob(bulk, job));
    if (!input) {
        return Ok();
    }
    auto manifest = Import(bulk, job, *input);
    if (!manifest.ok()) {
        return FailOrRetry(bulk, job, input->request.id, manifest.error());
    }
    if (!*manifest) {
        return Ok();
    }
    return Finish(bulk, input->request.id, **manifest);
}

// Writes the uploaded body where the job will find it, on disk before the request is
// acknowledged.
Status StoreDurably(const fs::path& directory, std::string_view body) {
    std::error_code error;
    fs::create_directories(directory, error);
    if (error) {
        return Error::Unavailable("Cannot create the directory of the import.");
    }
    const fs::path path = directory / kImportFile;
    const int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (file < 0) {
        return Error::Unavailable("Cannot store the import.");
    }
    std::size_t written = 0;
    while (written < body.size()) {
        const ssize_t step = ::write(file, body.data() + written, body.size() - written);
        if (step <= 0) {
            ::close(file);
            return Error::Unavailable("Cannot store the import.");
        }
        written += static_cast<std::size_t>(step);
    }
    const bool synced = ::fsync(file) == 0;
    ::close(file);
    const int parent = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (parent >= 0) {
        ::fsync(parent);  // the new file's name is on disk too
        ::close(parent);
    }
    return synced ? Ok() : Status(Error::Unavailable("Cannot store the import."));
}

// ---- Handlers ----

Result<HttpResponse> KickOffExport(const Bulk& bulk, const HttpRequest& request, const Actor& actor,
                                   bool patient_level) {
    P360_TRY(RequireRespondAsync(request));
    P360_ASSIGN_OR_RETURN(ExportParameters parameters, ExportParametersOf(request));
    P360_ASSIGN_OR_RETURN(ExportPlan plan, PlanExport(parameters, patient_level));
    P360_TRY(KeepReadableTypes(bulk, actor, plan));
    P360_TRY(SweepExpired(bulk));
    json::array types;
    for (const std::string& type : plan.types) {
        types.emplace_back(type);
    }
    const std::string id = NewId(kIdPrefix, bulk.services.clock.NowMillis());
    return Accept(bulk, request, actor, kFhirExportJob, id,
                  json::object{{"types", std::move(types)},
                               {"since", plan.since},
                               {"base", FhirBaseUrl(bulk.public_url, request)}});
}

Result<std::vector<std::string>> ImportTypes(const HttpRequest& request) {
    std::vector<std::string> types;
    for (const auto& [name, value] : request.query) {
        if (name != "type") {
            continue;
        }
        for (const std::string& type : SplitList(value)) {
            if (formats::fhir::ObjectOfResourceType(type).empty()) {
                return Error::InvalidArgument(
                    "type names " + type + ", which payer360 does not import.", "type");
            }
            types.push_back(type);
        }
    }
    return types;
}

Result<HttpResponse> KickOffImport(const Bulk& bulk, const HttpRequest& request,
                                   const Actor& actor) {
    P360_TRY(RequireRespondAsync(request));
    P360_TRY(OnlyQueryParameters(request, {"type"}));
    const std::string_view content_type = request.Header("content-type").value_or("");
    if (!content_type.starts_with(kNdjson) && !content_type.starts_with("application/ndjson") &&
        !content_type.starts_with("application/x-ndjson")) {
        return Error::InvalidArgument(
            "An import takes NDJSON: Content-Type: application/fhir+ndjson.", "Content-Type");
    }
    if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        return Error::InvalidArgument("The import needs at least one resource, one per line.",
                                      "body");
    }
    P360_ASSIGN_OR_RETURN(auto types, ImportTypes(request));
    P360_TRY(SweepExpired(bulk));
    json::array type_list;
    for (const std::string& type : types) {
        type_list.emplace_back(type);
    }
    const std::string id = NewId(kIdPrefix, bulk.services.clock.NowMillis());
    P360_TRY(StoreDurably(bulk.DirectoryOf(id), request.body));
    return Accept(bulk, request, actor, kFhirImportJob, id,
                  json::object{{"types", std::move(type_list)},
                               {"base", FhirBaseUrl(bulk.public_url, request)}});
}

Result<HttpResponse> RequestStatus(const Bulk& bulk, const HttpRequest& request,
                                   const Actor& actor) {
    P360_TRY(OnlyQueryParameters(request, {}));
    P360_ASSIGN_OR_RETURN(AsyncRequest found, RequestFor(bulk, request.PathParam("id"), actor));
    if (found.status == automation::kAsyncCompleted) {
        HttpResponse response;
        response.status = 200;
        response.body = found.result;
        response.content_type = "application/json";
        response.headers.emplace_back("Expires", FormatDateTime(found.expires_at));
        return response;
    }
    if (found.status == automation::kAsyncFailed) {
        return FhirResponse(500, FhirOutcomeOf(Error::Unavailable(found.error)));
    }
    HttpResponse response = FhirResponse(202, Information(found.progress));
    response.headers.emplace_back("X-Progress",
                                  found.progress.empty() ? found.status : found.progress);
    response.headers.emplace_back("Retry-After", "1");
    return response;
}

Result<HttpResponse> CancelRequest(const Bulk& bulk, const HttpRequest& request,
                                   const Actor& actor) {
    P360_TRY(OnlyQueryParameters(request, {}));
    P360_ASSIGN_OR_RETURN(AsyncRequest found, RequestFor(bulk, request.PathParam("id"), actor));
    P360_TRY(bulk.services.requests.Cancel(found.id));
    if (found.status != automation::kAsyncAccepted &&
        found.status != automation::kAsyncInProgress) {
        P360_TRY(SweepExpired(bulk));  // finished: its files go now
    }
    return FhirResponse(202, Information("Cancelled."));
}

Result<HttpResponse> DownloadFile(const Bulk& bulk, const HttpRequest& request,
                                  const Actor& actor) {
    P360_TRY(OnlyQueryParameters(request, {}));
    P360_ASSIGN_OR_RETURN(AsyncRequest found, RequestFor(bulk, request.PathParam("id"), actor));
    const std::string_view name = request.PathParam("file");
    // Only files of a finished request, and only names the server writes: `<Type>.ndjson`.
    const bool well_formed =
        name.ends_with(".ndjson") && name.size() > 7 &&
        name.substr(0, name.size() - 7)
                .find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") ==
            std::string_view::npos;
    if (found.status != automation::kAsyncCompleted || !well_formed || name == kImportFile) {
        return Error::NotFound("No such file.");
    }
    const fs::path path = bulk.DirectoryOf(found.id) / std::string(name);
    std::error_code error;
    if (!fs::is_regular_file(path, error)) {
        return Error::NotFound("No such file.");
    }
    P360_ASSIGN_OR_RETURN(std::string body, ReadFile(path));
    HttpResponse response;
    response.status = 200;
    response.body = std::move(body);
    response.content_type = std::string(kNdjson);
    return response;
}

}  // namespace

void RegisterFhirBulkRoutes(http::Router& router, const PlatformServices& platform,
                            const FhirBulkServices& services) {
    auto bulk =
        std::make_shared<Bulk>(Bulk{platform.records, platform.metadata, platform.authorizer,
                                    platform.auth, services, platform.public_url});
    auto route = [&platform](auto handler) {
        return Authenticated(platform.auth, std::move(handler), FhirErrorResponse);
    };
    for (const char* method : {"GET", "POST"}) {
        router.Add(method, "/fhir/r4/$export",
                   route([bulk](const HttpRequest& request, const Actor& actor) {
                       return KickOffExport(*bulk, request, actor, false);
                   }));
        router.Add(method, "/fhir/r4/Patient/$export",
                   route([bulk](const HttpRequest& request, const Actor& actor) {
                       return KickOffExport(*bulk, request, actor, true);
                   }));
    }
    router.Add("POST", "/fhir/r4/$import",
               route([bulk](const HttpRequest& request, const Actor& actor) {
                   return KickOffImport(*bulk, request, actor);
               }),
               http::RouteOptions{.max_body_bytes = platform.max_bulk_body_bytes});
    router.Add("GET", "/fhir/r4/bulk-status/{id}",
               route([bulk](const HttpRequest& request, const Actor& actor) {
                   return RequestStatus(*bulk, request, actor);
               }));
    router.Add("DELETE", "/fhir/r4/bulk-status/{id}",
               route([bulk](const HttpRequest& request, const Actor& actor) {
                   return CancelRequest(*bulk, request, actor);
               }));
    router.Add("GET", "/fhir/r4/bulk-files/{id}/{file}",
               route([bulk](const HttpRequest& request, const Actor& actor) {
                   return DownloadFile(*bulk, request, actor);
               }));
    automation::JobQueue& jobs = services.jobs;
    jobs.RegisterLeasedHandler(kFhirExportJob, kLease, [bulk](const automation::Job& job) {
        return RunExportJob(*bulk, job);
    });
    jobs.RegisterLeasedHandler(kFhirImportJob, kLease, [bulk](const automation::Job& job) {
        return RunImportJob(*bulk, job);
    });
    jobs.RegisterLeasedHandler(kFhirBulkExpireJob, kLease,
                               [bulk](const automation::Job&) { return SweepExpired(*bulk); });
}

}  // namespace p360::api
