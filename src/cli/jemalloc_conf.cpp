// jemalloc's settings for the cloudpact executable, compiled in only when
// the executable is linked with jemalloc (meson option `jemalloc`,
// docs/reference.md §10). jemalloc reads this symbol as it starts; the
// environment's MALLOC_CONF, read after it, still overrides each setting.
//
// Huge pages for the heap and jemalloc's own metadata (thp:always asks
// the kernel for them with madvise, which Debian's default "madvise" mode
// of transparent huge pages honours; under "never" it changes nothing).
// The replay of a large scenario touches a few hundred MiB of freshly
// mapped memory, a page fault per 4 KiB page, and chases pointers through
// it: with 2 MiB pages the stress scenario's `run` took 0.72 of the time
// (paired runs; its time in the kernel 0.82 -> 0.52 s), at a peak RSS 7%
// higher (270 -> 288 MiB).
// The allocator changes no number: no output depends on an address.
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's (its malloc_conf).
const char* malloc_conf = "thp:always,metadata_thp:always";
}
