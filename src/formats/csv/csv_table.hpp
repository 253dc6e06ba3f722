// CSV (RFC 4180) in and out, on libcsv: bytes in, rows out; rows in, bytes out. No I/O besides
// the stream it is given.
//
// Reading is streaming — one physical line at a time goes to the parser, one record at a time
// to the caller — and strict: a stray quote or an unterminated quoted field is an error naming
// the line. Each row carries the line it starts on (a quoted field may span lines), so errors
// further up can name it too. A UTF-8 byte-order mark is ignored; CRLF and LF both end records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace p360::formats::csv {

struct CsvRow {
    std::int64_t line = 0;  // 1-based physical line the record starts on
    std::vector<std::string> cells;
};

// Called for each record in order; an error stops the read and is returned.
using CsvRowSink = std::function<Status(CsvRow&&)>;

struct CsvLimits {
    std::size_t max_cell_bytes = 1u << 20;
    std::size_t max_columns = 1000;
};

// Errors are kInvalidArgument with a FieldError whose `line` is set.
Status ReadCsv(std::istream& input, const CsvRowSink& sink, const CsvLimits& limits = {});

// Appends one record: every cell quoted (quotes doubled), cells separated by commas, CRLF.
void AppendCsvRow(std::string& out, const std::vector<std::string>& cells);

}  // namespace p360::formats::csv
