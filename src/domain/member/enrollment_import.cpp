#include "domain/member/enrollment_import.hpp"

#include <map>
#include <optional>

#include "core/time_format.hpp"
#include "query/parser.hpp"
#include "security/auth_service.hpp"

namespace p360::member {
namespace {

namespace json = boost::json;
namespace x12 = formats::x12;

using records::KeyReference;
using records::RecordChange;

std::string Upper(std::string text) {
    for (char& c : text) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return text;
}

bool IsSubscriber(const x12::Member834& member) {
    return member.subscriber || member.relationship_code == "18";
}

// Stable across files, free of PHI: a dependent is told apart by a hash of name and birth date.
std::string PersonKey(const x12::Member834& member) {
    if (IsSubscriber(member)) {
        return "834:" + member.subscriber_id + ":S";
    }
    return "834:" + member.subscriber_id + ":D" +
           security::Sha256Hex(Upper(member.first_name) + "|" + member.birth_date).substr(0, 12);
}

std::string HouseholdKey(const x12::Member834& member) { return "834:" + member.subscriber_id; }

void PutIf(json::object& fields, std::string_view key, const std::string& value) {
    if (!value.empty()) {
        fields[key] = value;
    }
}

std::string Relationship(const std::string& code) {
    static const std::map<std::string, std::string> kCodes = {
        {"18", "self"}, {"01", "spouse"}, {"53", "domestic-partner"}, {"19", "child"}};
    const auto found = kCodes.find(code);
    return found == kCodes.end() ? "other" : found->second;
}

std::string HouseholdRole(const x12::Member834& member) {
    if (IsSubscriber(member)) {
        return "head";
    }
    return member.relationship_code == "01" || member.relationship_code == "53" ? "spouse"
                                                                                : "dependent";
}

std::string CoverageType(const std::string& insurance_line) {
    static const std::map<std::string, std::string> kLines = {
        {"HLT", "medical"}, {"DEN", "dental"},  {"VIS", "vision"},  {"PDG", "pharmacy"},
        {"HMO", "medical"}, {"PPO", "medical"}, {"POS", "medical"}, {"EPO", "medical"}};
    const auto found = kLines.find(insurance_line);
    return found == kLines.end() ? std::string() : found->second;
}

json::object PersonFields(const x12::Member834& member) {
    json::object fields;
    PutIf(fields, "firstName", member.first_name);
    PutIf(fields, "middleName", member.middle_name);
    PutIf(fields, "lastName", member.last_name);
    PutIf(fields, "suffix", member.name_suffix);
    PutIf(fields, "birthDate", member.birth_date);
    const std::string gender = member.gender == "M"   ? "male"
                               : member.gender == "F" ? "female"
                               : member.gender == "U" ? "unknown"
                                                      : "";
    PutIf(fields, "gender", gender);
    PutIf(fields, "phone", member.phone);
    PutIf(fields, "email", member.email);
    PutIf(fields, "addressLine1", member.address_line1);
    PutIf(fields, "addressLine2", member.address_line2);
    PutIf(fields, "city", member.city);
    PutIf(fields, "state", member.state);
    PutIf(fields, "postalCode", member.postal_code);
    PutIf(fields, "medicareBeneficiaryId", member.medicare_id);
    if (member.id_qualifier == "34" && member.id_code.size() == 9) {
        fields["ssn"] = member.id_code.substr(0, 3) + "-" + member.id_code.substr(3, 2) + "-" +
                        member.id_code.substr(5);
    }
    return fields;
}

struct PlanRef {
    std::string code;
    std::string line_of_business;
};

// Turns one transaction set into a change set, remembering which member each change is for.
class SetMapper {
public:
    SetMapper(records::RecordService& records, const security::Actor& actor, std::string today)
        : records_(records), actor_(actor), today_(std::move(today)) {}

    Result<std::vector<RecordChange>> Map(const x12::Enrollment834& set,
                                          std::vector<x12::X12Error>& errors,
                                          std::vector<x12::SegmentPosition>& positions) {
        std::vector<RecordChange> changes;
        for (const x12::Member834& member : set.members) {
            const std::size_t before = changes.size();
            P360_TRY(MapMember(member, changes, errors));
            positions.resize(changes.size(), member.position);
            (void)before;
        }
        return changes;
    }

private:
    Status MapMember(const x12::Member834& member, std::vector<RecordChange>& changes,
                     std::vector<x12::X12Error>& errors) {
        const std::string& type = member.maintenance_type;
        const bool adds = type == "021" || type == "025";
        const std::string person_key = PersonKey(member);

        RecordChange person{.object = "Person",
                            .key_field = "sourceId",
                            .key = person_key,
                            .fields = PersonFields(member)};
        person.create = adds;
        if (adds) {
            person.fields["lifecycleStage"] = "member";
            person.references.push_back(
                {"household", "Household", "sourceId", HouseholdKey(member)});
            RecordChange household{
                .object = "Household", .key_field = "sourceId", .key = HouseholdKey(member)};
            household.create_fields = {{"name", member.last_name + " household"},
                                       {"status", "active"}};
            PutIf(household.create_fields, "addressLine1", member.address_line1);
            PutIf(household.create_fields, "city", member.city);
            PutIf(household.create_fields, "state", member.state);
            PutIf(household.create_fields, "postalCode", member.postal_code);
            changes.push_back(std::move(household));
        }
        changes.push_back(std::move(person));
        if (adds) {
            RecordChange membership{.object = "HouseholdMember",
                                    .key_field = "sourceId",
                                    .key = person_key,
                                    .fields = {{"role", HouseholdRole(member)}}};
            membership.references = {{"household", "Household", "sourceId", HouseholdKey(member)},
                                     {"person", "Person", "sourceId", person_key}};
            PutIf(membership.create_fields, "startDate", member.eligibility_begin);
            changes.push_back(std::move(membership));
        }
        if (member.coverages.empty() && type == "024") {
            json::object ended{{"status", "terminated"}};
            PutIf(ended, "terminationDate", member.eligibility_end);
            return ChangeEveryLine(member, person_key, "status != 'terminated'", ended, changes,
                                   errors);
        }
        if (member.coverages.empty() && type == "025") {
            const json::object reinstated{{"status", "active"}, {"terminationDate", nullptr}};
            return ChangeEveryLine(member, person_key, "status = 'terminated'", reinstated, changes,
                                   errors);
        }
        for (const x12::Coverage834& line : member.coverages) {
            P360_TRY(MapCoverage(member, line, person_key, changes, errors));
        }
        return Ok();
    }

    Status MapCoverage(const x12::Member834& member, const x12::Coverage834& line,
                       const std::string& person_key, std::vector<RecordChange>& changes,
                       std::vector<x12::X12Error>& errors) {
        const std::string type =
            line.maintenance_type.empty() ? member.maintenance_type : line.maintenance_type;
        std::string key = person_key + ":" + line.insurance_line;
        if (!line.plan_description.empty()) {
            key += ":" + line.plan_description;
        }
        RecordChange coverage{.object = "MemberPlan", .key_field = "sourceId", .key = key};
        coverage.references = {{"person", "Person", "sourceId", person_key}};
        if (type == "024") {
            coverage.create = false;
            coverage.fields = {{"status", "terminated"}};
            PutIf(coverage.fields, "terminationDate",
                  !line.end_date.empty() ? line.end_date : member.eligibility_end);
            changes.push_back(std::move(coverage));
            return Ok();
        }
        P360_ASSIGN_OR_RETURN(std::optional<PlanRef> plan, FindPlan(member, line));
        if (!plan) {
            x12::SegmentPosition at = line.position;
            at.element = line.plan_description.empty() ? 3 : 4;
            errors.push_back({at, "IK403",
                              "No plan matches this coverage line (HD03/HD04): set up the plan, "
                              "with its planCode, first.",
                              "7", "2300"});
            return Ok();
        }
        coverage.references.push_back({"plan", "Plan", "planCode", plan->code});
        const std::string effective = !line.begin_date.empty() ? line.begin_date
                                      : !member.eligibility_begin.empty()
                                          ? member.eligibility_begin
                                          : member.maintenance_effective;
        PutIf(coverage.fields, "effectiveDate", effective);
        PutIf(coverage.fields, "subscriberId", member.subscriber_id);
        PutIf(coverage.fields, "groupNumber", member.group_policy_number);
        PutIf(coverage.fields, "coverageType", CoverageType(line.insurance_line));
        coverage.fields["relationshipToSubscriber"] = Relationship(member.relationship_code);
        coverage.fields["isSubscriber"] = IsSubscriber(member);
        coverage.fields["lineOfBusiness"] = plan->line_of_business;
        if (type == "021" || type == "025") {
            coverage.fields["status"] =
                !effective.empty() && effective > today_ ? "pending" : "active";
            coverage.fields["terminationDate"] = nullptr;  // a reinstatement lifts the end
        } else {
            coverage.create_fields["status"] = "active";
        }
        changes.push_back(std::move(coverage));
        return Ok();
    }

    // A member-level termination or reinstatement: every line of the member in `which` state.
    Status ChangeEveryLine(const x12::Member834& member, const std::string& person_key,
                           const std::string& which, const json::object& fields,
                           std::vector<RecordChange>& changes, std::vector<x12::X12Error>& errors) {
        query::ListRequest find_person{
            .filter = "sourceId = " + query::QuoteText(person_key), .fields = {"id"}, .limit = 1};
        P360_ASSIGN_OR_RETURN(json::object people, records_.List(actor_, "Person", find_person));
        const json::array& found = people.at("items").as_array();
        if (found.empty()) {
            errors.push_back(
                {member.position, "IK304", "No enrolled member matches this one.", "8", "2000"});
            return Ok();
        }
        query::ListRequest lines{
            .filter =
                "person = " + query::QuoteText(found[0].at("id").as_string()) + " and " + which,
            .fields = {"id"},
            .limit = 1000};
        P360_ASSIGN_OR_RETURN(json::object coverages, records_.List(actor_, "MemberPlan", lines));
        for (const json::value& coverage : coverages.at("items").as_array()) {
            RecordChange line{.object = "MemberPlan",
                              .key_field = "id",
                              .key = std::string(coverage.at("id").as_string()),
                              .fields = fields};
            line.create = false;
            changes.push_back(std::move(line));
        }
        return Ok();
    }

    // The plan a coverage line is for: planCode HD04, else "<REF*1L>-<HD03>", else HD03.
    Result<std::optional<PlanRef>> FindPlan(const x12::Member834& member,
                                            const x12::Coverage834& line) {
        std::vector<std::string> candidates;
        if (!line.plan_description.empty()) {
            candidates.push_back(line.plan_description);
        }
        if (!member.group_policy_number.empty()) {
            candidates.push_back(member.group_policy_number + "-" + line.insurance_line);
        }
        candidates.push_back(line.insurance_line);
        for (const std::string& code : candidates) {
            if (auto cached = plans_.find(code); cached != plans_.end()) {
                if (cached->second) {
                    return cached->second;
                }
                continue;
            }
            query::ListRequest request{.filter = "planCode = " + query::QuoteText(code),
                                       .fields = {"planCode", "lineOfBusiness"},
                                       .limit = 1};
            P360_ASSIGN_OR_RETURN(json::object page, records_.List(actor_, "Plan", request));
            const json::array& items = page.at("items").as_array();
            std::optional<PlanRef>& plan = plans_[code];
            if (!items.empty()) {
                plan = PlanRef{code, std::string(items[0].at("lineOfBusiness").as_string())};
                return plan;
            }
        }
        return std::optional<PlanRef>();
    }

    records::RecordService& records_;
    const security::Actor& actor_;
    const std::string today_;
    std::map<std::string, std::optional<PlanRef>> plans_;
};

// The change at fault in an ApplyChanges error, from its "changes[N]…" location.
std::size_t ChangeIndexOf(const Error& error) {
    const std::string& where =
        !error.field_errors.empty() ? error.field_errors.front().field : error.location;
    const auto open = where.find('[');
    const auto close = where.find(']');
    if (open == std::string::npos || close == std::string::npos || close <= open + 1) {
        return 0;
    }
    return static_cast<std::size_t>(std::stoul(where.substr(open + 1, close - open - 1)));
}

std::string MessageOf(const Error& error) {
    if (error.field_errors.empty()) {
        return error.public_message;
    }
    const FieldError& first = error.field_errors.front();
    const auto dot = first.field.find('.');
    return (dot == std::string::npos ? first.field : first.field.substr(dot + 1)) + ": " +
           first.message;
}

// The answer for a file whose envelopes are broken: every set rejected, nothing applied.
EnrollmentImportResult Rejected(x12::InterchangeSummary envelope,
                                std::vector<x12::TransactionSetResult> checked) {
    EnrollmentImportResult result;
    for (const x12::TransactionSetResult& set : checked) {
        result.sets.push_back({set.set_control_number, "rejected", 0, set.errors, {}});
    }
    envelope.accepted = 0;
    result.acknowledgement = x12::Acknowledgement999(envelope, checked);
    result.interchange = std::move(envelope);
    return result;
}

}  // namespace

Result<EnrollmentImportResult> EnrollmentImporter::Import(const security::Actor& actor,
                                                          std::istream& input) {
    // First pass, nothing written: a group or interchange whose trailers do not add up is
    // rejected whole, and its trailers come after its sets. Only control numbers and errors
    // are kept, so memory stays small however large the file.
    std::vector<x12::TransactionSetResult> checked;
    P360_ASSIGN_OR_RETURN(auto envelope,
                          x12::Read834(input, [&](x12::TransactionSetResult&& set) -> Status {
                              set.enrollment.reset();
                              checked.push_back(std::move(set));
                              return Ok();
                          }));
    if (!envelope.envelope_errors.empty()) {
        return Rejected(std::move(envelope), std::move(checked));
    }
    input.clear();
    input.seekg(0);
    if (!input) {
        return Error::Internal("the enrollment input cannot be read a second time");
    }
    EnrollmentImportResult result;
    std::vector<x12::TransactionSetResult> acknowledged;
    SetMapper mapper(records_, actor, FormatDateTime(clock_.NowMillis()).substr(0, 10));
    auto sink = [&](x12::TransactionSetResult&& read) -> Status {
        EnrollmentSetOutcome outcome{read.set_control_number, "rejected", 0, read.errors, {}};
        if (read.enrollment) {
            const x12::Enrollment834& set = *read.enrollment;
            outcome.members = static_cast<std::int64_t>(set.members.size());
            std::vector<x12::SegmentPosition> positions;
            P360_ASSIGN_OR_RETURN(auto changes, mapper.Map(set, outcome.errors, positions));
            if (outcome.errors.empty()) {
                const std::string key = "x12-834/" + set.sponsor_id + "/" +
                                        set.interchange_control_number + "/" +
                                        set.set_control_number;
                auto applied = records_.ApplyChanges(actor, changes, key);
                if (applied.ok()) {
                    outcome.status = applied->already_applied ? "duplicate" : "accepted";
                    outcome.changes = std::move(applied->changes);
                } else if (applied.error().code == ErrorCode::kInternal ||
                           applied.error().code == ErrorCode::kUnavailable) {
                    return applied.error();
                } else {
                    const std::size_t index = ChangeIndexOf(applied.error());
                    // Not a syntax error: the set is sound but cannot be applied as it stands.
                    outcome.errors.push_back(
                        {index < positions.size() ? positions[index] : set.position, "IK502",
                         MessageOf(applied.error()), "5", ""});
                }
            }
        }
        read.errors = outcome.errors;
        if (!outcome.errors.empty()) {
            read.enrollment.reset();
        }
        acknowledged.push_back(std::move(read));
        result.sets.push_back(std::move(outcome));
        return Ok();
    };
    P360_ASSIGN_OR_RETURN(result.interchange, x12::Read834(input, sink));
    result.interchange.accepted = 0;
    for (const EnrollmentSetOutcome& set : result.sets) {
        result.interchange.accepted += set.status != "rejected";
    }
    result.acknowledgement = x12::Acknowledgement999(result.interchange, acknowledged);
    return result;
}

}  // namespace p360::member
