/* evidence_rules.c - the rules that name a response's cause from its
 * own words, tried in order by sc_evidence_cause(): ICMP errors, IMS AKA
 * and stale-nonce challenges, Max-Forwards 0, telling words in the
 * phrase or a Warning, Q.850 and SIP Reason headers, and what the
 * response states of itself. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sipcause/diagnosis/evidence.h"
#include "sipcause/diagnosis/kb.h"
#include "sipcause/util/str.h"
#include "evidence_impl.h"

/* "q850.busy"...: one rule id per category, in SC_CATEGORIES order. */
static const char *const q850_rule_ids[] = {
#define Q850_RULE_ID(name, id) "q850." id,
	SC_CATEGORIES(Q850_RULE_ID)
#undef Q850_RULE_ID
};

/* ---- rules ---- */

static enum sc_category
code_category(int status)
{
	bool unknown = false;
	const struct sc_status_info *info = sc_kb_status(status, &unknown);

	return info && !unknown ? info->cat : SC_CAT_UNKNOWN;
}

static const char *
method_or(const struct sc_response_facts *f, const char *dflt)
{
	return has_text(f->method) ? f->method : dflt;
}

/* Append to a fixed buffer, cutting what does not fit. */
static void SC_PRINTF(3, 4) append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	sc__ev_vput(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/*
 * What the response says in its own words: its reason phrase when it is
 * not the RFC's and its first telling Warning, quoted:
 *   "No DNS results" and Warning 399 from sip1 "No other DNS ...".
 * Empty when it says nothing of its own.
 */
static void
quote_said(const struct sc_response_facts *f, char *buf, size_t len)
{
	const struct sc_warning_fact *w = sc__ev_main_warning(f);
	bool own = sc__ev_phrase_is_own(f);

	buf[0] = 0;
	if (own)
		append(buf, len, "\"%.*s\"", sc__ev_wire_len(f->reason_phrase),
		       or_empty(f->reason_phrase));
	if (!w)
		return;
	append(buf, len, "%sWarning %d", own ? " and " : "", w->code);
	if (has_text(w->agent))
		append(buf, len, " from %.*s", sc__ev_wire_len(w->agent),
		       w->agent);
	append(buf, len, " \"%.*s\"", sc__ev_wire_len(w->text),
	       or_empty(w->text));
}

static bool
rule_icmp(const struct sc_response_facts *f, struct sc_cause *out)
{
	bool v4 = f->icmp_version == 4, v6 = f->icmp_version == 6;
	uint8_t t = f->icmp_type, c = f->icmp_code;
	const char *text = has_text(f->icmp_text) ? f->icmp_text : "an error";
	const char *from = has_text(f->icmp_from) ? f->icmp_from : "a router";

	if (f->status != 0 || !f->icmp_version)
		return false;
	if ((v4 && t == 3 && (c == 9 || c == 10 || c == 13)) ||
	    (v6 && t == 1 && (c == 1 || c == 5 || c == 6))) {
		out->rule = "icmp.prohibited";
		out->cat = SC_CAT_FORBIDDEN;
		sc__ev_set_cause(out,
		                 "A firewall refused the %s: %s answered with "
		                 "ICMP \"%.*s\", so the request never reached "
		                 "a SIP server.",
		                 method_or(f, "request"), from,
		                 sc__ev_wire_len(text), text);
	} else if ((v4 && t == 3 && c == 3) || (v6 && t == 1 && c == 4)) {
		out->rule = "icmp.port-unreachable";
		out->cat = SC_CAT_TIMEOUT;
		sc__ev_set_cause(out,
		                 "Nothing listens for SIP at the destination: "
		                 "%s answered the %s with ICMP \"%.*s\".",
		                 from, method_or(f, "request"),
		                 sc__ev_wire_len(text), text);
	} else {
		out->rule = "icmp.unreachable";
		out->cat = SC_CAT_TIMEOUT;
		sc__ev_set_cause(out,
		                 "The %s could not be delivered: %s answered "
		                 "with ICMP \"%.*s\".",
		                 method_or(f, "request"), from,
		                 sc__ev_wire_len(text), text);
	}
	out->decisive = true;
	return true;
}

static bool
is_aka(const char *alg)
{
	return sc_str_has_prefix_nocase(sc_str_from_cstr(alg), "AKAv");
}

static bool
rule_ims_aka(const struct sc_response_facts *f, struct sc_cause *out)
{
	char alg[32], calg[32], resp[8], nonce[8];
	bool has_resp, has_nonce, aka;

	if ((f->status != 401 && f->status != 407) ||
	    (has_text(f->method) && strcmp(f->method, "REGISTER") != 0))
		return false;
	sc_evidence_auth_param(f->challenge, "algorithm", alg, sizeof(alg));
	sc_evidence_auth_param(f->credentials, "algorithm", calg, sizeof(calg));
	has_resp = sc_evidence_auth_param(f->credentials, "response", resp,
	                                  sizeof(resp));
	has_nonce = sc_evidence_auth_param(f->credentials, "nonce", nonce,
	                                   sizeof(nonce));
	aka = is_aka(alg) || is_aka(calg);
	/* a first IMS REGISTER carries a digest with nothing to prove yet */
	if (!(aka && (!f->has_credentials || (has_resp && !resp[0]))) &&
	    !(has_resp && !resp[0] && has_nonce && !nonce[0]))
		return false;
	out->rule = "auth.ims-aka-challenge";
	out->cat = SC_CAT_AUTH;
	out->decisive = true;
	out->normal = true;
	sc__ev_set_cause(out,
	                 "The normal first step of an IMS registration: the "
	                 "REGISTER %s, and the network answered with %s%s "
	                 "challenge for the SIM to compute. Not a failure "
	                 "unless the next REGISTER fails too.",
	                 f->has_credentials ? "carried an empty digest response"
	                                    : "carried no credentials yet",
	                 aka ? "an " : "a",
	                 aka ? (alg[0] ? alg : calg) : "digest");
	return true;
}

static bool
rule_stale_nonce(const struct sc_response_facts *f, struct sc_cause *out)
{
	static const char *const words[] = { "nonce", "stale", NULL };
	char stale[16];
	bool flag, said;

	if ((f->status != 401 && f->status != 407) || !f->has_credentials)
		return false;
	sc_evidence_auth_param(f->challenge, "stale", stale, sizeof(stale));
	flag = sc_str_caseeq_cstr(sc_str_from_cstr(stale), "true");
	said = sc__ev_phrase_is_own(f) &&
	       sc__ev_has_any_word(f->reason_phrase, words);
	if (!flag && !said)
		return false;
	out->rule = "auth.stale-nonce";
	out->cat = SC_CAT_AUTH;
	out->decisive = true;
	out->normal = f->accepted_later;
	sc__ev_set_cause(out,
	                 "The nonce had expired, not the password: the %d "
	                 "says ",
	                 f->status);
	if (said)
		append(out->cause, sizeof(out->cause), "\"%.*s\"%s",
		       sc__ev_wire_len(f->reason_phrase),
		       or_empty(f->reason_phrase),
		       flag ? " with stale=true" : "");
	else
		append(out->cause, sizeof(out->cause), "stale=true");
	append(out->cause, sizeof(out->cause),
	       " and asks for the same credentials with a fresh nonce.%s",
	       f->accepted_later ? " A later retry with the same user name "
	                           "was accepted."
	                         : "");
	return true;
}

static bool
rule_max_forwards_zero(const struct sc_response_facts *f, struct sc_cause *out)
{
	if (f->status != 483 || f->max_forwards != 0)
		return false;
	out->rule = "loop.max-forwards-zero";
	out->cat = SC_CAT_PROTOCOL;
	out->decisive = true;
	sc__ev_set_cause(out,
	                 "The sender set Max-Forwards 0 on the %s, so the "
	                 "first element that received it could not forward it "
	                 "and answered itself: not a routing loop. Senders do "
	                 "this on purpose to probe the next hop; otherwise the "
	                 "sender's Max-Forwards setting is wrong.",
	                 method_or(f, "request"));
	return true;
}

/* A cause named by words in the reason phrase or a Warning text. */
struct word_rule {
	const char *id;
	enum sc_category cat;
	int lo, hi;              /* status codes it applies to */
	const char *const *any;  /* one of these words... */
	const char *const *also; /* ...and, if set, one of these */
	const char *why;         /* what it means, after the quote */
};

static const char *const w_dns[] = {
	"dns",          "resolv",      "unresolv", "nxdomain",
	"no such host", "name lookup", NULL,
};
static const char *const w_route[] = {
	"no route",       "route not found", "no matching route",
	"unroutable",     "not routable",    "no gateway",
	"routing failed", "routing error",   NULL,
};
static const char *const w_registrar[] = {
	"registrar",
	"registration",
	"register",
	NULL,
};
static const char *const w_account[] = { "account", "subscriber", NULL };
static const char *const w_disabled[] = {
	"disabled", "not enabled", "deactivated", "turned off", NULL,
};
static const char *const w_acct_state[] = {
	"disabled", "suspended", "inactive", "deactivated",
	"expired",  "blocked",   "locked",   NULL,
};
static const char *const w_reg_off[] = {
	"disabled",    "not enabled",   "deactivated",   "turned off",
	"not allowed", "not permitted", "not supported", NULL,
};
static const char *const w_funds[] = {
	"insufficient funds",
	"no funds",
	"funds",
	"balance",
	"no credit",
	"out of credit",
	"insufficient credit",
	"credit limit",
	NULL,
};
static const char *const w_ip[] = {
	"ip not allowed",
	"ip address not allowed",
	"address not allowed",
	"not allowed from",
	"source not allowed",
	"blocked",
	"blacklist",
	"blocklist",
	"banned",
	"acl",
	"not whitelisted",
	"whitelist",
	"allowlist",
	"allow-list",
	"allow list",
	"denied",
	NULL,
};
static const char *const w_password[] = {
	"wrong password",
	"bad password",
	"invalid password",
	"incorrect password",
	"authentication failed",
	"authentication failure",
	"auth failed",
	"invalid credentials",
	"wrong credentials",
	"bad credentials",
	NULL,
};

/* Order matters: the first rule whose words match explains it. */
static const struct word_rule word_rules[] = {
	{ "routing.dns-failure", SC_CAT_SERVER, 400, 699, w_dns, NULL,
	  "the element that answered could not find the next hop in DNS "
	  "(no usable NAPTR, SRV or A/AAAA records). A DNS or routing "
	  "problem at that proxy, not the callee being offline or unknown." },
	{ "routing.no-route", SC_CAT_NOT_FOUND, 400, 699, w_route, NULL,
	  "the server has no route for this destination: a gap in its "
	  "routing table or dial plan, not a user that does not exist." },
	{ "config.registrar-disabled", SC_CAT_SERVER, 400, 699, w_registrar,
	  w_reg_off,
	  "registration is turned off on that server: a configuration "
	  "problem, not overload." },
	{ "account.disabled", SC_CAT_FORBIDDEN, 400, 699, w_account,
	  w_acct_state,
	  "the account is disabled, suspended or expired on that server." },
	{ "config.service-disabled", SC_CAT_SERVER, 400, 699, w_disabled, NULL,
	  "the service asked for is disabled on that server: a "
	  "configuration problem, not overload." },
	{ "account.no-funds", SC_CAT_FORBIDDEN, 400, 699, w_funds, NULL,
	  "the account has no credit left for this call: check its balance "
	  "or billing." },
	{ "policy.ip-blocked", SC_CAT_FORBIDDEN, 400, 699, w_ip, NULL,
	  "the server's access policy refuses this source (IP allow-list, "
	  "ACL or block list)." },
	{ "auth.wrong-password", SC_CAT_AUTH, 401, 407, w_password, NULL,
	  "the credentials were checked and refused (wrong password or user "
	  "name for this realm)." },
};

static bool
words_match(const struct word_rule *r, const char *text)
{
	return sc__ev_has_any_word(text, r->any) &&
	       (!r->also || sc__ev_has_any_word(text, r->also));
}

/* Does rule @r match the phrase (when not the RFC's) or a Warning? */
static bool
word_rule_applies(const struct word_rule *r, const struct sc_response_facts *f)
{
	size_t nw = f->nwarnings < SC_EVIDENCE_MAX_REASONS
	                    ? f->nwarnings
	                    : SC_EVIDENCE_MAX_REASONS;

	if (f->status < r->lo || f->status > r->hi)
		return false;
	if (sc__ev_phrase_is_own(f) && words_match(r, f->reason_phrase))
		return true;
	for (size_t i = 0; f->warnings && i < nw; i++)
		if (!sc__ev_warning_is_noise(&f->warnings[i]) &&
		    words_match(r, f->warnings[i].text))
			return true;
	return false;
}

static bool
rule_words(const struct sc_response_facts *f, struct sc_cause *out)
{
	char said[SC_EVIDENCE_TEXT_MAX];

	for (size_t i = 0; i < SC_COUNTOF(word_rules); i++) {
		const struct word_rule *r = &word_rules[i];

		if (!word_rule_applies(r, f))
			continue;
		quote_said(f, said, sizeof(said));
		out->rule = r->id;
		out->cat = r->cat;
		out->decisive = true;
		sc__ev_set_cause(out, "The %d to the %s says %s: %s", f->status,
		                 method_or(f, "request"), said, r->why);
		return true;
	}
	return false;
}

/* The first Reason value of protocol Q.850 (@q850) or SIP with a cause. */
static bool
first_reason(const struct sc_response_facts *f, bool q850,
             struct sc_reason_fact *out)
{
	struct sc_reason_fact r[SC_EVIDENCE_MAX_REASONS];
	size_t n = sc_evidence_parse_reason(f->reason_hdr, r, SC_COUNTOF(r));

	for (size_t i = 0; i < n; i++)
		if ((q850 ? r[i].is_q850 : r[i].is_sip) && r[i].cause > 0) {
			*out = r[i];
			return true;
		}
	return false;
}

static bool
rule_q850(const struct sc_response_facts *f, struct sc_cause *out)
{
	struct sc_reason_fact r;
	const struct sc_q850_info *q;
	enum sc_category cat;

	if (!first_reason(f, true, &r))
		return false;
	q = sc_kb_q850(r.cause);
	out->q850 = r.cause;
	out->decisive = q && sc_evidence_q850_category(r.cause, &cat);
	if (!out->decisive)
		cat = code_category(f->status);
	out->cat = cat;
	out->rule = q850_rule_ids[cat];
	sc__ev_set_cause(out,
	                 "The Reason header of the %d gives Q.850 cause %d "
	                 "(%s)%s%.*s%s. %s",
	                 f->status, r.cause, q ? q->name : "unassigned",
	                 r.text[0] ? ", text \"" : "", sc__ev_wire_len(r.text),
	                 r.text, r.text[0] ? "\"" : "",
	                 q ? q->meaning : "a value Q.850 does not assign.");
	return true;
}

static bool
rule_sip_reason(const struct sc_response_facts *f, struct sc_cause *out)
{
	struct sc_reason_fact r;
	const struct sc_status_info *info;
	bool unknown = false;

	if (!first_reason(f, false, &r))
		return false;
	if (r.cause >= 300 && r.cause != f->status) {
		info = sc_kb_status(r.cause, &unknown);
		out->rule = "reason.sip-relayed";
		out->cat =
		        info && !unknown ? info->cat : code_category(f->status);
		out->decisive = true;
		sc__ev_set_cause(
		        out,
		        "The %d passes on a %d %s from further along "
		        "the path (Reason header%s%.*s%s): the failure "
		        "started there.",
		        f->status, r.cause,
		        info && !unknown ? info->reason : "response",
		        r.text[0] ? " text \"" : "", sc__ev_wire_len(r.text),
		        r.text, r.text[0] ? "\"" : "");
		return true;
	}
	if (!r.text[0])
		return false;
	out->rule = "reason.sip-text";
	out->cat = code_category(f->status);
	sc__ev_set_cause(out,
	                 "The %d gives its reason in a Reason header: "
	                 "\"%.*s\".",
	                 f->status, sc__ev_wire_len(r.text), r.text);
	return true;
}

static bool
rule_stated(const struct sc_response_facts *f, struct sc_cause *out)
{
	char said[SC_EVIDENCE_TEXT_MAX];

	quote_said(f, said, sizeof(said));
	if (!said[0])
		return false;
	out->rule = "reason.stated";
	out->cat = code_category(f->status);
	sc__ev_set_cause(out, "The %d to the %s gives its own reason: %s.",
	                 f->status, method_or(f, "request"), said);
	return true;
}

typedef bool rule_fn(const struct sc_response_facts *f, struct sc_cause *out);

/* Order matters: the first rule that matches names the cause. */
static rule_fn *const rules[] = {
	rule_icmp,  rule_ims_aka, rule_stale_nonce, rule_max_forwards_zero,
	rule_words, rule_q850,    rule_sip_reason,  rule_stated,
};

bool
sc_evidence_cause(const struct sc_response_facts *f, struct sc_cause *out)
{
	memset(out, 0, sizeof(*out));
	out->cat = code_category(f->status);
	sc__ev_collect(f, out);
	if (f->status > 0 && f->status < 300)
		return false;
	for (size_t i = 0; i < SC_COUNTOF(rules); i++)
		if (rules[i](f, out))
			return true;
	return false;
}
