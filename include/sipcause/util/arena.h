/* arena.h - bump allocator for many short strings freed all at once */
#ifndef SC_ARENA_H
#define SC_ARENA_H

#include <stddef.h>

#include "sipcause/util/compiler.h"

/*
 * Memory is carved from chunks of at least @chunk_size bytes; nothing is
 * freed individually. sc_arena_reset() keeps the first chunk for reuse
 * (so a per-message scratch arena costs no malloc in steady state) and
 * sc_arena_fini() returns everything.
 */
struct sc_arena_chunk;

struct sc_arena {
	struct sc_arena_chunk *head;
	size_t chunk_size;
	size_t used; /* bytes handed out since the last reset, for stats */
};

void sc_arena_init(struct sc_arena *a, size_t chunk_size);
void sc_arena_fini(struct sc_arena *a);

/* Forget every allocation; keeps one chunk. Pointers handed out die. */
void sc_arena_reset(struct sc_arena *a);

/*
 * Allocate @size bytes aligned for any type. Returns NULL when out of
 * memory. Owned by the arena, valid until reset or fini.
 */
void *sc_arena_alloc(struct sc_arena *a, size_t size);

/* Copy @len bytes and add a NUL. Owned by the arena. NULL on ENOMEM. */
char *sc_arena_strndup(struct sc_arena *a, const char *s, size_t len);

#endif /* SC_ARENA_H */
