#include "http/problem.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace p360::http {
namespace {

namespace json = boost::json;

TEST(ProblemTest, ValidationProblemListsEveryFieldAndHidesInternals) {
    Error error = Error::Validation(
        {{"birthDate", "Expected a date.", std::nullopt}, {"gender", "Not a picklist value.", 3}});
    error.internal_detail = "SELECT secret FROM somewhere";
    const HttpResponse response = ProblemResponse(error, "req_1");
    EXPECT_EQ(response.status, 400);
    EXPECT_EQ(response.content_type, "application/problem+json");
    EXPECT_EQ(response.body.find("secret"), std::string::npos);
    const json::object problem = json::parse(response.body).as_object();
    EXPECT_EQ(problem.at("status").as_int64(), 400);
    EXPECT_EQ(problem.at("requestId").as_string(), "req_1");
    EXPECT_TRUE(problem.at("type").as_string().ends_with("/invalid-argument"));
    const json::array& errors = problem.at("errors").as_array();
    ASSERT_EQ(errors.size(), 2U);
    EXPECT_EQ(errors[0].at("field").as_string(), "birthDate");
    EXPECT_FALSE(errors[0].as_object().contains("line"));
    EXPECT_EQ(errors[1].at("line").as_int64(), 3);
}

TEST(ProblemTest, EveryCodeHasAnHttpStatus) {
    EXPECT_EQ(HttpStatusOf(ErrorCode::kUnauthenticated), 401);
    EXPECT_EQ(HttpStatusOf(ErrorCode::kPermissionDenied), 403);
    EXPECT_EQ(HttpStatusOf(ErrorCode::kNotFound), 404);
    EXPECT_EQ(HttpStatusOf(ErrorCode::kAlreadyExists), 409);
    EXPECT_EQ(HttpStatusOf(ErrorCode::kFailedPrecondition), 412);
    EXPECT_EQ(HttpStatusOf(ErrorCode::kTooLarge), 413);
    EXPECT_EQ(HttpStatusOf(ErrorCode::kUnavailable), 503);
    EXPECT_EQ(HttpStatusOf(ErrorCode::kInternal), 500);
    const HttpResponse unauthenticated = ProblemResponse(Error::Unauthenticated("Log in."), "");
    ASSERT_EQ(unauthenticated.headers.size(), 1U);
    EXPECT_EQ(unauthenticated.headers[0].first, "WWW-Authenticate");
}

}  // namespace
}  // namespace p360::http
