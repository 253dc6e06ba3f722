#include "formats/csv/csv_table.hpp"

#include <csv.h>

#include <memory>

namespace p360::formats::csv {
namespace {

// The parser's callbacks collect into this; libcsv is a C library with void* user data.
struct ParseState {
    const CsvLimits& limits;
    const CsvRowSink& sink;
    std::int64_t line = 0;  // the physical line being fed
    CsvRow row;
    bool row_started = false;
    Status status = Ok();  // the first error; later callbacks are ignored
};

Error LineError(std::int64_t line, std::string message) {
    return Error::Validation({{"", std::move(message), line}});
}

void OnField(void* data, std::size_t size, void* context) {
    auto& state = *static_cast<ParseState*>(context);
    if (!state.status.ok()) {
        return;
    }
    if (!state.row_started) {
        state.row = CsvRow{state.line, {}};
        state.row_started = true;
    }
    if (size > state.limits.max_cell_bytes) {
        state.status =
            LineError(state.row.line, "A cell is larger than " +
                                          std::to_string(state.limits.max_cell_bytes) + " bytes.");
        return;
    }
    if (state.row.cells.size() == state.limits.max_columns) {
        state.status =
            LineError(state.row.line, "A row has more than " +
                                          std::to_string(state.limits.max_columns) + " columns.");
        return;
    }
    state.row.cells.emplace_back(static_cast<const char*>(data), size);
}

void OnRowEnd(int, void* context) {
    auto& state = *static_cast<ParseState*>(context);
    if (!state.status.ok()) {
        return;
    }
    if (!state.row_started) {
        state.row = CsvRow{state.line, {}};  // an empty line: a record with no fields
    }
    state.row_started = false;
    if (!state.row.cells.empty()) {
        state.status = state.sink(std::move(state.row));
    }
}

struct ParserDeleter {
    void operator()(csv_parser* parser) const {
        csv_free(parser);
        delete parser;
    }
};

}  // namespace

Status ReadCsv(std::istream& input, const CsvRowSink& sink, const CsvLimits& limits) {
    std::unique_ptr<csv_parser, ParserDeleter> parser(new csv_parser());
    if (csv_init(parser.get(), CSV_STRICT | CSV_STRICT_FINI) != 0) {
        return Error::Internal("the CSV parser could not start");
    }
    ParseState state{limits, sink};
    std::string line;
    while (state.status.ok() && std::getline(input, line)) {
        ++state.line;
        if (state.line == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) {
            line.erase(0, 3);
        }
        line.push_back('\n');
        if (csv_parse(parser.get(), line.data(), line.size(), OnField, OnRowEnd, &state) !=
            line.size()) {
            return LineError(state.line, std::string("Malformed CSV: ") +
                                             csv_strerror(csv_error(parser.get())) + ".");
        }
    }
    if (!state.status.ok()) {
        return state.status;
    }
    if (csv_fini(parser.get(), OnField, OnRowEnd, &state) != 0) {
        return LineError(state.line, "The file ends inside a quoted field.");
    }
    return state.status;
}

void AppendCsvRow(std::string& out, const std::vector<std::string>& cells) {
    for (std::size_t cell_idx = 0; cell_idx < cells.size(); ++cell_idx) {
        const std::string& cell = cells[cell_idx];
        if (cell_idx > 0) {
            out.push_back(',');
        }
        const std::size_t needed = csv_write(nullptr, 0, cell.data(), cell.size());
        const std::size_t at = out.size();
        out.resize(at + needed);
        csv_write(out.data() + at, needed, cell.data(), cell.size());
    }
    out.append("\r\n");
}

}  // namespace p360::formats::csv
