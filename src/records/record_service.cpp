#include "records/record_service.hpp"

#include <algorithm>
#include <unordered_set>

#include "core/ids.hpp"
#include "core/time_format.hpp"
#include "records/record_codec.hpp"
#include "records/record_writes.hpp"
#include "security/sharing_stamp.hpp"

namespace p360::records {

using detail::DeleteRecord;
using detail::EncodeRecord;
using detail::InsertRecord;
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

namespace {

// The member a stored record is about: itself for a Person, else its person field.
std::string PersonIdOf(const ObjectDef& object, const storage::Row& row) {
    if (object.name == "Person") {
        return std::get<std::string>(row[0]);
    }
    if (object.person_field.empty()) {
        return {};
    }
    const FieldDef* field = object.FindField(object.person_field);
    if (field == nullptr) {
        return {};
    }
    const auto index = static_cast<std::size_t>(field - object.fields.data());
    const auto* value = std::get_if<std::string>(&row[index]);
    return value != nullptr ? *value : std::string();
}

// The PHI fields among those a predicate selects.
std::vector<std::string> PhiFields(const ObjectDef& object,
                                   const std::function<bool(const FieldDef&)>& selected) {
    std::vector<std::string> names;
    for (const FieldDef& field : object.fields) {
        if (field.phi && selected(field)) {
            names.push_back(field.name);
        }
    }
    return names;
}

// Selects the fields a write assigned.
std::function<bool(const FieldDef&)> AssignedFields(
    const ObjectDef& object, const std::vector<FieldAssignment>& assignments) {
    return [&object, &assignments](const FieldDef& field) {
        return std::any_of(assignments.begin(), assignments.end(), [&](const auto& assignment) {
            return &object.fields[assignment.field_index] == &field;
        });
    };
}

// Each column's `{"name":` or `,"name":`, written once per page rather than once per row, all
// in one string (a member 360 lists some thirty pages).
struct ColumnKeys {
    std::string text;
    std::vector<std::size_t> ends;  // where each column's key ends in `text`

    explicit ColumnKeys(const std::vector<const FieldDef*>& columns) {
        text.reserve(columns.size() * 16);
        ends.reserve(columns.size());
        for (const FieldDef* field : columns) {
            text.push_back(ends.empty() ? '{' : ',');
            AppendJsonString(text, field->name);
            text.push_back(':');
            ends.push_back(text.size());
        }
    }
    std::string_view operator[](std::size_t column_idx) const {
        const std::size_t begin = column_idx == 0 ? 0 : ends[column_idx - 1];
        return std::string_view(text).substr(begin, ends[column_idx] - begin);
    }
};

// One listed row as a JSON object: the cells go from the statement straight into `out`.
void AppendListedRow(std::string& out, const ColumnKeys& keys,
                     const std::vector<const FieldDef*>& columns, const storage::RowView& row) {
    for (std::size_t column_idx = 0; column_idx < columns.size(); ++column_idx) {
        out.append(keys[column_idx]);
        AppendJsonCell(out, *columns[column_idx], row, column_idx);
    }
    out.push_back('}');
}

// One read record as a JSON object of the fields `returned` selects.
void AppendReadRow(std::string& out, const ObjectDef& object, const std::vector<bool>& returned,
                   const storage::RowView& row) {
    out.push_back('{');
    for (std::size_t field_idx = 0; field_idx < object.fields.size() && field_idx < row.size();
         ++field_idx) {
        if (!returned[field_idx]) {
            continue;
        }
        const FieldDef& field = object.fields[field_idx];
        out.append(out.back() == '{' ? "" : ",");
        AppendJsonString(out, field.name);
        out.push_back(':');
        AppendJsonCell(out, field, row, field_idx);
    }
    out.push_back('}');
}

// The value a RecordText carries for a cell: a text value's text, any other value's JSON.
std::string ValueText(const FieldDef& field, const storage::RowView& row, std::size_t column) {
    if (row.TypeAt(column) == storage::RowView::Type::kText &&
        field.type != metadata::FieldType::kMultiPicklist) {
        return std::string(row.TextAt(column));
    }
    if (row.IsNullAt(column)) {
        return {};
    }
    std::string text;
    AppendJsonCell(text, field, row, column);
    return text;
}

bool HasPhi(const ObjectDef& object) {
    return std::any_of(object.fields.begin(), object.fields.end(),
                       [](const FieldDef& field) { return field.phi; });
}

}  // namespace

RecordService::RecordService(storage::Database& database, MetadataService& metadata,
                             const security::Authorizer& authorizer, const Clock& clock,
                             security::AccessAudit* audit, RecordLimits limits)
    : database_(database),
      metadata_(metadata),
      authorizer_(authorizer),
      clock_(clock),
      audit_(audit),
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

query::RecordScope RecordService::ScopeOf(const Actor& actor, const Target& target,
                                          Operation operation, bool* scoped_to_caller) const {
    return [this, &actor, catalog = target.catalog, operation, scoped_to_caller](
               const ObjectDef& object, std::string_view alias) {
        storage::SqlCondition scope =
            authorizer_.RecordScope(actor, *catalog, object, operation, alias);
        if (scoped_to_caller != nullptr && !scope.params.empty()) {
            *scoped_to_caller = true;
        }
        return scope;
    };
}

Result<storage::Row> RecordService::LoadForChange(Connection& connection, const Actor& actor,
                                                  const Target& target, std::string_view id,
                                                  Operation operation) const {
    const ObjectDef& object = *target.object;
    const storage::SqlCondition changeable = ScopeOf(actor, target, operation)(object, "t");
    P360_ASSIGN_OR_RETURN(auto row, detail::LoadRowForChange(connection, object, id, changeable));
    if (row) {
        return std::move(*row);
    }
    const storage::SqlCondition readable = ScopeOf(actor, target, Operation::kRead)(object, "t");
    P360_ASSIGN_OR_RETURN(auto visible, detail::LoadRowWithin(connection, object, id, readable));
    if (visible && !changeable.Unrestricted()) {
        return Error::PermissionDenied("You may not change this " + object.name + " record.");
    }
    return Error::NotFound("No " + object.name + " record has this id.");
}

Status RecordService::CheckStillReadable(Connection& connection, const query::RecordScope& readable,
                                         const Target& target, std::string_view id) const {
    const storage::SqlCondition scope = readable(*target.object, "t");
    if (scope.Unrestricted()) {
        return Ok();
    }
    P360_ASSIGN_OR_RETURN(auto row, detail::LoadRowWithin(connection, *target.object, id, scope));
    if (!row) {
        return Error::PermissionDenied("This change would put the record out of your reach.");
    }
    return Ok();
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
    const query::RecordScope readable = ScopeOf(actor, target, Operation::kRead);
    storage::Row stored;
    P360_TRY(database_.Write([&](Connection& connection) -> Status {
        WriteScope scope{*target.catalog,     object,  actor,    now,
                         FormatDateTime(now), nullptr, &readable};
        P360_ASSIGN_OR_RETURN(stored, InsertRecord(connection, scope, assignments));
        // E.g. a portal member filing a case about somebody else.
        return CheckStillReadable(connection, readable, target, std::get<std::string>(stored[0]));
    }));
    AuditWrite(actor, "create", object, stored, AssignedFields(object, assignments));
    return EncodeRecord(object, stored, [&](const FieldDef& field) {
        return authorizer_.CanReadField(actor, object, field);
    });
}

Result<RecordService::GetPlan> RecordService::PlanGet(
    const Actor& actor, std::string_view object_name,
    const std::vector<std::string>& fields) const {
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
    GetPlan plan{
        std::move(target), std::vector<bool>(object.fields.size(), false), {}, {}, {}, false};
    for (std::size_t field_idx = 0; field_idx < object.fields.size(); ++field_idx) {
        const FieldDef& field = object.fields[field_idx];
        const bool wanted = fields.empty() || field.name == metadata::kIdField ||
                            std::find(fields.begin(), fields.end(), field.name) != fields.end();
        plan.returned[field_idx] = wanted && authorizer_.CanReadField(actor, object, field);
        if (plan.returned[field_idx] && field.phi) {
            plan.phi_fields.append(plan.phi_fields.empty() ? "" : ",").append(field.name);
        }
    }
    // The member the record is about: the record itself for a Person, else its person field.
    if (object.name == "Person") {
        plan.person_column = 0;
    } else if (const FieldDef* person =
                   object.person_field.empty() ? nullptr : object.FindField(object.person_field)) {
        plan.person_column = static_cast<std::size_t>(person - object.fields.data());
    }
    plan.readable =
        ScopeOf(actor, plan.target, Operation::kRead, &plan.scoped_to_caller)(object, "t");
    return plan;
}

Result<bool> RecordService::RunGet(Connection& connection, const Actor& actor, GetPlan& plan,
                                   std::string_view id,
                                   const std::function<void(const storage::RowView&)>& on_row,
                                   std::vector<security::Disclosure>* captured) const {
    const ObjectDef& object = *plan.target.object;
    security::AuditSubjects disclosed;
    P360_TRY(detail::VisitRowWithin(
        connection, object, id, plan.readable, [&](const storage::RowView& row) {
            on_row(row);
            disclosed.Add(row.TextAt(0), plan.person_column ? row.TextAt(*plan.person_column)
                                                            : std::string_view());
        }));
    if (disclosed.empty()) {
        return false;
    }
    if (audit_ != nullptr && !plan.phi_fields.empty()) {
        QueueDisclosure(actor, {"read", object.name, plan.phi_fields, std::move(disclosed)},
                        captured);
    }
    return true;
}

void RecordService::QueueDisclosure(const Actor& actor, security::Disclosure disclosure,
                                    std::vector<security::Disclosure>* captured) const {
    if (captured != nullptr) {
        captured->push_back(disclosure);
    }
    audit_->Record(actor, disclosure.action, disclosure.object_name,
                   std::move(disclosure.phi_fields), std::move(disclosure.subjects));
}

void RecordService::Disclose(const Actor& actor,
                             const std::vector<security::Disclosure>& disclosures) const {
    if (audit_ == nullptr) {
        return;
    }
    for (const security::Disclosure& disclosure : disclosures) {
        audit_->Record(actor, disclosure.action, disclosure.object_name, disclosure.phi_fields,
                       disclosure.subjects);
    }
}

Result<std::string> RecordService::GetJson(const Actor& actor, std::string_view object_name,
                                           std::string_view id,
                                           const std::vector<std::string>& fields) {
    P360_ASSIGN_OR_RETURN(GetPlan plan, PlanGet(actor, object_name, fields));
    const ObjectDef& object = *plan.target.object;
    std::string text;
    bool found = false;
    P360_TRY(database_.ReadStatement([&](Connection& connection) -> Status {
        P360_ASSIGN_OR_RETURN(found,
                              RunGet(connection, actor, plan, id, [&](const storage::RowView& row) {
                                  AppendReadRow(text, object, plan.returned, row);
                              }));
        return Ok();
    }));
    if (!found) {
        return Error::NotFound("No " + object.name + " record has this id.");
    }
    return text;
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
    const query::RecordScope readable = ScopeOf(actor, target, Operation::kRead);
    storage::Row row;
    auto update_result = detail::UpdateResult::kUnchanged;
    P360_TRY(database_.Write([&](Connection& connection) -> Status {
        P360_ASSIGN_OR_RETURN(row,
                              LoadForChange(connection, actor, target, id, Operation::kUpdate));
        if (if_match && *if_match != VersionOf(row)) {
            return Error::FailedPrecondition("The record has changed since version " +
                                             std::to_string(*if_match) + "; reload it.");
        }
        WriteScope scope{*target.catalog,     object,  actor,    now,
                         FormatDateTime(now), nullptr, &readable};
        P360_ASSIGN_OR_RETURN(update_result, UpdateRecord(connection, scope, row, assignments));
        return CheckStillReadable(connection, readable, target, id);
    }));
    if (update_result == detail::UpdateResult::kUpdated) {
        AuditWrite(actor, "update", object, row, AssignedFields(object, assignments));
    }
    return EncodeRecord(object, row, [&](const FieldDef& field) {
        return authorizer_.CanReadField(actor, object, field);
    });
}

Result<json::object> RecordService::ChangeOwner(const Actor& actor, std::string_view object_name,
                                                std::string_view id, std::string_view owner_id,
                                                std::optional<std::int64_t> if_match) {
    P360_ASSIGN_OR_RETURN(Target target, Resolve(actor, object_name, Operation::kUpdate));
    const ObjectDef& object = *target.object;
    const std::int64_t now = clock_.NowMillis();
    const FieldAssignment assignment{
        static_cast<std::size_t>(object.FindField(metadata::kOwnerField) - &object.fields[0]),
        Value{std::string(owner_id)}};
    storage::Row row;
    P360_TRY(database_.Write([&](Connection& connection) -> Status {
        const Value owner[] = {std::string(owner_id), std::string(owner_id)};
        P360_ASSIGN_OR_RETURN(
            auto exists, connection.QueryOne("SELECT 1 FROM sys_users WHERE id = ? AND active = 1 "
                                             "UNION ALL SELECT 1 FROM sys_teams WHERE id = ?",
                                             owner));
        if (!exists) {
            return Error::InvalidArgument("No active user, team or queue has this id.", "ownerId");
        }
        P360_ASSIGN_OR_RETURN(row,
                              LoadForChange(connection, actor, target, id, Operation::kUpdate));
        if (if_match && *if_match != VersionOf(row)) {
            return Error::FailedPrecondition("The record has changed since version " +
                                             std::to_string(*if_match) + "; reload it.");
        }
        WriteScope scope{*target.catalog, object, actor, now, FormatDateTime(now), nullptr};
        P360_TRY(UpdateRecord(connection, scope, row, {assignment}));
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
    storage::Row deleted;
    P360_TRY(database_.Write([&](Connection& connection) -> Status {
        P360_ASSIGN_OR_RETURN(auto current,
                              LoadForChange(connection, actor, target, id, Operation::kDelete));
        if (if_match && *if_match != VersionOf(current)) {
            return Error::FailedPrecondition("The record has changed since version " +
                                             std::to_string(*if_match) + "; reload it.");
        }
        WriteScope scope{*target.catalog, object, actor, now, FormatDateTime(now), nullptr};
        P360_TRY(DeleteRecord(connection, scope, std::string(id), limits_.max_cascade_depth));
        deleted = std::move(current);
        return Ok();
    }));
    AuditWrite(actor, "delete", object, deleted, [](const FieldDef&) { return false; });
    return Ok();
}

Result<RecordService::ListPlan> RecordService::PlanList(const Actor& actor,
                                                        std::string_view object_name,
                                                        const query::ListRequest& request) const {
    P360_ASSIGN_OR_RETURN(Target target, Resolve(actor, object_name, Operation::kRead));
    const ObjectDef& object = *target.object;
    auto can_read = [&](const ObjectDef& owner, const FieldDef& field) {
        return authorizer_.CanReadField(actor, owner, field);
    };
    bool scoped_to_caller = false;
    P360_ASSIGN_OR_RETURN(
        query::CompiledList list,
        query::CompileList(*target.catalog, object, request, database_.dialect(), can_read,
                           ScopeOf(actor, target, Operation::kRead, &scoped_to_caller)));
    // Ask for one row more than the page: its presence says whether a next page exists.
    list.params.back() = std::int64_t{request.limit + 1};
    ListPlan plan{std::move(target), std::move(list), request.limit, {}, {}, scoped_to_caller};
    // Each listed record with PHI in it is a disclosure: the page is one audit event naming
    // the PHI fields once and every record listed, with its member when known.
    for (std::size_t column_idx = 0; column_idx < plan.list.columns.size(); ++column_idx) {
        const FieldDef& field = *plan.list.columns[column_idx];
        if (field.phi) {
            plan.phi_fields.append(plan.phi_fields.empty() ? "" : ",").append(field.name);
        }
        if (object.name == "Person" ? field.name == metadata::kIdField
                                    : field.name == object.person_field) {
            plan.person_column = column_idx;
        }
    }
    return plan;
}

Result<std::string> RecordService::RunList(
    Connection& connection, const Actor& actor, ListPlan& plan,
    const std::function<void(const storage::RowView&)>& on_row,
    std::vector<security::Disclosure>* captured) const {
    const bool audited = audit_ != nullptr && !plan.phi_fields.empty();
    security::AuditSubjects disclosed;
    if (audited) {
        disclosed.Reserve(static_cast<std::size_t>(plan.limit));
    }
    int items = 0;
    std::vector<Value> last_sort_values;
    bool has_more = false;
    P360_TRY(connection.ForEachRowView(
        plan.list.sql, plan.list.params, [&](const storage::RowView& row) {
            if (items == plan.limit) {
                has_more = true;
                return false;
            }
            ++items;
            on_row(row);
            if (audited) {
                disclosed.Add(row.TextAt(0), plan.person_column ? row.TextAt(*plan.person_column)
                                                                : std::string_view());
            }
            if (items == plan.limit) {
                // The page's last row: where the next page starts.
                for (std::size_t column_idx = plan.list.sort_value_offset; column_idx < row.size();
                     ++column_idx) {
                    last_sort_values.push_back(row.ValueAt(column_idx));
                }
            }
            return true;
        }));
    if (audited && !disclosed.empty()) {
        QueueDisclosure(actor,
                        {"list", plan.target.object->name, plan.phi_fields, std::move(disclosed)},
                        captured);
    }
    return has_more ? query::EncodeCursor(plan.list.sort, last_sort_values) : std::string();
}

Result<std::string> RecordService::ListJson(const Actor& actor, std::string_view object_name,
                                            const query::ListRequest& request) {
    P360_ASSIGN_OR_RETURN(ListPlan plan, PlanList(actor, object_name, request));
    const std::vector<const FieldDef*>& columns = plan.list.columns;
    const ColumnKeys keys(columns);
    std::string page = "{\"items\":[";
    page.reserve(static_cast<std::size_t>(request.limit) * 768);
    std::string next_cursor;
    P360_TRY(database_.ReadStatement([&](Connection& connection) -> Status {
        P360_ASSIGN_OR_RETURN(next_cursor,
                              RunList(connection, actor, plan, [&](const storage::RowView& row) {
                                  if (page.back() != '[') {
                                      page.push_back(',');
                                  }
                                  AppendListedRow(page, keys, columns, row);
                              }));
        return Ok();
    }));
    page.append("],\"nextCursor\":");
    if (!next_cursor.empty()) {
        AppendJsonString(page, next_cursor);
    } else {
        page.append("null");
    }
    page.push_back('}');
    return page;
}

Status RecordService::ReadTogether(const Actor& actor,
                                   const std::function<Status(RecordReader&)>& work) {
    return database_.ReadTogether([&](Connection& connection) -> Status {
        RecordReader reader(*this, actor, connection);
        return work(reader);
    });
}

Result<RecordText> RecordReader::Get(std::string_view object_name, std::string_view id,
                                     std::span<const std::string_view> values_of) {
    P360_ASSIGN_OR_RETURN(auto plan, service_.PlanGet(actor_, object_name, {}));
    scoped_to_caller_ = scoped_to_caller_ || plan.scoped_to_caller;
    const ObjectDef& object = *plan.target.object;
    std::vector<std::optional<std::size_t>> value_fields;
    for (std::string_view name : values_of) {
        const FieldDef* field = object.FindField(name);
        std::optional<std::size_t> index;
        if (field != nullptr) {
            index = static_cast<std::size_t>(field - object.fields.data());
        }
        value_fields.push_back(index && plan.returned[*index] ? index : std::nullopt);
    }
    RecordText record;
    P360_ASSIGN_OR_RETURN(
        bool found,
        service_.RunGet(
            connection_, actor_, plan, id,
            [&](const storage::RowView& row) {
                AppendReadRow(record.json, object, plan.returned, row);
                for (const auto& index : value_fields) {
                    record.values.push_back(
                        index ? std::optional(ValueText(object.fields[*index], row, *index))
                              : std::nullopt);
                }
            },
            captured_));
    if (!found) {
        return Error::NotFound("No " + object.name + " record has this id.");
    }
    return record;
}

Result<RecordPage> RecordReader::List(std::string_view object_name,
                                      const query::ListRequest& request,
                                      std::span<const std::string_view> values_of) {
    P360_ASSIGN_OR_RETURN(auto plan, service_.PlanList(actor_, object_name, request));
    scoped_to_caller_ = scoped_to_caller_ || plan.scoped_to_caller;
    const std::vector<const FieldDef*>& columns = plan.list.columns;
    const ColumnKeys keys(columns);
    std::vector<std::optional<std::size_t>> value_columns;
    for (std::string_view name : values_of) {
        auto column = std::find_if(columns.begin(), columns.end(),
                                   [&](const FieldDef* field) { return field->name == name; });
        value_columns.push_back(column != columns.end()
                                    ? std::optional<std::size_t>(column - columns.begin())
                                    : std::nullopt);
    }
    RecordPage page;
    page.records.reserve(static_cast<std::size_t>(std::min(request.limit, 100)));
    P360_ASSIGN_OR_RETURN(
        page.next_cursor,
        service_.RunList(
            connection_, actor_, plan,
            [&](const storage::RowView& row) {
                RecordText& record = page.records.emplace_back();
                AppendListedRow(record.json, keys, columns, row);
                for (const auto& column : value_columns) {
                    record.values.push_back(
                        column ? std::optional(ValueText(*columns[*column], row, *column))
                               : std::nullopt);
                }
            },
            captured_));
    return page;
}

Result<ChangeMark> RecordReader::Mark() {
    const Value params[] = {std::string(kCatalogStampKey), std::string(security::kSharingStampKey)};
    ChangeMark mark;
    P360_TRY(connection_.ForEachRow(
        "SELECT (SELECT MAX(id) FROM sys_outbox), (SELECT value FROM sys_meta WHERE key = ?), "
        "(SELECT value FROM sys_meta WHERE key = ?)",
        params, [&mark](const storage::Row& row) {
            if (const auto* last = std::get_if<std::int64_t>(&row[0])) {
                mark.last_change = *last;
            }
            if (const auto* stamp = std::get_if<std::string>(&row[1])) {
                mark.catalog_stamp = *stamp;
            }
            if (const auto* stamp = std::get_if<std::string>(&row[2])) {
                mark.sharing_stamp = *stamp;
            }
            return false;
        }));
    return mark;
}

Result<std::vector<ChangedRecord>> RecordReader::ChangesAfter(std::int64_t after,
                                                              std::size_t limit) {
    std::vector<ChangedRecord> changes;
    const Value params[] = {after, static_cast<std::int64_t>(limit)};
    P360_TRY(connection_.ForEachRow(
        "SELECT id, object_name, record_id FROM sys_outbox WHERE id > ? ORDER BY id LIMIT ?",
        params, [&changes](const storage::Row& row) {
            changes.push_back({std::get<std::int64_t>(row[0]),
                               std::get<std::string>(row[1]),
                               std::get<std::string>(row[2]),
                               {}});
            return true;
        }));
    const metadata::CatalogSnapshot catalog = service_.metadata_.Current();
    for (ChangedRecord& change : changes) {
        const ObjectDef* object = catalog->FindObject(change.object);
        if (object == nullptr) {
            continue;  // a custom object since removed: nothing refers through it any more
        }
        std::string columns;
        for (const FieldDef& field : object->fields) {
            if (field.type == metadata::FieldType::kReference) {
                columns.append(columns.empty() ? "" : ", ")
                    .append(storage::QuoteIdentifier(field.name));
            }
        }
        if (columns.empty()) {
            continue;
        }
        const Value id{change.id};
        P360_TRY(connection_.ForEachRow(
            "SELECT " + columns + " FROM " + storage::QuoteIdentifier(object->name) +
                " WHERE id = ?",
            std::span(&id, 1), [&change](const storage::Row& row) {
                for (const Value& value : row) {
                    if (const auto* referenced = std::get_if<std::string>(&value)) {
                        change.references.push_back(*referenced);
                    }
                }
                return false;
            }));
    }
    return changes;
}

bool RecordService::CanReadField(const Actor& actor, std::string_view object_name,
                                 std::string_view field_name) const {
    const metadata::CatalogSnapshot catalog = metadata_.Current();
    const ObjectDef* object = catalog->FindObject(object_name);
    const FieldDef* field = object == nullptr ? nullptr : object->FindField(field_name);
    return field != nullptr && authorizer_.CanReadField(actor, *object, *field);
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
    const storage::SqlCondition readable = ScopeOf(actor, target, Operation::kRead)(object, "t");
    std::optional<storage::Row> record;
    std::vector<storage::Row> rows;
    P360_TRY(database_.Read([&](Connection& connection) -> Status {
        P360_ASSIGN_OR_RETURN(record, detail::LoadRowWithin(connection, object, id, readable));
        if (!record) {
            return Ok();  // no history of a record the caller may not see
        }
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
    AuditRead(actor, "history", object, *record, PhiFields(object, [&](const FieldDef& field) {
                  return field.tracked && authorizer_.CanReadField(actor, object, field);
              }));
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

void RecordService::AuditRead(const Actor& actor, std::string_view action, const ObjectDef& object,
                              const storage::Row& row, std::vector<std::string> phi_fields) const {
    if (audit_ == nullptr || phi_fields.empty()) {
        return;
    }
    std::string joined;
    for (const std::string& name : phi_fields) {
        joined.append(joined.empty() ? "" : ",").append(name);
    }
    security::AuditSubjects disclosed;
    disclosed.Add(std::get<std::string>(row[0]), PersonIdOf(object, row));
    audit_->Record(actor, action, object.name, std::move(joined), std::move(disclosed));
}

void RecordService::AuditWrite(const Actor& actor, std::string_view action, const ObjectDef& object,
                               const storage::Row& row,
                               const std::function<bool(const FieldDef&)>& touched) const {
    if (audit_ == nullptr || !HasPhi(object)) {
        return;
    }
    audit_->Record(actor, {{std::string(action), object.name, std::get<std::string>(row[0]),
                            PersonIdOf(object, row), PhiFields(object, touched)}});
}

}  // namespace p360::records
