/* ladder.h - a call's messages laid out as a ladder (sequence diagram) */
#ifndef SC_LADDER_H
#define SC_LADDER_H

#include <stddef.h>
#include <stdint.h>

#include "sipcause/calls/correlate.h"
#include "sipcause/diagnosis/diagnosis.h"
#include "sipcause/util/compiler.h"
#include "sipcause/util/error.h"

/*
 * The layout every format draws (text, Markdown, SVG): one column per
 * endpoint in the order it first appears, one row per message. Nothing
 * here analyses: retransmissions and annotations come from the model.
 */

/* A column: an endpoint and the User-Agent or Server it announced. */
struct sc_ladder_host {
	struct sc_endpoint ep;
	const char *agent; /* borrowed from a message, or NULL */
};

/* A row: one message between two columns. */
struct sc_ladder_row {
	const struct sc_callmsg *cm;   /* borrowed from the call */
	const struct sc_explain *note; /* its annotation, or NULL */
	size_t from;                   /* column indexes */
	size_t to;
	int64_t rel_ns;   /* since the call's first message */
	int64_t delta_ns; /* since the previous row */
};

struct sc_ladder {
	struct sc_ladder_host *hosts;
	size_t nhosts;
	struct sc_ladder_row *rows;
	size_t nrows;
};

/*
 * sc_ladder_build - lay out the messages the call of @d still holds (none
 * once summarised: an empty ladder), each with its annotation. Borrows
 * from @d, which must outlive the ladder. SC_ENOMEM leaves @l empty.
 */
enum sc_err sc_ladder_build(struct sc_ladder *l,
                            const struct sc_diagnosis *d) SC_WARN_UNUSED;

/* Release the ladder (not the call). */
void sc_ladder_fini(struct sc_ladder *l);

/*
 * sc_ladder_label - the arrow's text into @buf: the method for a request,
 * "CODE Reason" for a response. Raw wire text: escape it to print it.
 */
const char *sc_ladder_label(const struct sc_msg *m, char *buf, size_t len);

#endif /* SC_LADDER_H */
