// $import: the upload stored durably before it is acknowledged, and the job that reads it in
// chunks of lines, each a batch Bundle whose entries are upserted as a transaction's would be,
// with every problem reported by line and JSON pointer.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <span>
#include <vector>

#include "api/fhir_bulk_requests.hpp"
#include "api/fhir_resources.hpp"
#include "core/ids.hpp"
#include "formats/fhir/bundle.hpp"
#include "formats/fhir/decode.hpp"

namespace p360::api::detail {
namespace {

constexpr std::string_view kErrorFile = "OperationOutcome.ndjson";
// The line of an import an OperationOutcome is about (OperationOutcome has no element for it).
constexpr std::string_view kLineExtension =
    "https://payer360.dev/fhir/StructureDefinition/ndjson-line";
// A line's fullUrl when it has an id: how the other lines' `Type/<id>` references find it, and
// the key of a resource that carries no identifier, so importing it again finds its record.
constexpr std::string_view kImportBase = "https://import.payer360.invalid/fhir/";
// Lines decoded and resolved together (one batch Bundle), and changes applied in one write.
constexpr std::size_t kImportChunkLines = 1000;
constexpr std::size_t kImportWriteBatch = 250;

struct LineError {
    std::size_t line = 0;
    std::string pointer;  // into the line's resource; "" = the line as a whole
    std::string message;
};

// The lines of an import, numbered from 1; blank lines are skipped (but counted).
struct ImportLine {
    std::size_t number = 0;
    std::string_view text;
};

std::vector<ImportLine> SplitLines(std::string_view body) {
    std::vector<ImportLine> lines;
    std::size_t number = 0;
    while (!body.empty()) {
        const std::size_t end = body.find('\n');
        std::string_view text = body.substr(0, end);
        body.remove_prefix(end == std::string_view::npos ? body.size() : end + 1);
        ++number;
        if (!text.empty() && text.back() == '\r') {
            text.remove_suffix(1);
        }
        if (text.find_first_not_of(" \t") != std::string_view::npos) {
            lines.push_back({number, text});
        }
    }
    return lines;
}

// `/entry/7/resource/birthDate` → `/birthDate`.
std::string PointerInResource(std::string_view pointer) {
    constexpr std::string_view kResource = "/resource";
    const auto at = pointer.find(kResource);
    return at == std::string_view::npos ? std::string()
                                        : std::string(pointer.substr(at + kResource.size()));
}

// `changes[0].birthDate` → the JSON pointer the decoder noted for `birthDate`.
std::string PointerOfChangeField(const formats::fhir::BundleEntry& entry,
                                 std::string_view location) {
    const auto dot = location.find("].");
    if (dot == std::string_view::npos || !entry.resource) {
        return {};
    }
    const std::string field(location.substr(dot + 2));
    const auto& pointers = entry.resource->pointers;
    const auto found = pointers.find(field);
    return found != pointers.end() ? found->second : "/" + field;
}

void AddErrors(std::vector<LineError>& errors, std::size_t line, const Error& error,
               const formats::fhir::BundleEntry* entry) {
    auto pointer_of = [&](const std::string& location) {
        if (location.starts_with("/entry/")) {
            return PointerInResource(location);
        }
        return entry != nullptr ? PointerOfChangeField(*entry, location) : std::string();
    };
    if (error.field_errors.empty()) {
        errors.push_back({line, pointer_of(error.location), error.public_message});
    }
    for (const FieldError& field_error : error.field_errors) {
        errors.push_back({line, pointer_of(field_error.field), field_error.message});
    }
}

// The per-line problems as OperationOutcome resources, one per line.
json::object OutcomeOfLine(std::size_t line, const std::vector<LineError>& errors) {
    json::array issues;
    for (const LineError& error : errors) {
        json::object issue{{"extension", json::array{json::object{{"url", kLineExtension},
                                                                  {"valueInteger", error.line}}}},
                           {"severity", "error"},
                           {"code", "invalid"},
                           {"diagnostics", "Line " + std::to_string(line) + ": " + error.message}};
        if (!error.pointer.empty()) {
            issue["location"] = json::array{json::value(error.pointer)};
        }
        issues.push_back(std::move(issue));
    }
    return json::object{{"resourceType", "OperationOutcome"}, {"issue", std::move(issues)}};
}

// What an import has done so far.
struct ImportTally {
    std::map<std::string, std::int64_t> imported;  // by resource type
    std::vector<LineError> errors;
};

// One line as an entry of the batch Bundle a chunk is read as; nothing (and an error) when the
// line is no resource this import takes.
std::optional<json::object> EntryOfLine(const ImportLine& line,
                                        const std::set<std::string, std::less<>>& allowed,
                                        std::vector<LineError>& errors) {
    boost::system::error_code parse_error;
    json::value resource = json::parse(line.text, parse_error);
    if (parse_error) {
        errors.push_back({line.number, "", "Not valid JSON: " + parse_error.message() + "."});
        return std::nullopt;
    }
    const json::object* object = resource.if_object();
    const json::value* type = object != nullptr ? object->if_contains("resourceType") : nullptr;
    if (type == nullptr || !type->is_string()) {
        errors.push_back({line.number, "/resourceType", "Each line must be a FHIR resource."});
        return std::nullopt;
    }
    const std::string type_name(type->get_string());
    if (!allowed.empty() && !allowed.contains(type_name)) {
        errors.push_back({line.number, "/resourceType",
                          type_name + " is not among the types this import declared."});
        return std::nullopt;
    }
    if (formats::fhir::ObjectOfResourceType(type_name).empty()) {
        errors.push_back(
            {line.number, "/resourceType", "payer360 does not import " + type_name + "."});
        return std::nullopt;
    }
    json::object entry{{"resource", resource},
                       {"request", json::object{{"method", "POST"}, {"url", type_name}}}};
    if (const json::value* id = object->if_contains("id"); id != nullptr && id->is_string()) {
        entry["fullUrl"] =
            std::string(kImportBase) + type_name + "/" + std::string(id->get_string());
    }
    return entry;
}

// Applies changes in one write when all of them hold, else line by line, so a bad line is
// refused alone and never half-applied.
Status ApplyChangeBatch(const Bulk& bulk, const Actor& actor,
                        const std::vector<records::RecordChange>& changes,
                        const std::vector<const formats::fhir::BundleEntry*>& entries,
                        const std::vector<std::size_t>& lines, ImportTally& tally) {
    if (changes.empty()) {
        return Ok();
    }
    auto applied = bulk.records.ApplyChanges(actor, changes);
    if (applied.ok()) {
        for (const auto* entry : entries) {
            ++tally.imported[entry->resource_type];
        }
        return Ok();
    }
    if (applied.error().code == ErrorCode::kUnavailable || changes.size() == 1) {
        if (applied.error().code == ErrorCode::kUnavailable ||
            applied.error().code == ErrorCode::kInternal) {
            return applied.error();
        }
        AddErrors(tally.errors, lines[0], applied.error(), entries[0]);
        return Ok();
    }
    for (std::size_t change_idx = 0; change_idx < changes.size(); ++change_idx) {
        P360_TRY(ApplyChangeBatch(bulk, actor, {changes[change_idx]}, {entries[change_idx]},
                                  {lines[change_idx]}, tally));
    }
    return Ok();
}

// A chunk of lines: read as one batch Bundle (references between its lines resolve), each
// entry turned into its change as a transaction would, then applied.
Status ImportChunk(const Bulk& bulk, const Actor& actor, std::span<const ImportLine> lines,
                   const std::set<std::string, std::less<>>& allowed, ImportTally& tally) {
    json::array entries;
    std::vector<std::size_t> line_of_entry;
    for (const ImportLine& line : lines) {
        if (auto entry = EntryOfLine(line, allowed, tally.errors)) {
            entries.push_back(std::move(*entry));
            line_of_entry.push_back(line.number);
        }
    }
    const json::value bundle_json =
        json::object{{"resourceType", "Bundle"}, {"type", "batch"}, {"entry", std::move(entries)}};
    P360_ASSIGN_OR_RETURN(formats::fhir::Bundle bundle, formats::fhir::ReadBundle(bundle_json));
    std::vector<records::RecordChange> changes;
    std::vector<const formats::fhir::BundleEntry*> changed_entries;
    std::vector<std::size_t> changed_lines;
    for (std::size_t entry_idx = 0; entry_idx < bundle.entries.size(); ++entry_idx) {
        const formats::fhir::BundleEntry& entry = bundle.entries[entry_idx];
        const std::size_t line = line_of_entry[entry_idx];
        if (!entry.errors.empty()) {
            AddErrors(tally.errors, line, Error::Validation(entry.errors), &entry);
            continue;
        }
        auto change = FhirChangeOf(bulk.records, actor, bundle, entry);
        if (!change.ok()) {
            AddErrors(tally.errors, line, change.error(), &entry);
            continue;
        }
        change->update = true;  // importing again brings the record up to date
        changes.push_back(std::move(change).value());
        changed_entries.push_back(&entry);
        changed_lines.push_back(line);
        if (changes.size() == kImportWriteBatch) {
            P360_TRY(ApplyChangeBatch(bulk, actor, changes, changed_entries, changed_lines, tally));
            changes.clear();
            changed_entries.clear();
            changed_lines.clear();
        }
    }
    return ApplyChangeBatch(bulk, actor, changes, changed_entries, changed_lines, tally);
}

// Writes the uploaded body where the job will find it, on disk before the request is
// acknowledged.
Status StoreDurably(const fs::path& directory, std::string_view body) {
    std::error_code error;
    fs::create_directories(directory, error);
    if (error) {
        return Error::Unavailable("Cannot create the directory of the import.");
    }
    const fs::path path = directory / kImportFile;
    const int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (file < 0) {
        return Error::Unavailable("Cannot store the import.");
    }
    std::size_t written = 0;
    while (written < body.size()) {
        const ssize_t step = ::write(file, body.data() + written, body.size() - written);
        if (step <= 0) {
            ::close(file);
            return Error::Unavailable("Cannot store the import.");
        }
        written += static_cast<std::size_t>(step);
    }
    const bool synced = ::fsync(file) == 0;
    ::close(file);
    const int parent = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (parent >= 0) {
        ::fsync(parent);  // the new file's name is on disk too
        ::close(parent);
    }
    return synced ? Ok() : Status(Error::Unavailable("Cannot store the import."));
}

Result<std::vector<std::string>> ImportTypes(const HttpRequest& request) {
    std::vector<std::string> types;
    for (const auto& [name, value] : request.query) {
        if (name != "type") {
            continue;
        }
        for (const std::string& type : SplitList(value)) {
            if (formats::fhir::ObjectOfResourceType(type).empty()) {
                return Error::InvalidArgument(
                    "type names " + type + ", which payer360 does not import.", "type");
            }
            types.push_back(type);
        }
    }
    return types;
}

}  // namespace

Result<HttpResponse> KickOffImport(const Bulk& bulk, const HttpRequest& request,
                                   const Actor& actor) {
    P360_TRY(RequireRespondAsync(request));
    P360_TRY(OnlyQueryParameters(request, {"type"}));
    const std::string_view content_type = request.Header("content-type").value_or("");
    if (!content_type.starts_with(kNdjson) && !content_type.starts_with("application/ndjson") &&
        !content_type.starts_with("application/x-ndjson")) {
        return Error::InvalidArgument(
            "An import takes NDJSON: Content-Type: application/fhir+ndjson.", "Content-Type");
    }
    if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        return Error::InvalidArgument("The import needs at least one resource, one per line.",
                                      "body");
    }
    P360_ASSIGN_OR_RETURN(auto types, ImportTypes(request));
    P360_TRY(SweepExpired(bulk));
    const std::string id = NewId(kIdPrefix, bulk.services.clock.NowMillis());
    P360_TRY(StoreDurably(bulk.DirectoryOf(id), request.body));
    return Accept(bulk, request, actor, kFhirImportJob, id, types);
}

Result<std::optional<json::object>> ImportResources(const Bulk& bulk, const automation::Job& job,
                                                    const JobInput& input) {
    const std::string& id = input.request.id;
    const fs::path directory = bulk.DirectoryOf(id);
    P360_ASSIGN_OR_RETURN(std::string body, ReadFile(directory / kImportFile));
    std::set<std::string, std::less<>> allowed;
    for (const json::value& type : input.payload.at("types").as_array()) {
        allowed.emplace(type.as_string());
    }
    const std::vector<ImportLine> lines = SplitLines(body);
    ProgressReporter progress(bulk, job, id);
    ImportTally tally;
    for (std::size_t start = 0; start < lines.size(); start += kImportChunkLines) {
        const std::size_t count = std::min(kImportChunkLines, lines.size() - start);
        P360_TRY(
            ImportChunk(bulk, input.actor, std::span(lines).subspan(start, count), allowed, tally));
        P360_ASSIGN_OR_RETURN(bool running,
                              progress.Report(std::to_string(start + count) + " of " +
                                                  std::to_string(lines.size()) + " lines",
                                              true));
        if (!running) {
            std::error_code ignored;
            fs::remove_all(directory, ignored);
            return std::optional<json::object>();
        }
    }
    const std::string base(input.payload.at("base").as_string());
    json::array output;
    for (const auto& [type, count] : tally.imported) {
        output.push_back(json::object{{"type", type}, {"count", count}});
    }
    json::array errors;
    if (!tally.errors.empty()) {
        std::stable_sort(tally.errors.begin(), tally.errors.end(),
                         [](const LineError& a, const LineError& b) { return a.line < b.line; });
        P360_ASSIGN_OR_RETURN(auto file, NdjsonFile::Create(directory / kErrorFile));
        for (std::size_t first = 0; first < tally.errors.size();) {
            std::size_t last = first;
            while (last < tally.errors.size() &&
                   tally.errors[last].line == tally.errors[first].line) {
                ++last;
            }
            P360_TRY(file->Add(OutcomeOfLine(tally.errors[first].line,
                                             std::vector<LineError>(tally.errors.begin() + first,
                                                                    tally.errors.begin() + last))));
            first = last;
        }
        P360_TRY(file->Close());
        errors.push_back(json::object{{"type", "OperationOutcome"},
                                      {"url", FileUrl(base, id, kErrorFile)},
                                      {"count", file->lines()}});
    }
    std::error_code ignored;
    fs::remove(directory / kImportFile, ignored);  // the records hold it now
    return std::optional<json::object>(Manifest(input, std::move(output), std::move(errors)));
}

}  // namespace p360::api::detail
