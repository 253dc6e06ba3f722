#include "formats/csv/csv_table.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace p360::formats::csv {
namespace {

std::vector<CsvRow> Read(const std::string& text, Status* status = nullptr) {
    std::istringstream input(text);
    std::vector<CsvRow> rows;
    Status read = ReadCsv(input, [&](CsvRow&& row) -> Status {
        rows.push_back(std::move(row));
        return Ok();
    });
    if (status != nullptr) {
        *status = read;
    } else {
        EXPECT_TRUE(read.ok()) << read.error().field_errors.at(0).message;
    }
    return rows;
}

TEST(CsvTableTest, ReadsQuotedCellsAcrossLinesAndKnowsWhereEachRowStarts) {
    const auto rows = Read(
        "\xEF\xBB\xBFlastName,notes,city\r\n"
        "\"O'Brien, Jr.\",\"said \"\"hi\"\"\nthen left\",Springfield\r\n"
        "Smith,,\r\n");
    ASSERT_EQ(rows.size(), 3U);
    EXPECT_EQ(rows[0].cells, (std::vector<std::string>{"lastName", "notes", "city"}));
    EXPECT_EQ(rows[1].line, 2);
    EXPECT_EQ(rows[1].cells[0], "O'Brien, Jr.");
    EXPECT_EQ(rows[1].cells[1], "said \"hi\"\nthen left");
    EXPECT_EQ(rows[2].line, 4) << "the quoted newline took a line";
    EXPECT_EQ(rows[2].cells, (std::vector<std::string>{"Smith", "", ""}));
}

TEST(CsvTableTest, MalformedQuotesNameTheLine) {
    Status status = Ok();
    Read("a,b\n1,2\n3,\"unterminated\n", &status);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().field_errors.at(0).line, 3);
    Read("a,b\n1,x\"y\"z\n", &status);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().field_errors.at(0).line, 2);
}

TEST(CsvTableTest, LimitsAreErrorsNotAllocations) {
    Status status = Ok();
    std::istringstream wide(std::string(2000, ',') + "\n");
    status = ReadCsv(wide, [](CsvRow&&) -> Status { return Ok(); });
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().field_errors.at(0).line, 1);
    std::istringstream big("a\n" + std::string(100, 'x') + "\n");
    status = ReadCsv(big, [](CsvRow&&) -> Status { return Ok(); }, {.max_cell_bytes = 10});
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().field_errors.at(0).line, 2);
}

TEST(CsvTableTest, WrittenRowsReadBackUnchanged) {
    const std::vector<std::string> cells = {"plain", "with, comma", "with \"quotes\"",
                                            "two\r\nlines", ""};
    std::string text;
    AppendCsvRow(text, cells);
    AppendCsvRow(text, {"second"});
    const auto rows = Read(text);
    ASSERT_EQ(rows.size(), 2U);
    EXPECT_EQ(rows[0].cells, cells);
    EXPECT_EQ(rows[1].cells, std::vector<std::string>{"second"});
}

TEST(CsvTableTest, TheSinkCanStopTheRead) {
    std::istringstream input("a\n1\n2\n3\n");
    int seen = 0;
    Status status = ReadCsv(input, [&](CsvRow&&) -> Status {
        return ++seen == 2 ? Status(Error::InvalidArgument("enough")) : Ok();
    });
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(seen, 2);
}

}  // namespace
}  // namespace p360::formats::csv
