/* analyze_impl.h - the analyzer's two halves (internal to pipeline/) */
#ifndef SC_ANALYZE_IMPL_H
#define SC_ANALYZE_IMPL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "handoff.h"
#include "sipcause/calls/correlate.h"
#include "sipcause/capture/capture.h"
#include "sipcause/diagnosis/classify.h"
#include "sipcause/pipeline/analyze.h"
#include "sipcause/util/vec.h"

/* Input files whose messages can be read again; later ones cannot. */
#define SC__MAX_INPUTS 64

/* Blocks of the files kept for reading messages again (reread.c). */
#define SC__BLOCK (16 * 1024)
#define SC__NBLOCKS 16

struct sc_analyzer {
	struct sc_analyzer_opts opts;
	struct sc_model *model;
	sc_progress_fn *progress;
	void *progress_ctx;

	/* the reading side (reading.c): frames to parsed messages; on a
	 * thread of its own while a file is read on two */
	struct sc_sipparser *parser;
	struct sc_ipfrag *frags;
	struct sc_tcp *tcp;
	struct sc_sctp *sctp;
	bool in_file;        /* reading a file: no time-based finish */
	uint64_t next_frame; /* frame numbers continue across files */
	int64_t now_ns;      /* capture clock: latest timestamp seen */
	int64_t seen_ns;     /* latest packet (ticks do not move it): the
	                        end of what a -w file of it holds */
	struct sc_stats *read_stats;  /* its counters: the model's, or its
	                                 own on a thread of its own */
	enum sc_err read_failure;     /* its first SC_ENOMEM */
	const struct sc_frame *frame; /* the frame being read, or NULL */
	int input;                    /* its file in inputs, -1: none */

	/* between the two: set while a file is read on two threads */
	struct sc__handoff *handoff;
	atomic_int stop; /* the calls side failed: reading stops (sc_err) */

	/* the calls side (analyze.c): messages to finished calls */
	struct sc_calltab *calls;
	struct sc_sipparser *late_parser; /* for messages handed over
	                                     unparsed */
	struct sc_linker *linker;
	struct sc_security *security; /* patterns across calls */
	struct sc_classify_env env;   /* registrations seen, for classify */
	bool linked_ahead;     /* end of input: calls linked before done */
	uint64_t oldest_open;  /* told to opts.on_oldest_open last */
	struct sc_vec closing; /* end of input: calls waiting to be linked */
	enum sc_err failure;   /* first SC_ENOMEM met inside a callback */

	/* the files whose messages can be read again (reread.c): opened by
	 * the reading side before any of their frames, read by the calls
	 * side through the handoff's ordering; a fixed array, so that the
	 * calls side never sees it move */
	struct sc_msg_reloader reloader;
	int inputs[SC__MAX_INPUTS];
	int ninputs;
	struct sc__block {
		uint8_t *bytes; /* SC__BLOCK of them, or NULL */
		size_t len;     /* read (less at the end of the file) */
		uint64_t off;   /* in the file */
		uint32_t input;
		uint64_t used; /* block_clock when last used */
	} blocks[SC__NBLOCKS];
	uint64_t block_clock;
};

/* reread.c: the files that can be read again, and reading them */
int sc__reread_add(struct sc_analyzer *a, const struct sc_capture *cap);
void sc__reread_mark(const struct sc_analyzer *a, struct sc_rawmsg *raw);
void sc__reread_init(struct sc_analyzer *a);
void sc__reread_fini(struct sc_analyzer *a);

/* An ICMP error quoting SIP, from the reading side to the calls side. */
struct icmp_event {
	struct sc_msg *quoted; /* the request quoted, with its Call-ID */
	struct sc_call_event ev;
};

/* The reading side's first failure (SC_ENOMEM). */
static inline void
sc__note_read_failure(struct sc_analyzer *a, enum sc_err err)
{
	if (err != SC_OK && a->read_failure == SC_OK)
		a->read_failure = err;
}

/*
 * The first failure of either side since the last call, both forgotten:
 * what one thread returns per frame, tick or run (on two threads the
 * reading side sees the calls side's through stop instead).
 */
static inline enum sc_err
sc__take_failures(struct sc_analyzer *a)
{
	enum sc_err err =
	        a->read_failure != SC_OK ? a->read_failure : a->failure;

	a->read_failure = SC_OK;
	a->failure = SC_OK;
	return err;
}

/* The reading side (reading.c). */
bool sc__is_sip_port(const void *ctx, uint16_t port);
void sc__on_rawmsg(void *ctx, const struct sc_rawmsg *raw);
enum sc_err sc__read_capture(struct sc_analyzer *a, struct sc_capture *cap,
                             struct sc_input_file *file, char *errbuf);

/*
 * parse_later.c: on two threads, the reading side hands @raw over
 * unparsed (true) when the calls side has little queued; the calls side
 * parses what it was handed (the event's p) into *msg, as
 * sc_sipmsg_parse() would have on the reading side.
 */
bool sc__hand_over_unparsed(struct sc_analyzer *a, const struct sc_rawmsg *raw);
enum sc_err sc__parse_handed_over(struct sc_analyzer *a, void *p,
                                  struct sc_msg **msg);

/* Hand @ev to the calls side: taken at once on one thread, queued on
 * the handoff ring on two (analyze.c). */
void sc__emit(struct sc_analyzer *a, const struct sc__event *ev);

#endif /* SC_ANALYZE_IMPL_H */
