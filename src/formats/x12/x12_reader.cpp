#include "formats/x12/x12_reader.hpp"

#include <array>
#include <cctype>
#include <utility>

namespace p360::formats::x12 {
namespace {

// Where ISA01..ISA16 are preceded by the element separator in the fixed-width ISA.
constexpr std::array<std::size_t, 16> kIsaSeparatorOffsets = {3,  6,  17, 20, 31, 34, 50,  53,
                                                              69, 76, 81, 83, 89, 99, 101, 103};
constexpr std::size_t kIsaRepetitionOffset = 82;
constexpr std::size_t kIsaComponentOffset = 104;
constexpr std::size_t kIsaTerminatorOffset = 105;

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

bool IsSkippable(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string SegmentLocation(std::int64_t position) { return "segment " + std::to_string(position); }

Error NotX12(std::string_view why) {
    return Error::InvalidArgument("The input is not an X12 interchange: " + std::string(why) + ".",
                                  SegmentLocation(1));
}

// Skips whitespace and a UTF-8 byte order mark before the ISA, which editors and some
// translators add.
void SkipLeadingNoise(std::streambuf& input) {
    if (input.sgetc() == 0xEF) {
        for (int expected : {0xEF, 0xBB, 0xBF}) {
            if (input.sgetc() != expected) {
                return;  // not a BOM; the ISA check rejects what is left
            }
            input.sbumpc();
        }
    }
    while (IsSkippable(input.sgetc())) {
        input.sbumpc();
    }
}

Result<Delimiters> DelimitersOf(std::string_view isa) {
    if (isa.size() != kIsaLength || isa.substr(0, 3) != "ISA") {
        return NotX12("it does not start with an ISA segment");
    }
    Delimiters delimiters;
    delimiters.element = isa[3];
    std::size_t separators = 0;
    for (std::size_t offset = 0; offset < kIsaComponentOffset; ++offset) {
        separators += isa[offset] == delimiters.element ? 1 : 0;
    }
    for (std::size_t offset : kIsaSeparatorOffsets) {
        if (isa[offset] != delimiters.element) {
            return NotX12("the ISA segment does not have its fixed width");
        }
    }
    if (separators != kIsaSeparatorOffsets.size()) {
        return NotX12("the ISA segment does not have its fixed width");
    }
    delimiters.component = isa[kIsaComponentOffset];
    delimiters.segment = isa[kIsaTerminatorOffset];
    delimiters.repetition = isa[kIsaRepetitionOffset];
    delimiters.has_repetition = !IsAlnum(delimiters.repetition);
    const char element = delimiters.element;
    const char component = delimiters.component;
    const char segment = delimiters.segment;
    if (IsAlnum(element) || IsAlnum(component) || IsAlnum(segment) || element == component ||
        element == segment || component == segment) {
        return NotX12("the ISA segment declares unusable delimiters");
    }
    if (delimiters.has_repetition &&
        (delimiters.repetition == component || delimiters.repetition == segment)) {
        return NotX12("the ISA segment declares unusable delimiters");
    }
    return delimiters;
}

}  // namespace

std::vector<std::string_view> SplitOn(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    std::size_t begin = 0;
    for (std::size_t at = text.find(separator); at != std::string_view::npos;
         at = text.find(separator, begin)) {
        parts.push_back(text.substr(begin, at - begin));
        begin = at + 1;
    }
    parts.push_back(text.substr(begin));
    return parts;
}

std::string_view Segment::Id() const { return Element(0); }

std::string_view Segment::Element(int index) const {
    if (index < 0 || index >= static_cast<int>(starts_.size())) {
        return {};
    }
    const std::size_t begin = starts_[index];
    const std::size_t end = static_cast<std::size_t>(index) + 1 < starts_.size()
                                ? starts_[index + 1] - 1
                                : text_.size();
    return std::string_view(text_).substr(begin, end - begin);
}

std::vector<std::string_view> Segment::Components(int index) const {
    return SplitOn(Element(index), delimiters_.component);
}

std::vector<std::string_view> Segment::Repetitions(int index) const {
    if (!delimiters_.has_repetition) {
        return {Element(index)};
    }
    return SplitOn(Element(index), delimiters_.repetition);
}

void Segment::Assign(std::int64_t position, const Delimiters& delimiters) {
    position_ = position;
    delimiters_ = delimiters;
    starts_.clear();
    starts_.push_back(0);
    for (std::size_t offset = 0; offset < text_.size(); ++offset) {
        if (text_[offset] == delimiters.element) {
            starts_.push_back(static_cast<std::uint32_t>(offset + 1));
        }
    }
}

Result<SegmentReader> SegmentReader::Open(std::istream& input) {
    std::streambuf* buffer = input.rdbuf();
    if (buffer == nullptr) {
        return NotX12("there is no input");
    }
    SkipLeadingNoise(*buffer);
    std::string isa(kIsaLength, '\0');
    isa.resize(static_cast<std::size_t>(buffer->sgetn(isa.data(), kIsaLength)));
    P360_ASSIGN_OR_RETURN(Delimiters delimiters, DelimitersOf(isa));
    isa.pop_back();  // the terminator
    return SegmentReader(buffer, delimiters, std::move(isa));
}

SegmentReader::SegmentReader(std::streambuf* input, Delimiters delimiters, std::string isa)
    : input_(input), delimiters_(delimiters), isa_(std::move(isa)) {}

Error SegmentReader::Fail(std::string message) {
    failure_ = Error::InvalidArgument(std::move(message), SegmentLocation(segments_read_ + 1));
    return *failure_;
}

Result<bool> SegmentReader::Next(Segment& segment) {
    if (failure_) {
        return *failure_;
    }
    if (isa_pending_) {
        isa_pending_ = false;
        segment.text_ = std::move(isa_);
        segment.Assign(++segments_read_, delimiters_);
        return true;
    }
    while (IsSkippable(input_->sgetc())) {
        input_->sbumpc();
    }
    if (input_->sgetc() == std::char_traits<char>::eof()) {
        return false;
    }
    segment.text_.clear();
    for (;;) {
        const int next = input_->sbumpc();
        if (next == std::char_traits<char>::eof()) {
            ended_inside_segment_ = true;
            return Fail("The input ends inside segment " + std::to_string(segments_read_ + 1) +
                        ", before its terminator.");
        }
        const char c = std::char_traits<char>::to_char_type(next);
        if (c == delimiters_.segment) {
            break;
        }
        if (segment.text_.size() == kMaxSegmentBytes) {
            return Fail("Segment " + std::to_string(segments_read_ + 1) + " is longer than " +
                        std::to_string(kMaxSegmentBytes) + " bytes.");
        }
        segment.text_.push_back(c);
    }
    // A newline terminator written as CR LF leaves the CR behind.
    if (delimiters_.segment == '\n' && !segment.text_.empty() && segment.text_.back() == '\r') {
        segment.text_.pop_back();
    }
    segment.Assign(++segments_read_, delimiters_);
    return true;
}

}  // namespace p360::formats::x12
