/* slab.c - size-class allocator for blocks freed one by one, in any order */
#include "config.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "sipcause/util/slab.h"

/*
 * Memory checkers. Under ASan (known at build time) an SC_SLAB_AUTO pool
 * mallocs every block; under valgrind (known at run time) too. In
 * carving mode the memory we do not hand out (headers, free blocks,
 * rounding slack, the rest of a chunk) is poisoned for whichever checker
 * runs, and unpoisoned around our own reads and writes of it.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_ASAN 1
#endif
#endif

#if defined(SLAB_ASAN)
#include <sanitizer/asan_interface.h>
#define mark_noaccess(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define mark_defined(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define mark_undefined(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define checker_watches() true
#elif defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define SLAB_VALGRIND 1
#define mark_noaccess(p, n) VALGRIND_MAKE_MEM_NOACCESS((p), (n))
#define mark_defined(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))
#define mark_undefined(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define checker_watches() (RUNNING_ON_VALGRIND != 0)
#endif
#endif

#if !defined(SLAB_ASAN) && !defined(SLAB_VALGRIND)
/* sizeof: the arguments are not evaluated (no memory read for nothing) */
#define mark_noaccess(p, n) ((void)sizeof((p), (n)))
#define mark_defined(p, n) ((void)sizeof((p), (n)))
#define mark_undefined(p, n) ((void)sizeof((p), (n)))
#define checker_watches() false
#endif

#define CLASS_STEP 64
#define NCLASS (SC_SLAB_MAX_BLOCK / CLASS_STEP)
/*
 * Chunks are mapped, not malloc'd: an empty chunk goes back to the
 * system at once, whichever thread frees it (from malloc, glibc kept
 * them in the heap of the thread that parsed, where the calls thread's
 * summaries could not use them: 19 MiB more at the peak of the
 * 1M-INVITE flood with --threads 2).
 */
#define CHUNK_BYTES (256 * 1024)
/* Empty chunks kept for reuse; the others are unmapped at once. */
#define SPARE_MAX 4
/* Deferred frees are taken into the chunks about this often. */
#define DRAIN_EVERY 64

#define ALIGN alignof(max_align_t)
#define ROUND(n) (((n) + ALIGN - 1) / ALIGN * ALIGN)

/*
 * A chunk holds blocks of one class: its freed blocks, linked, then the
 * bytes not yet carved. A chunk with room is on its class's list.
 */
struct chunk {
	struct chunk *prev, *next; /* the class's chunks with room; spares */
	struct blk *free;          /* freed blocks, linked */
	char *cur, *end;           /* not yet carved */
	uint32_t cls;              /* blocks of (cls + 1) * CLASS_STEP bytes */
	uint32_t live;             /* blocks handed out */
};

/* Before every block; the block's bytes follow it, aligned. */
struct blk {
	struct chunk *chunk;  /* NULL: malloc'd on its own */
	struct sc_slab *pool; /* so that a free reads no chunk header */
};

#define HDR_SIZE ROUND(sizeof(struct blk))
#define CHUNK_HDR \
	((sizeof(struct chunk) + CLASS_STEP - 1) / CLASS_STEP * CLASS_STEP)

_Static_assert(HDR_SIZE % ALIGN == 0 && CLASS_STEP % ALIGN == 0,
               "blocks carved at CLASS_STEP keep their payload aligned");
_Static_assert(HDR_SIZE + sizeof(void *) <= CLASS_STEP,
               "the smallest block holds a header and a free-list link");
_Static_assert(CHUNK_HDR + SC_SLAB_MAX_BLOCK <= CHUNK_BYTES,
               "a chunk holds a block of the biggest class");

/*
 * Frees are deferred: sc_slab_free() pushes the block on a lock-free
 * stack, and the allocating thread takes the whole stack into the chunks
 * (every DRAIN_EVERY blocks, or when a class has no room; and at
 * release). With --threads 2 the calls thread frees what the reading
 * thread parsed, and so touches neither the lock nor the chunks: the
 * lock is never contended while the owner parses.
 */
struct sc_slab {
	pthread_mutex_t lock;       /* the chunks and the counts below */
	struct chunk *room[NCLASS]; /* chunks of each class with room */
	struct chunk *spare;        /* empty chunks kept, linked by next */
	size_t nspare;
	size_t nchunks; /* held, spares included */
	size_t live;    /* blocks handed out and not yet taken back */
	size_t allocs;  /* since the last drain */
	bool chunked;   /* else every block is malloc'd */
	/* what a free reads and writes, on cache lines of their own */
	char apart[64];
	atomic_bool released; /* the owner is done: the last free destroys */
	_Atomic(struct blk *) deferred;
	char apart_end[64];
};

static void *
payload(struct blk *b)
{
	return (char *)b + HDR_SIZE;
}

static size_t
class_bytes(size_t cls)
{
	return (cls + 1) * CLASS_STEP;
}

/* The link to the next free block lives in a free block's payload. */
static struct blk **
free_link(struct blk *b)
{
	return (struct blk **)payload(b);
}

static bool
has_room(const struct chunk *c)
{
	return c->free || (size_t)(c->end - c->cur) >= class_bytes(c->cls);
}

static void
link_room(struct sc_slab *s, struct chunk *c)
{
	c->prev = NULL;
	c->next = s->room[c->cls];
	if (c->next)
		c->next->prev = c;
	s->room[c->cls] = c;
}

static void
unlink_room(struct sc_slab *s, struct chunk *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		s->room[c->cls] = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

struct sc_slab *
sc_slab_new(enum sc_slab_mode mode)
{
	struct sc_slab *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return NULL;
	}
	atomic_init(&s->released, false);
	atomic_init(&s->deferred, NULL);
	s->chunked = mode == SC_SLAB_CHUNKS || !checker_watches();
	return s;
}

static void
free_chunk(struct sc_slab *s, struct chunk *c)
{
	mark_defined(c, CHUNK_BYTES);
	munmap(c, CHUNK_BYTES);
	s->nchunks--;
}

/* Only spares are left when no block is live. */
static void
destroy(struct sc_slab *s)
{
	while (s->spare) {
		struct chunk *next = s->spare->next;

		free_chunk(s, s->spare);
		s->spare = next;
	}
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* A block of its own from malloc, with the header saying so. */
static void *
alloc_own(size_t size)
{
	struct blk *b;

	if (size > SIZE_MAX - HDR_SIZE)
		return NULL;
	b = malloc(HDR_SIZE + size);
	if (!b)
		return NULL;
	b->chunk = NULL;
	return payload(b);
}

/* An empty chunk for class @cls, on its list: a spare or a new one. */
static struct chunk *
new_chunk(struct sc_slab *s, size_t cls)
{
	struct chunk *c = s->spare;

	if (c) {
		s->spare = c->next;
		s->nspare--;
	} else {
		/* populated: one system call, not a fault per page (a
		 * new chunk is filled at once) */
		c = mmap(NULL, CHUNK_BYTES, PROT_READ | PROT_WRITE,
		         MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (c == MAP_FAILED)
			return NULL;
		s->nchunks++;
	}
	c->free = NULL;
	c->cur = (char *)c + CHUNK_HDR;
	c->end = (char *)c + CHUNK_BYTES;
	c->cls = (uint32_t)cls;
	c->live = 0;
	mark_noaccess(c->cur, (size_t)(c->end - c->cur));
	link_room(s, c);
	return c;
}

/* @c has no live block: kept as a spare, or unmapped. */
static void
retire(struct sc_slab *s, struct chunk *c)
{
	unlink_room(s, c);
	if (s->nspare < SPARE_MAX) {
		c->next = s->spare;
		s->spare = c;
		s->nspare++;
	} else {
		free_chunk(s, c);
	}
}

/* A block back on its chunk's free list (the lock held). */
static void
take_back(struct sc_slab *s, struct blk *b)
{
	struct chunk *c;
	bool was_full;

	mark_defined(b, HDR_SIZE);
	c = b->chunk;
	was_full = !has_room(c);
	mark_undefined(b, HDR_SIZE + sizeof(struct blk *));
	*free_link(b) = c->free;
	c->free = b;
	mark_noaccess(b, class_bytes(c->cls));
	if (was_full)
		link_room(s, c);
	c->live--;
	s->live--;
	if (c->live == 0)
		retire(s, c);
}

/* The deferred frees taken back (the lock held). */
static void
drain(struct sc_slab *s)
{
	struct blk *b = atomic_exchange_explicit(&s->deferred, NULL,
	                                         memory_order_acquire);

	s->allocs = 0;
	while (b) {
		struct blk *next;

		mark_defined(payload(b), sizeof(struct blk *));
		next = *free_link(b);
		take_back(s, b);
		b = next;
	}
}

void
sc_slab_release(struct sc_slab *s)
{
	bool last;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	drain(s);
	atomic_store(&s->released, true);
	last = s->live == 0;
	pthread_mutex_unlock(&s->lock);
	if (last)
		destroy(s);
}

void *
sc_slab_alloc(struct sc_slab *s, size_t size)
{
	struct chunk *c;
	struct blk *b;
	size_t cls;

	if (!s || !s->chunked || size > SC_SLAB_MAX_BLOCK - HDR_SIZE)
		return alloc_own(size);
	cls = (HDR_SIZE + size - 1) / CLASS_STEP;
	pthread_mutex_lock(&s->lock);
	if (++s->allocs >= DRAIN_EVERY || !s->room[cls])
		drain(s);
	c = s->room[cls];
	if (!c && !(c = new_chunk(s, cls))) {
		pthread_mutex_unlock(&s->lock);
		return NULL;
	}
	if (c->free) {
		b = c->free;
		mark_defined(b, HDR_SIZE + sizeof(struct blk *));
		c->free = *free_link(b);
	} else {
		b = (struct blk *)(void *)c->cur;
		c->cur += class_bytes(cls);
		mark_undefined(b, HDR_SIZE);
	}
	b->chunk = c;
	b->pool = s;
	c->live++;
	s->live++;
	if (!has_room(c))
		unlink_room(s, c);
	mark_noaccess(b, class_bytes(cls));
	mark_undefined(payload(b), size);
	pthread_mutex_unlock(&s->lock);
	return payload(b);
}

/* Push @b on the deferred frees. */
static void
defer(struct sc_slab *s, struct blk *b)
{
	struct blk *head =
	        atomic_load_explicit(&s->deferred, memory_order_relaxed);
	size_t bytes = class_bytes(b->chunk->cls);

	/* poisoned before it is pushed: a drain may take it at once */
	do {
		mark_undefined(payload(b), sizeof(struct blk *));
		*free_link(b) = head;
		mark_noaccess(b, bytes);
	} while (!atomic_compare_exchange_weak_explicit(&s->deferred, &head, b,
	                                                memory_order_release,
	                                                memory_order_relaxed));
}

void
sc_slab_free(void *p)
{
	struct blk *b;
	struct sc_slab *s;
	bool last;

	if (!p)
		return;
	b = (struct blk *)(void *)((char *)p - HDR_SIZE);
	mark_defined(b, HDR_SIZE);
	if (!b->chunk) {
		free(b);
		return;
	}
	s = b->pool;
	if (!atomic_load_explicit(&s->released, memory_order_acquire)) {
		defer(s, b);
		return;
	}
	/* the owner is gone: no other thread uses the pool any more */
	pthread_mutex_lock(&s->lock);
	drain(s);
	take_back(s, b);
	last = s->live == 0;
	pthread_mutex_unlock(&s->lock);
	if (last)
		destroy(s);
}

void
sc_slab_stats(struct sc_slab *s, struct sc_slab_stats *st)
{
	pthread_mutex_lock(&s->lock);
	drain(s);
	st->live = s->live;
	st->chunks = s->nchunks;
	st->chunk_bytes = s->nchunks * CHUNK_BYTES;
	st->chunked = s->chunked;
	pthread_mutex_unlock(&s->lock);
}
