// The durable job queue (administrators):
//
//   GET    /api/v1/jobs?status=ready|done|dead&limit=N   jobs in one state, oldest first
//   GET    /api/v1/jobs/summary                          how many jobs are in each state
//   POST   /api/v1/jobs                                  enqueue {kind, payload, maxAttempts,
//                                                        delayMillis}; only kinds with a handler
//   GET    /api/v1/jobs/{id}                             one job
//   POST   /api/v1/jobs/{id}/retry                       a dead job back to ready
#pragma once

#include "automation/job_queue.hpp"
#include "http/router.hpp"
#include "security/auth_service.hpp"
#include "security/authorizer.hpp"

namespace p360::api {

// The handlers keep references to the services: they must outlive the router.
void RegisterJobRoutes(http::Router& router, security::AuthService& auth,
                       const security::Authorizer& authorizer, automation::JobQueue& jobs);

}  // namespace p360::api
