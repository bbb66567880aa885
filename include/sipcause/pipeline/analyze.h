/* analyze.h - the pipeline: frames in, finished calls and a model out */
#ifndef SC_ANALYZE_H
#define SC_ANALYZE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sipcause/capture/capture.h"
#include "sipcause/util/compiler.h"
#include "sipcause/calls/correlate.h"
#include "sipcause/util/error.h"
#include "sipcause/pipeline/model.h"

/*
 * The analyzer owns one instance of every stateful stage (reassembly,
 * parser, call table) and passes data through them in one direction:
 * decode -> reassemble -> frame -> parse -> correlate -> classify. It
 * holds no global state; several analyzers can run side by side.
 */
struct sc_analyzer;

/* Decides whether a finished call keeps its messages (detail). */
typedef bool sc_call_pred(void *ctx, const struct sc_call *call);

struct sc_analyzer_opts {
	/* Keep every message of calls @keep_pred accepts (all when NULL and
	 * keep_messages is set); other calls are summarised when done. */
	bool keep_messages;
	sc_call_pred *keep_pred;
	void *keep_ctx;
	/* Called for each finished, classified call before the model takes
	 * it (streaming reports); may be NULL. The call stays owned by the
	 * analyzer. */
	void (*on_call)(void *ctx, const struct sc_call *call);
	void *on_call_ctx;
	/* Ports where SIP is expected (5060 and 5061 always are): content
	 * is checked on every port anyway; on these, SIP is also looked for
	 * past leading garbage and TCP flows are never given up as not
	 * SIP. Borrowed for the analyzer's life. */
	const uint16_t *ports;
	size_t nports;
	/* Headers naming another leg's Call-ID (B2BUA), NULL-terminated;
	 * NULL: X-Call-ID, X-CID. Borrowed for the analyzer's life. */
	const char *const *link_headers;
};

/* Reports progress: bytes of the current file read, and its size. */
typedef void sc_progress_fn(void *ctx, uint64_t done, uint64_t total);

/*
 * sc_analyzer_set_progress - call @fn now and then while a file is read
 * (NULL: never). @ctx is passed back.
 */
void sc_analyzer_set_progress(struct sc_analyzer *a, sc_progress_fn *fn,
			      void *ctx);

/*
 * sc_analyzer_new - an analyzer that fills @model (owned by the caller,
 * initialised with sc_model_init()). NULL when out of memory.
 */
struct sc_analyzer *sc_analyzer_new(const struct sc_analyzer_opts *opts,
				    struct sc_model *model);

/* Free the analyzer (not the model); NULL is a no-op. */
void sc_analyzer_free(struct sc_analyzer *a);

/*
 * sc_analyzer_frame - run one frame through the pipeline. Damaged or
 * non-SIP frames are counted in the model, never an error. Returns
 * SC_ENOMEM only.
 */
enum sc_err sc_analyzer_frame(struct sc_analyzer *a,
			      const struct sc_frame *f) SC_WARN_UNUSED;

/*
 * sc_analyzer_file - read every frame of @path ("-": stdin) and record
 * the file in the model. A file truncated mid-record is analysed up to
 * the damage: SC_OK with the file's @truncated flag and warning set.
 * Errors (SC_EIO, SC_EPCAP, SC_EUNSUPPORTED) describe the file in
 * @errbuf; frames read before a mid-file error are kept.
 */
enum sc_err sc_analyzer_file(struct sc_analyzer *a, const char *path,
			     char *errbuf) SC_WARN_UNUSED;

/*
 * sc_analyzer_stream - the same for a capture in an open stream (owned
 * from now on and closed), named @name in the model and in messages.
 */
enum sc_err sc_analyzer_stream(struct sc_analyzer *a, FILE *fp,
			       const char *name, char *errbuf) SC_WARN_UNUSED;

/*
 * sc_analyzer_finish - end of input: flush reassembly, finish every open
 * call, and sort the model. Call once.
 */
enum sc_err sc_analyzer_finish(struct sc_analyzer *a) SC_WARN_UNUSED;

#endif /* SC_ANALYZE_H */
