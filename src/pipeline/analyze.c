/* analyze.c - the calls side of the pipeline, and the run around it
 *
 * What the reading side (reading.c) makes is filed into calls here,
 * diagnosed, streamed and kept; a file is read on one thread or two.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_impl.h"
#include "sipcause/diagnosis/diagnosis.h"
#include "sipcause/diagnosis/security.h"
#include "sipcause/reassembly/ipfrag.h"
#include "sipcause/reassembly/sctp.h"
#include "sipcause/reassembly/tcpstream.h"
#include "sipcause/sip/sipmsg.h"

/* File input: calls kept open before the oldest complete ones go. */
#define DEFAULT_MAX_OPEN 4096

/* Finished calls the model lists at most (about 1 KB each). */
#define DEFAULT_KEPT_CALLS_CAP 2000000

static const struct sc_registration *
registration(const void *calls, const char *user)
{
	return sc_calltab_registration(calls, user);
}

void
sc_analyzer_set_progress(struct sc_analyzer *a, sc_progress_fn *fn, void *ctx)
{
	a->progress = fn;
	a->progress_ctx = ctx;
}

static void
note_failure(struct sc_analyzer *a, enum sc_err err)
{
	if (err != SC_OK && a->failure == SC_OK)
		a->failure = err;
}

/* A call was freed on a failure: the linker must not point to it. */
static void
drop_linker(struct sc_analyzer *a)
{
	note_failure(a, SC_ENOMEM);
	sc_linker_free(a->linker);
	a->linker = NULL;
}

/* A 401/407 that is an expected step, not a refused password. */
static bool
expected_challenge(const struct sc_diagnosis *d, const struct sc_txn *t)
{
	const struct sc_explain *e = sc_diagnosis_note(d, t->final_msg);

	/* those rules explain only a 401 or a 407: the others (a 2xx
	 * nearly always) need no compare */
	if (!e || !e->rule || (e->code != 401 && e->code != 407))
		return false;
	return strcmp(e->rule, "auth.stale-nonce") == 0 ||
	       strcmp(e->rule, "auth.ims-aka-challenge") == 0 ||
	       strcmp(e->rule, "auth.challenge") == 0;
}

/* Feed every initial request of @c (retries included) to the security
 * tracker: scanners and password guessing show across calls. */
static enum sc_err
track_security(struct sc_analyzer *a, const struct sc_diagnosis *d)
{
	const struct sc_call *c = d->call;
	enum sc_err err = SC_OK;

	for (size_t i = 0; i < c->ntxns && err == SC_OK; i++) {
		const struct sc_txn *t = &c->txns[i];
		const struct sc_msg *req = t->first_msg < c->nmsgs
		                                   ? c->msgs[t->first_msg].msg
		                                   : NULL;
		struct sc_sec_request r;

		if (!req || !req->is_request || t->in_dialog ||
		    t->leader != i || t->method == SC_METHOD_ACK ||
		    t->method == SC_METHOD_CANCEL)
			continue;
		memset(&r, 0, sizeof(r));
		r.call_id = c->call_id;
		r.src = req->src.addr;
		r.user_agent = req->user_agent;
		r.method = req->method_name;
		r.from_user = req->from.user;
		r.to_user = req->to.user;
		r.ruri_user = req->ruri_user;
		r.auth_user = req->has_credentials ? req->auth_user : NULL;
		r.final_code = t->final_code;
		r.expected_challenge = expected_challenge(d, t);
		r.ts_ns = t->first_ts;
		err = sc_security_add(a->security, &r);
	}
	return err;
}

/* A call is finished: explain it, stream it, keep what is needed. */
static void
on_call_done(void *ctx, struct sc_call *call)
{
	struct sc_analyzer *a = ctx;
	struct sc_diagnosis *d;
	bool keep, listed, capped;

	/* a call handed over compacted is read back here, one at a time
	 * (at the end of the input, after the linking pass) */
	sc_call_restore(call, &a->reloader,
	                &a->model->stats.compaction.messages_reread,
	                &a->model->stats.compaction.messages_lost);
	/* links first: diagnosis, filters and streaming see them */
	if (a->linker && !a->linked_ahead)
		note_failure(a, sc_linker_add(a->linker, call));
	note_failure(a, sc_diagnose(call, &a->env, &d));
	if (!d) {
		/* the call is gone: the linker must not point to it */
		drop_linker(a);
		return;
	}
	note_failure(a, track_security(a, d));
	if (a->opts.on_call)
		a->opts.on_call(a->opts.on_call_ctx, d);
	/* counted while its messages are there (delays of every
	 * transaction, also for calls summarised below) */
	note_failure(a, sc_model_count_call(a->model, call));
	listed = !a->opts.stream_only &&
	         (!a->opts.list_pred || a->opts.list_pred(a->opts.list_ctx, d));
	capped = listed && a->model->calls.n >= a->opts.kept_calls_cap;
	if (!listed || capped) {
		/* written, counted, gone: nothing stays per call */
		if (capped)
			a->model->stats.caps.calls_not_kept++;
		if (a->linker)
			sc_linker_release(a->linker, call);
		sc_diagnosis_free(d);
		return;
	}
	keep = a->opts.keep_messages &&
	       (!a->opts.keep_pred || a->opts.keep_pred(a->opts.keep_ctx, d));
	if (!keep)
		sc_diagnosis_summarise(d);
	if (sc_model_add_call(a->model, d) != SC_OK)
		drop_linker(a);
}

struct sc_analyzer *
sc_analyzer_new(const struct sc_analyzer_opts *opts, struct sc_model *model)
{
	struct sc_analyzer *a = calloc(1, sizeof(*a));
	struct sc_sipparser_opts parser_opts = { 0 };
	struct sc_calltab_opts tab_opts = { 0 };
	struct sc_tcp_limits tcp_limits = { 0 };

	if (!a)
		return NULL;
	if (opts)
		a->opts = *opts;
	a->model = model;
	a->read_stats = &model->stats;
	a->next_frame = 1;
	a->oldest_open = UINT64_MAX;
	sc__reread_init(a);
	sc_sipmsg_global_init();
	parser_opts.link_headers = a->opts.link_headers;
	parser_opts.full_parse = a->opts.full_parse;
	a->parser = sc_sipparser_new(&parser_opts);
	/* without it, two threads only parse on the reading side */
	if (a->opts.two_threads)
		a->late_parser = sc_sipparser_new(&parser_opts);
	if (!a->opts.max_open_calls)
		a->opts.max_open_calls = DEFAULT_MAX_OPEN;
	if (!a->opts.kept_calls_cap)
		a->opts.kept_calls_cap = DEFAULT_KEPT_CALLS_CAP;
	if (a->opts.prompt) {
		tab_opts.decided = on_call_done;
		tab_opts.decided_ctx = a;
	}
	tab_opts.max_open = a->opts.open_calls_cap;
	tab_opts.max_held_msgs = a->opts.held_msgs_cap;
	tab_opts.max_call_msgs = a->opts.call_msgs_cap;
	/* live capture cannot read its frames again; on two threads the
	 * calls side parses what it reads back with a parser of its own */
	if (!a->opts.prompt && (!a->opts.two_threads || a->late_parser))
		tab_opts.reloader = &a->reloader;
	tab_opts.in_flight_bytes = a->opts.in_flight_memory;
	tab_opts.compact_always = a->opts.compact_always;
	a->calls = sc_calltab_new(&tab_opts);
	if (a->calls)
		sc_calltab_set_evicted(a->calls, on_call_done, a);
	a->linker = sc_linker_new();
	if (a->linker)
		sc_linker_set_max_keys(a->linker, a->opts.link_keys_cap);
	if (a->linker && a->opts.on_late_link)
		sc_linker_keep_released(a->linker, a->opts.on_late_link,
		                        a->opts.late_link_ctx);
	a->security = sc_security_new(NULL);
	a->frags = sc_ipfrag_new(NULL);
	tcp_limits.is_sip_port = sc__is_sip_port;
	tcp_limits.port_ctx = a;
	a->tcp = sc_tcp_new(&tcp_limits);
	a->sctp = sc_sctp_new();
	a->env.registration = registration;
	a->env.ctx = a->calls;
	if (!a->parser || !a->calls || !a->linker || !a->security ||
	    !a->frags || !a->tcp || !a->sctp) {
		sc_analyzer_free(a);
		return NULL;
	}
	return a;
}

void
sc_analyzer_free(struct sc_analyzer *a)
{
	if (!a)
		return;
	sc_sipparser_free(a->parser);
	sc_sipparser_free(a->late_parser);
	sc_calltab_free(a->calls);
	sc_linker_free(a->linker);
	sc_security_free(a->security);
	sc_ipfrag_free(a->frags);
	sc_tcp_free(a->tcp);
	sc_sctp_free(a->sctp);
	sc__reread_fini(a);
	free(a);
}

/*
 * The calls side: what the reading side hands over, in its order (at
 * once on one thread; through the handoff ring on two).
 */
static void
take_frame(struct sc_analyzer *a, int64_t ts_ns, uint64_t wirelen)
{
	struct sc_stats *st = &a->model->stats;

	st->packets++;
	st->bytes += wirelen;
	if (st->first_ts == 0 || ts_ns < st->first_ts)
		st->first_ts = ts_ns;
	if (ts_ns > st->last_ts)
		st->last_ts = ts_ns;
	sc_calltab_note_packet(a->calls, ts_ns);
}

/* A frame's messages are filed: calls expire on the capture clock (at
 * most once a second); calls read from a file depend only on their
 * messages. */
static void
take_frame_end(struct sc_analyzer *a, int64_t now_ns, bool in_file)
{
	uint64_t oldest;

	if (in_file)
		sc_calltab_trim(a->calls, now_ns, a->opts.max_open_calls,
		                on_call_done, a);
	else
		sc_calltab_expire(a->calls, now_ns, on_call_done, a);
	/* files only: there the calls handed over leave the table's list
	 * at once, so the oldest open is found at its front (a live table
	 * keeps their Call-IDs in it a while) */
	if (!in_file || !a->opts.on_oldest_open)
		return;
	oldest = sc_calltab_oldest_open(a->calls);
	if (oldest != a->oldest_open) {
		a->oldest_open = oldest;
		a->opts.on_oldest_open(a->opts.oldest_open_ctx, oldest);
	}
}

static void
take_msg(struct sc_analyzer *a, struct sc_msg *msg)
{
	struct sc_stats *st = &a->model->stats;

	sc_stats_count_msg(st, msg);
	if (!msg->call_id)
		st->no_call_id++;
	note_failure(a, sc_calltab_add(a->calls, msg));
}

/* A message from the reading side, parsed there or to parse here. */
static void
take_handed(struct sc_analyzer *a, const struct sc__event *ev)
{
	struct sc_msg *msg = ev->p;
	enum sc_err err = SC_OK;

	if (ev->unparsed)
		err = sc__parse_handed_over(a, ev->p, &msg);
	if (err == SC_OK)
		take_msg(a, msg);
	else if (err == SC_EMALFORMED)
		a->model->stats.unparsable++;
	else
		note_failure(a, err);
}

static void
take_icmp(struct sc_analyzer *a, struct icmp_event *ie)
{
	sc_calltab_attach_event(a->calls, ie->quoted->call_id, &ie->ev);
	a->model->stats.icmp_errors++;
	sc_msg_free(ie->quoted);
	free(ie);
}

static void
take(struct sc_analyzer *a, const struct sc__event *ev)
{
	switch (ev->kind) {
	case SC__EV_FRAME:
		take_frame(a, ev->ts_ns, ev->n);
		if (ev->p)
			take_handed(a, ev);
		if (ev->ended)
			take_frame_end(a, ev->end_ns, ev->in_file);
		break;
	case SC__EV_FRAME_END:
		take_frame_end(a, ev->ts_ns, ev->in_file);
		break;
	case SC__EV_MSG:
		take_handed(a, ev);
		break;
	case SC__EV_ICMP:
		take_icmp(a, ev->p);
		break;
	case SC__EV_PROGRESS:
		if (a->progress)
			a->progress(a->progress_ctx, ev->n, ev->total);
		break;
	}
}

void
sc__emit(struct sc_analyzer *a, const struct sc__event *ev)
{
	if (a->handoff)
		sc__handoff_put(a->handoff, ev);
	else
		take(a, ev);
}

enum sc_err
sc_analyzer_tick(struct sc_analyzer *a, int64_t now_ns)
{
	if (now_ns > a->now_ns)
		a->now_ns = now_ns;
	sc_ipfrag_expire(a->frags, a->now_ns);
	sc_tcp_expire(a->tcp, a->now_ns, sc__on_rawmsg, a);
	sc_calltab_expire(a->calls, a->now_ns, on_call_done, a);
	return sc__take_failures(a);
}

/* A file read on a thread of its own: what it was given, what it got. */
struct read_job {
	struct sc_analyzer *a;
	struct sc_capture *cap;
	struct sc_input_file *file;
	enum sc_err err;
	char errbuf[SC_ERRBUF_SIZE];
};

static void *
read_thread(void *arg)
{
	struct read_job *j = arg;

	j->err = sc__read_capture(j->a, j->cap, j->file, j->errbuf);
	sc__handoff_close(j->a->handoff);
	return NULL;
}

/* Events looked ahead by take_all(). */
#define LOOKAHEAD 4

/*
 * The reading side wrote the message of @ev (or its bytes) on the other
 * core: without this, filing it into its call stalls on cache misses
 * for the struct and its Call-ID, one message after another. Asked for
 * a few events ahead, the lines arrive while earlier ones are filed.
 */
static inline void
prefetch_message(const struct sc__event *ev)
{
	const char *p = ev->p;

	if (!p || (ev->kind != SC__EV_MSG && ev->kind != SC__EV_FRAME))
		return;
	for (size_t off = 0; off < 512; off += 64)
		__builtin_prefetch(p + off);
}

/* The calls side of a two-thread read: take every batch handed over. */
static void
take_all(struct sc_analyzer *a)
{
	const struct sc__event *ev;
	size_t n;

	while ((n = sc__handoff_take(a->handoff, &ev)) > 0) {
		for (size_t i = 0; i < n && i < LOOKAHEAD; i++)
			prefetch_message(&ev[i]);
		for (size_t i = 0; i < n; i++) {
			if (i + LOOKAHEAD < n)
				prefetch_message(&ev[i + LOOKAHEAD]);
			take(a, &ev[i]);
		}
		if (a->failure != SC_OK)
			atomic_store_explicit(&a->stop, (int)a->failure,
			                      memory_order_relaxed);
		sc__handoff_release(a->handoff);
	}
}

/*
 * Read @cap on two cores: a thread reads, decodes, reassembles, frames
 * and parses; this one files the messages into calls, diagnoses and
 * reports them (the profile splits the work about in half). The calls
 * side sees the events of a one-thread read in the same order, so the
 * output is the same. The reading side counts into counters of its own,
 * added to the model's at the end.
 */
static enum sc_err
read_two_threads(struct sc_analyzer *a, struct sc_capture *cap,
                 struct sc_input_file *file, char *errbuf)
{
	struct read_job job = { .a = a, .cap = cap, .file = file };
	struct sc_stats *counts = calloc(1, sizeof(*counts));
	bool started = false;
	enum sc_err err;
	pthread_t t;

	a->handoff = counts ? sc__handoff_new() : NULL;
	if (a->handoff) {
		a->read_stats = counts;
		atomic_store(&a->stop, SC_OK);
		started = pthread_create(&t, NULL, read_thread, &job) == 0;
	}
	if (started) {
		take_all(a);
		pthread_join(t, NULL);
	}
	sc__handoff_free(a->handoff);
	a->handoff = NULL;
	a->read_stats = &a->model->stats;
	if (!started) {
		/* no memory or no thread: read on this one */
		free(counts);
		return sc__read_capture(a, cap, file, errbuf);
	}
	sc_stats_add_reading(&a->model->stats, counts);
	free(counts);
	snprintf(errbuf, SC_ERRBUF_SIZE, "%s", job.errbuf);
	err = job.err != SC_OK ? job.err : a->failure;
	a->failure = SC_OK;
	return err;
}

/* Read a whole capture, on two threads when the options allow. */
static enum sc_err
read_input(struct sc_analyzer *a, struct sc_capture *cap,
           struct sc_input_file *file, char *errbuf)
{
	/* live (prompt) runs tick from outside; HEP out sends from the
	 * reading side and the calls side alike: one thread for both */
	if (a->opts.two_threads && !a->opts.prompt && !a->opts.on_message)
		return read_two_threads(a, cap, file, errbuf);
	return sc__read_capture(a, cap, file, errbuf);
}

size_t
sc_analyzer_open_calls(const struct sc_analyzer *a)
{
	return sc_calltab_count(a->calls);
}

enum sc_err
sc_analyzer_file(struct sc_analyzer *a, const char *path, char *errbuf)
{
	struct sc_capture *cap;
	struct sc_input_file *file;
	enum sc_err err;

	file = sc_model_add_file(a->model, path);
	if (!file)
		return SC_ENOMEM;
	err = sc_capture_open_file(path, &cap, errbuf);
	if (err != SC_OK)
		return err;
	return read_input(a, cap, file, errbuf);
}

enum sc_err
sc_analyzer_stream(struct sc_analyzer *a, FILE *fp, const char *name,
                   char *errbuf)
{
	struct sc_capture *cap;
	struct sc_input_file *file;
	enum sc_err err;

	file = sc_model_add_file(a->model, name);
	if (!file) {
		fclose(fp);
		return SC_ENOMEM;
	}
	err = sc_capture_open_stream(fp, name, &cap, errbuf);
	if (err != SC_OK)
		return err;
	return read_input(a, cap, file, errbuf);
}

static enum sc_err
security_findings(struct sc_analyzer *a)
{
	const struct sc_sec_finding *f;
	size_t n;
	enum sc_err err = sc_security_findings(a->security, &f, &n);

	for (size_t i = 0; i < n && err == SC_OK; i++)
		err = sc_model_add_security(a->model, &f[i]);
	a->model->security_untracked = sc_security_untracked(a->security);
	return err;
}

/* End of input: keep each remaining call for the linking pass. */
static void
collect_call(void *ctx, struct sc_call *call)
{
	struct sc_analyzer *a = ctx;

	if (sc_vec_push(&a->closing, call) != SC_OK) {
		/* no room to wait: finish it now, links as far as known */
		note_failure(a, SC_ENOMEM);
		on_call_done(a, call);
	}
}

/* The order calls start in: first frame, then Call-ID. */
static int
by_start(const void *x, const void *y)
{
	const struct sc_call *a = *(const struct sc_call *const *)x;
	const struct sc_call *b = *(const struct sc_call *const *)y;

	if (a->first_frame != b->first_frame)
		return a->first_frame < b->first_frame ? -1 : 1;
	return strcmp(a->call_id, b->call_id);
}

/*
 * The calls still open at the end of the input close together, in the
 * order they started (the order of the JSON document: its calls then
 * mostly go into the output as they come, see report/json_spool.c):
 * link them all first, so that a leg closing before its partner is
 * streamed and filtered with its link too (jsonl, --call).
 */
static void
finish_open_calls(struct sc_analyzer *a)
{
	/* the input ends at its last packet, also when live ticks moved the
	 * clock on: the verdicts are those of its -w file */
	sc_calltab_flush(a->calls, a->seen_ns, collect_call, a);
	if (a->closing.n > 1)
		qsort(a->closing.v, a->closing.n, sizeof(*a->closing.v),
		      by_start);
	for (size_t i = 0; a->linker && i < a->closing.n; i++)
		note_failure(a, sc_linker_add(a->linker, a->closing.v[i]));
	a->linked_ahead = a->linker != NULL;
	for (size_t i = 0; i < a->closing.n; i++)
		on_call_done(a, a->closing.v[i]);
	a->linked_ahead = false;
	sc_vec_fini(&a->closing);
}

enum sc_err
sc_analyzer_finish(struct sc_analyzer *a)
{
	sc_tcp_flush(a->tcp, sc__on_rawmsg, a);
	finish_open_calls(a);
	a->model->stats.caps.open_calls_evicted =
	        sc_calltab_caps(a->calls)->open_calls_evicted;
	a->model->stats.caps.call_msgs_dropped =
	        sc_calltab_caps(a->calls)->call_msgs_dropped;
	a->model->stats.compaction.calls_compacted =
	        sc_calltab_caps(a->calls)->calls_compacted;
	a->model->stats.compaction.messages_reread +=
	        sc_calltab_caps(a->calls)->msgs_reread;
	a->model->stats.compaction.messages_lost +=
	        sc_calltab_caps(a->calls)->msgs_lost;
	if (a->linker)
		a->model->stats.caps.link_keys_forgotten =
		        sc_linker_forgotten(a->linker);
	a->model->stats.ipfrag = *sc_ipfrag_stats(a->frags);
	a->model->stats.tcp = *sc_tcp_stats(a->tcp);
	a->model->stats.sctp = *sc_sctp_stats(a->sctp);
	note_failure(a, security_findings(a));
	sc_model_finish(a->model);
	return sc__take_failures(a);
}
