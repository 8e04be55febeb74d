#include "net/password_digest.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/status.h"

namespace logbook::net {
namespace {

int HexNibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

PasswordDigest Sha256(std::string_view password) {
  // Fetched once: OpenSSL 3's one-shot SHA256() looks the algorithm up in its
  // provider on every call, which doubled the cost of an authenticated request.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  LOGBOOK_CHECK(kSha256 != nullptr);
  PasswordDigest digest;
  unsigned int length = 0;
  LOGBOOK_CHECK(EVP_Digest(password.data(), password.size(), digest.data(), &length, kSha256,
                           nullptr) == 1);
  LOGBOOK_CHECK(length == digest.size());
  return digest;
}

std::optional<PasswordDigest> ParseHexDigest(std::string_view hex) {
  PasswordDigest digest;
  if (hex.size() != digest.size() * 2) return std::nullopt;
  for (std::size_t i = 0; i < digest.size(); ++i) {
    const int high = HexNibble(hex[2 * i]);
    const int low = HexNibble(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    digest[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return digest;
}

std::string HexDigest(const PasswordDigest& digest) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (const std::uint8_t byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0xf]);
  }
  return hex;
}

bool DigestsEqual(const PasswordDigest& a, const PasswordDigest& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace logbook::net
