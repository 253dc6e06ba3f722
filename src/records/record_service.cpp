#include "records/record_service.hpp"

#include <unordered_set>

#include "core/ids.hpp"
#include "core/time_format.hpp"
#include "records/record_codec.hpp"
#include "records/record_writes.hpp"

namespace p360::records {

using detail::DeleteRecord;
using detail::EncodeRecord;
using detail::InsertRecord;
using detail::LoadRow;
using detail::UpdateRecord;
using detail::VersionOf;
using detail::WriteScope;
using metadata::FieldDef;
using metadata::ObjectDef;
using security::Actor;
using security::Operation;
using storage::Connection;
using storage::QuoteIdentifier;
using storage::Value;

RecordService::RecordService(storage::Database& database, MetadataService& metadata,
                             const security::Authorizer& authorizer, const Clock& clock,
                             RecordLimits limits)
    : database_(database),
      metadata_(metadata),
      authorizer_(authorizer),
      clock_(clock),
      limits_(limits) {}

Result<RecordService::Target> RecordService::Resolve(const Actor& actor,
                                                     std::string_view object_name,
                                                     Operation operation) const {
    Target target{metadata_.Current(), nullptr};
    target.object = target.catalog->FindObject(object_name);
    if (target.object == nullptr) {
        return Error::NotFound("No object named " + std::string(object_name) + ".");
    }
    P360_TRY(authorizer_.CheckObject(actor, *target.object, operation));
    return target;
}

Result<std::vector<FieldAssignment>> RecordService::Decode(const Actor& actor, const Target& target,
                                                           const json::value& body) const {
    auto can_edit = [&](const FieldDef& field) {
        return authorizer_.CanEditField(actor, *target.object, field);
    };
    return DecodeFields(*target.catalog, *target.object, body, can_edit);
}

Result<json::object> RecordService::Create(const Actor& actor, std::string_view object_name,
                                           const json::value& body) {
    P360_ASSIGN_OR_RETURN(Target target, Resolve(actor, object_name, Operation::kCreate));
    const ObjectDef& object = *target.object;
    P360_ASSIGN_OR_RETURN(auto assignments, Decode(actor, target, body));

    const std::int64_t now = clock_.NowMillis();
    storage::Row stored;
    P360_TRY(database_.Write([&](Connection& connection) -> Status {
        WriteScope scope{*target.catalog, object, actor, now, FormatDateTime(now), nullptr};
        P360_ASSIGN_OR_RETURN(stored, InsertRecord(connection, scope, assignments));
        return Ok();
    }));
    return EncodeRecord(object, stored, [&](const FieldDef& field) {
        return authorizer_.CanReadField(actor, object, field);
    });
}

Result<std::string> RecordService::GetJson(const Actor& actor, std::string_view object_name,
                                           std::string_view id,
                                           const std::vector<std::string>& fields) {
    P360_ASSIGN_OR_RETURN(Target target, Resolve(actor, object_name, Operation::kRead));
    const ObjectDef& object = *target.object;
    for (const std::string& name : fields) {
        const FieldDef* field = object.FindField(name);
        if (field == nullptr) {
            return Error::InvalidArgument("Unknown field " + name + " of " + object.name + ".",
                                          "fields");
        }
        if (!authorizer_.CanReadField(actor, object, *field)) {
            return Error::PermissionDenied("You may not read field " + name + ".");
        }
    }
    std::optional<storage::Row> row;
    P360_TRY(database_.Read([&](Connection& connection) -> Status {
        P360_ASSIGN_OR_RETURN(row, LoadRow(connection, object, id));
        return Ok();
    }));
    if (!row) {
        return Error::NotFound("No " + object.name + " record has this id.");
    }
    return detail::EncodeRecordText(object, *row, [&](const FieldDef& field) {
        const bool wanted = fields.empty() || field.name == metadata::kIdField ||
                            std::find(fields.begin(), fields.end(), field.name) != fields.end();
        return wanted && authorizer_.CanReadField(actor, object, field);
    });
}

Result<json::object> RecordService::Get(const Actor& actor, std::string_view object_name,
                                        std::string_view id,
                                        const std::vector<std::string>& fields) {
    P360_ASSIGN_OR_RETURN(std::string text, GetJson(actor, object_name, id, fields));
    P360_ASSIGN_OR_RETURN(json::value record, ParseJson(text, "record"));
    return std::move(record.as_object());
}

Result<json::object> RecordService::Update(const Actor& actor, std::string_view object_name,
                                           std::string_view id, const json::value& patch,
                                           std::optional<std::int64_t> if_match) {
    P360_ASSIGN_OR_RETURN(Target target, Resolve(actor, object_name, Operation::kUpdate));
    const ObjectDef& object = *target.object;
    P360_ASSIGN_OR_RETURN(auto assignments, Decode(actor, target, patch));

    const std::int64_t now = clock_.NowMillis();
    storage::Row row;
    P360_TRY(database_.Write([&](Connection& connection) -> Status {
        P360_ASSIGN_OR_RETURN(auto current, LoadRow(connection, object, id));
        if (!current) {
            return Error::NotFound("No " + object.name + " record has this id.");
        }
        if (if_match && *if_match != VersionOf(*current)) {
            return Error::FailedPrecondition("The record has changed since version " +
                                             std::to_string(*if_match) + "; reload it.");
        }
        row = std::move(*current);
        WriteScope scope{*target.catalog, object, actor, now, FormatDateTime(now), nullptr};
        P360_TRY(UpdateRecord(connection, scope, row, assignments));
        return Ok();
    }));
    return EncodeRecord(object, row, [&](const FieldDef& field) {
        return authorizer_.CanReadField(actor, object, field);
    });
}

Status RecordService::Delete(const Actor& actor, std::string_view object_name, std::string_view id,
                             std::optional<std::int64_t> if_match) {
    P360_ASSIGN_OR_RETURN(Target target, Resolve(actor, object_name, Operation::kDelete));
    const ObjectDef& object = *target.object;
    const std::int64_t now = clock_.NowMillis();
    return database_.Write([&](Connection& connection) -> Status {
        P360_ASSIGN_OR_RETURN(auto current, LoadRow(connection, object, id));
        if (!current) {
            return Error::NotFound("No " + object.name + " record has this id.");
        }
        if (if_match && *if_match != VersionOf(*current)) {
            return Error::FailedPrecondition("The record has changed since version " +
                                             std::to_string(*if_match) + "; reload it.");
        }
        WriteScope scope{*target.catalog, object, actor, now, FormatDateTime(now), nullptr};
        return DeleteRecord(connection, scope, std::string(id), limits_.max_cascade_depth);
    });
}

Result<std::string> RecordService::ListJson(const Actor& actor, std::string_view object_name,
                                            const query::ListRequest& request) {
    P360_ASSIGN_OR_RETURN(Target target, Resolve(actor, object_name, Operation::kRead));
    const ObjectDef& object = *target.object;
    auto can_read = [&](const ObjectDef& owner, const FieldDef& field) {
        return authorizer_.CanReadField(actor, owner, field);
    };
    P360_ASSIGN_OR_RETURN(
        query::CompiledList list,
        query::CompileList(*target.catalog, object, request, database_.dialect(), can_read));
    // Ask for one row more than the page: its presence says whether a next page exists.
    list.params.back() = std::int64_t{request.limit + 1};

    // Each column's `"name":` once per page, not once per row.
    std::vector<std::string> keys;
    keys.reserve(list.columns.size());
    for (const FieldDef* field : list.columns) {
        std::string key;
        AppendJsonString(key, field->name);
        keys.push_back(std::move(key) + ":");
    }
    std::string page = "{\"items\":[";
    page.reserve(static_cast<std::size_t>(request.limit) * 512);
    int items = 0;
    std::vector<Value> last_sort_values;
    bool has_more = false;
    P360_TRY(database_.Read([&](Connection& connection) -> Status {
        return connection.ForEachRow(list.sql, list.params, [&](const storage::Row& row) {
            if (items == request.limit) {
                has_more = true;
                return false;
            }
            page.append(items++ == 0 ? "{" : ",{");
            for (std::size_t column_idx = 0; column_idx < list.columns.size(); ++column_idx) {
                const FieldDef& field = *list.columns[column_idx];
                page.append(column_idx == 0 ? "" : ",").append(keys[column_idx]);
                AppendJsonValue(page, field, row[column_idx]);
            }
            page.push_back('}');
            last_sort_values.assign(
                row.begin() + static_cast<std::ptrdiff_t>(list.sort_value_offset), row.end());
            return true;
        });
    }));
    page.append("],\"nextCursor\":");
    if (has_more) {
        AppendJsonString(page, query::EncodeCursor(list.sort, last_sort_values));
    } else {
        page.append("null");
    }
    page.push_back('}');
    return page;
}

Result<json::object> RecordService::List(const Actor& actor, std::string_view object_name,
                                         const query::ListRequest& request) {
    P360_ASSIGN_OR_RETURN(std::string text, ListJson(actor, object_name, request));
    P360_ASSIGN_OR_RETURN(json::value page, ParseJson(text, "page"));
    return std::move(page.as_object());
}

Result<json::object> RecordService::History(const Actor& actor, std::string_view object_name,
                                            std::string_view id) {
    P360_ASSIGN_OR_RETURN(Target target, Resolve(actor, object_name, Operation::kRead));
    const ObjectDef& object = *target.object;
    std::optional<storage::Row> record;
    std::vector<storage::Row> rows;
    P360_TRY(database_.Read([&](Connection& connection) -> Status {
        P360_ASSIGN_OR_RETURN(record, LoadRow(connection, object, id));
        const Value params[] = {object.name, std::string(id),
                                static_cast<std::int64_t>(limits_.max_history_items)};
        P360_ASSIGN_OR_RETURN(
            rows, connection.Query("SELECT field, old_value, new_value, changed_by, changed_at "
                                   "FROM sys_field_history WHERE object_name = ? AND "
                                   "record_id = ? ORDER BY id DESC LIMIT ?",
                                   params));
        return Ok();
    }));
    if (!record) {
        return Error::NotFound("No " + object.name + " record has this id.");
    }
    json::array items;
    for (const storage::Row& row : rows) {
        const std::string& field_name = std::get<std::string>(row[0]);
        const FieldDef* field = object.FindField(field_name);
        if (field == nullptr || !authorizer_.CanReadField(actor, object, *field)) {
            continue;  // hidden fields leave no trace in history either
        }
        auto old_value = ParseJson(std::get<std::string>(row[1]), "history");
        auto new_value = ParseJson(std::get<std::string>(row[2]), "history");
        items.push_back(json::object{
            {"field", field_name},
            {"oldValue", old_value.ok() ? std::move(old_value).value() : json::value(nullptr)},
            {"newValue", new_value.ok() ? std::move(new_value).value() : json::value(nullptr)},
            {"changedBy", std::get<std::string>(row[3])},
            {"changedAt", std::get<std::string>(row[4])}});
    }
    return json::object{{"items", std::move(items)}};
}

}  // namespace p360::records
