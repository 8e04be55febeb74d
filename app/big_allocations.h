#pragma once
// Memory at scale (issue 6, memory row): glibc serves an allocation of
// 128 KiB or more from its own mapping, returned to the system when freed,
// but raises that threshold to the size of every such block freed (up to
// 32 MiB). A node frees big blocks all the time (RocksDB's memtable arena
// blocks after a flush, a document's gzip once copied into its memfd, the
// iovec arrays of a big reply), so after the first few every big block comes
// from the heap instead and, freed, stays there: at 100,000 instances with
// the four full documents cached that was ~0.9 KB of RSS per instance. A
// fixed threshold keeps big blocks in their own mappings.
//
// Thread: main, before anything allocates big blocks.

namespace logbook::app {

// Blocks of 1 MiB and more get their own mapping, always (no-op off glibc).
void MapBigAllocationsSeparately();

}  // namespace logbook::app
