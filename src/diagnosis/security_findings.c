/* security_findings.c - the findings of the security tracker: scanners,
 * password guessing and compromised accounts, toll fraud, each with the
 * numbers that make it and the first Call-IDs as examples.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/diagnosis/security.h"
#include "security_impl.h"

void
sc__sec_findings_clear(struct sc_security *t)
{
	for (size_t i = 0; i < t->nf; i++)
		free(t->texts[i]);
	free(t->texts);
	free(t->f);
	t->texts = NULL;
	t->f = NULL;
	t->nf = 0;
}

/* ---- findings ---- */

/* Append a finding with a sentence from @fmt; NULL on ENOMEM. */
static struct sc_sec_finding *SC_PRINTF(4, 5)
        finding(struct sc_security *t, size_t *alloc, enum sc_sec_rule rule,
                const char *fmt, ...)
{
	struct sc_sec_finding *f, *nf;
	char **nt;
	va_list ap;
	char *text;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	text = malloc((size_t)n + 1);
	if (!text)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(text, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (t->nf == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 8;

		nf = realloc(t->f, na * sizeof(*nf));
		if (nf)
			t->f = nf;
		nt = nf ? realloc(t->texts, na * sizeof(*nt)) : NULL;
		if (nt)
			t->texts = nt;
		if (!nf || !nt) {
			free(text);
			return NULL;
		}
		*alloc = na;
	}
	f = &t->f[t->nf];
	memset(f, 0, sizeof(*f));
	t->texts[t->nf++] = text;
	f->rule = rule;
	f->rule_id = sc_sec_rule_id(rule);
	f->text = text;
	return f;
}

static void
set_ids(struct sc_sec_finding *f, const struct idlist *l)
{
	f->call_ids = (const char *const *)l->v;
	f->ncall_ids = l->n;
	f->more_call_ids = l->more;
}

static const char *
plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* "1 time", "3 times" */
static const char *
times(uint64_t n)
{
	return n == 1 ? "time" : "times";
}

/* "1 was", "3 were" */
static const char *
were(uint64_t n)
{
	return n == 1 ? "was" : "were";
}

static double
seconds(int64_t ns)
{
	return (double)ns / 1e9;
}

static bool
scanner_findings(struct sc_security *t, size_t *alloc)
{
	for (size_t i = 0; i < t->nsrc; i++) {
		const struct source *s = t->src[i];
		struct sc_sec_finding *f;
		char addr[SC_ADDR_STRLEN];
		bool many =
		        s->users.n >= t->o.scan_users &&
		        (uint64_t)s->refused * 5 >= (uint64_t)s->requests * 4;

		if (!s->scanner_ua && !many)
			continue;
		sc_addr_format(&s->addr, addr, sizeof(addr));
		if (s->scanner_ua)
			f = finding(t, alloc, SC_SEC_SCANNER,
			            "%s ran a SIP scanner: its User-Agent "
			            "\"%s\" names a scanning tool. It sent "
			            "%" PRIu32 " request%s to %s%zu distinct "
			            "user%s: %" PRIu32 " refused, %" PRIu32
			            " accepted.",
			            addr, s->user_agent, s->requests,
			            plural(s->requests),
			            s->users.capped ? "at least " : "",
			            s->users.n, plural(s->users.n), s->failed,
			            s->answered);
		else
			f = finding(t, alloc, SC_SEC_SCANNER,
			            "%s probed %s%zu distinct user%s with "
			            "%" PRIu32
			            " request%s in %.0f s and %" PRIu32
			            " %s refused: an extension scan.",
			            addr, s->users.capped ? "at least " : "",
			            s->users.n, plural(s->users.n), s->requests,
			            plural(s->requests),
			            seconds(s->last_ts - s->first_ts),
			            s->failed, were(s->failed));
		if (!f)
			return false;
		f->src = s->addr;
		f->user_agent = s->user_agent;
		f->requests = s->requests;
		f->failures = s->failed;
		f->successes = s->answered;
		f->distinct = (uint32_t)s->users.n;
		f->distinct_capped = s->users.capped;
		f->first_ts = s->first_ts;
		f->last_ts = s->last_ts;
		set_ids(f, &s->calls);
	}
	return true;
}

static struct sc_sec_finding *
account_finding(struct sc_security *t, size_t *alloc, const struct account *a)
{
	char addr[SC_ADDR_STRLEN];

	sc_addr_format(&a->addr, addr, sizeof(addr));
	if (a->compromised)
		return finding(
		        t, alloc, SC_SEC_ACCOUNT_COMPROMISED,
		        "Account \"%s\" is probably compromised: %s "
		        "had its password refused %" PRIu32 " %s "
		        "in a sc__sec_burst, then an attempt was accepted "
		        "(%d, Call-ID %s). Change the password and "
		        "check what was done with the account.",
		        a->user, addr, a->failures, times(a->failures),
		        a->success_code,
		        a->success_call ? a->success_call : "-");
	return finding(t, alloc, SC_SEC_PASSWORD_GUESSING,
	               "%s had the password of user \"%s\" refused %" PRIu32
	               " %s over %.0f s (at least %u within %.0f s): "
	               "password guessing.%s",
	               addr, a->user, a->failures, times(a->failures),
	               seconds(a->last_ts - a->first_ts), t->o.guess_failures,
	               seconds(t->o.guess_window_ns),
	               a->successes ? "" : " No attempt succeeded.");
}

static bool
account_findings(struct sc_security *t, size_t *alloc)
{
	for (size_t i = 0; i < t->nacc; i++) {
		const struct account *a = t->acc[i];
		struct sc_sec_finding *f;

		if (!a->guessing)
			continue;
		f = account_finding(t, alloc, a);
		if (!f)
			return false;
		f->src = a->addr;
		f->user = a->user;
		f->user_agent = a->user_agent;
		f->requests = a->attempts;
		f->failures = a->failures;
		f->successes = a->successes;
		f->first_ts = a->first_ts;
		f->last_ts = a->compromised ? a->success_ts : a->last_ts;
		set_ids(f, &a->calls);
	}
	return true;
}

static bool
toll_findings(struct sc_security *t, size_t *alloc)
{
	for (size_t i = 0; i < t->nsrc; i++) {
		const struct source *s = t->src[i];
		struct sc_sec_finding *f;
		char addr[SC_ADDR_STRLEN], answered[96] = "";

		if (s->intl_rejected < t->o.toll_rejected ||
		    s->numbers.n < t->o.toll_numbers)
			continue;
		sc_addr_format(&s->addr, addr, sizeof(addr));
		if (s->intl_answered)
			snprintf(answered, sizeof(answered),
			         "; %" PRIu32 " answered: check the bill for "
			         "%s",
			         s->intl_answered,
			         s->intl_answered == 1 ? "that call"
			                               : "those calls");
		f = finding(t, alloc, SC_SEC_TOLL_FRAUD,
		            "%s dialled %s%zu international number%s (such as "
		            "\"%s\") in %" PRIu32 " call%s; %" PRIu32
		            " %s rejected%s: likely toll-fraud attempts.",
		            addr, s->numbers.capped ? "at least " : "",
		            s->numbers.n, plural(s->numbers.n),
		            s->first_number ? s->first_number : "-", s->intl,
		            plural(s->intl), s->intl_rejected,
		            were(s->intl_rejected), answered);
		if (!f)
			return false;
		f->src = s->addr;
		f->user = s->first_number;
		f->user_agent = s->user_agent;
		f->requests = s->intl;
		f->failures = s->intl_rejected;
		f->successes = s->intl_answered;
		f->distinct = (uint32_t)s->numbers.n;
		f->distinct_capped = s->numbers.capped;
		f->first_ts = s->intl_first;
		f->last_ts = s->intl_last;
		set_ids(f, &s->intl_calls);
	}
	return true;
}

enum sc_err
sc_security_findings(struct sc_security *t, const struct sc_sec_finding **out,
                     size_t *n)
{
	size_t alloc = 0;

	sc__sec_findings_clear(t);
	*out = NULL;
	*n = 0;
	if (!scanner_findings(t, &alloc) || !account_findings(t, &alloc) ||
	    !toll_findings(t, &alloc)) {
		sc__sec_findings_clear(t);
		return SC_ENOMEM;
	}
	*out = t->f;
	*n = t->nf;
	return SC_OK;
}
