/* security.c - findings across calls: scanners, password guessing, fraud
 *
 * Counts per source address and per (source, user) account, fed one
 * request at a time. The patterns are those SIP attacks leave in
 * signalling: scanning tools announce themselves in User-Agent or probe
 * many users in a row; password crackers send refused credentials for
 * one user in a sc__sec_burst (and a success after that sc__sec_burst means the
 * password was found); toll fraud dials international numbers and is refused.
 * Every table is capped; what does not fit is counted.
 *
 * This file keeps the tables; security_findings.c turns them into
 * findings.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/diagnosis/security.h"
#include "sipcause/util/hashmap.h"
#include "sipcause/util/siphash.h"
#include "sipcause/util/str.h"
#include "security_impl.h"

static const char *const rule_ids[] = {
#define SC_SEC_RULE_ID(name, id) id,
	SC_SEC_RULES(SC_SEC_RULE_ID)
#undef SC_SEC_RULE_ID
};

const char *
sc_sec_rule_id(enum sc_sec_rule r)
{
	return (unsigned)r < SC_SEC__COUNT ? rule_ids[r] : "";
}

/* ---- small helpers ---- */

static char *
dup_wire(const char *s)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strnlen(s, SC_SEC_WIRE_MAX);
	d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

static void
idlist_free(struct idlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
}

/* Remember @id once; false on ENOMEM. */
static bool
idlist_add(struct idlist *l, const char *id)
{
	if (!id)
		return true;
	/* the first byte tells most Call-IDs apart without a call */
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i][0] == id[0] &&
		    strncmp(l->v[i], id, SC_SEC_WIRE_MAX) == 0)
			return true;
	if (l->n == SC_SEC_MAX_CALL_IDS) {
		l->more++;
		return true;
	}
	l->v[l->n] = dup_wire(id);
	if (!l->v[l->n])
		return false;
	l->n++;
	return true;
}

/* Add @s to the set; false on ENOMEM. */
static bool
strset_add(const struct sc_security *t, struct strset *set, const char *s)
{
	uint64_t h;

	if (!has_text(s))
		return true;
	h = sc_siphash13(&t->key, s, strnlen(s, SC_SEC_WIRE_MAX));
	for (size_t i = 0; i < set->n; i++)
		if (set->h[i] == h)
			return true;
	if (set->n == SET_CAP) {
		set->capped = true;
		return true;
	}
	if (!set->h) {
		set->h = malloc(SET_CAP * sizeof(*set->h));
		if (!set->h)
			return false;
	}
	set->h[set->n++] = h;
	return true;
}

/*
 * Room for one more element in array @v of @n elements of @size bytes
 * (@alloc allocated): returns the array, moved if it grew, or NULL on
 * ENOMEM (then @v is unchanged).
 */
static void *
grow(void *v, size_t n, size_t *alloc, size_t size)
{
	void *nv;
	size_t na;

	if (n < *alloc)
		return v;
	na = *alloc ? *alloc * 2 : 16;
	nv = realloc(v, na * size);
	if (nv)
		*alloc = na;
	return nv;
}

/* The address with unused bytes zeroed, so that it can be a hash key. */
static struct sc_addr
norm_addr(const struct sc_addr *a)
{
	struct sc_addr k;

	memset(&k, 0, sizeof(k));
	k.family = a->family;
	memcpy(k.bytes, a->bytes, a->family == 4 ? 4 : 16);
	return k;
}

/* ---- public helpers ---- */

bool
sc_security_scanner_ua(const char *ua)
{
	static const char *const tools[] = {
		"friendly-scanner",
		"sipvicious",
		"sipcli",
		"vaxsipuseragent",
		"pplsip",
		"sundayddr",
		"sip-scan",
		"sipscan",
		"iwar",
		NULL,
	};
	struct sc_str s;

	if (!has_text(ua))
		return false;
	s = sc_str_make(ua, strnlen(ua, 256));
	for (size_t i = 0; tools[i]; i++)
		if (sc_str_find(s, sc_str_from_cstr(tools[i]), true) !=
		    SIZE_MAX)
			return true;
	return false;
}

static size_t
digits(const char *s)
{
	size_t n = 0;

	while (sc_ascii_is_digit((unsigned char)s[n]) && n < 64)
		n++;
	return n;
}

bool
sc_security_international(const char *user)
{
	size_t n, pre;

	if (!has_text(user))
		return false;
	if (user[0] == '+')
		return digits(user + 1) >= 8 && user[1 + digits(user + 1)] == 0;
	n = digits(user);
	if (n == 0 || user[n] != 0)
		return false;
	/* an outside-line prefix never starts with 0: "0300..." is national */
	for (pre = 0; pre <= 3 && pre < n; pre++) {
		const char *p = user + pre;
		size_t idd;

		if (pre > 0 && user[0] == '0')
			break;
		idd = strncmp(p, "011", 3) == 0  ? 3
		      : strncmp(p, "00", 2) == 0 ? 2
		                                 : 0;
		if (idd && n - pre - idd >= 8)
			return true;
	}
	return false;
}

/* ---- the tracker ---- */

struct sc_security *
sc_security_new(const struct sc_security_opts *opts)
{
	struct sc_security *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (opts)
		t->o = *opts;
	if (!t->o.scan_users)
		t->o.scan_users = 10;
	if (!t->o.guess_failures)
		t->o.guess_failures = 5;
	if (t->o.guess_failures < 2)
		t->o.guess_failures = 2;
	if (t->o.guess_failures > RING_MAX)
		t->o.guess_failures = RING_MAX;
	if (t->o.guess_window_ns <= 0)
		t->o.guess_window_ns = 60 * NS_PER_S;
	if (!t->o.toll_rejected)
		t->o.toll_rejected = 3;
	if (!t->o.toll_numbers)
		t->o.toll_numbers = 2;
	if (!t->o.max_sources)
		t->o.max_sources = 4096;
	if (!t->o.max_accounts)
		t->o.max_accounts = 4096;
	sc_siphash_key_random(&t->key);
	sc_hashmap_init(&t->by_src);
	sc_hashmap_init(&t->by_account);
	return t;
}

static void
source_free(struct source *s)
{
	if (!s)
		return;
	free(s->user_agent);
	free(s->users.h);
	free(s->numbers.h);
	free(s->first_number);
	idlist_free(&s->calls);
	idlist_free(&s->intl_calls);
	free(s);
}

static void
account_free(struct account *a)
{
	if (!a)
		return;
	free(a->key);
	free(a->user);
	free(a->user_agent);
	free(a->success_call);
	idlist_free(&a->calls);
	free(a);
}

void
sc_security_free(struct sc_security *t)
{
	if (!t)
		return;
	sc__sec_findings_clear(t);
	for (size_t i = 0; i < t->nsrc; i++)
		source_free(t->src[i]);
	for (size_t i = 0; i < t->nacc; i++)
		account_free(t->acc[i]);
	free(t->src);
	free(t->acc);
	sc_hashmap_fini(&t->by_src);
	sc_hashmap_fini(&t->by_account);
	free(t);
}

uint64_t
sc_security_untracked(const struct sc_security *t)
{
	return t->untracked;
}

/* The source entry of @a, created when new; NULL on ENOMEM or cap. */
static struct source *
source_get(struct sc_security *t, const struct sc_addr *a, bool *oom)
{
	struct sc_addr k = norm_addr(a);
	struct source *s;
	struct source **v;

	/* calls come from few addresses, mostly in runs: the last source
	 * found needs no hashing */
	if (t->last_src && memcmp(&t->last_src->addr, &k, sizeof(k)) == 0)
		return t->last_src;
	s = sc_hashmap_get(&t->by_src, &k, sizeof(k));
	if (s)
		return t->last_src = s;
	if (t->nsrc >= t->o.max_sources)
		return NULL;
	s = calloc(1, sizeof(*s));
	v = s ? grow(t->src, t->nsrc, &t->src_alloc, sizeof(*t->src)) : NULL;
	if (!v) {
		free(s);
		*oom = true;
		return NULL;
	}
	t->src = v;
	s->addr = k;
	if (sc_hashmap_put(&t->by_src, &s->addr, sizeof(s->addr), s) != SC_OK) {
		free(s);
		*oom = true;
		return NULL;
	}
	t->src[t->nsrc++] = s;
	return t->last_src = s;
}

/* The account (@a, @user), created when new; NULL on ENOMEM or cap. */
static struct account *
account_get(struct sc_security *t, const struct sc_addr *a, const char *user,
            bool *oom)
{
	struct sc_addr k = norm_addr(a);
	size_t ulen = strnlen(user, SC_SEC_WIRE_MAX);
	unsigned char buf[sizeof(k) + SC_SEC_WIRE_MAX];
	struct account *acc, **v;

	memcpy(buf, &k, sizeof(k));
	memcpy(buf + sizeof(k), user, ulen);
	acc = sc_hashmap_get(&t->by_account, buf, sizeof(k) + ulen);
	if (acc)
		return acc;
	if (t->nacc >= t->o.max_accounts)
		return NULL;
	acc = calloc(1, sizeof(*acc));
	v = acc ? grow(t->acc, t->nacc, &t->acc_alloc, sizeof(*t->acc)) : NULL;
	if (!v)
		goto oom;
	t->acc = v;
	acc->keylen = sizeof(k) + ulen;
	acc->key = malloc(acc->keylen);
	acc->user = dup_wire(user);
	if (!acc->key || !acc->user)
		goto oom;
	memcpy(acc->key, buf, acc->keylen);
	acc->addr = k;
	if (sc_hashmap_put(&t->by_account, acc->key, acc->keylen, acc) != SC_OK)
		goto oom;
	t->acc[t->nacc++] = acc;
	return acc;
oom:
	account_free(acc);
	*oom = true;
	return NULL;
}

/*
 * What a scan typically gets back for a user that is not there or that
 * it may not use. A scan sends no credentials; a phone that registers
 * many lines gets its 401s too, but then a 2xx to each retry, which
 * keeps its share of refusals low. No answer at all is no refusal (a
 * dead server is not a scan target).
 */
static bool
scan_refused(const struct sc_sec_request *r)
{
	int c = r->final_code;

	return !has_text(r->auth_user) &&
	       (c == 401 || c == 403 || c == 404 || c == 407 || c == 484 ||
	        c == 485 || c == 604);
}

/* A call to a number refused outright; challenges (401/407), busy and
 * cancelled calls are not refusals of the number. */
static bool
call_rejected(int code)
{
	return code == 403 || code == 404 || code == 410 || code == 416 ||
	       code == 484 || code == 485 || code == 603 || code == 604;
}

static void
span(int64_t *first, int64_t *last, int64_t ts, bool fresh)
{
	if (fresh || ts < *first)
		*first = ts;
	if (fresh || ts > *last)
		*last = ts;
}

/* Keep @ua: a scanner's replaces any other, else the first one stays. */
static bool
keep_ua(char **slot, bool *scanner, const char *ua)
{
	bool is_scanner = sc_security_scanner_ua(ua);
	char *d;

	if (!has_text(ua) || (*slot && (*scanner || !is_scanner)))
		return true;
	d = dup_wire(ua);
	if (!d)
		return false;
	free(*slot);
	*slot = d;
	*scanner = is_scanner;
	return true;
}

static bool
add_international(struct sc_security *t, struct source *s,
                  const struct sc_sec_request *r)
{
	const char *number = has_text(r->ruri_user) ? r->ruri_user : r->to_user;
	bool ok = true;

	if (!r->method || strcmp(r->method, "INVITE") != 0 ||
	    !sc_security_international(number))
		return true;
	span(&s->intl_first, &s->intl_last, r->ts_ns, s->intl == 0);
	s->intl++;
	if (call_rejected(r->final_code))
		s->intl_rejected++;
	else if (r->final_code >= 200 && r->final_code < 300)
		s->intl_answered++;
	if (!s->first_number) {
		s->first_number = dup_wire(number);
		ok = s->first_number != NULL;
	}
	ok = strset_add(t, &s->numbers, number) && ok;
	return idlist_add(&s->intl_calls, r->call_id) && ok;
}

/* Is there a sc__sec_burst: the last guess_failures failures within the window?
 */
bool
sc__sec_burst(const struct sc_security *t, const struct account *a)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN;

	if (a->ring_n < t->o.guess_failures)
		return false;
	for (size_t i = 0; i < a->ring_n; i++) {
		if (a->ring[i] < lo)
			lo = a->ring[i];
		if (a->ring[i] > hi)
			hi = a->ring[i];
	}
	return hi - lo <= t->o.guess_window_ns;
}

static bool
add_account(struct sc_security *t, struct account *a,
            const struct sc_sec_request *r)
{
	int c = r->final_code;
	bool ok = keep_ua(&a->user_agent, &(bool){ false }, r->user_agent);

	span(&a->first_ts, &a->last_ts, r->ts_ns, a->attempts == 0);
	a->attempts++;
	if ((c == 401 || c == 403 || c == 407) && !r->expected_challenge) {
		a->failures++;
		a->ring[a->ring_pos] = r->ts_ns;
		a->ring_pos = (a->ring_pos + 1) % t->o.guess_failures;
		if (a->ring_n < t->o.guess_failures)
			a->ring_n++;
		if (sc__sec_burst(t, a))
			a->guessing = true;
		return idlist_add(&a->calls, r->call_id) && ok;
	}
	if (c < 200 || c >= 300)
		return ok;
	a->successes++;
	if (!a->guessing || a->compromised)
		return ok;
	a->compromised = true;
	a->success_ts = r->ts_ns;
	a->success_code = c;
	a->success_call = dup_wire(r->call_id);
	ok = (a->success_call || !r->call_id) && ok;
	return idlist_add(&a->calls, r->call_id) && ok;
}

enum sc_err
sc_security_add(struct sc_security *t, const struct sc_sec_request *r)
{
	const char *target = has_text(r->ruri_user) ? r->ruri_user : r->to_user;
	bool oom = false, ok;
	struct source *s = source_get(t, &r->src, &oom);
	struct account *a = NULL;

	if (!s) {
		if (!oom)
			t->untracked++;
		return oom ? SC_ENOMEM : SC_OK;
	}
	span(&s->first_ts, &s->last_ts, r->ts_ns, s->requests == 0);
	s->requests++;
	if (scan_refused(r))
		s->refused++;
	else if (r->final_code >= 200 && r->final_code < 300)
		s->answered++;
	if (r->final_code >= 400)
		s->failed++;
	ok = keep_ua(&s->user_agent, &s->scanner_ua, r->user_agent);
	ok = strset_add(t, &s->users, target) && ok;
	ok = idlist_add(&s->calls, r->call_id) && ok;
	ok = add_international(t, s, r) && ok;
	if (has_text(r->auth_user)) {
		a = account_get(t, &r->src, r->auth_user, &oom);
		if (a)
			ok = add_account(t, a, r) && ok;
		else if (!oom)
			t->untracked++;
	}
	return ok && !oom ? SC_OK : SC_ENOMEM;
}
