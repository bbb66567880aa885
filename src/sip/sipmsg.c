/* sipmsg.c - one SIP message (RFC 3261) into struct sc_msg, with GNU oSIP2 */
#include "config.h"

#include <limits.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include <osipparser2/osip_parser.h>

#include "sipcause/util/arena.h"
#include "sipcause/sip/sipmsg.h"
#include "sipcause/util/str.h"

/*
 * How a message is read:
 *
 * 1. A raw pass over the header section (hdr_next) finds where the start
 *    line, the headers and the body are, whether a NUL byte hides in the
 *    headers, and reads every header that oSIP does not model or models
 *    badly: oSIP keeps unknown headers as name/value strings only, splits
 *    some of them at commas, and silently drops Authorization,
 *    Proxy-Authorization, *-Authenticate, Record-Route, Accept and Allow
 *    when it cannot parse them. Reading them here gives the same result
 *    whether oSIP accepts the message or not.
 * 2. oSIP parses the start line and the header section only (never the
 *    body: it drops a body without Content-Type and rejects a message
 *    whose body is shorter than Content-Length). From it we take the
 *    start line, Call-ID, From, To, CSeq, Via and Contact.
 * 3. When oSIP rejects the message (one bad Via/From/To/CSeq/Contact is
 *    enough), or a NUL byte would make it stop early, a raw scan reads
 *    the start line and those headers instead; the message is flagged
 *    SC_MSG_MALFORMED.
 * 4. The body comes from the raw bytes; an SDP in it is summarised
 *    (sdp.c), and everything is copied into one allocation.
 *
 * osip objects never leave this file: parse, copy the fields out, then
 * osip_message_free(). While oSIP runs, its allocations come from the
 * parser's scratch arena (see the allocator hooks below).
 */

/* ---- methods ---------------------------------------------------------- */

static const char *const method_names[SC_METHOD__COUNT] = {
#define SC_METHOD_TEXT(name, text) text,
	SC_METHODS(SC_METHOD_TEXT)
#undef SC_METHOD_TEXT
};

enum sc_method
sc_method_from_name(const char *name, size_t len)
{
	if (!name || len == 0)
		return SC_METHOD_OTHER;
	for (size_t i = 1; i < SC_METHOD__COUNT; i++) {
		const char *n = method_names[i];

		if (strlen(n) == len && memcmp(n, name, len) == 0)
			return (enum sc_method)i;
	}
	return SC_METHOD_OTHER;
}

const char *
sc_method_name(enum sc_method m)
{
	if ((unsigned)m >= SC_METHOD__COUNT)
		return "";
	return method_names[m];
}

/* ---- oSIP allocators: the per-message arena ---------------------------- */

/*
 * oSIP makes ~270 small allocations for a 1 KB INVITE and frees them all
 * in osip_message_free(). With osip_set_allocators() they come from the
 * parser's scratch arena instead, which is reset after each message.
 *
 * The hooks take no context argument and are process-wide, so the arena
 * in use is found through this variable, which sc_sipmsg_parse() sets for
 * the duration of one parse and clears after it. It is thread-local so
 * that parsers on different threads each see their own arena.
 */
static _Thread_local struct sc_arena *cur_arena;

/*
 * Every block carries this header: allocations made when no arena is
 * current (inside parser_init(), or by some other caller of oSIP) come
 * from malloc and must be freed; arena blocks are freed with the arena.
 * Aligned like max_align_t so that the block after it is too.
 */
struct blk {
	alignas(max_align_t) size_t size;
	bool in_arena;
};

static void *
hook_malloc(size_t size)
{
	struct blk *b;

	if (size > SIZE_MAX - sizeof(*b))
		return NULL;
	if (cur_arena) {
		b = sc_arena_alloc(cur_arena, sizeof(*b) + size);
		if (!b)
			return NULL;
		b->in_arena = true;
	} else {
		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->in_arena = false;
	}
	b->size = size;
	return b + 1;
}

static void
hook_free(void *ptr)
{
	struct blk *b;

	if (!ptr)
		return;
	b = (struct blk *)ptr - 1;
	if (!b->in_arena)
		free(b);
	/* arena blocks go with sc_arena_reset() */
}

static void *
hook_realloc(void *ptr, size_t size)
{
	struct blk *b, *nb;
	void *np;

	if (!ptr)
		return hook_malloc(size);
	b = (struct blk *)ptr - 1;
	if (!b->in_arena) {
		if (size > SIZE_MAX - sizeof(*b))
			return NULL;
		nb = realloc(b, sizeof(*b) + size);
		if (!nb)
			return NULL;
		nb->size = size;
		return nb + 1;
	}
	if (size <= b->size)
		return ptr;
	np = hook_malloc(size);
	if (np)
		memcpy(np, ptr, b->size);
	return np;
}

/* ---- global set-up ------------------------------------------------------ */

/* oSIP must never print (it would write to stdout, into our JSON). */
static void
trace_sink(const char *file, int line, osip_trace_level_t level,
           const char *fmt, va_list ap)
{
	(void)file;
	(void)line;
	(void)level;
	(void)fmt;
	(void)ap;
}

static void
global_init_once(void)
{
	/* first: a block must be freed by the allocator that made it */
	osip_set_allocators(hook_malloc, hook_realloc, hook_free);
	/*
	 * Level 0 enables no level, so oSIP returns before formatting
	 * anything; having a sink stops its lazy set-up of a stdout trace
	 * (also a data race between threads).
	 */
	osip_trace_initialize_func(TRACE_LEVEL0, trace_sink);
	(void)parser_init();
}

/*
 * A once-flag is the only state of ours beyond the thread-local arena
 * pointer: oSIP's parser tables, trace settings and allocators are
 * process-wide already, so its set-up is too.
 */
static once_flag global_once = ONCE_FLAG_INIT;

void
sc_sipmsg_global_init(void)
{
	call_once(&global_once, global_init_once);
}

/* ---- the parser --------------------------------------------------------- */

/* Scratch arena chunk: a 1 KB INVITE needs ~10 KB of oSIP blocks. */
#define SCRATCH_CHUNK (32 * 1024)

struct sc_sipparser {
	struct sc_arena scratch; /* oSIP blocks and our temporaries */
	size_t nlink;
	struct sc_str *link; /* link header names, in this allocation */
};

static const char *const default_link[] = { "X-Call-ID", "X-CID", NULL };

static const struct sc_str default_link_str[] = {
	{ "X-Call-ID", sizeof("X-Call-ID") - 1 },
	{ "X-CID", sizeof("X-CID") - 1 },
};

struct sc_sipparser *
sc_sipparser_new(const struct sc_sipparser_opts *opts)
{
	const char *const *names = default_link;
	struct sc_sipparser *p;
	size_t n = 0, chars = 0;
	char *w;

	if (opts && opts->link_headers)
		names = opts->link_headers;
	for (; names[n]; n++)
		chars += strlen(names[n]) + 1;
	p = malloc(sizeof(*p) + n * sizeof(struct sc_str) + chars);
	if (!p)
		return NULL;
	sc_arena_init(&p->scratch, SCRATCH_CHUNK);
	p->nlink = n;
	p->link = (struct sc_str *)(p + 1);
	w = (char *)(p->link + n);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]);

		memcpy(w, names[i], len + 1);
		p->link[i] = sc_str_make(w, len);
		w += len + 1;
	}
	return p;
}

void
sc_sipparser_free(struct sc_sipparser *p)
{
	if (!p)
		return;
	sc_arena_fini(&p->scratch);
	free(p);
}

/* ---- the draft: views of every string field until the final copy ------- */

/* Every string field of struct sc_msg (and where it lives). */
#define MSG_STRINGS(X)                            \
	X(METHOD_NAME, method_name)               \
	X(RURI, ruri)                             \
	X(RURI_USER, ruri_user)                   \
	X(REASON_PHRASE, reason_phrase)           \
	X(CALL_ID, call_id)                       \
	X(FROM_DISPLAY, from.display)             \
	X(FROM_URI, from.uri)                     \
	X(FROM_USER, from.user)                   \
	X(FROM_HOST, from.host)                   \
	X(FROM_TAG, from.tag)                     \
	X(TO_DISPLAY, to.display)                 \
	X(TO_URI, to.uri)                         \
	X(TO_USER, to.user)                       \
	X(TO_HOST, to.host)                       \
	X(TO_TAG, to.tag)                         \
	X(CSEQ_METHOD, cseq_method_name)          \
	X(VIA_BRANCH, via_branch)                 \
	X(VIA_SENT_BY, via_sent_by)               \
	X(VIA_TRANSPORT, via_transport)           \
	X(VIA_RECEIVED, via_received)             \
	X(CONTACT_DISPLAY, contact.display)       \
	X(CONTACT_URI, contact.uri)               \
	X(CONTACT_USER, contact.user)             \
	X(CONTACT_HOST, contact.host)             \
	X(CONTACT_TAG, contact.tag)               \
	X(USER_AGENT, user_agent)                 \
	X(REASON_HDR, reason_hdr)                 \
	X(Q850_TEXT, q850_text)                   \
	X(WARNING_AGENT, warning_agent)           \
	X(WARNING_TEXT, warning_text)             \
	X(ACCEPT, accept)                         \
	X(REQUIRE, require)                       \
	X(SUPPORTED, supported)                   \
	X(UNSUPPORTED, unsupported)               \
	X(ALLOW, allow)                           \
	X(ALLOW_EVENTS, allow_events)             \
	X(EVENT, event)                           \
	X(SUBSCRIPTION_STATE, subscription_state) \
	X(AUTH_USER, auth_user)                   \
	X(AUTH_REALM, auth_realm)                 \
	X(CHALLENGE_REALM, challenge_realm)       \
	X(X_CALL_ID, x_call_id)                   \
	X(SESSION_ID, session_id)                 \
	X(SESSION_ID_REMOTE, session_id_remote)   \
	X(ICID, icid)                             \
	X(CONTENT_TYPE, content_type)

enum fld {
#define FLD_ENUM(name, member) F_##name,
	MSG_STRINGS(FLD_ENUM)
#undef FLD_ENUM
	        F__COUNT
};

/* "Do not store": set_first() ignores it. */
#define F_NONE F__COUNT

static const size_t fld_off[F__COUNT] = {
#define FLD_OFF(name, member) offsetof(struct sc_msg, member),
	MSG_STRINGS(FLD_OFF)
#undef FLD_OFF
};

/* The parts of a struct sc_nameaddr, after its display name field. */
enum { NA_DISPLAY, NA_URI, NA_USER, NA_HOST, NA_TAG };

static enum fld
na(enum fld base, int part)
{
	return (enum fld)((int)base + part);
}

/* Headers we read; H_LINK is any of the configured link headers. */
enum hid {
	H_NONE,
	H_LINK,
	/* parsed by oSIP, by the raw scan when oSIP cannot */
	H_CALL_ID,
	H_FROM,
	H_TO,
	H_CSEQ,
	H_VIA,
	H_CONTACT,
	/* always read from the raw bytes */
	H_RECORD_ROUTE,
	H_USER_AGENT,
	H_SERVER,
	H_MAX_FORWARDS,
	H_REASON,
	H_WARNING,
	H_RETRY_AFTER,
	H_EXPIRES,
	H_SESSION_EXPIRES,
	H_MIN_SE,
	H_MIN_EXPIRES,
	H_ACCEPT,
	H_REQUIRE,
	H_SUPPORTED,
	H_UNSUPPORTED,
	H_ALLOW,
	H_ALLOW_EVENTS,
	H_EVENT,
	H_SUBSCRIPTION_STATE,
	H_AUTHORIZATION,
	H_PROXY_AUTHORIZATION,
	H_WWW_AUTHENTICATE,
	H_PROXY_AUTHENTICATE,
	H_SESSION_ID,
	H_P_CHARGING_VECTOR,
	H_CONTENT_TYPE,
	H_CONTENT_LENGTH,
	H__COUNT
};

#define HBIT(h) (UINT64_C(1) << (h))
#define H_OSIP_OWNED                                                  \
	(HBIT(H_CALL_ID) | HBIT(H_FROM) | HBIT(H_TO) | HBIT(H_CSEQ) | \
	 HBIT(H_VIA) | HBIT(H_CONTACT))
#define H_ALL ((UINT64_C(1) << H__COUNT) - 1)
#define H_RAW_OWNED (H_ALL & ~H_OSIP_OWNED)

/* Header names in lower case (compared with ASCII case folding). */
struct hname {
	const char *name;
	size_t len;
};
#undef HN

#define HN(s)                    \
	{                        \
		s, sizeof(s) - 1 \
	}
static const struct hname hnames[H__COUNT] = {
	[H_CALL_ID] = HN("call-id"),
	[H_FROM] = HN("from"),
	[H_TO] = HN("to"),
	[H_CSEQ] = HN("cseq"),
	[H_VIA] = HN("via"),
	[H_CONTACT] = HN("contact"),
	[H_RECORD_ROUTE] = HN("record-route"),
	[H_USER_AGENT] = HN("user-agent"),
	[H_SERVER] = HN("server"),
	[H_MAX_FORWARDS] = HN("max-forwards"),
	[H_REASON] = HN("reason"),
	[H_WARNING] = HN("warning"),
	[H_RETRY_AFTER] = HN("retry-after"),
	[H_EXPIRES] = HN("expires"),
	[H_SESSION_EXPIRES] = HN("session-expires"),
	[H_MIN_SE] = HN("min-se"),
	[H_MIN_EXPIRES] = HN("min-expires"),
	[H_ACCEPT] = HN("accept"),
	[H_REQUIRE] = HN("require"),
	[H_SUPPORTED] = HN("supported"),
	[H_UNSUPPORTED] = HN("unsupported"),
	[H_ALLOW] = HN("allow"),
	[H_ALLOW_EVENTS] = HN("allow-events"),
	[H_EVENT] = HN("event"),
	[H_SUBSCRIPTION_STATE] = HN("subscription-state"),
	[H_AUTHORIZATION] = HN("authorization"),
	[H_PROXY_AUTHORIZATION] = HN("proxy-authorization"),
	[H_WWW_AUTHENTICATE] = HN("www-authenticate"),
	[H_PROXY_AUTHENTICATE] = HN("proxy-authenticate"),
	[H_SESSION_ID] = HN("session-id"),
	[H_P_CHARGING_VECTOR] = HN("p-charging-vector"),
	[H_CONTENT_TYPE] = HN("content-type"),
	[H_CONTENT_LENGTH] = HN("content-length"),
};

/* The same headers by first letter (H_NONE ends a row): fewer compares. */
#define L(c) [(c) - 'a']
static const uint8_t by_letter[26][6] = {
	L('a') = { H_ACCEPT, H_ALLOW, H_ALLOW_EVENTS, H_AUTHORIZATION },
	L('c') = { H_CALL_ID, H_CONTACT, H_CSEQ, H_CONTENT_TYPE,
	           H_CONTENT_LENGTH },
	L('e') = { H_EXPIRES, H_EVENT },
	L('f') = { H_FROM },
	L('m') = { H_MAX_FORWARDS, H_MIN_SE, H_MIN_EXPIRES },
	L('p') = { H_PROXY_AUTHORIZATION, H_PROXY_AUTHENTICATE,
	           H_P_CHARGING_VECTOR },
	L('r') = { H_RECORD_ROUTE, H_REASON, H_RETRY_AFTER, H_REQUIRE },
	L('s') = { H_SERVER, H_SESSION_EXPIRES, H_SUPPORTED,
	           H_SUBSCRIPTION_STATE, H_SESSION_ID },
	L('t') = { H_TO },
	L('u') = { H_USER_AGENT, H_UNSUPPORTED },
	L('v') = { H_VIA },
	L('w') = { H_WARNING, H_WWW_AUTHENTICATE },
};

/* Compact forms (RFC 3261 7.3.3, RFC 3515, 4028, 6665) we read. */
static const uint8_t compact[26] = {
	L('c') = H_CONTENT_TYPE,    L('f') = H_FROM,
	L('i') = H_CALL_ID,         L('k') = H_SUPPORTED,
	L('l') = H_CONTENT_LENGTH,  L('m') = H_CONTACT,
	L('o') = H_EVENT,           L('t') = H_TO,
	L('u') = H_ALLOW_EVENTS,    L('v') = H_VIA,
	L('x') = H_SESSION_EXPIRES,
};
#undef L

/*
 * Everything found so far, as views into the raw bytes, into oSIP's
 * objects or into the scratch arena; all of them live until the copy.
 */
struct draft {
	struct sc_msg *m;          /* integer fields are written directly */
	struct sc_arena *tmp;      /* joined, unfolded, unquoted strings */
	struct sc_str s[F__COUNT]; /* .p NULL: absent */
	size_t cap[F__COUNT];      /* bytes owned in tmp (list joins) */
	struct sc_str server;      /* Server, used when no User-Agent */
	struct sc_str from_raw;    /* first From, To, Contact value as */
	struct sc_str to_raw;      /* written: the URI text comes from */
	struct sc_str contact_raw; /* there, not re-serialised by oSIP */
	const struct sc_str *link;
	size_t nlink;
	size_t link_rank; /* index of the link header kept; nlink: none */
	uint64_t seen;    /* headers present in the raw bytes */
	uint64_t done;    /* single-valued headers already read */
	struct sc_sdp *sdp;
	bool nomem;

	/* layout of the raw bytes */
	const char *p;
	size_t len;
	size_t start;   /* start line (after leading CR/LF) */
	size_t hdrs;    /* first header line */
	size_t hdr_end; /* end of the last complete header line */
	size_t body;    /* body; SIZE_MAX when no blank line ends the head */
	bool clen_set;  /* a Content-Length other than "0" is present */
	bool whole;     /* no byte of the message is missing */
	size_t nclen;   /* Content-Length values (offset, length) */
	size_t clen_at[4][2];
};

static bool
draft_init(struct draft *d, const struct sc_rawmsg *raw, struct sc_arena *tmp,
           const struct sc_str *link, size_t nlink)
{
	struct sc_msg *m;

	memset(d, 0, sizeof(*d));
	m = calloc(1, sizeof(*m));
	if (!m)
		return false;
	m->contact_expires = -1;
	m->max_forwards = -1;
	m->q850_cause = -1;
	m->sip_reason_cause = -1;
	m->warning_code = -1;
	m->retry_after = -1;
	m->expires = -1;
	m->session_expires = -1;
	m->min_se = -1;
	m->min_expires = -1;
	m->content_length = -1;
	d->m = m;
	d->tmp = tmp;
	d->link = link;
	d->nlink = nlink;
	d->link_rank = nlink;
	d->p = raw->data ? (const char *)raw->data : "";
	d->len = raw->data ? raw->len : 0;
	d->body = SIZE_MAX;
	d->whole = !(raw->flags & SC_RAW_TRUNCATED);
	return true;
}

/* ---- small helpers on views --------------------------------------------- */

static struct sc_str
view_at(const char *p, const char *end)
{
	return sc_str_make(p, (size_t)(end - p));
}

/* The end of @s (no arithmetic on the NULL of an absent view). */
static const char *
end_of(struct sc_str s)
{
	return s.p ? s.p + s.len : NULL;
}

/* The part of @s after offset @i (empty view when past the end). */
static struct sc_str
view_from(struct sc_str s, size_t i)
{
	return i < s.len ? sc_str_make(s.p + i, s.len - i)
	                 : sc_str_make(end_of(s), 0);
}

static const char *
find_char(struct sc_str s, char c)
{
	return s.len ? memchr(s.p, c, s.len) : NULL;
}

/* @s up to the first @c (all of it when there is none). */
static struct sc_str
cut_at(struct sc_str s, char c)
{
	const char *q = find_char(s, c);

	return q ? view_at(s.p, q) : s;
}

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* Keep the first non-empty value of a field. */
static void
set_first(struct draft *d, enum fld f, struct sc_str v)
{
	if (f < F__COUNT && !d->s[f].p && v.p && v.len > 0)
		d->s[f] = v;
}

/* Append a value to a list field, ", " between values (amortised). */
static void
join(struct draft *d, enum fld f, struct sc_str v)
{
	struct sc_str *cur = &d->s[f];
	size_t need;
	char *w;

	if (!v.p || v.len == 0)
		return;
	if (!cur->p) {
		*cur = v;
		return;
	}
	need = cur->len + 2 + v.len;
	if (need > d->cap[f]) {
		size_t cap = d->cap[f] ? d->cap[f] * 2 : 64;

		if (cap < need)
			cap = need;
		w = sc_arena_alloc(d->tmp, cap);
		if (!w) {
			d->nomem = true;
			return;
		}
		memcpy(w, cur->p, cur->len);
		d->cap[f] = cap;
	} else {
		w = (char *)(uintptr_t)cur->p; /* our own arena buffer */
	}
	memcpy(w + cur->len, ", ", 2);
	memcpy(w + cur->len + 2, v.p, v.len);
	*cur = sc_str_make(w, need);
}

/* A copy of @a then @sep then @b in the scratch arena. */
static struct sc_str
concat3(struct draft *d, struct sc_str a, const char *sep, struct sc_str b)
{
	size_t sl = strlen(sep);
	char *w = sc_arena_alloc(d->tmp, a.len + sl + b.len + 1);

	if (!w) {
		d->nomem = true;
		return sc_str_make(NULL, 0);
	}
	if (a.len)
		memcpy(w, a.p, a.len);
	memcpy(w + a.len, sep, sl);
	if (b.len)
		memcpy(w + a.len + sl, b.p, b.len);
	return sc_str_make(w, a.len + sl + b.len);
}

/*
 * Join folded lines (RFC 3261 7.3.1): each line break with the white
 * space around it becomes one space.
 */
static struct sc_str
unfold(struct draft *d, struct sc_str v)
{
	char *w;
	size_t n = 0;

	w = sc_arena_alloc(d->tmp, v.len ? v.len : 1);
	if (!w) {
		d->nomem = true;
		return sc_str_make(NULL, 0);
	}
	for (size_t i = 0; i < v.len; i++) {
		if (v.p[i] == '\r' || v.p[i] == '\n') {
			while (n > 0 && is_ws(w[n - 1]))
				n--;
			while (i + 1 < v.len &&
			       (v.p[i + 1] == '\r' || v.p[i + 1] == '\n' ||
			        is_ws(v.p[i + 1])))
				i++;
			w[n++] = ' ';
		} else {
			w[n++] = v.p[i];
		}
	}
	return sc_str_make(w, n);
}

/*
 * Offset just after the quoted string that starts at @s.p[i] (a '"'),
 * honouring backslash escapes; @s.len when it is not closed.
 */
static size_t
quoted_end(struct sc_str s, size_t i)
{
	for (i++; i < s.len; i++) {
		if (s.p[i] == '\\')
			i++;
		else if (s.p[i] == '"')
			return i + 1;
	}
	return s.len;
}

/* The content of a quoted-string, escapes removed; other text as is. */
static struct sc_str
unquote(struct draft *d, struct sc_str v)
{
	size_t i, n = 0;
	bool esc = false;
	char *w;

	v = sc_str_trim(v);
	if (v.len == 0 || v.p[0] != '"')
		return v;
	for (i = 1; i < v.len; i++) {
		if (v.p[i] == '\\') {
			esc = true;
			i++;
		} else if (v.p[i] == '"') {
			break;
		}
	}
	/* between the quotes; without a closing one, to the end */
	v = sc_str_make(v.p + 1, (i < v.len ? i : v.len) - 1);
	if (!esc)
		return v;
	w = sc_arena_alloc(d->tmp, v.len ? v.len : 1);
	if (!w) {
		d->nomem = true;
		return sc_str_make(NULL, 0);
	}
	for (i = 0; i < v.len; i++) {
		if (v.p[i] == '\\' && i + 1 < v.len)
			i++;
		w[n++] = v.p[i];
	}
	return sc_str_make(w, n);
}

/*
 * Next element of a comma-separated header value (RFC 3261 7.3.1):
 * commas inside quoted strings and <...> do not separate. Empty
 * elements are returned too; false when nothing is left.
 */
static bool
list_next(struct sc_str *rest, struct sc_str *item)
{
	size_t i = 0;
	bool angle = false;

	if (rest->len == 0)
		return false;
	while (i < rest->len) {
		char c = rest->p[i];

		if (c == '"') {
			i = quoted_end(*rest, i);
			continue;
		}
		if (c == '<')
			angle = true;
		else if (c == '>')
			angle = false;
		else if (c == ',' && !angle)
			break;
		i++;
	}
	*item = sc_str_trim(sc_str_make(rest->p, i));
	*rest = view_from(*rest, i + 1);
	return true;
}

/* Non-empty elements of a comma-separated value. */
static unsigned
list_count(struct sc_str v)
{
	struct sc_str item;
	unsigned n = 0;

	while (list_next(&v, &item))
		if (item.len > 0)
			n++;
	return n;
}

/* The first non-empty element of a comma-separated value. */
static struct sc_str
list_first(struct sc_str v)
{
	struct sc_str item;

	while (list_next(&v, &item))
		if (item.len > 0)
			return item;
	return sc_str_make(NULL, 0);
}

/*
 * Find parameter @name in @s, a list of "name[=value]" separated by
 * @sep outside quoted strings. *val gets the trimmed value (empty for a
 * parameter without value), still quoted if it was.
 */
static bool
param_find_sep(struct sc_str s, char sep, const char *name, struct sc_str *val)
{
	while (s.len > 0) {
		size_t i = 0;
		struct sc_str item;
		const char *eq;

		while (i < s.len && s.p[i] != sep) {
			if (s.p[i] == '"')
				i = quoted_end(s, i);
			else
				i++;
		}
		item = sc_str_make(s.p, i < s.len ? i : s.len);
		s = view_from(s, i + 1);
		eq = find_char(item, '=');
		if (!sc_str_caseeq_cstr(sc_str_trim(eq ? view_at(item.p, eq) : item),
		                        name))
			continue;
		*val = eq ? sc_str_trim(view_at(eq + 1, item.p + item.len))
		          : sc_str_make(item.p + item.len, 0);
		return true;
	}
	return false;
}

static bool
param_find(struct sc_str s, const char *name, struct sc_str *val)
{
	return param_find_sep(s, ';', name, val);
}

/* @s from its first ';' on (empty when there is none). */
static struct sc_str
params_of(struct sc_str s)
{
	const char *semi = find_char(s, ';');

	return semi ? view_at(semi, s.p + s.len) : sc_str_make(end_of(s), 0);
}

/* Leading decimal number of @v (after spaces), at most @max; -1 if none. */
static int64_t
lead_int(struct sc_str v, uint64_t max)
{
	uint64_t n;
	size_t used;

	if (!sc_str_lead_u64(sc_str_trim(v), max, &n, &used))
		return -1;
	return (int64_t)n;
}

/* A NUL-terminated string from oSIP as a view (NULL stays absent). */
static struct sc_str
cview(const char *s)
{
	return s ? sc_str_from_cstr(s) : sc_str_make(NULL, 0);
}

/* ---- raw header section ------------------------------------------------- */

struct hdr {
	struct sc_str name;
	struct sc_str value; /* trimmed; still folded when .folded */
	bool folded;
};

struct hdr_it {
	const char *p;
	const char *end;
	bool last_whole;  /* an unterminated last line is complete (the
			     bytes are whole, only the line end is missing) */
};

/*
 * Next header line. Lines end in LF (CRLF or bare LF); a line starting
 * with SP or HT continues the previous one. Lines without a colon are
 * skipped. Returns false at the blank line that ends the headers (*blank
 * set, it->p on the body) or when no complete line is left (it->p at the
 * end of the last complete line: a line cut short is never read, as its
 * value could be a wrong Call-ID).
 */
static bool
hdr_next(struct hdr_it *it, struct hdr *h, bool *blank)
{
	*blank = false;
	while (it->p < it->end) {
		const char *line = it->p, *lf, *eol, *colon;
		size_t left = (size_t)(it->end - line);

		if (line[0] == '\n' ||
		    (line[0] == '\r' && left >= 2 && line[1] == '\n')) {
			it->p = line + (line[0] == '\n' ? 1 : 2);
			*blank = true;
			return false;
		}
		h->folded = false;
		lf = memchr(line, '\n', left);
		while (lf && it->end - lf > 1 && is_ws(lf[1])) {
			h->folded = true;
			lf = memchr(lf + 1, '\n', (size_t)(it->end - lf - 1));
		}
		/* a last line without its line end is read only when no
		 * byte is missing: a value cut by the snapshot length would
		 * be wrong (a Call-ID "a8" files the message elsewhere) */
		if (!lf && !it->last_whole)
			return false;
		if (!lf) {
			lf = it->end;
			it->p = it->end;
		} else {
			it->p = lf + 1;
		}
		eol = lf;
		if (eol > line && eol[-1] == '\r')
			eol--;
		colon = memchr(line, ':', (size_t)(eol - line));
		if (!colon)
			continue;
		h->name = sc_str_trim(view_at(line, colon));
		h->value = sc_str_trim(view_at(colon + 1, eol));
		if (h->name.len == 0)
			continue;
		return true;
	}
	return false;
}

/* @s equals the lower-case @lname, ASCII case-insensitively. */
static bool
eq_lower(struct sc_str s, const char *lname)
{
	size_t i;

	for (i = 0; i < s.len; i++)
		if (sc_ascii_lower(s.p[i]) != lname[i] || !lname[i])
			return false;
	return lname[i] == '\0';
}

static enum hid
classify(const struct draft *d, struct sc_str name, size_t *rank)
{
	char c = name.len ? sc_ascii_lower(name.p[0]) : 0;

	if (c >= 'a' && c <= 'z') {
		if (name.len == 1)
			return (enum hid)compact[c - 'a'];
		for (const uint8_t *h = by_letter[c - 'a']; *h != H_NONE; h++)
			if (hnames[*h].len == name.len &&
			    eq_lower(name, hnames[*h].name))
				return (enum hid) * h;
	}
	for (size_t i = 0; i < d->nlink; i++) {
		if (d->link[i].len == name.len &&
		    sc_str_caseeq(name, d->link[i])) {
			*rank = i;
			return H_LINK;
		}
	}
	return H_NONE;
}

/* ---- one header value, however it was found ---------------------------- */

/* A URI as written into fields @f_uri, @f_user, @f_host (or F_NONE). */
static void
uri_parts(struct draft *d, enum fld f_uri, enum fld f_user, enum fld f_host,
          struct sc_str uri)
{
	const char *colon = find_char(uri, ':'), *at;
	struct sc_str scheme, rest, hp, user = { NULL, 0 };

	set_first(d, f_uri, uri);
	if (!colon)
		return;
	scheme = view_at(uri.p, colon);
	rest = view_at(colon + 1, uri.p + uri.len);
	if (sc_str_caseeq_cstr(scheme, "tel")) {
		/* RFC 3966: the number is the "user" */
		set_first(d, f_user, cut_at(rest, ';'));
		return;
	}
	rest = cut_at(rest, '?');
	at = find_char(rest, '@');
	if (at) {
		user = cut_at(view_at(rest.p, at), ':'); /* drop a password */
		hp = view_at(at + 1, rest.p + rest.len);
	} else {
		hp = rest;
	}
	if (hp.len > 0 && hp.p[0] == '[') {
		/* "[IPv6]:port": cut at the first ';' after the bracket */
		const char *rb = find_char(hp, ']');

		if (rb) {
			struct sc_str tail = view_at(rb + 1, hp.p + hp.len);

			hp = view_at(hp.p, rb + 1 + cut_at(tail, ';').len);
		}
	} else {
		hp = cut_at(hp, ';');
	}
	set_first(d, f_user, user);
	set_first(d, f_host, sc_str_trim(hp));
}

/* The parts of a name-addr / addr-spec (RFC 3261 20.10, 25.1). */
struct naddr {
	struct sc_str disp; /* as written, maybe quoted; .p NULL if none */
	struct sc_str uri;
	struct sc_str params; /* header parameters after the address */
};

static struct naddr
naddr_split(struct sc_str v)
{
	struct naddr out = { { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };
	struct sc_str disp = { NULL, 0 }, uri, params, rest;
	const char *lt;
	size_t i = 0;

	v = sc_str_trim(v);
	if (v.len > 0 && v.p[0] == '"') {
		i = quoted_end(v, 0);
		disp = sc_str_make(v.p, i);
	}
	rest = view_from(v, i);
	lt = find_char(rest, '<');
	if (lt) {
		const char *gt;
		struct sc_str in = view_at(lt + 1, rest.p + rest.len);

		if (!disp.p)
			disp = sc_str_trim(view_at(rest.p, lt));
		gt = find_char(in, '>');
		uri = sc_str_trim(gt ? view_at(in.p, gt) : in);
		params = gt ? view_at(gt + 1, in.p + in.len)
		            : sc_str_make(in.p + in.len, 0);
	} else {
		/* addr-spec: ';' starts the header parameters */
		uri = sc_str_trim(cut_at(rest, ';'));
		params = params_of(rest);
	}
	out.disp = disp;
	out.uri = uri;
	out.params = params;
	return out;
}

/*
 * A name-addr into the nameaddr fields at @base; returns the header
 * parameters after the address.
 */
static struct sc_str
nameaddr_raw(struct draft *d, enum fld base, struct sc_str v)
{
	struct naddr a = naddr_split(v);

	if (a.disp.p && a.disp.len > 0)
		set_first(d, na(base, NA_DISPLAY), unquote(d, a.disp));
	if (a.uri.len > 0)
		uri_parts(d, na(base, NA_URI), na(base, NA_USER),
		          na(base, NA_HOST), a.uri);
	return a.params;
}

/* Tag and other parameters of a From/To/Contact. */
static void
nameaddr_tag(struct draft *d, enum fld base, struct sc_str params)
{
	struct sc_str tag;

	if (param_find(params, "tag", &tag))
		set_first(d, na(base, NA_TAG), tag);
}

/* "SIP/2.0/UDP host:port;branch=..;received=.." (RFC 3261 20.42). */
static void
via_raw(struct draft *d, struct sc_str top)
{
	const char *s1 = find_char(top, '/'), *s2 = NULL;
	struct sc_str rest = top, tr, sent_by, params, v;
	size_t i = 0;

	if (s1)
		s2 = find_char(view_at(s1 + 1, top.p + top.len), '/');
	if (s2) {
		rest = view_at(s2 + 1, top.p + top.len);
		while (i < rest.len && is_ws(rest.p[i]))
			i++;
		rest = view_from(rest, i);
		i = 0;
		while (i < rest.len && !is_ws(rest.p[i]) && rest.p[i] != ';')
			i++;
		tr = sc_str_make(rest.p, i);
		set_first(d, F_VIA_TRANSPORT, tr);
		rest = view_from(rest, i);
	}
	sent_by = sc_str_trim(cut_at(rest, ';'));
	set_first(d, F_VIA_SENT_BY, sent_by);
	params = params_of(rest);
	if (param_find(params, "branch", &v))
		set_first(d, F_VIA_BRANCH, v);
	if (param_find(params, "received", &v))
		set_first(d, F_VIA_RECEIVED, v);
}

/* "Digest username="a", realm="b"" (RFC 3261 25.1, RFC 7616). */
static bool
auth_param(struct sc_str v, const char *name, struct sc_str *val)
{
	size_t i = 0;

	while (i < v.len && !is_ws(v.p[i]))
		i++; /* the scheme */
	return param_find_sep(view_from(v, i), ',', name, val);
}

/* Reason (RFC 3326): protocol;cause=N;text="..", comma-separated. */
static void
reason_hdr(struct draft *d, struct sc_str v)
{
	struct sc_str rest = v, item, cause, text;

	join(d, F_REASON_HDR, v);
	while (list_next(&rest, &item)) {
		struct sc_str proto = sc_str_trim(cut_at(item, ';'));
		struct sc_str params = params_of(item);
		int64_t c;

		if (!param_find(params, "cause", &cause))
			continue;
		c = lead_int(unquote(d, cause), INT_MAX);
		if (sc_str_caseeq_cstr(proto, "Q.850") &&
		    d->m->q850_cause < 0 && c >= 0) {
			d->m->q850_cause = (int)c;
			if (param_find(params, "text", &text))
				set_first(d, F_Q850_TEXT, unquote(d, text));
		} else if (sc_str_caseeq_cstr(proto, "SIP") &&
		           d->m->sip_reason_cause < 0 && c >= 0) {
			d->m->sip_reason_cause = (int)c;
		}
	}
}

/* Warning (RFC 3261 20.43): 3DIGIT SP agent SP quoted-text. */
static void
warning_hdr(struct draft *d, struct sc_str v)
{
	struct sc_str w = list_first(v), agent;
	uint64_t code;
	size_t used, i;

	if (!w.p || !sc_str_lead_u64(w, 999, &code, &used) || used != 3)
		return;
	d->m->warning_code = (int)code;
	w = view_from(w, used);
	for (i = 0; i < w.len && is_ws(w.p[i]); i++)
		;
	w = view_from(w, i);
	for (i = 0; i < w.len && !is_ws(w.p[i]); i++)
		;
	agent = sc_str_make(w.p, i);
	set_first(d, F_WARNING_AGENT, agent);
	set_first(d, F_WARNING_TEXT, unquote(d, view_from(w, i)));
}

/*
 * Handle one header. @id decides the meaning; single-valued headers keep
 * their first occurrence, list headers are joined.
 */
static void
on_header(struct draft *d, enum hid id, size_t rank, struct sc_str v)
{
	struct sc_msg *m = d->m;
	struct sc_str x, params;
	uint64_t bit = HBIT(id);

	switch (id) {
	case H_NONE:
	case H__COUNT:
		return;
	case H_LINK:
		if (rank < d->link_rank && v.len > 0) {
			d->s[F_X_CALL_ID] = v;
			d->link_rank = rank;
		}
		return;
	/* repeated or list headers */
	case H_VIA:
		m->via_count += list_count(v);
		if (!(d->done & bit) && (x = list_first(v)).p) {
			d->done |= bit;
			via_raw(d, x);
		}
		return;
	case H_RECORD_ROUTE:
		m->record_route_count += list_count(v);
		return;
	case H_REASON:
		reason_hdr(d, v);
		return;
	case H_ACCEPT:
		join(d, F_ACCEPT, v);
		return;
	case H_REQUIRE:
		join(d, F_REQUIRE, v);
		return;
	case H_SUPPORTED:
		join(d, F_SUPPORTED, v);
		return;
	case H_UNSUPPORTED:
		join(d, F_UNSUPPORTED, v);
		return;
	case H_ALLOW:
		join(d, F_ALLOW, v);
		return;
	case H_ALLOW_EVENTS:
		join(d, F_ALLOW_EVENTS, v);
		return;
	case H_AUTHORIZATION:
	case H_PROXY_AUTHORIZATION:
		m->has_credentials = true;
		bit = HBIT(H_AUTHORIZATION);
		break;
	case H_WWW_AUTHENTICATE:
	case H_PROXY_AUTHENTICATE:
		bit = HBIT(H_WWW_AUTHENTICATE);
		break;
	case H_CALL_ID:
	case H_FROM:
	case H_TO:
	case H_CSEQ:
	case H_CONTACT:
	case H_USER_AGENT:
	case H_SERVER:
	case H_MAX_FORWARDS:
	case H_WARNING:
	case H_RETRY_AFTER:
	case H_EXPIRES:
	case H_SESSION_EXPIRES:
	case H_MIN_SE:
	case H_MIN_EXPIRES:
	case H_EVENT:
	case H_SUBSCRIPTION_STATE:
	case H_SESSION_ID:
	case H_P_CHARGING_VECTOR:
	case H_CONTENT_TYPE:
	case H_CONTENT_LENGTH:
		break;
	}

	/* single-valued: the first occurrence only */
	if (d->done & bit)
		return;
	d->done |= bit;
	switch (id) {
	case H_CALL_ID:
		set_first(d, F_CALL_ID, v);
		break;
	case H_FROM:
		nameaddr_tag(d, F_FROM_DISPLAY,
		             nameaddr_raw(d, F_FROM_DISPLAY, v));
		break;
	case H_TO:
		nameaddr_tag(d, F_TO_DISPLAY, nameaddr_raw(d, F_TO_DISPLAY, v));
		break;
	case H_CONTACT:
		x = list_first(v);
		if (!x.p)
			break;
		params = nameaddr_raw(d, F_CONTACT_DISPLAY, x);
		nameaddr_tag(d, F_CONTACT_DISPLAY, params);
		if (param_find(params, "expires", &x))
			m->contact_expires =
			        lead_int(unquote(d, x), UINT32_MAX);
		break;
	case H_CSEQ: {
		uint64_t n;
		size_t used, i;

		if (sc_str_lead_u64(v, UINT32_MAX, &n, &used))
			m->cseq = (uint32_t)n;
		else
			used = 0;
		x = view_from(v, used);
		for (i = 0; i < x.len && is_ws(x.p[i]); i++)
			;
		x = view_from(x, i);
		for (i = 0; i < x.len && !is_ws(x.p[i]); i++)
			;
		set_first(d, F_CSEQ_METHOD, sc_str_make(x.p, i));
		break;
	}
	case H_USER_AGENT:
		set_first(d, F_USER_AGENT, v);
		break;
	case H_SERVER:
		d->server = v;
		break;
	case H_MAX_FORWARDS:
		m->max_forwards = (int)lead_int(v, INT_MAX);
		break;
	case H_WARNING:
		warning_hdr(d, v);
		break;
	case H_RETRY_AFTER:
		m->retry_after = lead_int(v, UINT32_MAX);
		break;
	case H_EXPIRES:
		m->expires = lead_int(v, UINT32_MAX);
		break;
	case H_SESSION_EXPIRES:
		m->session_expires = lead_int(v, UINT32_MAX);
		break;
	case H_MIN_SE:
		m->min_se = lead_int(v, UINT32_MAX);
		break;
	case H_MIN_EXPIRES:
		m->min_expires = lead_int(v, UINT32_MAX);
		break;
	case H_EVENT:
		set_first(d, F_EVENT, v);
		break;
	case H_SUBSCRIPTION_STATE:
		set_first(d, F_SUBSCRIPTION_STATE, v);
		break;
	case H_AUTHORIZATION:
	case H_PROXY_AUTHORIZATION:
		if (auth_param(v, "username", &x))
			set_first(d, F_AUTH_USER, unquote(d, x));
		if (auth_param(v, "realm", &x))
			set_first(d, F_AUTH_REALM, unquote(d, x));
		break;
	case H_WWW_AUTHENTICATE:
	case H_PROXY_AUTHENTICATE:
		if (auth_param(v, "realm", &x))
			set_first(d, F_CHALLENGE_REALM, unquote(d, x));
		break;
	case H_SESSION_ID:
		/* RFC 7989: local-uuid *(SEMI sess-id-param), remote= */
		set_first(d, F_SESSION_ID, sc_str_trim(cut_at(v, ';')));
		if (param_find(params_of(v), "remote", &x))
			set_first(d, F_SESSION_ID_REMOTE, unquote(d, x));
		break;
	case H_P_CHARGING_VECTOR:
		/* RFC 7315 4.6: icid-value=...;icid-generated-at=... */
		if (param_find(v, "icid-value", &x))
			set_first(d, F_ICID, unquote(d, x));
		break;
	case H_CONTENT_TYPE:
		set_first(d, F_CONTENT_TYPE, v);
		break;
	case H_CONTENT_LENGTH: {
		uint64_t n;

		if (sc_str_to_u64(v, UINT32_MAX, &n))
			m->content_length = (int64_t)n;
		break;
	}
	case H_NONE:
	case H_LINK:
	case H_VIA:
	case H_RECORD_ROUTE:
	case H_REASON:
	case H_ACCEPT:
	case H_REQUIRE:
	case H_SUPPORTED:
	case H_UNSUPPORTED:
	case H_ALLOW:
	case H_ALLOW_EVENTS:
	case H__COUNT:
		break;
	}
}

/*
 * Read the headers in @mask from the raw bytes. The first pass also
 * finds the layout and notes which headers are present.
 */
static void
scan_headers(struct draft *d, uint64_t mask, bool first_pass)
{
	struct hdr_it it = { d->p + d->hdrs, d->p + d->len, d->whole };
	struct hdr h;
	bool blank = false;

	while (hdr_next(&it, &h, &blank)) {
		size_t rank = 0;
		enum hid id = classify(d, h.name, &rank);
		struct sc_str v = h.value;

		if (first_pass) {
			struct sc_str *keep = NULL;

			d->hdr_end = (size_t)(it.p - d->p);
			d->seen |= HBIT(id);
			if (id == H_CONTENT_LENGTH && v.len > 0 &&
			    !(v.len == 1 && v.p[0] == '0')) {
				d->clen_set = true;
				if (d->nclen < SC_COUNTOF(d->clen_at)) {
					d->clen_at[d->nclen][0] =
					        (size_t)(v.p - d->p);
					d->clen_at[d->nclen][1] = v.len;
				}
				d->nclen++;
			}
			if (id == H_FROM)
				keep = &d->from_raw;
			else if (id == H_TO)
				keep = &d->to_raw;
			else if (id == H_CONTACT)
				keep = &d->contact_raw;
			if (keep && !keep->p)
				*keep = h.folded ? unfold(d, v) : v;
		}
		if (id == H_NONE || !(mask & HBIT(id)))
			continue;
		if (h.folded)
			v = unfold(d, v);
		on_header(d, id, rank, v);
	}
	if (first_pass) {
		if (blank)
			d->body = (size_t)(it.p - d->p);
		else
			d->hdr_end = (size_t)(it.p - d->p);
	}
}

/* Leading CR/LF, the start line and where the headers begin. */
static void
find_start(struct draft *d)
{
	const char *lf;
	size_t i = 0;

	while (i < d->len && (d->p[i] == '\r' || d->p[i] == '\n'))
		i++;
	d->start = i;
	lf = memchr(d->p + i, '\n', d->len - i);
	d->hdrs = lf ? (size_t)(lf - d->p) + 1 : d->len;
	d->hdr_end = d->hdrs;
}

/*
 * The start line without oSIP: "METHOD SP Request-URI SP SIP/x" or
 * "SIP/x SP 3DIGIT [SP Reason-Phrase]" (RFC 3261 7.1, 7.2). A line cut
 * short still counts once its version (request) or code (response) is
 * there. False when it is neither.
 */
static bool
scan_start_line(struct draft *d)
{
	struct sc_str line = view_at(d->p + d->start, d->p + d->hdrs);
	size_t i = 0, j;

	while (line.len > 0 &&
	       (line.p[line.len - 1] == '\n' || line.p[line.len - 1] == '\r'))
		line.len--;
	if (sc_str_has_prefix_nocase(line, "SIP/")) {
		uint64_t code;
		size_t used;
		struct sc_str rest;

		while (i < line.len && line.p[i] != ' ')
			i++;
		rest = view_from(line, i);
		for (i = 0; i < rest.len && rest.p[i] == ' '; i++)
			;
		rest = view_from(rest, i);
		if (!sc_str_lead_u64(rest, 999, &code, &used) || used != 3 ||
		    code < 100 || (used < rest.len && rest.p[used] != ' '))
			return false;
		d->m->is_request = false;
		d->m->status = (int)code;
		set_first(d, F_REASON_PHRASE, sc_str_trim(view_from(rest, used)));
		return true;
	}
	while (i < line.len && sc_ascii_is_token((unsigned char)line.p[i]))
		i++;
	if (i == 0 || i >= line.len || line.p[i] != ' ')
		return false;
	j = i + 1;
	while (j < line.len && line.p[j] != ' ')
		j++;
	if (j == i + 1 || j >= line.len)
		return false;
	if (!sc_str_has_prefix_nocase(sc_str_trim(view_from(line, j)), "SIP/"))
		return false;
	d->m->is_request = true;
	set_first(d, F_METHOD_NAME, sc_str_make(line.p, i));
	uri_parts(d, F_RURI, F_RURI_USER, F_NONE,
	          sc_str_make(line.p + i + 1, j - i - 1));
	return true;
}

/* ---- fields from oSIP ---------------------------------------------------- */

/* The value of parameter @name in an oSIP parameter list, or NULL. */
static const char *
osip_param(const osip_list_t *params, const char *name)
{
	osip_list_iterator_t it;
	osip_generic_param_t *gp = osip_list_get_first(params, &it);

	while (gp) {
		if (gp->gname && sc_str_caseeq_cstr(cview(gp->gname), name))
			return gp->gvalue;
		gp = osip_list_get_next(&it);
	}
	return NULL;
}

/* "host" or "host:port", IPv6 literals in brackets. */
static struct sc_str
hostport(struct draft *d, const char *host, const char *port)
{
	struct sc_str h = cview(host), pt = cview(port);
	bool v6;
	size_t n;
	char *w;

	if (!h.p || h.len == 0)
		return sc_str_make(NULL, 0);
	v6 = find_char(h, ':') && h.p[0] != '[';
	if (!v6 && pt.len == 0)
		return h;
	n = h.len + (v6 ? 2 : 0) + (pt.len ? pt.len + 1 : 0);
	w = sc_arena_alloc(d->tmp, n);
	if (!w) {
		d->nomem = true;
		return sc_str_make(NULL, 0);
	}
	n = 0;
	if (v6)
		w[n++] = '[';
	memcpy(w + n, h.p, h.len);
	n += h.len;
	if (v6)
		w[n++] = ']';
	if (pt.len) {
		w[n++] = ':';
		memcpy(w + n, pt.p, pt.len);
		n += pt.len;
	}
	return sc_str_make(w, n);
}

/*
 * A URI from oSIP into fields @f_uri, @f_user, @f_host (or F_NONE). The
 * URI text is @raw, as written on the wire (osip_uri_to_str() would
 * re-escape it, at the cost of a tenth of the whole parse).
 */
static void
osip_uri_parts(struct draft *d, enum fld f_uri, enum fld f_user,
               enum fld f_host, const osip_uri_t *url, struct sc_str raw)
{
	char *s = NULL;

	if (!url)
		return;
	if (raw.len > 0)
		set_first(d, f_uri, raw);
	/* arena memory (cur_arena is set), released by the reset */
	else if (osip_uri_to_str(url, &s) == 0 && s)
		set_first(d, f_uri, cview(s));
	if (url->username) {
		set_first(d, f_user, cview(url->username));
	} else if (url->scheme && url->string &&
	           sc_str_caseeq_cstr(cview(url->scheme), "tel")) {
		/* RFC 3966: the number is the "user" */
		set_first(d, f_user, cut_at(cview(url->string), ';'));
	}
	if (f_host != F_NONE)
		set_first(d, f_host, hostport(d, url->host, url->port));
}

/* From/To/Contact from oSIP; @raw is the header value as written. */
static void
osip_nameaddr(struct draft *d, enum fld base, const char *display,
              const osip_uri_t *url, const osip_list_t *params,
              struct sc_str raw)
{
	const char *tag = osip_param(params, "tag");

	if (!url && display && strcmp(display, "*") == 0) {
		/* Contact: * (oSIP keeps the star as display name) */
		set_first(d, na(base, NA_URI), cview(display));
		return;
	}
	if (display)
		set_first(d, na(base, NA_DISPLAY), unquote(d, cview(display)));
	osip_uri_parts(d, na(base, NA_URI), na(base, NA_USER),
	               na(base, NA_HOST), url, naddr_split(raw).uri);
	if (tag)
		set_first(d, na(base, NA_TAG), cview(tag));
}

/*
 * Copy what oSIP parsed. False when its start line is not one we accept
 * (a method that is not a token, a status outside 100..999).
 */
static bool
from_osip(struct draft *d, const osip_message_t *sip)
{
	struct sc_msg *m = d->m;
	const osip_via_t *via;
	const osip_contact_t *ct;
	const char *v;

	if (sip->sip_method) {
		struct sc_str meth = cview(sip->sip_method);

		if (meth.len == 0)
			return false;
		for (size_t i = 0; i < meth.len; i++)
			if (!sc_ascii_is_token((unsigned char)meth.p[i]))
				return false;
		struct sc_str line = view_at(d->p + d->start, d->p + d->hdrs);
		const char *sp1 = find_char(line, ' '), *sp2 = NULL;
		struct sc_str ruri = { NULL, 0 };

		/* start_line_ok_for_osip(): both spaces are on this line */
		if (sp1)
			sp2 = find_char(view_at(sp1 + 1, line.p + line.len),
			                ' ');
		if (sp2)
			ruri = view_at(sp1 + 1, sp2);
		m->is_request = true;
		set_first(d, F_METHOD_NAME, meth);
		osip_uri_parts(d, F_RURI, F_RURI_USER, F_NONE, sip->req_uri,
		               ruri);
	} else {
		if (sip->status_code < 100 || sip->status_code > 999)
			return false;
		m->status = sip->status_code;
		set_first(d, F_REASON_PHRASE, sc_str_trim(cview(sip->reason_phrase)));
	}
	if (sip->call_id && sip->call_id->number) {
		struct sc_str id = cview(sip->call_id->number);

		if (sip->call_id->host)
			id = concat3(d, id, "@", cview(sip->call_id->host));
		set_first(d, F_CALL_ID, id);
	}
	if (sip->from)
		osip_nameaddr(d, F_FROM_DISPLAY, sip->from->displayname,
		              sip->from->url, &sip->from->gen_params,
		              d->from_raw);
	if (sip->to)
		osip_nameaddr(d, F_TO_DISPLAY, sip->to->displayname,
		              sip->to->url, &sip->to->gen_params, d->to_raw);
	if (sip->cseq) {
		uint64_t n;

		if (sc_str_to_u64(cview(sip->cseq->number), UINT32_MAX, &n))
			m->cseq = (uint32_t)n;
		set_first(d, F_CSEQ_METHOD, cview(sip->cseq->method));
	}
	m->via_count = (unsigned)osip_list_size(&sip->vias);
	via = osip_list_get(&sip->vias, 0);
	if (via) {
		set_first(d, F_VIA_TRANSPORT, cview(via->protocol));
		set_first(d, F_VIA_SENT_BY, hostport(d, via->host, via->port));
		if ((v = osip_param(&via->via_params, "branch")))
			set_first(d, F_VIA_BRANCH, cview(v));
		if ((v = osip_param(&via->via_params, "received")))
			set_first(d, F_VIA_RECEIVED, cview(v));
	}
	ct = osip_list_get(&sip->contacts, 0);
	if (ct) {
		osip_nameaddr(d, F_CONTACT_DISPLAY, ct->displayname, ct->url,
		              &ct->gen_params, list_first(d->contact_raw));
		if ((v = osip_param(&ct->gen_params, "expires")))
			m->contact_expires =
			        lead_int(unquote(d, cview(v)), UINT32_MAX);
	}
	return true;
}

/*
 * oSIP looks for the spaces of the start line with strchr(), past its
 * end: "SIP/2.0 200\r\nCall-ID: x" gives the reason phrase "x" and the
 * Call-ID header is lost. Give oSIP only start lines that hold both.
 */
static bool
start_line_ok_for_osip(const struct draft *d)
{
	const char *p = d->p + d->start, *end = d->p + d->hdrs;
	unsigned spaces = 0;

	for (; p < end && spaces < 2; p++)
		if (*p == ' ')
			spaces++;
	return spaces == 2;
}

/*
 * What oSIP gets: the start line and the complete header lines (with the
 * blank line when there is one). Its body handling is not ours (see the
 * top); a start line without its LF goes whole, for oSIP to reject.
 */
static size_t
osip_len(const struct draft *d)
{
	return d->body != SIZE_MAX ? d->body : d->hdr_end;
}

/*
 * Run oSIP over the head of the message. Returns the oSIP result; *sip
 * holds the message (also on failure, NULL if none) to free after the
 * copy.
 */
static int
osip_run(struct draft *d, osip_message_t **sip)
{
	const char *in = d->p;
	size_t len = osip_len(d);
	int rc;

	if (d->clen_set) {
		/*
		 * With no body given, a Content-Length > 0 makes oSIP reject
		 * the message: hand it a copy where the value reads 0.
		 */
		char *copy = sc_arena_alloc(d->tmp, len ? len : 1);

		if (!copy)
			return OSIP_NOMEM;
		memcpy(copy, d->p, len);
		if (d->nclen > SC_COUNTOF(d->clen_at))
			return OSIP_SYNTAXERROR; /* absurd: leave it to the scan
			                          */
		for (size_t i = 0; i < d->nclen; i++) {
			size_t off = d->clen_at[i][0], n = d->clen_at[i][1];

			if (off >= len || n > len - off)
				continue; /* in a line oSIP does not get */
			memset(copy + off, ' ', n);
			copy[off] = '0';
		}
		in = copy;
	}
	rc = osip_message_init(sip);
	if (rc != 0) {
		*sip = NULL;
		return rc;
	}
	return osip_message_parse(*sip, in, len);
}

/* ---- the final copy -------------------------------------------------------
 */

struct pool {
	char *p;
	size_t off;
};

static char *
pool_str(struct pool *pl, const char *s, size_t len)
{
	char *d = pl->p + pl->off;

	if (len)
		memcpy(d, s, len);
	d[len] = '\0';
	pl->off += len + 1;
	return d;
}

static size_t
cstr_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static const char *
pool_cstr(struct pool *pl, const char *s)
{
	return s ? pool_str(pl, s, strlen(s)) : NULL;
}

/* Body, SDP and everything derived; then one allocation for it all. */
static enum sc_err
finish(struct draft *d, const struct sc_rawmsg *raw)
{
	struct sc_msg *m = d->m;
	size_t size, nframes, sdp_off = 0;
	struct pool pl;
	enum sc_err err;

	if (!d->s[F_USER_AGENT].p)
		set_first(d, F_USER_AGENT, d->server);

	/* the body is what follows the blank line, up to Content-Length */
	if (d->body != SIZE_MAX) {
		size_t avail = d->len - d->body;

		m->body_len = avail;
		if (m->content_length >= 0 &&
		    (uint64_t)m->content_length < avail)
			m->body_len = (size_t)m->content_length;
		if (m->body_len > 0) {
			err = sc_sdp_from_body(d->s[F_CONTENT_TYPE].p,
			                       d->s[F_CONTENT_TYPE].len,
			                       d->p + d->body, m->body_len,
			                       d->tmp, &d->sdp);
			if (err != SC_OK)
				return err;
		}
	}
	if (d->nomem)
		return SC_ENOMEM;

	/* measure: frames, SDP structs, then strings */
	nframes = raw->frames ? raw->nframes : 0;
	size = nframes * sizeof(uint64_t);
	if (d->sdp) {
		sdp_off = size;
		size += sizeof(struct sc_sdp) +
		        d->sdp->nmedia * sizeof(struct sc_sdp_media);
		size += cstr_size(d->sdp->conn) + cstr_size(d->sdp->origin);
		for (size_t i = 0; i < d->sdp->nmedia; i++) {
			const struct sc_sdp_media *md = &d->sdp->media[i];

			size += cstr_size(md->type) + cstr_size(md->proto) +
			        cstr_size(md->codecs) + cstr_size(md->conn) +
			        cstr_size(md->direction);
		}
	}
	for (size_t f = 0; f < F__COUNT; f++)
		if (d->s[f].p)
			size += d->s[f].len + 1;

	pl.p = malloc(size ? size : 1);
	if (!pl.p)
		return SC_ENOMEM;
	pl.off = 0;
	m->pool_ = pl.p;
	if (nframes) {
		memcpy(pl.p, raw->frames, nframes * sizeof(uint64_t));
		m->frames = (uint64_t *)(void *)pl.p;
		m->nframes = nframes;
		pl.off = nframes * sizeof(uint64_t);
	}
	if (d->sdp) {
		struct sc_sdp *sdp = (struct sc_sdp *)(void *)(pl.p + sdp_off);
		struct sc_sdp_media *media = (struct sc_sdp_media *)(sdp + 1);

		pl.off = sdp_off + sizeof(*sdp) +
		         d->sdp->nmedia * sizeof(*media);
		sdp->conn = pool_cstr(&pl, d->sdp->conn);
		sdp->origin = pool_cstr(&pl, d->sdp->origin);
		sdp->nmedia = d->sdp->nmedia;
		sdp->media = sdp->nmedia ? media : NULL;
		for (size_t i = 0; i < sdp->nmedia; i++) {
			const struct sc_sdp_media *src = &d->sdp->media[i];

			media[i].type = pool_cstr(&pl, src->type);
			media[i].port = src->port;
			media[i].proto = pool_cstr(&pl, src->proto);
			media[i].codecs = pool_cstr(&pl, src->codecs);
			media[i].conn = pool_cstr(&pl, src->conn);
			media[i].direction = pool_cstr(&pl, src->direction);
		}
		m->sdp = sdp;
	}
	for (size_t f = 0; f < F__COUNT; f++) {
		if (d->s[f].p) {
			const char *s = pool_str(&pl, d->s[f].p, d->s[f].len);

			memcpy((char *)m + fld_off[f], &s, sizeof(s));
		}
	}

	/* derived fields and the framing metadata */
	if (m->method_name)
		m->method = sc_method_from_name(m->method_name,
		                                d->s[F_METHOD_NAME].len);
	if (m->cseq_method_name)
		m->cseq_method = sc_method_from_name(m->cseq_method_name,
		                                     d->s[F_CSEQ_METHOD].len);
	if (!m->call_id)
		m->flags |= SC_MSG_NO_CALL_ID;
	m->frame = raw->frame;
	m->ts_ns = raw->ts_ns;
	m->src = raw->src;
	m->dst = raw->dst;
	m->transport = raw->transport;
	m->flags |= raw->flags;
	m->wire_len = raw->len;
	return SC_OK;
}

/* The raw scan of everything oSIP would have given us. */
static bool
scan_fallback(struct draft *d)
{
	if (!scan_start_line(d))
		return false;
	scan_headers(d, H_OSIP_OWNED, false);
	return true;
}

/* oSIP-owned headers present in the bytes that oSIP did not give us. */
static uint64_t
missing_after_osip(const struct draft *d)
{
	uint64_t miss = 0;

	if (!d->s[F_CALL_ID].p)
		miss |= HBIT(H_CALL_ID);
	if (!d->s[F_FROM_URI].p)
		miss |= HBIT(H_FROM);
	if (!d->s[F_TO_URI].p)
		miss |= HBIT(H_TO);
	if (!d->s[F_CSEQ_METHOD].p)
		miss |= HBIT(H_CSEQ);
	if (d->m->via_count == 0)
		miss |= HBIT(H_VIA);
	if (!d->s[F_CONTACT_URI].p)
		miss |= HBIT(H_CONTACT);
	return miss & d->seen;
}

enum sc_err
sc_sipmsg_parse(struct sc_sipparser *p, const struct sc_rawmsg *raw,
                struct sc_msg **out)
{
	struct draft d;
	osip_message_t *sip = NULL;
	enum sc_err err = SC_OK;
	bool ok = false;
	int rc = -1;

	*out = NULL;
	if (!draft_init(&d, raw, &p->scratch, p->link, p->nlink))
		return SC_ENOMEM;
	find_start(&d);
	scan_headers(&d, H_RAW_OWNED, true);

	/*
	 * Not for oSIP: a start line whose spaces it would seek on the next
	 * lines, or a NUL byte (oSIP stops there and returns 0 with every
	 * later header dropped).
	 */
	if (start_line_ok_for_osip(&d) && !memchr(d.p, '\0', osip_len(&d))) {
		cur_arena = &p->scratch;
		rc = osip_run(&d, &sip);
		if (rc == 0)
			ok = from_osip(&d, sip);
	}
	if (rc == OSIP_NOMEM) {
		err = SC_ENOMEM;
		goto out;
	}
	if (ok) {
		uint64_t miss = missing_after_osip(&d);

		if (miss)
			scan_headers(&d, miss, false);
	} else {
		/* start again from the raw bytes alone */
		struct sc_msg *m = d.m;

		d.m->via_count = 0;
		/* F_METHOD_NAME..F_CONTACT_TAG: what oSIP may have filled */
		memset(d.s, 0, sizeof(d.s[0]) * (F_CONTACT_TAG + 1));
		m->is_request = false;
		m->status = 0;
		m->cseq = 0;
		m->contact_expires = -1;
		d.done &= ~H_OSIP_OWNED;
		if (!scan_fallback(&d)) {
			err = SC_EMALFORMED;
			goto out;
		}
		m->flags |= SC_MSG_MALFORMED;
	}
	err = finish(&d, raw);
out:
	if (sip)
		osip_message_free(sip);
	cur_arena = NULL;
	sc_arena_reset(&p->scratch);
	if (err != SC_OK) {
		sc_msg_free(d.m);
		return err;
	}
	*out = d.m;
	return SC_OK;
}

enum sc_err
sc_sipmsg_scan(const struct sc_rawmsg *raw, struct sc_msg **out)
{
	struct sc_arena tmp;
	struct draft d;
	enum sc_err err;

	*out = NULL;
	sc_arena_init(&tmp, 4096);
	if (!draft_init(&d, raw, &tmp, default_link_str,
	                SC_COUNTOF(default_link_str))) {
		sc_arena_fini(&tmp);
		return SC_ENOMEM;
	}
	find_start(&d);
	scan_headers(&d, H_RAW_OWNED, true);
	if (scan_fallback(&d))
		err = finish(&d, raw);
	else
		err = SC_EMALFORMED;
	sc_arena_fini(&tmp);
	if (err != SC_OK) {
		sc_msg_free(d.m);
		return err;
	}
	*out = d.m;
	return SC_OK;
}

void
sc_msg_free(struct sc_msg *m)
{
	if (!m)
		return;
	free(m->pool_);
	free(m);
}
