// Dump: a whole database as portable files, to move a deployment between engines.
//
// A dump is a directory: `manifest.json` lists every table with its columns, row count and
// checksum, and `<table>.ndjson` holds its rows, one JSON array of cells per line (integers,
// reals, text, null — the cells every engine hands out). Loading checks each table's rows
// against the manifest before it commits, and the checksum of a table is the same whichever
// engine holds it, so "export here, import there, export again" proves nothing was lost.
//
// The checksum is a sum of per-row hashes (FNV-1a over each row's typed cells): independent of
// row order, which the engines need not agree on, and meant to catch loss or change, not
// tampering.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "storage/database.hpp"

namespace p360::storage {

struct TableDump {
    std::string name;
    std::vector<std::string> columns;
    std::int64_t rows = 0;
    std::string checksum;  // 16 hex digits
};

struct DumpManifest {
    std::string engine;      // where it came from: sqlite, postgresql
    std::string created_at;  // ISO datetime
    std::vector<TableDump> tables;
};

// Writes every table `connection` sees (one snapshot: call inside Database::Read) into
// `directory` as <table>.ndjson; returns their summaries.
Result<std::vector<TableDump>> DumpTables(Connection& connection,
                                          const std::vector<std::string>& tables,
                                          const std::filesystem::path& directory);

// Count and checksum of a table as it is stored now.
Result<TableDump> SummarizeTable(Connection& connection, const std::string& table);

// Inserts the rows of `table`'s dump file into the (empty) table, checks them against the
// manifest entry and moves its key sequence past them. Call inside Database::WriteAlone: a
// mismatch or a bad line fails the transaction and leaves the table as it was.
Status LoadTable(Connection& connection, const TableDump& table,
                 const std::filesystem::path& directory);

// Reads `table`'s dump file through without writing anything: every line well formed, and
// rows and checksum as the manifest says. The errors name the file, the line and the column.
Status VerifyTable(const TableDump& table, const std::filesystem::path& directory);

// Deletes every row of `table` (undoing an import that could not finish).
Status ClearTable(Connection& connection, const std::string& table);

Status WriteManifest(const DumpManifest& manifest, const std::filesystem::path& directory);
Result<DumpManifest> ReadManifest(const std::filesystem::path& directory);

}  // namespace p360::storage
