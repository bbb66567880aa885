/* sipmsg.c - one SIP message (RFC 3261) into struct sc_msg */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msgdraft.h"
#include "sipcause/util/load.h"
#include "sipcause/util/slab.h"

/*
 * How a message is read:
 *
 * 1. The hand scanner (scanner.c) passes once over the header section:
 *    where the start line, the headers and the body are, and every header
 *    of the table in headers.c. It also checks whether the message keeps
 *    to the plain grammar, where what it read is exactly what oSIP would
 *    read (Call-ID, From, To, CSeq, Via, Contact, start line).
 * 2. If it does (most messages of most captures), oSIP does not run.
 *    Otherwise, or with full_parse, GNU oSIP2, the parser of record,
 *    parses the start line and the header section (osip_glue.c) and its
 *    fields replace the scanner's for those headers. oSIP accepts
 *    damaged input and models some headers badly, so the other headers
 *    are the scanner's in every case.
 * 3. When oSIP rejects the message (one bad Via/From/To/CSeq/Contact is
 *    enough), or a NUL byte would make it stop early, the scanner's
 *    reading of the start line and those headers is kept; the message
 *    is flagged SC_MSG_MALFORMED.
 * 4. The body comes from the raw bytes; an SDP in it is summarised
 *    (sdp.c), and everything is copied into one allocation.
 */

/* ---- methods ------------------------------------------------------------- */

static const char *const method_names[SC_METHOD__COUNT] = {
#define SC_METHOD_TEXT(name, text) text,
	SC_METHODS(SC_METHOD_TEXT)
#undef SC_METHOD_TEXT
};

static const uint8_t method_lens[SC_METHOD__COUNT] = {
#define SC_METHOD_LEN(name, text) sizeof(text) - 1,
	SC_METHODS(SC_METHOD_LEN)
#undef SC_METHOD_LEN
};

enum sc_method
sc_method_from_name(const char *name, size_t len)
{
	if (!name || len == 0)
		return SC_METHOD_OTHER;
	for (size_t i = 1; i < SC_METHOD__COUNT; i++)
		if (method_lens[i] == len &&
		    memcmp(method_names[i], name, len) == 0)
			return (enum sc_method)i;
	return SC_METHOD_OTHER;
}

const char *
sc_method_name(enum sc_method m)
{
	if ((unsigned)m >= SC_METHOD__COUNT)
		return "";
	return method_names[m];
}

/* ---- the parser ---------------------------------------------------------- */

/* Scratch arena chunk: a 1 KB INVITE needs ~10 KB of oSIP blocks. */
#define SCRATCH_CHUNK (32 * 1024)

struct sc_sipparser {
	struct sc_arena scratch; /* oSIP blocks and our temporaries */
	struct sc_slab *msgs;    /* the messages returned; they outlive us */
	bool full_parse;         /* oSIP for every message */
	uint64_t nscan;          /* messages read by the scanner alone */
	uint64_t nosip;          /* messages given to oSIP */
	struct hindex ix;
	struct value_memo *memo; /* recent From, To, Contact, Via values */
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
	p->msgs = sc_slab_new(SC_SLAB_AUTO);
	p->memo = memo_new();
	if (!p->msgs || !p->memo) {
		sc_slab_release(p->msgs);
		memo_free(p->memo);
		free(p);
		return NULL;
	}
	sc_arena_init(&p->scratch, SCRATCH_CHUNK);
	p->full_parse = opts && opts->full_parse;
	p->nscan = 0;
	p->nosip = 0;
	header_index_init(&p->ix);
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
sc_sipparser_counts(const struct sc_sipparser *p, uint64_t *scanned,
                    uint64_t *osip)
{
	*scanned = p->nscan;
	*osip = p->nosip;
}

void
sc_sipparser_free(struct sc_sipparser *p)
{
	if (!p)
		return;
	sc_arena_fini(&p->scratch);
	sc_slab_release(p->msgs);
	memo_free(p->memo);
	free(p);
}

/* ---- the draft: views of every string field until the final copy --------- */

static const size_t fld_off[F__COUNT] = {
#define FLD_OFF(name, member) offsetof(struct sc_msg, member),
	MSG_STRINGS(FLD_OFF)
#undef FLD_OFF
};

/* Wire strings whose length is kept too (they may hold a NUL byte). */
static const struct {
	enum fld f;
	size_t len_off;
} fld_len[] = {
	{ F_CALL_ID, offsetof(struct sc_msg, call_id_len) },
	{ F_X_CALL_ID, offsetof(struct sc_msg, x_call_id_len) },
	{ F_VIA_BRANCH, offsetof(struct sc_msg, via_branch_len) },
	{ F_FROM_TAG, offsetof(struct sc_msg, from.tag_len) },
	{ F_TO_TAG, offsetof(struct sc_msg, to.tag_len) },
};

static bool
draft_init(struct draft *d, const struct sc_rawmsg *raw, struct sc_arena *tmp,
           const struct hindex *ix, const struct sc_str *link, size_t nlink)
{
	struct sc_msg *m = &d->msg;

	memset(d, 0, offsetof(struct draft, s));
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
	d->ix = ix;
	d->plain = true;
	d->link = link;
	d->nlink = nlink;
	d->link_rank = nlink;
	d->p = raw->data ? (const char *)raw->data : "";
	d->len = raw->data ? raw->len : 0;
	d->body = SIZE_MAX;
	d->whole = !(raw->flags & SC_RAW_TRUNCATED);
	return true;
}

/* ---- the final copy ------------------------------------------------------ */

/* Copy @len bytes and a NUL; short strings without a call (two
 * overlapping moves). */
static inline void
put_str(char *w, const char *s, size_t len)
{
	if (len > 32) {
		memcpy(w, s, len);
	} else if (len >= 16) {
		memcpy(w, s, 16);
		memcpy(w + len - 16, s + len - 16, 16);
	} else if (len >= 8) {
		memcpy(w, s, 8);
		memcpy(w + len - 8, s + len - 8, 8);
	} else if (len >= 4) {
		memcpy(w, s, 4);
		memcpy(w + len - 4, s + len - 4, 4);
	} else if (len > 0) {
		w[0] = s[0];
		w[len / 2] = s[len / 2];
		w[len - 1] = s[len - 1];
	}
	w[len] = '\0';
}

struct pool {
	char *p;
	size_t off;
};

static const char *
pool_str(struct pool *pl, const char *s, size_t len)
{
	char *d = pl->p + pl->off;

	put_str(d, s, len);
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

/* The body is what follows the blank line, up to Content-Length. */
static enum sc_err
read_body(struct draft *d)
{
	struct sc_msg *m = d->m;
	size_t avail;

	if (d->body == SIZE_MAX)
		return SC_OK;
	avail = d->len - d->body;
	m->body_len = avail;
	if (m->content_length >= 0 && (uint64_t)m->content_length < avail)
		m->body_len = (size_t)m->content_length;
	if (m->body_len == 0)
		return SC_OK;
	return sc_sdp_from_body(field(d, F_CONTENT_TYPE).p,
	                        field(d, F_CONTENT_TYPE).len, d->p + d->body,
	                        m->body_len, d->tmp, &d->sdp);
}

/* Bytes of the SDP summary, its structs and its strings. */
static size_t
sdp_size(const struct sc_sdp *sdp)
{
	size_t size = sizeof(struct sc_sdp) +
	              sdp->nmedia * sizeof(struct sc_sdp_media);

	size += cstr_size(sdp->conn) + cstr_size(sdp->origin);
	for (size_t i = 0; i < sdp->nmedia; i++) {
		const struct sc_sdp_media *md = &sdp->media[i];

		size += cstr_size(md->type) + cstr_size(md->proto) +
		        cstr_size(md->codecs) + cstr_size(md->conn) +
		        cstr_size(md->direction);
	}
	return size;
}

/* The SDP summary copied to the pool, at its current offset. */
static struct sc_sdp *
sdp_copy(struct pool *pl, const struct sc_sdp *from)
{
	struct sc_sdp *sdp = (struct sc_sdp *)(void *)(pl->p + pl->off);
	struct sc_sdp_media *media = (struct sc_sdp_media *)(sdp + 1);

	pl->off += sizeof(*sdp) + from->nmedia * sizeof(*media);
	sdp->conn = pool_cstr(pl, from->conn);
	sdp->origin = pool_cstr(pl, from->origin);
	sdp->nmedia = from->nmedia;
	sdp->media = sdp->nmedia ? media : NULL;
	for (size_t i = 0; i < sdp->nmedia; i++) {
		const struct sc_sdp_media *src = &from->media[i];

		media[i].type = pool_cstr(pl, src->type);
		media[i].port = src->port;
		media[i].proto = pool_cstr(pl, src->proto);
		media[i].codecs = pool_cstr(pl, src->codecs);
		media[i].conn = pool_cstr(pl, src->conn);
		media[i].direction = pool_cstr(pl, src->direction);
	}
	return sdp;
}

/* plan_strings() keeps field numbers (and F_NONE) in a byte */
_Static_assert(F__COUNT < 256, "field numbers fit in unsigned char");
/* struct draft's set has a bit per field */
_Static_assert(F__COUNT <= 64, "a bit per field in a uint64_t");

/*
 * For each string field, its offset among the strings of the final
 * block; returns the bytes of those strings and in *@owned the fields
 * that have a copy of their own. A field whose bytes end an earlier such
 * field's shares that copy (a Via sent-by ends its URI, the CSeq method
 * is the request's, a response repeats From and To...). Strings are
 * read-only and NUL-terminated, so sharing is invisible to readers.
 *
 * This runs on every message: the candidates are only the fields with
 * a copy of their own and the same last byte (bytes above 127 share a
 * bucket with their lower half), compared inline rather than by
 * memcmp(). Which owner a field shares does not change which fields own
 * a copy: that is whether any earlier owner ends with the field.
 */
#define SHARE_BUCKETS 128

static size_t
plan_strings(const struct draft *d, size_t off[F__COUNT], uint64_t *owned)
{
	unsigned char head[SHARE_BUCKETS], next[F__COUNT];
	uint64_t own = 0;
	size_t size = 0;

	memset(head, F_NONE, sizeof(head));
	for (uint64_t set = d->set; set; set &= set - 1) {
		unsigned f = (unsigned)__builtin_ctzll(set);
		const char *p = d->s[f].p;
		size_t len = d->s[f].len;
		unsigned o, bucket;

		if (len == 0) {
			/* "" ends every string: the first one's NUL */
			if (own) {
				o = (unsigned)__builtin_ctzll(own);
				off[f] = off[o] + d->s[o].len;
			} else {
				own |= UINT64_C(1) << f;
				off[f] = size;
				size += 1;
			}
			continue; /* ends no other string */
		}
		bucket = (unsigned char)p[len - 1] % SHARE_BUCKETS;
		for (o = head[bucket]; o != F_NONE; o = next[o]) {
			size_t olen = d->s[o].len;

			if (olen >= len &&
			    same_bytes(d->s[o].p + olen - len, p, len)) {
				off[f] = off[o] + olen - len;
				break;
			}
		}
		if (o != F_NONE)
			continue;
		own |= UINT64_C(1) << f;
		off[f] = size;
		size += len + 1;
		next[f] = head[bucket];
		head[bucket] = (unsigned char)f;
	}
	*owned = own;
	return size;
}

/*
 * The message, its frames, SDP and strings in one block from @slab
 * (NULL: malloc): the struct, then the pool. Strings point into the new
 * block; the struct itself is copied there by finish().
 */
static struct sc_msg *
copy_out(struct draft *d, const struct sc_rawmsg *raw, struct sc_slab *slab)
{
	struct sc_msg *m = d->m;
	size_t nframes = raw->frames ? raw->nframes : 0;
	size_t size = sizeof(struct sc_msg) + nframes * sizeof(uint64_t);
	size_t off[F__COUNT];
	uint64_t owned;
	struct sc_msg *out;
	struct pool pl;
	char *strs;

	/* frames first: the SDP structs after them stay aligned */
	if (d->sdp)
		size += sdp_size(d->sdp);
	size += plan_strings(d, off, &owned);
	out = sc_slab_alloc(slab, size);
	if (!out)
		return NULL;
	pl.p = (char *)(out + 1);
	pl.off = 0;
	if (nframes) {
		memcpy(pl.p, raw->frames, nframes * sizeof(uint64_t));
		m->frames = (uint64_t *)(void *)pl.p;
		m->nframes = nframes;
		pl.off = nframes * sizeof(uint64_t);
	}
	if (d->sdp)
		m->sdp = sdp_copy(&pl, d->sdp);
	strs = pl.p + pl.off;
	for (uint64_t set = d->set; set; set &= set - 1) {
		unsigned f = (unsigned)__builtin_ctzll(set);
		char *s = strs + off[f];

		if (owned & (UINT64_C(1) << f))
			put_str(s, d->s[f].p, d->s[f].len);
		memcpy((char *)m + fld_off[f], &s, sizeof(s));
	}
	for (size_t i = 0; i < SC_COUNTOF(fld_len); i++) {
		size_t len = field(d, fld_len[i].f).len;

		memcpy((char *)m + fld_len[i].len_off, &len, sizeof(len));
	}
	return out;
}

/* Body, SDP and everything derived; then one block for it all. */
static enum sc_err
finish(struct draft *d, const struct sc_rawmsg *raw, struct sc_slab *slab)
{
	struct sc_msg *m = d->m;
	enum sc_err err;

	if (!has(d, F_USER_AGENT))
		set_first(d, F_USER_AGENT, d->server);
	err = read_body(d);
	if (err != SC_OK)
		return err;
	if (d->nomem)
		return SC_ENOMEM;
	d->out = copy_out(d, raw, slab);
	if (!d->out)
		return SC_ENOMEM;

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
	m->file_off = raw->file_off;
	m->input = raw->input;
	memcpy(d->out, m, sizeof(*m));
	return SC_OK;
}

/* The raw scan of everything oSIP would have given us. */
static bool
scan_fallback(struct draft *d)
{
	if (!scan_start_line(d))
		return false;
	scan_headers(d, H_OSIP_OWNED, false, false);
	return true;
}

/* oSIP-owned headers present in the bytes that oSIP did not give us. */
static uint64_t
missing_after_osip(const struct draft *d)
{
	uint64_t miss = 0;

	if (!has(d, F_CALL_ID))
		miss |= HBIT(H_CALL_ID);
	if (!has(d, F_FROM_URI))
		miss |= HBIT(H_FROM);
	if (!has(d, F_TO_URI))
		miss |= HBIT(H_TO);
	if (!has(d, F_CSEQ_METHOD))
		miss |= HBIT(H_CSEQ);
	if (d->m->via_count == 0)
		miss |= HBIT(H_VIA);
	if (!has(d, F_CONTACT_URI))
		miss |= HBIT(H_CONTACT);
	return miss & d->seen;
}

/* Forget what was read of the start line and the oSIP-owned headers. */
static void
forget_osip_owned(struct draft *d)
{
	struct sc_msg *m = d->m;

	d->set &= ~((UINT64_C(1) << (F_OSIP_LAST + 1)) - 1);
	d->joined &= ~((UINT64_C(1) << (F_OSIP_LAST + 1)) - 1);
	m->via_count = 0;
	m->is_request = false;
	m->status = 0;
	m->cseq = 0;
	m->contact_expires = -1;
	d->done &= ~H_OSIP_OWNED;
}

/*
 * The start line and the oSIP-owned headers, from oSIP, or from the scan
 * when oSIP rejects the message (flagged malformed).
 */
static enum sc_err
read_with_osip(struct draft *d, struct sc_arena *scratch)
{
	enum sc_err err = osip_read(d, scratch);

	if (err == SC_OK) {
		uint64_t miss = missing_after_osip(d);

		if (miss)
			scan_headers(d, miss, false, false);
		return SC_OK;
	}
	if (err != SC_EMALFORMED)
		return err;
	/* start again from the raw bytes alone */
	forget_osip_owned(d);
	if (!scan_fallback(d))
		return SC_EMALFORMED;
	d->m->flags |= SC_MSG_MALFORMED;
	return SC_OK;
}

enum sc_err
sc_sipmsg_parse(struct sc_sipparser *p, const struct sc_rawmsg *raw,
                struct sc_msg **out)
{
	struct draft d;
	enum sc_err err;
	bool fast = !p->full_parse;

	*out = NULL;
	if (!draft_init(&d, raw, &p->scratch, &p->ix, p->link, p->nlink))
		return SC_ENOMEM;
	d.memo = p->memo;
	find_start(&d);
	/* the fast path reads every header in this one pass */
	scan_headers(&d, fast ? H_ALL : H_RAW_OWNED, true, fast);
	if (fast && scan_plain(&d)) {
		err = SC_OK;
		p->nscan++;
	} else {
		if (fast)
			forget_osip_owned(&d);
		err = read_with_osip(&d, &p->scratch);
		p->nosip++;
	}
	if (err == SC_OK)
		err = finish(&d, raw, p->msgs);
	sc_arena_reset(&p->scratch);
	if (err != SC_OK) {
		sc_msg_free(d.out);
		return err;
	}
	*out = d.out;
	return SC_OK;
}

enum sc_err
sc_sipmsg_scan(const struct sc_rawmsg *raw, struct sc_msg **out)
{
	struct hindex ix;
	struct sc_arena tmp;
	struct draft d;
	enum sc_err err;

	*out = NULL;
	header_index_init(&ix);
	sc_arena_init(&tmp, 4096);
	if (!draft_init(&d, raw, &tmp, &ix, default_link_str,
	                SC_COUNTOF(default_link_str))) {
		sc_arena_fini(&tmp);
		return SC_ENOMEM;
	}
	find_start(&d);
	scan_headers(&d, H_RAW_OWNED, true, false);
	if (scan_fallback(&d))
		err = finish(&d, raw, NULL);
	else
		err = SC_EMALFORMED;
	sc_arena_fini(&tmp);
	if (err != SC_OK) {
		sc_msg_free(d.out);
		return err;
	}
	*out = d.out;
	return SC_OK;
}

void
sc_msg_free(struct sc_msg *m)
{
	sc_slab_free(m);
}
