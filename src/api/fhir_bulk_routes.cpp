#include "api/fhir_bulk_routes.hpp"

#include <memory>

#include "api/fhir_bulk_requests.hpp"
#include "api/fhir_resources.hpp"
#include "core/time_format.hpp"

namespace p360::api {
namespace {

namespace fs = std::filesystem;
using automation::AsyncRequest;
using detail::Bulk;
using detail::ExportResources;
using detail::FhirErrorResponse;
using detail::FhirOutcomeOf;
using detail::FhirResponse;
using detail::ImportResources;
using detail::Information;
using detail::KickOffExport;
using detail::KickOffImport;
using detail::kImportFile;
using detail::kLease;
using detail::kNdjson;
using detail::RequestFor;
using detail::RunBulkJob;
using detail::SweepExpired;
using http::HttpRequest;
using http::HttpResponse;
using security::Actor;

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
    HttpResponse response;
    response.status = 200;
    response.file_path = path.string();  // streamed: a file of a million Patients is ~850 MB
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
        return RunBulkJob(*bulk, job, ExportResources);
    });
    jobs.RegisterLeasedHandler(kFhirImportJob, kLease, [bulk](const automation::Job& job) {
        return RunBulkJob(*bulk, job, ImportResources);
    });
    jobs.RegisterLeasedHandler(kFhirBulkExpireJob, kLease,
                               [bulk](const automation::Job&) { return SweepExpired(*bulk); });
}

}  // namespace p360::api
