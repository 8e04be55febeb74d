#include "app/huge_page_heap.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace logbook::app {

void MaybeReexecWithHugePageHeap(char** argv) {
#if defined(__linux__) && defined(__GLIBC__)
  constexpr const char* kTunable = "glibc.malloc.hugetlb";
  const char* off = std::getenv("LOGBOOK_HUGE_PAGE_HEAP");
  if (off != nullptr && std::strcmp(off, "0") == 0) return;
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  // Present (set by us or the operator): never loop, never override.
  if (tunables != nullptr && std::strstr(tunables, kTunable) != nullptr) return;
  std::string value = tunables != nullptr && *tunables != '\0' ? std::string(tunables) + ":" : "";
  value += kTunable;
  value += "=1";
  if (::setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0) return;
  ::execv("/proc/self/exe", argv);
  // exec failed (no /proc?): carry on as we are.
#else
  (void)argv;
#endif
}

}  // namespace logbook::app
