#include "http/static_files.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace p360::http {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
protected:
    void SetUp() override {
        base_ =
            fs::temp_directory_path() /
            ("p360_static_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
             "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(base_);
        fs::create_directories(base_ / "web" / "assets");
        Write(base_ / "web" / "index.html", "<html>console</html>");
        Write(base_ / "web" / "assets" / "app-1a2b.js", "console.log(1)");
        Write(base_ / "web" / ".env", "SECRET=1");
        Write(base_ / "secret.txt", "outside the web root");
        fs::create_symlink(base_ / "secret.txt", base_ / "web" / "leak.txt");
        auto files = StaticFiles::Open(base_ / "web");
        ASSERT_TRUE(files.ok());
        files_.emplace(std::move(files).value());
    }
    void TearDown() override { fs::remove_all(base_); }

    static void Write(const fs::path& file, const std::string& text) {
        std::ofstream(file, std::ios::binary) << text;
    }

    HttpResponse Get(const std::string& path) const {
        HttpRequest request;
        request.method = "GET";
        request.path = path;
        return files_->Serve(request);
    }

    fs::path base_;
    std::optional<StaticFiles> files_;
};

TEST_F(StaticFilesTest, ServesFilesWithTypesAndCacheRules) {
    const HttpResponse index = Get("/");
    EXPECT_EQ(index.status, 200);
    EXPECT_EQ(index.body, "<html>console</html>");
    EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
    const HttpResponse script = Get("/assets/app-1a2b.js");
    EXPECT_EQ(script.status, 200);
    EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
    EXPECT_NE(script.Header("Cache-Control").value_or("").find("immutable"), std::string::npos);
}

TEST_F(StaticFilesTest, ClientRoutesGetTheAppButMissingFilesDoNot) {
    EXPECT_EQ(Get("/members/per_123/360").body, "<html>console</html>");
    EXPECT_EQ(Get("/assets/missing.js").status, 404);
    EXPECT_EQ(Get("/api/v1/unknown").status, 404) << "API paths never fall back to the app";
    EXPECT_EQ(Get("/api/v1/unknown").content_type, "application/problem+json");
}

TEST_F(StaticFilesTest, NothingOutsideTheRootOrHiddenIsServed) {
    const std::vector<std::string> attempts = {"/../secret.txt",
                                               "/assets/../../secret.txt",
                                               "/assets/..",
                                               "/./index.html",
                                               "//etc/passwd",
                                               "/.env",
                                               "/leak.txt",
                                               "/..\\secret.txt",
                                               std::string("/index.html\0.js", 15)};
    for (const std::string& path : attempts) {
        const HttpResponse response = Get(path);
        EXPECT_EQ(response.status, 404) << path;
        EXPECT_EQ(response.body.find("outside the web root"), std::string::npos) << path;
        EXPECT_EQ(response.body.find("SECRET"), std::string::npos) << path;
    }
}

TEST(StaticFilesOpenTest, RefusesAMissingDirectory) {
    EXPECT_FALSE(StaticFiles::Open("/nonexistent/p360/web").ok());
}

}  // namespace
}  // namespace p360::http
