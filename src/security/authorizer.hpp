// Authorization: who may do what to which object and field.
//
// The records layer and the query compiler ask an Authorizer before every read and write, so
// every endpoint and engine obeys the same policy. Deployments use `PolicyAuthorizer`
// (access_policy.hpp: permission sets, PHI, field grants, record sharing and care teams).
// `BasicAuthorizer` lets any authenticated user work with any record and field: unit tests of other
// layers use it to keep the policy out of their way. Implementations must be thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "metadata/catalog.hpp"
#include "metadata/object_def.hpp"
#include "storage/value.hpp"

namespace p360::security {

// The authenticated caller of an operation, with what the access audit records about the call.
struct Actor {
    std::string user_id;
    std::string username;
    std::string role;        // role slug, e.g. "admin", "agent"
    std::string purpose;     // purpose of use (X-Purpose-Of-Use); empty = the role's default
    std::string request_id;  // the HTTP request, when there is one
    std::string person_id;   // the member a portal user is; empty for staff
    std::vector<std::string> permission_sets;  // held beyond the role's

    bool IsAdmin() const { return role == "admin"; }
};

enum class Operation { kCreate, kRead, kUpdate, kDelete };

// What administrators see of a permission set when they give one to a user.
struct PermissionSetSummary {
    std::string name;
    std::string description;
    bool phi = false;
};

class Authorizer {
public:
    virtual ~Authorizer() = default;

    virtual Status CheckObject(const Actor& actor, const metadata::ObjectDef& object,
                               Operation operation) const = 0;
    virtual bool CanReadField(const Actor& actor, const metadata::ObjectDef& object,
                              const metadata::FieldDef& field) const = 0;
    virtual bool CanEditField(const Actor& actor, const metadata::ObjectDef& object,
                              const metadata::FieldDef& field) const = 0;
    // Which records of `object` the actor may read (kRead) or change (kUpdate, kDelete), as a
    // condition over the object's row under `alias`; unrestricted = every record. Applied by
    // the records layer to every load and list, and by the query compiler to every followed
    // reference, so a record outside it is indistinguishable from one that does not exist.
    // Its text depends on the actor's grants alone (and on whether they have a user id at
    // all); whatever is the actor's own (their id, their member, today's date) is a
    // parameter. So a scope without parameters is the same for everyone with the same grants,
    // and answers read through such scopes alone may be shared between them.
    virtual storage::SqlCondition RecordScope(const Actor& actor, const metadata::Catalog& catalog,
                                              const metadata::ObjectDef& object,
                                              Operation operation, std::string_view alias) const;
    // Changing objects and fields, and managing users: administrators.
    virtual Status CheckManageMetadata(const Actor& actor) const;
    virtual Status CheckManageUsers(const Actor& actor) const;
    // Reading a member's accounting of disclosures: administrators and auditors for anyone,
    // a portal member for themselves.
    virtual Status CheckReadAudit(const Actor& actor, std::string_view person_id) const;
    // Whether every name is a permission set a user may be given (field "permissionSets").
    virtual Status CheckPermissionSetNames(const std::vector<std::string>& names) const;
    virtual std::vector<PermissionSetSummary> PermissionSets() const { return {}; }
};

class BasicAuthorizer final : public Authorizer {
public:
    Status CheckObject(const Actor& actor, const metadata::ObjectDef& object,
                       Operation operation) const override;
    bool CanReadField(const Actor& actor, const metadata::ObjectDef& object,
                      const metadata::FieldDef& field) const override;
    bool CanEditField(const Actor& actor, const metadata::ObjectDef& object,
                      const metadata::FieldDef& field) const override;
};

}  // namespace p360::security
