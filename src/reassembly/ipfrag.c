/* ipfrag.c - IPv4 (RFC 791) and IPv6 (RFC 8200 4.5) fragment reassembly
 *
 * Fragments are keyed by addresses, protocol and identification. Byte
 * ranges received are kept sorted; a datagram is complete when they cover
 * [0, total) and total is known from the fragment without "more". Time
 * is the capture's, so replaying a file gives the same result.
 *
 * Whatever the number of datagrams pending, each fragment costs O(1)
 * besides its own intervals: datagrams sit in a linked list in arrival
 * (= age) order, so the oldest is evicted or timed out at the head and
 * any other is unlinked in place; finished datagrams go to a small
 * stock and are reused, buffers included, so a steady stream of
 * fragmented messages allocates nothing per packet. A datagram's buffer
 * grows with the offsets seen, not to the largest datagram at once.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sipcause/util/hashmap.h"
#include "sipcause/util/list.h"
#include "sipcause/reassembly/ipfrag.h"

#define NS_PER_S INT64_C(1000000000)
/* finished datagrams kept for reuse */
#define SPARE_MAX 8

/* Identification of one datagram: family, protocol, id, addresses. */
struct frag_key {
	uint8_t family;
	uint8_t proto;
	uint8_t pad[2];
	uint32_t id;
	uint8_t src[16];
	uint8_t dst[16];
};

/* A sorted list of disjoint, non-touching byte intervals [start, end). */
struct ivlist {
	struct iv {
		size_t start;
		size_t end;
	} * v;
	size_t n;
	size_t alloc;
};

struct pending {
	struct frag_key key;
	struct sc_list link; /* in sc_ipfrag.pending, oldest first */
	int64_t first_ts;
	uint8_t *buf; /* buf_size bytes, grown up to max_datagram */
	size_t buf_size;
	struct ivlist wire; /* offsets the fragments covered on the wire */
	struct ivlist have; /* offsets whose bytes were captured */
	size_t total;       /* known once the last fragment came; else 0 */
	bool have_last;
	uint64_t *frames;
	size_t nframes;
};

struct sc_ipfrag {
	struct sc_ipfrag_limits lim;
	struct sc_ipfrag_stats stats;
	struct sc_hashmap map;  /* key -> struct pending * */
	struct sc_list pending; /* in arrival order, oldest first */
	size_t npending;
	struct pending *done; /* handed out, recycled on the next call */
	struct pending *spare[SPARE_MAX]; /* finished, ready for reuse */
	size_t nspare;
	int64_t last_expire;
};

static void
pending_free(struct pending *p)
{
	if (!p)
		return;
	free(p->buf);
	free(p->wire.v);
	free(p->have.v);
	free(p->frames);
	free(p);
}

struct sc_ipfrag *
sc_ipfrag_new(const struct sc_ipfrag_limits *limits)
{
	struct sc_ipfrag *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (limits)
		r->lim = *limits;
	if (!r->lim.max_datagram)
		r->lim.max_datagram = 65535;
	if (!r->lim.max_pending)
		r->lim.max_pending = 4096;
	if (!r->lim.max_fragments)
		r->lim.max_fragments = 256;
	if (!r->lim.timeout_ns)
		r->lim.timeout_ns = 30 * NS_PER_S;
	sc_hashmap_init(&r->map);
	sc_list_init(&r->pending);
	return r;
}

void
sc_ipfrag_free(struct sc_ipfrag *r)
{
	if (!r)
		return;
	for (struct sc_list *n; (n = sc_list_first(&r->pending)) != NULL;) {
		sc_list_del(n);
		pending_free(SC_CONTAINER_OF(n, struct pending, link));
	}
	pending_free(r->done);
	for (size_t i = 0; i < r->nspare; i++)
		pending_free(r->spare[i]);
	sc_hashmap_fini(&r->map);
	free(r);
}

const struct sc_ipfrag_stats *
sc_ipfrag_stats(const struct sc_ipfrag *r)
{
	return &r->stats;
}

size_t
sc_ipfrag_pending(const struct sc_ipfrag *r)
{
	return r->npending;
}

/* Keep @p for reuse, or free it when the stock is full. */
static void
recycle(struct sc_ipfrag *r, struct pending *p)
{
	if (!p)
		return;
	if (r->nspare == SPARE_MAX) {
		pending_free(p);
		return;
	}
	p->wire.n = 0;
	p->have.n = 0;
	p->nframes = 0;
	r->spare[r->nspare++] = p;
}

/* Take @p out of the list and the map: O(1). */
static struct pending *
unlink_pending(struct sc_ipfrag *r, struct pending *p)
{
	sc_hashmap_del(&r->map, &p->key, sizeof(p->key));
	sc_list_del(&p->link);
	r->npending--;
	return p;
}

static void
drop(struct sc_ipfrag *r, struct pending *p)
{
	recycle(r, unlink_pending(r, p));
}

static struct pending *
oldest(const struct sc_ipfrag *r)
{
	struct sc_list *n = sc_list_first(&r->pending);

	return n ? SC_CONTAINER_OF(n, struct pending, link) : NULL;
}

void
sc_ipfrag_expire(struct sc_ipfrag *r, int64_t now_ns)
{
	struct pending *p;

	/* arrival order is age order: stop at the first young one */
	while ((p = oldest(r)) != NULL &&
	       now_ns - p->first_ts > r->lim.timeout_ns) {
		drop(r, p);
		r->stats.timeouts++;
	}
	r->last_expire = now_ns;
}

static void
make_key(const struct sc_pkt *pkt, struct frag_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = pkt->src.addr.family;
	k->proto = pkt->ipproto;
	k->id = pkt->frag.id;
	memcpy(k->src, pkt->src.addr.bytes, sizeof(k->src));
	memcpy(k->dst, pkt->dst.addr.bytes, sizeof(k->dst));
}

static struct pending *
find_or_create(struct sc_ipfrag *r, const struct sc_pkt *pkt)
{
	struct frag_key k;
	struct pending *p;

	make_key(pkt, &k);
	p = sc_hashmap_get(&r->map, &k, sizeof(k));
	if (p)
		return p;
	if (r->npending >= r->lim.max_pending && (p = oldest(r)) != NULL) {
		drop(r, p);
		r->stats.evicted++;
	}
	p = r->nspare ? r->spare[--r->nspare] : calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->key = k;
	p->first_ts = pkt->ts_ns;
	p->total = 0;
	p->have_last = false;
	if (sc_hashmap_put(&r->map, &p->key, sizeof(p->key), p) != SC_OK) {
		pending_free(p);
		return NULL;
	}
	sc_list_add_tail(&r->pending, &p->link);
	r->npending++;
	return p;
}

/* Room for bytes up to offset @end (at most max_datagram). */
static bool
reserve(struct sc_ipfrag *r, struct pending *p, size_t end)
{
	size_t n = p->buf_size ? p->buf_size : 2048;
	uint8_t *b;

	if (p->buf && end <= p->buf_size)
		return true;
	while (n < end)
		n *= 2;
	if (n > r->lim.max_datagram)
		n = r->lim.max_datagram;
	b = realloc(p->buf, n);
	if (!b)
		return false;
	p->buf = b;
	p->buf_size = n;
	return true;
}

/* Bytes of [start, end) that @l does not cover yet. */
static size_t
iv_uncovered(const struct ivlist *l, size_t start, size_t end)
{
	size_t missing = end - start;

	for (size_t i = 0; i < l->n; i++) {
		size_t lo = l->v[i].start > start ? l->v[i].start : start;
		size_t hi = l->v[i].end < end ? l->v[i].end : end;

		if (lo < hi)
			missing -= hi - lo;
	}
	return missing;
}

/* Add [start, end) to @l, merging what touches it. */
static bool
iv_insert(struct ivlist *l, size_t start, size_t end)
{
	size_t i = 0, j;

	if (start >= end)
		return true;
	while (i < l->n && l->v[i].end < start)
		i++;
	/* merge every interval touching [start, end) into one */
	j = i;
	while (j < l->n && l->v[j].start <= end) {
		if (l->v[j].start < start)
			start = l->v[j].start;
		if (l->v[j].end > end)
			end = l->v[j].end;
		j++;
	}
	if (j == i) {
		if (l->n == l->alloc) {
			size_t n = l->alloc ? l->alloc * 2 : 8;
			struct iv *v = realloc(l->v, n * sizeof(*v));

			if (!v)
				return false;
			l->v = v;
			l->alloc = n;
		}
		memmove(&l->v[i + 1], &l->v[i], (l->n - i) * sizeof(*l->v));
		l->n++;
	} else if (j > i + 1) {
		memmove(&l->v[i + 1], &l->v[j], (l->n - j) * sizeof(*l->v));
		l->n -= j - i - 1;
	}
	l->v[i].start = start;
	l->v[i].end = end;
	return true;
}

/* Copy the captured bytes at @data for [start, start+len) into the
 * buffer where no byte was captured before: the first copy wins. */
static void
copy_new_bytes(struct pending *p, size_t start, const uint8_t *data, size_t len)
{
	size_t pos = start, end = start + len;

	for (size_t i = 0; i <= p->have.n && pos < end; i++) {
		size_t gap_end = i < p->have.n ? p->have.v[i].start : end;

		if (gap_end > end)
			gap_end = end;
		if (gap_end > pos)
			memcpy(p->buf + pos, data + (pos - start),
			       gap_end - pos);
		if (i < p->have.n && p->have.v[i].end > pos)
			pos = p->have.v[i].end;
	}
}

static bool
add_frame(struct pending *p, uint64_t frame)
{
	uint64_t *v;
	size_t i = 0;

	while (i < p->nframes && p->frames[i] < frame)
		i++;
	if (i < p->nframes && p->frames[i] == frame)
		return true;
	v = realloc(p->frames, (p->nframes + 1) * sizeof(*v));
	if (!v)
		return false;
	p->frames = v;
	memmove(&v[i + 1], &v[i], (p->nframes - i) * sizeof(*v));
	v[i] = frame;
	p->nframes++;
	return true;
}

enum sc_err
sc_ipfrag_add(struct sc_ipfrag *r, const struct sc_pkt *pkt,
              struct sc_datagram *out)
{
	struct pending *p;
	size_t start = pkt->frag.offset;
	size_t wire_len = pkt->wire_len > pkt->len ? pkt->wire_len : pkt->len;
	size_t wire_end, added;

	recycle(r, r->done);
	r->done = NULL;
	r->stats.fragments++;
	if (pkt->ts_ns - r->last_expire >= NS_PER_S)
		sc_ipfrag_expire(r, pkt->ts_ns);
	p = find_or_create(r, pkt);
	if (!p)
		return SC_ENOMEM;
	if (start > r->lim.max_datagram ||
	    wire_len > r->lim.max_datagram - start) {
		r->stats.too_big++;
		drop(r, p);
		return SC_ELIMIT;
	}
	wire_end = start + wire_len;
	if (!pkt->frag.more) {
		if (p->have_last && p->total != wire_end) {
			r->stats.inconsistent++;
			drop(r, p);
			return SC_EMALFORMED;
		}
		p->have_last = true;
		p->total = wire_end;
	}
	if (p->nframes >= r->lim.max_fragments) {
		r->stats.too_many++;
		drop(r, p);
		return SC_ELIMIT;
	}
	added = iv_uncovered(&p->wire, start, wire_end);
	if (added == 0)
		r->stats.duplicates++;
	else if (added < wire_end - start)
		r->stats.overlaps++;
	if (!reserve(r, p, start + pkt->len))
		return SC_ENOMEM;
	copy_new_bytes(p, start, pkt->payload, pkt->len);
	if (!iv_insert(&p->wire, start, wire_end) ||
	    !iv_insert(&p->have, start, start + pkt->len) ||
	    !add_frame(p, pkt->frame))
		return SC_ENOMEM;
	if (!p->have_last || p->wire.n != 1 || p->wire.v[0].start != 0 ||
	    p->wire.v[0].end < p->total)
		return SC_EAGAIN;

	/* complete: hand it out, keep it alive until the next call */
	r->done = unlink_pending(r, p);
	r->stats.reassembled++;
	out->p = p->buf;
	/* the captured prefix: a snaplen-cut fragment leaves a hole */
	out->len = p->have.n && p->have.v[0].start == 0 ? p->have.v[0].end : 0;
	if (out->len > p->total)
		out->len = p->total;
	out->truncated = out->len < p->total;
	out->ipproto = p->key.proto;
	out->ts_ns = pkt->ts_ns;
	out->frame = pkt->frame;
	out->frames = p->frames;
	out->nframes = p->nframes;
	return SC_OK;
}
