/* hep.c - the command's HEP wiring: --hep-send out, --hep-listen in
 *
 * Out: every framed SIP message becomes a HEP3 packet of payload type 1,
 * and every finished call a HEP3 log (payload type 100) whose correlation
 * ID is its Call-ID, sent through one sender (report/hep_out.c).
 * In: hep_listen.c turns each HEP packet into a raw IP frame; this file
 * runs those frames through the pipeline as a live capture does.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/hep.h"
#include "sipcause/capture/hep_listen.h"
#include "sipcause/pipeline/filter.h"
#include "sipcause/report/hep_out.h"

/* TCP agents served at once by --hep-listen tcp: (more are refused). */
#define HEP_LISTEN_MAX_CONNS 64

struct cli_hep {
	struct sc_hep_sender sender;
	struct sc_hep_out_msg base; /* agent id, password, node */
	sc_call_done_fn *on_call;   /* what the run did with a call */
	void *on_call_ctx;
	void (*on_message)(void *ctx, const struct sc_rawmsg *raw);
	void *on_message_ctx; /* ... and with a message, if anything */
	uint64_t messages;    /* SIP messages handed over */
	uint64_t logs;        /* verdict logs handed over */
	uint64_t unsendable;  /* too large for HEP, or no address */
	uint8_t pkt[SC_HEP_MAX];
};

int
cli_hep_open(struct run *r)
{
	const struct options *o = r->o;
	struct cli_hep *h;
	bool files = !o->hep.listen && o->live.nifaces == 0;
	enum sc_err err;

	if (!o->hep.send || r->hep)
		return -1;
	h = calloc(1, sizeof(*h));
	if (!h) {
		fputs("sipcause: out of memory\n", stderr);
		return EXIT_INPUT;
	}
	/* pacing is for replayed files: a live source cannot wait */
	err = sc_hep_sender_open(&h->sender, o->hep.send,
	                         files ? (uint32_t)o->hep.rate : 0);
	if (err != SC_OK) {
		fprintf(stderr, "sipcause: --hep-send %s: %s\n", o->hep.send,
		        err == SC_EUSAGE ? "not [udp:|tcp:]HOST:PORT, or an "
		                           "unknown host"
		                         : "cannot connect");
		sc_hep_sender_close(&h->sender);
		free(h);
		return err == SC_EUSAGE ? EXIT_USAGE : EXIT_INPUT;
	}
	h->base.agent_id = (uint32_t)o->hep.id;
	h->base.password = o->hep.password;
	h->base.node = o->hep.node;
	r->hep = h;
	return -1;
}

static void
hep_send(struct cli_hep *h, const struct sc_hep_out_msg *m)
{
	size_t n = sc_hep_encode(m, h->pkt, sizeof(h->pkt));

	if (n == 0) {
		h->unsendable++;
		return;
	}
	sc_hep_sender_send(&h->sender, h->pkt, n);
}

/* A framed SIP message: out at once, with its original time. */
static void
hep_on_message(void *ctx, const struct sc_rawmsg *raw)
{
	struct cli_hep *h = ctx;
	struct sc_hep_out_msg m = h->base;

	if (h->on_message)
		h->on_message(h->on_message_ctx, raw);
	sc_hep_msg_from_raw(&m, raw);
	h->messages++;
	hep_send(h, &m);
}

/*
 * A finished call: what the run does with it, then its verdict log,
 * timed at the call's last message and addressed caller to callee so
 * that a collector files it with the call.
 */
static void
hep_on_call(void *ctx, const struct sc_diagnosis *d)
{
	const struct sc_call *call = d->call;
	struct cli_hep *h = ctx;
	struct sc_hep_out_msg m = h->base;
	int64_t ts = call->last_ts > 0 ? call->last_ts : 0;
	char *json;
	size_t len = 0;

	if (h->on_call)
		h->on_call(h->on_call_ctx, d);
	json = sc_hep_verdict_json(d, &len);
	if (!json)
		return;
	m.ipproto = 17;
	m.payload_type = SC_HEP_PT_LOG;
	m.src = call->caller;
	m.dst = call->callee;
	if ((m.src.addr.family != 4 && m.src.addr.family != 6) ||
	    m.src.addr.family != m.dst.addr.family) {
		memset(&m.src, 0, sizeof(m.src));
		memset(&m.dst, 0, sizeof(m.dst));
		m.src.addr.family = 4;
		m.dst.addr.family = 4;
	}
	m.ts_sec = (uint32_t)(ts / 1000000000);
	m.ts_usec = (uint32_t)(ts % 1000000000 / 1000);
	m.correlation = call->call_id;
	m.payload = (const uint8_t *)json;
	m.len = len;
	h->logs++;
	hep_send(h, &m);
	free(json);
}

void
cli_hep_wire(struct run *r, struct sc_analyzer_opts *aopts)
{
	struct cli_hep *h;

	/* a run that did not open the sender itself (run_live.c for now):
	 * opened here, after privileges were dropped; if it cannot be,
	 * that was said and the run goes on without HEP */
	if (r->o->hep.send && !r->hep && cli_hep_open(r) >= 0)
		return;
	h = r->hep;
	if (!h)
		return;
	h->on_call = aopts->on_call;
	h->on_call_ctx = aopts->on_call_ctx;
	h->on_message = aopts->on_message;
	h->on_message_ctx = aopts->on_message_ctx;
	aopts->on_call = hep_on_call;
	aopts->on_call_ctx = h;
	aopts->on_message = hep_on_message;
	aopts->on_message_ctx = h;
}

void
cli_hep_close(struct run *r)
{
	struct cli_hep *h = r->hep;
	const struct sc_hep_sender *s;

	if (!h)
		return;
	sc_hep_sender_close(&h->sender);
	s = &h->sender;
	if (!r->o->quiet) {
		fprintf(stderr,
		        "sipcause: HEP to %s: %llu packets sent (%llu "
		        "messages, %llu verdict logs), %llu bytes, "
		        "%llu failed",
		        r->o->hep.send, (unsigned long long)s->sent,
		        (unsigned long long)h->messages,
		        (unsigned long long)h->logs,
		        (unsigned long long)s->bytes,
		        (unsigned long long)s->failed);
		if (h->unsendable)
			fprintf(stderr, ", %llu too large for HEP",
			        (unsigned long long)h->unsendable);
		if (s->reconnects)
			fprintf(stderr, ", %llu reconnections",
			        (unsigned long long)s->reconnects);
		fputc('\n', stderr);
	}
	free(h);
	r->hep = NULL;
}

/* --hep-listen: one run whose source is a HEP listener. */
struct hep_run {
	struct run r;
	struct sc_hep_listener *l;
	uint64_t frames;
	/* the capture clock: the latest HEP time seen, moved on by the
	 * monotonic clock since, so that agents replaying old captures
	 * (sngrep -I ... -H) do not make every call time out at once */
	int64_t clock_ts;
	int64_t clock_mono;
};

/* The --stats-interval line, with the listener's counters. */
static void
hep_stats_line(struct hep_run *hr)
{
	const struct sc_hep_listen_stats *st = sc_hep_listen_stats(hr->l);
	struct run *r = &hr->r;
	uint64_t failed = 0;
	char clock[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	for (int i = 0; i < SC_CAT__COUNT; i++)
		failed += r->failed[i];
	fprintf(stderr,
	        "sipcause: %s HEP packets %llu, damaged %llu, not HEP "
	        "%llu, other payloads %llu, calls finished %llu, "
	        "failed %llu, RSS %.1f MB\n",
	        clock, (unsigned long long)st->packets,
	        (unsigned long long)st->bad, (unsigned long long)st->not_hep,
	        (unsigned long long)st->non_sip,
	        (unsigned long long)r->finished, (unsigned long long)failed,
	        (double)run_rss_bytes(r->statm_fd) / 1e6);
}

/* What came and what was skipped, on stderr at the end. */
static void
hep_counters(struct hep_run *hr)
{
	const struct sc_hep_listen_stats *st = sc_hep_listen_stats(hr->l);

	if (hr->r.model.nfiles)
		hr->r.model.files[0].packets = hr->frames;
	if (hr->r.o->quiet)
		return;
	fprintf(stderr,
	        "sipcause: %llu HEP packets analysed, %llu damaged, "
	        "%llu not HEP, %llu of other payload types",
	        (unsigned long long)st->packets, (unsigned long long)st->bad,
	        (unsigned long long)st->not_hep,
	        (unsigned long long)st->non_sip);
	if (st->conns || st->conns_refused)
		fprintf(stderr,
		        "; %llu TCP agents, %llu refused, %llu "
		        "dropped for bad framing",
		        (unsigned long long)st->conns,
		        (unsigned long long)st->conns_refused,
		        (unsigned long long)st->conns_dropped);
	fputc('\n', stderr);
}

/* Bind the port, open -w, -o and the sender; then drop privileges. */
static int
hep_setup(struct hep_run *hr)
{
	struct run *r = &hr->r;
	const struct live_options *lo = &r->o->live;
	struct sc_input_file *in;
	enum sc_err err;
	int status;

	err = sc_hep_listen_open(&hr->l, r->o->hep.listen,
	                         HEP_LISTEN_MAX_CONNS);
	if (err != SC_OK) {
		fprintf(stderr, "sipcause: --hep-listen %s: %s\n",
		        r->o->hep.listen,
		        err == SC_EUSAGE ? "not [udp:|tcp:]HOST:PORT"
		                         : "cannot bind");
		return err == SC_EUSAGE ? EXIT_USAGE : EXIT_INPUT;
	}
	status = lo->write_path
	                 ? run_open_write(r, SC_LINK_RAW, SC_HEP_FRAME_MAX)
	                 : -1;
	if (status < 0)
		status = run_open_output(r, false);
	if (status < 0)
		status = cli_hep_open(r);
	if (status >= 0)
		return status;
	in = sc_model_add_file(&r->model, r->o->hep.listen);
	if (!in) {
		fputs("sipcause: out of memory\n", stderr);
		return EXIT_INPUT;
	}
	in->linktype = SC_LINK_RAW;
	r->statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	tzset(); /* -G names use local time */
	status = run_drop_privileges(r->o);
	if (status < 0 && !run_pipeline_new(r, run_live_call, true))
		status = EXIT_INPUT;
	return status;
}

/* The HEP capture clock now (0: no packet yet). */
static int64_t
hep_clock(const struct hep_run *hr, int64_t mono)
{
	if (!hr->clock_mono)
		return 0;
	return hr->clock_ts + (mono - hr->clock_mono);
}

/* One decapsulated frame: to -w, through the analysis; -c. */
static void
hep_frame(struct hep_run *hr, struct sc_frame *f, int64_t mono)
{
	struct run *r = &hr->r;

	hr->frames++;
	f->number = hr->frames;
	if (f->ts_ns > hep_clock(hr, mono)) {
		hr->clock_ts = f->ts_ns;
		hr->clock_mono = mono;
	}
	run_frame(r, f);
	if (r->o->live.count && hr->frames >= r->o->live.count)
		r->stop = true;
}

/* Let timers fire on the HEP clock when agents are quiet. */
static void
hep_tick(struct hep_run *hr, int64_t mono)
{
	struct run *r = &hr->r;
	int64_t now = hep_clock(hr, mono);
	enum sc_err err;

	if (!now)
		return;
	err = sc_analyzer_tick(r->an, now);
	if (err != SC_OK && r->failure == SC_OK) {
		r->failure = err;
		r->stop = true;
	}
}

static void
hep_loop(struct hep_run *hr)
{
	struct run *r = &hr->r;
	const struct live_options *lo = &r->o->live;
	int64_t start = run_clock_ns(CLOCK_MONOTONIC);
	int64_t interval = (int64_t)lo->stats_interval * 1000000000;
	int64_t next_stats = interval ? start + interval : 0;
	int64_t deadline =
	        lo->duration_s ? start + (int64_t)lo->duration_s * 1000000000
	                       : 0;
	int64_t next_tick = start;

	while (!run_stop_requested() && !r->stop) {
		int64_t now = run_clock_ns(CLOCK_MONOTONIC);
		struct sc_frame f;

		if (deadline && now >= deadline)
			break;
		if (next_stats && now >= next_stats) {
			hep_stats_line(hr);
			next_stats += interval;
		}
		if (sc_hep_listen_next(
		            hr->l, run_timeout_ms(now, next_stats, deadline),
		            &f) == SC_OK) {
			now = run_clock_ns(CLOCK_MONOTONIC);
			hep_frame(hr, &f, now);
			sc_pcapout_flush(r->pcap);
		}
		if (now >= next_tick) {
			hep_tick(hr, now);
			next_tick = now + 100000000;
		}
	}
}

int
run_hep_listen(struct options *o)
{
	struct hep_run hr = { .r = { .o = o, .statm_fd = -1 } };
	struct run *r = &hr.r;
	enum sc_err err;
	int status;

	sc_model_init(&r->model);
	status = hep_setup(&hr);
	if (status < 0) {
		run_catch_stop_signals();
		if (!o->quiet)
			fprintf(stderr,
			        "sipcause: listening for HEP on %s "
			        "(port %u)\n",
			        o->hep.listen, sc_hep_listen_port(hr.l));
		hep_loop(&hr);
		err = r->failure;
		hep_counters(&hr);
		if (err == SC_ELIMIT && !o->quiet)
			fprintf(stderr,
			        "sipcause: -W %llu: the last file is "
			        "complete; stopping\n",
			        (unsigned long long)o->live.max_files);
		if (err != SC_OK && err != SC_ELIMIT && err != SC_ENOMEM)
			fprintf(stderr, "sipcause: %s\n", r->errbuf);
		status = run_pipeline_end(r, err == SC_ENOMEM ? err : SC_OK);
		if (err != SC_OK && err != SC_ELIMIT)
			status = EXIT_INPUT;
	}
	if (sc_pcapout_close(r->pcap, r->errbuf) != SC_OK) {
		fprintf(stderr, "sipcause: -w: %s\n", r->errbuf);
		status = EXIT_INPUT;
	}
	sc_hep_listen_close(hr.l);
	if (r->statm_fd >= 0)
		close(r->statm_fd);
	return run_free(r, status);
}
