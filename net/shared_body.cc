#include "net/shared_body.h"

#include <sys/mman.h>
#include <unistd.h>

namespace logbook::net {
namespace {

// The bytes of a memfd, read through a shared read-only mapping of it.
struct MappedFile {
  int fd = -1;
  void* address = MAP_FAILED;
  std::size_t size = 0;
  ~MappedFile() {
    if (address != MAP_FAILED) ::munmap(address, size);
    if (fd >= 0) ::close(fd);
  }
};

// A memfd holding `bytes`, mapped read-only; nullptr if the kernel refuses.
std::shared_ptr<MappedFile> MapIntoMemfd(const std::string& bytes) {
  auto file = std::make_shared<MappedFile>();
  file->fd = ::memfd_create("logbook-body", MFD_CLOEXEC);
  if (file->fd < 0) return nullptr;
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(file->fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) return nullptr;
    done += static_cast<std::size_t>(n);
  }
  file->size = bytes.size();
  file->address = ::mmap(nullptr, file->size, PROT_READ, MAP_SHARED, file->fd, 0);
  if (file->address == MAP_FAILED) return nullptr;
  return file;
}

}  // namespace

void SharedBody::ForEachSlice(absl::FunctionRef<void(std::string_view)> emit) const {
  if (!rope_) return;
  for (const Piece& piece : rope_->pieces) {
    if (piece.source != nullptr) {
      piece.source->ForEachSlice(emit);
    } else {
      emit(piece.bytes);
    }
  }
}

std::size_t SharedBody::slice_count() const {
  std::size_t count = 0;
  ForEachSlice([&count](std::string_view) { ++count; });
  return count;
}

std::string SharedBody::Flatten() const {
  std::string out;
  out.reserve(size());
  AppendTo(&out);
  return out;
}

void SharedBody::AppendTo(std::string* out) const {
  ForEachSlice([out](std::string_view slice) { out->append(slice); });
}

void SharedBodyBuilder::Append(std::string_view bytes, const std::shared_ptr<const void>& owner) {
  if (bytes.empty()) return;
  rope_.pieces.push_back(SharedBody::Piece{bytes, nullptr});
  rope_.size += bytes.size();
  if (owner != nullptr && owner.get() != last_owner_) {
    rope_.owners.push_back(owner);
    last_owner_ = owner.get();
  }
}

void SharedBodyBuilder::Append(std::shared_ptr<const SliceSource> source, std::size_t size) {
  if (source == nullptr || size == 0) return;
  rope_.pieces.push_back(SharedBody::Piece{{}, source.get()});
  rope_.size += size;
  rope_.owners.push_back(std::move(source));
  last_owner_ = nullptr;
}

void SharedBodyBuilder::AppendCopy(std::string bytes) {
  if (bytes.empty()) return;
  auto owned = std::make_shared<const std::string>(std::move(bytes));
  Append(*owned, owned);
}

void SharedBodyBuilder::Append(const SharedBody& body) {
  if (!body) return;
  rope_.pieces.insert(rope_.pieces.end(), body.rope_->pieces.begin(), body.rope_->pieces.end());
  rope_.size += body.size();
  // The whole rope as one owner: its owners keep every slice alive.
  rope_.owners.push_back(body.rope_);
  last_owner_ = body.rope_.get();
}

SharedBody SharedBodyBuilder::Build() && {
  rope_.pieces.shrink_to_fit();
  rope_.owners.shrink_to_fit();
  SharedBody body;
  body.rope_ = std::make_shared<const SharedBody::Rope>(std::move(rope_));
  return body;
}

SharedBody MakeSharedBody(std::string bytes, bool file_backed) {
  if (file_backed && !bytes.empty()) {
    if (std::shared_ptr<MappedFile> file = MapIntoMemfd(bytes)) {
      SharedBody::Rope rope;
      rope.pieces.push_back(SharedBody::Piece{
          std::string_view(static_cast<const char*>(file->address), file->size), nullptr});
      rope.owners.push_back(file);
      rope.size = file->size;
      rope.fd = file->fd;
      SharedBody body;
      body.rope_ = std::make_shared<const SharedBody::Rope>(std::move(rope));
      return body;
    }
  }
  SharedBodyBuilder builder;
  builder.AppendCopy(std::move(bytes));
  return std::move(builder).Build();
}

}  // namespace logbook::net
