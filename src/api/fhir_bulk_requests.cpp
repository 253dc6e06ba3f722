#include "api/fhir_bulk_requests.hpp"

#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include "api/fhir_resources.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/time_format.hpp"
#include "storage/database.hpp"

namespace p360::api::detail {
namespace {

using automation::AsyncRequest;

constexpr std::size_t kWriteBufferBytes = 1u << 20;
constexpr std::chrono::milliseconds kProgressInterval{500};

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

Status EnqueueExpiry(const Bulk& bulk) {
    P360_TRY(bulk.services.jobs.Enqueue(
        {.kind = kFhirBulkExpireJob, .delay_millis = bulk.services.retention.count() + 1000}));
    return Ok();
}

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
    return std::optional<JobInput>(
        JobInput{.payload = std::move(payload).as_object(), .request = *std::move(request)});
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

// The work of a job, as the request's owner.
Result<std::optional<json::object>> Work(const Bulk& bulk, const automation::Job& job,
                                         JobInput& input, BulkWork work) {
    P360_ASSIGN_OR_RETURN(input.actor, ActorOf(bulk, input.request.owner_id, input.payload));
    input.transaction_time = FormatDateTime(bulk.services.clock.NowMillis());
    return work(bulk, job, input);
}

}  // namespace

json::object Information(const std::string& text) {
    return json::object{{"resourceType", "OperationOutcome"},
                        {"issue", json::array{json::object{{"severity", "information"},
                                                           {"code", "informational"},
                                                           {"diagnostics", text}}}}};
}

Status RequireRespondAsync(const HttpRequest& request) {
    const std::string_view prefer = request.Header("prefer").value_or("");
    if (prefer.find("respond-async") == std::string_view::npos) {
        return Error::InvalidArgument(
            "Bulk requests answer asynchronously: send the header Prefer: respond-async.",
            "Prefer");
    }
    return Ok();
}

Result<HttpResponse> Accept(const Bulk& bulk, const HttpRequest& request, const Actor& actor,
                            std::string_view kind, const std::string& id,
                            const std::vector<std::string>& types, json::object payload) {
    json::array& type_names = payload["types"].emplace_array();
    for (const std::string& type : types) {
        type_names.emplace_back(type);
    }
    payload["base"] = FhirBaseUrl(bulk.public_url, request);
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

Status SweepExpired(const Bulk& bulk) {
    P360_ASSIGN_OR_RETURN(auto expired, bulk.services.requests.Expired(100));
    for (const std::string& id : expired) {
        std::error_code ignored;
        fs::remove_all(bulk.DirectoryOf(id), ignored);
        P360_TRY(bulk.services.requests.Delete(id));
    }
    return Ok();
}

Status RunBulkJob(const Bulk& bulk, const automation::Job& job, BulkWork work) {
    P360_ASSIGN_OR_RETURN(auto input, LoadJob(bulk, job));
    if (!input) {
        return Ok();
    }
    auto manifest = Work(bulk, job, *input, work);
    if (!manifest.ok()) {
        return FailOrRetry(bulk, job, input->request.id, manifest.error());
    }
    if (!*manifest) {
        return Ok();  // cancelled; its files are gone
    }
    return Finish(bulk, input->request.id, **manifest);
}

json::object Manifest(const JobInput& input, json::array output, json::array errors) {
    return json::object{{"transactionTime", input.transaction_time},
                        {"request", input.request.request},
                        {"requiresAccessToken", true},
                        {"output", std::move(output)},
                        {"error", std::move(errors)}};
}

std::string FileUrl(std::string_view base, std::string_view id, std::string_view file) {
    return std::string(base) + "/bulk-files/" + std::string(id) + "/" + std::string(file);
}

Result<std::unique_ptr<NdjsonFile>> NdjsonFile::Create(const fs::path& path) {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) {
        return Error::Unavailable("Cannot create a bulk data file.");
    }
    return std::unique_ptr<NdjsonFile>(new NdjsonFile(file));
}

NdjsonFile::NdjsonFile(std::FILE* file) : file_(file) { buffer_.reserve(2 * kWriteBufferBytes); }

NdjsonFile::~NdjsonFile() {
    if (file_ != nullptr) {
        std::fclose(file_);
    }
}

Status NdjsonFile::Add(const json::object& resource) {
    AppendLine(buffer_, resource, serializer_);
    ++lines_;
    return buffer_.size() >= kWriteBufferBytes ? Flush() : Ok();
}

Status NdjsonFile::Append(std::string_view lines, std::int64_t count) {
    buffer_.append(lines);
    lines_ += count;
    return buffer_.size() >= kWriteBufferBytes ? Flush() : Ok();
}

void NdjsonFile::AppendLine(std::string& out, const json::object& resource,
                            json::serializer& serializer) {
    serializer.reset(&resource);
    char block[4096];
    while (!serializer.done()) {
        out.append(serializer.read(block, sizeof block));
    }
    out.push_back('\n');
}

Status NdjsonFile::Close() {
    P360_TRY(Flush());
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    return closed ? Ok() : Status(Error::Unavailable("Cannot write a bulk data file."));
}

Status NdjsonFile::Flush() {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
        return Error::Unavailable("Cannot write a bulk data file.");
    }
    buffer_.clear();
    return Ok();
}

Result<std::string> ReadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Error::Unavailable("Cannot read a bulk data file.");
    }
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Result<bool> ProgressReporter::Report(const std::string& progress, bool now) {
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

}  // namespace p360::api::detail
