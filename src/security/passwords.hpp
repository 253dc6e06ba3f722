// Password hashing with Argon2id (RFC 9106), encoded in the PHC string format so parameters
// travel with the hash and can be raised later without invalidating stored passwords.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace p360::security {

struct Argon2Parameters {
    unsigned time_cost = 3;
    unsigned memory_kib = 64 * 1024;
    unsigned parallelism = 1;
};

Result<std::string> HashPassword(std::string_view password,
                                 const Argon2Parameters& parameters = {});

// True when `password` matches `encoded_hash`; false for a mismatch or a malformed hash.
bool VerifyPassword(std::string_view password, const std::string& encoded_hash);

// Policy for new passwords: length 12..1024, not containing the username (ignoring case; pass
// an empty username when there is none), and not one of the most common passwords. Failures
// are kInvalidArgument at "password".
Status CheckPasswordPolicy(std::string_view password, std::string_view username = {});

}  // namespace p360::security
