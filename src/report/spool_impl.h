/* spool_impl.h - the JSON spool's state (internal to json_spool.c, the
 * temporary file and the merge, and json_direct.c, calls written into the
 * output itself) */
#ifndef SC_SPOOL_IMPL_H
#define SC_SPOOL_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json_impl.h"
#include "sipcause/util/bgout.h"
#include "sipcause/util/dynbuf.h"
#include "sipcause/util/extsort.h"
#include "sipcause/util/jsonw.h"

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

struct mark; /* json_direct.c */

/*
 * Calls written into the output. Their places count the bytes of their
 * items, each starting with its comma, from 0: the first one's comma is
 * not written, so place p is at byte base + HEAD_ROOM + p - 1 of the
 * file (p > 0, json_direct.c).
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
	/* the oldest call still open, as the analyzer last said: a call
	 * after it that leaves the hold would make it late (UINT64_MAX:
	 * none, or it was added since) */
	uint64_t open_ff;
	struct mark *marks;
	size_t nmarks, capmarks;
	struct sc__held *last; /* the last call written */
	bool unindexed;        /* a call written could not be indexed */
	bool lost;             /* a held call could not be written */
	bool finished;         /* sc__direct_finish() ran */
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
	/* the document's output: the thread that writes its stream, or
	 * NULL; its descriptor (-1: a stream with none) */
	struct sc_bgout *out_bg;
	int out_fd;
	struct direct d;
};

/* json_spool.c */

/* Document order: first frame, then Call-ID. */
int sc__spool_order(uint64_t ff_a, const char *id_a, uint64_t ff_b,
                    const char *id_b);

/* The temporary file, made on first use; false when it cannot be. */
bool sc__spool_file_ready(struct sc__spool *s);

/* @d's item, made with @write, into the temporary file and indexed;
 * false when it could not be (the caller keeps the call). */
bool sc__spool_file_add(struct sc__spool *s, const struct sc_diagnosis *d,
                        sc__call_writer *write);

/* Held call @h into the temporary file, indexed; frees it. */
bool sc__spool_file_add_held(struct sc__spool *s, struct sc__held *h);

/* A record of @fixed (@size bytes), then each of the @n strings with its
 * NUL, added to @to. */
bool sc__spool_add_record(struct sc__spool *s, struct sc_extsort *to,
                          const void *fixed, size_t size,
                          const char *const *strs, size_t n);

/* @d's item into @to through s->w (see json_spool.c). */
struct sc__links_at sc__spool_make_item(struct sc__spool *s, FILE *to,
                                        const struct sc_diagnosis *d,
                                        sc__call_writer *write);

/* Every byte written to @f is in its descriptor. */
bool sc__spool_flushed(FILE *f, struct sc_bgout *bg);

/* json_direct.c */

/* Calls go into @fd directly from now on, when it can take them. */
void sc__direct_open(struct sc__spool *s, int fd);

/* @d's call, held or into the output (or the temporary file when too
 * late for its place); false when the caller must keep it. */
bool sc__direct_add(struct sc__spool *s, const struct sc_diagnosis *d,
                    sc__call_writer *write);

/* The calls from first frame @first_frame on are merged again. */
void sc__direct_merge_from(struct sc__spool *s, uint64_t first_frame);

/* The end of direct writing: see json_direct.c. */
bool sc__direct_finish(struct sc__spool *s, const char *head, size_t headlen,
                       uint64_t kept_ff, struct sc_jsonw *w);

void sc__direct_fini(struct sc__spool *s);

#endif /* SC_SPOOL_IMPL_H */
