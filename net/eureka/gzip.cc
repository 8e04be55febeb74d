#include "net/eureka/gzip.h"

#include <libdeflate.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace logbook::net::eureka {
namespace {

// Level 6: zlib's default, a good ratio for registry documents that are
// compressed once per registry version and served many times.
constexpr int kCompressionLevel = 6;
// Smallest well-formed gzip member: 10-byte header, empty block, 8-byte trailer.
constexpr std::size_t kMinGzipBytes = 18;

struct CompressorDeleter {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};
struct DecompressorDeleter {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

}  // namespace

std::string GzipCompress(std::string_view data) {
  std::unique_ptr<libdeflate_compressor, CompressorDeleter> compressor(
      libdeflate_alloc_compressor(kCompressionLevel));
  if (compressor == nullptr) std::abort();  // out of memory
  std::string out(libdeflate_gzip_compress_bound(compressor.get(), data.size()), '\0');
  const std::size_t size =
      libdeflate_gzip_compress(compressor.get(), data.data(), data.size(), out.data(), out.size());
  // The bound guarantees room, so 0 cannot happen.
  out.resize(size);
  // The buffer was sized (and zero-filled, so resident) for the bound, about
  // the input's size: ~14x the result for a registry. Cached, it would keep
  // that memory for as long as the registry version lasts.
  out.shrink_to_fit();
  return out;
}

absl::StatusOr<std::string> GzipDecompress(std::string_view data, std::size_t max_output_bytes) {
  std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> decompressor(
      libdeflate_alloc_decompressor());
  if (decompressor == nullptr) std::abort();  // out of memory
  std::string out;
  std::size_t in_offset = 0;
  // A body may hold several concatenated members (RFC 1952 §2.2).
  do {
    const std::string_view member = data.substr(in_offset);
    if (member.size() < kMinGzipBytes) {
      return absl::InvalidArgumentError("gzip: truncated input");
    }
    const std::size_t budget = max_output_bytes - out.size();
    // libdeflate needs the whole output buffer up front. The trailer's ISIZE
    // (size mod 2^32) is only a hint, so grow geometrically when it is wrong.
    const unsigned char* tail =
        reinterpret_cast<const unsigned char*>(member.data() + member.size() - 4);
    const std::size_t hinted = static_cast<std::size_t>(tail[0]) | (std::size_t{tail[1]} << 8) |
                               (std::size_t{tail[2]} << 16) | (std::size_t{tail[3]} << 24);
    std::size_t capacity =
        std::min(budget, std::max<std::size_t>({hinted, member.size() * 4, 4096}));
    while (true) {
      const std::size_t base = out.size();
      out.resize(base + capacity);
      std::size_t in_used = 0;
      std::size_t out_used = 0;
      const libdeflate_result result =
          libdeflate_gzip_decompress_ex(decompressor.get(), member.data(), member.size(),
                                        out.data() + base, capacity, &in_used, &out_used);
      if (result == LIBDEFLATE_SUCCESS) {
        out.resize(base + out_used);
        in_offset += in_used;
        break;
      }
      out.resize(base);
      if (result != LIBDEFLATE_INSUFFICIENT_SPACE) {
        return absl::InvalidArgumentError("gzip: corrupt input");
      }
      if (capacity >= budget) {
        return absl::ResourceExhaustedError("gzip: decompressed size exceeds the limit");
      }
      capacity = capacity > budget / 2 ? budget : capacity * 2;
    }
  } while (in_offset < data.size());
  return out;
}

}  // namespace logbook::net::eureka
