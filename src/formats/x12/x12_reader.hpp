// X12 segment reader: the bytes of one interchange as a stream of segments.
//
// The interchange declares its own delimiters in the fixed-width ISA segment (106 bytes): the
// element separator is byte 3, the repetition separator ISA11 (from version 00501 on; a letter
// there, as in 00401, means there is none), the component separator ISA16 and the segment
// terminator the byte after ISA16. Whitespace (CR, LF, space, tab) after a terminator is skipped,
// so files with one segment per line read the same as files on one line.
//
// The reader never throws and holds one block of the input (kBlockBytes) at a time, whatever the
// input's size: a segment is handed out as a view into the block, not copied, and a segment that
// straddles two blocks is moved to the front before the next block is read after it. A segment
// longer than kMaxSegmentBytes, input that ends inside a segment and input that does not start
// with a well-formed ISA are errors (kInvalidArgument, location "segment <n>"). It knows nothing
// about envelopes or transaction sets; see enrollment_834.hpp for those.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace p360::formats::x12 {

inline constexpr std::size_t kIsaLength = 106;  // ISA through its terminator
inline constexpr std::size_t kMaxSegmentBytes = 64 * 1024;
// Input is read this much at a time; room for the longest segment, its terminator and more, so
// that every read after a straddling segment still brings in a large block.
inline constexpr std::size_t kBlockBytes = 256 * 1024;
static_assert(kBlockBytes > 2 * kMaxSegmentBytes);

// A segment id or code value of up to three characters as one integer, so that dispatching on
// ids and checking code lists are integer switches and compares instead of string compares:
// `switch (segment.Tag()) { case PackCode("INS"): … }`. The length is packed too, so "A" and
// "A\0" differ; longer text packs to kNotACode, which no id or code of three characters packs to.
inline constexpr std::uint32_t kNotACode = 0xFFFFFFFFu;
constexpr std::uint32_t PackCode(std::string_view text) {
    if (text.size() > 3) {
        return kNotACode;
    }
    std::uint32_t packed = static_cast<std::uint32_t>(text.size()) << 24;
    for (std::size_t at = 0; at < text.size(); ++at) {
        packed |= static_cast<std::uint32_t>(static_cast<unsigned char>(text[at])) << (8 * at);
    }
    return packed;
}

struct Delimiters {
    char element = '*';
    char component = ':';
    char repetition = '^';
    bool has_repetition = true;  // false when ISA11 is a standards code ("U"), not a separator
    char segment = '~';
};

// Splits `text` on `separator`; an empty text is one empty part.
std::vector<std::string_view> SplitOn(std::string_view text, char separator);

// One segment as sent. Elements are numbered from 1 as in the implementation guides (NM103 is
// Element(3)); one that was not sent reads as "". Views stay valid until the next Next().
class Segment {
public:
    std::string_view Id() const { return Element(0); }
    // PackCode(Id()), worked out once when the segment is read.
    std::uint32_t Tag() const { return tag_; }
    int ElementCount() const { return static_cast<int>(starts_.size()) - 2; }
    std::string_view Element(int index) const {
        if (index < 0 || index > ElementCount()) {
            return {};
        }
        const std::uint32_t begin = starts_[index];
        return {text_.data() + begin, starts_[index + 1] - 1 - begin};
    }
    // The element split on the component separator (a composite such as HD04 or DMG05).
    std::vector<std::string_view> Components(int index) const;
    // The element split on the repetition separator (one part when the interchange has none).
    std::vector<std::string_view> Repetitions(int index) const;
    // 1-based position in the file (the ISA is 1).
    std::int64_t Position() const { return position_; }

private:
    friend class SegmentReader;
    void Assign(std::string_view text, std::int64_t position, const Delimiters& delimiters);
    void FindElementStarts(std::string_view text, char separator);

    std::string_view text_;  // without the terminator; into the reader's block
    // Offset of the id and of each element, then one past the end of the text plus one, so that
    // element i always ends at starts_[i + 1] - 1.
    std::vector<std::uint32_t> starts_ = {0, 1};
    std::uint32_t tag_ = PackCode("");
    std::int64_t position_ = 0;
    Delimiters delimiters_;
};

class SegmentReader {
public:
    // Reads the ISA segment and learns the delimiters. Fails when `input` does not start (after
    // optional whitespace or a UTF-8 byte order mark) with a 106-byte ISA whose separators sit
    // at their fixed positions and are distinct, non-alphanumeric characters.
    static Result<SegmentReader> Open(std::istream& input);

    const Delimiters& delimiters() const { return delimiters_; }

    // Reads the next segment into `segment`, the ISA first: true when one was read, false at a
    // clean end of input. After an error every further call returns the same error.
    Result<bool> Next(Segment& segment);

    // Segments read so far; after an error, the failing segment is the one after these.
    std::int64_t segments_read() const { return segments_read_; }
    // Whether the error was input that ended inside a segment (rather than one too long).
    bool ended_inside_segment() const { return ended_inside_segment_; }

private:
    SegmentReader(std::streambuf* input, Delimiters delimiters, std::string isa);

    bool SkipSeparatingWhitespace();
    Result<std::string_view> NextSegmentText();
    bool Refill();
    Error Fail(std::string message);

    std::streambuf* input_;
    Delimiters delimiters_;
    std::string isa_;  // handed out by the first Next(), as a view
    bool isa_pending_ = true;
    std::string block_;  // kBlockBytes; the unread input is block_[unread_begin_, unread_end_)
    std::size_t unread_begin_ = 0;
    std::size_t unread_end_ = 0;
    std::int64_t segments_read_ = 0;
    std::optional<Error> failure_;
    bool ended_inside_segment_ = false;
};

}  // namespace p360::formats::x12
