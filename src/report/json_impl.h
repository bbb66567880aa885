/* json_impl.h - the JSON document's spool of calls (internal to report/) */
#ifndef SC_JSON_IMPL_H
#define SC_JSON_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/diagnosis/diagnosis.h"
#include "sipcause/util/bgout.h"
#include "sipcause/util/jsonw.h"

/* The depth of the items of the document's "calls" array. */
#define SC__CALLS_DEPTH 2

/* A writer of the document's layout on @out (report opts.pretty). */
void sc__json_writer_init(struct sc_jsonw *w, FILE *out, bool pretty);

/*
 * Writes one call object; when @links is not NULL, also where the value
 * of its "linked_calls" member starts and ends, in sc_jsonw_tell() bytes.
 */
struct sc__links_at {
	uint64_t start, end;
};
typedef void sc__call_writer(struct sc_jsonw *w, const struct sc_diagnosis *d,
                             struct sc__links_at *links);

/* Writes a "linked_calls" value (an array of Call-IDs). */
typedef void sc__links_writer(struct sc_jsonw *w, const char *const *ids,
                              size_t n);

/* A finished call's item, held in memory (json_hold.c). */
struct sc__held {
	uint64_t first_frame;
	size_t len;                /* of the item's bytes */
	struct sc__links_at links; /* its "linked_calls" value in them */
	char bytes[];              /* the item's bytes, then its Call-ID */
};

struct sc__held *sc__held_new(uint64_t first_frame, const char *call_id,
                              const char *bytes, size_t len,
                              struct sc__links_at links);

/* Held calls, given back least first in document order (first frame,
 * then Call-ID); @bytes counts their items' bytes. */
struct sc__hold_slot {
	uint64_t first_frame;
	struct sc__held *h;
};

struct sc__hold {
	struct sc__hold_slot *v; /* [lo, lo + n) held, sorted */
	size_t lo, n, cap;
	size_t bytes;
};

bool sc__hold_push(struct sc__hold *q, struct sc__held *h);
struct sc__held *sc__hold_pop(struct sc__hold *q); /* NULL when empty */
void sc__hold_fini(struct sc__hold *q);

struct sc__spool;

/*
 * sc__spool_new - @index_memory: what the index of spooled calls and
 * their late links may hold in memory before it spills sorted runs to a
 * file. @out: the document's stream, written by @out_bg's thread when
 * not NULL (util/bgout.h); spooled items are copied by the kernel into
 * the descriptor under it where it can. When that is a regular file
 * that can be read again, calls go into it directly: @hold bytes of
 * calls are held in memory to put them in order, and only those that
 * finish too late for their place go to the temporary file.
 */
struct sc__spool *sc__spool_new(size_t index_memory, bool pretty, FILE *out,
                                struct sc_bgout *out_bg, size_t hold);

/*
 * sc__spool_add - write @d's object to the spool now, in the bytes it
 * will have in the document. False when it could not be (no temporary
 * file, out of memory, a write error): the caller keeps the call
 * instead, and the spool takes no more.
 */
bool sc__spool_add(struct sc__spool *s, const struct sc_diagnosis *d,
                   sc__call_writer *write);

/* A later leg (@call_id) linked to the spooled call @id, @first_frame:
 * it is added to that call's "linked_calls" when merged. */
void sc__spool_link(struct sc__spool *s, const char *id, uint64_t first_frame,
                    const char *call_id);

/*
 * sc__spool_merge - write the document's @head (its first @headlen
 * bytes, up to the calls array's opening bracket, which @w wrote and is
 * left after) and the calls array's items: the spooled ones and the
 * @nkept calls still held (in document order), merged by first frame
 * then Call-ID. Calls written into the output directly stay where they
 * are when they can. @w writes the spool's @out (sc__spool_new). False
 * when the spool could not be read back or a late link could not be
 * recorded.
 */
bool sc__spool_merge(struct sc__spool *s, const char *head, size_t headlen,
                     const struct sc_diagnosis *const *kept, size_t nkept,
                     sc__call_writer *write, sc__links_writer *links,
                     struct sc_jsonw *w);

/* The first frame of the oldest call not yet added (sc_report_oldest_open);
 * UINT64_MAX: none. */
void sc__spool_oldest_open(struct sc__spool *s, uint64_t first_frame);

void sc__spool_free(struct sc__spool *s);

#endif /* SC_JSON_IMPL_H */
