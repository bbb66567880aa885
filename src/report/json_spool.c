/* json_spool.c - calls written ahead of the JSON document
 *
 * The document ends with its calls, ordered by first frame, after the
 * statistics that are known only at the end. Holding every call with its
 * messages until then costs memory in proportion to the capture (805 MB
 * for 100,000 calls). Instead, each finished call is written at once to
 * a temporary file, in the very bytes it will have in the document, and
 * freed; at the end the items are copied back in order. Memory then
 * holds an index entry per call, not the call.
 *
 * One part of a call can change after it finished: a B2BUA leg that
 * closes later may name it, and both legs then list each other in
 * "linked_calls". The linker reports such late links; the merge writes
 * the member's value anew for the calls that have any.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json_impl.h"
#include "sipcause/util/bgout.h"
#include "sipcause/util/vec.h"

/* Bytes per read back from the file. */
#define SPOOL_IO (1024 * 1024)

struct spooled {
	uint64_t first_frame;
	char *call_id;   /* with first_frame, the document's order */
	uint64_t off;    /* in the file */
	size_t len;      /* the item's bytes */
	size_t links_at; /* its "linked_calls" value: [links_at, links_end) */
	size_t links_end;
};

/* A Call-ID in the "linked_calls" of the spooled call (first_frame,
 * owner); seq keeps the order they were linked in. */
struct link_rec {
	uint64_t first_frame;
	char *owner;
	char *id;
	size_t seq;
};

struct sc__spool {
	FILE *f;
	int fd;              /* f's descriptor, read back by the merge */
	struct sc_bgout *bg; /* the thread that writes f, or NULL */
	uint64_t end;
	struct spooled *v;
	size_t n;
	struct link_rec *links;
	size_t nlinks;
	bool failed;       /* the file could not be made or written */
	bool links_lost;   /* a late link could not be recorded */
	struct sc_jsonw w; /* 64 KiB: not on the stack */
};

struct sc__spool *
sc__spool_new(void)
{
	return calloc(1, sizeof(struct sc__spool));
}

/*
 * An unnamed temporary file in $TMPDIR (tmpfile() ignores it), written
 * by a thread of its own, not by the thread that analyses. Still 4 KiB
 * a write(2), as stdio wrote it before: with 64 KiB writes, once the
 * page cache had seen some gigabytes, the kernel's time in them doubled
 * (ext4, Linux 6.18: 3.1 s of system time against 1.6 s for the json
 * run; 1.5x its wall time), and earlier a 1 MiB stdio buffer did the
 * same (2.1 s against 0.9 s).
 */
#define SPOOL_WRITE 4096

static FILE *
open_temp(struct sc__spool *s)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	FILE *f;
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	if (snprintf(path, sizeof(path), "%s/sipcause-json-XXXXXX", dir) >=
	    (int)sizeof(path))
		return NULL;
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	unlink(path);
	s->fd = fd;
	f = sc_bgout_open(fd, true, SPOOL_WRITE, &s->bg);
	if (!f)
		f = fdopen(fd, "w+");
	if (!f)
		close(fd);
	return f;
}

static bool
add_link(struct sc__spool *s, const char *owner, uint64_t first_frame,
         const char *id)
{
	struct link_rec *v = sc_grow(s->links, s->nlinks, sizeof(*v));
	struct link_rec *r;

	if (!v)
		return false;
	s->links = v;
	r = &v[s->nlinks];
	r->first_frame = first_frame;
	r->seq = s->nlinks;
	r->owner = strdup(owner);
	r->id = strdup(id);
	if (!r->owner || !r->id) {
		free(r->owner);
		free(r->id);
		return false;
	}
	s->nlinks++;
	return true;
}

/* The entry for @d, its bytes not yet written; NULL on failure. */
static struct spooled *
new_entry(struct sc__spool *s, const struct sc_diagnosis *d)
{
	struct spooled *v = sc_grow(s->v, s->n, sizeof(*v));

	if (!v)
		return NULL;
	s->v = v;
	v = &s->v[s->n];
	*v = (struct spooled){ .first_frame = d->call->first_frame,
		               .off = s->end };
	v->call_id = strdup(d->call->call_id);
	return v->call_id ? v : NULL;
}

bool
sc__spool_add(struct sc__spool *s, const struct sc_diagnosis *d,
              sc__call_writer *write)
{
	const struct sc_call *c = d->call;
	struct sc__links_at at = { 0 };
	struct spooled *e;

	if (!s->failed && !s->f)
		s->f = open_temp(s);
	e = s->f && !s->failed ? new_entry(s, d) : NULL;
	if (!e) {
		s->failed = true;
		return false;
	}
	/* at the depth of the calls array, as its first item: the bytes
	 * start with the line break and indent before the item */
	sc_jsonw_init(&s->w, s->f, true);
	sc_jsonw_nest(&s->w, SC__CALLS_DEPTH);
	write(&s->w, d, &at);
	sc_jsonw_flush(&s->w);
	for (size_t i = 0; i < c->nlinked && !s->links_lost; i++)
		s->links_lost =
		        !add_link(s, c->call_id, c->first_frame, c->linked[i]);
	if (ferror(s->f) || s->links_lost) {
		free(e->call_id);
		s->failed = true;
		return false;
	}
	e->len = (size_t)sc_jsonw_tell(&s->w);
	e->links_at = (size_t)at.start;
	e->links_end = (size_t)at.end;
	s->end += e->len;
	s->n++;
	return true;
}

void
sc__spool_link(struct sc__spool *s, const char *id, uint64_t first_frame,
               const char *call_id)
{
	if (!s->links_lost)
		s->links_lost = !add_link(s, id, first_frame, call_id);
}

/* Document order: first frame, then Call-ID. */
static int
order(uint64_t ff_a, const char *id_a, uint64_t ff_b, const char *id_b)
{
	if (ff_a != ff_b)
		return ff_a < ff_b ? -1 : 1;
	return strcmp(id_a, id_b);
}

static int
by_order(const void *a, const void *b)
{
	const struct spooled *x = a, *y = b;

	return order(x->first_frame, x->call_id, y->first_frame, y->call_id);
}

static int
by_owner(const void *a, const void *b)
{
	const struct link_rec *x = a, *y = b;
	int c = order(x->first_frame, x->owner, y->first_frame, y->owner);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Calls finish, and so are spooled, in about the order of their first
 * frames: the merge reads the file a window at a time, and most items
 * are in the window the one before them was read with.
 */
struct merge {
	struct sc__spool *s;
	struct sc_jsonw *w;
	sc__links_writer *links;
	char *buf; /* the window: the file's bytes [at, at + len) */
	size_t cap;
	uint64_t at;
	size_t len;
	size_t rec;       /* next link record */
	const char **ids; /* room for every record's Call-ID */
};

/*
 * The Call-IDs spooled call @e lists, in the order they were linked,
 * each once, never its own (as the linker adds them to a held call).
 * Returns how many, in m->ids; moves past @e's records.
 */
static size_t
gather_links(struct merge *m, const struct spooled *e)
{
	const char **ids = m->ids;
	struct sc__spool *s = m->s;
	size_t n = 0;

	while (m->rec < s->nlinks &&
	       order(s->links[m->rec].first_frame, s->links[m->rec].owner,
	             e->first_frame, e->call_id) < 0)
		m->rec++; /* a call that was not spooled (filtered out) */
	for (; m->rec < s->nlinks; m->rec++) {
		const struct link_rec *r = &s->links[m->rec];
		bool seen = strcmp(r->id, e->call_id) == 0;

		if (order(r->first_frame, r->owner, e->first_frame,
		          e->call_id) != 0)
			break;
		for (size_t i = 0; i < n && !seen; i++)
			seen = strcmp(ids[i], r->id) == 0;
		if (!seen)
			ids[n++] = r->id;
	}
	return n;
}

/* The bytes of spooled call @e, from the window or a new one; NULL
 * when they cannot be read. */
static const char *
item_bytes(struct merge *m, const struct spooled *e)
{
	size_t want = e->len > SPOOL_IO ? e->len : SPOOL_IO;
	ssize_t got;

	if (e->off >= m->at && e->off - m->at <= m->len &&
	    e->len <= m->len - (e->off - m->at))
		return m->buf + (e->off - m->at);
	if (want > m->cap) {
		char *b = realloc(m->buf, want);

		if (!b)
			return NULL;
		m->buf = b;
		m->cap = want;
	}
	if (want > m->s->end - e->off)
		want = (size_t)(m->s->end - e->off);
	got = pread(m->s->fd, m->buf, want, (off_t)e->off);
	m->at = e->off;
	m->len = got > 0 ? (size_t)got : 0;
	return m->len >= e->len ? m->buf : NULL;
}

/* Copy spooled call @e into the document. */
static bool
copy_item(struct merge *m, const struct spooled *e)
{
	const char *item = item_bytes(m, e);
	size_t n;

	if (!item)
		return false;
	n = gather_links(m, e);
	if (n == 0) {
		sc_jsonw_splice(m->w, item, e->len);
	} else {
		sc_jsonw_splice_head(m->w, item, e->links_at);
		m->links(m->w, m->ids, n);
		sc_jsonw_splice_tail(m->w, item + e->links_end,
		                     e->len - e->links_end);
	}
	return true;
}

/* Does spooled @e come before held @d in the document? */
static bool
before(const struct spooled *e, const struct sc_diagnosis *d)
{
	return order(e->first_frame, e->call_id, d->call->first_frame,
	             d->call->call_id) < 0;
}

bool
sc__spool_merge(struct sc__spool *s, const struct sc_diagnosis *const *kept,
                size_t nkept, sc__call_writer *write, sc__links_writer *links,
                struct sc_jsonw *w)
{
	struct merge m = { .s = s, .w = w, .links = links };
	size_t i = 0, k = 0;
	bool ok = !s->links_lost;

	if (s->n &&
	    (s->bg ? sc_bgout_finish(s->bg, s->f) != 0 : fflush(s->f) != 0))
		ok = false;
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), by_order);
	if (s->nlinks > 1)
		qsort(s->links, s->nlinks, sizeof(*s->links), by_owner);
	if (s->nlinks) {
		m.ids = malloc(s->nlinks * sizeof(*m.ids));
		ok = ok && m.ids;
	}
	while (ok && (i < s->n || k < nkept)) {
		if (k == nkept || (i < s->n && before(&s->v[i], kept[k])))
			ok = copy_item(&m, &s->v[i++]);
		else
			write(w, kept[k++], NULL);
	}
	free(m.buf);
	free(m.ids);
	return ok;
}

void
sc__spool_free(struct sc__spool *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].call_id);
	free(s->v);
	for (size_t i = 0; i < s->nlinks; i++) {
		free(s->links[i].owner);
		free(s->links[i].id);
	}
	free(s->links);
	if (s->f)
		fclose(s->f);
	free(s);
}
