/* extsort.c - records sorted in bounded memory, spilling runs to a file
 *
 * Records sit in one arena, each as a 4-byte length and its bytes, with
 * an array of their offsets in the order they came. When the two pass
 * the memory given, the offsets are sorted and the records written in
 * that order to the temporary file: a run. Reading sorts what is still
 * in memory as the last run and merges all runs through a binary heap,
 * each file run read through a window of its own.
 */
#define _GNU_SOURCE /* qsort_r() */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sipcause/util/dynbuf.h"
#include "sipcause/util/extsort.h"
#include "sipcause/util/tempfile.h"
#include "sipcause/util/vec.h"

#define LEN_BYTES sizeof(uint32_t)

/* A run's window: at least this, at most the second, shared out of the
 * memory the sorter was given. */
#define WINDOW_MIN (4 * 1024)
#define WINDOW_MAX (1024 * 1024)

struct run {
	uint64_t start, end; /* bytes of the file */
};

/* One run being merged: from the file, or the one left in memory. */
struct source {
	uint64_t at, end; /* file bytes not yet read into buf */
	char *buf;        /* buf[pos, len) is read and not yet taken */
	size_t cap, pos, len;
	bool in_memory;
	const char *rec; /* the record at the front of this run */
	size_t rec_len;
};

struct sc_extsort {
	sc_extsort_cmp *cmp;
	size_t memory;
	struct sc_dynbuf arena; /* the records held: length, bytes */
	size_t *offs; /* records in the arena, as they came (then sorted) */
	size_t n;
	uint64_t count;
	FILE *f; /* runs, once the first is written */
	int fd;
	uint64_t file_end;
	struct run *runs;
	size_t nruns;
	bool reading, failed;
	struct source *src; /* nruns + 1 while reading */
	size_t *heap;       /* sources with a record, front first */
	size_t nheap;
	size_t mem_next; /* next of the sorted offsets to take */
	bool have_last;  /* the front's record was handed out */
};

struct sc_extsort *
sc_extsort_new(sc_extsort_cmp *cmp, size_t memory)
{
	struct sc_extsort *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->cmp = cmp;
	x->memory = memory;
	x->fd = -1;
	sc_dynbuf_init(&x->arena, SIZE_MAX);
	return x;
}

static const char *
record_at(const struct sc_extsort *x, size_t off, size_t *len)
{
	uint32_t n;

	memcpy(&n, x->arena.p + off, LEN_BYTES);
	*len = n;
	return (const char *)x->arena.p + off + LEN_BYTES;
}

/* Record order, then the order they came in (offsets grow with it). */
static int
by_record(const void *a, const void *b, void *ctx)
{
	const struct sc_extsort *x = ctx;
	size_t oa = *(const size_t *)a, ob = *(const size_t *)b;
	size_t la, lb;
	const char *ra = record_at(x, oa, &la), *rb = record_at(x, ob, &lb);
	int c = x->cmp(ra, la, rb, lb);

	if (c)
		return c;
	return oa < ob ? -1 : oa > ob;
}

static void
sort_memory(struct sc_extsort *x)
{
	if (x->n > 1)
		qsort_r(x->offs, x->n, sizeof(*x->offs), by_record, x);
}

/* The records held, sorted, appended to the file as one run. */
static bool
spill(struct sc_extsort *x)
{
	struct run *runs = sc_grow(x->runs, x->nruns, sizeof(*runs));
	struct run *r;

	if (!runs)
		return false;
	x->runs = runs;
	if (!x->f) {
		x->fd = sc_temp_fd("sipcause-sort");
		x->f = x->fd >= 0 ? fdopen(x->fd, "w+") : NULL;
		if (!x->f)
			return false;
	}
	sort_memory(x);
	r = &x->runs[x->nruns];
	r->start = x->file_end;
	for (size_t i = 0; i < x->n; i++) {
		size_t len;
		const char *rec = record_at(x, x->offs[i], &len);

		if (fwrite(rec - LEN_BYTES, 1, LEN_BYTES + len, x->f) !=
		    LEN_BYTES + len)
			return false;
		x->file_end += LEN_BYTES + len;
	}
	r->end = x->file_end;
	x->nruns++;
	sc_dynbuf_reset(&x->arena);
	x->n = 0;
	return true;
}

static bool
fail(struct sc_extsort *x)
{
	x->failed = true;
	return false;
}

bool
sc_extsort_add(struct sc_extsort *x, const void *rec, size_t len)
{
	uint32_t n32 = (uint32_t)len;
	size_t at = x->arena.len;
	size_t *offs;

	if (x->failed || x->reading || len > UINT32_MAX)
		return fail(x);
	offs = sc_grow(x->offs, x->n, sizeof(*offs));
	if (!offs)
		return fail(x);
	x->offs = offs;
	if (sc_dynbuf_add(&x->arena, &n32, LEN_BYTES) != SC_OK ||
	    sc_dynbuf_add(&x->arena, rec, len) != SC_OK)
		return fail(x);
	x->offs[x->n++] = at;
	x->count++;
	if (x->arena.len + x->n * sizeof(*x->offs) >= x->memory && !spill(x))
		return fail(x);
	return true;
}

/*
 * At least @need bytes unread in @s's window, reading on from the file;
 * 0 when the run has ended before any, -1 on a short or failed read.
 */
static int
fill(struct sc_extsort *x, struct source *s, size_t need)
{
	while (s->len - s->pos < need) {
		size_t want;
		ssize_t got;

		if (s->at == s->end)
			return s->len == s->pos ? 0 : -1;
		memmove(s->buf, s->buf + s->pos, s->len - s->pos);
		s->len -= s->pos;
		s->pos = 0;
		if (need > s->cap) {
			char *b = realloc(s->buf, need);

			if (!b)
				return -1;
			s->buf = b;
			s->cap = need;
		}
		want = s->cap - s->len;
		if (want > s->end - s->at)
			want = (size_t)(s->end - s->at);
		got = pread(x->fd, s->buf + s->len, want, (off_t)s->at);
		if (got <= 0)
			return -1;
		s->at += (uint64_t)got;
		s->len += (size_t)got;
	}
	return 1;
}

/* Move @s to its next record: 1, 0 at its end, -1 on a read failure. */
static int
step(struct sc_extsort *x, struct source *s)
{
	uint32_t n;
	int rc;

	if (s->in_memory) {
		if (x->mem_next == x->n)
			return 0;
		s->rec = record_at(x, x->offs[x->mem_next++], &s->rec_len);
		return 1;
	}
	rc = fill(x, s, LEN_BYTES);
	if (rc <= 0)
		return rc;
	memcpy(&n, s->buf + s->pos, LEN_BYTES);
	if (fill(x, s, LEN_BYTES + (size_t)n) <= 0)
		return -1;
	s->rec = s->buf + s->pos + LEN_BYTES;
	s->rec_len = n;
	s->pos += LEN_BYTES + n;
	return 1;
}

/* Does source @a's record come before @b's? Runs written earlier hold
 * records added earlier, so ties go to the lower index. */
static bool
before(const struct sc_extsort *x, size_t a, size_t b)
{
	const struct source *sa = &x->src[a], *sb = &x->src[b];
	int c = x->cmp(sa->rec, sa->rec_len, sb->rec, sb->rec_len);

	return c < 0 || (c == 0 && a < b);
}

static void
sift_down(struct sc_extsort *x, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i, t;

		if (l < x->nheap && before(x, x->heap[l], x->heap[m]))
			m = l;
		if (r < x->nheap && before(x, x->heap[r], x->heap[m]))
			m = r;
		if (m == i)
			return;
		t = x->heap[i];
		x->heap[i] = x->heap[m];
		x->heap[m] = t;
		i = m;
	}
}

/* Sort what is held, open every run, and heap those with a record. */
static bool
start_reading(struct sc_extsort *x)
{
	size_t nsrc = x->nruns + 1;
	size_t window = x->nruns ? x->memory / 2 / x->nruns : 0;

	x->reading = true;
	if (window < WINDOW_MIN)
		window = WINDOW_MIN;
	if (window > WINDOW_MAX)
		window = WINDOW_MAX;
	if (x->f && fflush(x->f) != 0)
		return false;
	sort_memory(x);
	x->src = calloc(nsrc, sizeof(*x->src));
	x->heap = calloc(nsrc, sizeof(*x->heap));
	if (!x->src || !x->heap)
		return false;
	for (size_t i = 0; i < nsrc; i++) {
		struct source *s = &x->src[i];
		int rc;

		if (i < x->nruns) {
			s->at = x->runs[i].start;
			s->end = x->runs[i].end;
			s->buf = malloc(window);
			if (!s->buf)
				return false;
			s->cap = window;
		} else {
			s->in_memory = true;
		}
		rc = step(x, s);
		if (rc < 0)
			return false;
		if (rc > 0)
			x->heap[x->nheap++] = i;
	}
	for (size_t i = x->nheap / 2; i-- > 0;)
		sift_down(x, i);
	return true;
}

const void *
sc_extsort_next(struct sc_extsort *x, size_t *len)
{
	const struct source *s;

	if (x->failed)
		return NULL;
	if (!x->reading) {
		if (!start_reading(x)) {
			fail(x);
			return NULL;
		}
	} else if (x->have_last) {
		/* the front was taken last time: move it on */
		int rc = step(x, &x->src[x->heap[0]]);

		if (rc < 0) {
			fail(x);
			return NULL;
		}
		if (rc == 0)
			x->heap[0] = x->heap[--x->nheap];
		sift_down(x, 0);
	}
	x->have_last = x->nheap > 0;
	if (!x->nheap)
		return NULL;
	s = &x->src[x->heap[0]];
	*len = s->rec_len;
	return s->rec;
}

bool
sc_extsort_failed(const struct sc_extsort *x)
{
	return x->failed;
}

uint64_t
sc_extsort_count(const struct sc_extsort *x)
{
	return x->count;
}

size_t
sc_extsort_runs(const struct sc_extsort *x)
{
	return x->nruns;
}

void
sc_extsort_free(struct sc_extsort *x)
{
	if (!x)
		return;
	if (x->src)
		for (size_t i = 0; i < x->nruns; i++)
			free(x->src[i].buf);
	free(x->src);
	free(x->heap);
	free(x->runs);
	if (x->f)
		fclose(x->f);
	else if (x->fd >= 0)
		close(x->fd);
	free(x->offs);
	sc_dynbuf_fini(&x->arena);
	free(x);
}
