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

const std::vector<std::string_view>& NoSlices() {
  static const std::vector<std::string_view>* const empty = new std::vector<std::string_view>();
  return *empty;
}

}  // namespace

const std::vector<std::string_view>& SharedBody::slices() const {
  return rope_ ? rope_->slices : NoSlices();
}

std::string SharedBody::Flatten() const {
  std::string out;
  out.reserve(size());
  AppendTo(&out);
  return out;
}

void SharedBody::AppendTo(std::string* out) const {
  for (std::string_view slice : slices()) out->append(slice);
}

void SharedBodyBuilder::Append(std::string_view bytes, const std::shared_ptr<const void>& owner) {
  if (bytes.empty()) return;
  rope_.slices.push_back(bytes);
  rope_.size += bytes.size();
  if (owner != nullptr && owner.get() != last_owner_) {
    rope_.owners.push_back(owner);
    last_owner_ = owner.get();
  }
}

void SharedBodyBuilder::AppendCopy(std::string bytes) {
  if (bytes.empty()) return;
  auto owned = std::make_shared<const std::string>(std::move(bytes));
  Append(*owned, owned);
}

void SharedBodyBuilder::Append(const SharedBody& body) {
  if (!body) return;
  rope_.slices.insert(rope_.slices.end(), body.rope_->slices.begin(), body.rope_->slices.end());
  rope_.size += body.size();
  // The whole rope as one owner: its owners keep every slice alive.
  rope_.owners.push_back(body.rope_);
  last_owner_ = body.rope_.get();
}

SharedBody SharedBodyBuilder::Build() && {
  rope_.slices.shrink_to_fit();
  rope_.owners.shrink_to_fit();
  SharedBody body;
  body.rope_ = std::make_shared<const SharedBody::Rope>(std::move(rope_));
  return body;
}

SharedBody MakeSharedBody(std::string bytes, bool file_backed) {
  if (file_backed && !bytes.empty()) {
    if (std::shared_ptr<MappedFile> file = MapIntoMemfd(bytes)) {
      SharedBody::Rope rope;
      rope.slices.emplace_back(static_cast<const char*>(file->address), file->size);
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
