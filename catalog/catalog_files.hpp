// The standard catalog's YAML files, the shipped access policy and the identity rules, compiled
// into the binary (see CMakeLists.txt here).
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

// catalog/identity/*.yaml: survivorship rules of the golden member.
const std::vector<EmbeddedFile>& EmbeddedIdentityFiles();

}  // namespace p360::catalog
