/* run_live.c - capture on interfaces (-i) until stopped, calls printed
 * as they are decided */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/run.h"
#include "sipcause/capture/live.h"
#include "sipcause/capture/pcapout.h"
#include "sipcause/pipeline/filter.h"
#include "sipcause/report/report_live.h"
#include "sipcause/sip/sipmsg.h"

/*
 * -V: one line for each message as it is framed, before the analysis
 * reads it (@ctx: the stream). The hand scanner is enough for the start
 * line and the Call-ID, and costs no oSIP parse.
 */
static void
live_message(void *ctx, const struct sc_rawmsg *raw)
{
	struct sc_msg *m;

	if (sc_sipmsg_scan(raw, &m) != SC_OK)
		return; /* not even a start line: the analysis counts it */
	sc_report_live_msg(ctx, m);
	sc_msg_free(m);
}

/*
 * Where -V lines go: with the call lines in text, on stderr otherwise,
 * so that a JSON stream stays JSON. Hooked in before run_pipeline_new(),
 * which chains --hep-send after it.
 */
static void
live_hook_messages(struct run *r)
{
	if (!r->o->verbose)
		return;
	r->on_message = live_message;
	r->on_message_ctx = r->o->format == SC_FORMAT_TEXT ? r->out : stderr;
}

/* The filter the user asked for, built into @buf for --sip-filter. */
static const char *
live_filter(const struct options *o, char *buf, size_t len)
{
	if (!o->live.sip_filter)
		return o->live.bpf;
	if (!sc_live_sip_filter(o->ports, o->nports, buf, len))
		return NULL;
	return buf;
}

/* Open the interfaces and the first -w file (still privileged). */
static int
live_open(struct run *r)
{
	const struct live_options *l = &r->o->live;
	struct sc_live_opts lo = { 0 };
	char filter[1024];

	lo.ifaces = l->ifaces;
	lo.nifaces = l->nifaces;
	lo.filter = live_filter(r->o, filter, sizeof(filter));
	lo.snaplen = (int)l->snaplen;
	lo.buffer_kib = (int)l->buffer_kib;
	lo.promisc = !l->no_promisc;
	if (l->sip_filter && !lo.filter) {
		fputs("sipcause: --sip-filter: too many --ports\n", stderr);
		return EXIT_USAGE;
	}
	if (sc_live_open(&lo, &r->live, r->errbuf) != SC_OK) {
		fprintf(stderr, "sipcause: %s\n", r->errbuf);
		return EXIT_INPUT;
	}
	for (size_t i = 1; i < sc_live_count(r->live); i++) {
		if (l->write_path && sc_live_linktype(r->live, i) !=
		                             sc_live_linktype(r->live, 0)) {
			fprintf(stderr,
			        "sipcause: -w: %s and %s have "
			        "different link types; a pcap file "
			        "holds one (capture on 'any')\n",
			        sc_live_name(r->live, 0),
			        sc_live_name(r->live, i));
			return EXIT_INPUT;
		}
	}
	if (!l->write_path)
		return -1;
	return run_open_write(r, sc_live_linktype(r->live, 0),
	                      l->snaplen ? (int)l->snaplen : SC_LIVE_SNAPLEN);
}

/* The --stats-interval line on stderr. */
static void
live_stats_line(struct run *r)
{
	struct sc_live_stats st;
	char clock[32];
	time_t now = time(NULL);
	struct tm tm;
	const char *sep = " (";
	uint64_t failed = 0;

	sc_live_get_stats(r->live, &st);
	gmtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	fprintf(stderr,
	        "sipcause: %s packets %llu, kernel drops %llu, "
	        "interface drops %llu, calls open %zu, finished %llu, "
	        "failed",
	        clock, (unsigned long long)st.frames,
	        (unsigned long long)st.kernel_drops,
	        (unsigned long long)st.iface_drops,
	        sc_analyzer_open_calls(r->an), (unsigned long long)r->finished);
	for (int i = 0; i < SC_CAT__COUNT; i++)
		failed += r->failed[i];
	fprintf(stderr, " %llu", (unsigned long long)failed);
	for (int i = 0; i < SC_CAT__COUNT; i++) {
		if (!r->failed[i])
			continue;
		fprintf(stderr, "%s%s %llu", sep,
		        sc_category_id((enum sc_category)i),
		        (unsigned long long)r->failed[i]);
		sep = ", ";
	}
	fprintf(stderr, "%s, RSS %.1f MB\n", failed ? ")" : "",
	        (double)run_rss_bytes(r->statm_fd) / 1e6);
}

/*
 * The capture clock moves on when no packet comes: let timers (Timer B,
 * missing ACK) fire so that such calls are printed on time. Wall-clock
 * time is the capture clock of a live capture.
 */
static void
live_tick(struct run *r)
{
	enum sc_err err = sc_analyzer_tick(r->an, run_clock_ns(CLOCK_REALTIME));

	if (err != SC_OK && r->failure == SC_OK) {
		r->failure = err;
		r->stop = true;
	}
}

/* -c: how many more frames may come (0: no limit). */
static uint64_t
frames_left(const struct run *r, uint64_t frames)
{
	uint64_t count = r->o->live.count;

	if (!count)
		return 0;
	return frames < count ? count - frames : 0;
}

/* Hand over what is ready; stop at -c. *n receives how many came. */
static enum sc_err
live_dispatch(struct run *r, uint64_t *n)
{
	struct sc_live_stats st;
	uint64_t max;
	enum sc_err err;

	sc_live_get_stats(r->live, &st);
	max = frames_left(r, st.frames);
	*n = 0;
	if (r->o->live.count && max == 0) {
		r->stop = true;
		return SC_OK;
	}
	err = sc_live_dispatch(r->live, max, run_frame, r, n, r->errbuf);
	if (r->o->live.count && *n >= max)
		r->stop = true;
	sc_pcapout_flush(r->pcap);
	return err;
}

/* After the stop: what libpcap still holds, without blocking. */
static enum sc_err
live_drain(struct run *r)
{
	uint64_t n = 1;
	enum sc_err err = SC_OK;

	/* bounded: under a flood, new frames would never stop coming */
	for (int i = 0; i < 64 && n > 0 && !r->stop && err == SC_OK; i++)
		err = live_dispatch(r, &n);
	return err;
}

static enum sc_err
live_loop(struct run *r)
{
	const struct live_options *l = &r->o->live;
	int64_t start = run_clock_ns(CLOCK_MONOTONIC);
	int64_t interval = (int64_t)l->stats_interval * 1000000000;
	int64_t next_stats = interval ? start + interval : 0;
	int64_t deadline =
	        l->duration_s ? start + (int64_t)l->duration_s * 1000000000 : 0;
	uint64_t n;
	enum sc_err err = SC_OK;

	while (!run_stop_requested() && !r->stop && err == SC_OK) {
		int64_t now = run_clock_ns(CLOCK_MONOTONIC);

		if (deadline && now >= deadline)
			break;
		if (next_stats && now >= next_stats) {
			live_stats_line(r);
			next_stats += interval;
		}
		err = sc_live_wait(r->live,
		                   run_timeout_ms(now, next_stats, deadline),
		                   r->errbuf);
		if (err == SC_OK)
			err = live_dispatch(r, &n);
		live_tick(r);
	}
	if (err == SC_OK)
		err = live_drain(r);
	return err;
}

/* Each interface is an input of the model, as a file would be. */
static int
live_inputs(struct run *r)
{
	r->first_input = r->model.nfiles;
	for (size_t i = 0; i < sc_live_count(r->live); i++) {
		struct sc_input_file *f =
		        sc_model_add_file(&r->model, sc_live_name(r->live, i));

		if (!f) {
			fputs("sipcause: out of memory\n", stderr);
			return EXIT_INPUT;
		}
		f->linktype = sc_live_linktype(r->live, i);
	}
	return -1;
}

/* tcpdump's closing counters, on stderr. */
static void
live_counters(struct run *r)
{
	struct sc_live_stats st;

	sc_live_get_stats(r->live, &st);
	for (size_t i = 0; i < sc_live_count(r->live); i++)
		r->model.files[r->first_input + i].packets =
		        sc_live_frames(r->live, i);
	if (r->o->quiet)
		return;
	fprintf(stderr,
	        "sipcause: %llu packets captured, %llu received by "
	        "filter, %llu dropped by kernel, %llu dropped by "
	        "interface\n",
	        (unsigned long long)st.frames, (unsigned long long)st.received,
	        (unsigned long long)st.kernel_drops,
	        (unsigned long long)st.iface_drops);
}

static void
live_listening(const struct run *r)
{
	if (r->o->quiet)
		return;
	for (size_t i = 0; i < sc_live_count(r->live); i++)
		fprintf(stderr, "sipcause: listening on %s, link-type %s%s\n",
		        sc_live_name(r->live, i),
		        sc_capture_linktype_name(sc_live_linktype(r->live, i)),
		        sc_live_nanosecond(r->live, i)
		                ? ""
		                : " (microsecond timestamps)");
}

/* Open everything that needs privileges, then give them up. */
static int
live_setup(struct run *r)
{
	int status = live_open(r);

	if (status < 0)
		status = run_open_output(r, false);
	if (status < 0)
		status = live_inputs(r);
	if (status >= 0)
		return status;
	r->statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	tzset(); /* -G names use local time; zone files stay readable */
	status = run_drop_privileges(r->o);
	live_hook_messages(r);
	if (status < 0 && !run_pipeline_new(r, run_live_call, true))
		status = EXIT_INPUT;
	return status;
}

int
run_live(struct options *o)
{
	struct run r = { .o = o, .statm_fd = -1 };
	enum sc_err err;
	int status;

	sc_model_init(&r.model);
	status = live_setup(&r);
	if (status < 0) {
		run_catch_stop_signals();
		live_listening(&r);
		err = live_loop(&r);
		if (err == SC_OK)
			err = r.failure;
		live_counters(&r);
		if (err == SC_ELIMIT && !o->quiet)
			fprintf(stderr,
			        "sipcause: -W %llu: the last file is "
			        "complete; stopping\n",
			        (unsigned long long)o->live.max_files);
		if (err != SC_OK && err != SC_ELIMIT && err != SC_ENOMEM)
			fprintf(stderr, "sipcause: %s\n", r.errbuf);
		status = run_pipeline_end(&r, err == SC_ENOMEM ? err : SC_OK);
		if (err != SC_OK && err != SC_ELIMIT)
			status = EXIT_INPUT;
	}
	if (sc_pcapout_close(r.pcap, r.errbuf) != SC_OK) {
		fprintf(stderr, "sipcause: -w: %s\n", r.errbuf);
		status = EXIT_INPUT;
	}
	sc_live_close(r.live);
	if (r.statm_fd >= 0)
		close(r.statm_fd);
	return run_free(&r, status);
}
