#include "security/authorizer.hpp"

namespace p360::security {

Status BasicAuthorizer::CheckObject(const Actor& actor, const metadata::ObjectDef&,
                                    Operation) const {
    if (actor.user_id.empty()) {
        return Error::Unauthenticated("Authentication is required.");
    }
    return Ok();
}

bool BasicAuthorizer::CanReadField(const Actor& actor, const metadata::ObjectDef&,
                                   const metadata::FieldDef&) const {
    return !actor.user_id.empty();
}

bool BasicAuthorizer::CanEditField(const Actor& actor, const metadata::ObjectDef&,
                                   const metadata::FieldDef& field) const {
    return !actor.user_id.empty() && !field.system;
}

storage::SqlCondition Authorizer::RecordScope(const Actor&, const metadata::Catalog&,
                                              const metadata::ObjectDef&, Operation,
                                              std::string_view) const {
    return {};
}

Status Authorizer::CheckManageMetadata(const Actor& actor) const {
    if (!actor.IsAdmin()) {
        return Error::PermissionDenied("Only administrators may change objects and fields.");
    }
    return Ok();
}

Status Authorizer::CheckManageUsers(const Actor& actor) const {
    if (!actor.IsAdmin()) {
        return Error::PermissionDenied("Only administrators may manage users.");
    }
    return Ok();
}

Status Authorizer::CheckReadAudit(const Actor& actor, std::string_view person_id) const {
    const bool own = !actor.person_id.empty() && actor.person_id == person_id;
    if (actor.role != "admin" && actor.role != "auditor" && !own) {
        return Error::PermissionDenied(
            "Only administrators and auditors read the access audit; members read their own.");
    }
    return Ok();
}

Status Authorizer::CheckPermissionSetNames(const std::vector<std::string>& names) const {
    if (!names.empty()) {
        return Error::InvalidArgument("This deployment has no permission sets.", "permissionSets");
    }
    return Ok();
}

}  // namespace p360::security
