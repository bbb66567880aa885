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
 * Written so, every byte of the calls goes to the disk twice. When the
 * output is a regular file that can be read again, the calls go into it
 * directly instead ("direct"), after room left for the statistics: held
 * a while in memory (json_hold.c), the least first, they come out in
 * document order. A call that finishes too late for its place, a late
 * link, or a call the spool could not take, makes the calls from about
 * that place on go through the merge again: they are copied from the
 * output to the temporary file, and the output is cut there. At the end
 * the statistics go into the room left, padded with spaces (or, when
 * they outgrow it, every call is merged again after them).
 */
#define _GNU_SOURCE /* fopencookie() */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json_impl.h"
#include "sipcause/util/bgout.h"
#include "sipcause/util/dynbuf.h"
#include "sipcause/util/extsort.h"
#include "sipcause/util/tempfile.h"
#include "sipcause/util/vec.h"

/* Bytes per read back from the file. */
#define SPOOL_IO (1024 * 1024)

/* Room for the document's head before calls written into the output:
 * its statistics are a few kilobytes. */
#define HEAD_ROOM (64 * 1024)

/* Where a call written into the output starts, one every this many bytes
 * (the place calls are merged again from is one of these). */
#define MARK_EVERY (1024 * 1024)

/* An index record's offset with this bit is a call written into the
 * output: the rest is its place among the calls there (see struct
 * direct), not an offset in the temporary file. */
#define IN_OUTPUT (UINT64_C(1) << 63)

/* A spooled call's index record: this, then its Call-ID and a NUL. */
struct spooled {
	uint64_t first_frame; /* with the Call-ID, the document's order */
	uint64_t off;         /* in the file (or IN_OUTPUT) */
	uint64_t len;         /* the item's bytes */
	uint64_t links_at;    /* its "linked_calls" value: */
	uint64_t links_end;   /* [links_at, links_end) */
};

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

struct mark {
	uint64_t first_frame;
	uint64_t at; /* its place (struct direct) */
};

/*
 * Calls written into the output. Their places count the bytes of their
 * items, each starting with its comma, from 0: the first one's comma is
 * not written, so place p is at byte base + HEAD_ROOM + p - 1 of the
 * file (p > 0).
 */
struct direct {
	int fd;          /* the output; -1: calls are not written into it */
	int rfd;         /* the same file, open for reading */
	size_t hold_max; /* bytes of calls held before the least is written */
	struct sc__hold hold;
	FILE *f; /* writes the calls into fd, once started */
	struct sc_bgout *bg;
	uint64_t base; /* where the document starts in the output */
	uint64_t end;  /* the next place */
	/* calls from this first frame on must be merged again (UINT64_MAX:
	 * none) */
	uint64_t merge_ff;
	struct mark *marks;
	size_t nmarks, capmarks;
	struct sc__held *last; /* the last call written */
	bool unindexed;        /* a call written could not be indexed */
	bool lost;             /* a held call could not be written */
	FILE *mf;              /* makes an item in @item */
	struct sc_dynbuf item;
	uint64_t side_at; /* merged again: the first place in the file */
	uint64_t from;    /* merged again: places from here on */
};

struct sc__spool {
	FILE *f;
	int fd;              /* f's descriptor, read back by the merge */
	struct sc_bgout *bg; /* the thread that writes f, or NULL */
	uint64_t end;
	struct sc_extsort *index; /* a struct spooled per call */
	struct sc_extsort *links; /* a struct link_rec per late link */
	uint64_t nlinks;
	bool pretty;          /* the document's layout */
	bool failed;          /* the file could not be made or written */
	bool links_lost;      /* a late link could not be recorded */
	struct sc_jsonw w;    /* 64 KiB: not on the stack */
	struct sc_dynbuf rec; /* a record being made */
	struct direct d;
};

/* Document order: first frame, then Call-ID. */
static int
order(uint64_t ff_a, const char *id_a, uint64_t ff_b, const char *id_b)
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
	return order(x.e.first_frame, x.call_id, y.e.first_frame, y.call_id);
}

static int
by_owner(const void *a, size_t alen, const void *b, size_t blen)
{
	struct link x = link_of(a), y = link_of(b);
	int c = order(x.r.first_frame, x.owner, y.r.first_frame, y.owner);

	(void)alen;
	(void)blen;
	if (c)
		return c;
	return x.r.seq < y.r.seq ? -1 : x.r.seq > y.r.seq;
}

/* The item being made, written into s->d.item (a stream of fopencookie). */
static ssize_t
to_item(void *cookie, const char *buf, size_t n)
{
	return sc_dynbuf_add(cookie, buf, n) == SC_OK ? (ssize_t)n : -1;
}

/*
 * Calls go into @fd directly when it is a regular file not opened for
 * appending (its places are ours to choose) that can be opened again for
 * reading (to merge calls again from it).
 */
static void
direct_open(struct sc__spool *s, int fd)
{
	static const cookie_io_functions_t io = { .write = to_item };
	char path[64];
	struct stat st;
	int flags = fd >= 0 ? fcntl(fd, F_GETFL) : -1;

	if (flags < 0 || (flags & O_APPEND) || fstat(fd, &st) != 0 ||
	    !S_ISREG(st.st_mode) || lseek(fd, 0, SEEK_CUR) < 0)
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	s->d.rfd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->d.rfd < 0)
		return;
	s->d.mf = fopencookie(&s->d.item, "w", io);
	if (!s->d.mf || setvbuf(s->d.mf, NULL, _IONBF, 0) != 0)
		return;
	s->d.fd = fd;
}

struct sc__spool *
sc__spool_new(size_t index_memory, bool pretty, int out_fd, size_t hold)
{
	struct sc__spool *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->pretty = pretty;
	s->d.fd = s->d.rfd = -1;
	s->d.merge_ff = UINT64_MAX;
	s->d.hold_max = hold;
	sc_dynbuf_init(&s->d.item, SIZE_MAX);
	direct_open(s, out_fd);
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
static bool
add_record(struct sc__spool *s, struct sc_extsort *to, const void *fixed,
           size_t size, const char *const *strs, size_t n)
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

	if (!add_record(s, s->links, &r, sizeof(r), strs, 2))
		return false;
	s->nlinks++;
	return true;
}

/* The temporary file, made on first use; false when it cannot be. */
static bool
file_ready(struct sc__spool *s)
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
	    !add_record(s, s->index, &e, sizeof(e), &call_id, 1)) {
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
static struct sc__links_at
make_item(struct sc__spool *s, FILE *to, const struct sc_diagnosis *d,
          sc__call_writer *write)
{
	struct sc__links_at at = { 0 };

	sc__json_writer_init(&s->w, to, s->pretty);
	sc_jsonw_nest(&s->w, SC__CALLS_DEPTH, false);
	write(&s->w, d, &at);
	return at;
}

static bool
file_add(struct sc__spool *s, const struct sc_diagnosis *d,
         sc__call_writer *write)
{
	struct sc__links_at at;

	if (!file_ready(s))
		return false;
	at = make_item(s, s->f, d, write);
	sc_jsonw_flush(&s->w);
	return file_indexed(s, d->call->first_frame, d->call->call_id,
	                    sc_jsonw_tell(&s->w), at);
}

/* Held call @h into the temporary file; frees it. */
static bool
file_add_held(struct sc__spool *s, struct sc__held *h)
{
	bool ok = file_ready(s) &&
	          fwrite(h->bytes, 1, h->len, s->f) == h->len &&
	          file_indexed(s, h->first_frame, h->bytes + h->len, h->len,
	                       h->links);

	free(h);
	return ok;
}

/* The calls from first frame @first_frame on are merged again at the
 * end (with those before it back to a mark). */
static void
merge_from(struct sc__spool *s, uint64_t first_frame)
{
	if (first_frame < s->d.merge_ff)
		s->d.merge_ff = first_frame;
}

/* Does the call (@first_frame, @id) come after the last one written into
 * the output? */
static bool
after_last(const struct sc__spool *s, uint64_t first_frame, const char *id)
{
	const struct sc__held *last = s->d.last;

	return order(last->first_frame, last->bytes + last->len, first_frame,
	             id) < 0;
}

/* The first call into the output: after the room for the head. */
static bool
direct_start(struct sc__spool *s)
{
	off_t base = lseek(s->d.fd, 0, SEEK_CUR);
	int fd;

	if (base < 0 || lseek(s->d.fd, base + HEAD_ROOM, SEEK_SET) < 0)
		return false;
	fd = dup(s->d.fd);
	s->d.f = fd < 0 ? NULL : sc_bgout_open(fd, true, 0, &s->d.bg);
	if (fd >= 0 && !s->d.f)
		s->d.f = fdopen(fd, "w");
	if (!s->d.f) {
		if (fd >= 0)
			close(fd);
		(void)lseek(s->d.fd, base, SEEK_SET);
		return false;
	}
	s->d.base = (uint64_t)base;
	return true;
}

static bool
add_mark(struct sc__spool *s, uint64_t first_frame)
{
	struct mark *v;

	if (s->d.nmarks &&
	    s->d.end - s->d.marks[s->d.nmarks - 1].at < MARK_EVERY)
		return true;
	if (s->d.nmarks == s->d.capmarks) {
		size_t cap = s->d.capmarks ? 2 * s->d.capmarks : 64;

		v = realloc(s->d.marks, cap * sizeof(*v));
		if (!v)
			return false;
		s->d.marks = v;
		s->d.capmarks = cap;
	}
	s->d.marks[s->d.nmarks++] =
	        (struct mark){ .first_frame = first_frame, .at = s->d.end };
	return true;
}

/* Held call @h into the output at the next place (it stays as the last
 * one written). False when it could not go anywhere. */
static bool
write_direct(struct sc__spool *s, struct sc__held *h)
{
	const char *id = h->bytes + h->len;
	struct spooled e = { .first_frame = h->first_frame,
		             .off = IN_OUTPUT | s->d.end,
		             .len = h->len,
		             .links_at = h->links.start,
		             .links_end = h->links.end };
	size_t skip = s->d.end == 0; /* the first call's comma */

	if (!s->d.f && !direct_start(s)) {
		/* not into the output after all: every call to the file */
		s->d.fd = -1;
		return file_add_held(s, h);
	}
	fwrite(h->bytes + skip, 1, h->len - skip, s->d.f);
	if (!add_mark(s, h->first_frame) ||
	    !add_record(s, s->index, &e, sizeof(e), &id, 1))
		s->d.unindexed = true;
	s->d.end += h->len;
	free(s->d.last);
	s->d.last = h;
	return true;
}

static bool
direct_add(struct sc__spool *s, const struct sc_diagnosis *d,
           sc__call_writer *write)
{
	const struct sc_call *c = d->call;
	bool late = s->d.last && !after_last(s, c->first_frame, c->call_id);
	struct sc__links_at at;
	struct sc__held *h;
	const char *bytes;
	size_t len;

	/* calls the output cannot take in order go to the temporary file:
	 * without it, none goes into the output (the caller keeps them) */
	if (!s->d.last && !s->d.hold.n && !file_ready(s)) {
		s->d.fd = -1;
		return false;
	}
	if (late || s->d.merge_ff != UINT64_MAX) {
		/* too late for its place: merged, with the calls after it;
		 * and from the first such call on, all are (they would be
		 * copied back from the output) */
		if (late)
			merge_from(s, c->first_frame);
		return file_add(s, d, write);
	}
	sc_dynbuf_reset(&s->d.item);
	at = make_item(s, s->d.mf, d, write);
	/* most items are in the writer's buffer: taken from there */
	bytes = s->w.buf;
	len = s->w.len;
	if (s->w.handed) {
		sc_jsonw_flush(&s->w);
		bytes = (const char *)s->d.item.p;
		len = s->d.item.len;
	}
	if (ferror(s->d.mf)) {
		clearerr(s->d.mf);
		return false;
	}
	h = sc__held_new(c->first_frame, c->call_id, bytes, len, at);
	if (!h || !sc__hold_push(&s->d.hold, h)) {
		free(h);
		return false;
	}
	while (s->d.hold.bytes > s->d.hold_max && s->d.fd >= 0)
		if (!write_direct(s, sc__hold_pop(&s->d.hold)))
			s->d.lost = true;
	return true;
}

bool
sc__spool_add(struct sc__spool *s, const struct sc_diagnosis *d,
              sc__call_writer *write)
{
	const struct sc_call *c = d->call;

	if (!(s->d.fd >= 0 ? direct_add(s, d, write) : file_add(s, d, write)))
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
		merge_from(s, first_frame);
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
	while (m->have_link && order(m->link.r.first_frame, m->link.owner,
	                             e->e.first_frame, e->call_id) < 0)
		next_link(m); /* a call that was not spooled (filtered out) */
	for (; m->have_link; next_link(m)) {
		const char *id = m->link.id;
		bool seen = strcmp(id, e->call_id) == 0;

		if (order(m->link.r.first_frame, m->link.owner,
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
static bool
flushed(FILE *f, struct sc_bgout *bg)
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
		if (!flushed(m->w->out, m->out_bg))
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

/* The place of the last mark before first frame @first_frame (0 when
 * none): the calls merged again start there. */
static uint64_t
mark_before(const struct sc__spool *s, uint64_t first_frame)
{
	size_t lo = 0, hi = s->d.nmarks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->d.marks[mid].first_frame < first_frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? s->d.marks[lo - 1].at : 0;
}

/* The calls at places [@from, end) copied by the kernel from the output
 * to the end of the temporary file, each with its comma. */
static bool
copy_back(struct sc__spool *s, uint64_t from)
{
	off_t off = (off_t)(s->d.base + HEAD_ROOM + from - (from > 0));
	const off_t end = (off_t)(s->d.base + HEAD_ROOM + s->d.end - 1);

	if (!file_ready(s) || !flushed(s->f, s->bg))
		return false;
	s->d.side_at = s->end;
	if (from == 0) {
		if (write(s->fd, ",", 1) != 1)
			return false;
		s->end++;
	}
	while (off < end) {
		ssize_t n =
		        sendfile(s->fd, s->d.rfd, &off, (size_t)(end - off));

		if (n > 0)
			s->end += (uint64_t)n;
		else if (n == 0 || errno != EINTR)
			return false;
	}
	return true;
}

/* The head in the room before the calls, padded with spaces. */
static bool
put_head(struct sc__spool *s, const char *head, size_t len)
{
	char *room = malloc(HEAD_ROOM);
	bool ok;

	if (!room)
		return false;
	memcpy(room, head, len);
	memset(room + len, ' ', HEAD_ROOM - len);
	ok = pwrite(s->d.fd, room, HEAD_ROOM, (off_t)s->d.base) == HEAD_ROOM;
	free(room);
	return ok;
}

static bool
direct_stream_done(struct sc__spool *s)
{
	bool ok = flushed(s->d.f, s->d.bg);

	ok = fclose(s->d.f) == 0 && ok;
	s->d.f = NULL;
	s->d.bg = NULL;
	return ok;
}

/*
 * The end of writing calls into the output: the held ones go in too, and
 * the @head (put through @w when it cannot go before them). The calls to
 * merge again (from a call too late for its place, a late link, or
 * @kept_ff, the first kept call) are copied to the temporary file and
 * the output is cut where they start. Sets s->d.from: places before it
 * stay (UINT64_MAX: all, nothing is merged). False on an error.
 */
static bool
direct_finish(struct sc__spool *s, const char *head, size_t headlen,
              uint64_t kept_ff, struct sc_jsonw *w)
{
	const bool fits = headlen <= HEAD_ROOM;
	struct sc__held *h;
	bool ok = !s->d.lost;
	uint64_t cut;

	merge_from(s, kept_ff);
	if (s->d.last && fits && s->d.merge_ff == UINT64_MAX) {
		while ((h = sc__hold_pop(&s->d.hold)))
			ok = write_direct(s, h) && ok;
		s->d.from = UINT64_MAX;
		return direct_stream_done(s) && put_head(s, head, headlen) &&
		       lseek(s->d.fd,
		             (off_t)(s->d.base + HEAD_ROOM + s->d.end - 1),
		             SEEK_SET) >= 0 &&
		       ok;
	}
	/* the held calls are merged */
	while ((h = sc__hold_pop(&s->d.hold)))
		ok = file_add_held(s, h) && ok;
	if (!s->d.last) {
		/* and none went into the output */
		sc_jsonw_raw(w, head, headlen);
		return ok;
	}
	ok = direct_stream_done(s) && ok;
	s->d.from = fits ? mark_before(s, s->d.merge_ff) : 0;
	if (!ok || s->d.unindexed || !copy_back(s, s->d.from))
		return false;
	cut = fits ? s->d.base + HEAD_ROOM + s->d.from - (s->d.from > 0)
	           : s->d.base;
	if (ftruncate(s->d.fd, (off_t)cut) != 0 ||
	    lseek(s->d.fd, (off_t)cut, SEEK_SET) < 0)
		return false;
	if (fits)
		return put_head(s, head, headlen);
	sc_jsonw_raw(w, head, headlen);
	return true;
}

/* Does spooled @e come before held @d in the document? */
static bool
before(const struct entry *e, const struct sc_diagnosis *d)
{
	return order(e->e.first_frame, e->call_id, d->call->first_frame,
	             d->call->call_id) < 0;
}

bool
sc__spool_merge(struct sc__spool *s, const char *head, size_t headlen,
                const struct sc_diagnosis *const *kept, size_t nkept,
                sc__call_writer *write, sc__links_writer *links,
                struct sc_jsonw *w, struct sc_bgout *out_bg)
{
	/* -1 from fileno(): a stream with no descriptor */
	struct merge m = { .s = s,
		           .w = w,
		           .links = links,
		           .out_fd = out_bg ? sc_bgout_fd(out_bg)
		                            : fileno(w->out),
		           .out_bg = out_bg };
	bool ok = !s->links_lost;
	struct entry e;
	size_t k = 0, len;
	const void *rec;

	if (s->d.last || s->d.hold.n)
		ok = direct_finish(s, head, headlen,
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
	if (s->f && !flushed(s->f, s->bg))
		ok = false;
	sc_dynbuf_init(&m.ids, SIZE_MAX);
	sc_vec_init(&m.id_ptrs);
	next_link(&m);
	rec = sc_extsort_next(s->index, &len);
	while (ok && (rec || k < nkept)) {
		if (rec) {
			e = entry_of(rec);
			if (e.e.off & IN_OUTPUT) {
				uint64_t at = e.e.off & ~IN_OUTPUT;

				if (at < s->d.from) {
					/* in place */
					rec = sc_extsort_next(s->index, &len);
					continue;
				}
				e.e.off = s->d.side_at + (at - s->d.from);
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
	if (s->d.f)
		fclose(s->d.f);
	if (s->d.mf)
		fclose(s->d.mf);
	if (s->d.rfd >= 0)
		close(s->d.rfd);
	sc__hold_fini(&s->d.hold);
	free(s->d.last);
	free(s->d.marks);
	sc_dynbuf_fini(&s->d.item);
	free(s);
}
