/* json_direct.c - calls written into the JSON document's output itself
 *
 * The spool (json_spool.c) writes every byte of the calls to the disk
 * twice: into its temporary file, then copied into the document at the
 * end, because the statistics come first. When the output is a regular
 * file that can be read again, the calls go into it directly instead,
 * after room left for the statistics: held a while in memory
 * (json_hold.c), the least first, they come out in document order. A
 * call still open (the analyzer says which is the oldest) when a later
 * one leaves the hold would be late: the calls after it go to the
 * temporary file from then on. A call that finishes too late for its
 * place anyway, a late link, or a call the spool could not take, makes
 * the calls from about that place on go through the merge again: they
 * are copied from the output to the temporary file, and the output is
 * cut there. At the end the statistics go into the room left, padded
 * with spaces (or, when they outgrow it, every call is merged again
 * after them).
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

#include "spool_impl.h"

/* Room for the document's head before calls written into the output:
 * its statistics are a few kilobytes. */
#define HEAD_ROOM (64 * 1024)

/* Where a call written into the output starts, one every this many bytes
 * (the place calls are merged again from is one of these). */
#define MARK_EVERY (1024 * 1024)

struct mark {
	uint64_t first_frame;
	uint64_t at; /* its place (struct direct) */
};

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
void
sc__direct_open(struct sc__spool *s, int fd)
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

/* The calls from first frame @first_frame on are merged again at the
 * end (with those before it back to a mark). */
void
sc__direct_merge_from(struct sc__spool *s, uint64_t first_frame)
{
	if (first_frame < s->d.merge_ff)
		s->d.merge_ff = first_frame;
}

void
sc__spool_oldest_open(struct sc__spool *s, uint64_t first_frame)
{
	s->d.open_ff = first_frame;
}

/* Does the call (@first_frame, @id) come after the last one written into
 * the output? */
static bool
after_last(const struct sc__spool *s, uint64_t first_frame, const char *id)
{
	const struct sc__held *last = s->d.last;

	return sc__spool_order(last->first_frame, last->bytes + last->len,
	                       first_frame, id) < 0;
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
		return sc__spool_file_add_held(s, h);
	}
	/* short when the stream failed: the document would lack the call */
	if (fwrite(h->bytes + skip, 1, h->len - skip, s->d.f) != h->len - skip)
		s->d.lost = true;
	if (!add_mark(s, h->first_frame) ||
	    !sc__spool_add_record(s, s->index, &e, sizeof(e), &id, 1))
		s->d.unindexed = true;
	s->d.end += h->len;
	free(s->d.last);
	s->d.last = h;
	return true;
}

bool
sc__direct_add(struct sc__spool *s, const struct sc_diagnosis *d,
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
	if (!s->d.last && !s->d.hold.n && !sc__spool_file_ready(s)) {
		s->d.fd = -1;
		return false;
	}
	if (late || s->d.merge_ff != UINT64_MAX) {
		/* too late for its place: merged, with the calls after it;
		 * and from the first such call on, all are (they would be
		 * copied back from the output) */
		if (late)
			sc__direct_merge_from(s, c->first_frame);
		return sc__spool_file_add(s, d, write);
	}
	if (c->first_frame == s->d.open_ff)
		s->d.open_ff = UINT64_MAX; /* it is done; which is next is
		                              not known yet */
	sc_dynbuf_reset(&s->d.item);
	at = sc__spool_make_item(s, s->d.mf, d, write);
	/* most items are in the writer's buffer: taken from there */
	bytes = s->w.buf;
	len = s->w.len;
	if (s->w.handed) {
		sc_jsonw_flush(&s->w);
		bytes = (const char *)s->d.item.p;
		len = s->d.item.len;
	}
	if (s->w.handed && ferror(s->d.mf)) { /* only then written to */
		clearerr(s->d.mf);
		return false;
	}
	h = sc__held_new(c->first_frame, c->call_id, bytes, len, at);
	if (!h || !sc__hold_push(&s->d.hold, h)) {
		free(h);
		return false;
	}
	while (s->d.hold.bytes > s->d.hold_max && s->d.fd >= 0 &&
	       s->d.merge_ff == UINT64_MAX) {
		h = sc__hold_pop(&s->d.hold);
		if (h->first_frame > s->d.open_ff) {
			/* a call still open comes before it: written, it
			 * would make that call late, and the calls from its
			 * place on be copied back at the end; they go through
			 * the spool from now on instead */
			sc__direct_merge_from(s, s->d.open_ff);
			if (!sc__spool_file_add_held(s, h))
				s->d.lost = true;
		} else if (!write_direct(s, h)) {
			s->d.lost = true;
		}
	}
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

	if (!sc__spool_file_ready(s) || !sc__spool_flushed(s->f, s->bg))
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
	bool ok = sc__spool_flushed(s->d.f, s->d.bg);

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
bool
sc__direct_finish(struct sc__spool *s, const char *head, size_t headlen,
                  uint64_t kept_ff, struct sc_jsonw *w)
{
	const bool fits = headlen <= HEAD_ROOM;
	struct sc__held *h;
	bool ok = !s->d.lost;
	uint64_t cut;

	s->d.finished = true;
	sc__direct_merge_from(s, kept_ff);
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
		ok = sc__spool_file_add_held(s, h) && ok;
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

void
sc__direct_fini(struct sc__spool *s)
{
	if (s->d.f)
		fclose(s->d.f);
	/* a run that ended before its report (an error): no half document,
	 * as when nothing was written before the end */
	if (s->d.last && !s->d.finished &&
	    ftruncate(s->d.fd, (off_t)s->d.base) != 0) {
		/* nothing more to do: the run exits with its error */
	}
	if (s->d.mf)
		fclose(s->d.mf);
	if (s->d.rfd >= 0)
		close(s->d.rfd);
	sc__hold_fini(&s->d.hold);
	free(s->d.last);
	free(s->d.marks);
	sc_dynbuf_fini(&s->d.item);
}
