// AccessPolicy: permission sets and the roles that hold them, and PolicyAuthorizer, which
// enforces them wherever records are read or written.
//
// A permission set grants object operations (create, read, edit, delete, viewAll, modifyAll),
// optionally PHI visibility, and per-field overrides (none, read, edit). A role's grants are the
// union of its sets; the most permissive grant wins. The shipped policy is catalog/policy/*.yaml.
//
// Field rules, in order: system fields are readable with the object and never editable; an
// explicit override decides; a PHI field needs a set with `phi: true`; otherwise a field follows
// its object (read with read, edit with edit). Objects no set names — custom objects included —
// are for holders of the "*" grant (administrators) only. Immutable after parsing; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "metadata/catalog.hpp"
#include "security/authorizer.hpp"

namespace p360::security {

enum class FieldGrant : std::uint8_t { kNone, kRead, kEdit };

struct ObjectGrant {
    bool create = false;
    bool read = false;
    bool edit = false;
    bool remove = false;  // "delete"
    bool view_all = false;
    bool modify_all = false;

    bool Allows(Operation operation) const;
    void Merge(const ObjectGrant& other);
};

struct PermissionSet {
    std::string name;
    std::string description;
    bool phi = false;
    std::map<std::string, ObjectGrant, std::less<>> objects;  // "*" = every object
    // object name -> field name -> grant
    std::map<std::string, std::map<std::string, FieldGrant, std::less<>>, std::less<>> fields;
};

// What one role may do: the union of its permission sets.
struct RoleGrants {
    std::vector<std::string> permission_sets;
    bool phi = false;
    ObjectGrant every_object;  // from "*"
    std::map<std::string, ObjectGrant, std::less<>> objects;
    std::map<std::string, std::map<std::string, FieldGrant, std::less<>>, std::less<>> fields;

    ObjectGrant ForObject(std::string_view object) const;
};

struct PolicyFile {
    std::string_view name;
    std::string_view text;
};

class AccessPolicy {
public:
    // Parses YAML documents with `permissionSets` and `roles`; errors name file and key.
    static Result<AccessPolicy> Parse(const std::vector<PolicyFile>& files);

    // Checks that every object and field the policy names exists in `catalog` and that every
    // known role has an entry.
    Status Validate(const metadata::Catalog& catalog) const;

    const RoleGrants* ForRole(std::string_view role) const;
    const std::vector<PermissionSet>& permission_sets() const { return sets_; }

private:
    std::vector<PermissionSet> sets_;
    std::map<std::string, RoleGrants, std::less<>> roles_;
};

class PolicyAuthorizer final : public Authorizer {
public:
    explicit PolicyAuthorizer(AccessPolicy policy) : policy_(std::move(policy)) {}

    Status CheckObject(const Actor& actor, const metadata::ObjectDef& object,
                       Operation operation) const override;
    bool CanReadField(const Actor& actor, const metadata::ObjectDef& object,
                      const metadata::FieldDef& field) const override;
    bool CanEditField(const Actor& actor, const metadata::ObjectDef& object,
                      const metadata::FieldDef& field) const override;

    const AccessPolicy& policy() const { return policy_; }

private:
    FieldGrant GrantFor(const Actor& actor, const metadata::ObjectDef& object,
                        const metadata::FieldDef& field) const;

    AccessPolicy policy_;
};

}  // namespace p360::security
