/* slab.h - size-class allocator for blocks freed one by one, in any order */
#ifndef SC_SLAB_H
#define SC_SLAB_H

#include <stdbool.h>
#include <stddef.h>

#include "sipcause/util/compiler.h"

/*
 * Why: every parsed SIP message is one block of 0.4-2 KB (struct sc_msg
 * and its strings) that lives until its call is finished. With one
 * malloc a message, glibc's malloc and free took about 24% of a text
 * report over 600k messages (_int_malloc, _int_free, malloc_consolidate,
 * unlink_chunk...), and on a flood of 1M unanswered INVITEs the freed
 * message blocks left holes between the long-lived call summaries (heap
 * arena 1,200 MB for 1,062 MB live, issue #14).
 *
 * How: sizes are rounded up to a class (64-byte steps, header included,
 * up to SC_SLAB_MAX_BLOCK). Each class carves its blocks from its own
 * chunks (256 KiB, mapped with mmap, apart from malloc's heap), and a
 * freed block goes on its chunk's free list. Allocating and freeing are
 * O(1); only a chunk costs a system call. A block carries
 * a small header naming its chunk, which names the pool, so
 * sc_slab_free() needs neither the size nor the pool. Bigger requests
 * (and every request when the pool is NULL) get a malloc'd block of their
 * own, with the same header.
 *
 * What memory it keeps: a free block is reused only by its own class,
 * while its chunk holds a live block; a chunk whose blocks are all free
 * is unmapped (a few are kept as spares for any class), and the spares
 * at the pool's end. So the pool holds about its live blocks, plus
 * the rounding (at most 63 bytes a block), a partly used chunk per class,
 * the free blocks of chunks that still hold a live one, and the frees
 * not yet taken back (about 64 blocks).
 *
 * Lifetime: blocks may outlive the pool's owner (parsed messages outlive
 * the parser). The owner calls sc_slab_release(); the pool is destroyed
 * then if no block is live, else by the sc_slab_free() of its last block.
 *
 * Memory checkers: under AddressSanitizer (seen at build time) or
 * valgrind (seen at run time when valgrind's headers were there at build
 * time) a pool made with SC_SLAB_AUTO gives every block its own
 * malloc, so the checker sees each block: overflows, use after free and
 * leaks with their allocation stack. SC_SLAB_CHUNKS always carves (for
 * the allocator's own tests); free blocks, headers and rounding slack are
 * then poisoned for the checker.
 *
 * Threads: with --threads 2 messages are parsed on the reading thread
 * and freed on the calls thread, so blocks may be freed on any thread,
 * also while the owner allocates: a free only pushes the block on a
 * lock-free stack, taken back into the chunks under the pool's lock by
 * the allocating side (every 64 blocks, or when a class has no room) or
 * by every 64th free. Allocation is for one
 * thread at a time (the parser's). sc_slab_release() must not run while
 * another thread may be freeing a block of the pool (join it first);
 * after it, frees may come from any thread, and the last destroys.
 */
struct sc_slab;

/* Blocks above this (header included) go to malloc one by one. */
#define SC_SLAB_MAX_BLOCK 4096

enum sc_slab_mode {
	SC_SLAB_AUTO,   /* chunks, unless a memory checker watches */
	SC_SLAB_CHUNKS, /* chunks always */
};

/* Occupancy, for tests and statistics. */
struct sc_slab_stats {
	size_t live;        /* blocks handed out from chunks, not yet freed */
	size_t chunks;      /* chunks held, spares included */
	size_t chunk_bytes; /* bytes of those chunks */
	bool chunked;       /* false: every block is malloc'd (checker) */
};

/* A new pool. NULL when out of memory. */
struct sc_slab *sc_slab_new(enum sc_slab_mode mode) SC_WARN_UNUSED;

/*
 * sc_slab_alloc - @size bytes (0 allowed), aligned for any type, from
 * @s; @s NULL: from malloc, freed the same way. Returns NULL when out of
 * memory. The content is not initialised. Free with sc_slab_free().
 */
void *sc_slab_alloc(struct sc_slab *s, size_t size) SC_WARN_UNUSED;

/*
 * sc_slab_free - return a block from sc_slab_alloc() to its pool (or to
 * malloc); NULL is a no-op. The last block of a released pool destroys
 * the pool.
 */
void sc_slab_free(void *p);

/*
 * sc_slab_release - the owner is done with @s: no more sc_slab_alloc().
 * Destroys it now if no block is live, else when the last one is freed.
 * No other thread may be freeing a block of @s meanwhile. NULL is a
 * no-op.
 */
void sc_slab_release(struct sc_slab *s);

/* Takes the deferred frees back first, so live counts what is in use. */
void sc_slab_stats(struct sc_slab *s, struct sc_slab_stats *st);

#endif /* SC_SLAB_H */
