#pragma once
// gzip: whole bodies via libdeflate; documents made of independently
// compressed pieces via zlib (a changed piece is recompressed alone).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace logbook::net::eureka {

std::string GzipCompress(std::string_view data);
// Fails on corrupt input or output larger than max_output_bytes.
absl::StatusOr<std::string> GzipDecompress(std::string_view data, std::size_t max_output_bytes);

// Raw deflate of some bytes that ends on a byte boundary without a final
// block, so that pieces compressed independently concatenate into one valid
// deflate stream (each piece refers back only into its own bytes and its
// dictionary, the bytes that precede it).
struct DeflatedPiece {
  std::string bytes;
  std::uint32_t crc = 0;  // CRC-32 of the plain bytes
  std::uint64_t plain_size = 0;
};

// Compresses pieces one after another, reusing its zlib state (allocating it
// costs more than compressing a small piece). One thread at a time.
class PieceDeflater {
 public:
  PieceDeflater();
  ~PieceDeflater();
  PieceDeflater(const PieceDeflater&) = delete;
  PieceDeflater& operator=(const PieceDeflater&) = delete;

  // The piece for the concatenation of `plain`. `dictionary`: the bytes
  // just before it in the document (at most 32 KiB), which the piece may
  // refer back into: it is then valid only right after those bytes.
  DeflatedPiece Deflate(const std::vector<std::string_view>& plain,
                        std::string_view dictionary = {});

 private:
  struct Stream;
  Stream* stream_;
};

// One gzip member: header, the pieces in order, a final empty block, the
// trailer (CRC-32 combined from the pieces', length mod 2^32).
std::string GzipFromPieces(const std::vector<const DeflatedPiece*>& pieces);

}  // namespace logbook::net::eureka
