/* analyze.c - drive frames through every stage of the pipeline */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/pipeline/analyze.h"
#include "sipcause/frame/carrier.h"
#include "sipcause/diagnosis/classify.h"
#include "sipcause/diagnosis/diagnosis.h"
#include "sipcause/diagnosis/security.h"
#include "sipcause/decode/decode.h"
#include "sipcause/reassembly/ipfrag.h"
#include "sipcause/frame/sipframe.h"
#include "sipcause/reassembly/sctp.h"
#include "sipcause/sip/sipmsg.h"
#include "sipcause/reassembly/tcpstream.h"

/* Report progress every this many frames. */
#define PROGRESS_EVERY 65536

/* File input: calls kept open before the oldest complete ones go. */
#define DEFAULT_MAX_OPEN 4096

/* Finished calls the model lists at most (about 1 KB each). */
#define DEFAULT_KEPT_CALLS_CAP 2000000

struct sc_analyzer {
	struct sc_analyzer_opts opts;
	bool linked_ahead;     /* end of input: calls linked before done */
	struct sc_vec closing; /* end of input: calls waiting to be linked */
	struct sc_model *model;
	struct sc_sipparser *parser;
	struct sc_calltab *calls;
	struct sc_linker *linker;
	struct sc_security *security; /* patterns across calls */
	bool in_file;                 /* reading a file: no time-based finish */
	struct sc_ipfrag *frags;
	struct sc_tcp *tcp;
	struct sc_sctp *sctp;
	uint64_t next_frame; /* frame numbers continue across files */
	int64_t now_ns;      /* capture clock: latest timestamp seen */
	int64_t seen_ns;     /* latest packet (ticks do not move it): the
	                        end of what a -w file of it holds */
	enum sc_err failure; /* first SC_ENOMEM met inside a callback */
	sc_progress_fn *progress;
	void *progress_ctx;
	struct sc_classify_env env; /* registrations seen, for classify */
};

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

/* SIP's registered ports, then the user's hints. */
static bool
is_sip_port(const void *ctx, uint16_t port)
{
	const struct sc_analyzer *a = ctx;

	if (port == 5060 || port == 5061)
		return true;
	for (size_t i = 0; i < a->opts.nports; i++)
		if (a->opts.ports[i] == port)
			return true;
	return false;
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

	if (!e || !e->rule)
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
	a->next_frame = 1;
	sc_sipmsg_global_init();
	parser_opts.link_headers = a->opts.link_headers;
	parser_opts.full_parse = a->opts.full_parse;
	a->parser = sc_sipparser_new(&parser_opts);
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
	tcp_limits.is_sip_port = is_sip_port;
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
	sc_calltab_free(a->calls);
	sc_linker_free(a->linker);
	sc_security_free(a->security);
	sc_ipfrag_free(a->frags);
	sc_tcp_free(a->tcp);
	sc_sctp_free(a->sctp);
	free(a);
}

/* A framed SIP message: parse it and file it into its call. */
static void
on_rawmsg(void *ctx, const struct sc_rawmsg *raw)
{
	struct sc_analyzer *a = ctx;
	struct sc_stats *st = &a->model->stats;
	struct sc_msg *msg;
	enum sc_err err;

	if (a->opts.on_message)
		a->opts.on_message(a->opts.on_message_ctx, raw);
	err = sc_sipmsg_parse(a->parser, raw, &msg);
	if (err == SC_EMALFORMED) {
		st->unparsable++;
		return;
	}
	if (err != SC_OK) {
		note_failure(a, err);
		return;
	}
	sc_stats_count_msg(st, msg);
	if (!msg->call_id)
		st->no_call_id++;
	note_failure(a, sc_calltab_add(a->calls, msg));
}

static void
count_decode_failure(struct sc_stats *st, const struct sc_pkt *pkt)
{
	if (sc_decode_reason_is_skip(pkt->reason))
		st->skipped[pkt->reason]++;
	else
		st->decode_errors[pkt->reason]++;
}

/* The framing meta data of a packet built from @frames. */
static void
describe(const struct sc_pkt *pkt, const uint64_t *frames, size_t nframes,
         enum sc_transport transport, struct sc_rawmsg *proto)
{
	memset(proto, 0, sizeof(*proto));
	proto->ts_ns = pkt->ts_ns;
	proto->frame = pkt->frame;
	proto->frames = frames;
	proto->nframes = nframes;
	proto->src = pkt->src;
	proto->dst = pkt->dst;
	proto->transport = transport;
	proto->flags = pkt->truncated ? SC_RAW_TRUNCATED : 0;
	proto->has_ip_id = pkt->has_ip_id;
	proto->ip_id = pkt->ip_id;
	proto->tunnel =
	        pkt->tunnel.kind != SC_TUNNEL_NONE ? &pkt->tunnel : NULL;
}

/* SIP inside HEP: the original addresses and time replace the outer. */
static bool
try_hep(struct sc_analyzer *a, const struct sc_rawmsg *outer,
        const struct sc_pkt *pkt)
{
	struct sc_hep hep;
	struct sc_rawmsg proto = *outer;
	enum sc_err err = sc_hep_decode(pkt->payload, pkt->len, &hep);

	if (err == SC_ENOTPROTO)
		return false;
	if (err != SC_OK || (hep.payload_type && hep.payload_type != 1) ||
	    !sc_sipframe_is_start(hep.payload, hep.len)) {
		a->model->stats.hep_non_sip++;
		return true;
	}
	proto.src = hep.src;
	proto.dst = hep.dst;
	if (hep.ts_ns)
		proto.ts_ns = hep.ts_ns;
	proto.transport = hep.ipproto == SC_IPPROTO_TCP ? SC_TRANSPORT_TCP
	                                                : SC_TRANSPORT_UDP;
	proto.flags |= SC_RAW_HEP;
	a->model->stats.hep_messages += sc_sipframe_datagram(
	        hep.payload, hep.len, &proto, on_rawmsg, a);
	return true;
}

static void
udp(struct sc_analyzer *a, const struct sc_pkt *pkt, const uint64_t *frames,
    size_t nframes)
{
	struct sc_rawmsg proto;

	describe(pkt, frames, nframes, SC_TRANSPORT_UDP, &proto);
	if (sc_sipframe_datagram(pkt->payload, pkt->len, &proto, on_rawmsg, a) >
	    0)
		return;
	if (try_hep(a, &proto, pkt))
		return;
	/* on a SIP port, look past leading garbage for a start line */
	if (is_sip_port(a, pkt->src.port) || is_sip_port(a, pkt->dst.port)) {
		size_t at = sc_sipframe_find_start(pkt->payload, pkt->len);

		proto.flags |= SC_RAW_RESYNCED;
		if (at != SIZE_MAX &&
		    sc_sipframe_datagram(pkt->payload + at, pkt->len - at,
		                         &proto, on_rawmsg, a) > 0) {
			a->model->stats.udp_resynced++;
			return;
		}
	}
	a->model->stats.udp_non_sip++;
}

/*
 * An ICMP error quoting a SIP request: tie it to the request's call as an
 * event (it explains why no answer came); it is not a SIP message.
 */
static void
icmp(struct sc_analyzer *a, const struct sc_pkt *pkt)
{
	struct sc_icmp_quote q;
	struct sc_rawmsg raw;
	struct sc_call_event ev;
	struct sc_msg *m = NULL;

	if (sc_decode_icmp_quote(pkt, &q) != SC_OK ||
	    !sc_sipframe_is_start(q.payload, q.len))
		return;
	memset(&raw, 0, sizeof(raw));
	raw.data = q.payload;
	raw.len = q.len;
	raw.frame = pkt->frame;
	raw.frames = &pkt->frame;
	raw.nframes = 1;
	if (sc_sipmsg_scan(&raw, &m) != SC_OK)
		return;
	if (m->call_id) {
		memset(&ev, 0, sizeof(ev));
		ev.frame = pkt->frame;
		ev.ts_ns = pkt->ts_ns;
		ev.from = pkt->src.addr;
		ev.icmp_version = q.family;
		ev.type = q.type;
		ev.code = q.code;
		ev.text = strdup(sc_icmp_text(q.family, q.type, q.code));
		if (ev.text) {
			sc_calltab_attach_event(a->calls, m->call_id, &ev);
			a->model->stats.icmp_errors++;
		}
	}
	sc_msg_free(m);
}

/* A decoded, whole transport payload built from @frames. */
static void
dispatch(struct sc_analyzer *a, const struct sc_pkt *pkt,
         const uint64_t *frames, size_t nframes)
{
	switch (pkt->ipproto) {
	case SC_IPPROTO_UDP:
		udp(a, pkt, frames, nframes);
		break;
	case SC_IPPROTO_TCP:
		note_failure(a, sc_tcp_add(a->tcp, pkt, on_rawmsg, a));
		break;
	case SC_IPPROTO_SCTP:
		note_failure(a, sc_sctp_add(a->sctp, pkt, on_rawmsg, a));
		break;
	case SC_IPPROTO_ICMP:
	case SC_IPPROTO_ICMPV6:
		icmp(a, pkt);
		break;
	default:
		break;
	}
}

/* An IP fragment: collect it; a completed datagram goes on decoding. */
static void
fragment(struct sc_analyzer *a, const struct sc_pkt *pkt)
{
	struct sc_datagram d;
	struct sc_pkt whole = *pkt;
	enum sc_err err = sc_ipfrag_add(a->frags, pkt, &d);

	if (err != SC_OK) {
		/* pending (EAGAIN) or dropped and counted (a data fault) */
		note_failure(a, err == SC_ENOMEM ? err : SC_OK);
		return;
	}
	whole.frame = d.frame;
	whole.ts_ns = d.ts_ns;
	/* a datagram cut by the snapshot length is only a prefix: decode
	 * must read a longer length field as "cut", not as damage */
	whole.truncated = d.truncated;
	err = sc_decode_transport(&whole, d.ipproto, d.p, d.len);
	if (err != SC_OK) {
		count_decode_failure(&a->model->stats, &whole);
		return;
	}
	/* fragments inside a reassembled tunnel: not followed further */
	if (whole.is_fragment)
		return;
	dispatch(a, &whole, d.frames, d.nframes);
}

enum sc_err
sc_analyzer_frame(struct sc_analyzer *a, const struct sc_frame *f)
{
	struct sc_stats *st = &a->model->stats;
	struct sc_pkt pkt;
	enum sc_err err;

	st->packets++;
	st->bytes += f->wirelen;
	if (st->first_ts == 0 || f->ts_ns < st->first_ts)
		st->first_ts = f->ts_ns;
	if (f->ts_ns > st->last_ts)
		st->last_ts = f->ts_ns;
	if (f->ts_ns > a->now_ns)
		a->now_ns = f->ts_ns;
	if (f->ts_ns > a->seen_ns)
		a->seen_ns = f->ts_ns;
	sc_calltab_note_packet(a->calls, f->ts_ns);

	err = sc_decode_frame(f, &pkt);
	if (pkt.warning != SC_DR_NONE)
		st->decode_warnings[pkt.warning]++;
	if (err != SC_OK)
		count_decode_failure(st, &pkt);
	else if (pkt.is_fragment)
		fragment(a, &pkt);
	else
		dispatch(a, &pkt, &pkt.frame, 1);

	/* each stage expires on the capture clock, at most once a second;
	 * calls read from a file depend only on their messages */
	sc_ipfrag_expire(a->frags, a->now_ns);
	sc_tcp_expire(a->tcp, a->now_ns, on_rawmsg, a);
	if (a->in_file)
		sc_calltab_trim(a->calls, a->now_ns, a->opts.max_open_calls,
		                on_call_done, a);
	else
		sc_calltab_expire(a->calls, a->now_ns, on_call_done, a);
	err = a->failure;
	a->failure = SC_OK;
	return err;
}

enum sc_err
sc_analyzer_tick(struct sc_analyzer *a, int64_t now_ns)
{
	enum sc_err err;

	if (now_ns > a->now_ns)
		a->now_ns = now_ns;
	sc_ipfrag_expire(a->frags, a->now_ns);
	sc_tcp_expire(a->tcp, a->now_ns, on_rawmsg, a);
	sc_calltab_expire(a->calls, a->now_ns, on_call_done, a);
	err = a->failure;
	a->failure = SC_OK;
	return err;
}

/* Read every frame of @cap into the model entry @file. */
static enum sc_err
read_capture(struct sc_analyzer *a, struct sc_capture *cap,
             struct sc_input_file *file, char *errbuf)
{
	struct sc_frame f;
	enum sc_err err;
	uint64_t n = 0;

	file->linktype = sc_capture_linktype(cap);
	sc_capture_set_first_number(cap, a->next_frame);
	a->in_file = true;
	while ((err = sc_capture_next(cap, &f, errbuf)) == SC_OK) {
		a->next_frame = f.number + 1;
		file->packets++;
		err = sc_analyzer_frame(a, &f);
		if (err != SC_OK)
			break;
		if (a->progress && ++n % PROGRESS_EVERY == 0)
			a->progress(a->progress_ctx, sc_capture_offset(cap),
			            sc_capture_size(cap));
	}
	/* timestamps repaired on the way (saturated past 2261) */
	if (sc_capture_warning(cap) && !file->warning)
		file->warning = strdup(sc_capture_warning(cap));
	sc_capture_close(cap);
	a->in_file = false;
	if (err == SC_EOF)
		return SC_OK;
	if (err == SC_ETRUNC) {
		/* keep what was read; the caller warns */
		file->truncated = true;
		free(file->warning);
		file->warning = strdup(errbuf);
		return SC_OK;
	}
	if (err != SC_ENOMEM) {
		char msg[SC_ERRBUF_SIZE];

		/* errbuf says what and where; prefix the file's name */
		snprintf(msg, sizeof(msg), "%s: %s", file->path, errbuf);
		memcpy(errbuf, msg, SC_ERRBUF_SIZE);
		free(file->warning);
		file->warning = strdup(msg);
	}
	return err;
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
	return read_capture(a, cap, file, errbuf);
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
	return read_capture(a, cap, file, errbuf);
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

/*
 * The calls still open at the end of the input close together: link
 * them all first, so that a leg closing before its partner is streamed
 * and filtered with its link too (jsonl, --call).
 */
static void
finish_open_calls(struct sc_analyzer *a)
{
	/* the input ends at its last packet, also when live ticks moved the
	 * clock on: the verdicts are those of its -w file */
	sc_calltab_flush(a->calls, a->seen_ns, collect_call, a);
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
	enum sc_err err;

	sc_tcp_flush(a->tcp, on_rawmsg, a);
	finish_open_calls(a);
	a->model->stats.caps.open_calls_evicted =
	        sc_calltab_caps(a->calls)->open_calls_evicted;
	a->model->stats.caps.call_msgs_dropped =
	        sc_calltab_caps(a->calls)->call_msgs_dropped;
	if (a->linker)
		a->model->stats.caps.link_keys_forgotten =
		        sc_linker_forgotten(a->linker);
	a->model->stats.ipfrag = *sc_ipfrag_stats(a->frags);
	a->model->stats.tcp = *sc_tcp_stats(a->tcp);
	a->model->stats.sctp = *sc_sctp_stats(a->sctp);
	note_failure(a, security_findings(a));
	sc_model_finish(a->model);
	err = a->failure;
	a->failure = SC_OK;
	return err;
}
