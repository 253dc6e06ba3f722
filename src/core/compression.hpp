// Compression of text kept in memory (Zstandard frames), for caches that hold many answers of
// repetitive JSON: a member 360 answer shrinks about eight times at the fastest level.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace p360 {

// One frame holding `text`, its size recorded, at the fastest level.
std::string Compress(std::string_view text);

// The text of a frame written by Compress. A damaged or foreign frame is an internal error.
Result<std::string> Decompress(std::string_view frame);

}  // namespace p360
