/* json_hold.c - finished calls held in memory, least in document order out
 *
 * Calls finish in about the order they started, not exactly: a call that
 * lasts longer is handed over after calls that started later. Held a
 * while, a min-heap gives them back in document order (first frame, then
 * Call-ID), so that most of them can go straight into the output.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "json_impl.h"

/* Document order: first frame, then Call-ID. The first frames are in the
 * heap's own array: most comparisons do not touch the calls' memory. */
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

bool
sc__hold_push(struct sc__hold *q, struct sc__held *h)
{
	struct sc__hold_slot x = { .first_frame = h->first_frame, .h = h };
	size_t i;

	if (q->n == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 64;
		struct sc__hold_slot *v = realloc(q->v, cap * sizeof(*v));

		if (!v)
			return false;
		q->v = v;
		q->cap = cap;
	}
	/* sift up */
	for (i = q->n++; i > 0 && less(&x, &q->v[(i - 1) / 2]); i = (i - 1) / 2)
		q->v[i] = q->v[(i - 1) / 2];
	q->v[i] = x;
	q->bytes += h->len;
	return true;
}

struct sc__held *
sc__hold_pop(struct sc__hold *q)
{
	struct sc__hold_slot last;
	struct sc__held *top;
	size_t i = 0;

	if (q->n == 0)
		return NULL;
	top = q->v[0].h;
	last = q->v[--q->n];
	/* sift down the last one from the root */
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= q->n)
			break;
		if (c + 1 < q->n && less(&q->v[c + 1], &q->v[c]))
			c++;
		if (!less(&q->v[c], &last))
			break;
		q->v[i] = q->v[c];
		i = c;
	}
	if (q->n)
		q->v[i] = last;
	q->bytes -= top->len;
	return top;
}

void
sc__hold_fini(struct sc__hold *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->v[i].h);
	free(q->v);
	memset(q, 0, sizeof(*q));
}
