#include "net/shared_body.h"

#include <sys/mman.h>
#include <unistd.h>

namespace logbook::net {
namespace {

struct FileBackedBytes {
  std::string bytes;
  int fd = -1;
  ~FileBackedBytes() {
    if (fd >= 0) ::close(fd);
  }
};

// A memfd holding `bytes`, or -1.
int WriteToMemfd(const std::string& bytes) {
  const int fd = ::memfd_create("logbook-body", MFD_CLOEXEC);
  if (fd < 0) return -1;
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      return -1;
    }
    done += static_cast<std::size_t>(n);
  }
  return fd;
}

}  // namespace

SharedBody MakeSharedBody(std::string bytes, bool file_backed) {
  if (!file_backed) return SharedBody{std::make_shared<const std::string>(std::move(bytes)), -1};
  auto owner = std::make_shared<FileBackedBytes>();
  owner->bytes = std::move(bytes);
  owner->fd = WriteToMemfd(owner->bytes);
  const int fd = owner->fd;
  // Aliasing: the string's holders keep the whole owner, and so the fd, alive.
  return SharedBody{std::shared_ptr<const std::string>(owner, &owner->bytes), fd};
}

}  // namespace logbook::net
