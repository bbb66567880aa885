/* report_summary.c - what every format's summary lists: the selected
 * calls, failures grouped by cause, the worst peers, damage notes
 *
 * Counting and ordering for display only: every figure comes from the
 * model as it is.
 */
#include "config.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_impl.h"

bool
sc__select(const struct sc_report *r, const struct sc_model *m,
           struct sc__selection *sel)
{
	memset(sel, 0, sizeof(*sel));
	if (m->calls.n == 0)
		return true;
	sel->v = calloc(m->calls.n, sizeof(*sel->v));
	if (!sel->v)
		return false;
	for (size_t i = 0; i < m->calls.n; i++) {
		const struct sc_diagnosis *d = m->calls.v[i];

		if (!sc__report_shows(r, d))
			continue;
		sel->v[sel->n++] = d;
		if (d->verdict.cat != SC_CAT_OK)
			sel->failed++;
	}
	return true;
}

void
sc__selection_fini(struct sc__selection *sel)
{
	free(sel->v);
	memset(sel, 0, sizeof(*sel));
}

static bool
same_group(const struct sc__fgroup *g, const struct sc_diagnosis *d)
{
	const char *rule = d->verdict.rule ? d->verdict.rule : "";

	return g->cat == d->verdict.cat && g->code == d->call->final_code &&
	       strcmp(g->rule, rule) == 0;
}

static int
by_count(const void *a, const void *b)
{
	const struct sc__fgroup *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->cat != y->cat)
		return x->cat < y->cat ? -1 : 1;
	/* stable for equal keys: first example first */
	return x->example->call->first_frame < y->example->call->first_frame
	               ? -1
	               : 1;
}

size_t
sc__failure_groups(const struct sc__selection *sel, struct sc__fgroup **out)
{
	struct sc__fgroup *g;
	size_t n = 0;

	*out = NULL;
	if (sel->failed == 0)
		return 0;
	g = calloc(sel->failed, sizeof(*g));
	if (!g)
		return 0;
	/* linear search: groups are few (categories x rules x codes) */
	for (size_t i = 0; i < sel->n; i++) {
		const struct sc_diagnosis *d = sel->v[i];
		size_t k = 0;

		if (d->verdict.cat == SC_CAT_OK)
			continue;
		while (k < n && !same_group(&g[k], d))
			k++;
		if (k == n) {
			g[n].cat = d->verdict.cat;
			g[n].rule = d->verdict.rule ? d->verdict.rule : "";
			g[n].code = d->call->final_code;
			g[n].example = d;
			n++;
		}
		g[k].count++;
	}
	qsort(g, n, sizeof(*g), by_count);
	*out = g;
	return n;
}

static int
by_asr(const void *a, const void *b)
{
	const struct sc_peer *x = *(const struct sc_peer *const *)a;
	const struct sc_peer *y = *(const struct sc_peer *const *)b;
	double ax = sc_call_stats_asr(&x->s), ay = sc_call_stats_asr(&y->s);

	if (ax != ay)
		return ax < ay ? -1 : 1;
	if (x->s.attempts != y->s.attempts)
		return x->s.attempts > y->s.attempts ? -1 : 1;
	return 0;
}

size_t
sc__worst_peers(const struct sc_model *m, const struct sc_peer **out,
                size_t max)
{
	const struct sc_peer **all;
	size_t n = 0;

	if (m->peers.n == 0 || max == 0)
		return 0;
	all = calloc(m->peers.n, sizeof(*all));
	if (!all)
		return 0;
	for (size_t i = 0; i < m->peers.n; i++) {
		const struct sc_peer *p = m->peers.v[i];

		if (p->s.attempts)
			all[n++] = p;
	}
	/* qsort is not stable: the tie-break on attempts keeps it readable */
	qsort(all, n, sizeof(*all), by_asr);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*out));
	free(all);
	return n;
}

/* Where a counter lives in the stats, and what it means for a reader. */
#define NOTE(field, one, many)                              \
	{                                                   \
		offsetof(struct sc_stats, field), one, many \
	}

static const struct {
	size_t off;
	const char *one; /* for a count of 1 */
	const char *many;
} note_fields[] = {
	NOTE(caps.open_calls_evicted,
	     "call finished early at the open-call cap",
	     "calls finished early at the open-call cap"),
	NOTE(caps.call_msgs_dropped,
	     "message past a call's message cap (counted, not kept)",
	     "messages past a call's message cap (counted, not kept)"),
	NOTE(caps.calls_not_kept, "call past the kept-call cap (not listed)",
	     "calls past the kept-call cap (not listed)"),
	NOTE(caps.link_keys_forgotten,
	     "B2BUA link identifier forgotten at its cap",
	     "B2BUA link identifiers forgotten at their cap"),
	NOTE(truncated, "SIP message cut short (snap length or loss)",
	     "SIP messages cut short (snap length or loss)"),
	NOTE(malformed, "malformed SIP message (read by the raw scan)",
	     "malformed SIP messages (read by the raw scan)"),
	NOTE(unparsable, "SIP-like message without a start line",
	     "SIP-like messages without a start line"),
	NOTE(no_call_id, "SIP message without Call-ID",
	     "SIP messages without Call-ID"),
	NOTE(udp_resynced, "datagram with SIP after leading garbage",
	     "datagrams with SIP after leading garbage"),
	NOTE(icmp_errors, "ICMP error quoting a SIP request",
	     "ICMP errors quoting SIP requests"),
	NOTE(udp_non_sip, "UDP datagram without SIP",
	     "UDP datagrams without SIP"),
	NOTE(hep_non_sip, "HEP packet carrying something else than SIP",
	     "HEP packets carrying something else than SIP"),
	NOTE(tcp.non_sip_flows, "TCP connection direction without SIP",
	     "TCP connection directions without SIP"),
	NOTE(tcp.gaps, "hole in a TCP stream (capture loss)",
	     "holes in TCP streams (capture loss)"),
	NOTE(tcp.gap_bytes, "TCP byte the capture missed",
	     "TCP bytes the capture missed"),
	NOTE(tcp.resyncs, "TCP resync to the next SIP start line",
	     "TCP resyncs to the next SIP start line"),
	NOTE(tcp.skipped_bytes, "non-SIP byte skipped in SIP TCP streams",
	     "non-SIP bytes skipped in SIP TCP streams"),
	NOTE(tcp.capped, "SIP body cut at the size cap",
	     "SIP bodies cut at the size cap"),
	NOTE(tcp.evicted, "TCP flow dropped at the flow cap",
	     "TCP flows dropped at the flow cap"),
	NOTE(tcp.tls_flows, "TLS connection direction (encrypted, not read)",
	     "TLS connection directions (encrypted, not read)"),
	NOTE(ipfrag.timeouts, "IP datagram never completed (fragments lost)",
	     "IP datagrams never completed (fragments lost)"),
	NOTE(ipfrag.evicted, "IP datagram dropped at the fragment cap",
	     "IP datagrams dropped at the fragment cap"),
	NOTE(ipfrag.too_big, "IP datagram over the size cap",
	     "IP datagrams over the size cap"),
	NOTE(ipfrag.too_many, "IP datagram over the fragment-count cap",
	     "IP datagrams over the fragment-count cap"),
	NOTE(ipfrag.inconsistent, "IP datagram with conflicting fragments",
	     "IP datagrams with conflicting fragments"),
	NOTE(sctp.dropped, "SCTP fragment that never completed",
	     "SCTP fragments that never completed"),
	NOTE(sctp.malformed, "SCTP packet with a damaged chunk list",
	     "SCTP packets with a damaged chunk list"),
};

size_t
sc__report_notes(const struct sc_model *m, struct sc__note *out, size_t max)
{
	const char *base = (const char *)&m->stats;
	uint64_t decode = 0;
	size_t n = 0;

	for (int i = 0; i < SC_DR__COUNT; i++)
		decode += m->stats.decode_errors[i];
	if (decode && n < max) {
		out[n].what = sc__plural(decode, "damaged or undecodable frame",
		                         "damaged or undecodable frames");
		out[n++].n = decode;
	}
	for (size_t i = 0; i < SC_COUNTOF(note_fields) && n < max; i++) {
		uint64_t v;

		memcpy(&v, base + note_fields[i].off, sizeof(v));
		if (!v)
			continue;
		out[n].what =
		        sc__plural(v, note_fields[i].one, note_fields[i].many);
		out[n++].n = v;
	}
	return n;
}

/* "SER 20.0%" or "SER -" when it has no denominator. */
static void
ratio(FILE *f, const char *name, double v)
{
	if (v < 0)
		fprintf(f, "%s -", name);
	else
		fprintf(f, "%s %.1f%%", name, v);
}

static void
delays(FILE *f, const char *name, const struct sc_delays *d)
{
	if (!d->n)
		return;
	fprintf(f, "; %s p50/p90/p99 %" PRId64 "/%" PRId64 "/%" PRId64 " ms",
	        name, sc_delays_percentile(d, 50), sc_delays_percentile(d, 90),
	        sc_delays_percentile(d, 99));
}

void
sc__rfc6076_text(FILE *f, const struct sc_rfc6076 *r)
{
	ratio(f, "SER", sc_rfc6076_ser(r));
	ratio(f, ", SEER", sc_rfc6076_seer(r));
	ratio(f, ", ISA", sc_rfc6076_isa(r));
	ratio(f, ", SCR", sc_rfc6076_scr(r));
	delays(f, "SRD", &r->srd);
	delays(f, "SDD", &r->sdd);
}
