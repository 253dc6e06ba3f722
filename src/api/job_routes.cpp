#include "api/job_routes.hpp"

#include <charconv>

#include "api/api_support.hpp"

namespace p360::api {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using security::Actor;

json::object JobJson(const automation::JobInfo& job) {
    json::object body{{"id", job.id},
                      {"kind", job.kind},
                      {"status", job.status},
                      {"attempts", job.attempts},
                      {"maxAttempts", job.max_attempts},
                      {"createdAt", job.created_at}};
    auto optional_text = [&body](std::string_view key, const std::string& text) {
        if (!text.empty()) {
            body[key] = text;
        }
    };
    if (job.status == "ready") {
        body["runAt"] = job.run_at;
    }
    optional_text("finishedAt", job.finished_at);
    optional_text("finishedBy", job.finished_by);
    optional_text("lastError", job.last_error);
    optional_text("result", job.result);
    return body;
}

Result<std::int64_t> PositiveInteger(std::string_view text, std::string_view name) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 1) {
        return Error::InvalidArgument(std::string(name) + " must be a positive integer.",
                                      std::string(name));
    }
    return value;
}

Result<std::int64_t> JobId(const HttpRequest& request) {
    auto id = PositiveInteger(request.PathParam("id"), "id");
    if (!id.ok()) {
        return Error::NotFound("No job with this id.");
    }
    return id;
}

// {kind, payload?, maxAttempts?, delayMillis?}; the payload is any JSON value, kept as text.
Result<automation::JobSpec> SpecFromJson(const json::value& body,
                                         const automation::JobQueue& jobs) {
    if (!body.is_object()) {
        return Error::InvalidArgument("The body must be a JSON object.", "body");
    }
    const json::object& object = body.as_object();
    automation::JobSpec spec;
    const json::value* kind = object.if_contains("kind");
    if (kind == nullptr || !kind->is_string() || !jobs.Handles(kind->get_string())) {
        return Error::Validation({{"kind", "must name a job kind this deployment runs", {}}});
    }
    spec.kind = std::string(kind->get_string());
    if (const json::value* payload = object.if_contains("payload")) {
        spec.payload = json::serialize(*payload);
    }
    if (const json::value* attempts = object.if_contains("maxAttempts")) {
        if (!attempts->is_int64() || attempts->as_int64() < 1 || attempts->as_int64() > 100) {
            return Error::Validation({{"maxAttempts", "must be an integer from 1 to 100", {}}});
        }
        spec.max_attempts = static_cast<int>(attempts->as_int64());
    }
    if (const json::value* delay = object.if_contains("delayMillis")) {
        constexpr std::int64_t kMaxDelayMillis = 366LL * 24 * 3600 * 1000;
        if (!delay->is_int64() || delay->as_int64() < 0 || delay->as_int64() > kMaxDelayMillis) {
            return Error::Validation(
                {{"delayMillis", "must be an integer from 0 to a year in milliseconds", {}}});
        }
        spec.delay_millis = delay->as_int64();
    }
    return spec;
}

}  // namespace

void RegisterJobRoutes(http::Router& router, security::AuthService& auth,
                       const security::Authorizer& authorizer, automation::JobQueue& jobs) {
    auto admin = [&auth, &authorizer](ActorHandler handler) {
        return ForUserAdministrators(auth, authorizer, std::move(handler));
    };
    router.Add(
        "GET", "/api/v1/jobs",
        admin([&jobs](const HttpRequest& request, const Actor&) -> Result<HttpResponse> {
            P360_TRY(OnlyQueryParameters(request, {"status", "limit"}));
            const std::string_view status = request.Query("status").value_or("dead");
            if (status != "ready" && status != "done" && status != "dead") {
                return Error::InvalidArgument("status must be ready, done or dead.", "status");
            }
            P360_ASSIGN_OR_RETURN(const int limit, IntegerQuery(request, "limit", 100, 1, 1000));
            P360_ASSIGN_OR_RETURN(auto list, jobs.List(status, limit));
            json::array items;
            for (const auto& job : list) {
                items.push_back(JobJson(job));
            }
            return JsonResponse(200, json::object{{"items", std::move(items)}});
        }));
    router.Add("GET", "/api/v1/jobs/summary",
               admin([&jobs](const HttpRequest& request, const Actor&) -> Result<HttpResponse> {
                   P360_TRY(OnlyQueryParameters(request, {}));
                   P360_ASSIGN_OR_RETURN(auto counts, jobs.CountByStatus());
                   json::object body;
                   for (const auto& [status, count] : counts) {
                       body[status] = count;
                   }
                   return JsonResponse(200, body);
               }));
    router.Add("POST", "/api/v1/jobs",
               admin([&jobs](const HttpRequest& request, const Actor&) -> Result<HttpResponse> {
                   P360_ASSIGN_OR_RETURN(json::value body, JsonBody(request));
                   P360_ASSIGN_OR_RETURN(auto spec, SpecFromJson(body, jobs));
                   P360_ASSIGN_OR_RETURN(auto id, jobs.Enqueue(spec));
                   P360_ASSIGN_OR_RETURN(auto job, jobs.Get(id));
                   return JsonResponse(202, JobJson(job));
               }));
    router.Add("GET", "/api/v1/jobs/{id}",
               admin([&jobs](const HttpRequest& request, const Actor&) -> Result<HttpResponse> {
                   P360_ASSIGN_OR_RETURN(auto id, JobId(request));
                   P360_ASSIGN_OR_RETURN(auto job, jobs.Get(id));
                   return JsonResponse(200, JobJson(job));
               }));
    router.Add("POST", "/api/v1/jobs/{id}/retry",
               admin([&jobs](const HttpRequest& request, const Actor&) -> Result<HttpResponse> {
                   P360_ASSIGN_OR_RETURN(auto id, JobId(request));
                   P360_TRY(jobs.Get(id));
                   P360_TRY(jobs.Retry(id));
                   P360_ASSIGN_OR_RETURN(auto job, jobs.Get(id));
                   return JsonResponse(200, JobJson(job));
               }));
}

}  // namespace p360::api
