#pragma once
// Passwords are kept and compared as SHA-256 digests (OpenSSL libcrypto):
// every comparison is over 32 bytes whatever the password's length, and in
// constant time, so neither the length nor a matching prefix leaks through
// the time a rejection takes.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace logbook::net {

using PasswordDigest = std::array<std::uint8_t, 32>;

PasswordDigest Sha256(std::string_view password);

// 64 hex digits (either case) -> digest; nullopt otherwise.
std::optional<PasswordDigest> ParseHexDigest(std::string_view hex);
std::string HexDigest(const PasswordDigest& digest);

// Constant time in the contents (CRYPTO_memcmp).
bool DigestsEqual(const PasswordDigest& a, const PasswordDigest& b);

}  // namespace logbook::net
