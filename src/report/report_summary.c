/* report_summary.c - what every format's summary says in words: the
 * damage notes and the RFC 6076 line
 *
 * Every figure comes from the model as it is (the selection and its
 * groups from pipeline/selection.c).
 */
#include "config.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_impl.h"

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
	NOTE(caps.peer_calls_untracked,
	     "INVITE call of an address pair past the cap on peers (in the "
	     "overall figures only)",
	     "INVITE calls of address pairs past the cap on peers (in the "
	     "overall figures only)"),
	NOTE(compaction.messages_lost,
	     "message of a waiting call could not be read again from its "
	     "file (changed while read): missing from its call",
	     "messages of waiting calls could not be read again from their "
	     "file (changed while read): missing from their calls"),
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
