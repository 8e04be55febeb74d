#pragma once
// Restart time at scale (issue 4, bench/restart_scale.sh): restoring 100,000
// instances allocates ~170 MB in small pieces, and on this kind of VM each
// 4 KiB page fault is expensive; the faults were a third of the restart's
// CPU. glibc backs its heap with transparent huge pages when the tunable
// glibc.malloc.hugetlb=1 is set, which glibc reads only at process start, so
// `logbook serve` re-executes itself once with it set (same pid, argv, fds).
//
// LOGBOOK_HUGE_PAGE_HEAP=0 in the environment turns it off. Thread: main,
// before anything else runs.

namespace logbook::app {

// Returns only when no re-exec happened (already set, turned off, or the
// exec failed: then the node runs with the default heap).
void MaybeReexecWithHugePageHeap(char** argv);

}  // namespace logbook::app
