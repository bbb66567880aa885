/* osip_glue.c - GNU oSIP2, the parser of record: the only file that uses it */
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

#include "msgdraft.h"

/*
 * oSIP parses the start line and the header section only (never the
 * body: it drops a body without Content-Type and rejects a message whose
 * body is shorter than Content-Length). From it we take the start line,
 * Call-ID, From, To, CSeq, Via and Contact; the other headers are the
 * scanner's in every case. osip objects never leave this file: parse,
 * copy the fields out, then osip_message_free(). While oSIP runs, its
 * allocations come from the parser's scratch arena (the hooks below).
 */

/* ---- oSIP allocators: the per-message arena ------------------------------ */

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

/* ---- global set-up ------------------------------------------------------- */

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

/* ---- fields from oSIP ---------------------------------------------------- */

/* A NUL-terminated string from oSIP as a view (NULL stays absent). */
static struct sc_str
cview(const char *s)
{
	return s ? sc_str_from_cstr(s) : sc_str_make(NULL, 0);
}

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
		set_first(d, F_REASON_PHRASE,
		          sc_str_trim(cview(sip->reason_phrase)));
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

enum sc_err
osip_read(struct draft *d, struct sc_arena *scratch)
{
	osip_message_t *sip = NULL;
	bool ok = false;
	int rc;

	/*
	 * Not for oSIP: a start line whose spaces it would seek on the next
	 * lines, or a NUL byte (oSIP stops there and returns 0 with every
	 * later header dropped).
	 */
	if (!start_line_ok_for_osip(d) || memchr(d->p, '\0', osip_len(d)))
		return SC_EMALFORMED;
	cur_arena = scratch;
	rc = osip_run(d, &sip);
	if (rc == 0)
		ok = from_osip(d, sip);
	/* the views into oSIP's blocks stay valid: arena blocks are
	 * released by the arena reset after the final copy, not here */
	if (sip)
		osip_message_free(sip);
	cur_arena = NULL;
	if (rc == OSIP_NOMEM)
		return SC_ENOMEM;
	return ok ? SC_OK : SC_EMALFORMED;
}
