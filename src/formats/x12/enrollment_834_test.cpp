#include "formats/x12/enrollment_834.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "formats/x12/x12_reader.hpp"

namespace p360::formats::x12 {
namespace {

// ---------------------------------------------------------------------------------------------
// Fixtures and helpers.

std::string Fixture(std::string_view name) {
    const std::string path = std::string(P360_FIXTURES_DIR) + "/x12/834/" + std::string(name);
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << "missing fixture " << path;
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Replaces the one occurrence of `from`, failing the test when there is none.
std::string Replace(std::string text, std::string_view from, std::string_view to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << "no '" << from << "' to replace";
    if (at != std::string::npos) {
        text.replace(at, from.size(), to);
    }
    return text;
}

// The segments strictly between ST and SE of a one-set fixture, without terminators.
std::vector<std::string> Body(std::string_view fixture) {
    std::vector<std::string> body;
    std::istringstream lines(Fixture(fixture));
    bool inside = false;
    for (std::string line; std::getline(lines, line, '~');) {
        line.erase(0, line.find_first_not_of("\r\n"));
        if (line.rfind("SE*", 0) == 0) {
            break;
        }
        if (inside) {
            body.push_back(line);
        }
        inside = inside || line.rfind("ST*", 0) == 0;
    }
    return body;
}

// One transaction set with a correct SE01.
std::string Set(std::string_view control, const std::vector<std::string>& body) {
    std::string text = "ST*834*" + std::string(control) + "*005010X220A1~\n";
    for (const std::string& segment : body) {
        text += segment + "~\n";
    }
    return text + "SE*" + std::to_string(body.size() + 2) + "*" + std::string(control) + "~\n";
}

// The fixtures' envelope around `sets`.
std::string Interchange(const std::vector<std::string>& sets) {
    std::string text =
        "ISA*00*          *00*          *ZZ*123456789012345*ZZ*123456789012346*080503*1705*>*"
        "00501*000010216*0*T*:~\nGS*BE*1234567890*1234567890*20080503*1705*20213*X*"
        "005010X220A1~\n";
    for (const std::string& set : sets) {
        text += set;
    }
    return text + "GE*" + std::to_string(sets.size()) + "*20213~\nIEA*1*000010216~\n";
}

struct Outcome {
    InterchangeSummary summary;
    std::vector<TransactionSetResult> results;
};

Outcome ReadText(const std::string& text) {
    std::istringstream input(text);
    Outcome outcome;
    auto summary = Read834(input, [&](TransactionSetResult&& result) -> Status {
        outcome.results.push_back(std::move(result));
        return Ok();
    });
    EXPECT_TRUE(summary.ok()) << summary.error().public_message;
    if (summary.ok()) {
        outcome.summary = std::move(summary).value();
    }
    return outcome;
}

// The one member of the one accepted set of `text`.
Member834 OnlyMember(const Outcome& outcome) {
    EXPECT_TRUE(outcome.summary.envelope_errors.empty());
    EXPECT_EQ(outcome.results.size(), 1u);
    if (outcome.results.size() != 1 || !outcome.results[0].enrollment ||
        outcome.results[0].enrollment->members.size() != 1) {
        ADD_FAILURE() << "expected one accepted set with one member";
        return {};
    }
    return outcome.results[0].enrollment->members[0];
}

std::string Describe(const SegmentPosition& position) {
    return std::to_string(position.file_segment) + "/" + std::to_string(position.set_segment) +
           "/" + position.segment_id + "/" + std::to_string(position.element);
}

// Every field of a set, so two reads can be compared whole.
std::string Describe(const Enrollment834& set) {
    std::ostringstream out;
    out << set.interchange_control_number << '|' << set.group_control_number << '|'
        << set.set_control_number << '|' << set.purpose << '|' << set.reference << '|'
        << set.sponsor_name << '|' << set.sponsor_id << '|' << set.payer_name << '|' << set.payer_id
        << '|' << Describe(set.position) << '\n';
    for (const Member834& m : set.members) {
        out << m.subscriber << '|' << m.relationship_code << '|' << m.maintenance_type << '|'
            << m.maintenance_reason << '|' << m.benefit_status << '|' << m.employment_status << '|'
            << m.subscriber_id << '|' << m.group_policy_number << '|' << m.member_id << '|'
            << m.medicare_id << '|' << m.last_name << '|' << m.first_name << '|' << m.middle_name
            << '|' << m.name_suffix << '|' << m.id_qualifier << '|' << m.id_code << '|' << m.phone
            << '|' << m.email << '|' << m.address_line1 << '|' << m.address_line2 << '|' << m.city
            << '|' << m.state << '|' << m.postal_code << '|' << m.birth_date << '|' << m.gender
            << '|' << m.eligibility_begin << '|' << m.eligibility_end << '|'
            << m.maintenance_effective << '|' << Describe(m.position) << '\n';
        for (const Coverage834& c : m.coverages) {
            out << "  " << c.maintenance_type << '|' << c.insurance_line << '|'
                << c.plan_description << '|' << c.coverage_level << '|' << c.begin_date << '|'
                << c.end_date << '\n';
        }
    }
    return out.str();
}

std::string Describe(const Outcome& outcome) {
    std::string text = outcome.summary.sender_id + "|" + outcome.summary.receiver_id + "|" +
                       outcome.summary.interchange_control_number + "|" +
                       outcome.summary.group_control_number + "|" +
                       std::to_string(outcome.summary.transaction_sets) + "|" +
                       std::to_string(outcome.summary.accepted) + "\n";
    for (const auto& result : outcome.results) {
        text += result.enrollment ? Describe(*result.enrollment) : "rejected\n";
    }
    return text;
}

// The errors of the only set, which must have been rejected.
std::vector<X12Error> RejectionOf(const Outcome& outcome) {
    EXPECT_EQ(outcome.results.size(), 1u);
    if (outcome.results.empty()) {
        return {};
    }
    EXPECT_FALSE(outcome.results[0].enrollment) << "the set was accepted";
    EXPECT_FALSE(outcome.results[0].errors.empty());
    return outcome.results[0].errors;
}

// Values from the fixtures that are PHI in a real file: no error message may contain them.
void ExpectNoValuesInMessages(const Outcome& outcome) {
    std::vector<const X12Error*> errors;
    for (const auto& error : outcome.summary.envelope_errors) {
        errors.push_back(&error);
    }
    for (const auto& result : outcome.results) {
        for (const auto& error : result.errors) {
            errors.push_back(&error);
        }
    }
    for (const X12Error* error : errors) {
        for (std::string_view value : {"DOE", "JOHN", "SMITH", "103229876", "123456789", "1996",
                                       "1977", "19960231", "000010217", "20214"}) {
            EXPECT_EQ(error->message.find(value), std::string::npos)
                << error->message << " echoes " << value;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The ten LinuxForHealth fixtures.

struct FixtureCase {
    const char* file;
    bool subscriber;
    const char* relationship;
    const char* maintenance;
    const char* last_name;
    const char* first_name;
    std::int64_t ins_file_segment;
    const char* coverages;  // "HD01 HD03 begin;…"
};

void PrintTo(const FixtureCase& c, std::ostream* out) { *out << c.file; }

class FixtureTest : public testing::TestWithParam<FixtureCase> {};

TEST_P(FixtureTest, IsAcceptedWithItsMemberAndCoverages) {
    const FixtureCase& c = GetParam();
    const Outcome outcome = ReadText(Fixture(c.file));
    EXPECT_EQ(outcome.summary.sender_id, "123456789012345");
    EXPECT_EQ(outcome.summary.receiver_id, "123456789012346");
    EXPECT_EQ(outcome.summary.interchange_control_number, "000010216");
    EXPECT_EQ(outcome.summary.group_control_number, "20213");
    EXPECT_EQ(outcome.summary.transaction_sets, 1);
    EXPECT_EQ(outcome.summary.accepted, 1);
    ASSERT_EQ(outcome.results.size(), 1u);
    const auto& result = outcome.results[0];
    EXPECT_TRUE(result.errors.empty())
        << result.errors.front().message << " at " << Describe(result.errors.front().position);
    ASSERT_TRUE(result.enrollment);
    const Enrollment834& set = *result.enrollment;
    EXPECT_EQ(set.set_control_number, "0001");
    EXPECT_EQ(result.set_control_number, "0001");
    EXPECT_EQ(result.group_control_number, "20213");
    EXPECT_EQ(set.interchange_control_number, "000010216");
    EXPECT_EQ(set.purpose, "00");
    EXPECT_EQ(set.reference, "12456");
    EXPECT_EQ(set.sponsor_id, "999888777");
    EXPECT_EQ(set.payer_id, "654456654");
    EXPECT_EQ(Describe(set.position), "3/1/ST/0");

    const Member834 member = OnlyMember(outcome);
    EXPECT_EQ(member.subscriber, c.subscriber);
    EXPECT_EQ(member.relationship_code, c.relationship);
    EXPECT_EQ(member.maintenance_type, c.maintenance);
    EXPECT_EQ(member.benefit_status, "A");
    EXPECT_EQ(member.last_name, c.last_name);
    EXPECT_EQ(member.first_name, c.first_name);
    EXPECT_EQ(member.group_policy_number, "123456001");
    EXPECT_EQ(member.position.file_segment, c.ins_file_segment);
    EXPECT_EQ(member.position.set_segment, c.ins_file_segment - 2);
    EXPECT_EQ(member.position.segment_id, "INS");
    std::string coverages;
    for (const Coverage834& coverage : member.coverages) {
        coverages += (coverages.empty() ? "" : ";") + coverage.maintenance_type + " " +
                     coverage.insurance_line + " " + coverage.begin_date;
    }
    EXPECT_EQ(coverages, c.coverages);
}

INSTANTIATE_TEST_SUITE_P(
    LinuxForHealth, FixtureTest,
    testing::Values(FixtureCase{"add-dependent.834", false, "19", "021", "DOE", "JOHN", 8,
                                "021 HLT 1996-06-01"},
                    FixtureCase{"add-subscriber-coverage.834", true, "18", "001", "SMITH",
                                "WILLIAM", 8, "021 DEN 2002-07-01"},
                    FixtureCase{"cancel-dependent.834", false, "19", "024", "DOE", "JAMES", 8, ""},
                    FixtureCase{"change-subscriber-information.834", true, "18", "001", "DOE",
                                "JAMES", 7, ""},
                    FixtureCase{"enroll-employee-managed-care.834", true, "18", "021", "SMITH",
                                "WILLIAM", 7, "021 HMO 1996-06-01"},
                    FixtureCase{"enroll-employee-multiple-products.834", true, "18", "021", "DOE",
                                "JOHN", 7, "021 HLT 1996-06-01;021 VIS 1996-06-01"},
                    FixtureCase{"reinstate-employee-coverage-level.834", true, "18", "025", "SMITH",
                                "WILLIAM", 8, "025 DEN 2002-07-01"},
                    FixtureCase{"reinstate-employee.834", true, "18", "025", "DOE", "JAMES", 8, ""},
                    FixtureCase{"reinstate-member-eligiblity-ins.834", true, "18", "025", "SMITH",
                                "WILLIAM", 8, ""},
                    FixtureCase{"terminate-subscriber-eligibility.834", true, "19", "024", "DOE",
                                "JOHN", 7, ""}),
    [](const testing::TestParamInfo<FixtureCase>& info) {
        std::string name;
        for (const char* c = info.param.file; *c != '.'; ++c) {
            name.push_back(*c == '-' ? '_' : *c);
        }
        return name;
    });

TEST(Enrollment834Test, ReadsADependentWithIdsBirthDateAndCoverage) {
    const Member834 member = OnlyMember(ReadText(Fixture("add-dependent.834")));
    EXPECT_FALSE(member.subscriber);
    EXPECT_EQ(member.maintenance_reason, "20");
    EXPECT_EQ(member.employment_status, "FT");
    EXPECT_EQ(member.subscriber_id, "123456789");
    EXPECT_EQ(member.middle_name, "P");
    EXPECT_EQ(member.id_qualifier, "34");
    EXPECT_EQ(member.id_code, "103229876");
    EXPECT_EQ(member.birth_date, "1977-08-16");
    EXPECT_EQ(member.gender, "M");
    // DTP*351 and the school's NM1*M8 are read past without touching the member.
    EXPECT_EQ(member.eligibility_begin, "");
    EXPECT_EQ(member.last_name, "DOE");
    ASSERT_EQ(member.coverages.size(), 1u);
    EXPECT_EQ(member.coverages[0].end_date, "");
}

TEST(Enrollment834Test, ReadsContactAddressAndTwoProducts) {
    const Member834 member = OnlyMember(ReadText(Fixture("enroll-employee-multiple-products.834")));
    EXPECT_EQ(member.eligibility_begin, "1996-05-23");
    EXPECT_EQ(member.phone, "7172343334");  // HP comes before WP
    EXPECT_EQ(member.email, "");
    EXPECT_EQ(member.address_line1, "100 MARKET ST");
    EXPECT_EQ(member.address_line2, "APT 30");
    EXPECT_EQ(member.city, "CAMP HILL");
    EXPECT_EQ(member.state, "PA");
    EXPECT_EQ(member.postal_code, "17011");
    EXPECT_EQ(member.birth_date, "1940-08-16");
    ASSERT_EQ(member.coverages.size(), 2u);
    EXPECT_EQ(member.coverages[0].insurance_line, "HLT");
    EXPECT_EQ(member.coverages[0].begin_date, "1996-06-01");
    EXPECT_EQ(member.coverages[1].insurance_line, "VIS");
    EXPECT_EQ(member.coverages[1].begin_date, "1996-06-01");
}

TEST(Enrollment834Test, TerminationCarriesTheEligibilityEndDate) {
    const Member834 member = OnlyMember(ReadText(Fixture("terminate-subscriber-eligibility.834")));
    EXPECT_EQ(member.maintenance_type, "024");
    EXPECT_EQ(member.maintenance_reason, "08");
    EXPECT_EQ(member.employment_status, "TE");
    EXPECT_EQ(member.eligibility_end, "1996-08-01");
    EXPECT_TRUE(member.coverages.empty());
    EXPECT_EQ(OnlyMember(ReadText(Fixture("cancel-dependent.834"))).eligibility_end, "1996-08-01");
}

TEST(Enrollment834Test, ReinstatementCarriesTheMaintenanceEffectiveDate) {
    const Member834 member = OnlyMember(ReadText(Fixture("reinstate-employee.834")));
    EXPECT_EQ(member.maintenance_type, "025");
    EXPECT_EQ(member.maintenance_effective, "1996-10-01");
    const Member834 coverage_level =
        OnlyMember(ReadText(Fixture("reinstate-employee-coverage-level.834")));
    EXPECT_EQ(coverage_level.maintenance_reason, "");  // INS04 not sent
    EXPECT_EQ(coverage_level.subscriber_id, "202443307");
    EXPECT_EQ(coverage_level.id_qualifier, "ZZ");
    ASSERT_EQ(coverage_level.coverages.size(), 1u);
    EXPECT_EQ(coverage_level.coverages[0].maintenance_type, "025");
}

TEST(Enrollment834Test, AnIncorrectNameLoopDoesNotOverwriteTheMember) {
    // NM1*70 (2100B, the name as wrongly sent before) has its own DMG with another birth date.
    const Member834 member = OnlyMember(ReadText(Fixture("change-subscriber-information.834")));
    EXPECT_EQ(member.birth_date, "1950-04-15");
    EXPECT_EQ(member.middle_name, "");
    EXPECT_EQ(member.maintenance_reason, "25");
}

TEST(Enrollment834Test, AProviderLoopDoesNotOverwriteTheMember) {
    const Member834 member = OnlyMember(ReadText(Fixture("enroll-employee-managed-care.834")));
    EXPECT_EQ(member.last_name, "SMITH");
    EXPECT_EQ(member.first_name, "WILLIAM");
    EXPECT_EQ(member.address_line1, "1715 SOUTHWIND AVENUE");
    EXPECT_EQ(member.postal_code, "171110000");
    EXPECT_EQ(member.birth_date, "1970-06-14");
    ASSERT_EQ(member.coverages.size(), 1u);
    EXPECT_EQ(member.coverages[0].insurance_line, "HMO");
}

TEST(Enrollment834Test, OptionalLoopsAreSkippedWithoutLosingTrack) {
    std::vector<std::string> body = Body("enroll-employee-multiple-products.834");
    // After the member's DMG: a mailing address (2100C) and an unknown segment.
    auto dmg = std::find(body.begin(), body.end(), "DMG*D8*19400816*M");
    ASSERT_NE(dmg, body.end());
    body.insert(dmg + 1, {"NM1*31*1", "N3*PO BOX 1", "N4*ELSEWHERE*NY*10001", "ZZZ*1*2"});
    // After the first HD loop: 2300 extras, a provider (2310) and coordination of benefits
    // (2320/2330) with an N1*IN and dates of its own.
    auto vis = std::find(body.begin(), body.end(), "HD*021**VIS");
    ASSERT_NE(vis, body.end());
    body.insert(vis, {"AMT*P3*100", "REF*17*ABC", "DTP*303*D8*19960701", "LX*1",
                      "NM1*P3*1*BROWN*BERNARD", "N3*1 CLINIC RD", "PER*IC**TE*5555555555",
                      "COB*P*123*1", "DTP*344*D8*19950101", "N1*IN*OTHER INSURER"});
    // Member reporting categories (2700) at the end of the member.
    body.insert(body.end(), {"LS*2700", "LX*1", "N1*75*CATEGORY", "REF*17*XYZ",
                             "DTP*007*D8*19960101", "LE*2700"});
    const Outcome outcome = ReadText(Interchange({Set("0001", body)}));
    const Member834 member = OnlyMember(outcome);
    EXPECT_EQ(member.address_line1, "100 MARKET ST");
    EXPECT_EQ(member.city, "CAMP HILL");
    EXPECT_EQ(member.first_name, "JOHN");
    EXPECT_EQ(member.phone, "7172343334");
    EXPECT_EQ(member.member_id, "");
    EXPECT_EQ(member.maintenance_effective, "");  // the 2300 DTP*303 is the coverage's
    ASSERT_EQ(member.coverages.size(), 2u);
    EXPECT_EQ(member.coverages[0].begin_date, "1996-06-01");
    EXPECT_EQ(member.coverages[1].insurance_line, "VIS");
    EXPECT_EQ(member.coverages[1].begin_date, "1996-06-01");
    ASSERT_EQ(outcome.results.size(), 1u);
    ASSERT_TRUE(outcome.results[0].enrollment);
    EXPECT_EQ(outcome.results[0].enrollment->payer_name, "");  // not the 2330 N1*IN
}

// ---------------------------------------------------------------------------------------------
// Delimiters and line breaks.

std::string Translate(std::string text, std::string_view from, std::string_view to) {
    for (char& c : text) {
        const auto at = from.find(c);
        if (at != std::string_view::npos) {
            c = to[at];
        }
    }
    return text;
}

std::string RemoveNewlines(std::string text) {
    std::erase(text, '\n');
    return text;
}

TEST(Enrollment834Test, OtherDelimitersReadIdentically) {
    for (const char* file : {"enroll-employee-multiple-products.834", "add-dependent.834",
                             "change-subscriber-information.834"}) {
        const std::string original = Fixture(file);
        const std::string expected = Describe(ReadText(original));
        // Element |, repetition ^, component }, terminator !, all on one line.
        const std::string rewritten = RemoveNewlines(Translate(original, "*>:~", "|^}!"));
        ASSERT_EQ(rewritten.substr(103, 3), "|}!");
        EXPECT_EQ(Describe(ReadText(rewritten)), expected) << file;
        // The newline as terminator.
        const std::string newline = Translate(original, "~", "\n");
        EXPECT_EQ(Describe(ReadText(newline)), expected) << file;
        // CR LF after each terminator.
        std::string crlf;
        for (char c : original) {
            crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
        }
        EXPECT_EQ(Describe(ReadText(crlf + "\r\n")), expected) << file;
    }
}

TEST(Enrollment834Test, ARepetitionSeparatorInsideAnElementIsNotAnElementSeparator) {
    std::vector<std::string> body = Body("add-dependent.834");
    // HD04 plan description holding two repetitions: still one element, HD05 unaffected.
    auto hd = std::find(body.begin(), body.end(), "HD*021**HLT");
    ASSERT_NE(hd, body.end());
    *hd = "HD*021**HLT*PLAN A>PLAN B*FAM";
    const Member834 member = OnlyMember(ReadText(Interchange({Set("0001", body)})));
    ASSERT_EQ(member.coverages.size(), 1u);
    EXPECT_EQ(member.coverages[0].plan_description, "PLAN A>PLAN B");
    EXPECT_EQ(member.coverages[0].coverage_level, "FAM");
}

// ---------------------------------------------------------------------------------------------
// Bad input.

// add-dependent.834, by file position: ISA 1, GS 2, ST 3, BGN 4, REF 5, N1 6–7, INS 8, REF 9–10,
// DTP 11, NM1*IL 12, DMG 13, NM1*M8 14, HD 15, DTP 16, SE 17, GE 18, IEA 19.

TEST(Enrollment834Test, AWrongSegmentCountRejectsTheSet) {
    const Outcome outcome = ReadText(Replace(Fixture("add-dependent.834"), "SE*15*", "SE*14*"));
    const auto errors = RejectionOf(outcome);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, "IK502");
    EXPECT_EQ(errors[0].syntax_code, "4");
    EXPECT_EQ(Describe(errors[0].position), "17/15/SE/1");
    EXPECT_TRUE(outcome.summary.envelope_errors.empty());
    EXPECT_EQ(outcome.summary.accepted, 0);
    ExpectNoValuesInMessages(outcome);
}

TEST(Enrollment834Test, AMismatchedTrailerControlNumberRejectsTheSet) {
    const Outcome outcome =
        ReadText(Replace(Fixture("add-dependent.834"), "SE*15*0001", "SE*15*0002"));
    const auto errors = RejectionOf(outcome);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, "IK502");
    EXPECT_EQ(errors[0].syntax_code, "3");
    EXPECT_EQ(Describe(errors[0].position), "17/15/SE/2");
}

TEST(Enrollment834Test, AMismatchedInterchangeControlNumberRejectsEverything) {
    const Outcome outcome =
        ReadText(Replace(Fixture("add-dependent.834"), "IEA*1*000010216", "IEA*1*000010217"));
    ASSERT_EQ(outcome.summary.envelope_errors.size(), 1u);
    const X12Error& error = outcome.summary.envelope_errors[0];
    EXPECT_EQ(error.code, "TA105");
    EXPECT_EQ(error.syntax_code, "001");
    EXPECT_EQ(Describe(error.position), "19/0/IEA/2");
    // The set itself was fine when it was handed over, but nothing stands.
    ASSERT_EQ(outcome.results.size(), 1u);
    EXPECT_TRUE(outcome.results[0].enrollment);
    EXPECT_EQ(outcome.summary.transaction_sets, 1);
    EXPECT_EQ(outcome.summary.accepted, 0);
    ExpectNoValuesInMessages(outcome);
}

TEST(Enrollment834Test, GroupTrailerMismatchesAreEnvelopeErrors) {
    const std::string text = Replace(Fixture("add-dependent.834"), "GE*1*20213", "GE*2*20214");
    const Outcome outcome = ReadText(text);
    ASSERT_EQ(outcome.summary.envelope_errors.size(), 2u);
    EXPECT_EQ(outcome.summary.envelope_errors[0].code, "AK905");
    EXPECT_EQ(outcome.summary.envelope_errors[0].syntax_code, "5");
    EXPECT_EQ(Describe(outcome.summary.envelope_errors[0].position), "18/0/GE/1");
    EXPECT_EQ(outcome.summary.envelope_errors[1].syntax_code, "4");
    EXPECT_EQ(Describe(outcome.summary.envelope_errors[1].position), "18/0/GE/2");
    EXPECT_EQ(outcome.summary.accepted, 0);
    ExpectNoValuesInMessages(outcome);
}

TEST(Enrollment834Test, AMemberWithoutANameIsRejectedWhereTheNameWasDue) {
    std::string text =
        Replace(Fixture("add-dependent.834"), "NM1*IL*1*DOE*JOHN*P***34*103229876~\n", "");
    text = Replace(text, "SE*15*", "SE*14*");
    const Outcome outcome = ReadText(text);
    const auto errors = RejectionOf(outcome);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, "IK304");
    EXPECT_EQ(errors[0].syntax_code, "3");
    EXPECT_EQ(errors[0].loop, "2100A");
    EXPECT_EQ(Describe(errors[0].position), "12/10/NM1/0");  // the DMG that came instead
    ExpectNoValuesInMessages(outcome);
}

TEST(Enrollment834Test, AMemberWithoutASubscriberIdentifierIsRejected) {
    std::string text =
        Replace(Fixture("terminate-subscriber-eligibility.834"), "REF*0F*123456789~\n", "");
    text = Replace(text, "SE*10*", "SE*9*");
    const auto errors = RejectionOf(ReadText(text));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, "IK304");
    EXPECT_EQ(errors[0].syntax_code, "3");
    EXPECT_EQ(errors[0].loop, "2000");
    EXPECT_EQ(Describe(errors[0].position), "10/8/REF/0");  // at the NM1
}

TEST(Enrollment834Test, AnImpossibleDateIsAnInvalidDateAtItsElement) {
    const Outcome outcome =
        ReadText(Replace(Fixture("add-dependent.834"), "DMG*D8*19770816", "DMG*D8*19960231"));
    const auto errors = RejectionOf(outcome);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, "IK403");
    EXPECT_EQ(errors[0].syntax_code, "8");
    EXPECT_EQ(errors[0].loop, "2100A");
    EXPECT_EQ(Describe(errors[0].position), "13/11/DMG/2");
    ExpectNoValuesInMessages(outcome);
}

TEST(Enrollment834Test, DatesAreCheckedWhereverTheyAre) {
    for (const auto& [from, to, position] : {
             std::tuple{"DTP*351*D8*19980515", "DTP*351*D8*19980532", "11/9/DTP/3"},
             std::tuple{"DTP*348*D8*19960601", "DTP*348*D8*1996061", "16/14/DTP/3"},
             std::tuple{"BGN*00*12456*19980520", "BGN*00*12456*19981320", "4/2/BGN/3"},
         }) {
        const auto errors = RejectionOf(ReadText(Replace(Fixture("add-dependent.834"), from, to)));
        ASSERT_EQ(errors.size(), 1u) << to;
        EXPECT_EQ(errors[0].syntax_code, "8") << to;
        EXPECT_EQ(Describe(errors[0].position), position);
    }
}

TEST(Enrollment834Test, RequiredElementsAndCodesAreChecked) {
    struct Case {
        const char* from;
        const char* to;
        const char* syntax_code;
        const char* position;
        const char* loop;
    };
    for (const Case& c : {
             Case{"INS*N*19*021*20*A", "INS**19*021*20*A", "1", "8/6/INS/1", "2000"},
             Case{"INS*N*19*021*20*A", "INS*N**021*20*A", "1", "8/6/INS/2", "2000"},
             Case{"INS*N*19*021*20*A", "INS*N*19**20*A", "1", "8/6/INS/3", "2000"},
             Case{"INS*N*19*021*20*A", "INS*X*19*021*20*A", "7", "8/6/INS/1", "2000"},
             Case{"INS*N*19*021*20*A", "INS*N*19*099*20*A", "7", "8/6/INS/3", "2000"},
             Case{"NM1*IL*1*DOE*", "NM1*IL*1**", "1", "12/10/NM1/3", "2100A"},
             Case{"***34*103229876", "***34*", "2", "12/10/NM1/9", "2100A"},
             Case{"DMG*D8*19770816*M", "DMG*D8**M", "1", "13/11/DMG/2", "2100A"},
             Case{"DMG*D8*19770816*M", "DMG*D8*19770816*Q", "7", "13/11/DMG/3", "2100A"},
             Case{"HD*021**HLT", "HD***HLT", "1", "15/13/HD/1", "2300"},
             Case{"HD*021**HLT", "HD*021**", "1", "15/13/HD/3", "2300"},
             Case{"HD*021**HLT", "HD*021**XYZ", "7", "15/13/HD/3", "2300"},
             Case{"REF*1L*123456001", "REF*1L*", "1", "10/8/REF/2", "2000"},
         }) {
        const Outcome outcome = ReadText(Replace(Fixture("add-dependent.834"), c.from, c.to));
        const auto errors = RejectionOf(outcome);
        ASSERT_EQ(errors.size(), 1u) << c.to;
        EXPECT_EQ(errors[0].code, "IK403") << c.to;
        EXPECT_EQ(errors[0].syntax_code, c.syntax_code) << c.to;
        EXPECT_EQ(Describe(errors[0].position), c.position) << c.to;
        EXPECT_EQ(errors[0].loop, c.loop) << c.to;
        ExpectNoValuesInMessages(outcome);
    }
}

TEST(Enrollment834Test, MissingHeadingSegmentsAreReported) {
    std::vector<std::string> body = Body("add-dependent.834");
    body.erase(body.begin());      // BGN
    body.erase(body.begin() + 1);  // N1*P5 (after REF*38)
    const auto errors = RejectionOf(ReadText(Interchange({Set("0001", body)})));
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(Describe(errors[0].position), "4/2/BGN/0");
    EXPECT_EQ(errors[0].syntax_code, "3");
    EXPECT_EQ(Describe(errors[1].position), "6/4/N1/0");  // at the INS
    EXPECT_EQ(errors[1].loop, "1000A");
}

TEST(Enrollment834Test, ASetWithoutMembersIsRejected) {
    std::vector<std::string> body = Body("add-dependent.834");
    body.resize(4);  // BGN, REF, N1, N1
    const auto errors = RejectionOf(ReadText(Interchange({Set("0001", body)})));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(Describe(errors[0].position), "8/6/INS/0");
    EXPECT_EQ(errors[0].loop, "2000");
}

TEST(Enrollment834Test, AnUnclosedReportingLoopIsRejected) {
    std::vector<std::string> body = Body("add-dependent.834");
    body.insert(body.end(), {"LS*2700", "LX*1", "N1*75*CATEGORY"});
    const auto errors = RejectionOf(ReadText(Interchange({Set("0001", body)})));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, "IK304");
    EXPECT_EQ(Describe(errors[0].position), "20/18/LE/0");  // at the SE
}

TEST(Enrollment834Test, AMangledSegmentIdIsUnrecognisedAndNotEchoed) {
    std::vector<std::string> body = Body("add-dependent.834");
    body.insert(body.begin() + 5, "doe john");
    const auto errors = RejectionOf(ReadText(Interchange({Set("0001", body)})));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, "IK304");
    EXPECT_EQ(errors[0].syntax_code, "1");
    EXPECT_EQ(Describe(errors[0].position), "9/7//0");
}

TEST(Enrollment834Test, ATruncatedFileRejectsTheOpenSetAndEverything) {
    const std::string full = Fixture("add-dependent.834");
    const std::string text = full.substr(0, full.find("NM1*IL*1*DO") + 11);
    const Outcome outcome = ReadText(text);
    ASSERT_EQ(outcome.summary.envelope_errors.size(), 1u);
    EXPECT_EQ(outcome.summary.envelope_errors[0].code, "TA105");
    EXPECT_EQ(outcome.summary.envelope_errors[0].syntax_code, "023");
    EXPECT_EQ(outcome.summary.envelope_errors[0].position.file_segment, 12);
    const auto errors = RejectionOf(outcome);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, "IK502");
    EXPECT_EQ(errors[0].syntax_code, "2");
    EXPECT_EQ(Describe(errors[0].position), "12/10/SE/0");
    EXPECT_EQ(outcome.summary.accepted, 0);
    ExpectNoValuesInMessages(outcome);
}

TEST(Enrollment834Test, AFileCutBetweenSegmentsMissesItsTrailers) {
    const std::string full = Fixture("add-dependent.834");
    const Outcome outcome = ReadText(full.substr(0, full.find("SE*15")));
    const auto errors = RejectionOf(outcome);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(Describe(errors[0].position), "17/15/SE/0");
    ASSERT_EQ(outcome.summary.envelope_errors.size(), 2u);
    EXPECT_EQ(Describe(outcome.summary.envelope_errors[0].position), "17/0/GE/0");
    EXPECT_EQ(outcome.summary.envelope_errors[0].syntax_code, "3");
    EXPECT_EQ(Describe(outcome.summary.envelope_errors[1].position), "17/0/IEA/0");
    EXPECT_EQ(outcome.summary.envelope_errors[1].syntax_code, "023");
}

TEST(Enrollment834Test, InputThatIsNotX12FailsAsAWhole) {
    for (const std::string& text : {
             std::string(),
             std::string("member_id,last_name\n1,DOE\n"),
             // imsweb x12_bad_first_line.txt: ISA02 one byte short.
             std::string("ISA*00*         *01*SECRET    *ZZ*SUBMITTERS.ID  *ZZ*RECEIVERS.ID   "
                         "*030101*1253*U*00501*000000905*1*T*:~\nGS*HC*SENDER CODE~"),
             // imsweb x12_no_isa_line.txt: starts at GS.
             std::string("GS*HC*SENDER CODE*RECEIVER CODE*19991231*0802*1*X*005010X222A1~"),
         }) {
        std::istringstream input(text);
        int calls = 0;
        auto summary = Read834(input, [&](TransactionSetResult&&) -> Status {
            ++calls;
            return Ok();
        });
        ASSERT_FALSE(summary.ok());
        EXPECT_EQ(summary.error().code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(summary.error().location, "segment 1");
        EXPECT_EQ(summary.error().public_message.find("DOE"), std::string::npos);
        EXPECT_EQ(calls, 0);
    }
}

TEST(Enrollment834Test, OtherTransactionSetsAndVersionsAreRejected) {
    std::string text = Replace(Fixture("add-dependent.834"), "GS*BE*", "GS*HC*");
    text = Replace(text, "20213*X*005010X220A1", "20213*X*005010X222A1");
    text = Replace(text, "ST*834*0001*005010X220A1", "ST*837*0001*005010X222A1");
    const Outcome outcome = ReadText(text);
    ASSERT_EQ(outcome.summary.envelope_errors.size(), 2u);
    EXPECT_EQ(outcome.summary.envelope_errors[0].syntax_code, "1");  // GS01
    EXPECT_EQ(outcome.summary.envelope_errors[1].syntax_code, "2");  // GS08
    const auto errors = RejectionOf(outcome);
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].code, "IK502");
    EXPECT_EQ(errors[0].syntax_code, "1");
    EXPECT_EQ(errors[1].syntax_code, "I6");
    EXPECT_EQ(Describe(errors[1].position), "3/1/ST/3");
}

TEST(Enrollment834Test, SegmentsAfterTheIeaAreAnEnvelopeError) {
    const Outcome outcome =
        ReadText(Fixture("add-dependent.834") + "\n" + Fixture("add-dependent.834"));
    ASSERT_EQ(outcome.summary.envelope_errors.size(), 1u);
    EXPECT_EQ(outcome.summary.envelope_errors[0].syntax_code, "022");
    EXPECT_EQ(Describe(outcome.summary.envelope_errors[0].position), "20/0/ISA/0");
    EXPECT_EQ(outcome.results.size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Several sets.

std::string TwoSetsSecondBad() {
    std::vector<std::string> bad = Body("terminate-subscriber-eligibility.834");
    for (std::string& segment : bad) {
        if (segment == "INS*Y*19*024*08*A***TE") {
            segment = "INS*Y*19*099*08*A***TE";
        } else if (segment == "DTP*357*D8*19960801") {
            segment = "DTP*357*D8*19960231";
        }
    }
    return Interchange({Set("0001", Body("add-dependent.834")), Set("0002", bad)});
}

TEST(Enrollment834Test, ABadSetIsRejectedAndTheOtherStands) {
    const Outcome outcome = ReadText(TwoSetsSecondBad());
    EXPECT_TRUE(outcome.summary.envelope_errors.empty());
    EXPECT_EQ(outcome.summary.transaction_sets, 2);
    EXPECT_EQ(outcome.summary.accepted, 1);
    ASSERT_EQ(outcome.results.size(), 2u);
    ASSERT_TRUE(outcome.results[0].enrollment);
    EXPECT_EQ(outcome.results[0].enrollment->members.at(0).last_name, "DOE");
    EXPECT_EQ(outcome.results[1].set_control_number, "0002");
    EXPECT_FALSE(outcome.results[1].enrollment);
    ASSERT_EQ(outcome.results[1].errors.size(), 2u);
    // Positions in the second set count from its own ST (file segment 18).
    EXPECT_EQ(Describe(outcome.results[1].errors[0].position), "22/5/INS/3");
    EXPECT_EQ(outcome.results[1].errors[0].syntax_code, "7");
    EXPECT_EQ(Describe(outcome.results[1].errors[1].position), "25/8/DTP/3");
    EXPECT_EQ(outcome.results[1].errors[1].syntax_code, "8");
    ExpectNoValuesInMessages(outcome);
}

TEST(Enrollment834Test, AMissingSeEndsTheSetAtTheNextSt) {
    std::string text = Replace(TwoSetsSecondBad(), "SE*15*0001~\n", "");
    const Outcome outcome = ReadText(text);
    ASSERT_EQ(outcome.results.size(), 2u);
    ASSERT_FALSE(outcome.results[0].enrollment);
    ASSERT_EQ(outcome.results[0].errors.size(), 1u);
    EXPECT_EQ(outcome.results[0].errors[0].syntax_code, "2");
    EXPECT_EQ(Describe(outcome.results[0].errors[0].position), "17/15/SE/0");
    EXPECT_EQ(outcome.results[1].set_control_number, "0002");
}

// The input is read a block at a time, so a set is handed over at the latest one block after its
// SE: the reader never runs further ahead, however large the file.
TEST(Enrollment834Test, EachSetIsHandedOverWithinABlockOfItsSe) {
    std::vector<std::string> sets;
    for (int set_idx = 1; set_idx <= 3000; ++set_idx) {
        char control[5];
        std::snprintf(control, sizeof(control), "%04d", set_idx);
        sets.push_back(Set(control, Body("add-dependent.834")));
    }
    const std::string text = Interchange(sets);
    ASSERT_GT(text.size(), 3 * kBlockBytes);
    std::istringstream input(text);
    std::vector<std::streamoff> read_up_to;
    auto summary = Read834(input, [&](TransactionSetResult&& result) -> Status {
        EXPECT_TRUE(result.enrollment);
        read_up_to.push_back(input.tellg());
        return Ok();
    });
    ASSERT_TRUE(summary.ok());
    EXPECT_EQ(summary->accepted, 3000);
    ASSERT_EQ(read_up_to.size(), 3000u);
    std::size_t se = 0;
    for (std::size_t set_idx = 0; set_idx < read_up_to.size(); ++set_idx) {
        se = text.find("SE*15*", se + 1);
        const auto se_end = static_cast<std::streamoff>(text.find('~', se) + 1);
        EXPECT_GE(read_up_to[set_idx], se_end) << "set " << set_idx + 1;
        EXPECT_LE(read_up_to[set_idx], se_end + static_cast<std::streamoff>(kBlockBytes))
            << "set " << set_idx + 1;
    }
}

TEST(Enrollment834Test, ASinkErrorStopsTheRead) {
    std::istringstream input(TwoSetsSecondBad());
    int calls = 0;
    auto summary = Read834(input, [&](TransactionSetResult&&) -> Status {
        ++calls;
        return Error::Unavailable("The importer is stopping.");
    });
    ASSERT_FALSE(summary.ok());
    EXPECT_EQ(summary.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(calls, 1);
}

// ---------------------------------------------------------------------------------------------
// The 999.

TEST(Acknowledgement999Test, AcceptsAGoodFile) {
    const Outcome outcome = ReadText(Fixture("enroll-employee-multiple-products.834"));
    EXPECT_EQ(Acknowledgement999(outcome.summary, outcome.results),
              "ST*999*0001*005010X231A1~"
              "AK1*BE*20213*005010X220A1~"
              "AK2*834*0001*005010X220A1~"
              "IK5*A~"
              "AK9*A*1*1*1~"
              "SE*6*0001~");
}

TEST(Acknowledgement999Test, ListsAcceptedAndRejectedSetsWithTheirErrors) {
    const Outcome outcome = ReadText(TwoSetsSecondBad());
    EXPECT_EQ(Acknowledgement999(outcome.summary, outcome.results),
              "ST*999*0001*005010X231A1~"
              "AK1*BE*20213*005010X220A1~"
              "AK2*834*0001*005010X220A1~"
              "IK5*A~"
              "AK2*834*0002*005010X220A1~"
              "IK3*INS*5*2000*8~"
              "IK4*3*875*7~"
              "IK3*DTP*8*2000*8~"
              "IK4*3*1251*8~"
              "IK5*R*5~"
              "AK9*P*2*2*1~"
              "SE*12*0001~");
}

TEST(Acknowledgement999Test, ReportsMissingSegmentsAndTrailerCounts) {
    std::string text =
        Replace(Fixture("add-dependent.834"), "NM1*IL*1*DOE*JOHN*P***34*103229876~\n", "");
    const Outcome outcome = ReadText(text);  // SE01 still says 15: one segment too many
    EXPECT_EQ(Acknowledgement999(outcome.summary, outcome.results),
              "ST*999*0001*005010X231A1~"
              "AK1*BE*20213*005010X220A1~"
              "AK2*834*0001*005010X220A1~"
              "IK3*NM1*10*2100A*3~"
              "IK5*R*4*5~"
              "AK9*R*1*1*0~"
              "SE*7*0001~");
}

TEST(Acknowledgement999Test, EnvelopeErrorsRejectTheGroup) {
    const Outcome outcome =
        ReadText(Replace(Fixture("add-dependent.834"), "GE*1*20213", "GE*1*20214"));
    EXPECT_EQ(Acknowledgement999(outcome.summary, outcome.results),
              "ST*999*0001*005010X231A1~"
              "AK1*BE*20213*005010X220A1~"
              "AK2*834*0001*005010X220A1~"
              "IK5*A~"
              "AK9*R*1*1*0*4~"
              "SE*6*0001~");
}

TEST(Acknowledgement999Test, StaysWellFormedWithErrorsACallerAdded) {
    // An importer rejecting an accepted set for its own reasons, as it may after the read.
    Outcome outcome = ReadText(Fixture("add-dependent.834"));
    ASSERT_EQ(outcome.results.size(), 1u);
    TransactionSetResult& result = outcome.results[0];
    const SegmentPosition ins = result.enrollment->members.at(0).position;
    result.enrollment.reset();
    result.errors.push_back({ins, "IK403", "No plan matches this coverage line."});
    result.errors.push_back({ins, "IK403", "No plan matches.", "7"});  // no element
    result.errors.push_back({ins, "IK501", "The records layer refused the change."});
    outcome.summary.accepted = 0;
    EXPECT_EQ(Acknowledgement999(outcome.summary, outcome.results),
              "ST*999*0001*005010X231A1~"
              "AK1*BE*20213*005010X220A1~"
              "AK2*834*0001*005010X220A1~"
              "IK3*INS*6**8~"
              "IK5*R*5~"
              "AK9*R*1*1*0~"
              "SE*7*0001~");
}

TEST(Acknowledgement999Test, AnswersEachFunctionalGroupInItsOwnSet) {
    const std::string one = Set("0001", Body("add-dependent.834"));
    const std::string text =
        "ISA*00*          *00*          *ZZ*123456789012345*ZZ*123456789012346*080503*1705*>*"
        "00501*000010216*0*T*:~GS*BE*A*B*20080503*1705*7*X*005010X220A1~" +
        one + "GE*1*7~GS*BE*A*B*20080503*1705*8*X*005010X220A1~" + one + "GE*1*8~IEA*2*000010216~";
    const Outcome outcome = ReadText(text);
    EXPECT_TRUE(outcome.summary.envelope_errors.empty());
    EXPECT_EQ(outcome.summary.accepted, 2);
    EXPECT_EQ(Acknowledgement999(outcome.summary, outcome.results),
              "ST*999*0001*005010X231A1~AK1*BE*7*005010X220A1~AK2*834*0001*005010X220A1~"
              "IK5*A~AK9*A*1*1*1~SE*6*0001~"
              "ST*999*0002*005010X231A1~AK1*BE*8*005010X220A1~AK2*834*0001*005010X220A1~"
              "IK5*A~AK9*A*1*1*1~SE*6*0002~");
}

}  // namespace
}  // namespace p360::formats::x12
