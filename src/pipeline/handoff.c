/* handoff.c - a bounded ring of event batches between two threads */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>

#include "handoff.h"

/*
 * Events per batch, and batches in the ring: 6 x 256 x 40 bytes. The
 * calls side locks once per batch; the reading side runs at most six
 * batches ahead, so memory in flight is bounded. When the calls side is
 * the slower (JSON), the ring stays full of parsed messages: with 8
 * batches of 1024 the peak RSS of the 100k-call capture's JSON report
 * was 92.6 MiB, with 6 of 1024 79.6, with 6 of 256 about 5 MiB less. And
 * when the file ends, the calls side works alone through what is queued:
 * with batches of 1024, up to 6000 messages, a tenth of a 60k-packet
 * capture (20 to 25 ms alone at the end in a perf timeline; with 256,
 * 10 ms, and the whole run 0.94x the time, farm-bench -n 40 --vs). The
 * run over the whole 100k-call capture measured the same with either.
 */
#define BATCH 256
#define NBATCH 6

/*
 * Bytes of room per batch for what its events carry to the calls side
 * and it uses up within the batch (messages handed over unparsed: about
 * 550 bytes each on SIPp's calls; 256 of them fit). Memory made once
 * and reused, not a slab block allocated on one core and freed on the
 * other per message, which cost a cross-core atomic per free and a
 * chain of cache misses when the reading side took the blocks back (the
 * text report: 0.98x the time; 1 MiB measured the same).
 */
#define ROOM (160 * 1024)

struct batch {
	size_t n;
	size_t room_used;
	char *room; /* ROOM bytes, made when first asked for */
	struct sc__event ev[BATCH];
};

struct sc__handoff {
	pthread_mutex_t lock;
	pthread_cond_t not_empty;
	pthread_cond_t not_full;
	size_t head;         /* the batch being filled, when filling */
	size_t tail;         /* the oldest full batch */
	atomic_size_t count; /* full batches, from tail; changed under
	                        the lock, also read without it */
	bool closed;
	bool filling; /* ring[head] is the reading side's */
	struct batch ring[NBATCH];
};

struct sc__handoff *
sc__handoff_new(void)
{
	struct sc__handoff *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	if (pthread_mutex_init(&h->lock, NULL) != 0)
		goto no_lock;
	if (pthread_cond_init(&h->not_empty, NULL) != 0)
		goto no_not_empty;
	if (pthread_cond_init(&h->not_full, NULL) != 0)
		goto no_not_full;
	return h;
no_not_full:
	pthread_cond_destroy(&h->not_empty);
no_not_empty:
	pthread_mutex_destroy(&h->lock);
no_lock:
	free(h);
	return NULL;
}

void
sc__handoff_free(struct sc__handoff *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < NBATCH; i++)
		free(h->ring[i].room);
	pthread_cond_destroy(&h->not_full);
	pthread_cond_destroy(&h->not_empty);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

/* The filled batch goes to the calls side. */
static void
push(struct sc__handoff *h)
{
	pthread_mutex_lock(&h->lock);
	h->head = (h->head + 1) % NBATCH;
	h->count++;
	h->filling = false;
	pthread_cond_signal(&h->not_empty);
	pthread_mutex_unlock(&h->lock);
}

/* Fold @ev into the FRAME event @last when it is that frame's message
 * or end. */
static bool
fold(struct sc__event *last, const struct sc__event *ev)
{
	if (last->kind != SC__EV_FRAME || last->ended)
		return false;
	if (ev->kind == SC__EV_MSG && !last->p) {
		last->p = ev->p;
		last->unparsed = ev->unparsed;
		return true;
	}
	if (ev->kind == SC__EV_FRAME_END) {
		last->ended = true;
		last->end_ns = ev->ts_ns;
		last->in_file = ev->in_file;
		return true;
	}
	return false;
}

/* The batch the reading side fills, waiting for one to be free. */
static struct batch *
filling(struct sc__handoff *h)
{
	if (!h->filling) {
		pthread_mutex_lock(&h->lock);
		while (h->count == NBATCH)
			pthread_cond_wait(&h->not_full, &h->lock);
		h->filling = true;
		pthread_mutex_unlock(&h->lock);
		h->ring[h->head].n = 0;
		h->ring[h->head].room_used = 0;
	}
	return &h->ring[h->head];
}

void *
sc__handoff_room(struct sc__handoff *h, size_t size)
{
	struct batch *b = filling(h);
	size_t at = b->room_used;
	const size_t align = sizeof(max_align_t);

	if (!b->room && !(b->room = malloc(ROOM)))
		return NULL;
	if (size > ROOM - at)
		return NULL;
	b->room_used = at + (size + align - 1) / align * align;
	if (b->room_used > ROOM)
		b->room_used = ROOM;
	return b->room + at;
}

void
sc__handoff_put(struct sc__handoff *h, const struct sc__event *ev)
{
	struct batch *b = filling(h);

	if (b->n > 0 && fold(&b->ev[b->n - 1], ev))
		return;
	b->ev[b->n++] = *ev;
	if (b->n == BATCH)
		push(h);
}

bool
sc__handoff_hungry(struct sc__handoff *h)
{
	/* half the ring: the calls side has work while the reading side
	 * parses, and the ring does not fill while it does not */
	return atomic_load_explicit(&h->count, memory_order_relaxed) <
	       NBATCH / 2;
}

void
sc__handoff_close(struct sc__handoff *h)
{
	if (h->filling)
		push(h);
	pthread_mutex_lock(&h->lock);
	h->closed = true;
	pthread_cond_signal(&h->not_empty);
	pthread_mutex_unlock(&h->lock);
}

size_t
sc__handoff_take(struct sc__handoff *h, const struct sc__event **events)
{
	struct batch *b;

	pthread_mutex_lock(&h->lock);
	while (h->count == 0 && !h->closed)
		pthread_cond_wait(&h->not_empty, &h->lock);
	if (h->count == 0) {
		pthread_mutex_unlock(&h->lock);
		return 0;
	}
	b = &h->ring[h->tail];
	pthread_mutex_unlock(&h->lock);
	*events = b->ev;
	return b->n;
}

void
sc__handoff_release(struct sc__handoff *h)
{
	pthread_mutex_lock(&h->lock);
	h->tail = (h->tail + 1) % NBATCH;
	h->count--;
	pthread_cond_signal(&h->not_full);
	pthread_mutex_unlock(&h->lock);
}
