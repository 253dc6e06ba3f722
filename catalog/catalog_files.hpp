// The standard catalog's YAML files and the shipped access policy, compiled into the binary
// (see CMakeLists.txt here).
#pragma once

#include <string_view>
#include <vector>

namespace p360::catalog {

struct EmbeddedFile {
    std::string_view name;  // e.g. "member.yaml"
    std::string_view text;
};

// catalog/*.yaml: object definitions.
const std::vector<EmbeddedFile>& EmbeddedFiles();

// catalog/policy/*.yaml: permission sets and the roles that hold them.
const std::vector<EmbeddedFile>& EmbeddedPolicyFiles();

}  // namespace p360::catalog
