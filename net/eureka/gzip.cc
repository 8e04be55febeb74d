#include "net/eureka/gzip.h"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <vector>

namespace logbook::net::eureka {
namespace {

// Level 6 (both libraries): zlib's default, a good ratio for registry documents that are
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

// RFC 1952: magic, CM = deflate, no flags, no mtime, no extra flags, OS
// unknown. Fixed, so the bytes depend on the document only.
constexpr unsigned char kGzipHeader[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
// A final (BFINAL = 1) fixed-Huffman block holding only its end-of-block code.
constexpr unsigned char kFinalEmptyBlock[] = {0x03, 0x00};
// zlib's raw deflate (negative window bits: no zlib header or trailer).
constexpr int kRawDeflateWindowBits = -15;
constexpr int kMemoryLevel = 8;

void AppendLittleEndian32(std::string* out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out->push_back(static_cast<char>(value >> shift));
}

}  // namespace

struct PieceDeflater::Stream {
  z_stream z{};
  std::vector<unsigned char> scratch;
};

PieceDeflater::PieceDeflater() : stream_(new Stream) {
  if (deflateInit2(&stream_->z, kCompressionLevel, Z_DEFLATED, kRawDeflateWindowBits, kMemoryLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    std::abort();  // out of memory: the parameters are valid
  }
}

PieceDeflater::~PieceDeflater() {
  deflateEnd(&stream_->z);
  delete stream_;
}

DeflatedPiece PieceDeflater::Deflate(const std::vector<std::string_view>& plain,
                                     std::string_view dictionary) {
  z_stream& z = stream_->z;
  deflateReset(&z);
  if (!dictionary.empty()) {
    deflateSetDictionary(&z, reinterpret_cast<const Bytef*>(dictionary.data()),
                         static_cast<uInt>(dictionary.size()));
  }
  DeflatedPiece piece;
  piece.crc = static_cast<std::uint32_t>(crc32(0, nullptr, 0));
  for (std::string_view slice : plain) piece.plain_size += slice.size();
  // Compressed into the reused scratch buffer, then copied out at its exact
  // size: a piece is kept for as long as its part lives.
  std::vector<unsigned char>& out = stream_->scratch;
  const std::size_t bound = deflateBound(&z, static_cast<uLong>(piece.plain_size)) + 16;
  if (out.size() < bound) out.resize(bound);
  std::size_t used = 0;
  const auto run = [&](std::string_view input, int flush) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    z.avail_in = static_cast<uInt>(input.size());
    do {
      if (used == out.size()) out.resize(out.size() * 2);
      z.next_out = out.data() + used;
      z.avail_out = static_cast<uInt>(out.size() - used);
      deflate(&z, flush);  // cannot fail on a valid stream with room to write
      used = out.size() - z.avail_out;
      // A flush is complete once it left output space unused.
    } while (z.avail_in > 0 || (flush != Z_NO_FLUSH && z.avail_out == 0));
  };
  for (std::string_view slice : plain) {
    // zlib's crc32() answers its initial value for a null buffer, whatever
    // the running CRC: an empty slice (often null) must not reach it.
    if (slice.empty()) continue;
    piece.crc = static_cast<std::uint32_t>(crc32(
        piece.crc, reinterpret_cast<const Bytef*>(slice.data()), static_cast<uInt>(slice.size())));
    run(slice, Z_NO_FLUSH);
  }
  // Z_SYNC_FLUSH ends the piece on a byte boundary with an empty stored block
  // and no final block: the next piece (or the final block) follows directly.
  run({}, Z_SYNC_FLUSH);
  piece.bytes.assign(reinterpret_cast<const char*>(out.data()), used);
  // A huge document's scratch space is not kept between builds.
  if (out.size() > (std::size_t{1} << 20)) out = std::vector<unsigned char>();
  return piece;
}

std::string GzipFromPieces(const std::vector<const DeflatedPiece*>& pieces) {
  std::size_t bytes = sizeof kGzipHeader + sizeof kFinalEmptyBlock + 8;
  for (const DeflatedPiece* piece : pieces) bytes += piece->bytes.size();
  std::string out;
  out.reserve(bytes);
  out.append(reinterpret_cast<const char*>(kGzipHeader), sizeof kGzipHeader);
  uLong crc = crc32(0, nullptr, 0);
  std::uint64_t size = 0;
  for (const DeflatedPiece* piece : pieces) {
    out.append(piece->bytes);
    crc = crc32_combine(crc, piece->crc, static_cast<z_off_t>(piece->plain_size));
    size += piece->plain_size;
  }
  out.append(reinterpret_cast<const char*>(kFinalEmptyBlock), sizeof kFinalEmptyBlock);
  AppendLittleEndian32(&out, static_cast<std::uint32_t>(crc));
  AppendLittleEndian32(&out, static_cast<std::uint32_t>(size));  // ISIZE: mod 2^32
  return out;
}

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
