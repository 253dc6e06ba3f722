#include "formats/x12/x12_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace p360::formats::x12 {
namespace {

// A 106-byte ISA with the given separators (element, repetition, component, terminator).
std::string Isa(char element, char repetition, char component, char terminator) {
    std::string isa =
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240131*1200*^*"
        "00501*000000001*0*T*:~";
    for (char& c : isa) {
        c = c == '*' ? element : c;
    }
    isa[82] = repetition;
    isa[104] = component;
    isa[105] = terminator;
    return isa;
}

struct Read {
    std::vector<std::vector<std::string>> segments;  // id and elements, as text
    std::vector<std::int64_t> positions;
    std::optional<Error> error;
};

Read ReadAll(const std::string& text) {
    std::istringstream input(text);
    Read read;
    auto reader = SegmentReader::Open(input);
    if (!reader.ok()) {
        read.error = reader.error();
        return read;
    }
    Segment segment;
    for (;;) {
        auto next = reader->Next(segment);
        if (!next.ok()) {
            read.error = next.error();
            return read;
        }
        if (!next.value()) {
            return read;
        }
        std::vector<std::string> elements;
        for (int element_idx = 0; element_idx <= segment.ElementCount(); ++element_idx) {
            elements.emplace_back(segment.Element(element_idx));
        }
        read.segments.push_back(std::move(elements));
        read.positions.push_back(segment.Position());
    }
}

TEST(X12ReaderTest, LearnsDelimitersFromTheIsa) {
    std::istringstream input(Isa('|', '^', '}', '!') + "GS|BE!");
    auto reader = SegmentReader::Open(input);
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ(reader->delimiters().element, '|');
    EXPECT_EQ(reader->delimiters().repetition, '^');
    EXPECT_TRUE(reader->delimiters().has_repetition);
    EXPECT_EQ(reader->delimiters().component, '}');
    EXPECT_EQ(reader->delimiters().segment, '!');
}

TEST(X12ReaderTest, YieldsTheIsaThenEachSegmentWithItsFilePosition) {
    const Read read = ReadAll(Isa('*', '^', ':', '~') + "GS*BE*A*B~ST*834*0001~SE*2*0001~");
    ASSERT_FALSE(read.error);
    ASSERT_EQ(read.segments.size(), 4u);
    EXPECT_EQ(read.segments[0][0], "ISA");
    EXPECT_EQ(read.segments[0].size(), 17u);  // the id and ISA01–ISA16
    EXPECT_EQ(read.segments[0][6], "SENDER         ");
    EXPECT_EQ(read.segments[0][16], ":");
    EXPECT_EQ(read.segments[2], (std::vector<std::string>{"ST", "834", "0001"}));
    EXPECT_EQ(read.positions, (std::vector<std::int64_t>{1, 2, 3, 4}));
}

TEST(X12ReaderTest, SplitsComponentsAndRepetitionsOnDemand) {
    std::istringstream input(Isa('*', '^', ':', '~') + "HD*021**HLT*A:B:C*X^Y^Z**~");
    auto reader = SegmentReader::Open(input);
    ASSERT_TRUE(reader.ok());
    Segment segment;
    ASSERT_TRUE(reader->Next(segment).value());  // ISA
    ASSERT_TRUE(reader->Next(segment).value());
    EXPECT_EQ(segment.Id(), "HD");
    EXPECT_EQ(segment.ElementCount(), 7);
    EXPECT_EQ(segment.Element(2), "");
    EXPECT_EQ(segment.Element(4), "A:B:C");  // components stay until asked for
    EXPECT_EQ(segment.Components(4), (std::vector<std::string_view>{"A", "B", "C"}));
    EXPECT_EQ(segment.Repetitions(5), (std::vector<std::string_view>{"X", "Y", "Z"}));
    EXPECT_EQ(segment.Components(3), (std::vector<std::string_view>{"HLT"}));
    EXPECT_EQ(segment.Element(7), "");
    EXPECT_EQ(segment.Element(8), "");  // not sent at all
    EXPECT_EQ(segment.Element(-1), "");
}

TEST(X12ReaderTest, AnIsa11CodeMeansThereIsNoRepetitionSeparator) {
    std::istringstream input(Isa('*', 'U', ':', '~') + "N1*P5*A^B~");
    auto reader = SegmentReader::Open(input);
    ASSERT_TRUE(reader.ok());
    EXPECT_FALSE(reader->delimiters().has_repetition);
    Segment segment;
    ASSERT_TRUE(reader->Next(segment).value());
    ASSERT_TRUE(reader->Next(segment).value());
    EXPECT_EQ(segment.Repetitions(2), (std::vector<std::string_view>{"A^B"}));
}

TEST(X12ReaderTest, SkipsLineBreaksAndBlanksAfterTerminators) {
    const std::string body = "GS*BE*A~ST*834*0001~SE*2*0001~";
    const Read one_line = ReadAll(Isa('*', '^', ':', '~') + body);
    const Read crlf =
        ReadAll(Isa('*', '^', ':', '~') + "\r\nGS*BE*A~\r\nST*834*0001~  \t\nSE*2*0001~\r\n\r\n");
    ASSERT_FALSE(one_line.error);
    ASSERT_FALSE(crlf.error);
    EXPECT_EQ(crlf.segments, one_line.segments);
    EXPECT_EQ(crlf.positions, one_line.positions);
}

TEST(X12ReaderTest, ANewlineTerminatorToleratesCrLf) {
    const Read read = ReadAll(Isa('*', '^', ':', '\n') + "GS*BE*A\r\nST*834*0001\r\n");
    ASSERT_FALSE(read.error);
    ASSERT_EQ(read.segments.size(), 3u);
    EXPECT_EQ(read.segments[1], (std::vector<std::string>{"GS", "BE", "A"}));
}

TEST(X12ReaderTest, AcceptsWhitespaceAndAByteOrderMarkBeforeTheIsa) {
    const Read read = ReadAll("\xEF\xBB\xBF\r\n  " + Isa('*', '^', ':', '~') + "GS*BE~");
    ASSERT_FALSE(read.error);
    EXPECT_EQ(read.segments.size(), 2u);
}

TEST(X12ReaderTest, RejectsInputThatIsNotX12) {
    const std::string good = Isa('*', '^', ':', '~');
    std::string short_isa02 = good;
    short_isa02.erase(7, 1);  // ISA02 one byte short: every later separator moves
    std::string alnum_terminator = good;
    alnum_terminator[105] = 'X';
    std::string same_separators = good;
    same_separators[104] = '*';
    for (const std::string& text :
         {std::string(), std::string("hello, world"), std::string("GS*BE*A~"), good.substr(0, 105),
          short_isa02 + "GS*BE~", alnum_terminator, same_separators,
          std::string("ISA") + std::string(200, '*')}) {
        std::istringstream input(text);
        auto reader = SegmentReader::Open(input);
        ASSERT_FALSE(reader.ok()) << text;
        EXPECT_EQ(reader.error().code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(reader.error().location, "segment 1");
    }
}

TEST(X12ReaderTest, InputEndingInsideASegmentIsAnErrorAtThatSegment) {
    const Read read = ReadAll(Isa('*', '^', ':', '~') + "GS*BE*A~ST*834*00");
    ASSERT_TRUE(read.error);
    EXPECT_EQ(read.error->location, "segment 3");
    EXPECT_EQ(read.segments.size(), 2u);
}

TEST(X12ReaderTest, EveryCutOfAFileEndsCleanlyOrAtTheCutSegment) {
    const std::string text =
        Isa('*', '^', ':', '~') + "\nGS*BE*A~\nST*834*0001~\nINS*Y*18~\nSE*3*0001~\n";
    for (std::size_t cut = kIsaLength; cut <= text.size(); ++cut) {
        const std::string prefix = text.substr(0, cut);
        const Read read = ReadAll(prefix);
        const auto complete = static_cast<std::size_t>(
            std::count(prefix.begin(), prefix.end(), '~'));  // the ISA's included
        EXPECT_EQ(read.segments.size(), complete) << cut;
        const bool inside_segment = prefix.back() != '~' && prefix.back() != '\n';
        ASSERT_EQ(read.error.has_value(), inside_segment) << cut;
        if (inside_segment) {
            EXPECT_EQ(read.error->location, "segment " + std::to_string(complete + 1));
        }
    }
}

TEST(X12ReaderTest, ASegmentLongerThanTheLimitIsAnErrorNotAnAllocation) {
    const std::string text =
        Isa('*', '^', ':', '~') + "GS*BE~NM1*IL*1*" + std::string(kMaxSegmentBytes, 'A') + "~SE~";
    std::istringstream input(text);
    auto reader = SegmentReader::Open(input);
    ASSERT_TRUE(reader.ok());
    Segment segment;
    ASSERT_TRUE(reader->Next(segment).value());
    ASSERT_TRUE(reader->Next(segment).value());
    auto too_long = reader->Next(segment);
    ASSERT_FALSE(too_long.ok());
    EXPECT_EQ(too_long.error().location, "segment 3");
    EXPECT_FALSE(reader->ended_inside_segment());
    // The reader stays failed rather than resuming mid-segment.
    auto again = reader->Next(segment);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().location, "segment 3");
}

TEST(X12ReaderTest, ASegmentOfExactlyTheLimitIsRead) {
    const std::string element(kMaxSegmentBytes - 4, 'A');
    const Read read = ReadAll(Isa('*', '^', ':', '~') + "NM1*" + element + "~");
    ASSERT_FALSE(read.error);
    ASSERT_EQ(read.segments.size(), 2u);
    EXPECT_EQ(read.segments[1][1], element);
}

// Segments of many lengths, with line breaks between some, over several blocks: every block
// boundary falls inside a segment, an element, a CR LF or a run of blanks at some point.
TEST(X12ReaderTest, SegmentsStraddlingBlockBoundariesReadWhole) {
    std::string text = Isa('*', '^', ':', '~');
    std::vector<std::vector<std::string>> expected;
    for (int segment_idx = 0; text.size() < 3 * kBlockBytes; ++segment_idx) {
        std::vector<std::string> elements = {"N3", std::string(segment_idx % 301, 'A'),
                                             std::to_string(segment_idx)};
        text += elements[0] + "*" + elements[1] + "*" + elements[2] + "~";
        text += segment_idx % 3 == 0 ? "\r\n" : segment_idx % 7 == 0 ? "  \t " : "";
        expected.push_back(std::move(elements));
    }
    const Read read = ReadAll(text);
    ASSERT_FALSE(read.error);
    ASSERT_EQ(read.segments.size(), expected.size() + 1);
    for (std::size_t segment_idx = 0; segment_idx < expected.size(); ++segment_idx) {
        ASSERT_EQ(read.segments[segment_idx + 1], expected[segment_idx]) << segment_idx;
        ASSERT_EQ(read.positions[segment_idx + 1], static_cast<std::int64_t>(segment_idx) + 2);
    }
}

TEST(X12ReaderTest, ASegmentOfTheLimitAcrossABlockBoundaryIsRead) {
    // The long segment starts ten bytes before the end of the first block (which begins after
    // the ISA).
    std::string text = Isa('*', '^', ':', '~');
    const std::size_t long_segment_at = kIsaLength + kBlockBytes - 10;
    std::int64_t segments = 1;
    for (; text.size() < long_segment_at; ++segments) {
        const std::size_t room = long_segment_at - text.size();
        text += "N3*" + std::string(std::clamp<std::size_t>(room, 5, 1000) - 4, 'B') + "~";
    }
    ASSERT_EQ(text.size(), long_segment_at);
    const std::string element(kMaxSegmentBytes - 4, 'A');
    const Read read = ReadAll(text + "NM1*" + element + "~SE*1~");
    ASSERT_FALSE(read.error);
    ASSERT_EQ(read.segments.size(), static_cast<std::size_t>(segments) + 2);
    EXPECT_EQ(read.segments[segments][1], element);
    EXPECT_EQ(read.segments.back(), (std::vector<std::string>{"SE", "1"}));
}

TEST(X12ReaderTest, LimitsAndTheEndOfInputHoldInLaterBlocks) {
    std::string text = Isa('*', '^', ':', '~');
    std::int64_t segments = 1;
    for (; text.size() < 2 * kBlockBytes + 17; ++segments) {
        text += "N3*MAIN ST~";
    }
    const Read cut = ReadAll(text + "N4*HARRIS");
    ASSERT_TRUE(cut.error);
    EXPECT_EQ(cut.error->location, "segment " + std::to_string(segments + 1));
    EXPECT_EQ(cut.segments.size(), static_cast<std::size_t>(segments));
    const Read too_long = ReadAll(text + "N4*" + std::string(kMaxSegmentBytes, 'A') + "~SE~");
    ASSERT_TRUE(too_long.error);
    EXPECT_EQ(too_long.error->location, "segment " + std::to_string(segments + 1));
    EXPECT_NE(too_long.error->public_message.find("longer than"), std::string::npos);
}

TEST(X12ReaderTest, PackCodeTellsEveryShortCodeApartAndTagsEachSegment) {
    EXPECT_NE(PackCode("N1"), PackCode("N1 "));
    EXPECT_NE(PackCode("A"), PackCode(std::string_view("A\0", 2)));
    EXPECT_NE(PackCode(""), PackCode(std::string_view("\0", 1)));
    EXPECT_NE(PackCode("IN"), PackCode("NI"));
    EXPECT_EQ(PackCode("INSX"), kNotACode);
    EXPECT_NE(PackCode("\xFF\xFF\xFF"), kNotACode);
    std::istringstream input(Isa('*', '^', ':', '~') + "INS*Y~INSURED*N~");
    auto reader = SegmentReader::Open(input);
    ASSERT_TRUE(reader.ok());
    Segment segment;
    ASSERT_TRUE(reader->Next(segment).value());
    EXPECT_EQ(segment.Tag(), PackCode("ISA"));
    ASSERT_TRUE(reader->Next(segment).value());
    EXPECT_EQ(segment.Tag(), PackCode("INS"));
    ASSERT_TRUE(reader->Next(segment).value());
    EXPECT_EQ(segment.Tag(), kNotACode);
}

TEST(X12ReaderTest, SplitOnKeepsEmptyParts) {
    EXPECT_EQ(SplitOn("", ':'), (std::vector<std::string_view>{""}));
    EXPECT_EQ(SplitOn("a::b:", ':'), (std::vector<std::string_view>{"a", "", "b", ""}));
}

}  // namespace
}  // namespace p360::formats::x12
