// The standard catalog's YAML files, compiled into the binary (see CMakeLists.txt here).
#pragma once

#include <string_view>
#include <vector>

namespace p360::catalog {

struct EmbeddedFile {
    std::string_view name;  // e.g. "member.yaml"
    std::string_view text;
};

const std::vector<EmbeddedFile>& EmbeddedFiles();

}  // namespace p360::catalog
