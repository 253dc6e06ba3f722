#include "security/passwords.hpp"

#include <argon2.h>
#include <openssl/rand.h>

#include <array>
#include <vector>

namespace p360::security {
namespace {
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
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

Status CheckPasswordPolicy(std::string_view password) {
    if (password.size() < 12) {
        return Error::InvalidArgument("The password must have at least 12 characters.", "password");
    }
    if (password.size() > 1024) {
        return Error::InvalidArgument("The password must have at most 1024 characters.",
                                      "password");
    }
    return Ok();
}

}  // namespace p360::security
