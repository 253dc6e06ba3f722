// FHIR Bulk Data under /fhir/r4: whole populations as NDJSON, in and out, asynchronously.
//
//   GET|POST /fhir/r4/$export            every resource type the caller may read
//   GET|POST /fhir/r4/Patient/$export    Patients and the resources about members
//            (Prefer: respond-async; _type, _since, _outputFormat=application/fhir+ndjson)
//   POST     /fhir/r4/$import            NDJSON of resources (application/fhir+ndjson), upserted
//            by identifier; `type` restricts the resource types the body may hold
//   GET      /fhir/r4/bulk-status/{id}   202 with X-Progress while running, 200 with the
//                                        manifest when done
//   DELETE   /fhir/r4/bulk-status/{id}   cancels, and removes the files
//   GET      /fhir/r4/bulk-files/{id}/{file}  one NDJSON file of the manifest
//
// A kick-off answers 202 with the status URL in Content-Location; the work runs as a leased
// job on the durable queue (so it survives a restart) as the user who asked, through the
// records layer: field and record access and the access audit apply as for read and search.
// Only that user, or an administrator, may follow the request and download its files. Files
// live in `<data directory>/fhir-bulk/<id>/` and are removed when the request expires (the
// retention after it finished) or is deleted.
#pragma once

#include <chrono>
#include <filesystem>

#include "api/platform_routes.hpp"
#include "automation/async_requests.hpp"
#include "automation/job_queue.hpp"
#include "core/clock.hpp"
#include "storage/database.hpp"

namespace p360::api {

struct FhirBulkServices {
    storage::Database& database;
    automation::JobQueue& jobs;
    automation::AsyncRequests& requests;
    const Clock& clock;
    std::filesystem::path directory;  // where requests keep their files
    std::chrono::milliseconds retention{std::chrono::hours(24)};
};

inline constexpr const char* kFhirExportJob = "fhir.export";
inline constexpr const char* kFhirImportJob = "fhir.import";
inline constexpr const char* kFhirBulkExpireJob = "fhir.bulk.expire";

// Adds the routes and registers the jobs that do the work (before the queue starts). The
// handlers keep references to both arguments: they must outlive the router and the queue.
void RegisterFhirBulkRoutes(http::Router& router, const PlatformServices& platform,
                            const FhirBulkServices& bulk);

}  // namespace p360::api
