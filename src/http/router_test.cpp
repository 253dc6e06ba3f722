#include "http/router.hpp"

#include <gtest/gtest.h>

namespace p360::http {
namespace {

Handler Named(std::string name) {
    return [name](const HttpRequest&) { return HttpResponse{200, "text/plain", name, {}}; };
}

TEST(RouterTest, CapturesPathParameters) {
    Router router;
    router.Add("GET", "/api/v1/records/{object}/{id}", Named("get"));
    const RouteMatch match = router.Match("GET", "/api/v1/records/Person/per_1");
    ASSERT_NE(match.route, nullptr);
    EXPECT_EQ(match.route->pattern, "/api/v1/records/{object}/{id}");
    ASSERT_EQ(match.path_params.size(), 2U);
    EXPECT_EQ(match.path_params[0], (std::pair<std::string, std::string>{"object", "Person"}));
    EXPECT_EQ(match.path_params[1], (std::pair<std::string, std::string>{"id", "per_1"}));
}

TEST(RouterTest, LiteralSegmentsWinOverCaptures) {
    Router router;
    router.Add("POST", "/api/v1/records/{object}/{id}", Named("capture"));
    router.Add("POST", "/api/v1/records/{object}/bulk", Named("bulk"));
    const RouteMatch match = router.Match("POST", "/api/v1/records/Person/bulk");
    ASSERT_NE(match.route, nullptr);
    EXPECT_EQ(match.route->pattern, "/api/v1/records/{object}/bulk");
}

TEST(RouterTest, ReportsAllowedMethodsForAKnownPath) {
    Router router;
    router.Add("GET", "/api/v1/objects", Named("list"));
    router.Add("POST", "/api/v1/objects", Named("create"));
    const RouteMatch match = router.Match("DELETE", "/api/v1/objects");
    EXPECT_EQ(match.route, nullptr);
    EXPECT_EQ(match.allowed_methods, (std::vector<std::string>{"GET", "POST"}));
    const RouteMatch unknown = router.Match("GET", "/api/v1/nothing");
    EXPECT_EQ(unknown.route, nullptr);
    EXPECT_TRUE(unknown.allowed_methods.empty());
}

TEST(RouterTest, SegmentCountMustMatch) {
    Router router;
    router.Add("GET", "/api/v1/records/{object}", Named("list"));
    EXPECT_EQ(router.Match("GET", "/api/v1/records").route, nullptr);
    EXPECT_EQ(router.Match("GET", "/api/v1/records/Person/x/y").route, nullptr);
}

TEST(RouterTest, FallbackTakesOnlyPathsNoPatternKnows) {
    Router router;
    router.Add("GET", "/api/v1/objects", Named("list"));
    router.Add("POST", "/api/v1/records/{object}", Named("create"));
    router.SetFallback("GET", Named("files"));
    EXPECT_EQ(router.Match("GET", "/api/v1/objects").route->pattern, "/api/v1/objects");
    const RouteMatch page = router.Match("GET", "/members/per_1");
    ASSERT_NE(page.route, nullptr);
    EXPECT_EQ(page.route->pattern, "*");
    EXPECT_EQ(router.Match("POST", "/members/per_1").route, nullptr) << "GET only";
    const RouteMatch wrong_method = router.Match("GET", "/api/v1/records/Person");
    EXPECT_EQ(wrong_method.route, nullptr) << "a known path with another method stays a 405";
    EXPECT_EQ(wrong_method.allowed_methods, std::vector<std::string>{"POST"});
}

}  // namespace
}  // namespace p360::http
