/* run.c - read capture files through the pipeline into the report */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/export.h"
#include "cli/hep.h"
#include "cli/progress.h"
#include "cli/run.h"
#include "sipcause/capture/privdrop.h"
#include "sipcause/report/report_live.h"
#include "sipcause/util/bgout.h"
#include "sipcause/util/str.h"
#include "sipcause/pipeline/filter.h"

static bool
want_color(enum color_mode mode, FILE *out)
{
	const char *no_color = getenv("NO_COLOR");

	if (mode != COLOR_AUTO)
		return mode == COLOR_ALWAYS;
	if (no_color && no_color[0])
		return false;
	return isatty(fileno(out));
}

/*
 * Prompt mode: the analyzer hands each call over as soon as its outcome
 * is known rather than when it has been quiet for a while. The one place
 * to switch it on.
 */
static void
set_prompt(struct sc_analyzer_opts *aopts, bool prompt)
{
	aopts->prompt = prompt;
}

/*
 * A size from the environment variable @name: bytes, or with K, M or G
 * after them. Returns false when unset or empty; a value that is not a
 * size (or 0 when @zero_ok is false) is said, naming the default used
 * instead (@fallback bytes), and treated as unset.
 */
static bool
env_size(const char *name, bool zero_ok, size_t fallback, size_t *out)
{
	const char *v = getenv(name);
	struct sc_str s;
	unsigned shift = 0;
	uint64_t n;

	if (!v || !*v)
		return false;
	s = sc_str_from_cstr(v);
	switch (s.p[s.len - 1]) {
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	}
	if (shift)
		s.len--;
	if (!sc_str_to_u64(s, (SIZE_MAX >> shift), &n) ||
	    (n == 0 && !zero_ok)) {
		fprintf(stderr,
		        "sipcause: %s: not a size (\"%s\"); using %zu MiB\n",
		        name, v, fallback >> 20);
		return false;
	}
	*out = (size_t)n << shift;
	return true;
}

/*
 * SIPCAUSE_JSON_INDEX_MEMORY: what the json spool's index may hold
 * before it spills to a file; 0 (the report's default) when unset.
 */
static size_t
json_index_memory(void)
{
	size_t n = 0;

	(void)env_size("SIPCAUSE_JSON_INDEX_MEMORY", false,
	               SC_REPORT_SPOOL_MEMORY, &n);
	return n;
}

/*
 * SIPCAUSE_JSON_HOLD_MEMORY: the bytes of finished calls json holds in
 * memory to put them in order before they go into an output file
 * directly (default 1 MiB); 0 writes each at once (tests: most calls
 * then take the way back through the temporary file).
 */
static size_t
json_hold_memory(void)
{
	size_t n = 0;

	if (!env_size("SIPCAUSE_JSON_HOLD_MEMORY", true, SC_REPORT_SPOOL_HOLD,
	              &n))
		return 0;
	return n ? n : 1; /* a byte: none held */
}

/*
 * SIPCAUSE_IN_FLIGHT_MEMORY: the heap of parsed messages of calls in
 * progress before the oldest quiet ones are compacted (default 64 MiB);
 * 0 compacts every call in progress after each message (tests).
 */
static void
in_flight_memory(struct sc_analyzer_opts *aopts)
{
	size_t n;

	if (!env_size("SIPCAUSE_IN_FLIGHT_MEMORY", true,
	              SC_CALLTAB_IN_FLIGHT_BYTES, &n))
		return;
	aopts->in_flight_memory = n;
	aopts->compact_always = n == 0;
}

/* A call finished: streaming formats write it at once. */
void
run_stream_call(void *report, const struct sc_diagnosis *d)
{
	sc_report_call(report, d);
}

static const char *
output_name(const struct run *r)
{
	return r->o->output ? r->o->output : "standard output";
}

int
run_open_output(struct run *r, bool background)
{
	FILE *bg_out;

	r->out = stdout;
	if (r->o->output) {
		r->out = fopen(r->o->output, "w");
		if (!r->out) {
			fprintf(stderr, "sipcause: %s: %s\n", r->o->output,
			        strerror(errno));
			r->out = stdout;
			return EXIT_INPUT;
		}
	}
	/*
	 * JSON of a big file is hundreds of megabytes: writing it costs
	 * about what making it does, so another thread does that while the
	 * analysis goes on (without the thread, the stream is used as is).
	 */
	if (!background ||
	    (r->o->format != SC_FORMAT_JSON && r->o->format != SC_FORMAT_JSONL))
		return -1;
	fflush(r->out);
	/* 64 KiB writes, as jsonw's buffer gave them before */
	bg_out = sc_bgout_open(fileno(r->out), false, 0, &r->bg);
	if (bg_out) {
		r->plain_out = r->out;
		r->out = bg_out;
	}
	return -1;
}

int
run_open_write(struct run *r, int linktype, int snaplen)
{
	const struct live_options *l = &r->o->live;
	struct sc_pcapout_opts po = { 0 };

	po.path = l->write_path;
	po.linktype = linktype;
	po.snaplen = snaplen;
	po.rotate_bytes = l->rotate_mb * 1000000;
	po.rotate_secs = (int64_t)l->rotate_secs;
	po.max_files = (unsigned)l->max_files;
	if (sc_pcapout_open(&po, run_clock_ns(CLOCK_REALTIME), &r->pcap,
	                    r->errbuf) != SC_OK) {
		fprintf(stderr, "sipcause: -w: %s\n", r->errbuf);
		return EXIT_INPUT;
	}
	return -1;
}

bool
run_pipeline_new(struct run *r, sc_call_done_fn *on_call, bool prompt)
{
	struct options *o = r->o;
	struct sc_analyzer_opts aopts = { 0 };
	struct sc_report_opts ropts = { 0 };

	ropts.format = o->format;
	ropts.detail =
	        o->detail || (o->filter.call_id && o->format == SC_FORMAT_TEXT);
	ropts.full_messages = o->verbose >= 2;
	ropts.all_calls = o->all_calls;
	ropts.tool_version = SC_VERSION;
	/* as jq on a terminal; a file gets a line per call */
	ropts.pretty = o->pretty ||
	               isatty(fileno(r->plain_out ? r->plain_out : r->out));
	/* json writes finished calls to a temporary file, unless every
	 * call's frames are needed at the end (export) or --call selects
	 * (it also selects legs that link to the call later) */
	ropts.spool = o->format == SC_FORMAT_JSON && !o->no_spool &&
	              on_call == run_stream_call && !o->export_pcap &&
	              !o->split_dir && !o->filter.call_id;
	if (ropts.spool) {
		ropts.spool_memory = json_index_memory();
		ropts.spool_hold = json_hold_memory();
		ropts.out_bg = r->bg;
	}
	if (!sc_filter_is_empty(&o->filter)) {
		ropts.filter = sc_filter_match;
		ropts.filter_ctx = &o->filter;
	}
	aopts.keep_messages =
	        sc_format_needs_messages(o->format) || ropts.detail;
	aopts.ports = o->ports;
	aopts.nports = o->nports;
	aopts.link_headers = o->link_headers;
	if (o->format == SC_FORMAT_JSONL) {
		/* written as calls finish; nothing kept after, unless the
		 * packets of the calls are exported at the end */
		aopts.keep_messages = false;
		aopts.stream_only = !o->export_pcap && !o->split_dir;
	}
	r->color = o->format == SC_FORMAT_TEXT && want_color(o->color, r->out);
	ropts.color = r->color;
	r->report = sc_report_new(&ropts, r->out);
	/* messages are kept only for the calls the report draws */
	aopts.keep_pred = sc_report_wants_messages;
	aopts.keep_ctx = r->report;
	if (o->export_pcap || o->split_dir) {
		/* the frames of every call are needed to export them */
		aopts.keep_messages = true;
		aopts.keep_pred = NULL;
	}
	aopts.on_call = on_call;
	aopts.on_call_ctx =
	        on_call == run_stream_call ? (void *)r->report : (void *)r;
	if (on_call == run_stream_call && !o->export_pcap && !o->split_dir) {
		/* the report sees every call: the model keeps only those it
		 * can list (text: past 50 calls, the failed ones) */
		aopts.list_pred = sc_report_lists;
		aopts.list_ctx = r->report;
	}
	if (ropts.spool) {
		aopts.on_late_link = sc_report_late_link;
		aopts.late_link_ctx = r->report;
		aopts.on_oldest_open = sc_report_oldest_open;
		aopts.oldest_open_ctx = r->report;
	}
	set_prompt(&aopts, prompt);
	aopts.full_parse = o->full_parse;
	in_flight_memory(&aopts);
	aopts.two_threads =
	        o->threads == 2 ||
	        (o->threads == 0 && sysconf(_SC_NPROCESSORS_ONLN) > 1);
	aopts.on_message = r->on_message;
	aopts.on_message_ctx = r->on_message_ctx;
	cli_hep_wire(r, &aopts);
	r->an = r->report ? sc_analyzer_new(&aopts, &r->model) : NULL;
	if (!r->an) {
		fputs("sipcause: out of memory\n", stderr);
		return false;
	}
	return true;
}

int
run_pipeline_end(struct run *r, enum sc_err err)
{
	const struct options *o = r->o;
	int written;

	if (err == SC_OK)
		err = sc_analyzer_finish(r->an);
	if (err != SC_OK) {
		fprintf(stderr, "sipcause: %s\n",
		        err == SC_ENOMEM ? sc_strerror(err) : r->errbuf);
		return EXIT_INPUT;
	}
	for (size_t i = 0; i < r->model.nfiles && !o->quiet; i++)
		if (r->model.files[i].truncated)
			fprintf(stderr,
			        "sipcause: warning: %s: the file is damaged; "
			        "analysed the %llu frames before the damage "
			        "(%s)\n",
			        r->model.files[i].path,
			        (unsigned long long)r->model.files[i].packets,
			        r->model.files[i].warning);
	/* --time HH:MM:SS is on the capture's first day */
	sc_filter_set_capture_start(&r->o->filter, r->model.stats.first_ts);
	if (sc_report_finish(r->report, &r->model) != SC_OK) {
		fprintf(stderr, "sipcause: %s: write error\n", output_name(r));
		return EXIT_INPUT;
	}
	written = r->bg ? sc_bgout_finish(r->bg, r->out) : 0;
	if (written != 0) {
		fprintf(stderr, "sipcause: %s: %s\n", output_name(r),
		        strerror(written));
		return EXIT_INPUT;
	}
	return EXIT_ANALYSED;
}

int
run_free(struct run *r, int status)
{
	cli_hep_close(r);
	sc_analyzer_free(r->an);
	sc_report_free(r->report);
	sc_model_fini(&r->model);
	if (r->bg) {
		/* its thread stops; a write error it met is said once */
		if (fclose(r->out) != 0 && status == EXIT_ANALYSED) {
			fprintf(stderr, "sipcause: %s: %s\n", output_name(r),
			        strerror(errno));
			status = EXIT_INPUT;
		}
		r->out = r->plain_out;
		r->bg = NULL;
	}
	if (r->out && r->out != stdout && fclose(r->out) != 0 &&
	    status == EXIT_ANALYSED) {
		fprintf(stderr, "sipcause: %s: %s\n", r->o->output,
		        strerror(errno));
		status = EXIT_INPUT;
	}
	return status;
}

/*
 * A file that could not be read (missing, not a capture, a link type not
 * decoded): said on stderr and in the report's input warnings; the
 * other files are still read.
 */
static void
input_unread(struct run *r, const char *why)
{
	struct sc_input_file *f;
	char *w;

	fprintf(stderr, "sipcause: %s\n", why);
	if (r->model.nfiles == 0)
		return;
	f = &r->model.files[r->model.nfiles - 1];
	if (f->warning)
		return;
	w = malloc(strlen(why) + sizeof("not read: "));
	if (!w)
		return;
	memcpy(w, "not read: ", sizeof("not read: ") - 1);
	memcpy(w + sizeof("not read: ") - 1, why, strlen(why) + 1);
	f->warning = w;
}

/*
 * Read every file; a damaged one is analysed up to the damage and one
 * that cannot be read is skipped. Returns SC_OK, or the error that stops
 * the run (out of memory, or no file could be read at all).
 */
static enum sc_err
read_files(struct run *r, size_t *unread)
{
	const struct options *o = r->o;
	bool progress = !o->quiet && isatty(fileno(stderr));
	struct cli_progress bar;

	*unread = 0;
	for (size_t i = 0; i < o->nfiles; i++) {
		enum sc_err err;

		if (progress) {
			cli_progress_begin(&bar, o->files[i], &r->model);
			sc_analyzer_set_progress(r->an, cli_progress_show,
			                         &bar);
		}
		err = sc_analyzer_file(r->an, o->files[i], r->errbuf);
		if (progress)
			cli_progress_end(&bar);
		if (err == SC_ENOMEM)
			return err;
		if (err != SC_OK) {
			input_unread(r, r->errbuf);
			++*unread;
		}
	}
	return *unread == o->nfiles ? SC_EIO : SC_OK;
}

int
run_files(struct options *o)
{
	struct run r = { .o = o, .statm_fd = -1 };
	size_t unread;
	enum sc_err err;
	int status;

	sc_model_init(&r.model);
	/* open the output first: no analysis for nothing */
	status = run_open_output(&r, true);
	if (status < 0)
		status = cli_hep_open(&r);
	if (status >= 0)
		return run_free(&r, status);
	if (!run_pipeline_new(&r, run_stream_call, false))
		return run_free(&r, EXIT_INPUT);
	err = read_files(&r, &unread);
	if (err == SC_EIO) /* said for each file already */
		return run_free(&r, EXIT_INPUT);
	status = run_pipeline_end(&r, err);
	if (status == EXIT_ANALYSED) {
		int rc = cli_export(&r);

		if (rc >= 0)
			status = rc;
	}
	if (status == EXIT_ANALYSED && unread)
		status = EXIT_INPUT;
	return run_free(&r, status);
}

/*
 * Set by SIGINT and SIGTERM, read by the capture loop: the one piece of
 * process-wide state, as a signal handler can reach nothing else.
 */
static volatile sig_atomic_t stop_signal;

static void
on_stop_signal(int sig)
{
	stop_signal = sig;
}

/* No SA_RESTART: the signal must cut the poll short. */
void
run_catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int64_t
run_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool
run_stop_requested(void)
{
	return stop_signal != 0;
}

/*
 * A call's outcome is known: the text line or the JSON object now, and
 * the counters of --stats-interval.
 */
void
run_live_call(void *ctx, const struct sc_diagnosis *d)
{
	struct run *r = ctx;

	r->finished++;
	if (d->verdict.cat != SC_CAT_OK)
		r->failed[d->verdict.cat]++;
	if (r->o->format == SC_FORMAT_JSONL) {
		sc_report_call(r->report, d);
		fflush(r->out);
	} else if (r->o->format == SC_FORMAT_TEXT &&
	           (sc_filter_is_empty(&r->o->filter) ||
	            sc_filter_match(&r->o->filter, d))) {
		sc_report_live_call(r->out, d, r->color);
	}
}

/*
 * Everything that needs privileges is open: become -Z USER (as root
 * without -Z, nobody), and forbid core dumps, which would hold packets.
 */
int
run_drop_privileges(const struct options *o)
{
	const char *user = o->live.user;
	char errbuf[SC_ERRBUF_SIZE];
	enum sc_err err;

	sc_privdrop_no_dumps();
	if (!sc_privdrop_is_root()) {
		if (user && !o->quiet)
			fprintf(stderr,
			        "sipcause: warning: -Z %s: not "
			        "running as root, nothing to drop\n",
			        user);
		return -1;
	}
	err = sc_privdrop_to(user ? user : SC_PRIVDROP_DEFAULT_USER, errbuf);
	if (err == SC_OK)
		return -1;
	if (!user && err == SC_ENOTFOUND) {
		if (!o->quiet)
			fprintf(stderr,
			        "sipcause: warning: %s; staying "
			        "root (use -Z USER)\n",
			        errbuf);
		return -1;
	}
	fprintf(stderr, "sipcause: -Z: %s\n", errbuf);
	return EXIT_INPUT;
}

/* Resident memory in bytes, from the statm opened at start; 0: unknown. */
uint64_t
run_rss_bytes(int fd)
{
	char buf[128];
	ssize_t n = fd >= 0 ? pread(fd, buf, sizeof(buf) - 1, 0) : -1;
	const char *sp;
	uint64_t pages;
	long page = sysconf(_SC_PAGESIZE);

	if (n <= 0)
		return 0;
	buf[n] = 0;
	sp = strchr(buf, ' '); /* "size resident shared ..." */
	if (!sp)
		return 0;
	sp++;
	if (!sc_str_to_u64(sc_str_make(sp, strcspn(sp, " \n")), UINT64_MAX,
	                   &pages))
		return 0;
	return pages * (uint64_t)(page > 0 ? page : 4096);
}

/* How long to sleep: to the next stats line, the end, or 200 ms. */
int
run_timeout_ms(int64_t now, int64_t next_stats, int64_t deadline)
{
	int64_t t = now + 200000000;

	if (next_stats && next_stats < t)
		t = next_stats;
	if (deadline && deadline < t)
		t = deadline;
	return t <= now ? 0 : (int)((t - now + 999999) / 1000000);
}

void
run_frame(void *ctx, const struct sc_frame *f)
{
	struct run *r = ctx;
	enum sc_err err;

	if (r->stop)
		return; /* a limit was hit inside this batch */
	if (r->pcap) {
		err = sc_pcapout_write(r->pcap, f, r->errbuf);
		if (err != SC_OK) {
			r->stop = true;
			if (err != SC_ELIMIT)
				r->failure = err;
			return;
		}
	}
	err = sc_analyzer_frame(r->an, f);
	if (err != SC_OK) {
		r->stop = true;
		r->failure = err;
		snprintf(r->errbuf, sizeof(r->errbuf), "%s", sc_strerror(err));
	}
}
