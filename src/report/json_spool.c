/* json_spool.c - calls written ahead of the JSON document
 *
 * The document ends with its calls, ordered by first frame, after the
 * statistics that are known only at the end. Holding every call with its
 * messages until then costs memory in proportion to the capture (805 MB
 * for 100,000 calls). Instead, each finished call is written at once to
 * a temporary file, in the very bytes it will have in the document, and
 * freed; at the end the items are copied back in order, by the kernel
 * (sendfile(2)) where they follow each other in the file. What orders
 * them, an index record per call, goes through an external sort
 * (util/extsort.h): past its memory it spills sorted runs to a file of
 * its own, so memory stays bounded whatever the number of calls.
 *
 * One part of a call can change after it finished: a B2BUA leg that
 * closes later may name it, and both legs then list each other in
 * "linked_calls". The linker reports such late links; they are sorted
 * the same way, and the merge writes the member's value anew for the
 * calls that have any.
 *
 * Written to a regular file, most calls go into the output directly
 * instead (json_direct.c); this file takes the others.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "spool_impl.h"
#include "sipcause/util/bgout.h"
#include "sipcause/util/dynbuf.h"
#include "sipcause/util/extsort.h"
#include "sipcause/util/tempfile.h"
#include "sipcause/util/vec.h"

/* Bytes per read back from the file. */
#define SPOOL_IO (1024 * 1024)

/* A late link's record: this, then the owner's Call-ID and the linked
 * Call-ID, each with a NUL. The owner is the spooled call (first_frame,
 * owner); seq keeps the order they were linked in. */
struct link_rec {
	uint64_t first_frame;
	uint64_t seq;
};

/* A record read back: its fixed part and the strings after it. */
struct entry {
	struct spooled e;
	const char *call_id;
};

struct link {
	struct link_rec r;
	const char *owner, *id;
};

/* Document order: first frame, then Call-ID. */
int
sc__spool_order(uint64_t ff_a, const char *id_a, uint64_t ff_b,
                const char *id_b)
{
	if (ff_a != ff_b)
		return ff_a < ff_b ? -1 : 1;
	return strcmp(id_a, id_b);
}

static struct entry
entry_of(const void *rec)
{
	struct entry x;

	memcpy(&x.e, rec, sizeof(x.e));
	x.call_id = (const char *)rec + sizeof(x.e);
	return x;
}

static struct link
link_of(const void *rec)
{
	struct link x;

	memcpy(&x.r, rec, sizeof(x.r));
	x.owner = (const char *)rec + sizeof(x.r);
	x.id = x.owner + strlen(x.owner) + 1;
	return x;
}

static int
by_order(const void *a, size_t alen, const void *b, size_t blen)
{
	struct entry x = entry_of(a), y = entry_of(b);

	(void)alen;
	(void)blen;
	return sc__spool_order(x.e.first_frame, x.call_id, y.e.first_frame,
	                       y.call_id);
}

static int
by_owner(const void *a, size_t alen, const void *b, size_t blen)
{
	struct link x = link_of(a), y = link_of(b);
	int c = sc__spool_order(x.r.first_frame, x.owner, y.r.first_frame,
	                        y.owner);

	(void)alen;
	(void)blen;
	if (c)
		return c;
	return x.r.seq < y.r.seq ? -1 : x.r.seq > y.r.seq;
}

struct sc__spool *
sc__spool_new(size_t index_memory, bool pretty, FILE *out,
              struct sc_bgout *out_bg, size_t hold)
{
	struct sc__spool *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->pretty = pretty;
	s->out_bg = out_bg;
	/* -1 from fileno(): a stream with no descriptor */
	s->out_fd = out_bg ? sc_bgout_fd(out_bg) : fileno(out);
	s->d.fd = s->d.rfd = -1;
	s->d.merge_ff = UINT64_MAX;
	s->d.open_ff = UINT64_MAX;
	s->d.hold_max = hold;
	sc_dynbuf_init(&s->d.item, SIZE_MAX);
	sc__direct_open(s, s->out_fd);
	/* most of it for the calls: a late link is one per B2BUA leg */
	s->index = sc_extsort_new(by_order, index_memory - index_memory / 4);
	s->links = sc_extsort_new(by_owner, index_memory / 4);
	sc_dynbuf_init(&s->rec, SIZE_MAX);
	if (!s->index || !s->links) {
		sc__spool_free(s);
		return NULL;
	}
	return s;
}

/*
 * An unnamed temporary file, written by a thread of its own, not by the
 * thread that analyses. Still 4 KiB a write(2), as stdio wrote it
 * before: with 64 KiB writes, once the page cache had seen some
 * gigabytes, the kernel's time in them doubled (ext4, Linux 6.18: 3.1 s
 * of system time against 1.6 s for the json run; 1.5x its wall time),
 * and earlier a 1 MiB stdio buffer did the same (2.1 s against 0.9 s).
 */
#define SPOOL_WRITE 4096

static FILE *
open_temp(struct sc__spool *s)
{
	int fd = sc_temp_fd("sipcause-json");
	FILE *f;

	if (fd < 0)
		return NULL;
	s->fd = fd;
	f = sc_bgout_open(fd, true, SPOOL_WRITE, &s->bg);
	if (!f)
		f = fdopen(fd, "w+");
	if (!f)
		close(fd);
	return f;
}

/* A record of @fixed, then each of the @n strings with its NUL, added
 * to @to. */
bool
sc__spool_add_record(struct sc__spool *s, struct sc_extsort *to,
                     const void *fixed, size_t size, const char *const *strs,
                     size_t n)
{
	sc_dynbuf_reset(&s->rec);
	if (sc_dynbuf_add(&s->rec, fixed, size) != SC_OK)
		return false;
	for (size_t i = 0; i < n; i++)
		if (sc_dynbuf_add(&s->rec, strs[i], strlen(strs[i]) + 1) !=
		    SC_OK)
			return false;
	return sc_extsort_add(to, s->rec.p, s->rec.len);
}

static bool
add_link(struct sc__spool *s, const char *owner, uint64_t first_frame,
         const char *id)
{
	struct link_rec r = { .first_frame = first_frame, .seq = s->nlinks };
	const char *strs[] = { owner, id };

	if (!sc__spool_add_record(s, s->links, &r, sizeof(r), strs, 2))
		return false;
	s->nlinks++;
	return true;
}

/* The temporary file, made on first use; false when it cannot be. */
bool
sc__spool_file_ready(struct sc__spool *s)
{
	if (!s->failed && !s->f)
		s->f = open_temp(s);
	if (!s->f)
		s->failed = true;
	return !s->failed;
}

/* Index the item of @len bytes just written at the file's end. Not
 * indexed, the bytes in the file are never read: the caller keeps the
 * call instead. */
static bool
file_indexed(struct sc__spool *s, uint64_t first_frame, const char *call_id,
             uint64_t len, struct sc__links_at at)
{
	struct spooled e = { .first_frame = first_frame,
		             .off = s->end,
		             .len = len,
		             .links_at = at.start,
		             .links_end = at.end };

	if (ferror(s->f) ||
	    !sc__spool_add_record(s, s->index, &e, sizeof(e), &call_id, 1)) {
		s->failed = true;
		return false;
	}
	s->end += len;
	return true;
}

/*
 * @d's item into @to, at the depth of the calls array, as a later item:
 * the bytes start with the comma, line break and indent before the item,
 * so that items next to each other can be copied as one. Returns where
 * its "linked_calls" value is; sc_jsonw_tell(&s->w) is its length. What
 * fits in the writer's buffer is left there.
 */
struct sc__links_at
sc__spool_make_item(struct sc__spool *s, FILE *to, const struct sc_diagnosis *d,
                    sc__call_writer *write)
{
	struct sc__links_at at = { 0 };

	sc__json_writer_init(&s->w, to, s->pretty);
	sc_jsonw_nest(&s->w, SC__CALLS_DEPTH, false);
	write(&s->w, d, &at);
	return at;
}

bool
sc__spool_file_add(struct sc__spool *s, const struct sc_diagnosis *d,
                   sc__call_writer *write)
{
	struct sc__links_at at;

	if (!sc__spool_file_ready(s))
		return false;
	at = sc__spool_make_item(s, s->f, d, write);
	sc_jsonw_flush(&s->w);
	return file_indexed(s, d->call->first_frame, d->call->call_id,
	                    sc_jsonw_tell(&s->w), at);
}

/* Held call @h into the temporary file; frees it. */
bool
sc__spool_file_add_held(struct sc__spool *s, struct sc__held *h)
{
	bool ok = sc__spool_file_ready(s) &&
	          fwrite(h->bytes, 1, h->len, s->f) == h->len &&
	          file_indexed(s, h->first_frame, h->bytes + h->len, h->len,
	                       h->links);

	free(h);
	return ok;
}

bool
sc__spool_add(struct sc__spool *s, const struct sc_diagnosis *d,
              sc__call_writer *write)
{
	const struct sc_call *c = d->call;

	if (!(s->d.fd >= 0 ? sc__direct_add(s, d, write)
	                   : sc__spool_file_add(s, d, write)))
		return false;
	/* its links so far: the merge writes the value anew from all */
	for (size_t i = 0; i < c->nlinked && !s->links_lost; i++)
		s->links_lost =
		        !add_link(s, c->call_id, c->first_frame, c->linked[i]);
	return true;
}

void
sc__spool_link(struct sc__spool *s, const char *id, uint64_t first_frame,
               const char *call_id)
{
	if (!s->links_lost)
		s->links_lost = !add_link(s, id, first_frame, call_id);
	/* a call written into the output cannot take it there */
	if (s->d.fd >= 0)
		sc__direct_merge_from(s, first_frame);
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
	struct link link; /* the next late link, if have_link */
	bool have_link;
	bool started; /* an item was written */
	/* spooled bytes [send_at, send_end) not yet in the document, for
	 * the kernel to copy into out_fd (-1: through the writer) */
	int out_fd;
	struct sc_bgout *out_bg;
	uint64_t send_at, send_end;
	struct sc_dynbuf ids;  /* the Call-IDs one item lists, each with NUL */
	struct sc_vec id_ptrs; /* pointers into ids */
};

static void
next_link(struct merge *m)
{
	size_t len;
	const void *rec = sc_extsort_next(m->s->links, &len);

	m->have_link = rec != NULL;
	if (rec)
		m->link = link_of(rec);
}

/*
 * The Call-IDs spooled call @e lists, in the order they were linked,
 * each once, never its own (as the linker adds them to a held call), in
 * m->id_ptrs; moves past @e's link records. False when out of memory.
 */
static bool
gather_links(struct merge *m, const struct entry *e)
{
	const char *ids;

	sc_dynbuf_reset(&m->ids);
	m->id_ptrs.n = 0;
	while (m->have_link &&
	       sc__spool_order(m->link.r.first_frame, m->link.owner,
	                       e->e.first_frame, e->call_id) < 0)
		next_link(m); /* a call that was not spooled (filtered out) */
	for (; m->have_link; next_link(m)) {
		const char *id = m->link.id;
		bool seen = strcmp(id, e->call_id) == 0;

		if (sc__spool_order(m->link.r.first_frame, m->link.owner,
		                    e->e.first_frame, e->call_id) != 0)
			break;
		ids = (const char *)m->ids.p;
		for (size_t at = 0; at < m->ids.len && !seen;
		     at += strlen(ids + at) + 1)
			seen = strcmp(ids + at, id) == 0;
		if (!seen &&
		    sc_dynbuf_add(&m->ids, id, strlen(id) + 1) != SC_OK)
			return false;
	}
	/* the pointers once the buffer no longer moves */
	for (size_t at = 0; at < m->ids.len;) {
		char *id = (char *)m->ids.p + at;

		if (sc_vec_push(&m->id_ptrs, id) != SC_OK)
			return false;
		at += strlen(id) + 1;
	}
	return true;
}

/* The bytes of spooled call @e, from the window or a new one; NULL
 * when they cannot be read. */
static const char *
item_bytes(struct merge *m, const struct spooled *e)
{
	size_t want = e->len > SPOOL_IO ? (size_t)e->len : SPOOL_IO;
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

/* Every byte written to @f is in its descriptor: flushed, and written
 * by @bg's thread when it has one. */
bool
sc__spool_flushed(FILE *f, struct sc_bgout *bg)
{
	return bg ? sc_bgout_finish(bg, f) == 0 : fflush(f) == 0;
}

/* The spooled bytes [at, end) through the writer. */
static bool
copy_range(struct merge *m, uint64_t at, uint64_t end)
{
	while (at < end) {
		struct spooled piece = { .off = at, .len = end - at };
		const char *bytes;

		if (piece.len > SPOOL_IO)
			piece.len = SPOOL_IO;
		bytes = item_bytes(m, &piece);
		if (!bytes)
			return false;
		sc_jsonw_raw(m->w, bytes, (size_t)piece.len);
		at += piece.len;
	}
	return true;
}

/*
 * The bytes waiting to be sent, after what the writer and its stream
 * hold, copied by the kernel from the spool into the output: not read
 * into this process and written out again (0.28 s against 0.5-0.7 s for
 * the 762 MB of the 100k-call capture). Through the writer where the
 * kernel will not (an output opened for appending, say).
 */
static bool
send_pending(struct merge *m)
{
	off_t off = (off_t)m->send_at;
	const off_t end = (off_t)m->send_end;

	m->send_at = m->send_end = 0;
	if (off == end)
		return true;
	if (m->out_fd >= 0) {
		sc_jsonw_flush(m->w);
		if (!sc__spool_flushed(m->w->out, m->out_bg))
			return false;
	}
	while (m->out_fd >= 0 && off < end) {
		ssize_t n = sendfile(m->out_fd, m->s->fd, &off,
		                     (size_t)(end - off));

		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		if (n == 0 || (errno != EINVAL && errno != ENOSYS))
			return false;
		/* refused (off unchanged): from here through the writer */
		m->out_fd = -1;
	}
	return copy_range(m, (uint64_t)off, (uint64_t)end);
}

/* Copy spooled call @e into the document. */
static bool
copy_item(struct merge *m, const struct entry *e)
{
	/* the item's bytes start with its comma: not the first item's */
	uint64_t at = e->e.off + (m->started ? 0 : 1);
	const char *item;
	size_t n;

	if (!gather_links(m, e))
		return false;
	n = m->id_ptrs.n;
	if (n == 0) {
		if (!m->started)
			sc_jsonw_splice(m->w, "", 0); /* the writer's first */
		m->started = true;
		if (at != m->send_end && !send_pending(m))
			return false;
		if (m->send_at == m->send_end)
			m->send_at = at;
		m->send_end = e->e.off + e->e.len;
		return true;
	}
	if (!send_pending(m))
		return false;
	item = item_bytes(m, &e->e);
	if (!item)
		return false;
	m->started = true;
	/* without its comma: the writer puts one where needed */
	sc_jsonw_splice_head(m->w, item + 1, e->e.links_at - 1);
	m->links(m->w, (const char *const *)m->id_ptrs.v, n);
	sc_jsonw_splice_tail(m->w, item + e->e.links_end,
	                     e->e.len - e->e.links_end);
	return true;
}

/* Does spooled @e come before held @d in the document? */
static bool
before(const struct entry *e, const struct sc_diagnosis *d)
{
	return sc__spool_order(e->e.first_frame, e->call_id,
	                       d->call->first_frame, d->call->call_id) < 0;
}

/*
 * Where spooled @e is read from: a call written into the output was
 * copied back to the temporary file if its place is s->d.from or later
 * (its offset there set in @e); false for one before, which stays in
 * place.
 */
static bool
read_from_file(const struct sc__spool *s, struct entry *e)
{
	uint64_t at;

	if (!(e->e.off & IN_OUTPUT))
		return true;
	at = e->e.off & ~IN_OUTPUT;
	if (at < s->d.from)
		return false;
	e->e.off = s->d.side_at + (at - s->d.from);
	return true;
}

bool
sc__spool_merge(struct sc__spool *s, const char *head, size_t headlen,
                const struct sc_diagnosis *const *kept, size_t nkept,
                sc__call_writer *write, sc__links_writer *links,
                struct sc_jsonw *w)
{
	struct merge m = { .s = s,
		           .w = w,
		           .links = links,
		           .out_fd = s->out_fd,
		           .out_bg = s->out_bg };
	bool ok = !s->links_lost;
	struct entry e;
	size_t k = 0, len;
	const void *rec;

	if (s->d.last || s->d.hold.n)
		ok = sc__direct_finish(s, head, headlen,
		                       nkept ? kept[0]->call->first_frame
		                             : UINT64_MAX,
		                       w) &&
		     ok;
	else
		sc_jsonw_raw(w, head, headlen);
	if (s->d.from > 0) {
		/* calls stay in the output before these */
		sc_jsonw_nest(w, SC__CALLS_DEPTH, false);
		m.started = true;
	}
	if (s->d.from == UINT64_MAX)
		return ok;
	if (s->f && !sc__spool_flushed(s->f, s->bg))
		ok = false;
	sc_dynbuf_init(&m.ids, SIZE_MAX);
	sc_vec_init(&m.id_ptrs);
	next_link(&m);
	rec = sc_extsort_next(s->index, &len);
	while (ok && (rec || k < nkept)) {
		if (rec) {
			e = entry_of(rec);
			if (!read_from_file(s, &e)) {
				rec = sc_extsort_next(s->index, &len);
				continue;
			}
		}
		if (k == nkept || (rec && before(&e, kept[k]))) {
			ok = copy_item(&m, &e);
			rec = sc_extsort_next(s->index, &len);
		} else {
			ok = send_pending(&m);
			write(w, kept[k++], NULL);
			m.started = true;
		}
	}
	if (ok)
		ok = send_pending(&m);
	if (sc_extsort_failed(s->index) || sc_extsort_failed(s->links))
		ok = false;
	free(m.buf);
	sc_dynbuf_fini(&m.ids);
	sc_vec_fini(&m.id_ptrs);
	return ok;
}

void
sc__spool_free(struct sc__spool *s)
{
	if (!s)
		return;
	sc_extsort_free(s->index);
	sc_extsort_free(s->links);
	sc_dynbuf_fini(&s->rec);
	if (s->f)
		fclose(s->f);
	sc__direct_fini(s);
	free(s);
}
