/* report.h - write the model in a chosen format */
#ifndef SC_REPORT_H
#define SC_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "sipcause/util/compiler.h"
#include "sipcause/calls/correlate.h"
#include "sipcause/util/error.h"
#include "sipcause/pipeline/model.h"

/*
 * Every format reads the same model and nothing else: reports never
 * analyse. Streaming formats (jsonl) write each call as it finishes;
 * the others write everything at the end.
 */
#define SC_FORMATS(X)           \
	X(TEXT, "text")         \
	X(JSON, "json")         \
	X(JSONL, "jsonl")       \
	X(CSV, "csv")           \
	X(MARKDOWN, "markdown") \
	X(HTML, "html")

enum sc_format {
#define SC_FORMAT_ENUM(name, id) SC_FORMAT_##name,
	SC_FORMATS(SC_FORMAT_ENUM)
#undef SC_FORMAT_ENUM
	        SC_FORMAT__COUNT
};

/* Format by name ("json"); false when unknown. */
bool sc_format_from_name(const char *name, enum sc_format *out);

/* Name of a format; static lifetime. */
const char *sc_format_name(enum sc_format f);

/*
 * True for formats that need messages kept (not just summaries): json,
 * markdown and html (the last two for the calls they draw, see
 * sc_report_wants_messages()).
 */
bool sc_format_needs_messages(enum sc_format f);

/* Decides whether a call is shown (filters); NULL shows all. */
typedef bool sc_report_filter(void *ctx, const struct sc_diagnosis *d);

struct sc_bgout;

struct sc_report_opts {
	enum sc_format format;
	bool color;         /* ANSI colours (text, on a terminal) */
	bool detail;        /* -V: a ladder for each call listed */
	bool full_messages; /* -VV: and every message in full */
	bool all_calls;     /* --all: list every call, also when many */
	unsigned width;     /* text: columns; 0: sc_term_width() */
	sc_report_filter *filter;
	void *filter_ctx;
	const char *tool_version;
	/* json: indented at every level (on a terminal, --pretty); else a
	 * line per member of the document and per call, each compact */
	bool pretty;
	/* json: write each finished call to a temporary file at once and
	 * copy it back at the end, in the same bytes and order, so memory
	 * does not grow with the capture. The run must then hand the report
	 * every call (sc_report_call), keep only those sc_report_lists()
	 * asks for, and pass late B2BUA links to sc_report_late_link(). */
	bool spool;
	/* json with a spool: the bytes its index of calls may hold in
	 * memory before it spills sorted runs to a temporary file (0:
	 * SC_REPORT_SPOOL_MEMORY) */
	size_t spool_memory;
	/* json with a spool, written to a regular file: the bytes of calls
	 * held in memory to put them in order before they go into the
	 * output directly (0: SC_REPORT_SPOOL_HOLD) */
	size_t spool_hold;
	/* the thread that writes the output stream (util/bgout.h), or NULL:
	 * the spooled calls are copied by the kernel into its descriptor
	 * (else into the stream's own) */
	struct sc_bgout *out_bg;
};

#define SC_REPORT_SPOOL_MEMORY ((size_t)16 << 20)
/*
 * 1 MiB: ~200 calls of SIPp's, a tenth of a second at 2000 calls/s. Held
 * calls stay in the caches on their way to the output: on the 100k-call
 * benchmark 0.96x the time of 8 MiB (farm-bench -n 10 --vs) and 6 MiB
 * less at the peak, with the same calls sent back through the spool (a
 * call that waits 32 s for retransmissions is late for any hold).
 */
#define SC_REPORT_SPOOL_HOLD ((size_t)1 << 20)

/* Text: above this many calls, only failed ones are listed (not --all). */
#define SC_REPORT_MAX_LISTED 50

struct sc_report;

/*
 * sc_report_new - a report writing to @out (not owned; the caller closes
 * it). NULL when out of memory.
 */
struct sc_report *sc_report_new(const struct sc_report_opts *opts, FILE *out);

/*
 * sc_report_wants_messages - whether the report @report (a struct
 * sc_report *) draws the messages of @call: fits sc_call_pred, so the
 * analyzer keeps only those (text with -V, and for markdown and html
 * the calls the filter selects, or the failed ones without a filter).
 */
bool sc_report_wants_messages(void *report, const struct sc_diagnosis *d);

/*
 * sc_report_lists - whether the report (a struct sc_report *) can still
 * list @d, seen by sc_report_call() just before: fits sc_call_pred, so
 * the analyzer keeps only those. The text report lists every call up to
 * SC_REPORT_MAX_LISTED, then the failed ones only; json with a spool
 * needs none it spooled; other formats list every call.
 */
bool sc_report_lists(void *report, const struct sc_diagnosis *d);

/* A B2BUA leg linked to a call the report already wrote to its spool
 * (fits sc_late_link_fn): the call will list it. */
void sc_report_late_link(void *report, const char *released_id,
                         uint64_t released_first_frame, const char *call_id);

/* The first frame of the oldest call still open (fits the analyzer's
 * on_oldest_open): json writing calls into its output in order sends
 * those after it through the spool at once, as that call would be too
 * late for its place. */
void sc_report_oldest_open(void *report, uint64_t first_frame);

/* A call finished (streaming formats write it now; the text report
 * counts it). */
void sc_report_call(struct sc_report *r, const struct sc_diagnosis *d);

/*
 * sc_report_finish - write what remains (all of it for non-streaming
 * formats) and flush. SC_EIO when writing failed.
 */
enum sc_err sc_report_finish(struct sc_report *r,
                             const struct sc_model *model) SC_WARN_UNUSED;

/*
 * sc_report_explain_code - print what the knowledge base says about a
 * status code (also unknown and vendor codes, by their class).
 * SC_ENOTFOUND outside 100..999.
 */
enum sc_err sc_report_explain_code(FILE *out, int code) SC_WARN_UNUSED;

/* The same for a Q.850 cause value; SC_ENOTFOUND when unassigned. */
enum sc_err sc_report_explain_q850(FILE *out, int cause) SC_WARN_UNUSED;

/* The same for a Warning header code (RFC 3261 20.43, 300..399). */
enum sc_err sc_report_explain_warning(FILE *out, int code) SC_WARN_UNUSED;

/* Free the report; NULL is a no-op. */
void sc_report_free(struct sc_report *r);

#endif /* SC_REPORT_H */
