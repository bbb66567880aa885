/* sdp.c - summary of an SDP body (RFC 4566, RFC 3551) for struct sc_msg */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "sipcause/util/arena.h"
#include "sipcause/sip/sipmsg.h"
#include "sipcause/util/str.h"

/*
 * A line scanner rather than oSIP's sdp_message_parse(): oSIP rejects a
 * whole body for a missing t= line or a last line without its newline,
 * and reads one byte past the end when the body ends in an m= line with
 * a bare LF. Here every read is bounded by the body length.
 *
 * One pass: each line is split once, each token found once (16 bytes
 * tested at a time), and an m= section is summarised when the next m=
 * line or the end of the body closes it.
 */

/* rtpmap entries remembered per m= section; m= formats looked at. */
#define SDP_MAX_RTPMAP 64
#define SDP_MAX_FMT 64

/* RFC 3551 tables 4 and 5: static payload types (NULL: unassigned). */
static const char *const static_pt[] = {
	[0] = "PCMU/8000",   [3] = "GSM/8000",    [4] = "G723/8000",
	[5] = "DVI4/8000",   [6] = "DVI4/16000",  [7] = "LPC/8000",
	[8] = "PCMA/8000",   [9] = "G722/8000",   [10] = "L16/44100",
	[11] = "L16/44100",  [12] = "QCELP/8000", [13] = "CN/8000",
	[14] = "MPA/90000",  [15] = "G728/8000",  [16] = "DVI4/11025",
	[17] = "DVI4/22050", [18] = "G729/8000",  [25] = "CelB/90000",
	[26] = "JPEG/90000", [28] = "nv/90000",   [31] = "H261/90000",
	[32] = "MPV/90000",  [33] = "MP2T/90000", [34] = "H263/90000",
};

struct rtpmap {
	struct sc_str pt;
	struct sc_str enc; /* "NAME/RATE", channels cut off */
};

/*
 * The body being summarised: any byte of [lo, lim) may be read, so a
 * token near the end of a line is still tested 16 bytes at a time
 * (those past the line are ignored); the body's last 16 bytes are
 * loaded from lim - 16.
 */
struct body {
	const char *lo, *lim;
};

/* The m= section being read: its m= line, then its c= and a= lines. */
struct msect {
	struct sc_str type, port, proto;
	const char *fmts, *fmts_end; /* formats: the rest of the m= line */
	struct sc_str conn, dir;
	size_t nmaps;
	struct rtpmap maps[SDP_MAX_RTPMAP];
};

/* Next line of @rest (without CR/LF); false at the end. */
static bool
next_line(struct sc_str *rest, struct sc_str *line)
{
	const char *lf;
	size_t n;

	if (rest->len == 0)
		return false;
	lf = memchr(rest->p, '\n', rest->len);
	n = lf ? (size_t)(lf - rest->p) : rest->len;
	*line = sc_str_make(rest->p, n);
	rest->p += lf ? n + 1 : n;
	rest->len -= lf ? n + 1 : n;
	if (line->len > 0 && line->p[line->len - 1] == '\r')
		line->len--;
	return true;
}

#ifdef __SSE2__
/* Bit i set when byte i of the 16 at @p is SP or HT. */
static inline unsigned
blanks16(const char *p)
{
	const __m128i b = _mm_loadu_si128((const __m128i *)(const void *)p);

	return (unsigned)_mm_movemask_epi8(
	        _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8(' ')),
	                     _mm_cmpeq_epi8(b, _mm_set1_epi8('\t'))));
}

/* SP/HT bits of the bytes from @p (lo <= p < lim) on: 16 of them, or
 * those up to the end of the body (*@n says how many). */
static inline unsigned
blanks_at(const struct body *b, const char *p, size_t *n)
{
	size_t left = (size_t)(b->lim - p);

	if (left >= 16) {
		*n = 16;
		return blanks16(p);
	}
	*n = left;
	return blanks16(b->lim - 16) >> (16 - left);
}
#endif

#ifdef __SSE2__
/* The first SP or HT at or after @q, or a position >= @end when there
 * is none before @end (q < b->lim). */
static inline const char *
first_blank(const struct body *b, const char *q, const char *end)
{
	size_t n;

	for (; q < end; q += n) {
		unsigned m = blanks_at(b, q, &n);

		if (m)
			return q + __builtin_ctz(m);
	}
	return q;
}
#endif

/*
 * Next token of [*@pp, @end) separated by spaces or tabs; false when
 * none is left. @end <= b->lim. One load usually finds both the start
 * and the end of a token.
 */
static inline bool
next_token(const struct body *b, const char **pp, const char *end,
           struct sc_str *tok)
{
	const char *p = *pp, *start, *q;

#ifdef __SSE2__
	if (b->lim - b->lo >= 16) {
		unsigned m, word;
		size_t n;

		for (;;) {
			if (p >= end)
				return false;
			m = blanks_at(b, p, &n);
			word = ~m & ((1u << n) - 1);
			if (word)
				break;
			p += n;
		}
		start = p + __builtin_ctz(word);
		if (start >= end)
			return false;
		m >>= __builtin_ctz(word);
		q = m ? start + __builtin_ctz(m) : first_blank(b, p + n, end);
		if (q > end)
			q = end;
		*tok = sc_str_make(start, (size_t)(q - start));
		*pp = q;
		return true;
	}
#else
	(void)b;
#endif
	while (p < end && sc_ascii_is_blank(*p))
		p++;
	start = p;
	while (p < end && !sc_ascii_is_blank(*p))
		p++;
	if (p == start)
		return false;
	*tok = sc_str_make(start, (size_t)(p - start));
	*pp = p;
	return true;
}

/*
 * The @n-th (0-based) space-separated token of [@p, @end), or an empty
 * view. The token starts of 16 bytes are counted at once: the origin is
 * the sixth token of its line.
 */
static struct sc_str
nth_token(const struct body *b, const char *p, const char *end, unsigned n)
{
	struct sc_str tok = { NULL, 0 };

#ifdef __SSE2__
	if (b->lim - b->lo >= 16) {
		unsigned in_word = 0; /* the byte before p is in a token */

		while (p < end) {
			size_t n_read, n_line = (size_t)(end - p);
			unsigned m = blanks_at(b, p, &n_read), word, starts;

			if (n_line > n_read)
				n_line = n_read;
			word = ~m & ((1u << n_line) - 1);
			starts = word & ~((word << 1) | in_word);
			for (; starts && n > 0; n--)
				starts &= starts - 1;
			if (starts) {
				unsigned s = (unsigned)__builtin_ctz(starts);
				const char *start = p + s, *q;

				m >>= s;
				q = m ? start + __builtin_ctz(m)
				      : first_blank(b, p + n_read, end);
				if (q > end)
					q = end;
				return sc_str_make(start, (size_t)(q - start));
			}
			in_word = (word >> (n_line - 1)) & 1;
			p += n_line;
		}
		return sc_str_make(NULL, 0);
	}
#endif
	for (unsigned i = 0; i <= n; i++)
		if (!next_token(b, &p, end, &tok))
			return sc_str_make(NULL, 0);
	return tok;
}

/* Cut @s at the first @c. */
static struct sc_str
cut_at(struct sc_str s, char c)
{
	const char *q = s.len ? memchr(s.p, c, s.len) : NULL;

	if (q)
		s.len = (size_t)(q - s.p);
	return s;
}

/* Address of a c= line value: its third token up to a '/'. */
static inline struct sc_str
conn_address(const struct body *b, const char *p, const char *end)
{
	return cut_at(nth_token(b, p, end, 2), '/');
}

/* Copy a view into the arena; NULL for an absent view or on ENOMEM. */
static const char *
dup_view(struct sc_arena *a, struct sc_str s, bool *nomem)
{
	char *d;

	if (!s.p || s.len == 0)
		return NULL;
	d = sc_arena_strndup(a, s.p, s.len);
	if (!d)
		*nomem = true;
	return d;
}

/* "sendrecv"... when @v is a direction attribute, else an empty view. */
static struct sc_str
direction_of(struct sc_str v)
{
	static const char *const dirs[] = { "sendrecv", "sendonly", "recvonly",
		                            "inactive" };

	if (v.len != 8)
		return sc_str_make(NULL, 0);
	for (size_t i = 0; i < SC_COUNTOF(dirs); i++)
		if (sc_str_caseeq_cstr(v, dirs[i]))
			return v;
	return sc_str_make(NULL, 0);
}

/* "RTP/" anywhere in @proto, in any case. */
static bool
is_rtp_proto(struct sc_str proto)
{
	for (size_t i = 0; i + 4 <= proto.len; i++)
		if (sc_ascii_lower(proto.p[i]) == 'r' &&
		    sc_ascii_lower(proto.p[i + 1]) == 't' &&
		    sc_ascii_lower(proto.p[i + 2]) == 'p' &&
		    proto.p[i + 3] == '/')
			return true;
	return false;
}

/* Encoding for format @fmt: rtpmap, static table, or @fmt itself. */
static struct sc_str
codec_of(struct sc_str fmt, const struct rtpmap *maps, size_t nmaps, bool rtp)
{
	uint64_t pt;

	for (size_t i = 0; i < nmaps; i++)
		if (maps[i].pt.len == fmt.len &&
		    memcmp(maps[i].pt.p, fmt.p, fmt.len) == 0)
			return maps[i].enc;
	if (rtp && sc_str_to_u64(fmt, 127, &pt) && pt < SC_COUNTOF(static_pt) &&
	    static_pt[pt])
		return sc_str_from_cstr(static_pt[pt]);
	return fmt;
}

/* True when @v starts with "rtpmap:" in any case. */
static inline bool
is_rtpmap(struct sc_str v)
{
	static const char name[] = "rtpmap:";

	if (v.len <= 7)
		return false;
	for (size_t i = 0; i < 7; i++)
		if (sc_ascii_lower(v.p[i]) != name[i])
			return false;
	return true;
}

/* One a=rtpmap:PT NAME/RATE[/CHANNELS] value into @m (NAME/RATE kept). */
static bool
parse_rtpmap(const struct body *b, struct sc_str v, struct rtpmap *m)
{
	const char *p = v.p + 7, *end = v.p + v.len;
	struct sc_str pt, enc;
	bool slash = false;

	if (!next_token(b, &p, end, &pt) || !next_token(b, &p, end, &enc))
		return false;
	for (size_t i = 0; i < enc.len; i++)
		if (enc.p[i] == '/') {
			if (slash) {
				enc.len = i;
				break;
			}
			slash = true;
		}
	m->pt = pt;
	m->enc = enc;
	return true;
}

/* The codecs of the formats [@p, @end), space-separated, in @a; NULL
 * when none or out of memory (*@nomem). */
static char *
codec_list(struct sc_arena *a, const struct body *b, const char *p,
           const char *end, const struct msect *ms, bool rtp, bool *nomem)
{
	struct sc_str codec[SDP_MAX_FMT], tok;
	size_t need = 0, nfmt = 0;
	char *codecs, *w;

	while (nfmt < SDP_MAX_FMT && next_token(b, &p, end, &tok)) {
		codec[nfmt] = codec_of(tok, ms->maps, ms->nmaps, rtp);
		need += codec[nfmt].len + 1;
		nfmt++;
	}
	if (nfmt == 0)
		return NULL;
	codecs = sc_arena_alloc(a, need);
	if (!codecs) {
		*nomem = true;
		return NULL;
	}
	w = codecs;
	for (size_t i = 0; i < nfmt; i++) {
		if (i > 0)
			*w++ = ' ';
		memcpy(w, codec[i].p, codec[i].len);
		w += codec[i].len;
	}
	*w = '\0';
	return codecs;
}

/* Start section @ms with the value [@p, @end) of its m= line. */
static void
media_open(const struct body *b, const char *p, const char *end,
           struct msect *ms)
{
	if (!next_token(b, &p, end, &ms->type))
		ms->type = sc_str_make(NULL, 0);
	if (!next_token(b, &p, end, &ms->port))
		ms->port = sc_str_make(NULL, 0);
	if (!next_token(b, &p, end, &ms->proto))
		ms->proto = sc_str_make(NULL, 0);
	ms->fmts = p;
	ms->fmts_end = end;
	ms->conn = sc_str_make(NULL, 0);
	ms->dir = sc_str_make(NULL, 0);
	ms->nmaps = 0;
}

/* One a= line value @v (trimmed) of section @ms. */
static void
media_attr(const struct body *b, struct sc_str v, struct msect *ms)
{
	if (v.len > 7 && (v.p[0] == 'r' || v.p[0] == 'R') && is_rtpmap(v)) {
		if (ms->nmaps < SDP_MAX_RTPMAP &&
		    parse_rtpmap(b, v, &ms->maps[ms->nmaps]))
			ms->nmaps++;
	} else if (!ms->dir.p) {
		ms->dir = direction_of(v);
	}
}

/* Fill @md from the section @ms, now complete. */
static void
media_close(struct sc_arena *a, const struct body *b, const struct msect *ms,
            struct sc_str session_dir, struct sc_sdp_media *md, bool *nomem)
{
	struct sc_str dir = ms->dir.p ? ms->dir : session_dir;
	uint64_t portv;
	bool rtp;

	memset(md, 0, sizeof(*md));
	md->type = dup_view(a, ms->type, nomem);
	md->proto = dup_view(a, ms->proto, nomem);
	/* port[/number of ports] */
	if (ms->port.p && sc_str_to_u64(cut_at(ms->port, '/'), 65535, &portv))
		md->port = (uint16_t)portv;
	rtp = ms->proto.p && is_rtp_proto(ms->proto);
	md->conn = dup_view(a, ms->conn, nomem);
	md->direction = dup_view(a, dir, nomem);
	md->codecs = codec_list(a, b, ms->fmts, ms->fmts_end, ms, rtp, nomem);
}

/* Line types that make a body SDP: v= o= s= c= m=. */
#define SDP_SEEN_TYPES                                                     \
	((1u << ('v' - 'a')) | (1u << ('o' - 'a')) | (1u << ('s' - 'a')) | \
	 (1u << ('c' - 'a')) | (1u << ('m' - 'a')))

enum sc_err
sc_sdp_parse(const char *body, size_t len, struct sc_arena *a,
             struct sc_sdp **out)
{
	struct sc_sdp_media media[SC_SDP_MAX_MEDIA];
	struct msect ms;
	struct body b;
	struct sc_str conn = { NULL, 0 }, origin = { NULL, 0 };
	struct sc_str session_dir = { NULL, 0 };
	const char *p, *end;
	size_t nsect = 0;
	bool in_media = false, ignoring = false, seen = false, nomem = false;
	struct sc_sdp *sdp;

	*out = NULL;
	if (!body || len == 0) {
		body = "";
		len = 0;
	}
	p = body;
	end = body + len;
	b.lo = body;
	b.lim = end;
	while (p < end) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		const char *line = p, *le = lf ? lf : end, *v;
		char t;

		p = lf ? lf + 1 : end;
		if (le > line && le[-1] == '\r')
			le--;
		if (le - line < 2 || line[1] != '=' || line[0] < 'a' ||
		    line[0] > 'z')
			continue;
		t = line[0];
		v = line + 2;
		if (SDP_SEEN_TYPES & (1u << (t - 'a')))
			seen = true;
		if (t == 'm') {
			if (in_media && !ignoring)
				media_close(a, &b, &ms, session_dir,
				            &media[nsect - 1], &nomem);
			in_media = true;
			ignoring = nsect == SC_SDP_MAX_MEDIA;
			if (ignoring)
				continue;
			media_open(&b, v, le, &ms);
			nsect++;
			continue;
		}
		if (ignoring)
			continue;
		if (t == 'c') {
			struct sc_str *c = in_media ? &ms.conn : &conn;

			if (!c->p)
				*c = conn_address(&b, v, le);
		} else if (t == 'a') {
			struct sc_str val = sc_str_trim_span(v, le);

			if (in_media)
				media_attr(&b, val, &ms);
			else if (!session_dir.p)
				session_dir = direction_of(val);
		} else if (t == 'o' && !in_media && !origin.p) {
			origin = nth_token(&b, v, le, 5);
		}
	}
	if (in_media && !ignoring)
		media_close(a, &b, &ms, session_dir, &media[nsect - 1], &nomem);
	if (!seen)
		return SC_EMALFORMED;

	sdp = sc_arena_alloc(a, sizeof(*sdp) +
	                                nsect * sizeof(struct sc_sdp_media));
	if (!sdp)
		return SC_ENOMEM;
	memset(sdp, 0, sizeof(*sdp));
	sdp->conn = dup_view(a, conn, &nomem);
	sdp->origin = dup_view(a, origin, &nomem);
	sdp->nmedia = nsect;
	sdp->media = nsect ? (struct sc_sdp_media *)(sdp + 1) : NULL;
	if (nsect)
		memcpy(sdp->media, media, nsect * sizeof(media[0]));
	if (nomem)
		return SC_ENOMEM;
	*out = sdp;
	return SC_OK;
}

/* Value of parameter @name in "type/subtype;a=b;c="d"", unquoted. */
static bool
ctype_param(struct sc_str ct, const char *name, struct sc_str *val)
{
	const char *semi = memchr(ct.p, ';', ct.len);
	struct sc_str rest;

	if (!semi)
		return false;
	rest = sc_str_make(semi + 1, ct.len - (size_t)(semi + 1 - ct.p));
	while (rest.len > 0) {
		size_t i = 0;
		bool q = false;
		struct sc_str item, n, v;
		const char *eq;

		while (i < rest.len && (q || rest.p[i] != ';')) {
			if (rest.p[i] == '"')
				q = !q;
			i++;
		}
		item = sc_str_make(rest.p, i);
		rest.p += i < rest.len ? i + 1 : i;
		rest.len -= i < rest.len ? i + 1 : i;
		eq = memchr(item.p, '=', item.len);
		if (!eq)
			continue;
		n = sc_str_trim(sc_str_make(item.p, (size_t)(eq - item.p)));
		v = sc_str_trim(sc_str_make(
		        eq + 1, item.len - (size_t)(eq + 1 - item.p)));
		if (!sc_str_caseeq_cstr(n, name))
			continue;
		if (v.len >= 2 && v.p[0] == '"' && v.p[v.len - 1] == '"') {
			v.p++;
			v.len -= 2;
		}
		*val = v;
		return true;
	}
	return false;
}

/* The media type of a Content-Type value: "type/subtype", trimmed. */
static struct sc_str
media_type(struct sc_str ct)
{
	return sc_str_trim(cut_at(sc_str_trim(ct), ';'));
}

/*
 * RFC 2046 section 5.1: find the first part of type application/sdp in a
 * multipart body. Delimiters are "--boundary" at the start of a line; the
 * CRLF before a delimiter belongs to it.
 */
static bool
multipart_sdp(struct sc_str body, struct sc_str boundary, struct sc_str *part)
{
	struct sc_str rest = body, line;
	const char *part_start = NULL;
	bool in_headers = false, is_sdp = false;

	if (boundary.len == 0 || boundary.len > 200)
		return false;
	while (rest.len > 0) {
		const char *line_start = rest.p;
		bool delim;

		next_line(&rest, &line);
		delim = line.len >= boundary.len + 2 && line.p[0] == '-' &&
		        line.p[1] == '-' &&
		        memcmp(line.p + 2, boundary.p, boundary.len) == 0;
		if (delim) {
			if (part_start && is_sdp) {
				const char *end = line_start;

				/* the line break before the delimiter */
				if (end > part_start && end[-1] == '\n')
					end--;
				if (end > part_start && end[-1] == '\r')
					end--;
				*part = sc_str_make(part_start,
				                    (size_t)(end - part_start));
				return true;
			}
			/* "--boundary--" closes the body */
			if (line.len >= boundary.len + 4 &&
			    line.p[boundary.len + 2] == '-' &&
			    line.p[boundary.len + 3] == '-')
				return false;
			in_headers = true;
			is_sdp = false;
			part_start = NULL;
			continue;
		}
		if (in_headers) {
			if (line.len == 0) {
				in_headers = false;
				part_start = rest.p;
			} else if (sc_str_has_prefix_nocase(line,
			                                    "content-type:")) {
				struct sc_str v =
				        sc_str_make(line.p + 13, line.len - 13);

				is_sdp = sc_str_caseeq_cstr(media_type(v),
				                            "application/sdp");
			}
		}
	}
	/* no closing delimiter: the part runs to the end of the body */
	if (part_start && is_sdp) {
		*part = sc_str_make(part_start,
		                    (size_t)(body.p + body.len - part_start));
		return true;
	}
	return false;
}

enum sc_err
sc_sdp_from_body(const char *ctype, size_t ctype_len, const char *body,
                 size_t len, struct sc_arena *a, struct sc_sdp **out)
{
	struct sc_str ct = sc_str_make(ctype, ctype ? ctype_len : 0);
	struct sc_str b = sc_str_make(body, body ? len : 0), mt, part, bnd;
	enum sc_err err;

	*out = NULL;
	mt = media_type(ct);
	if (mt.len == 0) {
		/* no Content-Type: oSIP drops such a body; we sniff it */
		if (!sc_str_has_prefix_nocase(b, "v=0"))
			return SC_OK;
		part = b;
	} else if (sc_str_caseeq_cstr(mt, "application/sdp")) {
		part = b;
	} else if (sc_str_has_prefix_nocase(mt, "multipart/")) {
		if (!ctype_param(ct, "boundary", &bnd) ||
		    !multipart_sdp(b, bnd, &part))
			return SC_OK;
	} else {
		return SC_OK;
	}
	err = sc_sdp_parse(part.p, part.len, a, out);
	return err == SC_EMALFORMED ? SC_OK : err;
}
