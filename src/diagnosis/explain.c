/* explain.c - build an explanation (annotation, verdict): its texts from
 * the knowledge base or made for this capture, its evidence; and release
 * what it owns
 */
#include "config.h"

#include <float.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify_impl.h"
#include "sipcause/diagnosis/classify.h"
#include "sipcause/util/str.h"
#include "sipcause/diagnosis/kb.h"
#include "sipcause/util/vec.h"

void
sc__explain_release(struct sc_explain *e)
{
	/* the owner's packed block holds everything; it frees it */
	if (e->pooled_)
		return;
	if (e->evidence) {
		for (size_t i = 0; i < e->nevidence; i++)
			free(e->evidence[i]);
		free(e->evidence);
	}
	/* most have no root cause and most slots are empty: a test is
	 * cheaper than free(NULL) */
	if (e->root)
		free(e->root);
	for (size_t i = 0; i < SC_COUNTOF(e->owned_); i++)
		if (e->owned_[i])
			free(e->owned_[i]);
}

void
sc_explain_fini(struct sc_explain *e)
{
	if (!e)
		return;
	sc__explain_release(e);
	memset(e, 0, sizeof(*e));
}

char *
sc_explain_summary(const struct sc_explain *e)
{
	const char *cause = e->cause && e->cause[0] ? e->cause : "-";
	size_t a, b;
	char *s;

	if (!e->outcome)
		return NULL;
	a = strlen(e->outcome);
	b = strlen(cause);
	s = malloc(a + 1 + b + 1);
	if (!s)
		return NULL;
	memcpy(s, e->outcome, a);
	s[a] = ' ';
	memcpy(s + a + 1, cause, b + 1);
	return s;
}

/* ---- formatting texts ----
 *
 * The texts of this stage use few conversions: %s, %d (plain, l, ll),
 * %u (plain, l, ll, z), %.1f and %%. They are formatted here in one
 * pass, without the stdio stream vsnprintf sets up for every text (four
 * or five per call). Any other conversion, or a NULL string, goes to
 * vsnprintf, so the text is the same either way.
 */

/* A text being formatted into @cap bytes at @buf; @len counts every
 * byte, also those that did not fit (as snprintf counts). */
struct text_out {
	char *buf;
	size_t cap;
	size_t len;
};

static void
put_text(struct text_out *o, const char *s, size_t n)
{
	if (o->len < o->cap) {
		size_t room = o->cap - o->len;

		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void
put_decimal(struct text_out *o, unsigned long long v, bool negative)
{
	char digits[21] = "-";
	char *end = sc_put_decimal(digits + 1, v, 1);

	put_text(o, negative ? digits : digits + 1,
	         (size_t)(end - digits) - !negative);
}

static void
put_signed(struct text_out *o, long long v)
{
	/* 0 - v in unsigned: LLONG_MIN has no positive long long */
	put_decimal(
	        o, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v,
	        v < 0);
}

/* The tenths are worked out on the bits of an IEEE 754 double. */
_Static_assert(FLT_RADIX == 2 && DBL_MANT_DIG == 53 && DBL_MAX_EXP == 1024 &&
                       sizeof(double) == sizeof(uint64_t),
               "double is IEEE 754 binary64");

/*
 * %.1f as printf writes it (in the default rounding mode): the exact
 * binary value rounded to tenths, an exact half to the even tenth, a
 * minus sign whenever the sign bit is set ("-0.0"). Integers only, no
 * floating point rounding on the way; beyond 1e15 and for inf or NaN,
 * snprintf writes the number.
 */
static void
put_tenths(struct text_out *o, double v)
{
	uint64_t bits, mant, tenths;
	int biased, shift;

	if (!(v > -1e15 && v < 1e15)) {
		char big[DBL_MAX_10_EXP + 8];
		int n = snprintf(big, sizeof(big), "%.1f", v);

		put_text(o, big, n > 0 ? (size_t)n : 0);
		return;
	}
	memcpy(&bits, &v, sizeof(bits));
	biased = (int)((bits >> 52) & 0x7ff);
	mant = bits & ((UINT64_C(1) << 52) - 1);
	if (biased)
		mant |= UINT64_C(1) << 52;
	/* v = mant * 2^-shift; mant * 10 < 2^57 */
	shift = 1075 - (biased ? biased : 1);
	if (shift <= 0) {
		tenths = (mant << -shift) * 10; /* below 1e15: no overflow */
	} else if (shift >= 58) {
		tenths = 0; /* v * 10 below one half */
	} else {
		uint64_t scaled = mant * 10;
		uint64_t rest = scaled & ((UINT64_C(1) << shift) - 1);
		uint64_t half = UINT64_C(1) << (shift - 1);

		tenths = scaled >> shift;
		if (rest > half || (rest == half && (tenths & 1)))
			tenths++;
	}
	if (bits >> 63)
		put_text(o, "-", 1);
	put_decimal(o, tenths / 10, false);
	put_text(o, ".", 1);
	put_text(o, &"0123456789"[tenths % 10], 1);
}

/* Format @fmt into @o; false, with @o half written, at a conversion
 * this does not know (then vsnprintf must do it). */
static bool
format_text(struct text_out *o, const char *fmt, va_list ap)
{
	const char *p = fmt;

	for (;;) {
		const char *pct = strchr(p, '%');
		int longs = 0;
		bool size = false;
		const char *s;

		if (!pct) {
			put_text(o, p, strlen(p));
			return true;
		}
		put_text(o, p, (size_t)(pct - p));
		p = pct + 1;
		if (p[0] == '.' && p[1] == '1' && p[2] == 'f') {
			put_tenths(o, va_arg(ap, double));
			p += 3;
			continue;
		}
		if (*p == 'z') {
			size = true;
			p++;
		}
		while (!size && *p == 'l' && longs < 2) {
			longs++;
			p++;
		}
		switch (*p++) {
		case '%':
			if (size || longs)
				return false;
			put_text(o, "%", 1);
			break;
		case 's':
			if (size || longs)
				return false;
			s = va_arg(ap, const char *);
			if (!s)
				return false; /* printf's "(null)" */
			put_text(o, s, strlen(s));
			break;
		case 'd':
		case 'i':
			if (size)
				return false; /* %zd: not used here */
			put_signed(o, longs == 2   ? va_arg(ap, long long)
			              : longs == 1 ? va_arg(ap, long)
			                           : va_arg(ap, int));
			break;
		case 'u':
			put_decimal(o,
			            size ? va_arg(ap, size_t)
			            : longs == 2
			                    ? va_arg(ap, unsigned long long)
			            : longs == 1 ? va_arg(ap, unsigned long)
			                         : va_arg(ap, unsigned),
			            false);
			break;
		default:
			return false;
		}
	}
}

static char *vformat_stdio(const char *fmt, va_list ap) SC_PRINTF(1, 0);

/* What stdio makes of @fmt, malloc'd. */
static char *
vformat_stdio(const char *fmt, va_list ap)
{
	/* most texts fit: formatted once, not measured first */
	char small[256];
	va_list aq;
	int n;
	char *s;

	va_copy(aq, ap);
	n = vsnprintf(small, sizeof(small), fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	if ((size_t)n < sizeof(small))
		memcpy(s, small, (size_t)n + 1);
	else
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

/* ---- building explanations ---- */

char *
sc__vformat(const char *fmt, va_list ap)
{
	/* most texts fit: formatted once, then copied at their size */
	char small[256];
	struct text_out o = { small, sizeof(small), 0 };
	va_list aq;
	bool known;
	char *s;

	va_copy(aq, ap);
	known = format_text(&o, fmt, aq);
	va_end(aq);
	if (!known)
		return vformat_stdio(fmt, ap);
	if (o.len > INT_MAX)
		return NULL; /* what vsnprintf fails with */
	s = malloc(o.len + 1);
	if (!s)
		return NULL;
	if (o.len < sizeof(small)) {
		memcpy(s, small, o.len);
	} else {
		o = (struct text_out){ s, o.len, 0 };
		va_copy(aq, ap);
		format_text(&o, fmt, aq);
		va_end(aq);
	}
	s[o.len] = 0;
	return s;
}

/* Append the fact @s (malloc'd; NULL when out of memory) to the
 * explanation, which then owns it. */
static void
add_evidence(struct sc__cctx *x, char *s)
{
	struct sc_explain *e = x->out;
	char **v;

	/* the array holds the facts and a NULL after them: nevidence + 1
	 * elements once it exists, its capacity the power of two at or
	 * above that (sc_grow): the first fact makes it with room for two */
	if (!s)
		v = NULL;
	else if (!e->evidence)
		v = malloc(2 * sizeof(*v));
	else
		v = sc_grow(e->evidence, e->nevidence + 1, sizeof(*v));
	if (!v) {
		free(s);
		x->oom = true;
		return;
	}
	e->evidence = v;
	e->evidence[e->nevidence++] = s;
	e->evidence[e->nevidence] = NULL;
}

/* Add one fact from the capture to the explanation. */
void
sc__evidence(struct sc__cctx *x, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = sc__vformat(fmt, ap);
	va_end(ap);
	add_evidence(x, s);
}

/* The texts of @parts end to end, malloc'd (NULL on ENOMEM). */
static char *
join(const struct sc_str *parts, size_t nparts)
{
	size_t len = 0;
	char *s, *w;

	for (size_t i = 0; i < nparts; i++)
		len += parts[i].len;
	s = w = malloc(len + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < nparts; i++) {
		memcpy(w, parts[i].p, parts[i].len);
		w += parts[i].len;
	}
	*w = 0;
	return s;
}

void
sc__evidence_join(struct sc__cctx *x, const struct sc_str *parts, size_t nparts)
{
	add_evidence(x, join(parts, nparts));
}

struct sc_str
sc__tenths(char buf[SC__TENTHS_MAX], double v)
{
	struct text_out o = { buf, SC__TENTHS_MAX, 0 };

	put_tenths(&o, v);
	return sc_str_make(buf, o.len);
}

/* Set a built text in slot @slot and return it (NULL on ENOMEM). */
const char *
sc__own(struct sc__cctx *x, int slot, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = sc__vformat(fmt, ap);
	va_end(ap);
	if (!s)
		x->oom = true;
	free(x->out->owned_[slot]);
	x->out->owned_[slot] = s;
	return s;
}

/* Set in slot @slot the text @s the caller built (NULL: it was out of
 * memory) and return it: sc__own() without formatting. */
const char *
sc__own_take(struct sc__cctx *x, int slot, char *s)
{
	if (!s)
		x->oom = true;
	free(x->out->owned_[slot]);
	x->out->owned_[slot] = s;
	return s;
}

const char *
sc__req_method(const struct sc__cctx *x)
{
	return x->req && x->req->method_name ? x->req->method_name
	       : x->txn                      ? x->txn->method_name
	                                     : "request";
}

/* Fill @e with what the knowledge base says about @code. */
void
sc__explain_code(struct sc_explain *e, int code, const char *reason)
{
	bool unknown = false;
	const struct sc_status_info *info = sc_kb_status(code, &unknown);

	e->code = code;
	e->reason = reason;
	e->unknown_code = unknown;
	e->q850 = sc_kb_sip_to_q850(code);
	e->rule = RULE(CODE_DEFAULT);
	if (!info) {
		e->cls = SC_CLASS_VENDOR;
		e->cat = SC_CAT_UNKNOWN;
		return;
	}
	if (!e->reason)
		e->reason = info->reason;
	e->cls = unknown ? sc_kb_class_of(code) : info->cls;
	e->cat = unknown ? SC_CAT_UNKNOWN : info->cat;
	e->meaning = info->meaning;
	e->cause = info->cause;
	e->tip = info->tip;
}

/* What a 2xx means for the request it answers (the knowledge base says
 * what the code means for any request). */
void
sc__success_meaning(struct sc_explain *e, enum sc_method m)
{
	if (e->code < 200 || e->code >= 300)
		return;
	switch (m) {
	case SC_METHOD_INVITE:
		e->meaning = "The callee answered the INVITE; the caller must "
		             "confirm the answer with ACK.";
		break;
	case SC_METHOD_REGISTER:
		e->meaning = "The registrar accepted the REGISTER.";
		break;
	case SC_METHOD_BYE:
		e->meaning = "The far end accepted the BYE: the dialog is "
		             "over.";
		break;
	case SC_METHOD_CANCEL:
		e->meaning = "The CANCEL was accepted; the INVITE itself "
		             "ends with its own final response (487).";
		break;
	default:
		break; /* the code's own meaning (202, 204...) */
	}
}

/* The first request of transaction @t, or NULL. */
const struct sc_msg *
sc__first_request(const struct sc_call *c, const struct sc_txn *t)
{
	return t && t->first_msg < c->nmsgs ? c->msgs[t->first_msg].msg : NULL;
}
