#pragma once
// An immutable response body shared by a cache and every reply in flight: a
// rope, i.e. a sequence of byte slices, each kept alive by an owner the body
// holds a reference to. A cached document is built from pieces that already
// exist (per-instance fragments, per-application parts), so serving or
// keeping it copies none of their bytes; a reply holds the body until the
// kernel has taken every byte, so pieces replaced by a newer version stay
// alive while in flight.
//
// A one-slice body may also be backed by an anonymous in-memory file (memfd)
// holding its bytes: the connection then hands it to the kernel with
// sendfile(), which references the file's pages instead of copying the
// bytes into the socket buffer. The slice is a read-only mapping of that
// file, so the bytes are resident once, not once in the heap and once in the
// file.
//
// A slice source stands for many slices made on demand (a cached
// document's parts over their instances' fragments): a body then holds the
// source, not a list of its slices, which at 100,000 instances would be
// several slices per instance held for as long as the document is cached.
//
// Immutable once built: safe to read from any thread.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"

namespace logbook::net {

// Bytes that can be read as a sequence of slices, the same every time.
// Immutable: read from any thread.
class SliceSource {
 public:
  virtual ~SliceSource() = default;
  // Calls `emit` with each non-empty slice, in order.
  virtual void ForEachSlice(absl::FunctionRef<void(std::string_view)> emit) const = 0;
};

class SharedBody {
 public:
  SharedBody() = default;

  // False for the default-constructed (absent) body.
  explicit operator bool() const { return rope_ != nullptr; }
  std::size_t size() const { return rope_ ? rope_->size : 0; }
  // Calls `emit` with the bytes in order, as non-empty slices.
  void ForEachSlice(absl::FunctionRef<void(std::string_view)> emit) const;
  std::size_t slice_count() const;
  // A file holding exactly the bytes of the only slice; -1 if none.
  int fd() const { return rope_ ? rope_->fd : -1; }
  // The bytes copied into one string (tests, fuzzers, small replies).
  std::string Flatten() const;
  // Appends the bytes to `out`.
  void AppendTo(std::string* out) const;

 private:
  friend class SharedBodyBuilder;
  friend SharedBody MakeSharedBody(std::string bytes, bool file_backed);
  // A slice, or (`source` set) the slices of a source.
  struct Piece {
    std::string_view bytes;
    const SliceSource* source = nullptr;
  };
  struct Rope {
    std::vector<Piece> pieces;
    // Whatever the slices point into; consecutive slices of one owner hold
    // one reference.
    std::vector<std::shared_ptr<const void>> owners;
    std::size_t size = 0;
    int fd = -1;
  };
  std::shared_ptr<const Rope> rope_;
};

// Builds a SharedBody from slices. Not thread-safe; the result is.
class SharedBodyBuilder {
 public:
  // `bytes` must stay valid while `owner` lives; a null owner means bytes
  // with static storage duration.
  void Append(std::string_view bytes, const std::shared_ptr<const void>& owner);
  // Appends the slices of `source`, `size` bytes in all.
  void Append(std::shared_ptr<const SliceSource> source, std::size_t size);
  // Appends a copy of `bytes`, owned by the body.
  void AppendCopy(std::string bytes);
  // Appends every slice of `body`, sharing its owners.
  void Append(const SharedBody& body);
  SharedBody Build() &&;

 private:
  SharedBody::Rope rope_;
  const void* last_owner_ = nullptr;
};

// One slice holding `bytes`; backed by a memfd when `file_backed` and the
// kernel allows it, memory only otherwise (the bytes are served either way).
SharedBody MakeSharedBody(std::string bytes, bool file_backed);

}  // namespace logbook::net
