/* evidence.c - causes built from what a response and its request say
 *
 * The code's generic text belongs in "meaning"; the cause must come from
 * the facts the capture holds: reason phrase, Warning (RFC 3261 20.43),
 * Reason (RFC 3326, with Q.850 causes), Retry-After, Max-Forwards, the
 * digest parameters (RFC 7616 stale, 3GPP TS 33.203 AKA) and ICMP errors.
 * Each rule below reads those facts and writes a sentence that quotes
 * them. Nothing here allocates: results are fixed-size buffers.
 *
 * This file gathers the facts and the items they give;
 * evidence_parse.c reads header values (Reason, digest parameters,
 * Q.850 causes) and evidence_rules.c holds the rules that name a cause.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sipcause/diagnosis/evidence.h"
#include "sipcause/diagnosis/kb.h"
#include "sipcause/util/str.h"
#include "evidence_impl.h"

static const char *const ev_kind_ids[] = {
#define SC_EV_KIND_ID(name, id) id,
	SC_EV_KINDS(SC_EV_KIND_ID)
#undef SC_EV_KIND_ID
};

const char *
sc_ev_kind_id(enum sc_ev_kind k)
{
	return (unsigned)k < SC_EV__COUNT ? ev_kind_ids[k] : "";
}

const char *const sc_evidence_rule_ids[] = {
	"icmp.prohibited",
	"icmp.port-unreachable",
	"icmp.unreachable",
	"auth.ims-aka-challenge",
	"auth.stale-nonce",
	"loop.max-forwards-zero",
	"routing.dns-failure",
	"routing.no-route",
	"config.registrar-disabled",
	"account.disabled",
	"config.service-disabled",
	"account.no-funds",
	"policy.ip-blocked",
	"auth.wrong-password",
#define Q850_RULE_LIST(name, id) "q850." id,
	SC_CATEGORIES(Q850_RULE_LIST)
#undef Q850_RULE_LIST
	        "reason.sip-relayed",
	"reason.sip-text",
	"reason.stated",
	NULL,
};

/* ---- small text helpers ---- */

/* Bytes of @s kept as evidence: at most SC_EVIDENCE_WIRE_MAX, never
 * ending inside a UTF-8 sequence. */
int
sc__ev_wire_len(const char *s)
{
	size_t n = bounded_len(s, SC_EVIDENCE_WIRE_MAX + 1);

	if (n > SC_EVIDENCE_WIRE_MAX) {
		n = SC_EVIDENCE_WIRE_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	return (int)n;
}

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       sc_ascii_is_digit((unsigned char)c);
}

/* Is the byte before @i in @s a word boundary (or the start)? */
static bool
word_start(const char *s, size_t i)
{
	return i == 0 || !is_alnum(s[i - 1]);
}

/* @word occurs in @s at the start of a word, ASCII case-insensitively. */
static bool
has_word(const char *s, const char *word)
{
	struct sc_str hay = sc_str_make(s, bounded_len(s, HDR_MAX));
	struct sc_str w = sc_str_from_cstr(word);
	size_t off = 0;

	while (off < hay.len) {
		struct sc_str rest = sc_str_make(hay.p + off, hay.len - off);
		size_t at = sc_str_find(rest, w, true);

		if (at == SIZE_MAX)
			return false;
		if (word_start(hay.p, off + at))
			return true;
		off += at + 1;
	}
	return false;
}

bool
sc__ev_has_any_word(const char *s, const char *const *words)
{
	if (!has_text(s) || !words)
		return false;
	for (size_t i = 0; words[i]; i++)
		if (has_word(s, words[i]))
			return true;
	return false;
}

void SC_PRINTF(3, 0)
        sc__ev_vput(char *buf, size_t len, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, len, fmt, ap);

	if (n < 0)
		buf[0] = 0;
}

void SC_PRINTF(2, 3)
        sc__ev_set_cause(struct sc_cause *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sc__ev_vput(out->cause, sizeof(out->cause), fmt, ap);
	va_end(ap);
}

/* Add one item; @value is wire text (cut), @fmt its sentence. */
void SC_PRINTF(5, 6)
        sc__ev_add_item(struct sc_cause *out, enum sc_ev_kind kind, int64_t num,
                        const char *value, const char *fmt, ...)
{
	struct sc_ev_item *it;
	va_list ap;

	if (out->nitems >= SC_EVIDENCE_MAX_ITEMS) {
		out->dropped++;
		return;
	}
	it = &out->items[out->nitems++];
	it->kind = kind;
	it->num = num;
	snprintf(it->value, sizeof(it->value), "%.*s", sc__ev_wire_len(value),
	         value ? value : "");
	va_start(ap, fmt);
	sc__ev_vput(it->text, sizeof(it->text), fmt, ap);
	va_end(ap);
}

/* ---- facts ---- */

void
sc_response_facts_init(struct sc_response_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->retry_after = -1;
	f->max_forwards = -1;
}

void
sc_response_facts_from_msgs(struct sc_response_facts *f,
                            const struct sc_msg *req, const struct sc_msg *resp,
                            struct sc_warning_fact *wbuf)
{
	sc_response_facts_init(f);
	if (req) {
		f->method = req->method_name;
		f->max_forwards = req->max_forwards;
		f->has_credentials = req->has_credentials;
	}
	if (!resp)
		return;
	f->status = resp->status;
	f->reason_phrase = resp->reason_phrase;
	if (!f->method)
		f->method = resp->cseq_method_name;
	f->reason_hdr = resp->reason_hdr;
	f->retry_after = resp->retry_after;
	if (resp->warning_code > 0 && wbuf) {
		wbuf->code = resp->warning_code;
		wbuf->agent = resp->warning_agent;
		wbuf->text = resp->warning_text;
		f->warnings = wbuf;
		f->nwarnings = 1;
	}
}

/* The next word (letters and digits) of [*p, end), or an empty view. */
static struct sc_str
next_word(const char **p, const char *end)
{
	const char *s = *p, *w;

	while (s < end && !is_alnum(*s))
		s++;
	for (w = s; s < end && is_alnum(*s);)
		s++;
	*p = s;
	return sc_str_make(w, (size_t)(s - w));
}

/* Does @text hold the word @w (whole word, any case)? */
static bool
has_whole_word(const char *text, struct sc_str w)
{
	const char *p = text, *end = text + bounded_len(text, HDR_MAX);
	struct sc_str t;

	while ((t = next_word(&p, end)).len)
		if (sc_str_caseeq(t, w))
			return true;
	return false;
}

/*
 * The reason phrase says something the RFC's phrase for the code does
 * not: one of its words is not in the RFC's phrase. Shortened or older
 * spellings ("authentication required" for 407, RFC 2543's "Call
 * Leg/Transaction Does Not Exist") and a bare "Error" are not news.
 */
bool
sc__ev_phrase_is_own(const struct sc_response_facts *f)
{
	/* older spellings, and words that add nothing ("403 Error") */
	static const char *const old_words = "leg error";
	const struct sc_status_info *info;
	const char *p = f->reason_phrase, *end;
	bool unknown = false;
	struct sc_str w;

	if (!has_text(f->reason_phrase))
		return false;
	info = sc_kb_status(f->status, &unknown);
	if (!info || unknown || !info->reason)
		return true;
	end = p + bounded_len(p, HDR_MAX);
	while ((w = next_word(&p, end)).len)
		if (!has_whole_word(info->reason, w) &&
		    !has_whole_word(old_words, w))
			return true;
	return false;
}

/* Warnings that are a server's debug output rather than an explanation
 * (SER/Kamailio's 392 "Noisy feedback tells: ..."). */
bool
sc__ev_warning_is_noise(const struct sc_warning_fact *w)
{
	return w->code == 392 ||
	       (w->text && sc_str_has_prefix_nocase(sc_str_from_cstr(w->text),
	                                            "Noisy feedback"));
}

/* The first Warning with something to say, or NULL. */
const struct sc_warning_fact *
sc__ev_main_warning(const struct sc_response_facts *f)
{
	size_t n = f->nwarnings < SC_EVIDENCE_MAX_REASONS
	                   ? f->nwarnings
	                   : SC_EVIDENCE_MAX_REASONS;

	for (size_t i = 0; f->warnings && i < n; i++)
		if (has_text(f->warnings[i].text) &&
		    !sc__ev_warning_is_noise(&f->warnings[i]))
			return &f->warnings[i];
	return NULL;
}

/* ---- collecting the items ---- */

static void
collect_auth(const struct sc_response_facts *f, struct sc_cause *out)
{
	char user[64], resp[64], alg[32], stale[16], nonce[48], qop[24];
	bool has_resp;

	if (f->has_credentials || f->credentials) {
		sc_evidence_auth_param(f->credentials, "username", user,
		                       sizeof(user));
		has_resp = sc_evidence_auth_param(f->credentials, "response",
		                                  resp, sizeof(resp));
		sc__ev_add_item(out, SC_EV_CREDENTIALS, -1, f->credentials,
		                "the %s carried credentials%s%s%s%s",
		                has_text(f->method) ? f->method : "request",
		                user[0] ? " for user \"" : "", user,
		                user[0] ? "\"" : "",
		                has_resp && !resp[0] ? " with an empty response"
		                                     : "");
	}
	if (!f->challenge || (f->status != 401 && f->status != 407))
		return;
	sc_evidence_auth_param(f->challenge, "algorithm", alg, sizeof(alg));
	sc_evidence_auth_param(f->challenge, "stale", stale, sizeof(stale));
	sc_evidence_auth_param(f->challenge, "nonce", nonce, sizeof(nonce));
	sc_evidence_auth_param(f->challenge, "qop", qop, sizeof(qop));
	sc__ev_add_item(
	        out, SC_EV_CHALLENGE, f->status, f->challenge,
	        "the %d challenges with algorithm %s%s%s%s%s, nonce \"%s\"",
	        f->status, alg[0] ? alg : "MD5 (default)",
	        qop[0] ? ", qop=" : "", qop, stale[0] ? ", stale=" : "", stale,
	        nonce);
}

static void
collect_reasons(const struct sc_response_facts *f, struct sc_cause *out)
{
	struct sc_reason_fact r[SC_EVIDENCE_MAX_REASONS];
	size_t n = sc_evidence_parse_reason(f->reason_hdr, r, SC_COUNTOF(r));

	for (size_t i = 0; i < n; i++) {
		const struct sc_q850_info *q =
		        r[i].is_q850 ? sc_kb_q850(r[i].cause) : NULL;

		sc__ev_add_item(
		        out,
		        r[i].is_q850 ? SC_EV_REASON_Q850 : SC_EV_REASON_SIP,
		        r[i].cause, r[i].text,
		        "Reason: %s cause %d%s%s%s%s%s%s", r[i].protocol,
		        r[i].cause, q ? " (" : "", q ? q->name : "",
		        q ? ")" : "", r[i].text[0] ? " text \"" : "", r[i].text,
		        r[i].text[0] ? "\"" : "");
	}
}

static void
collect_icmp(const struct sc_response_facts *f, struct sc_cause *out)
{
	if (!f->icmp_version)
		return;
	sc__ev_add_item(out, SC_EV_ICMP, f->icmp_type * 256 + f->icmp_code,
	                f->icmp_text, "ICMPv%u %s (type %u code %u)%s%s",
	                f->icmp_version == 6 ? 6u : 4u,
	                has_text(f->icmp_text) ? f->icmp_text : "error",
	                f->icmp_type, f->icmp_code,
	                has_text(f->icmp_from) ? " from " : "",
	                has_text(f->icmp_from) ? f->icmp_from : "");
}

/* Every fact worth citing, whatever rule applies. */
void
sc__ev_collect(const struct sc_response_facts *f, struct sc_cause *out)
{
	size_t nw = f->nwarnings < SC_EVIDENCE_MAX_REASONS
	                    ? f->nwarnings
	                    : SC_EVIDENCE_MAX_REASONS;

	if (f->status > 0 && sc__ev_phrase_is_own(f))
		sc__ev_add_item(out, SC_EV_REASON_PHRASE, f->status,
		                f->reason_phrase, "reason phrase \"%.*s\"",
		                sc__ev_wire_len(f->reason_phrase),
		                or_empty(f->reason_phrase));
	for (size_t i = 0; f->warnings && i < nw; i++) {
		const struct sc_warning_fact *w = &f->warnings[i];
		const struct sc_warning_info *wi = sc_kb_warning(w->code);

		sc__ev_add_item(out, SC_EV_WARNING, w->code, w->text,
		                "Warning %d%s%s \"%.*s\"%s%s", w->code,
		                has_text(w->agent) ? " from " : "",
		                has_text(w->agent) ? w->agent : "",
		                sc__ev_wire_len(w->text),
		                w->text ? w->text : "",
		                wi && w->code != 399 ? " - " : "",
		                wi && w->code != 399 ? wi->text : "");
	}
	collect_reasons(f, out);
	if (f->retry_after >= 0)
		sc__ev_add_item(out, SC_EV_RETRY_AFTER, f->retry_after, NULL,
		                "Retry-After: %" PRId64 " s", f->retry_after);
	if (f->max_forwards == 0 || (f->status == 483 && f->max_forwards > 0))
		sc__ev_add_item(out, SC_EV_MAX_FORWARDS, f->max_forwards, NULL,
		                "the %s was sent with Max-Forwards %d",
		                has_text(f->method) ? f->method : "request",
		                f->max_forwards);
	if (f->status == 401 || f->status == 403 || f->status == 407 ||
	    f->status == 494)
		collect_auth(f, out);
	if (f->accepted_later)
		sc__ev_add_item(
		        out, SC_EV_LATER_SUCCESS, -1, NULL,
		        "a later retry with the same user name was accepted");
	if (f->status == 0)
		collect_icmp(f, out);
}
