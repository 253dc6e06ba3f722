#include "api/csv_routes.hpp"

#include <charconv>
#include <map>
#include <sstream>

#include "api/api_support.hpp"
#include "formats/csv/csv_table.hpp"

namespace p360::api {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using metadata::FieldDef;
using metadata::FieldType;
using metadata::ObjectDef;
using security::Actor;

std::string Lower(std::string_view text) {
    std::string lower(text);
    for (char& c : lower) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return lower;
}

// One exported cell: text as is, numbers and booleans as JSON writes them, lists joined by ';'.
std::string Cell(const json::value* value) {
    if (value == nullptr || value->is_null()) {
        return {};
    }
    if (value->is_string()) {
        return std::string(value->get_string());
    }
    if (value->is_array()) {
        std::string joined;
        for (const json::value& item : value->get_array()) {
            joined.append(joined.empty() ? "" : ";").append(Cell(&item));
        }
        return joined;
    }
    return json::serialize(*value);
}

// The exported columns: the requested fields, or every field the caller may read.
Result<std::vector<std::string>> ExportColumns(const PlatformServices& services, const Actor& actor,
                                               const ObjectDef& object,
                                               std::string_view requested) {
    std::vector<std::string> columns = SplitList(requested);
    if (!columns.empty()) {
        return columns;  // the records layer checks them
    }
    for (const FieldDef& field : object.fields) {
        if (services.authorizer.CanReadField(actor, object, field)) {
            columns.push_back(field.name);
        }
    }
    return columns;
}

Result<HttpResponse> Export(const PlatformServices& services, const HttpRequest& request,
                            const Actor& actor) {
    P360_TRY(OnlyQueryParameters(request, {"filter", "sort", "fields", "cursor"}));
    const auto catalog = services.metadata.Current();
    const ObjectDef* object = catalog->FindObject(request.PathParam("object"));
    if (object == nullptr) {
        return Error::NotFound("No object named " + std::string(request.PathParam("object")) + ".");
    }
    query::ListRequest page;
    page.filter = request.Query("filter").value_or("");
    page.sort = request.Query("sort").value_or("");
    page.cursor = request.Query("cursor").value_or("");
    page.limit = query::kMaxListLimit;
    P360_ASSIGN_OR_RETURN(
        page.fields, ExportColumns(services, actor, *object, request.Query("fields").value_or("")));
    std::string csv;
    formats::csv::AppendCsvRow(csv, page.fields);
    std::size_t rows = 0;
    std::string next_cursor;
    std::vector<std::string> cells(page.fields.size());
    while (true) {
        P360_ASSIGN_OR_RETURN(json::object listed,
                              services.records.List(actor, object->name, page));
        for (const json::value& item : listed.at("items").as_array()) {
            for (std::size_t column = 0; column < page.fields.size(); ++column) {
                cells[column] = Cell(item.as_object().if_contains(page.fields[column]));
            }
            formats::csv::AppendCsvRow(csv, cells);
            ++rows;
        }
        const json::value& cursor = listed.at("nextCursor");
        if (cursor.is_null()) {
            break;
        }
        page.cursor = std::string(cursor.as_string());
        if (rows >= kMaxCsvExportRows) {
            next_cursor = page.cursor;
            break;
        }
    }
    HttpResponse response{200, "text/csv; charset=utf-8", std::move(csv), {}};
    response.headers.emplace_back("Content-Disposition",
                                  "attachment; filename=\"" + object->name + ".csv\"");
    if (!next_cursor.empty()) {
        response.headers.emplace_back("X-Next-Cursor", next_cursor);
    }
    return response;
}

// Which field each column fills: by the `map` parameter, else by the field's name or label.
Result<std::vector<const FieldDef*>> MapColumns(const ObjectDef& object,
                                                const std::vector<std::string>& header,
                                                std::string_view map_text) {
    std::map<std::string, std::string> mapped;
    for (const std::string& pair : SplitList(map_text)) {
        const auto colon = pair.rfind(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == pair.size()) {
            return Error::InvalidArgument("map takes Column:field pairs, separated by commas.",
                                          "map");
        }
        mapped[Lower(pair.substr(0, colon))] = pair.substr(colon + 1);
    }
    std::vector<const FieldDef*> fields;
    std::vector<FieldError> errors;
    for (std::size_t column = 0; column < header.size(); ++column) {
        const std::string key = Lower(header[column]);
        const FieldDef* field = nullptr;
        if (auto explicit_field = mapped.find(key); explicit_field != mapped.end()) {
            field = object.FindField(explicit_field->second);
        } else {
            for (const FieldDef& candidate : object.fields) {
                if (Lower(candidate.name) == key || Lower(candidate.label) == key) {
                    field = &candidate;
                }
            }
        }
        if (field == nullptr) {
            errors.push_back({"header",
                              "Column " + std::to_string(column + 1) + " matches no field of " +
                                  object.name + "; name it in map=Column:field.",
                              1});
        }
        fields.push_back(field);
    }
    if (!errors.empty()) {
        return Error::Validation(std::move(errors));
    }
    return fields;
}

// A cell as the JSON value its field takes. Cells that do not parse stay text, so the records
// layer reports them against the field like any other bad value.
json::value CellValue(const FieldDef& field, const std::string& cell) {
    switch (field.type) {
        case FieldType::kNumber:
        case FieldType::kCurrency:
        case FieldType::kPercent: {
            double number = 0;
            const auto [end, error] =
                std::from_chars(cell.data(), cell.data() + cell.size(), number);
            if (error == std::errc() && end == cell.data() + cell.size()) {
                if (field.scale == 0 &&
                    number == static_cast<double>(static_cast<std::int64_t>(number))) {
                    return static_cast<std::int64_t>(number);
                }
                return number;
            }
            return json::string(cell);
        }
        case FieldType::kBoolean: {
            const std::string lower = Lower(cell);
            if (lower == "true" || lower == "yes" || lower == "1") {
                return true;
            }
            if (lower == "false" || lower == "no" || lower == "0") {
                return false;
            }
            return json::string(cell);
        }
        case FieldType::kMultiPicklist: {
            json::array values;
            for (const std::string& value : SplitList(std::string(cell.begin(), cell.end()))) {
                values.emplace_back(value);
            }
            return values;
        }
        default:
            return json::string(cell);
    }
}

// The CSV body as NDJSON for the bulk path, one line per CSV line, so that bulk results and
// errors carry the CSV line numbers.
Result<std::string> CsvToNdjson(const ObjectDef& object, const std::string& body,
                                std::string_view map_text) {
    std::istringstream input(body);
    std::vector<const FieldDef*> fields;
    std::string ndjson;
    std::int64_t lines_written = 0;
    P360_TRY(formats::csv::ReadCsv(input, [&](formats::csv::CsvRow&& row) -> Status {
        if (fields.empty()) {
            P360_ASSIGN_OR_RETURN(fields, MapColumns(object, row.cells, map_text));
        } else {
            json::object record;
            for (std::size_t column = 0; column < row.cells.size() && column < fields.size();
                 ++column) {
                if (!row.cells[column].empty()) {
                    record[fields[column]->name] = CellValue(*fields[column], row.cells[column]);
                }
            }
            for (; lines_written + 1 < row.line; ++lines_written) {
                ndjson.push_back('\n');  // the header and any lines a quoted cell took
            }
            ndjson.append(json::serialize(record)).push_back('\n');
            ++lines_written;
        }
        return Ok();
    }));
    if (fields.empty()) {
        return Error::InvalidArgument("The CSV has no header row.", "body");
    }
    return ndjson;
}

Result<HttpResponse> Import(const PlatformServices& services, const HttpRequest& request,
                            const Actor& actor) {
    P360_TRY(OnlyQueryParameters(request, {"externalId", "mode", "map"}));
    const auto catalog = services.metadata.Current();
    const ObjectDef* object = catalog->FindObject(request.PathParam("object"));
    if (object == nullptr) {
        return Error::NotFound("No object named " + std::string(request.PathParam("object")) + ".");
    }
    const auto key = request.Query("externalId");
    if (!key) {
        return Error::InvalidArgument("Name the key field: externalId=<field>.", "externalId");
    }
    P360_ASSIGN_OR_RETURN(const auto mode, ParseBulkMode(request.Query("mode").value_or("atomic")));
    P360_ASSIGN_OR_RETURN(std::string ndjson,
                          CsvToNdjson(*object, request.body, request.Query("map").value_or("")));
    P360_ASSIGN_OR_RETURN(auto outcome,
                          services.records.BulkUpsert(actor, object->name, ndjson, *key, mode));
    return BulkResponse(outcome, mode);
}

}  // namespace

void RegisterCsvRoutes(http::Router& router, const PlatformServices& services) {
    router.Add(
        "GET", "/api/v1/records/{object}/export.csv",
        Authenticated(services.auth, [&services](const HttpRequest& request, const Actor& actor) {
            return Export(services, request, actor);
        }));
    router.Add("POST", "/api/v1/records/{object}/import.csv",
               Authenticated(services.auth,
                             [&services](const HttpRequest& request, const Actor& actor) {
                                 return Import(services, request, actor);
                             }),
               http::RouteOptions{.max_body_bytes = services.max_bulk_body_bytes});
}

}  // namespace p360::api
