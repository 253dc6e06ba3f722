#include "formats/x12/x12_reader.hpp"

#include <array>
#include <bit>
#include <cctype>
#include <cstring>
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

std::vector<std::string_view> Segment::Components(int index) const {
    return SplitOn(Element(index), delimiters_.component);
}

std::vector<std::string_view> Segment::Repetitions(int index) const {
    if (!delimiters_.has_repetition) {
        return {Element(index)};
    }
    return SplitOn(Element(index), delimiters_.repetition);
}

void Segment::Assign(std::string_view text, std::int64_t position, const Delimiters& delimiters) {
    text_ = text;
    position_ = position;
    delimiters_ = delimiters;
    starts_.clear();
    starts_.push_back(0);
    FindElementStarts(text, delimiters.element);
    starts_.push_back(static_cast<std::uint32_t>(text.size()) + 1);
    tag_ = PackCode(Id());
}

// Appends the offset after each `separator` in `text`. Eight bytes at a time where words load
// little-endian: a word XOR the separator in every byte has a zero byte exactly where the
// separator is, and the zero bytes are found without a branch per byte.
void Segment::FindElementStarts(std::string_view text, char separator) {
    const auto size = static_cast<std::uint32_t>(text.size());
    std::uint32_t offset = 0;
    if constexpr (std::endian::native == std::endian::little) {
        constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
        constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
        const std::uint64_t pattern = kOnes * static_cast<unsigned char>(separator);
        for (; offset + 8 <= size; offset += 8) {
            std::uint64_t word = 0;
            std::memcpy(&word, text.data() + offset, sizeof word);
            const std::uint64_t differs = word ^ pattern;
            // The high bit of each byte that is zero in `differs`, and no other bit.
            std::uint64_t separators = ~(((differs & kLow7) + kLow7) | differs | kLow7);
            for (; separators != 0; separators &= separators - 1) {
                const auto byte = static_cast<std::uint32_t>(std::countr_zero(separators)) / 8;
                starts_.push_back(offset + byte + 1);
            }
        }
    }
    for (; offset < size; ++offset) {
        if (text[offset] == separator) {
            starts_.push_back(offset + 1);
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
    : input_(input), delimiters_(delimiters), isa_(std::move(isa)), block_(kBlockBytes, '\0') {}

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
        segment.Assign(isa_, ++segments_read_, delimiters_);
        return true;
    }
    if (!SkipSeparatingWhitespace()) {
        return false;
    }
    P360_ASSIGN_OR_RETURN(std::string_view text, NextSegmentText());
    // A newline terminator written as CR LF leaves the CR behind.
    if (delimiters_.segment == '\n' && !text.empty() && text.back() == '\r') {
        text.remove_suffix(1);
    }
    segment.Assign(text, ++segments_read_, delimiters_);
    return true;
}

// False at a clean end of the input.
bool SegmentReader::SkipSeparatingWhitespace() {
    for (;;) {
        while (unread_begin_ < unread_end_ && IsSkippable(block_[unread_begin_])) {
            ++unread_begin_;
        }
        if (unread_begin_ < unread_end_) {
            return true;
        }
        if (!Refill()) {
            return false;
        }
    }
}

// The unread bytes up to the next terminator, which is consumed. The search resumes where it
// stopped after each refill, so a straddling segment is scanned once.
Result<std::string_view> SegmentReader::NextSegmentText() {
    std::size_t searched = unread_begin_;
    for (;;) {
        const char* found = static_cast<const char*>(
            std::memchr(block_.data() + searched, delimiters_.segment, unread_end_ - searched));
        const std::size_t length =
            found != nullptr ? static_cast<std::size_t>(found - block_.data()) - unread_begin_
                             : unread_end_ - unread_begin_;
        if (length > kMaxSegmentBytes) {
            return Fail("Segment " + std::to_string(segments_read_ + 1) + " is longer than " +
                        std::to_string(kMaxSegmentBytes) + " bytes.");
        }
        if (found != nullptr) {
            const std::string_view text(block_.data() + unread_begin_, length);
            unread_begin_ += length + 1;
            return text;
        }
        searched = length;  // where the unread bytes end once moved to the front
        if (!Refill()) {
            ended_inside_segment_ = true;
            return Fail("The input ends inside segment " + std::to_string(segments_read_ + 1) +
                        ", before its terminator.");
        }
    }
}

// Moves the unread bytes (at most one partial segment) to the front of the block and reads
// after them; false when the input has nothing more.
bool SegmentReader::Refill() {
    const std::size_t unread = unread_end_ - unread_begin_;
    if (unread_begin_ > 0) {
        std::memmove(block_.data(), block_.data() + unread_begin_, unread);
        unread_begin_ = 0;
        unread_end_ = unread;
    }
    const std::streamsize read = input_->sgetn(
        block_.data() + unread_end_, static_cast<std::streamsize>(kBlockBytes - unread_end_));
    if (read <= 0) {
        return false;
    }
    unread_end_ += static_cast<std::size_t>(read);
    return true;
}

}  // namespace p360::formats::x12
