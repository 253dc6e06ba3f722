#include "domain/member/member_routes.hpp"

#include <map>
#include <sstream>

#include "api/api_support.hpp"

namespace p360::member {
namespace {

json::object ErrorJson(const formats::x12::X12Error& error) {
    return json::object{{"segment", error.position.segment_id},
                        {"position", error.position.file_segment},
                        {"setPosition", error.position.set_segment},
                        {"element", error.position.element},
                        {"code", error.code},
                        {"message", error.message}};
}

}  // namespace

json::object EnrollmentResultJson(const EnrollmentImportResult& result) {
    const auto& interchange = result.interchange;
    json::array envelope_errors;
    for (const auto& error : interchange.envelope_errors) {
        envelope_errors.push_back(ErrorJson(error));
    }
    json::array sets;
    for (const EnrollmentSetOutcome& set : result.sets) {
        json::array errors;
        for (const auto& error : set.errors) {
            errors.push_back(ErrorJson(error));
        }
        std::map<std::string, std::int64_t> counts{
            {"created", 0}, {"updated", 0}, {"unchanged", 0}};
        for (const auto& change : set.changes) {
            ++counts[change.status];
        }
        json::object changes;
        for (const auto& [status, count] : counts) {
            changes[status] = count;
        }
        sets.push_back(json::object{{"controlNumber", set.control_number},
                                    {"status", set.status},
                                    {"members", set.members},
                                    {"changes", std::move(changes)},
                                    {"errors", std::move(errors)}});
    }
    return json::object{
        {"interchange", json::object{{"controlNumber", interchange.interchange_control_number},
                                     {"sender", interchange.sender_id},
                                     {"receiver", interchange.receiver_id},
                                     {"transactionSets", interchange.transaction_sets},
                                     {"accepted", interchange.accepted},
                                     {"errors", std::move(envelope_errors)}}},
        {"sets", std::move(sets)},
        {"acknowledgement", result.acknowledgement}};
}

void RegisterMemberRoutes(http::Router& router, security::AuthService& auth, const Member360& view,
                          EnrollmentImporter& enrollments) {
    router.Add("POST", "/api/v1/import/x12",
               api::Authenticated(
                   auth,
                   [&enrollments](const http::HttpRequest& request,
                                  const security::Actor& actor) -> Result<http::HttpResponse> {
                       P360_TRY(api::OnlyQueryParameters(request, {}));
                       std::istringstream input(request.body);
                       P360_ASSIGN_OR_RETURN(auto result, enrollments.Import(actor, input));
                       return api::JsonResponse(200, EnrollmentResultJson(result));
                   }),
               http::RouteOptions{.max_body_bytes = 256u << 20});
    router.Add(
        "GET", "/api/v1/members/{personId}/360",
        api::Authenticated(
            auth,
            [&view](const http::HttpRequest& request,
                    const security::Actor& actor) -> Result<http::HttpResponse> {
                P360_TRY(api::OnlyQueryParameters(request, {"timelineLimit", "timelineCursor"}));
                Member360Options options;
                P360_ASSIGN_OR_RETURN(
                    options.timeline_items,
                    api::IntegerQuery(request, "timelineLimit", 25, 1, member::kMaxTimelineItems));
                options.timeline_cursor = request.Query("timelineCursor").value_or("");
                P360_ASSIGN_OR_RETURN(std::string body,
                                      view.Build(actor, request.PathParam("personId"), options));
                return http::HttpResponse{200, "application/json", std::move(body), {}};
            }));
}

}  // namespace p360::member
