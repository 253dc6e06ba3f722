#include "storage/dump.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <functional>

namespace p360::storage {
namespace {

namespace json = boost::json;

constexpr const char* kFormat = "payer360-dump";
constexpr std::int64_t kFormatVersion = 1;
constexpr std::size_t kRowsPerInsert = 200;

// FNV-1a, 64 bits.
class RowHash {
public:
    void AddBytes(std::string_view bytes) {
        for (unsigned char byte : bytes) {
            hash_ = (hash_ ^ byte) * 0x100000001b3ULL;
        }
    }
    void AddCell(const Value& cell) {
        if (const auto* text = std::get_if<std::string>(&cell)) {
            AddBytes("t");
            AddBytes(std::to_string(text->size()));
            AddBytes(":");
            AddBytes(*text);
        } else if (const auto* integer = std::get_if<std::int64_t>(&cell)) {
            AddBytes("i");
            AddBytes(std::to_string(*integer));
        } else if (const auto* real = std::get_if<double>(&cell)) {
            char buffer[32];
            const auto end = std::to_chars(buffer, buffer + sizeof buffer, *real).ptr;
            AddBytes("r");
            AddBytes(std::string_view(buffer, static_cast<std::size_t>(end - buffer)));
        } else {
            AddBytes("n");
        }
        AddBytes(";");
    }
    std::uint64_t value() const { return hash_; }

private:
    std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

// Row count and order-independent checksum of the rows fed to it.
class TableTally {
public:
    void Add(const Row& row) {
        RowHash hash;
        for (const Value& cell : row) {
            hash.AddCell(cell);
        }
        sum_ += hash.value();
        ++rows_;
    }
    std::int64_t rows() const { return rows_; }
    std::string checksum() const {
        char text[17];
        std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(sum_));
        return text;
    }

private:
    std::uint64_t sum_ = 0;
    std::int64_t rows_ = 0;
};

json::value CellJson(const Value& cell) {
    if (const auto* text = std::get_if<std::string>(&cell)) {
        return json::string(*text);
    }
    if (const auto* integer = std::get_if<std::int64_t>(&cell)) {
        return *integer;
    }
    if (const auto* real = std::get_if<double>(&cell)) {
        return *real;
    }
    return nullptr;
}

Result<Value> CellFromJson(const json::value& cell) {
    switch (cell.kind()) {
        case json::kind::string:
            return Value(std::string(cell.get_string()));
        case json::kind::int64:
            return Value(cell.get_int64());
        case json::kind::double_:
            return Value(cell.get_double());
        case json::kind::null:
            return Value(Null{});
        default:
            return Error::InvalidArgument("A dump cell must be text, a number or null.");
    }
}

std::string SelectAll(const std::vector<std::string>& columns, const std::string& table) {
    std::string sql = "SELECT ";
    for (std::size_t column_idx = 0; column_idx < columns.size(); ++column_idx) {
        sql.append(column_idx == 0 ? "" : ", ").append(QuoteIdentifier(columns[column_idx]));
    }
    return sql.append(" FROM ").append(QuoteIdentifier(table));
}

std::string InsertHead(const TableDump& table) {
    std::string head = "INSERT INTO " + QuoteIdentifier(table.name) + " (";
    for (std::size_t column_idx = 0; column_idx < table.columns.size(); ++column_idx) {
        head.append(column_idx == 0 ? "" : ", ").append(QuoteIdentifier(table.columns[column_idx]));
    }
    return head.append(")");
}

Status InsertRows(Connection& connection, const TableDump& table, std::vector<Value>& cells) {
    if (cells.empty()) {
        return Ok();
    }
    const std::size_t rows = cells.size() / table.columns.size();
    P360_TRY(connection.Execute(MultiRowInsertSql(InsertHead(table), table.columns.size(), rows),
                                cells));
    cells.clear();
    return Ok();
}

Error BadLine(const TableDump& table, std::int64_t line, std::string message) {
    Error error = Error::InvalidArgument(table.name + ".ndjson line " + std::to_string(line) +
                                         ": " + std::move(message));
    error.field_errors.push_back({table.name + ".ndjson", error.public_message, line});
    return error;
}

}  // namespace

Result<std::vector<TableDump>> DumpTables(Connection& connection,
                                          const std::vector<std::string>& tables,
                                          const std::filesystem::path& directory) {
    std::vector<TableDump> dumps;
    for (const std::string& table : tables) {
        TableDump dump{table, {}, 0, {}};
        P360_ASSIGN_OR_RETURN(dump.columns, connection.TableColumns(table));
        std::ofstream out(directory / (table + ".ndjson"), std::ios::binary);
        TableTally tally;
        json::array line;
        P360_TRY(connection.ForEachRow(SelectAll(dump.columns, table), {}, [&](const Row& row) {
            tally.Add(row);
            line.clear();
            for (const Value& cell : row) {
                line.push_back(CellJson(cell));
            }
            out << json::serialize(line) << '\n';
            return true;
        }));
        out.close();
        if (!out) {
            return Error::Unavailable("Cannot write the dump of table " + table + ".");
        }
        dump.rows = tally.rows();
        dump.checksum = tally.checksum();
        dumps.push_back(std::move(dump));
    }
    return dumps;
}

Result<TableDump> SummarizeTable(Connection& connection, const std::string& table) {
    TableDump dump{table, {}, 0, {}};
    P360_ASSIGN_OR_RETURN(dump.columns, connection.TableColumns(table));
    TableTally tally;
    P360_TRY(connection.ForEachRow(SelectAll(dump.columns, table), {}, [&tally](const Row& row) {
        tally.Add(row);
        return true;
    }));
    dump.rows = tally.rows();
    dump.checksum = tally.checksum();
    return dump;
}

namespace {

// Reads a table's dump file line by line, checks every line and, at the end, the whole file
// against the manifest's rows and checksum, handing each row to `row_read`.
Status ReadDumpRows(const TableDump& table, const std::filesystem::path& directory,
                    const std::function<Status(const Row&)>& row_read) {
    std::ifstream in(directory / (table.name + ".ndjson"), std::ios::binary);
    if (!in) {
        return Error::InvalidArgument("The dump has no file for table " + table.name + ".");
    }
    TableTally tally;
    Row row;
    std::string text;
    for (std::int64_t line = 1; std::getline(in, text); ++line) {
        boost::system::error_code error;
        const json::value parsed = json::parse(text, error);
        if (error || !parsed.is_array() || parsed.get_array().size() != table.columns.size()) {
            return BadLine(
                table, line,
                "expected an array of " + std::to_string(table.columns.size()) + " cells");
        }
        row.clear();
        for (std::size_t column_idx = 0; column_idx < table.columns.size(); ++column_idx) {
            auto value = CellFromJson(parsed.get_array()[column_idx]);
            if (!value.ok()) {
                return BadLine(
                    table, line,
                    "column " + table.columns[column_idx] + ": " + value.error().public_message);
            }
            row.push_back(std::move(value).value());
        }
        tally.Add(row);
        P360_TRY(row_read(row));
    }
    if (tally.rows() != table.rows || tally.checksum() != table.checksum) {
        return Error::FailedPrecondition("The dump of table " + table.name +
                                         " does not match its manifest (rows or checksum).");
    }
    return Ok();
}

}  // namespace

Status VerifyTable(const TableDump& table, const std::filesystem::path& directory) {
    return ReadDumpRows(table, directory, [](const Row&) { return Ok(); });
}

Status LoadTable(Connection& connection, const TableDump& table,
                 const std::filesystem::path& directory) {
    P360_ASSIGN_OR_RETURN(auto target_columns, connection.TableColumns(table.name));
    for (const std::string& column : table.columns) {
        if (std::find(target_columns.begin(), target_columns.end(), column) ==
            target_columns.end()) {
            return Error::FailedPrecondition("The target has no column " + table.name + "." +
                                             column + "; is it a different catalog?");
        }
    }
    P360_ASSIGN_OR_RETURN(
        auto existing, connection.QueryOne("SELECT COUNT(*) FROM " + QuoteIdentifier(table.name)));
    if (existing && std::get<std::int64_t>((*existing)[0]) != 0) {
        return Error::FailedPrecondition("The target's table " + table.name +
                                         " is not empty; import only into a new deployment.");
    }
    std::vector<Value> cells;
    bool integer_keys = false;
    P360_TRY(ReadDumpRows(table, directory, [&](const Row& row) -> Status {
        integer_keys =
            table.columns.front() == "id" && std::holds_alternative<std::int64_t>(row[0]);
        cells.insert(cells.end(), row.begin(), row.end());
        if (cells.size() >= kRowsPerInsert * table.columns.size()) {
            return InsertRows(connection, table, cells);
        }
        return Ok();
    }));
    P360_TRY(InsertRows(connection, table, cells));
    if (const std::string sync = connection.dialect().SyncSequenceSql(table.name);
        integer_keys && !sync.empty()) {
        P360_TRY(connection.Execute(sync));
    }
    return Ok();
}

Status ClearTable(Connection& connection, const std::string& table) {
    return connection.Execute("DELETE FROM " + QuoteIdentifier(table));
}

Status WriteManifest(const DumpManifest& manifest, const std::filesystem::path& directory) {
    json::array tables;
    for (const TableDump& table : manifest.tables) {
        json::array columns(table.columns.begin(), table.columns.end());
        tables.push_back(json::object{{"name", table.name},
                                      {"columns", std::move(columns)},
                                      {"rows", table.rows},
                                      {"checksum", table.checksum}});
    }
    const json::object body{{"format", kFormat},
                            {"version", kFormatVersion},
                            {"engine", manifest.engine},
                            {"createdAt", manifest.created_at},
                            {"tables", std::move(tables)}};
    std::ofstream out(directory / "manifest.json", std::ios::binary);
    out << json::serialize(body) << '\n';
    out.close();
    return out ? Ok() : Status(Error::Unavailable("Cannot write the dump's manifest."));
}

Result<DumpManifest> ReadManifest(const std::filesystem::path& directory) {
    std::ifstream in(directory / "manifest.json", std::ios::binary);
    if (!in) {
        return Error::InvalidArgument("No manifest.json in " + directory.string() + ".");
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    boost::system::error_code error;
    const json::value parsed = json::parse(text, error);
    const json::object* body = parsed.if_object();
    if (error || body == nullptr || body->if_contains("format") == nullptr ||
        body->at("format") != kFormat) {
        return Error::InvalidArgument("manifest.json is not a payer360 dump.");
    }
    if (body->if_contains("version") == nullptr || body->at("version") != kFormatVersion) {
        return Error::InvalidArgument("This dump's format version is not supported.");
    }
    DumpManifest manifest;
    try {
        manifest.engine = json::value_to<std::string>(body->at("engine"));
        manifest.created_at = json::value_to<std::string>(body->at("createdAt"));
        for (const json::value& entry : body->at("tables").as_array()) {
            TableDump table;
            table.name = json::value_to<std::string>(entry.at("name"));
            // Names become file names and SQL identifiers: plain ones only.
            if (table.name.empty() ||
                table.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                             "0123456789_") != std::string::npos) {
                return Error::InvalidArgument(
                    "manifest.json names a table that is not a plain "
                    "identifier.");
            }
            table.columns = json::value_to<std::vector<std::string>>(entry.at("columns"));
            table.rows = entry.at("rows").as_int64();
            table.checksum = json::value_to<std::string>(entry.at("checksum"));
            if (table.columns.empty()) {
                return Error::InvalidArgument("manifest.json: table " + table.name +
                                              " has no columns.");
            }
            manifest.tables.push_back(std::move(table));
        }
    } catch (const std::exception&) {
        return Error::InvalidArgument("manifest.json is malformed.");
    }
    return manifest;
}

}  // namespace p360::storage
