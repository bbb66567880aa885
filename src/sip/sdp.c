/* sdp.c - summary of an SDP body (RFC 4566, RFC 3551) for struct sc_msg */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sipcause/util/arena.h"
#include "sipcause/sip/sipmsg.h"
#include "sipcause/util/str.h"

/*
 * A line scanner rather than oSIP's sdp_message_parse(): oSIP rejects a
 * whole body for a missing t= line or a last line without its newline,
 * and reads one byte past the end when the body ends in an m= line with
 * a bare LF. Here every read is bounded by the body length.
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

/* One m= section: the m= line and the lines up to the next m=. */
struct msect {
	struct sc_str mline; /* value of the m= line */
	const char *p;       /* lines after the m= line */
	size_t len;
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

/* Next token separated by spaces or tabs; false when none is left. */
static bool
next_token(struct sc_str *rest, struct sc_str *tok)
{
	size_t i = 0, j;

	while (i < rest->len && sc_ascii_is_blank(rest->p[i]))
		i++;
	j = i;
	while (j < rest->len && !sc_ascii_is_blank(rest->p[j]))
		j++;
	if (j == i)
		return false;
	*tok = sc_str_make(rest->p + i, j - i);
	rest->p += j;
	rest->len -= j;
	return true;
}

/* The @n-th (0-based) space-separated token of @s, or an empty view. */
static struct sc_str
nth_token(struct sc_str s, unsigned n)
{
	struct sc_str tok = { NULL, 0 };

	for (unsigned i = 0; i <= n; i++)
		if (!next_token(&s, &tok))
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

static bool
is_rtp_proto(struct sc_str proto)
{
	return sc_str_find(proto, SC_STR_LIT("RTP/"), true) != SIZE_MAX;
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

/* One a=rtpmap:PT NAME/RATE[/CHANNELS] value into @m (NAME/RATE kept). */
static bool
parse_rtpmap(struct sc_str v, struct rtpmap *m)
{
	struct sc_str r = sc_str_make(v.p + 7, v.len - 7);
	struct sc_str pt, enc;
	const char *s1;

	if (!next_token(&r, &pt) || !next_token(&r, &enc))
		return false;
	s1 = memchr(enc.p, '/', enc.len);
	if (s1) {
		size_t off = (size_t)(s1 - enc.p) + 1;
		const char *s2 = memchr(enc.p + off, '/', enc.len - off);

		if (s2)
			enc.len = (size_t)(s2 - enc.p);
	}
	m->pt = pt;
	m->enc = enc;
	return true;
}

/* The codecs of the formats @fmts, space-separated, in @a (measured,
 * then written); NULL when none or out of memory (*@nomem). */
static char *
codec_list(struct sc_arena *a, struct sc_str fmts, const struct rtpmap *maps,
           size_t nmaps, bool rtp, bool *nomem)
{
	struct sc_str rest = fmts, tok;
	size_t need = 0, nfmt = 0;
	char *codecs, *w;

	while (nfmt < SDP_MAX_FMT && next_token(&rest, &tok)) {
		need += codec_of(tok, maps, nmaps, rtp).len + 1;
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
	rest = fmts;
	for (size_t i = 0; i < nfmt && next_token(&rest, &tok); i++) {
		struct sc_str c = codec_of(tok, maps, nmaps, rtp);

		if (w != codecs)
			*w++ = ' ';
		memcpy(w, c.p, c.len);
		w += c.len;
	}
	*w = '\0';
	return codecs;
}

/* Fill @md from one m= section. */
static void
media_summary(struct sc_arena *a, const struct msect *ms,
              struct sc_str session_dir, struct sc_sdp_media *md, bool *nomem)
{
	struct rtpmap maps[SDP_MAX_RTPMAP];
	struct sc_str rest = sc_str_make(ms->p, ms->len), line;
	struct sc_str mrest = ms->mline, type, port, proto, fmts;
	struct sc_str conn = { NULL, 0 }, dir = { NULL, 0 };
	size_t nmaps = 0;
	uint64_t portv;
	bool rtp;

	memset(md, 0, sizeof(*md));
	if (!next_token(&mrest, &type))
		type = sc_str_make(NULL, 0);
	if (!next_token(&mrest, &port))
		port = sc_str_make(NULL, 0);
	if (!next_token(&mrest, &proto))
		proto = sc_str_make(NULL, 0);
	fmts = mrest;
	md->type = dup_view(a, type, nomem);
	md->proto = dup_view(a, proto, nomem);
	/* port[/number of ports] */
	if (port.p && sc_str_to_u64(cut_at(port, '/'), 65535, &portv))
		md->port = (uint16_t)portv;
	rtp = proto.p && is_rtp_proto(proto);

	while (next_line(&rest, &line)) {
		struct sc_str v;

		if (line.len < 2 || line.p[1] != '=')
			continue;
		v = sc_str_trim(sc_str_make(line.p + 2, line.len - 2));
		if (line.p[0] == 'c' && !conn.p) {
			conn = cut_at(nth_token(v, 2), '/');
		} else if (line.p[0] == 'a') {
			if (v.len > 7 && (v.p[0] == 'r' || v.p[0] == 'R') &&
			    sc_str_has_prefix_nocase(v, "rtpmap:")) {
				if (nmaps < SDP_MAX_RTPMAP &&
				    parse_rtpmap(v, &maps[nmaps]))
					nmaps++;
			} else if (!dir.p) {
				dir = direction_of(v);
			}
		}
	}
	if (!dir.p)
		dir = session_dir;
	md->conn = dup_view(a, conn, nomem);
	md->direction = dup_view(a, dir, nomem);

	md->codecs = codec_list(a, fmts, maps, nmaps, rtp, nomem);
}

enum sc_err
sc_sdp_parse(const char *body, size_t len, struct sc_arena *a,
             struct sc_sdp **out)
{
	struct msect sect[SC_SDP_MAX_MEDIA];
	struct sc_str rest, line;
	struct sc_str conn = { NULL, 0 }, origin = { NULL, 0 };
	struct sc_str session_dir = { NULL, 0 };
	size_t nsect = 0;
	bool in_media = false, ignoring = false, seen = false, nomem = false;
	struct sc_sdp *sdp;

	*out = NULL;
	if (!body)
		len = 0;
	rest = sc_str_make(body, len);
	while (next_line(&rest, &line)) {
		struct sc_str v;
		char t;

		if (line.len < 2 || line.p[1] != '=' || line.p[0] < 'a' ||
		    line.p[0] > 'z')
			continue;
		t = line.p[0];
		v = sc_str_trim(sc_str_make(line.p + 2, line.len - 2));
		if (t == 'v' || t == 'o' || t == 'c' || t == 'm' || t == 's')
			seen = true;
		if (t == 'm') {
			if (in_media && !ignoring)
				sect[nsect - 1].len =
				        (size_t)(line.p - sect[nsect - 1].p);
			in_media = true;
			ignoring = nsect == SC_SDP_MAX_MEDIA;
			if (ignoring)
				continue;
			sect[nsect].mline = v;
			sect[nsect].p = rest.p;
			sect[nsect].len = rest.len;
			nsect++;
			continue;
		}
		if (in_media)
			continue;
		if (t == 'c' && !conn.p)
			conn = cut_at(nth_token(v, 2), '/');
		else if (t == 'o' && !origin.p)
			origin = nth_token(v, 5);
		else if (t == 'a' && !session_dir.p)
			session_dir = direction_of(v);
	}
	if (in_media && !ignoring)
		sect[nsect - 1].len = (size_t)(body + len - sect[nsect - 1].p);
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
	for (size_t i = 0; i < nsect; i++)
		media_summary(a, &sect[i], session_dir, &sdp->media[i], &nomem);
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
