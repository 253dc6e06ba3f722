// X12 segment reader: the bytes of one interchange as a stream of segments.
//
// The interchange declares its own delimiters in the fixed-width ISA segment (106 bytes): the
// element separator is byte 3, the repetition separator ISA11 (from version 00501 on; a letter
// there, as in 00401, means there is none), the component separator ISA16 and the segment
// terminator the byte after ISA16. Whitespace (CR, LF, space, tab) after a terminator is skipped,
// so files with one segment per line read the same as files on one line.
//
// The reader never throws and never allocates more than one segment's worth of bytes: a segment
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
    std::string_view Id() const;
    int ElementCount() const { return static_cast<int>(starts_.size()) - 1; }
    std::string_view Element(int index) const;
    // The element split on the component separator (a composite such as HD04 or DMG05).
    std::vector<std::string_view> Components(int index) const;
    // The element split on the repetition separator (one part when the interchange has none).
    std::vector<std::string_view> Repetitions(int index) const;
    // 1-based position in the file (the ISA is 1).
    std::int64_t Position() const { return position_; }

private:
    friend class SegmentReader;
    void Assign(std::int64_t position, const Delimiters& delimiters);

    std::string text_;                   // without the terminator
    std::vector<std::uint32_t> starts_;  // offset of the id and of each element
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

    Error Fail(std::string message);

    std::streambuf* input_;
    Delimiters delimiters_;
    std::string isa_;  // held until the first Next() hands it out
    bool isa_pending_ = true;
    std::int64_t segments_read_ = 0;
    std::optional<Error> failure_;
    bool ended_inside_segment_ = false;
};

}  // namespace p360::formats::x12
