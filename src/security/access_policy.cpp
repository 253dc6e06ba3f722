#include "security/access_policy.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "core/time_format.hpp"
#include "security/auth_service.hpp"
#include "storage/dialect.hpp"

namespace p360::security {
namespace {

std::string_view OperationName(Operation operation) {
    switch (operation) {
        case Operation::kCreate:
            return "create";
        case Operation::kRead:
            return "read";
        case Operation::kUpdate:
            return "edit";
        case Operation::kDelete:
            return "delete";
    }
    return "read";
}

FieldGrant Max(FieldGrant left, FieldGrant right) { return left > right ? left : right; }

// Reads YAML into a policy, throwing YAML::Exception or std::runtime_error with the key at
// fault; Parse turns both into an Error.
class PolicyReader {
public:
    explicit PolicyReader(std::string file) : file_(std::move(file)) {}

    void ReadSets(const YAML::Node& node, std::vector<PermissionSet>& sets) {
        Expect(node.IsSequence(), "permissionSets", "a list of permission sets");
        for (const YAML::Node& entry : node) {
            Expect(entry.IsMap(), "permissionSets", "a map per permission set");
            PermissionSet set;
            set.name = Scalar(entry, "name", "permissionSets");
            const std::string where = "permissionSets." + set.name;
            for (const auto& member : entry) {
                const auto key = member.first.as<std::string>();
                if (key == "name") {
                    continue;
                } else if (key == "description") {
                    set.description = member.second.as<std::string>();
                } else if (key == "phi") {
                    set.phi = member.second.as<bool>();
                } else if (key == "objects") {
                    ReadObjects(member.second, where, set);
                } else if (key == "fields") {
                    ReadFields(member.second, where, set);
                } else {
                    Fail(where + "." + key, "unknown key");
                }
            }
            sets.push_back(std::move(set));
        }
    }

    void ReadRoles(const YAML::Node& node, const std::vector<PermissionSet>& sets,
                   std::map<std::string, RoleGrants, std::less<>>& roles) {
        Expect(node.IsMap(), "roles", "a map from role to permission sets");
        for (const auto& member : node) {
            const auto role = member.first.as<std::string>();
            Expect(member.second.IsSequence(), "roles." + role, "a list of permission sets");
            RoleGrants grants;
            for (const YAML::Node& set_name : member.second) {
                const auto name = set_name.as<std::string>();
                auto set = std::find_if(sets.begin(), sets.end(), [&](const auto& candidate) {
                    return candidate.name == name;
                });
                if (set == sets.end()) {
                    Fail("roles." + role, "unknown permission set " + name);
                }
                grants.Add(*set);
            }
            roles[role] = std::move(grants);
        }
    }

    void ReadSharing(const YAML::Node& node,
                     std::map<std::string, ObjectSharing, std::less<>>& sharing) {
        Expect(node.IsMap(), "sharing", "a map from object to its sharing");
        for (const auto& member : node) {
            const auto object = member.first.as<std::string>();
            const std::string where = "sharing." + object;
            Expect(member.second.IsMap(), where, "a map with access, careTeam or controlledBy");
            ObjectSharing entry;
            for (const auto& setting : member.second) {
                const auto key = setting.first.as<std::string>();
                if (key == "access") {
                    entry.access = AccessLevel(setting.second.as<std::string>(), where + ".access");
                } else if (key == "careTeam") {
                    entry.care_team = setting.second.as<bool>();
                } else if (key == "controlledBy") {
                    entry.controlled_by = setting.second.as<std::string>();
                } else {
                    Fail(where + "." + key, "unknown key");
                }
            }
            sharing[object] = std::move(entry);
        }
    }

    void ReadSharingRules(const YAML::Node& node, std::vector<SharingRule>& rules) {
        Expect(node.IsSequence(), "sharingRules", "a list of sharing rules");
        for (const YAML::Node& entry : node) {
            Expect(entry.IsMap(), "sharingRules", "a map per sharing rule");
            SharingRule rule;
            rule.name = Scalar(entry, "name", "sharingRules");
            const std::string where = "sharingRules." + rule.name;
            for (const auto& member : entry) {
                const auto key = member.first.as<std::string>();
                if (key == "name" || key == "description") {
                    continue;
                } else if (key == "objects") {
                    rule.objects = Names(member.second, where + ".objects");
                } else if (key == "roles") {
                    rule.roles = Names(member.second, where + ".roles");
                } else if (key == "access") {
                    const auto access = member.second.as<std::string>();
                    Expect(access == "read" || access == "edit", where + ".access", "read or edit");
                    rule.edit = access == "edit";
                } else {
                    Fail(where + "." + key, "unknown key");
                }
            }
            rules.push_back(std::move(rule));
        }
    }

    void ReadRoleHierarchy(const YAML::Node& node,
                           std::map<std::string, std::vector<std::string>, std::less<>>& below) {
        Expect(node.IsMap(), "roleHierarchy", "a map from role to the roles below it");
        for (const auto& member : node) {
            const auto role = member.first.as<std::string>();
            below[role] = Names(member.second, "roleHierarchy." + role);
        }
    }

    std::vector<std::string> Names(const YAML::Node& node, const std::string& where) {
        Expect(node.IsSequence(), where, "a list of names");
        std::vector<std::string> names;
        for (const YAML::Node& name : node) {
            names.push_back(name.as<std::string>());
        }
        return names;
    }

private:
    SharingAccess AccessLevel(const std::string& text, const std::string& where) {
        if (text == "private") {
            return SharingAccess::kPrivate;
        }
        if (text == "publicRead") {
            return SharingAccess::kPublicRead;
        }
        if (text != "public") {
            Fail(where, "expected private, publicRead or public");
        }
        return SharingAccess::kPublic;
    }

    void ReadObjects(const YAML::Node& node, const std::string& where, PermissionSet& set) {
        Expect(node.IsMap(), where + ".objects", "a map from object to operations");
        for (const auto& member : node) {
            const auto object = member.first.as<std::string>();
            Expect(member.second.IsSequence(), where + ".objects." + object,
                   "a list of operations");
            ObjectGrant grant;
            for (const YAML::Node& operation : member.second) {
                const auto name = operation.as<std::string>();
                bool* flag = name == "create"      ? &grant.create
                             : name == "read"      ? &grant.read
                             : name == "edit"      ? &grant.edit
                             : name == "delete"    ? &grant.remove
                             : name == "viewAll"   ? &grant.view_all
                             : name == "modifyAll" ? &grant.modify_all
                                                   : nullptr;
                if (flag == nullptr) {
                    Fail(where + ".objects." + object, "unknown operation " + name);
                }
                *flag = true;
            }
            set.objects[object] = grant;
        }
    }

    void ReadFields(const YAML::Node& node, const std::string& where, PermissionSet& set) {
        Expect(node.IsMap(), where + ".fields", "a map from Object.field to none/read/edit");
        for (const auto& member : node) {
            const auto path = member.first.as<std::string>();
            const auto dot = path.find('.');
            if (dot == std::string::npos || dot == 0 || dot + 1 == path.size()) {
                Fail(where + ".fields." + path, "expected Object.field");
            }
            const auto level = member.second.as<std::string>();
            const FieldGrant grant =
                level == "none"   ? FieldGrant::kNone
                : level == "read" ? FieldGrant::kRead
                : level == "edit" ? FieldGrant::kEdit
                                  : (Fail(where + ".fields." + path, "expected none, read or edit"),
                                     FieldGrant::kNone);
            set.fields[path.substr(0, dot)][path.substr(dot + 1)] = grant;
        }
    }

    std::string Scalar(const YAML::Node& node, const char* key, const std::string& where) {
        const YAML::Node value = node[key];
        Expect(value && value.IsScalar(), where + "." + key, "a text value");
        return value.as<std::string>();
    }

    void Expect(bool condition, const std::string& where, const std::string& what) {
        if (!condition) {
            Fail(where, "expected " + what);
        }
    }

    [[noreturn]] void Fail(const std::string& where, const std::string& message) {
        throw std::runtime_error(file_ + ": " + where + ": " + message);
    }

    std::string file_;
};

}  // namespace

bool ObjectGrant::Allows(Operation operation) const {
    switch (operation) {
        case Operation::kCreate:
            return create;
        case Operation::kRead:
            return read || view_all;
        case Operation::kUpdate:
            return edit || modify_all;
        case Operation::kDelete:
            return remove || modify_all;
    }
    return false;
}

void ObjectGrant::Merge(const ObjectGrant& other) {
    create = create || other.create;
    read = read || other.read;
    edit = edit || other.edit;
    remove = remove || other.remove;
    view_all = view_all || other.view_all;
    modify_all = modify_all || other.modify_all;
}

void RoleGrants::Add(const PermissionSet& set) {
    permission_sets.push_back(set.name);
    phi = phi || set.phi;
    for (const auto& [object, grant] : set.objects) {
        (object == "*" ? every_object : objects[object]).Merge(grant);
    }
    for (const auto& [object, object_fields] : set.fields) {
        for (const auto& [field, grant] : object_fields) {
            auto& current = fields[object][field];
            current = Max(current, grant);
        }
    }
}

ObjectGrant RoleGrants::ForObject(std::string_view object) const {
    ObjectGrant grant = every_object;
    if (auto found = objects.find(object); found != objects.end()) {
        grant.Merge(found->second);
    }
    return grant;
}

Result<AccessPolicy> AccessPolicy::Parse(const std::vector<PolicyFile>& files) {
    AccessPolicy policy;
    for (const PolicyFile& file : files) {
        try {
            const YAML::Node root = YAML::Load(std::string(file.text));
            PolicyReader reader{std::string(file.name)};
            if (root["permissionSets"]) {
                reader.ReadSets(root["permissionSets"], policy.sets_);
            }
            if (root["roles"]) {
                reader.ReadRoles(root["roles"], policy.sets_, policy.roles_);
            }
            if (root["sharing"]) {
                reader.ReadSharing(root["sharing"], policy.sharing_);
            }
            if (root["sharingRules"]) {
                reader.ReadSharingRules(root["sharingRules"], policy.rules_);
            }
            if (root["roleHierarchy"]) {
                reader.ReadRoleHierarchy(root["roleHierarchy"], policy.role_hierarchy_);
            }
            if (root["selfService"]) {
                auto roles = reader.Names(root["selfService"], "selfService");
                policy.self_service_roles_.insert(policy.self_service_roles_.end(), roles.begin(),
                                                  roles.end());
            }
        } catch (const std::exception& exception) {
            return Error::InvalidArgument(std::string("Access policy: ") + exception.what(),
                                          std::string(file.name));
        }
    }
    policy.ResolveRecordRules();
    return policy;
}

void AccessPolicy::ResolveRecordRules() {
    for (auto& [role, grants] : roles_) {
        for (const SharingRule& rule : rules_) {
            if (std::find(rule.roles.begin(), rule.roles.end(), role) == rule.roles.end()) {
                continue;
            }
            for (const std::string& object : rule.objects) {
                grants.shared_objects[object] = grants.shared_objects[object] || rule.edit;
            }
        }
        // The roles below, transitively; a cycle just stops where it closes.
        std::vector<std::string> pending{role};
        while (!pending.empty()) {
            auto direct = role_hierarchy_.find(pending.back());
            pending.pop_back();
            if (direct == role_hierarchy_.end()) {
                continue;
            }
            for (const std::string& below : direct->second) {
                auto& known = grants.subordinate_roles;
                if (below != role && std::find(known.begin(), known.end(), below) == known.end()) {
                    known.push_back(below);
                    pending.push_back(below);
                }
            }
        }
        grants.self_service = std::find(self_service_roles_.begin(), self_service_roles_.end(),
                                        role) != self_service_roles_.end();
    }
}

const ObjectSharing& AccessPolicy::SharingFor(std::string_view object) const {
    static const ObjectSharing kPrivate;
    auto found = sharing_.find(object);
    return found == sharing_.end() ? kPrivate : found->second;
}

void AccessPolicy::ValidateRecordRules(const metadata::Catalog& catalog,
                                       std::vector<FieldError>& errors) const {
    for (const auto& [object_name, sharing] : sharing_) {
        const std::string where = "sharing." + object_name;
        const metadata::ObjectDef* object = catalog.FindObject(object_name);
        if (object == nullptr) {
            errors.push_back({where, "No such object.", {}});
            continue;
        }
        if (!sharing.controlled_by.empty()) {
            const metadata::FieldDef* field = object->FindField(sharing.controlled_by);
            if (field == nullptr || field->type != metadata::FieldType::kReference ||
                field->reference_to == object_name) {
                errors.push_back(
                    {where + ".controlledBy", "Expected a reference field to another object.", {}});
            }
        }
        if (sharing.care_team && object_name != "Person" && object->person_field.empty()) {
            errors.push_back({where + ".careTeam", "The object has no member (personField).", {}});
        }
    }
    auto known_role = [this](const std::string& role) { return roles_.count(role) > 0; };
    for (const SharingRule& rule : rules_) {
        for (const std::string& object : rule.objects) {
            if (catalog.FindObject(object) == nullptr) {
                errors.push_back({"sharingRules." + rule.name + ".objects", "No such object.", {}});
            }
        }
        for (const std::string& role : rule.roles) {
            if (!known_role(role)) {
                errors.push_back({"sharingRules." + rule.name + ".roles", "No such role.", {}});
            }
        }
    }
    for (const auto& [role, below] : role_hierarchy_) {
        const bool all_known = std::all_of(below.begin(), below.end(), known_role);
        if (!known_role(role) || !all_known) {
            errors.push_back({"roleHierarchy." + role, "No such role.", {}});
        }
    }
    for (const std::string& role : self_service_roles_) {
        if (!known_role(role)) {
            errors.push_back({"selfService", "No such role.", {}});
        }
    }
}

Status AccessPolicy::Validate(const metadata::Catalog& catalog) const {
    std::vector<FieldError> errors;
    for (const PermissionSet& set : sets_) {
        for (const auto& [object, grant] : set.objects) {
            if (object != "*" && catalog.FindObject(object) == nullptr) {
                errors.push_back({set.name + ".objects." + object, "No such object.", {}});
            }
        }
        for (const auto& [object, fields] : set.fields) {
            const auto* definition = catalog.FindObject(object);
            for (const auto& [field, grant] : fields) {
                if (definition == nullptr || definition->FindField(field) == nullptr) {
                    errors.push_back(
                        {set.name + ".fields." + object + "." + field, "No such field.", {}});
                }
            }
        }
    }
    for (std::string_view role : KnownRoles()) {
        if (ForRole(role) == nullptr) {
            errors.push_back({"roles." + std::string(role), "Every role needs an entry.", {}});
        }
    }
    ValidateRecordRules(catalog, errors);
    return errors.empty() ? Ok() : Status(Error::Validation(std::move(errors)));
}

const RoleGrants* AccessPolicy::ForRole(std::string_view role) const {
    auto found = roles_.find(role);
    return found == roles_.end() ? nullptr : &found->second;
}

const RoleGrants* PolicyAuthorizer::GrantsFor(const Actor& actor) const {
    const RoleGrants* role = policy_.ForRole(actor.role);
    if (role == nullptr || actor.permission_sets.empty()) {
        return role;
    }
    std::string key = actor.role;
    for (const std::string& name : actor.permission_sets) {
        key.append("|").append(name);
    }
    std::lock_guard lock(combined_mutex_);
    auto [entry, inserted] = combined_.try_emplace(key);
    if (inserted) {
        entry->second = std::make_unique<RoleGrants>(*role);
        for (const std::string& name : actor.permission_sets) {
            const auto& sets = policy_.permission_sets();
            auto set = std::find_if(sets.begin(), sets.end(), [&](const PermissionSet& candidate) {
                return candidate.name == name;
            });
            if (set != sets.end()) {
                entry->second->Add(*set);
            }
        }
    }
    return entry->second.get();
}

Status PolicyAuthorizer::CheckPermissionSetNames(const std::vector<std::string>& names) const {
    const auto& sets = policy_.permission_sets();
    for (const std::string& name : names) {
        if (std::none_of(sets.begin(), sets.end(),
                         [&](const PermissionSet& set) { return set.name == name; })) {
            return Error::InvalidArgument("No permission set is named " + name + ".",
                                          "permissionSets");
        }
    }
    return Ok();
}

std::vector<PermissionSetSummary> PolicyAuthorizer::PermissionSets() const {
    std::vector<PermissionSetSummary> summaries;
    for (const PermissionSet& set : policy_.permission_sets()) {
        summaries.push_back({set.name, set.description, set.phi});
    }
    return summaries;
}

Status PolicyAuthorizer::CheckObject(const Actor& actor, const metadata::ObjectDef& object,
                                     Operation operation) const {
    if (actor.user_id.empty()) {
        return Error::Unauthenticated("Authentication is required.");
    }
    const RoleGrants* grants = GrantsFor(actor);
    if (grants == nullptr || !grants->ForObject(object.name).Allows(operation)) {
        return Error::PermissionDenied("Your role may not " +
                                       std::string(OperationName(operation)) + " " + object.name +
                                       " records.");
    }
    return Ok();
}

FieldGrant PolicyAuthorizer::GrantFor(const Actor& actor, const metadata::ObjectDef& object,
                                      const metadata::FieldDef& field) const {
    const RoleGrants* grants = GrantsFor(actor);
    if (grants == nullptr) {
        return FieldGrant::kNone;
    }
    const ObjectGrant object_grant = grants->ForObject(object.name);
    if (!object_grant.Allows(Operation::kRead)) {
        return FieldGrant::kNone;
    }
    if (field.system) {
        return FieldGrant::kRead;
    }
    if (auto fields = grants->fields.find(object.name); fields != grants->fields.end()) {
        if (auto explicit_grant = fields->second.find(field.name);
            explicit_grant != fields->second.end()) {
            return explicit_grant->second;
        }
    }
    if (field.phi && !grants->phi) {
        return FieldGrant::kNone;
    }
    return object_grant.Allows(Operation::kUpdate) || object_grant.create ? FieldGrant::kEdit
                                                                          : FieldGrant::kRead;
}

bool PolicyAuthorizer::CanReadField(const Actor& actor, const metadata::ObjectDef& object,
                                    const metadata::FieldDef& field) const {
    return GrantFor(actor, object, field) != FieldGrant::kNone;
}

bool PolicyAuthorizer::CanEditField(const Actor& actor, const metadata::ObjectDef& object,
                                    const metadata::FieldDef& field) const {
    return !field.system && GrantFor(actor, object, field) == FieldGrant::kEdit;
}

}  // namespace p360::security

namespace p360::security {
namespace {

using storage::SqlCondition;

SqlCondition NoRecords() { return {"1 = 0", {}}; }

std::string Column(const std::string& alias, std::string_view field) {
    return alias + "." + storage::QuoteIdentifier(field);
}

// The column that names the member a record is about, or "" when the object has none.
std::string MemberColumn(const metadata::ObjectDef& object, const std::string& alias) {
    if (object.name == "Person") {
        return Column(alias, metadata::kIdField);
    }
    return object.person_field.empty() ? std::string() : Column(alias, object.person_field);
}

// Joins conditions with OR into one parenthesised condition.
SqlCondition AnyOf(std::vector<SqlCondition> parts) {
    SqlCondition any;
    any.sql = "(";
    for (std::size_t part_idx = 0; part_idx < parts.size(); ++part_idx) {
        any.sql += part_idx == 0 ? "" : " OR ";
        any.sql += parts[part_idx].sql;
        any.params.insert(any.params.end(), parts[part_idx].params.begin(),
                          parts[part_idx].params.end());
    }
    any.sql += ")";
    return any;
}

std::string TodayUtc(const Clock& clock) { return FormatDateTime(clock.NowMillis()).substr(0, 10); }

}  // namespace

storage::SqlCondition PolicyAuthorizer::RecordScope(const Actor& actor,
                                                    const metadata::Catalog& catalog,
                                                    const metadata::ObjectDef& object,
                                                    Operation operation,
                                                    std::string_view alias) const {
    return ScopeAt(actor, catalog, object, operation == Operation::kRead, std::string(alias), 0);
}

storage::SqlCondition PolicyAuthorizer::ScopeAt(const Actor& actor,
                                                const metadata::Catalog& catalog,
                                                const metadata::ObjectDef& object, bool read,
                                                const std::string& alias, int depth) const {
    const RoleGrants* grants = GrantsFor(actor);
    if (grants == nullptr || actor.user_id.empty()) {
        return NoRecords();
    }
    const ObjectGrant grant = grants->ForObject(object.name);
    if (grant.modify_all || (read && grant.view_all)) {
        return {};
    }
    const ObjectSharing& sharing = policy_.SharingFor(object.name);
    if (!sharing.controlled_by.empty()) {
        // A detail record follows its master: visible where the master is.
        const metadata::FieldDef* field = object.FindField(sharing.controlled_by);
        const metadata::ObjectDef* master =
            field != nullptr ? catalog.FindObject(field->reference_to) : nullptr;
        if (master == nullptr || depth >= 4) {
            return NoRecords();
        }
        const std::string master_alias = "m" + std::to_string(depth);
        SqlCondition inner = ScopeAt(actor, catalog, *master, read, master_alias, depth + 1);
        if (inner.Unrestricted()) {
            return {};
        }
        inner.sql = Column(alias, field->name) + " IN (SELECT " +
                    Column(master_alias, metadata::kIdField) + " FROM " +
                    storage::QuoteIdentifier(master->name) + " AS " + master_alias + " WHERE " +
                    inner.sql + ")";
        return inner;
    }
    const bool open_to_role = sharing.access == SharingAccess::kPublic ||
                              (read && sharing.access == SharingAccess::kPublicRead);
    if (grants->self_service) {
        // Portal members: reference data that is open to all, and their own member's records.
        const std::string member = MemberColumn(object, alias);
        if (member.empty()) {
            return open_to_role ? SqlCondition{} : NoRecords();
        }
        if (actor.person_id.empty()) {
            return NoRecords();
        }
        return {member + " = ?", {actor.person_id}};
    }
    if (open_to_role) {
        return {};
    }
    if (auto shared = grants->shared_objects.find(object.name);
        shared != grants->shared_objects.end() && (read || shared->second)) {
        return {};
    }
    const std::string owner = Column(alias, metadata::kOwnerField);
    std::vector<SqlCondition> ways;
    ways.push_back({owner + " = ?", {actor.user_id}});
    ways.push_back(
        {owner + " IN (SELECT team_id FROM sys_team_members WHERE user_id = ?)", {actor.user_id}});
    if (!grants->subordinate_roles.empty()) {
        // Above a role in a shared team: see what the members holding it own.
        SqlCondition below{owner +
                               " IN (SELECT m.user_id FROM sys_team_members AS l JOIN "
                               "sys_team_members AS m ON m.team_id = l.team_id JOIN sys_users AS "
                               "u ON u.id = m.user_id WHERE l.user_id = ? AND u.role IN (",
                           {actor.user_id}};
        for (std::size_t role_idx = 0; role_idx < grants->subordinate_roles.size(); ++role_idx) {
            below.sql += role_idx == 0 ? "?" : ", ?";
            below.params.emplace_back(grants->subordinate_roles[role_idx]);
        }
        below.sql += "))";
        ways.push_back(std::move(below));
    }
    if (sharing.care_team) {
        const std::string team = "c" + std::to_string(depth);
        ways.push_back({MemberColumn(object, alias) + " IN (SELECT " + Column(team, "person") +
                            " FROM \"CareTeamMember\" AS " + team + " WHERE " +
                            Column(team, "userId") + " = ? AND (" + Column(team, "endDate") +
                            " IS NULL OR " + Column(team, "endDate") + " >= ?))",
                        {actor.user_id, TodayUtc(clock_)}});
    }
    return AnyOf(std::move(ways));
}

}  // namespace p360::security
