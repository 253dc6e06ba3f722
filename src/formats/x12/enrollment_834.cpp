#include "formats/x12/enrollment_834.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <string_view>
#include <utility>

#include "core/time_format.hpp"
#include "formats/x12/x12_reader.hpp"

namespace p360::formats::x12 {
namespace {

constexpr std::string_view kImplementationGuide = "005010X220A1";
constexpr std::string_view kAcknowledgementGuide = "005010X231A1";
constexpr std::string_view kInterchangeVersion = "00501";

// A member's coverage lines are allocated for this many at once: most have a few (health,
// dental, vision), and growing one at a time would move the earlier ones each time.
constexpr std::size_t kCoveragesReserved = 4;

// A set's or a file's error list stops growing here: one broken generator can produce an error
// per segment, and the list is held in memory and copied into the 999.
constexpr std::size_t kMaxErrors = 100;

// The acknowledgement element that carries each kind of error code (X12Error::code).
constexpr std::string_view kSegmentCode = "IK304";
constexpr std::string_view kElementCode = "IK403";
constexpr std::string_view kSetCode = "IK502";
constexpr std::string_view kGroupCode = "AK905";
constexpr std::string_view kInterchangeCode = "TA105";

// A code list packed with PackCode: checking a value is a few integer compares rather than a
// string compare per code. Every code of these lists has at most three characters.
template <std::size_t N>
using CodeList = std::array<std::uint32_t, N>;

template <std::size_t N>
constexpr CodeList<N> PackCodes(const std::string_view (&codes)[N]) {
    CodeList<N> packed{};
    for (std::size_t code_idx = 0; code_idx < N; ++code_idx) {
        packed[code_idx] = PackCode(codes[code_idx]);
    }
    return packed;
}

template <std::size_t N>
bool InCodeList(std::string_view value, const CodeList<N>& codes) {
    return std::find(codes.begin(), codes.end(), PackCode(value)) != codes.end();
}

// Code lists of 005010X220A1 for the elements whose values the model carries.
constexpr auto kMemberMaintenanceTypes = PackCodes({"001", "021", "024", "025", "030"});
constexpr auto kCoverageMaintenanceTypes =
    PackCodes({"001", "002", "021", "024", "025", "026", "030", "032"});
constexpr auto kRelationships = PackCodes(
    {"01", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16",
     "17", "18", "19", "23", "24", "25", "26", "31", "38", "53", "60", "D2", "G8", "G9"});
constexpr auto kInsuranceLines =
    PackCodes({"AG",  "AH",  "AJ", "AK",  "DCP", "DEN", "EPO", "FAC", "HE",  "HLT", "HMO",
               "LTC", "LTD", "MM", "MOD", "PDG", "POS", "PPO", "PRA", "STD", "UR",  "VIS"});
constexpr auto kCommunicationQualifiers =
    PackCodes({"AP", "BN", "CP", "EM", "EX", "FX", "HP", "TE", "WP"});
constexpr auto kPhoneQualifiers = PackCodes({"TE", "HP", "WP", "CP"});
constexpr auto kPurposes = PackCodes({"00", "15", "22"});             // BGN01
constexpr auto kActionCodes = PackCodes({"2", "4", "RX"});            // BGN08
constexpr auto kPartyEntities = PackCodes({"P5", "IN", "BO", "TV"});  // N101 in 1000A–C
constexpr auto kYesNo = PackCodes({"Y", "N"});                        // INS01
constexpr auto kBenefitStatuses = PackCodes({"A", "C", "S", "T"});    // INS05
constexpr auto kDateFormatD8 = PackCodes({"D8"});                     // DMG01
constexpr auto kGenders = PackCodes({"F", "M", "U"});                 // DMG03

// The segment ids the reader dispatches on.
constexpr std::uint32_t kIsa = PackCode("ISA");
constexpr std::uint32_t kIea = PackCode("IEA");
constexpr std::uint32_t kGs = PackCode("GS");
constexpr std::uint32_t kGe = PackCode("GE");
constexpr std::uint32_t kSt = PackCode("ST");
constexpr std::uint32_t kSe = PackCode("SE");
constexpr std::uint32_t kBgn = PackCode("BGN");
constexpr std::uint32_t kN1 = PackCode("N1");
constexpr std::uint32_t kIns = PackCode("INS");
constexpr std::uint32_t kRef = PackCode("REF");
constexpr std::uint32_t kDtp = PackCode("DTP");
constexpr std::uint32_t kNm1 = PackCode("NM1");
constexpr std::uint32_t kPer = PackCode("PER");
constexpr std::uint32_t kN3 = PackCode("N3");
constexpr std::uint32_t kN4 = PackCode("N4");
constexpr std::uint32_t kDmg = PackCode("DMG");
constexpr std::uint32_t kHd = PackCode("HD");
constexpr std::uint32_t kDsb = PackCode("DSB");
constexpr std::uint32_t kLx = PackCode("LX");
constexpr std::uint32_t kCob = PackCode("COB");
constexpr std::uint32_t kLs = PackCode("LS");
constexpr std::uint32_t kLe = PackCode("LE");

// The envelope headers and trailers other than SE, which end a transaction set early.
bool IsEnvelope(std::uint32_t tag) {
    return tag == kIsa || tag == kGs || tag == kSt || tag == kGe || tag == kIea;
}

template <typename Codes>
bool OneOf(std::string_view value, const Codes& codes) {
    return std::find(std::begin(codes), std::end(codes), value) != std::end(codes);
}

bool IsDigits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsAlnumText(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    });
}

// A count or control number as X12 sends it: 1 to 9 digits.
std::optional<std::int64_t> ParseCount(std::string_view text) {
    if (!IsDigits(text) || text.size() > 9) {
        return std::nullopt;
    }
    std::int64_t value = 0;
    for (char c : text) {
        value = value * 10 + (c - '0');
    }
    return value;
}

bool SameCount(std::string_view text, std::int64_t expected) {
    const auto count = ParseCount(text);
    return count && *count == expected;
}

// Two control numbers match when they are the same number: "0001" and "1" agree.
bool SameControlNumber(std::string_view left, std::string_view right) {
    const auto left_number = ParseCount(left);
    const auto right_number = ParseCount(right);
    if (left_number && right_number) {
        return *left_number == *right_number;
    }
    return left == right;
}

bool IsSegmentId(std::string_view id) {
    return id.size() >= 2 && id.size() <= 3 && id[0] >= 'A' && id[0] <= 'Z' &&
           std::all_of(id.begin(), id.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); });
}

std::string Trim(std::string_view text) {
    const auto begin = text.find_first_not_of(' ');
    if (begin == std::string_view::npos) {
        return {};
    }
    return std::string(text.substr(begin, text.find_last_not_of(' ') - begin + 1));
}

// CCYYMMDD (format qualifier D8) as YYYY-MM-DD, when it is a real calendar date.
std::optional<std::string> D8Date(std::string_view text) {
    if (text.size() != 8 || !IsDigits(text)) {
        return std::nullopt;
    }
    const std::array<char, 10> iso = {text[0], text[1], text[2], text[3], '-',
                                      text[4], text[5], '-',     text[6], text[7]};
    return NormalizeDate(std::string_view(iso.data(), iso.size()));
}

// CCYYMMDD-CCYYMMDD (RD8), both ends real dates.
bool ValidRd8(std::string_view text) {
    return text.size() == 17 && text[8] == '-' && D8Date(text.substr(0, 8)) &&
           D8Date(text.substr(9));
}

// "NM103": how the guides name an element, used in messages instead of its value.
std::string ElementName(std::string_view segment_id, int element) {
    std::string name(segment_id);
    if (element < 10) {
        name.push_back('0');
    }
    return name + std::to_string(element);
}

// The id to report for a segment: its id when it looks like one, else nothing, so bytes of a
// mangled segment (possibly PHI) never reach an error.
std::string ReportableId(std::string_view id) { return IsSegmentId(id) ? std::string(id) : ""; }

// ---------------------------------------------------------------------------------------------
// One transaction set, ST to SE.

// Where in the 834 the reader is; decides which member field a DTP, N3 or DMG fills.
enum class Loop : std::uint8_t {
    kHeading,         // BGN, REF, DTP, QTY
    kSponsor,         // 1000A N1*P5
    kPayer,           // 1000B N1*IN
    kBroker,          // 1000C N1*BO/TV and 1100C
    kMember,          // 2000 INS, REF, DTP
    kMemberName,      // 2100A NM1*IL and its PER, N3, N4, DMG, …
    kOtherName,       // 2100B–H: incorrect name, mailing address, employer, school, …
    kDisability,      // 2200 DSB
    kCoverage,        // 2300 HD
    kProvider,        // 2310 LX, NM1
    kCoordination,    // 2320 COB, 2330 N1
    kReporting,       // 2700 between LS and LE: skipped whole
    kAfterReporting,  // after LE, until the next INS or SE
};

// The 2100 loop an NM1 entity code opens (2100A for the member's own name).
std::string_view NameLoopId(std::string_view entity) {
    switch (PackCode(entity)) {
        case PackCode("IL"):
        case PackCode("74"):
            return "2100A";
        case PackCode("70"):
            return "2100B";
        case PackCode("31"):
            return "2100C";
        case PackCode("36"):
            return "2100D";
        case PackCode("M8"):
            return "2100E";
        case PackCode("S3"):
            return "2100F";
        case PackCode("45"):
            return "2100H";
        default:
            return "2100G";
    }
}

class SetReader {
public:
    // `expected_members` (the previous set's count) is room reserved for members up front, so
    // that a large set does not move its members each time the list grows.
    SetReader(const Segment& st, std::string interchange_control_number,
              std::string group_control_number, std::size_t expected_members);

    // A segment between ST and SE.
    void Add(const Segment& segment);
    // The SE: checks the trailer and the loops still open, and gives the verdict.
    TransactionSetResult Finish(const Segment& se);
    // No SE came; `due` is where it was due.
    TransactionSetResult Abandon(std::int64_t due_file_segment);

private:
    // Reading by loop.
    void Heading(const Segment& segment);
    void CloseHeading(const Segment& at);
    void MemberSegment(const Segment& segment);
    void MemberNameSegment(const Segment& segment);
    void LeaveMemberLevel(const Segment& at, bool to_member_name);
    void EndMember(const Segment& at);

    // Reading by segment.
    void ReadBgn(const Segment& segment);
    void ReadParty(const Segment& segment);
    void ReadIns(const Segment& segment);
    void ReadMemberRef(const Segment& segment);
    void ReadDtp(const Segment& segment);
    std::string* DateTarget(std::uint32_t qualifier);
    void ReadNm1(const Segment& segment);
    void ReadPer(const Segment& segment);
    void ReadN3(const Segment& segment);
    void ReadN4(const Segment& segment);
    void ReadDmg(const Segment& segment);
    void ReadHd(const Segment& segment);

    // Checks that report what they find.
    std::string_view Required(const Segment& segment, int element);
    template <std::size_t N>
    std::string_view RequiredCode(const Segment& segment, int element, const CodeList<N>& codes);
    void Paired(const Segment& segment, int first, int second);
    std::string Date(const Segment& segment, int element);

    SegmentPosition PositionOf(const Segment& segment, int element = 0) const;
    std::string_view LoopId() const;
    void AddError(SegmentPosition position, std::string_view code, std::string_view syntax_code,
                  std::string message, std::string_view loop);
    void SegmentError(const Segment& segment, std::string_view syntax_code, std::string message);
    void ElementError(const Segment& segment, int element, std::string_view syntax_code,
                      std::string message);
    void SetError(const Segment& segment, int element, std::string_view syntax_code,
                  std::string message);
    void Missing(const Segment& at, std::string_view missing_id, std::string_view loop,
                 std::string message);
    TransactionSetResult Verdict();

    Enrollment834 enrollment_;
    std::vector<X12Error> errors_;
    std::int64_t segments_ = 1;  // ST
    Loop loop_ = Loop::kHeading;
    std::string_view other_name_loop_;
    bool heading_closed_ = false;
    bool saw_sponsor_ = false;
    bool saw_payer_ = false;
    bool member_has_name_ = false;
    bool member_has_subscriber_id_ = false;
};

SetReader::SetReader(const Segment& st, std::string interchange_control_number,
                     std::string group_control_number, std::size_t expected_members) {
    enrollment_.members.reserve(expected_members);
    enrollment_.interchange_control_number = std::move(interchange_control_number);
    enrollment_.group_control_number = std::move(group_control_number);
    enrollment_.set_control_number = std::string(st.Element(2));
    enrollment_.position = PositionOf(st);
    if (st.Element(1).empty()) {
        SetError(st, 1, "6", "ST01 (transaction set identifier) is missing.");
    } else if (st.Element(1) != "834") {
        SetError(st, 1, "1", "The transaction set is not an 834; only 834s are read here.");
    }
    const auto control = st.Element(2);
    if (control.size() < 4 || control.size() > 9 || !IsAlnumText(control)) {
        SetError(st, 2, "7", "ST02 (transaction set control number) is missing or malformed.");
    }
    if (st.Element(3) != kImplementationGuide) {
        SetError(st, 3, "I6", "ST03 does not name the 005010X220A1 implementation guide.");
    }
}

void SetReader::Add(const Segment& segment) {
    ++segments_;
    if (!IsSegmentId(segment.Id())) {
        SegmentError(segment, "1", "The segment id is not a valid X12 segment id.");
        return;
    }
    const std::uint32_t tag = segment.Tag();
    if (segments_ == 2 && tag != kBgn) {
        Missing(segment, "BGN", "", "The transaction set does not begin with BGN.");
    }
    if (tag == kIns) {
        if (heading_closed_) {
            EndMember(segment);
        } else {
            CloseHeading(segment);
        }
        ReadIns(segment);
        return;
    }
    if (!heading_closed_) {
        Heading(segment);
        return;
    }
    if (loop_ == Loop::kReporting) {
        // Member reporting categories (2700) carry nothing the model holds; their N1, REF and
        // DTP must not be mistaken for the member's.
        if (tag == kLe) {
            loop_ = Loop::kAfterReporting;
        }
        return;
    }
    MemberSegment(segment);
}

TransactionSetResult SetReader::Finish(const Segment& se) {
    ++segments_;
    if (segments_ == 2) {
        Missing(se, "BGN", "", "The transaction set does not begin with BGN.");
    }
    if (heading_closed_) {
        EndMember(se);
    } else {
        CloseHeading(se);
        Missing(se, "INS", "2000", "The transaction set has no member (INS) loop.");
    }
    if (!SameCount(se.Element(1), segments_)) {
        SetError(se, 1, "4", "SE01 does not match the number of segments from ST to SE.");
    }
    if (se.Element(2) != enrollment_.set_control_number) {
        SetError(se, 2, "3", "SE02 does not match the control number in ST02.");
    }
    return Verdict();
}

TransactionSetResult SetReader::Abandon(std::int64_t due_file_segment) {
    AddError({due_file_segment, segments_ + 1, "SE", 0}, kSetCode, "2",
             "The transaction set has no SE trailer.", "");
    return Verdict();
}

TransactionSetResult SetReader::Verdict() {
    TransactionSetResult result;
    result.set_control_number = enrollment_.set_control_number;
    result.group_control_number = enrollment_.group_control_number;
    if (errors_.empty()) {
        result.enrollment = std::move(enrollment_);
    } else {
        result.errors = std::move(errors_);
    }
    return result;
}

void SetReader::Heading(const Segment& segment) {
    switch (segment.Tag()) {
        case kBgn:
            if (segments_ == 2) {
                ReadBgn(segment);
            } else {
                SegmentError(segment, "2", "BGN may only follow ST.");
            }
            break;
        case kN1:
            ReadParty(segment);
            break;
        case kDtp:
            ReadDtp(segment);
            break;
        default:
            // REF, QTY, N2–N4, PER, ACT and anything unknown carry nothing the model holds.
            break;
    }
}

void SetReader::CloseHeading(const Segment& at) {
    heading_closed_ = true;
    if (!saw_sponsor_) {
        Missing(at, "N1", "1000A", "The sponsor (N1*P5) is missing.");
    }
    if (!saw_payer_) {
        Missing(at, "N1", "1000B", "The payer (N1*IN) is missing.");
    }
}

void SetReader::MemberSegment(const Segment& segment) {
    switch (segment.Tag()) {
        case kRef:
            if (loop_ == Loop::kMember) {
                ReadMemberRef(segment);
            }
            break;
        case kDtp:
            ReadDtp(segment);
            break;
        case kNm1:
            ReadNm1(segment);
            break;
        case kPer:
        case kN3:
        case kN4:
        case kDmg:
            LeaveMemberLevel(segment, false);
            if (loop_ == Loop::kMemberName) {
                MemberNameSegment(segment);
            }
            // Otherwise an address or contact of another party (2100C, 2310, …).
            break;
        case kHd:
            LeaveMemberLevel(segment, false);
            loop_ = Loop::kCoverage;
            ReadHd(segment);
            break;
        case kDsb:
            LeaveMemberLevel(segment, false);
            loop_ = Loop::kDisability;
            break;
        case kLx:
            LeaveMemberLevel(segment, false);
            if (loop_ == Loop::kCoverage || loop_ == Loop::kProvider) {
                loop_ = Loop::kProvider;
            }
            break;
        case kCob:
            LeaveMemberLevel(segment, false);
            loop_ = Loop::kCoordination;
            break;
        case kLs:
            LeaveMemberLevel(segment, false);
            loop_ = Loop::kReporting;
            break;
        case kLe:
            SegmentError(segment, "2", "LE without a matching LS.");
            break;
        default:
            // Anything else (AMT, EC, HLH, IDC, …) is optional and carries nothing the model
            // holds.
            break;
    }
}

// PER, N3, N4 or DMG of the member's own name loop (2100A).
void SetReader::MemberNameSegment(const Segment& segment) {
    switch (segment.Tag()) {
        case kPer:
            ReadPer(segment);
            break;
        case kN3:
            ReadN3(segment);
            break;
        case kN4:
            ReadN4(segment);
            break;
        default:
            ReadDmg(segment);
            break;
    }
}

// The member level (2000: INS, REF, DTP) ends at the first segment of a later loop; its
// subscriber identifier and the member's name (2100A) are required.
void SetReader::LeaveMemberLevel(const Segment& at, bool to_member_name) {
    if (loop_ != Loop::kMember) {
        return;
    }
    if (!member_has_subscriber_id_) {
        Missing(at, "REF", "2000", "The member has no subscriber identifier (REF*0F).");
    }
    if (!to_member_name && !member_has_name_) {
        Missing(at, "NM1", "2100A", "The member has no name (NM1*IL).");
    }
    other_name_loop_ = "2100G";
    loop_ = Loop::kOtherName;  // until the segment says which loop it opens
}

void SetReader::EndMember(const Segment& at) {
    if (loop_ == Loop::kReporting) {
        Missing(at, "LE", "2700", "LS is not closed by LE.");
    }
    LeaveMemberLevel(at, false);
}

void SetReader::ReadBgn(const Segment& segment) {
    enrollment_.purpose.assign(RequiredCode(segment, 1, kPurposes));
    enrollment_.reference.assign(Required(segment, 2));
    if (!Required(segment, 3).empty()) {
        Date(segment, 3);
    }
    RequiredCode(segment, 8, kActionCodes);
}

void SetReader::ReadParty(const Segment& segment) {
    const std::uint32_t entity = PackCode(RequiredCode(segment, 1, kPartyEntities));
    Paired(segment, 3, 4);
    if (entity == PackCode("P5")) {
        loop_ = Loop::kSponsor;
        saw_sponsor_ = true;
        enrollment_.sponsor_name.assign(segment.Element(2));
        enrollment_.sponsor_id.assign(segment.Element(4));
    } else if (entity == PackCode("IN")) {
        loop_ = Loop::kPayer;
        saw_payer_ = true;
        enrollment_.payer_name.assign(segment.Element(2));
        enrollment_.payer_id.assign(segment.Element(4));
    } else if (entity != PackCode("")) {
        loop_ = Loop::kBroker;
    }
}

void SetReader::ReadIns(const Segment& segment) {
    loop_ = Loop::kMember;
    member_has_name_ = false;
    member_has_subscriber_id_ = false;
    Member834& member = enrollment_.members.emplace_back();
    member.position = PositionOf(segment);
    member.subscriber = RequiredCode(segment, 1, kYesNo) == "Y";
    member.relationship_code.assign(RequiredCode(segment, 2, kRelationships));
    member.maintenance_type.assign(RequiredCode(segment, 3, kMemberMaintenanceTypes));
    member.maintenance_reason.assign(segment.Element(4));
    member.benefit_status.assign(RequiredCode(segment, 5, kBenefitStatuses));
    member.employment_status.assign(segment.Element(8));
}

void SetReader::ReadMemberRef(const Segment& segment) {
    const std::string_view qualifier = Required(segment, 1);
    const std::string_view value = Required(segment, 2);
    Member834& member = enrollment_.members.back();
    switch (PackCode(qualifier)) {
        case PackCode("0F"):
            member_has_subscriber_id_ = true;
            member.subscriber_id.assign(value);
            break;
        case PackCode("1L"):
            member.group_policy_number.assign(value);
            break;
        case PackCode("23"):
            member.member_id.assign(value);
            break;
        case PackCode("ZZ"):
            if (member.member_id.empty()) {
                member.member_id.assign(value);
            }
            break;
        case PackCode("F6"):
            member.medicare_id.assign(value);
            break;
        default:
            break;
    }
}

// Any DTP: the three elements are required and a D8 or RD8 date must be real. At member level
// and in a coverage loop the dates the model holds are kept.
void SetReader::ReadDtp(const Segment& segment) {
    const std::uint32_t qualifier = PackCode(Required(segment, 1));
    const std::uint32_t format = PackCode(Required(segment, 2));
    if (Required(segment, 3).empty()) {
        return;
    }
    std::string date;
    if (format == PackCode("D8")) {
        date = Date(segment, 3);
    } else if (format == PackCode("RD8") && !ValidRd8(segment.Element(3))) {
        ElementError(segment, 3, "8", "DTP03 is not a valid CCYYMMDD-CCYYMMDD date range.");
    }
    std::string* target = DateTarget(qualifier);
    if (target == nullptr) {
        return;
    }
    if (format != PackCode("D8")) {
        ElementError(segment, 2, "7", "DTP02 must be D8 for this date.");
        return;
    }
    *target = std::move(date);
}

// The model field a DTP with this qualifier fills in the current loop, if any.
std::string* SetReader::DateTarget(std::uint32_t qualifier) {
    if (loop_ == Loop::kMember) {
        Member834& member = enrollment_.members.back();
        switch (qualifier) {
            case PackCode("356"):
                return &member.eligibility_begin;
            case PackCode("357"):
                return &member.eligibility_end;
            case PackCode("303"):
                return &member.maintenance_effective;
            default:
                return nullptr;
        }
    }
    if (loop_ == Loop::kCoverage && !enrollment_.members.back().coverages.empty()) {
        Coverage834& coverage = enrollment_.members.back().coverages.back();
        switch (qualifier) {
            case PackCode("348"):
                return &coverage.begin_date;
            case PackCode("349"):
                return &coverage.end_date;
            default:
                return nullptr;
        }
    }
    return nullptr;
}

void SetReader::ReadNm1(const Segment& segment) {
    const std::string_view entity = segment.Element(1);
    const std::uint32_t entity_code = PackCode(entity);
    const bool member_name = entity_code == PackCode("IL") || entity_code == PackCode("74");
    LeaveMemberLevel(segment, member_name);
    if (!member_name) {
        if (entity_code == PackCode("P3") &&
            (loop_ == Loop::kCoverage || loop_ == Loop::kProvider)) {
            loop_ = Loop::kProvider;
        } else {
            loop_ = Loop::kOtherName;
            other_name_loop_ = NameLoopId(entity);
        }
        return;
    }
    loop_ = Loop::kMemberName;
    if (member_has_name_) {
        SegmentError(segment, "4", "The member name loop (2100A) occurs more than once.");
        return;
    }
    member_has_name_ = true;
    Member834& member = enrollment_.members.back();
    Required(segment, 2);
    member.last_name.assign(Required(segment, 3));
    member.first_name.assign(segment.Element(4));
    member.middle_name.assign(segment.Element(5));
    member.name_suffix.assign(segment.Element(7));
    Paired(segment, 8, 9);
    member.id_qualifier.assign(segment.Element(8));
    member.id_code.assign(segment.Element(9));
}

void SetReader::ReadPer(const Segment& segment) {
    Required(segment, 1);
    Member834& member = enrollment_.members.back();
    for (int qualifier_idx = 3; qualifier_idx <= 7; qualifier_idx += 2) {
        Paired(segment, qualifier_idx, qualifier_idx + 1);
        const std::string_view qualifier = segment.Element(qualifier_idx);
        if (qualifier.empty()) {
            continue;
        }
        if (!InCodeList(qualifier, kCommunicationQualifiers)) {
            ElementError(segment, qualifier_idx, "7",
                         ElementName("PER", qualifier_idx) + " holds an invalid code.");
            continue;
        }
        const std::string_view number = segment.Element(qualifier_idx + 1);
        if (qualifier == "EM" && member.email.empty()) {
            member.email.assign(number);
        } else if (InCodeList(qualifier, kPhoneQualifiers) && member.phone.empty()) {
            member.phone.assign(number);
        }
    }
}

void SetReader::ReadN3(const Segment& segment) {
    Member834& member = enrollment_.members.back();
    member.address_line1.assign(Required(segment, 1));
    member.address_line2.assign(segment.Element(2));
}

void SetReader::ReadN4(const Segment& segment) {
    Member834& member = enrollment_.members.back();
    member.city.assign(Required(segment, 1));
    member.state.assign(segment.Element(2));
    member.postal_code.assign(segment.Element(3));
}

void SetReader::ReadDmg(const Segment& segment) {
    Member834& member = enrollment_.members.back();
    RequiredCode(segment, 1, kDateFormatD8);
    if (!Required(segment, 2).empty()) {
        member.birth_date = Date(segment, 2);
    }
    const std::string_view gender = segment.Element(3);
    if (!gender.empty() && !InCodeList(gender, kGenders)) {
        ElementError(segment, 3, "7", "DMG03 holds an invalid code.");
    }
    member.gender.assign(gender);
}

void SetReader::ReadHd(const Segment& segment) {
    std::vector<Coverage834>& coverages = enrollment_.members.back().coverages;
    if (coverages.empty()) {
        coverages.reserve(kCoveragesReserved);
    }
    Coverage834& coverage = coverages.emplace_back();
    coverage.maintenance_type.assign(RequiredCode(segment, 1, kCoverageMaintenanceTypes));
    coverage.insurance_line.assign(RequiredCode(segment, 3, kInsuranceLines));
    coverage.plan_description.assign(segment.Element(4));
    coverage.coverage_level.assign(segment.Element(5));
    coverage.position = PositionOf(segment);
}

std::string_view SetReader::Required(const Segment& segment, int element) {
    const std::string_view value = segment.Element(element);
    if (value.empty()) {
        ElementError(segment, element, "1",
                     ElementName(segment.Id(), element) + " is required but missing.");
    }
    return value;
}

template <std::size_t N>
std::string_view SetReader::RequiredCode(const Segment& segment, int element,
                                         const CodeList<N>& codes) {
    const std::string_view value = Required(segment, element);
    if (!value.empty() && !InCodeList(value, codes)) {
        ElementError(segment, element, "7",
                     ElementName(segment.Id(), element) + " holds an invalid code.");
    }
    return value;
}

// "If either is present, the other is required" (a qualifier and its value).
void SetReader::Paired(const Segment& segment, int first, int second) {
    const bool has_first = !segment.Element(first).empty();
    const bool has_second = !segment.Element(second).empty();
    if (has_first != has_second) {
        const int missing = has_first ? second : first;
        ElementError(segment, missing, "2",
                     ElementName(segment.Id(), missing) + " is required with " +
                         ElementName(segment.Id(), has_first ? first : second) + ".");
    }
}

std::string SetReader::Date(const Segment& segment, int element) {
    auto date = D8Date(segment.Element(element));
    if (!date) {
        ElementError(segment, element, "8",
                     ElementName(segment.Id(), element) + " is not a valid CCYYMMDD date.");
        return {};
    }
    return std::move(*date);
}

SegmentPosition SetReader::PositionOf(const Segment& segment, int element) const {
    return {segment.Position(), segments_, ReportableId(segment.Id()), element};
}

std::string_view SetReader::LoopId() const {
    switch (loop_) {
        case Loop::kHeading:
            return "";
        case Loop::kSponsor:
            return "1000A";
        case Loop::kPayer:
            return "1000B";
        case Loop::kBroker:
            return "1000C";
        case Loop::kMember:
        case Loop::kAfterReporting:
            return "2000";
        case Loop::kMemberName:
            return "2100A";
        case Loop::kOtherName:
            return other_name_loop_;
        case Loop::kDisability:
            return "2200";
        case Loop::kCoverage:
            return "2300";
        case Loop::kProvider:
            return "2310";
        case Loop::kCoordination:
            return "2320";
        case Loop::kReporting:
            return "2700";
    }
    return "";
}

void SetReader::AddError(SegmentPosition position, std::string_view code,
                         std::string_view syntax_code, std::string message, std::string_view loop) {
    if (errors_.size() >= kMaxErrors) {
        return;
    }
    errors_.push_back({std::move(position), std::string(code), std::move(message),
                       std::string(syntax_code), std::string(loop)});
}

void SetReader::SegmentError(const Segment& segment, std::string_view syntax_code,
                             std::string message) {
    AddError(PositionOf(segment), kSegmentCode, syntax_code, std::move(message), LoopId());
}

void SetReader::ElementError(const Segment& segment, int element, std::string_view syntax_code,
                             std::string message) {
    AddError(PositionOf(segment, element), kElementCode, syntax_code, std::move(message), LoopId());
}

void SetReader::SetError(const Segment& segment, int element, std::string_view syntax_code,
                         std::string message) {
    AddError(PositionOf(segment, element), kSetCode, syntax_code, std::move(message), "");
}

void SetReader::Missing(const Segment& at, std::string_view missing_id, std::string_view loop,
                        std::string message) {
    SegmentPosition position = PositionOf(at);
    position.segment_id = std::string(missing_id);
    AddError(std::move(position), kSegmentCode, "3", std::move(message), loop);
}

// ---------------------------------------------------------------------------------------------
// The interchange: ISA/IEA around GS/GE around ST/SE.

class InterchangeReader {
public:
    InterchangeReader(SegmentReader segments, const TransactionSetSink& sink)
        : segments_(std::move(segments)), sink_(sink) {}

    Result<InterchangeSummary> Run();

private:
    enum class Level : std::uint8_t { kInterchange, kGroup, kSet, kDone };

    Status Dispatch(const Segment& segment);
    void ReadIsa(const Segment& isa);
    void OpenGroup(const Segment& gs);
    void CloseGroup(const Segment& ge);
    void CloseInterchange(const Segment& iea);
    void OpenSet(const Segment& st);
    Status CloseSet(const Segment& se);
    Status AbandonSet(std::int64_t due_file_segment);
    Status AtEnd();
    void Stray(const Segment& segment);
    void EnvelopeError(SegmentPosition position, std::string_view code,
                       std::string_view syntax_code, std::string message);
    void EnvelopeError(const Segment& segment, int element, std::string_view code,
                       std::string_view syntax_code, std::string message);
    Status Deliver(TransactionSetResult result);

    SegmentReader segments_;
    const TransactionSetSink& sink_;
    InterchangeSummary summary_;
    Level level_ = Level::kInterchange;
    std::optional<SetReader> set_;
    std::string group_control_number_;
    std::int64_t groups_ = 0;
    std::int64_t sets_in_group_ = 0;
    std::size_t members_in_last_set_ = 0;
    bool stray_reported_ = false;
    bool stop_ = false;
};

Result<InterchangeSummary> InterchangeReader::Run() {
    Segment segment;
    bool first = true;
    while (!stop_) {
        auto next = segments_.Next(segment);
        if (!next.ok()) {
            const std::int64_t at = segments_.segments_read() + 1;
            EnvelopeError({at, 0, "", 0}, kInterchangeCode,
                          segments_.ended_inside_segment() ? "023" : "024",
                          next.error().public_message);
            if (level_ == Level::kSet) {
                P360_TRY(AbandonSet(at));
            }
            break;
        }
        if (!next.value()) {
            P360_TRY(AtEnd());
            break;
        }
        if (first) {
            first = false;
            ReadIsa(segment);
            continue;
        }
        P360_TRY(Dispatch(segment));
    }
    if (!summary_.envelope_errors.empty()) {
        summary_.accepted = 0;
    }
    return std::move(summary_);
}

Status InterchangeReader::Dispatch(const Segment& segment) {
    const std::uint32_t tag = segment.Tag();
    const bool envelope = IsEnvelope(tag);
    if (envelope || tag == kSe) {
        stray_reported_ = false;
    }
    switch (level_) {
        case Level::kSet:
            if (tag == kSe) {
                return CloseSet(segment);
            }
            if (!envelope) {
                set_->Add(segment);
                return Ok();
            }
            P360_TRY(AbandonSet(segment.Position()));
            return Dispatch(segment);  // now at group level
        case Level::kGroup:
            if (tag == kSt) {
                OpenSet(segment);
            } else if (tag == kGe) {
                CloseGroup(segment);
            } else if (envelope) {
                EnvelopeError(segment, 0, kGroupCode, "3", "The functional group has no GE.");
                level_ = Level::kInterchange;
                return Dispatch(segment);
            } else {
                Stray(segment);
            }
            return Ok();
        case Level::kInterchange:
            if (tag == kGs) {
                OpenGroup(segment);
            } else if (tag == kIea) {
                CloseInterchange(segment);
            } else {
                Stray(segment);
            }
            return Ok();
        case Level::kDone:
            EnvelopeError(segment, 0, kInterchangeCode, "022",
                          "Segments follow the IEA; one interchange per input is read.");
            stop_ = true;
            return Ok();
    }
    return Ok();
}

void InterchangeReader::ReadIsa(const Segment& isa) {
    summary_.sender_id = Trim(isa.Element(6));
    summary_.receiver_id = Trim(isa.Element(8));
    summary_.interchange_control_number = std::string(isa.Element(13));
    if (isa.Element(12) != kInterchangeVersion) {
        EnvelopeError(isa, 12, kInterchangeCode, "017", "ISA12 is not version 00501.");
    }
    if (isa.Element(13).size() != 9 || !IsDigits(isa.Element(13))) {
        EnvelopeError(isa, 13, kInterchangeCode, "018", "ISA13 is not a 9-digit control number.");
    }
}

void InterchangeReader::OpenGroup(const Segment& gs) {
    level_ = Level::kGroup;
    ++groups_;
    sets_in_group_ = 0;
    group_control_number_ = std::string(gs.Element(6));
    if (groups_ == 1) {
        summary_.group_control_number = group_control_number_;
    }
    if (gs.Element(1) != "BE") {
        EnvelopeError(gs, 1, kGroupCode, "1", "GS01 is not BE (benefit enrollment).");
    }
    if (gs.Element(8) != kImplementationGuide) {
        EnvelopeError(gs, 8, kGroupCode, "2", "GS08 is not 005010X220A1.");
    }
    if (!ParseCount(gs.Element(6))) {
        EnvelopeError(gs, 6, kGroupCode, "6", "GS06 is not a control number of 1 to 9 digits.");
    }
}

void InterchangeReader::CloseGroup(const Segment& ge) {
    level_ = Level::kInterchange;
    if (!SameCount(ge.Element(1), sets_in_group_)) {
        EnvelopeError(ge, 1, kGroupCode, "5",
                      "GE01 does not match the number of transaction sets in the group.");
    }
    if (!SameControlNumber(ge.Element(2), group_control_number_)) {
        EnvelopeError(ge, 2, kGroupCode, "4", "GE02 does not match the control number in GS06.");
    }
}

void InterchangeReader::CloseInterchange(const Segment& iea) {
    level_ = Level::kDone;
    if (!SameCount(iea.Element(1), groups_)) {
        EnvelopeError(iea, 1, kInterchangeCode, "021",
                      "IEA01 does not match the number of functional groups.");
    }
    if (!SameControlNumber(iea.Element(2), summary_.interchange_control_number)) {
        EnvelopeError(iea, 2, kInterchangeCode, "001",
                      "IEA02 does not match the control number in ISA13.");
    }
}

void InterchangeReader::OpenSet(const Segment& st) {
    level_ = Level::kSet;
    ++sets_in_group_;
    ++summary_.transaction_sets;
    set_.emplace(st, summary_.interchange_control_number, group_control_number_,
                 members_in_last_set_);
}

Status InterchangeReader::CloseSet(const Segment& se) {
    level_ = Level::kGroup;
    TransactionSetResult result = set_->Finish(se);
    set_.reset();
    return Deliver(std::move(result));
}

Status InterchangeReader::AbandonSet(std::int64_t due_file_segment) {
    level_ = Level::kGroup;
    TransactionSetResult result = set_->Abandon(due_file_segment);
    set_.reset();
    return Deliver(std::move(result));
}

Status InterchangeReader::Deliver(TransactionSetResult result) {
    if (result.enrollment) {
        ++summary_.accepted;
        members_in_last_set_ = result.enrollment->members.size();
    }
    if (!sink_) {
        return Ok();
    }
    return sink_(std::move(result));
}

Status InterchangeReader::AtEnd() {
    const std::int64_t due = segments_.segments_read() + 1;
    if (level_ == Level::kSet) {
        P360_TRY(AbandonSet(due));
    }
    if (level_ == Level::kGroup) {
        EnvelopeError({due, 0, "GE", 0}, kGroupCode, "3", "The functional group has no GE.");
    }
    if (level_ != Level::kDone) {
        EnvelopeError({due, 0, "IEA", 0}, kInterchangeCode, "023",
                      "The input ends before the IEA.");
    }
    return Ok();
}

// A segment where none belongs (outside ST/SE). Reported once per run of such segments, so a
// transaction set without its GS costs one error, not one per segment.
void InterchangeReader::Stray(const Segment& segment) {
    if (stray_reported_) {
        return;
    }
    stray_reported_ = true;
    EnvelopeError(segment, 0, kInterchangeCode, "024",
                  "A segment is outside the envelope it belongs in.");
}

void InterchangeReader::EnvelopeError(SegmentPosition position, std::string_view code,
                                      std::string_view syntax_code, std::string message) {
    if (summary_.envelope_errors.size() >= kMaxErrors) {
        return;
    }
    summary_.envelope_errors.push_back(
        {std::move(position), std::string(code), std::move(message), std::string(syntax_code), ""});
}

void InterchangeReader::EnvelopeError(const Segment& segment, int element, std::string_view code,
                                      std::string_view syntax_code, std::string message) {
    EnvelopeError({segment.Position(), 0, ReportableId(segment.Id()), element}, code, syntax_code,
                  std::move(message));
}

// ---------------------------------------------------------------------------------------------
// The 999.

// Builds segments with * : ~ and counts them for SE01.
class SegmentWriter {
public:
    void Add(std::initializer_list<std::string_view> elements) {
        Add(std::vector<std::string_view>(elements));
    }

    // Trailing empty elements are left out, as X12 requires.
    void Add(std::vector<std::string_view> elements) {
        while (elements.size() > 1 && elements.back().empty()) {
            elements.pop_back();
        }
        for (std::size_t element_idx = 0; element_idx < elements.size(); ++element_idx) {
            if (element_idx > 0) {
                text_.push_back('*');
            }
            AppendClean(elements[element_idx]);
        }
        text_.push_back('~');
        ++segments_;
    }

    std::int64_t segments() const { return segments_; }
    std::string Take() { return std::move(text_); }

private:
    // Echoed control numbers come from a file with its own delimiters and any bytes: only
    // printable ASCII other than ours may appear.
    void AppendClean(std::string_view element) {
        for (char c : element) {
            if (c >= ' ' && c <= '~' && c != '*' && c != ':' && c != '~' && c != '^') {
                text_.push_back(c);
            }
        }
    }

    std::string text_;
    std::int64_t segments_ = 0;
};

// IK402: the data element reference number of the elements Read834 checks.
std::string_view ElementReference(std::string_view segment_id, int element) {
    struct Reference {
        std::string_view segment_id;
        int element;
        std::string_view number;
    };
    static constexpr std::array<Reference, 34> kReferences = {{
        {"BGN", 1, "353"},  {"BGN", 2, "127"},  {"BGN", 3, "373"},  {"BGN", 8, "306"},
        {"N1", 1, "98"},    {"N1", 3, "66"},    {"N1", 4, "67"},    {"INS", 1, "1073"},
        {"INS", 2, "1069"}, {"INS", 3, "875"},  {"INS", 5, "1216"}, {"REF", 1, "128"},
        {"REF", 2, "127"},  {"DTP", 1, "374"},  {"DTP", 2, "1250"}, {"DTP", 3, "1251"},
        {"NM1", 2, "1065"}, {"NM1", 3, "1035"}, {"NM1", 8, "66"},   {"NM1", 9, "67"},
        {"PER", 1, "366"},  {"PER", 3, "365"},  {"PER", 4, "364"},  {"PER", 5, "365"},
        {"PER", 6, "364"},  {"PER", 7, "365"},  {"PER", 8, "364"},  {"N3", 1, "166"},
        {"N4", 1, "19"},    {"DMG", 1, "1250"}, {"DMG", 2, "1251"}, {"DMG", 3, "1068"},
        {"HD", 1, "875"},   {"HD", 3, "1205"},
    }};
    for (const auto& reference : kReferences) {
        if (reference.segment_id == segment_id && reference.element == element) {
            return reference.number;
        }
    }
    return "";
}

// IK3 per segment at fault (IK304 8 gathers that segment's element errors as IK4s). Errors a
// caller adds after the read (an importer's own checks) may lack a syntax code or an element:
// those count in IK5 only, and an element error without an element gets no IK4, so the 999
// stays well formed whatever the results hold.
void WriteSegmentErrors(SegmentWriter& writer, const std::vector<X12Error>& errors) {
    const X12Error* open = nullptr;
    for (const X12Error& error : errors) {
        if (error.syntax_code.empty()) {
            continue;
        }
        const std::string set_position = std::to_string(error.position.set_segment);
        if (error.code == kSegmentCode) {
            writer.Add(
                {"IK3", error.position.segment_id, set_position, error.loop, error.syntax_code});
            open = nullptr;
        } else if (error.code == kElementCode) {
            if (open == nullptr || open->position.set_segment != error.position.set_segment) {
                writer.Add({"IK3", error.position.segment_id, set_position, error.loop, "8"});
                open = &error;
            }
            if (error.position.element > 0) {
                writer.Add({"IK4", std::to_string(error.position.element),
                            ElementReference(error.position.segment_id, error.position.element),
                            error.syntax_code});
            }
        }
    }
}

// IK502–IK506: the set's own trailer codes, then 5 when segments were in error.
std::vector<std::string> SetSyntaxCodes(const std::vector<X12Error>& errors) {
    std::vector<std::string> codes;
    bool segments_in_error = false;
    for (const X12Error& error : errors) {
        if (error.code == kSetCode) {
            if (!OneOf(error.syntax_code, codes)) {
                codes.push_back(error.syntax_code);
            }
        } else {
            segments_in_error = true;
        }
    }
    if (segments_in_error || codes.empty()) {
        codes.push_back("5");
    }
    codes.resize(std::min<std::size_t>(codes.size(), 5));
    return codes;
}

std::vector<std::string> GroupSyntaxCodes(const InterchangeSummary& summary) {
    std::vector<std::string> codes;
    for (const X12Error& error : summary.envelope_errors) {
        if (error.code == kGroupCode && !OneOf(error.syntax_code, codes) && codes.size() < 5) {
            codes.push_back(error.syntax_code);
        }
    }
    return codes;
}

std::string GroupAcknowledgement(const InterchangeSummary& summary,
                                 const std::vector<TransactionSetResult>& results,
                                 const std::string& group_control_number, int set_number) {
    std::string control = std::to_string(set_number);
    control.insert(0, control.size() < 4 ? 4 - control.size() : 0, '0');
    SegmentWriter writer;
    writer.Add({"ST", "999", control, kAcknowledgementGuide});
    writer.Add({"AK1", "BE", group_control_number, kImplementationGuide});
    std::int64_t received = 0;
    std::int64_t accepted = 0;
    for (const TransactionSetResult& result : results) {
        if (result.group_control_number != group_control_number) {
            continue;
        }
        ++received;
        writer.Add({"AK2", "834", result.set_control_number, kImplementationGuide});
        if (result.enrollment) {
            ++accepted;
            writer.Add({"IK5", "A"});
            continue;
        }
        WriteSegmentErrors(writer, result.errors);
        std::vector<std::string_view> ik5 = {"IK5", "R"};
        const std::vector<std::string> codes = SetSyntaxCodes(result.errors);
        ik5.insert(ik5.end(), codes.begin(), codes.end());
        writer.Add(std::move(ik5));
    }
    // Envelope errors reject everything, whichever group they were found in.
    const bool envelope_failed = !summary.envelope_errors.empty();
    if (envelope_failed) {
        accepted = 0;
    }
    const std::string_view verdict = accepted == received && !envelope_failed ? "A"
                                     : accepted == 0                          ? "R"
                                                                              : "P";
    const std::string received_text = std::to_string(received);
    const std::string accepted_text = std::to_string(accepted);
    std::vector<std::string_view> ak9 = {"AK9", verdict, received_text, received_text,
                                         accepted_text};
    const std::vector<std::string> group_codes = GroupSyntaxCodes(summary);
    ak9.insert(ak9.end(), group_codes.begin(), group_codes.end());
    writer.Add(std::move(ak9));
    writer.Add({"SE", std::to_string(writer.segments() + 1), control});
    return writer.Take();
}

}  // namespace

Result<InterchangeSummary> Read834(std::istream& input, const TransactionSetSink& sink) {
    P360_ASSIGN_OR_RETURN(SegmentReader segments, SegmentReader::Open(input));
    return InterchangeReader(std::move(segments), sink).Run();
}

std::string Acknowledgement999(const InterchangeSummary& summary,
                               const std::vector<TransactionSetResult>& results) {
    std::vector<std::string> groups;
    for (const TransactionSetResult& result : results) {
        if (!OneOf(result.group_control_number, groups)) {
            groups.push_back(result.group_control_number);
        }
    }
    if (groups.empty()) {
        groups.push_back(summary.group_control_number);
    }
    std::string acknowledgement;
    int set_number = 0;
    for (const std::string& group : groups) {
        acknowledgement += GroupAcknowledgement(summary, results, group, ++set_number);
    }
    return acknowledgement;
}

}  // namespace p360::formats::x12
