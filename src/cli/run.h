/* run.h - one run of sipcause: the stages wired from the options
 *
 * run.c reads files, run_live.c captures on interfaces, hep.c sends and
 * receives HEP, export.c writes the packets of selected calls. They
 * share the pipeline set-up and ending here.
 */
#ifndef SC_CLI_RUN_H
#define SC_CLI_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "cli/options.h"
#include "sipcause/calls/correlate.h"
#include "sipcause/capture/live.h"
#include "sipcause/capture/pcapout.h"
#include "sipcause/pipeline/analyze.h"
#include "sipcause/pipeline/model.h"
#include "sipcause/report/report.h"
#include "sipcause/util/error.h"

struct cli_hep;

/* Receives each finished call (struct sc_analyzer_opts.on_call). */
typedef void sc_call_done_fn(void *ctx, const struct sc_diagnosis *d);

/*
 * One run: the pipeline (analyzer, model, report) and, for a live
 * capture, its sources and sinks. Stages keep their own state; this only
 * holds what the command wires together.
 */
struct run {
	struct options *o; /* filters are passed as void * */
	struct sc_model model;
	struct sc_report *report;
	struct sc_analyzer *an;
	FILE *out;
	FILE *plain_out;     /* under out when a thread writes it */
	struct sc_bgout *bg; /* that thread, or NULL */
	bool color;
	struct cli_hep *hep; /* --hep-send, or NULL */
	/* each framed message, before its analysis (live -V); --hep-send
	 * chains after it. NULL: none. */
	void (*on_message)(void *ctx, const struct sc_rawmsg *raw);
	void *on_message_ctx;
	/* live capture */
	struct sc_live *live;
	struct sc_pcapout *pcap;
	size_t first_input; /* model.files index of the first iface */
	int statm_fd;       /* /proc/self/statm, opened before -Z */
	uint64_t finished;  /* calls handed over */
	uint64_t failed[SC_CAT__COUNT];
	bool stop;           /* -c, -W or an error: stop capturing */
	enum sc_err failure; /* first error met in a callback */
	char errbuf[SC_ERRBUF_SIZE];
};

/* A call finished: streaming formats write it at once (ctx: the report). */
void run_stream_call(void *report, const struct sc_diagnosis *d);

/* Open -o (before privileges are dropped, for a live capture). With
 * @background, JSON is written by a thread of its own. Returns -1 to go
 * on, or an exit status. */
int run_open_output(struct run *r, bool background);

/* Open -w (with -C/-G/-W rotation) for frames of @linktype cut at
 * @snaplen, before privileges are dropped. Returns -1 to go on, or an
 * exit status. */
int run_open_write(struct run *r, int linktype, int snaplen);

/* Report and analyzer for r->o, handing calls to @on_call (ctx: @r, or
 * the report for run_stream_call); prompt: as soon as decided (live). */
bool run_pipeline_new(struct run *r, sc_call_done_fn *on_call, bool prompt);

/* Finish the analysis and write the report; returns the exit status. */
int run_pipeline_end(struct run *r, enum sc_err err);

/* Free what the run holds; a failed close of -o turns 0 into 2. */
int run_free(struct run *r, int status);

/* SIGINT and SIGTERM end a live run (without SA_RESTART, so that a
 * wait is cut short); run_stop_requested() tells whether one came. */
void run_catch_stop_signals(void);
bool run_stop_requested(void);

/* A clock in nanoseconds (CLOCK_REALTIME is the live capture clock). */
int64_t run_clock_ns(clockid_t id);

/*
 * What the live runs (interfaces, HEP listener) share. run_live_call: a
 * call's outcome is known, printed at once (ctx: the run).
 * run_drop_privileges: once everything that needs privileges is open,
 * become -Z USER (as root without -Z, nobody) with core dumps off;
 * returns -1 to go on, or an exit status. run_rss_bytes: resident memory
 * from an open /proc/self/statm, 0 when unknown. run_timeout_ms: how long
 * to wait, to the next stats line, the deadline, or 200 ms.
 */
void run_live_call(void *ctx, const struct sc_diagnosis *d);
/* A live frame arrived (ctx: the run): to the -w file, then through the
 * analysis; an error or -W's last file sets r->stop. */
void run_frame(void *ctx, const struct sc_frame *f);
int run_drop_privileges(const struct options *o);
uint64_t run_rss_bytes(int fd);
int run_timeout_ms(int64_t now, int64_t next_stats, int64_t deadline);

/* The runs, by source; each returns the exit status. */
int run_files(struct options *o);
int run_live(struct options *o);

#endif /* SC_CLI_RUN_H */
