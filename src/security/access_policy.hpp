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
// are for holders of the "*" grant (administrators) only.
//
// Record rules decide which records of a permitted object a user reaches. `viewAll` (read) and
// `modifyAll` (read and change) reach every record. Otherwise the object's sharing decides:
// `public` objects are open to everyone the object is permitted to; `publicRead` ones are
// readable by them; `private` ones (the default) only by the record's owner, members of the
// team or queue that owns it, users above the owner's role in a team they share (role
// hierarchy), and roles a sharing rule names. Member-centred objects marked `careTeam` are
// also open to the member's active care team; objects `controlledBy` a reference follow the
// record they reference. Self-service roles (portal members) reach only records about their
// own member: their Person and what references it. Immutable after parsing; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
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
    // Record rules: objects whose every record sharing rules open (true = also for changes),
    // the roles below this one in the hierarchy, and whether it is a self-service role.
    std::map<std::string, bool, std::less<>> shared_objects;
    std::vector<std::string> subordinate_roles;
    bool self_service = false;

    ObjectGrant ForObject(std::string_view object) const;
    // Adds a set's grants; the most permissive grant wins.
    void Add(const PermissionSet& set);
};

enum class SharingAccess : std::uint8_t { kPrivate, kPublicRead, kPublic };

// How an object's records are shared beyond the owner.
struct ObjectSharing {
    SharingAccess access = SharingAccess::kPrivate;
    bool care_team = false;     // the member's care team reads and changes these records
    std::string controlled_by;  // a reference field: a record follows the record it references
};

// Opens every record of some objects to some roles, for reading or also for changing.
struct SharingRule {
    std::string name;
    std::vector<std::string> objects;
    std::vector<std::string> roles;
    bool edit = false;
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
    const ObjectSharing& SharingFor(std::string_view object) const;
    const std::vector<PermissionSet>& permission_sets() const { return sets_; }
    const std::vector<SharingRule>& sharing_rules() const { return rules_; }

private:
    void ValidateRecordRules(const metadata::Catalog& catalog,
                             std::vector<FieldError>& errors) const;
    // Applies sharing rules, the role hierarchy and self-service roles to each role's grants.
    void ResolveRecordRules();

    std::vector<PermissionSet> sets_;
    std::map<std::string, RoleGrants, std::less<>> roles_;
    std::map<std::string, ObjectSharing, std::less<>> sharing_;
    std::vector<SharingRule> rules_;
    std::map<std::string, std::vector<std::string>, std::less<>> role_hierarchy_;  // direct
    std::vector<std::string> self_service_roles_;
};

class PolicyAuthorizer final : public Authorizer {
public:
    // `clock` dates care-team memberships (those ended before today no longer count).
    PolicyAuthorizer(AccessPolicy policy, const Clock& clock)
        : policy_(std::move(policy)), clock_(clock) {}

    Status CheckObject(const Actor& actor, const metadata::ObjectDef& object,
                       Operation operation) const override;
    bool CanReadField(const Actor& actor, const metadata::ObjectDef& object,
                      const metadata::FieldDef& field) const override;
    bool CanEditField(const Actor& actor, const metadata::ObjectDef& object,
                      const metadata::FieldDef& field) const override;
    storage::SqlCondition RecordScope(const Actor& actor, const metadata::Catalog& catalog,
                                      const metadata::ObjectDef& object, Operation operation,
                                      std::string_view alias) const override;
    Status CheckPermissionSetNames(const std::vector<std::string>& names) const override;
    std::vector<PermissionSetSummary> PermissionSets() const override;

    const AccessPolicy& policy() const { return policy_; }

private:
    // The actor's grants: their role's, plus the sets they hold beyond it (combined once per
    // distinct combination and kept).
    const RoleGrants* GrantsFor(const Actor& actor) const;

    FieldGrant GrantFor(const Actor& actor, const metadata::ObjectDef& object,
                        const metadata::FieldDef& field) const;
    storage::SqlCondition ScopeAt(const Actor& actor, const metadata::Catalog& catalog,
                                  const metadata::ObjectDef& object, bool read,
                                  const std::string& alias, int depth) const;

    AccessPolicy policy_;
    const Clock& clock_;
    mutable std::mutex combined_mutex_;
    mutable std::map<std::string, std::unique_ptr<RoleGrants>, std::less<>>
        combined_;  // guarded by combined_mutex_
};

}  // namespace p360::security
