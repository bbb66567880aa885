/* arena.c - bump allocator for many short strings freed all at once */
#include "config.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/util/arena.h"

struct sc_arena_chunk {
	struct sc_arena_chunk *next;
	size_t size; /* usable bytes after the header */
	size_t used;
	alignas(max_align_t) unsigned char mem[];
};

#define ARENA_ALIGN alignof(max_align_t)

void
sc_arena_init(struct sc_arena *a, size_t chunk_size)
{
	a->head = NULL;
	a->chunk_size = chunk_size ? chunk_size : 4096;
	a->used = 0;
}

void
sc_arena_fini(struct sc_arena *a)
{
	struct sc_arena_chunk *c = a->head;

	while (c) {
		struct sc_arena_chunk *next = c->next;

		free(c);
		c = next;
	}
	a->head = NULL;
	a->used = 0;
}

void
sc_arena_reset(struct sc_arena *a)
{
	struct sc_arena_chunk *keep = NULL, *c = a->head;

	/* keep the biggest chunk, so steady state needs no malloc */
	while (c) {
		struct sc_arena_chunk *next = c->next;

		if (!keep || c->size > keep->size) {
			free(keep);
			keep = c;
		} else {
			free(c);
		}
		c = next;
	}
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
	}
	a->head = keep;
	a->used = 0;
}

void *
sc_arena_alloc(struct sc_arena *a, size_t size)
{
	struct sc_arena_chunk *c = a->head;
	size_t rounded;

	if (size > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	rounded = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (!c || c->size - c->used < rounded) {
		size_t csize =
		        rounded > a->chunk_size ? rounded : a->chunk_size;

		c = malloc(sizeof(*c) + csize);
		if (!c)
			return NULL;
		c->size = csize;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	c->used += rounded;
	a->used += rounded;
	return c->mem + c->used - rounded;
}

char *
sc_arena_strndup(struct sc_arena *a, const char *s, size_t len)
{
	char *d;

	if (len == SIZE_MAX)
		return NULL;
	d = sc_arena_alloc(a, len + 1);
	if (!d)
		return NULL;
	if (len > 0)
		memcpy(d, s, len);
	d[len] = 0;
	return d;
}
