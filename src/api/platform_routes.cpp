#include "api/platform_routes.hpp"

#include <malloc.h>

#include <charconv>
#include <chrono>

#include "api/api_support.hpp"
#include "core/log.hpp"
#include "http/problem.hpp"
#include "records/definition_json.hpp"

namespace p360::api {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using security::Actor;

HttpResponse RecordResponse(int status, json::object record) {
    HttpResponse response = JsonResponse(status, record);
    if (const auto* version = record.if_contains("version"); version && version->is_int64()) {
        response.headers.emplace_back("ETag", "\"" + std::to_string(version->get_int64()) + "\"");
    }
    return response;
}

// A record already serialized: the ETag comes from its "version" member.
HttpResponse RecordTextResponse(std::string record) {
    HttpResponse response{200, "application/json", std::move(record), {}};
    constexpr std::string_view kVersion = "\"version\":";
    if (const auto at = response.body.find(kVersion); at != std::string::npos) {
        const auto start = at + kVersion.size();
        const auto end = response.body.find_first_not_of("0123456789", start);
        response.headers.emplace_back("ETag",
                                      "\"" + response.body.substr(start, end - start) + "\"");
    }
    return response;
}

// The bearer token of a request that Authenticated() has already let through.
std::string_view BearerTokenOf(const HttpRequest& request) {
    return request.Header("authorization").value_or("").substr(std::string_view("Bearer ").size());
}

HttpResponse SessionResponse(const security::Session& session) {
    return JsonResponse(200,
                        json::object{{"token", session.token},
                                     {"expiresAt", session.expires_at},
                                     {"user", json::object{{"id", session.actor.user_id},
                                                           {"username", session.actor.username},
                                                           {"role", session.actor.role}}}});
}

json::object UserJson(const security::UserAccount& user) {
    json::array sets;
    for (const std::string& name : user.permission_sets) {
        sets.emplace_back(name);
    }
    return {
        {"id", user.id},
        {"username", user.username},
        {"role", user.role},
        {"active", user.active},
        {"createdAt", user.created_at},
        {"personId", user.person_id.empty() ? json::value(nullptr) : json::value(user.person_id)},
        {"permissionSets", std::move(sets)}};
}

// The body of PUT /api/v1/users/{id}/permission-sets: {"permissionSets": ["name", …]}.
Result<std::vector<std::string>> PermissionSetsFromBody(const json::value& body) {
    const json::value* sets =
        body.is_object() ? body.as_object().if_contains("permissionSets") : nullptr;
    if (sets == nullptr || !sets->is_array() || sets->as_array().size() > 32) {
        return Error::InvalidArgument("Expected {\"permissionSets\": [names…]}.", "permissionSets");
    }
    std::vector<std::string> names;
    for (const json::value& name : sets->as_array()) {
        if (!name.is_string() || name.as_string().empty()) {
            return Error::InvalidArgument("Each permission set is named by a text.",
                                          "permissionSets");
        }
        if (std::find(names.begin(), names.end(), name.as_string()) == names.end()) {
            names.emplace_back(name.as_string());
        }
    }
    return names;
}

// The body of PATCH /api/v1/users/{id}: `role` and/or `active`.
Result<security::UserChange> UserChangeFromBody(const json::value& body) {
    const json::object* fields = body.if_object();
    if (fields == nullptr || fields->empty()) {
        return Error::InvalidArgument(R"(Send a JSON object such as {"role": "agent"}.)", "body");
    }
    security::UserChange change;
    for (const auto& [name, value] : *fields) {
        if (name == "role") {
            if (!value.is_string()) {
                return Error::InvalidArgument("role must be a role name.", "role");
            }
            change.role = std::string(value.get_string());
        } else if (name == "active") {
            if (!value.is_bool()) {
                return Error::InvalidArgument("active must be true or false.", "active");
            }
            change.active = value.get_bool();
        } else {
            return Error::InvalidArgument("Only role and active can be changed here.", name);
        }
    }
    return change;
}

HttpResponse LoginResponse(security::AuthService& auth, const HttpRequest& request,
                           std::string_view username, std::string_view password) {
    std::chrono::seconds retry_after{0};
    auto session = auth.Login(username, password, request.remote_address, &retry_after);
    if (session.ok()) {
        return SessionResponse(*session);
    }
    HttpResponse problem = http::ProblemResponse(session.error(), request.request_id);
    if (session.error().code == ErrorCode::kResourceExhausted) {
        problem.headers.emplace_back("Retry-After", std::to_string(retry_after.count()));
    }
    return problem;
}

void RegisterAuthRoutes(http::Router& router, const PlatformServices& services) {
    security::AuthService& auth = services.auth;
    router.Add("POST", "/api/v1/auth/login",
               Public([&auth](const HttpRequest& request) -> Result<HttpResponse> {
                   P360_ASSIGN_OR_RETURN(json::value body, JsonBody(request));
                   const json::object* fields = body.if_object();
                   const json::value* username = fields ? fields->if_contains("username") : nullptr;
                   const json::value* password = fields ? fields->if_contains("password") : nullptr;
                   if (username == nullptr || !username->is_string() || password == nullptr ||
                       !password->is_string()) {
                       return Error::Validation(
                           {{"username", "Send username and password as strings.", {}},
                            {"password", "Send username and password as strings.", {}}});
                   }
                   return LoginResponse(auth, request, username->get_string(),
                                        password->get_string());
               }));
    router.Add("POST", "/api/v1/auth/refresh",
               Authenticated(
                   auth, [&auth](const HttpRequest& request, const Actor&) -> Result<HttpResponse> {
                       P360_ASSIGN_OR_RETURN(auto session, auth.Refresh(BearerTokenOf(request)));
                       return SessionResponse(session);
                   }));
    router.Add("POST", "/api/v1/auth/logout",
               Authenticated(
                   auth, [&auth](const HttpRequest& request, const Actor&) -> Result<HttpResponse> {
                       P360_TRY(auth.Logout(BearerTokenOf(request)));
                       return HttpResponse{204, "application/json", "", {}};
                   }));
}

void RegisterUserRoutes(http::Router& router, const PlatformServices& services) {
    security::AuthService& auth = services.auth;
    router.Add("GET", "/api/v1/users",
               ForUserAdministrators(
                   auth, services.authorizer,
                   [&services](const HttpRequest& request, const Actor&) -> Result<HttpResponse> {
                       P360_TRY(OnlyQueryParameters(request, {}));
                       P360_ASSIGN_OR_RETURN(auto users, services.auth.ListUsers());
                       json::array items;
                       for (const auto& user : users) {
                           items.push_back(UserJson(user));
                       }
                       return JsonResponse(200, json::object{{"items", std::move(items)}});
                   }));
    router.Add("POST", "/api/v1/users",
               ForUserAdministrators(
                   auth, services.authorizer,
                   [&services](const HttpRequest& request, const Actor&) -> Result<HttpResponse> {
                       P360_ASSIGN_OR_RETURN(json::value body, JsonBody(request));
                       const json::object* fields = body.if_object();
                       auto text = [fields](std::string_view key) -> std::string_view {
                           const json::value* value = fields ? fields->if_contains(key) : nullptr;
                           return value && value->is_string()
                                      ? std::string_view(value->get_string())
                                      : std::string_view();
                       };
                       P360_ASSIGN_OR_RETURN(Actor created, services.auth.CreateUser(
                                                                text("username"), text("password"),
                                                                text("role"), text("personId")));
                       return JsonResponse(
                           201, json::object{{"id", created.user_id},
                                             {"username", created.username},
                                             {"role", created.role},
                                             {"personId", created.person_id.empty()
                                                              ? json::value(nullptr)
                                                              : json::value(created.person_id)}});
                   }));
    router.Add(
        "PATCH", "/api/v1/users/{id}",
        ForUserAdministrators(
            auth, services.authorizer,
            [&services](const HttpRequest& request, const Actor& actor) -> Result<HttpResponse> {
                P360_ASSIGN_OR_RETURN(json::value body, JsonBody(request));
                P360_ASSIGN_OR_RETURN(const auto change, UserChangeFromBody(body));
                const std::string_view user_id = request.PathParam("id");
                if (change.active == false && user_id == actor.user_id) {
                    // It would end the very session making the call.
                    return Error::Conflict("Administrators cannot deactivate themselves.",
                                           "active");
                }
                P360_ASSIGN_OR_RETURN(auto user, services.auth.ChangeUser(user_id, change));
                // Who changed whose access, like the other setup changes; ids and role names only.
                log::Info("users.changed", {{"user", user.id},
                                            {"by", actor.user_id},
                                            {"role", user.role},
                                            {"active", user.active ? "true" : "false"}});
                return JsonResponse(200, UserJson(user));
            }));
    router.Add(
        "GET", "/api/v1/permission-sets",
        ForUserAdministrators(
            auth, services.authorizer,
            [&services](const HttpRequest& request, const Actor&) -> Result<HttpResponse> {
                P360_TRY(OnlyQueryParameters(request, {}));
                json::array items;
                for (const auto& set : services.authorizer.PermissionSets()) {
                    items.push_back(json::object{
                        {"name", set.name}, {"description", set.description}, {"phi", set.phi}});
                }
                return JsonResponse(200, json::object{{"items", std::move(items)}});
            }));
    router.Add("PUT", "/api/v1/users/{id}/permission-sets",
               ForUserAdministrators(
                   auth, services.authorizer,
                   [&services](const HttpRequest& request, const Actor&) -> Result<HttpResponse> {
                       P360_ASSIGN_OR_RETURN(json::value body, JsonBody(request));
                       P360_ASSIGN_OR_RETURN(auto names, PermissionSetsFromBody(body));
                       P360_TRY(services.authorizer.CheckPermissionSetNames(names));
                       P360_ASSIGN_OR_RETURN(auto user, services.auth.SetPermissionSets(
                                                            request.PathParam("id"), names));
                       return JsonResponse(200, UserJson(user));
                   }));
    router.Add("POST", "/api/v1/users/{id}/sessions/revoke",
               ForUserAdministrators(
                   auth, services.authorizer,
                   [&services](const HttpRequest& request, const Actor&) -> Result<HttpResponse> {
                       P360_ASSIGN_OR_RETURN(const std::int64_t revoked,
                                             services.auth.RevokeSessions(request.PathParam("id")));
                       return JsonResponse(200, json::object{{"revoked", revoked}});
                   }));
}

// What the caller's role may do to an object's records (record rules still decide which).
json::object ObjectAccessJson(const security::Authorizer& authorizer, const Actor& actor,
                              const metadata::ObjectDef& object) {
    const auto may = [&](security::Operation operation) {
        return authorizer.CheckObject(actor, object, operation).ok();
    };
    return {{"create", may(security::Operation::kCreate)},
            {"read", may(security::Operation::kRead)},
            {"edit", may(security::Operation::kUpdate)},
            {"delete", may(security::Operation::kDelete)}};
}

void RegisterObjectRoutes(http::Router& router, const PlatformServices& services) {
    router.Add("GET", "/api/v1/objects",
               Authenticated(
                   services.auth,
                   [&services](const HttpRequest&, const Actor& actor) -> Result<HttpResponse> {
                       json::array items;
                       for (const auto& object : services.metadata.Current()->objects()) {
                           items.push_back(json::object{
                               {"name", object.name},
                               {"label", object.label},
                               {"pluralLabel", object.plural_label},
                               {"idPrefix", object.id_prefix},
                               {"custom", object.custom},
                               {"access", ObjectAccessJson(services.authorizer, actor, object)}});
                       }
                       return JsonResponse(200, json::object{{"items", std::move(items)}});
                   }));
    router.Add(
        "GET", "/api/v1/objects/{object}",
        Authenticated(
            services.auth,
            [&services](const HttpRequest& request, const Actor& actor) -> Result<HttpResponse> {
                const auto catalog = services.metadata.Current();
                const auto* object = catalog->FindObject(request.PathParam("object"));
                if (object == nullptr) {
                    return Error::NotFound("No object with this name.");
                }
                json::object described = records::ObjectToJson(*object, [&](const auto& field) {
                    return services.authorizer.CanReadField(actor, *object, field);
                });
                // Whether the caller may set each field, so forms offer only what a write takes.
                const bool may_write =
                    services.authorizer.CheckObject(actor, *object, security::Operation::kUpdate)
                        .ok() ||
                    services.authorizer.CheckObject(actor, *object, security::Operation::kCreate)
                        .ok();
                for (json::value& entry : described["fields"].as_array()) {
                    json::object& field_json = entry.as_object();
                    const auto* field = object->FindField(field_json.at("name").as_string());
                    field_json["editable"] =
                        may_write && field != nullptr && !field->system &&
                        services.authorizer.CanEditField(actor, *object, *field);
                }
                return JsonResponse(200, described);
            }));
    router.Add(
        "POST", "/api/v1/objects",
        Authenticated(
            services.auth,
            [&services](const HttpRequest& request, const Actor& actor) -> Result<HttpResponse> {
                P360_TRY(services.authorizer.CheckManageMetadata(actor));
                P360_ASSIGN_OR_RETURN(json::value body, JsonBody(request));
                P360_ASSIGN_OR_RETURN(auto definition, records::ObjectFromJson(body));
                P360_ASSIGN_OR_RETURN(auto object,
                                      services.metadata.CreateObject(std::move(definition)));
                return JsonResponse(201, records::ObjectToJson(object));
            }));
    router.Add(
        "POST", "/api/v1/objects/{object}/fields",
        Authenticated(
            services.auth,
            [&services](const HttpRequest& request, const Actor& actor) -> Result<HttpResponse> {
                P360_TRY(services.authorizer.CheckManageMetadata(actor));
                P360_ASSIGN_OR_RETURN(json::value body, JsonBody(request));
                P360_ASSIGN_OR_RETURN(auto definition, records::FieldFromJson(body));
                P360_ASSIGN_OR_RETURN(
                    auto field,
                    services.metadata.AddField(request.PathParam("object"), std::move(definition)));
                return JsonResponse(201, records::FieldToJson(field));
            }));
}

void RegisterRecordRoutes(http::Router& router, const PlatformServices& services) {
    records::RecordService& records = services.records;
    security::AuthService& auth = services.auth;
    router.Add(
        "POST", "/api/v1/records/{object}",
        Authenticated(
            auth,
            [&records](const HttpRequest& request, const Actor& actor) -> Result<HttpResponse> {
                P360_TRY(OnlyQueryParameters(request, {}));
                P360_ASSIGN_OR_RETURN(json::value body, JsonBody(request));
                P360_ASSIGN_OR_RETURN(auto record,
                                      records.Create(actor, request.PathParam("object"), body));
                HttpResponse response = RecordResponse(201, record);
                response.headers.emplace_back(
                    "Location", "/api/v1/records/" + std::string(request.PathParam("object")) +
                                    "/" + std::string(record.at("id").as_string()));
                return response;
            }));
    router.Add(
        "GET", "/api/v1/records/{object}",
        Authenticated(
            auth,
            [&records](const HttpRequest& request, const Actor& actor) -> Result<HttpResponse> {
                P360_TRY(
                    OnlyQueryParameters(request, {"filter", "sort", "limit", "cursor", "fields"}));
                query::ListRequest list;
                list.filter = request.Query("filter").value_or("");
                list.sort = request.Query("sort").value_or("");
                list.cursor = request.Query("cursor").value_or("");
                list.fields = SplitList(request.Query("fields").value_or(""));
                P360_ASSIGN_OR_RETURN(list.limit, IntegerQuery(request, "limit", 50, 1, 1000));
                P360_ASSIGN_OR_RETURN(std::string page,
                                      records.ListJson(actor, request.PathParam("object"), list));
                return HttpResponse{200, "application/json", std::move(page), {}};
            }));
    router.Add(
        "GET", "/api/v1/records/{object}/{id}",
        Authenticated(
            auth,
            [&records](const HttpRequest& request, const Actor& actor) -> Result<HttpResponse> {
                P360_TRY(OnlyQueryParameters(request, {"fields"}));
                P360_ASSIGN_OR_RETURN(
                    std::string record,
                    records.GetJson(actor, request.PathParam("object"), request.PathParam("id"),
                                    SplitList(request.Query("fields").value_or(""))));
                return RecordTextResponse(std::move(record));
            }));
    router.Add(
        "PATCH", "/api/v1/records/{object}/{id}",
        Authenticated(
            auth,
            [&records](const HttpRequest& request, const Actor& actor) -> Result<HttpResponse> {
                P360_TRY(OnlyQueryParameters(request, {}));
                P360_ASSIGN_OR_RETURN(auto if_match, IfMatchVersion(request));
                P360_ASSIGN_OR_RETURN(json::value body, JsonBody(request));
                P360_ASSIGN_OR_RETURN(auto record,
                                      records.Update(actor, request.PathParam("object"),
                                                     request.PathParam("id"), body, if_match));
                return RecordResponse(200, std::move(record));
            }));
    router.Add("DELETE", "/api/v1/records/{object}/{id}",
               Authenticated(auth,
                             [&records](const HttpRequest& request,
                                        const Actor& actor) -> Result<HttpResponse> {
                                 P360_TRY(OnlyQueryParameters(request, {}));
                                 P360_ASSIGN_OR_RETURN(auto if_match, IfMatchVersion(request));
                                 P360_TRY(records.Delete(actor, request.PathParam("object"),
                                                         request.PathParam("id"), if_match));
                                 return HttpResponse{204, "application/json", "", {}};
                             }));
    router.Add(
        "PUT", "/api/v1/records/{object}/{id}/owner",
        Authenticated(
            auth,
            [&records](const HttpRequest& request, const Actor& actor) -> Result<HttpResponse> {
                P360_TRY(OnlyQueryParameters(request, {}));
                P360_ASSIGN_OR_RETURN(auto if_match, IfMatchVersion(request));
                P360_ASSIGN_OR_RETURN(json::value body, JsonBody(request));
                const json::value* owner =
                    body.is_object() ? body.as_object().if_contains("ownerId") : nullptr;
                if (owner == nullptr || !owner->is_string()) {
                    return Error::InvalidArgument("Expected {\"ownerId\": \"…\"}.", "ownerId");
                }
                P360_ASSIGN_OR_RETURN(
                    auto record,
                    records.ChangeOwner(actor, request.PathParam("object"), request.PathParam("id"),
                                        owner->get_string(), if_match));
                return RecordResponse(200, std::move(record));
            }));
    router.Add(
        "GET", "/api/v1/records/{object}/{id}/history",
        Authenticated(
            auth,
            [&records](const HttpRequest& request, const Actor& actor) -> Result<HttpResponse> {
                P360_TRY(OnlyQueryParameters(request, {}));
                P360_ASSIGN_OR_RETURN(
                    auto history,
                    records.History(actor, request.PathParam("object"), request.PathParam("id")));
                return JsonResponse(200, history);
            }));
    router.Add(
        "POST", "/api/v1/records/{object}/bulk",
        Authenticated(
            auth,
            [&records](const HttpRequest& request, const Actor& actor) -> Result<HttpResponse> {
                P360_TRY(OnlyQueryParameters(request, {"externalId", "mode"}));
                P360_ASSIGN_OR_RETURN(const auto mode,
                                      ParseBulkMode(request.Query("mode").value_or("atomic")));
                const auto external_id = request.Query("externalId");
                if (!external_id) {
                    return Error::InvalidArgument("Name the key field: externalId=<field>.",
                                                  "externalId");
                }
                auto bulk = records.BulkUpsert(actor, request.PathParam("object"), request.body,
                                               *external_id, mode);
                // A batch allocates tens of megabytes at once; give them back to the system.
                malloc_trim(0);
                P360_ASSIGN_OR_RETURN(auto outcome, std::move(bulk));
                return BulkResponse(outcome, mode);
            }),
        {http::Execution::kBlocking, services.max_bulk_body_bytes});
}

void RegisterAuditRoutes(http::Router& router, const PlatformServices& services) {
    router.Add(
        "GET", "/api/v1/audit",
        Authenticated(
            services.auth,
            [&services](const HttpRequest& request, const Actor& actor) -> Result<HttpResponse> {
                P360_TRY(OnlyQueryParameters(request, {"personId", "limit", "before"}));
                const auto person_id = request.Query("personId");
                if (!person_id || person_id->empty()) {
                    return Error::InvalidArgument("Name the member: personId=<Person id>.",
                                                  "personId");
                }
                P360_TRY(services.authorizer.CheckReadAudit(actor, *person_id));
                // Members learn who (which role) saw their data and why, not staff identities.
                const bool name_staff = actor.person_id != *person_id;
                P360_ASSIGN_OR_RETURN(const int limit, IntegerQuery(request, "limit", 50, 1, 1000));
                std::int64_t before = 0;
                if (auto text = request.Query("before")) {
                    const auto [end, error] =
                        std::from_chars(text->data(), text->data() + text->size(), before);
                    if (error != std::errc() || end != text->data() + text->size() || before < 1) {
                        return Error::InvalidArgument("before must be an audit entry id.",
                                                      "before");
                    }
                }
                P360_ASSIGN_OR_RETURN(auto records,
                                      services.audit.ForPerson(*person_id, limit + 1, before));
                json::array items;
                for (std::size_t record_idx = 0;
                     record_idx < records.size() && static_cast<int>(record_idx) < limit;
                     ++record_idx) {
                    const auto& record = records[record_idx];
                    json::array fields;
                    for (const auto& field : SplitList(record.fields)) {
                        fields.emplace_back(field);
                    }
                    json::object item{{"id", record.id},
                                      {"at", record.at},
                                      {"role", record.role},
                                      {"action", record.action},
                                      {"object", record.object_name},
                                      {"recordId", record.record_id},
                                      {"fields", std::move(fields)},
                                      {"purpose", record.purpose},
                                      {"requestId", record.request_id}};
                    if (name_staff) {
                        item["userId"] = record.user_id;
                        item["username"] = record.username;
                    }
                    items.push_back(std::move(item));
                }
                json::value next = nullptr;
                if (static_cast<int>(records.size()) > limit) {
                    next = std::to_string(records[static_cast<std::size_t>(limit) - 1].id);
                }
                return JsonResponse(
                    200, json::object{{"items", std::move(items)}, {"nextBefore", next}});
            }));
}

}  // namespace

Result<HttpResponse> BulkResponse(const records::BulkOutcome& outcome, records::BulkMode mode) {
    if (outcome.applied || mode == records::BulkMode::kDryRun) {
        return JsonResponse(200, outcome.body);
    }
    // An atomic batch with a bad line: nothing was written; say which lines.
    std::vector<FieldError> errors;
    for (const auto& result : outcome.body.at("results").as_array()) {
        const auto* line_errors = result.as_object().if_contains("errors");
        if (line_errors == nullptr) {
            continue;
        }
        for (const auto& error : line_errors->as_array()) {
            errors.push_back({std::string(error.at("field").as_string()),
                              std::string(error.at("message").as_string()),
                              result.at("line").as_int64()});
        }
    }
    Error error = Error::Validation(std::move(errors));
    error.public_message =
        "The batch was rolled back: " + std::to_string(outcome.failed) + " line(s) failed.";
    return error;
}

Result<records::BulkMode> ParseBulkMode(std::string_view text) {
    if (text == "atomic") {
        return records::BulkMode::kAtomic;
    }
    if (text == "partial") {
        return records::BulkMode::kPartial;
    }
    if (text == "dryRun") {
        return records::BulkMode::kDryRun;
    }
    return Error::InvalidArgument("mode must be atomic, partial or dryRun.", "mode");
}

namespace {

// Liveness, and the database's engine and reachability as last checked (503 when it does
// not answer, so a load balancer takes the node out until it does).
HttpResponse HealthResponse(const storage::HealthMonitor* health) {
    if (health == nullptr) {
        return HttpResponse{200, "application/json", R"({"status":"ok"})", {}};
    }
    const bool reachable = health->reachable();
    json::object body{{"status", reachable ? "ok" : "unavailable"},
                      {"database", {{"engine", health->engine()}, {"reachable", reachable}}}};
    return HttpResponse{reachable ? 200 : 503, "application/json", json::serialize(body), {}};
}

}  // namespace

void RegisterPlatformRoutes(http::Router& router, const PlatformServices& services) {
    router.Add("GET", "/healthz",
               [health = services.health](const HttpRequest&) { return HealthResponse(health); },
               {http::Execution::kInline, 0});
    RegisterAuthRoutes(router, services);
    RegisterUserRoutes(router, services);
    RegisterObjectRoutes(router, services);
    RegisterRecordRoutes(router, services);
    RegisterAuditRoutes(router, services);
}

}  // namespace p360::api
