// Bulk Data requests as the export (fhir_export_routes.cpp), the import
// (fhir_import_routes.cpp) and the routes that follow them (fhir_bulk_routes.cpp) share them:
// the context every handler and job works in, accepting a kick-off, the job that does the work
// and records its outcome, progress, and NDJSON files. Internal to the api module.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/api_support.hpp"
#include "api/fhir_bulk_routes.hpp"
#include "automation/async_requests.hpp"
#include "automation/job_queue.hpp"
#include "records/metadata_service.hpp"
#include "records/record_service.hpp"
#include "security/authorizer.hpp"

namespace p360::api::detail {

namespace fs = std::filesystem;
using http::HttpRequest;
using http::HttpResponse;
using security::Actor;

inline constexpr std::string_view kNdjson = "application/fhir+ndjson";
inline constexpr std::string_view kIdPrefix = "blk";
// Where an import keeps its upload until its job has read it; never served as a file.
inline constexpr std::string_view kImportFile = "import.ndjson";
// A job's lease, renewed well before it runs out while the job makes progress.
inline constexpr std::chrono::seconds kLease{300};
inline constexpr std::chrono::seconds kLeaseRenewal{60};

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

// A message to the client as an OperationOutcome of severity information.
json::object Information(const std::string& text);

// Kick-offs only answer asynchronously: a request without Prefer: respond-async is refused.
Status RequireRespondAsync(const HttpRequest& request);

// Creates the request `id` and enqueues its job of `kind` in one transaction, and answers 202.
// The job is given `payload` with the resource `types` (none = every type) and the base of the
// links it writes.
Result<HttpResponse> Accept(const Bulk& bulk, const HttpRequest& request, const Actor& actor,
                            std::string_view kind, const std::string& id,
                            const std::vector<std::string>& types, json::object payload = {});

// The request `id` if the caller may follow it: its owner or an administrator. Anyone else
// is told there is none, so ids cannot be probed.
Result<automation::AsyncRequest> RequestFor(const Bulk& bulk, std::string_view id,
                                            const Actor& actor);

// Removes the files and rows of requests whose time is up. Runs as its own job and after
// cancellations; a request still running removes its own files when it sees the cancellation.
Status SweepExpired(const Bulk& bulk);

// What a job was given, the request it works for, the user it acts as (as they are now: a
// user deactivated since the kick-off may not) and when its work began.
struct JobInput {
    json::object payload;
    automation::AsyncRequest request;
    Actor actor;
    std::string transaction_time;
};

// The work of a job: the manifest of what it wrote, or nothing when the request was cancelled
// meanwhile (and its files are gone).
using BulkWork = Result<std::optional<json::object>> (*)(const Bulk&, const automation::Job&,
                                                         const JobInput&);

// Runs a leased job (so it may work for minutes without holding a transaction) for its request
// and records the outcome: the manifest, or the error — retried by the queue while the error
// may pass.
Status RunBulkJob(const Bulk& bulk, const automation::Job& job, BulkWork work);

// The manifest of a finished request.
json::object Manifest(const JobInput& input, json::array output, json::array errors);

// The URL of one file of a request, on the base the kick-off was sent to.
std::string FileUrl(std::string_view base, std::string_view id, std::string_view file);

// Writes NDJSON in large blocks: one write per megabyte, whatever the size of the lines.
class NdjsonFile {
public:
    static Result<std::unique_ptr<NdjsonFile>> Create(const fs::path& path);
    ~NdjsonFile();
    NdjsonFile(const NdjsonFile&) = delete;
    NdjsonFile& operator=(const NdjsonFile&) = delete;

    Status Add(const json::object& resource);

    // Lines already serialized (each ending in a newline), `count` of them.
    Status Append(std::string_view lines, std::int64_t count);

    // A resource as one NDJSON line at the end of `out`.
    static void AppendLine(std::string& out, const json::object& resource,
                           json::serializer& serializer);

    // Everything on disk; the file is complete.
    Status Close();

    std::int64_t lines() const { return lines_; }

private:
    explicit NdjsonFile(std::FILE* file);
    Status Flush();

    std::FILE* file_;
    json::serializer serializer_;
    std::string buffer_;
    std::int64_t lines_ = 0;
};

Result<std::string> ReadFile(const fs::path& path);

// Tells the request how far a job got, at most twice a second, and keeps its lease;
// false when the request was cancelled meanwhile.
class ProgressReporter {
public:
    ProgressReporter(const Bulk& bulk, const automation::Job& job, std::string id)
        : bulk_(bulk), job_(job), id_(std::move(id)) {}

    // `now`: whenever the last report was.
    Result<bool> Report(const std::string& progress, bool now = false);

private:
    const Bulk& bulk_;
    const automation::Job& job_;
    std::string id_;
    std::chrono::steady_clock::time_point last_report_{};
    std::chrono::steady_clock::time_point last_renewal_ = std::chrono::steady_clock::now();
};

// $export (fhir_export_routes.cpp): the kick-off, at the system or the Patient level, and the
// job's work.
Result<HttpResponse> KickOffExport(const Bulk& bulk, const HttpRequest& request, const Actor& actor,
                                   bool patient_level);
Result<std::optional<json::object>> ExportResources(const Bulk& bulk, const automation::Job& job,
                                                    const JobInput& input);

// $import (fhir_import_routes.cpp): the kick-off and the job's work.
Result<HttpResponse> KickOffImport(const Bulk& bulk, const HttpRequest& request,
                                   const Actor& actor);
Result<std::optional<json::object>> ImportResources(const Bulk& bulk, const automation::Job& job,
                                                    const JobInput& input);

}  // namespace p360::api::detail
