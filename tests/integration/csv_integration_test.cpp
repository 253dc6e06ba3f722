// CSV import and export through the real server: columns found by name, label or map, every
// row's error named by its line, a dry run that writes nothing, exports that carry only the
// fields the caller may read, and an export that imports back unchanged.
#include <gtest/gtest.h>

#include "test_server.hpp"

namespace p360::testing {
namespace {

class CsvTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        server_ = new TestServer();
        server_->Start();
        admin_ = server_->Login("admin");
        agent_ = server_->Login("agent");
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }

    static HttpResult Import(const std::string& csv, const std::string& query) {
        return server_->Request("POST", "/api/v1/records/Person/import.csv?" + query, csv, admin_,
                                {{"Content-Type", "text/csv"}});
    }

    static std::size_t Count(const std::string& filter) {
        HttpResult page = server_->Request(
            "GET", "/api/v1/records/Person?limit=1000&filter=" + UrlEncode(filter), "", admin_);
        return page.Json().at("items").as_array().size();
    }

    static TestServer* server_;
    static std::string admin_, agent_;
};

TestServer* CsvTest::server_ = nullptr;
std::string CsvTest::admin_, CsvTest::agent_;

TEST_F(CsvTest, RowsAreImportedByHeaderAndEachErrorNamesItsLine) {
    const std::string csv =
        "First Name,lastName,Birth Date,sourceId,SSN,Do Not Contact\r\n"
        "Ana,\"Lima, de\",1980-02-03,csv-1,123-45-6789,yes\r\n"
        "Ben,Okafor,1975-11-30,csv-2,,no\r\n"
        "Cy,Broken,1990-02-31,csv-3,,\r\n";
    HttpResult result = Import(csv, "externalId=sourceId&mode=partial");
    ASSERT_EQ(result.status, 200) << result.body;
    EXPECT_EQ(result.Json().at("created"), 2);
    EXPECT_EQ(result.Json().at("failed"), 1);
    const auto& bad = result.Json().at("results").at(2);
    EXPECT_EQ(bad.at("line"), 4) << "the header is line 1";
    EXPECT_EQ(bad.at("errors").at(0).at("field"), "birthDate");

    HttpResult ana = server_->Request(
        "GET", "/api/v1/records/Person?filter=" + UrlEncode("sourceId = 'csv-1'"), "", admin_);
    const auto& record = ana.Json().at("items").at(0);
    EXPECT_EQ(record.at("lastName"), "Lima, de");
    EXPECT_EQ(record.at("doNotContact"), true);
    EXPECT_EQ(record.at("ssn"), "123-45-6789");
}

TEST_F(CsvTest, ADryRunReportsWhatWouldChangeAndWritesNothing) {
    const std::string csv = "firstName,lastName,sourceId\nDee,Dry,csv-dry-1\nEd,Dry,csv-dry-2\n";
    HttpResult dry = Import(csv, "externalId=sourceId&mode=dryRun");
    ASSERT_EQ(dry.status, 200) << dry.body;
    EXPECT_EQ(dry.Json().at("mode"), "dryRun");
    EXPECT_EQ(dry.Json().at("created"), 2);
    EXPECT_EQ(dry.Json().at("results").at(0).at("status"), "created");
    EXPECT_EQ(Count("lastName = 'Dry'"), 0U);
    ASSERT_EQ(Import(csv, "externalId=sourceId").status, 200);
    EXPECT_EQ(Count("lastName = 'Dry'"), 2U);
}

TEST_F(CsvTest, UnknownColumnsNeedAMap) {
    const std::string csv = "Given,Family,Key\nFay,Mapped,csv-map-1\n";
    HttpResult unmapped = Import(csv, "externalId=sourceId");
    EXPECT_EQ(unmapped.status, 400);
    EXPECT_EQ(unmapped.Json().at("errors").at(0).at("field"), "header");
    HttpResult mapped = Import(csv, "externalId=sourceId&map=" +
                                        UrlEncode("Given:firstName,Family:lastName,Key:sourceId"));
    ASSERT_EQ(mapped.status, 200) << mapped.body;
    EXPECT_EQ(Count("lastName = 'Mapped'"), 1U);
    HttpResult broken = Import("a,\"b\nc", "externalId=sourceId");
    EXPECT_EQ(broken.status, 400);
}

TEST_F(CsvTest, ExportsCarryOnlyReadableFieldsAndImportBackUnchanged) {
    ASSERT_EQ(Import("firstName,lastName,sourceId,ssn\nGil,Export,csv-exp-1,987-65-4321\n"
                     "Hal,Export,csv-exp-2,\n",
                     "externalId=sourceId")
                  .status,
              200);
    const std::string target =
        "/api/v1/records/Person/export.csv?filter=" + UrlEncode("lastName = 'Export'");
    HttpResult as_agent = server_->Request("GET", target, "", agent_);
    ASSERT_EQ(as_agent.status, 200) << as_agent.body;
    EXPECT_EQ(as_agent.Header("content-type"), "text/csv; charset=utf-8");
    EXPECT_EQ(as_agent.body.find("ssn"), std::string::npos);
    EXPECT_EQ(as_agent.body.find("987-65-4321"), std::string::npos);
    EXPECT_NE(as_agent.body.find("\"Gil\""), std::string::npos);

    HttpResult as_admin = server_->Request("GET", target, "", admin_);
    ASSERT_EQ(as_admin.status, 200);
    EXPECT_NE(as_admin.body.find("987-65-4321"), std::string::npos);
    // The fields a file carries come back unchanged.
    HttpResult projected =
        server_->Request("GET", target + "&fields=firstName,lastName,sourceId,ssn", "", admin_);
    HttpResult round_trip = Import(projected.body, "externalId=sourceId&mode=dryRun");
    ASSERT_EQ(round_trip.status, 200) << round_trip.body;
    EXPECT_EQ(round_trip.Json().at("unchanged"), 2);
}

}  // namespace
}  // namespace p360::testing
