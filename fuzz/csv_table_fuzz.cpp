// Fuzz target for the CSV reader (src/formats/csv): any bytes are read with small limits; nothing
// may crash, hang or leak, every row carries a line inside the input, and rows written back with
// AppendCsvRow read back identically.
//
// Seeds: fuzz/corpus/csv_table/.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "formats/csv/csv_table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using p360::formats::csv::CsvRow;
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto newlines = static_cast<std::int64_t>(std::count(text.begin(), text.end(), '\n'));
    std::istringstream input(text);
    std::vector<CsvRow> rows;
    const p360::Status status =
        p360::formats::csv::ReadCsv(input,
                                    [&](CsvRow&& row) -> p360::Status {
                                        if (row.line < 1 || row.line > newlines + 1) {
                                            std::abort();
                                        }
                                        rows.push_back(std::move(row));
                                        return p360::Ok();
                                    },
                                    {.max_cell_bytes = 4096, .max_columns = 64});
    if (!status.ok()) {
        return 0;
    }
    std::string written;
    for (const CsvRow& row : rows) {
        p360::formats::csv::AppendCsvRow(written, row.cells);
    }
    std::istringstream again(written);
    std::size_t index = 0;
    const p360::Status reread =
        p360::formats::csv::ReadCsv(again, [&](CsvRow&& row) -> p360::Status {
            if (index >= rows.size() || row.cells != rows[index].cells) {
                std::abort();
            }
            ++index;
            return p360::Ok();
        });
    if (!reread.ok() || index != rows.size()) {
        std::abort();
    }
    return 0;
}
