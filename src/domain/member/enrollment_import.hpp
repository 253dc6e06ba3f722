// Enrollment import: X12 834 transaction sets become members, households and coverage.
//
// Each accepted transaction set becomes one change set (records::RecordService::ApplyChanges),
// applied as the caller: every member of the set and all their coverage lines, or nothing. A set
// the reader rejected, or one that cannot be applied (a coverage line for a plan nobody set up,
// a change for a member never enrolled), changes nothing and is reported with its segment
// position. A set is applied once: its key is the sponsor, the interchange control number and
// the transaction set control number, so the same file sent again changes nothing.
//
// Per member (INS loop), keyed so that later files find the same records:
//   Person        sourceId "834:<subscriber id>:S" for the subscriber, ":D<hash of first name and
//                 birth date>" for a dependent (no PHI in the key);
//   Household     sourceId "834:<subscriber id>", named after the subscriber's family name;
//   HouseholdMember  the person's key; head, spouse or dependent by INS02;
//   MemberPlan    sourceId "<person key>:<HD03>[:<HD04>]" per coverage line (HD loop), on the
//                 plan whose planCode is HD04, else "<REF*1L>-<HD03>", else HD03.
// Maintenance types: 021 addition and 025 reinstatement make coverage active (reinstatement
// clears the termination); 001 change and 030 audit update what the file carries; 024
// termination ends the lines named (or, with no HD loop, every line of the member) with the
// DTP*349 / DTP*357 date. Values absent from the file never erase stored ones.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "formats/x12/enrollment_834.hpp"
#include "records/record_service.hpp"

namespace p360::member {

struct EnrollmentSetOutcome {
    std::string control_number;
    std::string status;  // accepted, rejected, duplicate
    std::int64_t members = 0;
    std::vector<formats::x12::X12Error> errors;
    std::vector<records::ChangeOutcome> changes;
};

struct EnrollmentImportResult {
    formats::x12::InterchangeSummary interchange;
    std::vector<EnrollmentSetOutcome> sets;
    std::string acknowledgement;  // the 999
};

class EnrollmentImporter {
public:
    // `clock` tells future coverage (pending) from current (active).
    EnrollmentImporter(records::RecordService& records, const Clock& clock)
        : records_(records), clock_(clock) {}

    // Fails as a whole only when the input is not X12 or the database fails; everything about
    // single transaction sets is in the result.
    Result<EnrollmentImportResult> Import(const security::Actor& actor, std::istream& input);

private:
    records::RecordService& records_;
    const Clock& clock_;
};

}  // namespace p360::member
