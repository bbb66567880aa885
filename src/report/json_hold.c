/* json_hold.c - finished calls held in memory, least in document order out
 *
 * Calls finish in about the order they started, not exactly: a call that
 * lasts longer is handed over after calls that started later. Held a
 * while, they are given back in document order (first frame, then
 * Call-ID), so that most of them can go straight into the output.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "json_impl.h"

/* Document order: first frame, then Call-ID. The first frames are in the
 * array of slots: most comparisons do not touch the calls' memory. */
static bool
less(const struct sc__hold_slot *a, const struct sc__hold_slot *b)
{
	if (a->first_frame != b->first_frame)
		return a->first_frame < b->first_frame;
	return strcmp(a->h->bytes + a->h->len, b->h->bytes + b->h->len) < 0;
}

struct sc__held *
sc__held_new(uint64_t first_frame, const char *call_id, const char *bytes,
             size_t len, struct sc__links_at links)
{
	size_t idlen = strlen(call_id);
	struct sc__held *h = malloc(sizeof(*h) + len + idlen + 1);

	if (!h)
		return NULL;
	h->first_frame = first_frame;
	h->len = len;
	h->links = links;
	memcpy(h->bytes, bytes, len);
	memcpy(h->bytes + len, call_id, idlen + 1);
	return h;
}

/*
 * The held calls are an array sorted in document order, [lo, lo + n)
 * of @v: calls come nearly in order, so a new one goes in after a
 * comparison or a few, and the least leaves from the front at no cost
 * (a heap paid a sift over cold slots for every call).
 */
bool
sc__hold_push(struct sc__hold *q, struct sc__held *h)
{
	struct sc__hold_slot x = { .first_frame = h->first_frame, .h = h };
	size_t i;

	if (q->lo + q->n == q->cap) {
		if (q->lo > 0 && q->lo >= q->n) {
			/* the free front is as big as what is held: move */
			memmove(q->v, q->v + q->lo, q->n * sizeof(*q->v));
			q->lo = 0;
		} else {
			size_t cap = q->cap ? 2 * q->cap : 64;
			struct sc__hold_slot *v =
			        realloc(q->v, cap * sizeof(*v));

			if (!v)
				return false;
			q->v = v;
			q->cap = cap;
		}
	}
	for (i = q->lo + q->n; i > q->lo && less(&x, &q->v[i - 1]); i--)
		q->v[i] = q->v[i - 1];
	q->v[i] = x;
	q->n++;
	q->bytes += h->len;
	return true;
}

struct sc__held *
sc__hold_pop(struct sc__hold *q)
{
	struct sc__held *least;

	if (q->n == 0)
		return NULL;
	least = q->v[q->lo++].h;
	if (--q->n == 0)
		q->lo = 0;
	q->bytes -= least->len;
	return least;
}

void
sc__hold_fini(struct sc__hold *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->v[q->lo + i].h);
	free(q->v);
	memset(q, 0, sizeof(*q));
}
