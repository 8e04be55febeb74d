#pragma once
// An immutable response body shared by a cache and every reply in flight.
// It may also be backed by an anonymous in-memory file (memfd) holding the
// same bytes: the connection then hands the body to the kernel with
// sendfile(), which references the file's pages instead of copying the
// bytes into the socket buffer (the copy was half the server's CPU per full
// registry fetch). The file stays open as long as any reference to the bytes.
#include <memory>
#include <string>

namespace logbook::net {

struct SharedBody {
  std::shared_ptr<const std::string> bytes;
  int fd = -1;  // -1: memory only
};

// Backs `bytes` with a memfd when `file_backed` and the kernel allows it;
// memory only otherwise (the bytes are served either way).
SharedBody MakeSharedBody(std::string bytes, bool file_backed);

}  // namespace logbook::net
