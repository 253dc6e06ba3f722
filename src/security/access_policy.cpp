#include "security/access_policy.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "security/auth_service.hpp"

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
                Grant(*set, grants);
            }
            roles[role] = std::move(grants);
        }
    }

private:
    static void Grant(const PermissionSet& set, RoleGrants& grants) {
        grants.permission_sets.push_back(set.name);
        grants.phi = grants.phi || set.phi;
        for (const auto& [object, grant] : set.objects) {
            (object == "*" ? grants.every_object : grants.objects[object]).Merge(grant);
        }
        for (const auto& [object, fields] : set.fields) {
            for (const auto& [field, grant] : fields) {
                auto& current = grants.fields[object][field];
                current = Max(current, grant);
            }
        }
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
        } catch (const std::exception& exception) {
            return Error::InvalidArgument(std::string("Access policy: ") + exception.what(),
                                          std::string(file.name));
        }
    }
    return policy;
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
    return errors.empty() ? Ok() : Status(Error::Validation(std::move(errors)));
}

const RoleGrants* AccessPolicy::ForRole(std::string_view role) const {
    auto found = roles_.find(role);
    return found == roles_.end() ? nullptr : &found->second;
}

Status PolicyAuthorizer::CheckObject(const Actor& actor, const metadata::ObjectDef& object,
                                     Operation operation) const {
    if (actor.user_id.empty()) {
        return Error::Unauthenticated("Authentication is required.");
    }
    const RoleGrants* grants = policy_.ForRole(actor.role);
    if (grants == nullptr || !grants->ForObject(object.name).Allows(operation)) {
        return Error::PermissionDenied("Your role may not " +
                                       std::string(OperationName(operation)) + " " + object.name +
                                       " records.");
    }
    return Ok();
}

FieldGrant PolicyAuthorizer::GrantFor(const Actor& actor, const metadata::ObjectDef& object,
                                      const metadata::FieldDef& field) const {
    const RoleGrants* grants = policy_.ForRole(actor.role);
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
