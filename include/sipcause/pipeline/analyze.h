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
struct sc_rawmsg;

/* Decides whether a finished call keeps its messages (detail). */
typedef bool sc_call_pred(void *ctx, const struct sc_diagnosis *d);

struct sc_analyzer_opts {
	/* Keep every message of calls @keep_pred accepts (all when NULL and
	 * keep_messages is set); other calls are summarised when done. */
	bool keep_messages;
	sc_call_pred *keep_pred;
	void *keep_ctx;
	/* Whether a finished call is kept in the model at all, after
	 * on_call and the statistics saw it (NULL: every call): a report
	 * that will never list a call need not hold it. Not a cap: such
	 * calls are not counted as calls_not_kept. */
	sc_call_pred *list_pred;
	void *list_ctx;
	/* Called for each finished, diagnosed call before the model takes
	 * it (streaming reports); may be NULL. The record stays owned by
	 * the analyzer. */
	void (*on_call)(void *ctx, const struct sc_diagnosis *d);
	void *on_call_ctx;
	/* For an on_call that writes calls away and lists none in the model
	 * (the JSON spool): B2BUA legs keep naming freed legs until the
	 * link-key cap, and each link to a freed leg is reported here, so
	 * the writer can add it to the leg it wrote. May be NULL. */
	sc_late_link_fn *on_late_link;
	void *late_link_ctx;
	/* Told the first frame of the oldest call still open whenever it
	 * changes (UINT64_MAX: none open), after a frame's calls were
	 * filed and the finished ones handed over: a writer that puts
	 * calls in that order knows that the calls after it cannot be
	 * written yet (the JSON spool). May be NULL. */
	void (*on_oldest_open)(void *ctx, uint64_t first_frame);
	void *oldest_open_ctx;
	/* Called with each framed SIP message before it is parsed (HEP
	 * out); may be NULL. @raw is borrowed for the call only. */
	void (*on_message)(void *ctx, const struct sc_rawmsg *raw);
	void *on_message_ctx;
	/* Ports where SIP is expected (5060 and 5061 always are): content
	 * is checked on every port anyway; on these, SIP is also looked for
	 * past leading garbage and TCP flows are never given up as not
	 * SIP. Borrowed for the analyzer's life. */
	const uint16_t *ports;
	size_t nports;
	/* Headers naming another leg's Call-ID (B2BUA), NULL-terminated;
	 * NULL: X-Call-ID, X-CID. Borrowed for the analyzer's life. */
	const char *const *link_headers;
	/*
	 * Live capture: hand each call to on_call as soon as its outcome is
	 * known instead of after a quiet time: a failed attempt at its
	 * final response (not one the caller is expected to retry: 401,
	 * 407, 422, 423, 491, 3xx wait for the retry or the quiet time), an
	 * answered call when its BYE transaction completes, a timer
	 * verdict (Timer B: no response in 32 s) when the timer fires on
	 * the capture clock (see sc_analyzer_tick()). The call's later
	 * retransmissions and ACKs are absorbed for 32 s without making a
	 * new call (a new initial request with a higher CSeq under the
	 * same Call-ID makes one).
	 */
	bool prompt;
	/* File input: most calls kept open (0: 4096). Calls are finished
	 * only by the end of the input, so that time gaps in the capture
	 * never split a Call-ID; beyond this many open calls the oldest
	 * complete ones that were quiet for 32 s are finished early. */
	size_t max_open_calls;
	/*
	 * Stream only (jsonl, live lines): a finished call goes to on_call
	 * and is counted in the model's statistics, then freed; the model
	 * lists no call. B2BUA legs still name the legs streamed before.
	 */
	bool stream_only;
	/*
	 * Caps that bound memory whatever the input (0: the default), each
	 * counted in model->stats.caps when it acts:
	 * - open_calls_cap (65536): calls open at once; beyond, the oldest
	 *   are finished early with what was seen (open_calls_evicted);
	 * - held_msgs_cap (262144): messages kept by all open calls; beyond,
	 *   the same (open_calls_evicted);
	 * - call_msgs_cap (1024): messages kept per call; later ones count
	 *   in its message count and times only (call_msgs_dropped);
	 * - kept_calls_cap (2000000): finished calls the model lists; later
	 *   ones are streamed and counted, not listed (calls_not_kept);
	 * - link_keys_cap (262144): B2BUA identifiers remembered for linking
	 *   legs; the oldest are forgotten (link_keys_forgotten).
	 */
	size_t open_calls_cap;
	size_t held_msgs_cap;
	size_t call_msgs_cap;
	size_t kept_calls_cap;
	size_t link_keys_cap;
	/*
	 * Heap the parsed messages of calls in progress may hold (0: 64 MiB)
	 * before the oldest quiet ones are compacted to where their bytes
	 * are in the capture file, and read back when they go on (classic
	 * pcap files; see struct sc_msg_reloader). compact_always: compact
	 * every call in progress after each of its messages (tests).
	 */
	size_t in_flight_memory;
	bool compact_always;
	/* Every message through oSIP's full parse (--full-parse): the
	 * reference the fast path is compared with. */
	bool full_parse;
	/*
	 * Read files on two threads: one reads, decodes, reassembles, frames
	 * and parses, the calling one files messages into calls, diagnoses
	 * and calls on_call (callbacks all run on the calling thread). The
	 * output is that of one thread. Not with prompt or on_message.
	 */
	bool two_threads;
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
 * SC_ENOMEM only. Frames given directly (live capture) finish calls on
 * the capture clock: after 32 s of quiet once complete, 5 min when not
 * (or promptly, see opts.prompt).
 */
enum sc_err sc_analyzer_frame(struct sc_analyzer *a,
                              const struct sc_frame *f) SC_WARN_UNUSED;

/*
 * sc_analyzer_tick - the capture clock reached @now_ns without a packet
 * (live capture, quiet line): fire the timers that are due (a request
 * unanswered for Timer B becomes a timeout, quiet calls are finished)
 * and hand the calls they finish to on_call and the model. A clock
 * earlier than the last packet is ignored. Returns SC_ENOMEM only.
 */
enum sc_err sc_analyzer_tick(struct sc_analyzer *a,
                             int64_t now_ns) SC_WARN_UNUSED;

/* sc_analyzer_open_calls - calls open now (not yet finished). */
size_t sc_analyzer_open_calls(const struct sc_analyzer *a);

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
 * call, and sort the model. Call once. B2BUA legs are linked as each call
 * is finished (before classify and on_call), so streamed calls carry
 * their links to the legs finished before them.
 */
enum sc_err sc_analyzer_finish(struct sc_analyzer *a) SC_WARN_UNUSED;

#endif /* SC_ANALYZE_H */
