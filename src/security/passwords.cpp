#include "security/passwords.hpp"

#include <argon2.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

namespace p360::security {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

// The passwords of 12 characters or more that top the public breach lists: attackers try these
// first, on every username. Lowercase; compared ignoring case.
constexpr std::string_view kCommonPasswords[] = {
    "123456789012", "1234567890123", "111111111111",     "000000000000",
    "password1234", "password12345", "passwordpassword", "qwertyuiopas",
    "qwerty123456", "1q2w3e4r5t6y",  "iloveyou1234",     "abcdefghijkl",
    "letmein12345", "welcome12345",  "changeme1234",     "administrator",
};

std::string Lowercase(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower;
}

}  // namespace

Result<std::string> HashPassword(std::string_view password, const Argon2Parameters& parameters) {
    std::array<unsigned char, kSaltBytes> salt{};
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
        return Error::Internal("no randomness for a password salt");
    }
    const std::size_t encoded_length =
        argon2_encodedlen(parameters.time_cost, parameters.memory_kib, parameters.parallelism,
                          kSaltBytes, kHashBytes, Argon2_id);
    std::vector<char> encoded(encoded_length);
    const int rc = argon2id_hash_encoded(
        parameters.time_cost, parameters.memory_kib, parameters.parallelism, password.data(),
        password.size(), salt.data(), salt.size(), kHashBytes, encoded.data(), encoded.size());
    if (rc != ARGON2_OK) {
        return Error::Internal(std::string("argon2: ") + argon2_error_message(rc));
    }
    return std::string(encoded.data());
}

bool VerifyPassword(std::string_view password, const std::string& encoded_hash) {
    return argon2id_verify(encoded_hash.c_str(), password.data(), password.size()) == ARGON2_OK;
}

Status CheckPasswordPolicy(std::string_view password, std::string_view username) {
    if (password.size() < 12) {
        return Error::InvalidArgument("The password must have at least 12 characters.", "password");
    }
    if (password.size() > 1024) {
        return Error::InvalidArgument("The password must have at most 1024 characters.",
                                      "password");
    }
    const std::string lower = Lowercase(password);
    if (!username.empty() && lower.find(Lowercase(username)) != std::string::npos) {
        return Error::InvalidArgument("The password must not contain the username.", "password");
    }
    if (std::find(std::begin(kCommonPasswords), std::end(kCommonPasswords), lower) !=
        std::end(kCommonPasswords)) {
        return Error::InvalidArgument(
            "This password is one of the most common ones, which attackers try first; choose "
            "another.",
            "password");
    }
    return Ok();
}

}  // namespace p360::security
