// X12 834 (005010X220A1) benefit enrollment: bytes in, a model of the enrollment out.
//
// The reader takes any delimiters the ISA segment declares (element, component, repetition,
// segment terminator; optional CR/LF after terminators), checks the envelopes (ISA/IEA,
// GS/GE, ST/SE: control numbers that match, counts that add up) and reads each 834 transaction
// set into an Enrollment834 — or into a list of errors, each with the segment position at fault.
// A transaction set with any error is rejected whole; the others stand. Streaming: the input is
// read from a std::istream one block at a time (x12_reader.hpp), and one transaction set at a
// time is held in memory and handed to the caller, so a file of any size passes in bounded
// memory.
// No I/O besides the stream; no database.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace p360::formats::x12 {

// Where an error is: the segment's 1-based position in the file and within its transaction
// set (0 outside one), its id, and the 1-based element (0 = the whole segment).
struct SegmentPosition {
    std::int64_t file_segment = 0;
    std::int64_t set_segment = 0;
    std::string segment_id;
    int element = 0;
};

struct X12Error {
    SegmentPosition position;
    std::string code;  // a 999-style code, e.g. "IK304" (missing segment), "IK403" (invalid value)
    std::string message;  // plain language; never echoes element values (they may be PHI)
    // The value that acknowledgement element carries: for IK304 "3" required segment missing
    // (position and segment_id then name the segment where it was due and the missing one),
    // "8" segment has data element errors; for IK403 "1" required element missing, "7"
    // invalid code value, "8" invalid date. `code` is IK502 for set trailer problems, AK905
    // for functional group ones and TA105 for the interchange, with their own values.
    std::string syntax_code;
    std::string loop;  // the loop at fault (IK303): "1000A", "2000", "2100A", "2300", …; or ""
};

// One HD loop: a coverage line.
struct Coverage834 {
    std::string
        maintenance_type;  // HD01: 021 add, 001 change, 024 cancel/term, 025 reinstate, 030 audit
    std::string insurance_line;    // HD03: HLT, DEN, VIS, PDG, …
    std::string plan_description;  // HD04
    std::string coverage_level;    // HD05: EMP, ESP, FAM, …
    std::string begin_date;        // DTP*348, YYYY-MM-DD
    std::string end_date;          // DTP*349, YYYY-MM-DD
    SegmentPosition position;      // the HD segment
};

// One INS loop (2000): a subscriber or dependent.
struct Member834 {
    bool subscriber = false;             // INS01 Y/N
    std::string relationship_code;       // INS02: 18 self, 01 spouse, 19 child, …
    std::string maintenance_type;        // INS03: 021, 001, 024, 025, 030
    std::string maintenance_reason;      // INS04
    std::string benefit_status;          // INS05: A active, C COBRA, …
    std::string employment_status;       // INS08
    std::string subscriber_id;           // REF*0F
    std::string group_policy_number;     // REF*1L
    std::string member_id;               // REF*23 (client reporting id) or REF*ZZ, when sent
    std::string medicare_id;             // REF*F6 (Medicare beneficiary id), when sent
    std::string last_name;               // NM1*IL 03
    std::string first_name;              // NM1*IL 04
    std::string middle_name;             // NM1*IL 05
    std::string name_suffix;             // NM1*IL 07
    std::string id_qualifier;            // NM1*IL 08: 34 SSN, ZZ mutually defined
    std::string id_code;                 // NM1*IL 09
    std::string phone;                   // PER: the first TE/HP/WP/CP number
    std::string email;                   // PER: EM
    std::string address_line1;           // N3 01
    std::string address_line2;           // N3 02
    std::string city;                    // N4 01
    std::string state;                   // N4 02
    std::string postal_code;             // N4 03
    std::string birth_date;              // DMG*D8 02, YYYY-MM-DD
    std::string gender;                  // DMG 03: M, F, U
    std::string eligibility_begin;       // DTP*356, YYYY-MM-DD
    std::string eligibility_end;         // DTP*357, YYYY-MM-DD
    std::string maintenance_effective;   // DTP*303, YYYY-MM-DD
    std::vector<Coverage834> coverages;  // HD loops (2300)
    SegmentPosition position;            // the INS segment
};

// One ST/SE transaction set.
struct Enrollment834 {
    std::string interchange_control_number;  // ISA13
    std::string group_control_number;        // GS06
    std::string set_control_number;          // ST02
    std::string purpose;       // BGN01: 00 original, 15 re-submission, 22 information copy
    std::string reference;     // BGN02
    std::string sponsor_name;  // N1*P5 02
    std::string sponsor_id;    // N1*P5 04
    std::string payer_name;    // N1*IN 02
    std::string payer_id;      // N1*IN 04
    std::vector<Member834> members;
    SegmentPosition position;  // the ST segment
};

// What happened to one transaction set: the model, or why it was rejected.
struct TransactionSetResult {
    std::string set_control_number;
    std::string group_control_number;         // GS06 of its group (a 999 answers one group)
    std::optional<Enrollment834> enrollment;  // set when accepted
    std::vector<X12Error> errors;             // set when rejected
};

// Called for each transaction set as soon as its SE is read.
using TransactionSetSink = std::function<Status(TransactionSetResult&&)>;

// What the whole file held.
struct InterchangeSummary {
    std::string sender_id;                   // ISA06, trimmed
    std::string receiver_id;                 // ISA08, trimmed
    std::string interchange_control_number;  // ISA13
    std::string group_control_number;        // GS06 (of the first group)
    std::int64_t transaction_sets = 0;
    std::int64_t accepted = 0;
    std::vector<X12Error> envelope_errors;  // ISA/IEA/GS/GE problems (reject everything)
};

// Reads every transaction set of `input`, handing each to `sink` (which may stop the read by
// returning an error, which Read834 then returns). Fails as a whole (kInvalidArgument with the
// position) only when the input is not X12 at all (no ISA segment of the right length).
// A set whose SE never comes (the next ST, GE or the end of the input arrives first) is still
// handed over, rejected with IK502 "2". Envelope errors are only known at GE/IEA, after the
// sink has seen the sets: when `envelope_errors` is not empty, nothing stands (`accepted` is 0)
// and the caller must discard what it received. One interchange per input: segments after the
// IEA are an envelope error.
Result<InterchangeSummary> Read834(std::istream& input, const TransactionSetSink& sink);

// A 999 implementation acknowledgement for what Read834 reported: AK1/AK2/IK3/IK4/IK5/AK9,
// with the given delimiters' defaults (* : ~). `results` in file order.
// The 999 transaction set(s) only, one ST*999 per functional group (0001, 0002, …): the caller
// wraps them in its own ISA/GS with its own control numbers and dates. Element values are
// never copied into IK4 (no IK404), since they may be PHI.
std::string Acknowledgement999(const InterchangeSummary& summary,
                               const std::vector<TransactionSetResult>& results);

}  // namespace p360::formats::x12
