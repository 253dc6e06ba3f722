// The platform's HTTP API: health, login, object metadata and the generic records API.
//
//   GET    /healthz                                   liveness (no authentication)
//   POST   /api/v1/auth/login | /api/v1/auth/refresh | /api/v1/auth/logout
//   GET    /api/v1/users                              list users (administrators)
//   POST   /api/v1/users                              create a user (administrators)
//   PATCH  /api/v1/users/{id}                         deactivate/reactivate (administrators)
//   PUT    /api/v1/users/{id}/permission-sets         sets beyond the role's (administrators)
//   POST   /api/v1/users/{id}/sessions/revoke         end a user's sessions (administrators)
//   GET    /api/v1/permission-sets                    the policy's sets (administrators)
//   GET    /api/v1/objects                            list objects
//   GET    /api/v1/objects/{object}                   describe one object
//   POST   /api/v1/objects                            create a custom object (administrators)
//   POST   /api/v1/objects/{object}/fields            add a custom field (administrators)
//   POST   /api/v1/records/{object}                   create
//   GET    /api/v1/records/{object}                   list: filter, sort, limit, cursor, fields
//   GET    /api/v1/records/{object}/{id}              read (fields)
//   PATCH  /api/v1/records/{object}/{id}              update (If-Match: <version>)
//   DELETE /api/v1/records/{object}/{id}              delete (If-Match: <version>)
//   PUT    /api/v1/records/{object}/{id}/owner        hand to a user, team or queue
//   GET    /api/v1/records/{object}/{id}/history      tracked field history
//   POST   /api/v1/records/{object}/bulk              NDJSON upsert (externalId, mode)
//   (CSV export and import of any object: csv_routes.hpp)
//   GET    /api/v1/audit?personId=…                   accounting of disclosures (auditors)
#pragma once

#include "http/router.hpp"
#include "records/metadata_service.hpp"
#include "records/record_service.hpp"
#include "security/access_audit.hpp"
#include "security/auth_service.hpp"
#include "storage/health_monitor.hpp"

namespace p360::api {

struct PlatformServices {
    security::AuthService& auth;
    const security::Authorizer& authorizer;
    records::MetadataService& metadata;
    records::RecordService& records;
    security::AccessAudit& audit;
    std::size_t max_bulk_body_bytes = 256u << 20;
    // Reports the database in /healthz; without it /healthz says only that the process lives.
    const storage::HealthMonitor* health = nullptr;
    // Where links in answers point ("https://crm.example.org"); empty: the request's own Host.
    std::string public_url;
};

// The answer to a bulk or CSV import: the per-line outcome, or — for an atomic batch that was
// rolled back — a validation problem naming every line at fault.
Result<http::HttpResponse> BulkResponse(const records::BulkOutcome& outcome,
                                        records::BulkMode mode);

// "atomic", "partial" or "dryRun" (the `mode` of bulk and CSV imports).
Result<records::BulkMode> ParseBulkMode(std::string_view text);

// The handlers keep a reference to `services`: it must outlive the router.
void RegisterPlatformRoutes(http::Router& router, const PlatformServices& services);

}  // namespace p360::api
