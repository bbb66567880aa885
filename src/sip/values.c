/* values.c - header values as views: lists, parameters, quotes, folds */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "msgdraft.h"

/* Append a value to a list field, ", " between values (amortised). */
void
join(struct draft *d, enum fld f, struct sc_str v)
{
	struct sc_str *cur = &d->s[f];
	size_t need;
	char *w;

	if (!v.p || v.len == 0)
		return;
	if (!has(d, f)) {
		*cur = v;
		d->set |= UINT64_C(1) << f;
		return;
	}
	need = cur->len + 2 + v.len;
	if (!(d->joined & (UINT64_C(1) << f)) || need > d->cap[f]) {
		size_t cap =
		        d->joined & (UINT64_C(1) << f) ? d->cap[f] * 2 : 64;

		if (cap < need)
			cap = need;
		w = sc_arena_alloc(d->tmp, cap);
		if (!w) {
			d->nomem = true;
			return;
		}
		memcpy(w, cur->p, cur->len);
		d->cap[f] = cap;
		d->joined |= UINT64_C(1) << f;
	} else {
		w = (char *)(uintptr_t)cur->p; /* our own arena buffer */
	}
	memcpy(w + cur->len, ", ", 2);
	memcpy(w + cur->len + 2, v.p, v.len);
	*cur = sc_str_make(w, need);
}

/* A copy of @a then @sep then @b in the scratch arena. */
struct sc_str
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
struct sc_str
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
size_t
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
struct sc_str
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
bool
list_next(struct sc_str *rest, struct sc_str *item)
{
	size_t i = 0;
	bool angle = false;

	if (rest->len == 0)
		return false;
	while (i < rest->len) {
		char c = rest->p[i];

		/* most bytes are none of '"' ',' '<' '>' */
		if ((unsigned char)c > ',' && c != '<' && c != '>') {
			i++;
			continue;
		}
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
unsigned
list_count(struct sc_str v)
{
	struct sc_str item;
	unsigned n = 0;

	if (!find_char(v, ','))
		return sc_str_trim(v).len > 0; /* one element or none */
	while (list_next(&v, &item))
		if (item.len > 0)
			n++;
	return n;
}

/* The first non-empty element of a comma-separated value. */
struct sc_str
list_first(struct sc_str v)
{
	struct sc_str item;

	if (!find_char(v, ',')) {
		item = sc_str_trim(v);
		return item.len > 0 ? item : sc_str_make(NULL, 0);
	}
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
bool
param_find_sep(struct sc_str s, char sep, const char *name, struct sc_str *val)
{
	const struct sc_str want = sc_str_from_cstr(name);

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
		if (!sc_str_caseeq(sc_str_trim(eq ? view_at(item.p, eq) : item),
		                   want))
			continue;
		*val = eq ? sc_str_trim(view_at(eq + 1, item.p + item.len))
		          : sc_str_make(item.p + item.len, 0);
		return true;
	}
	return false;
}

bool
param_find(struct sc_str s, const char *name, struct sc_str *val)
{
	return param_find_sep(s, ';', name, val);
}

/* @s from its first ';' on (empty when there is none). */
struct sc_str
params_of(struct sc_str s)
{
	const char *semi = find_char(s, ';');

	return semi ? view_at(semi, s.p + s.len) : sc_str_make(end_of(s), 0);
}

/* Leading decimal number of @v (after spaces), at most @max; -1 if none. */
int64_t
lead_int(struct sc_str v, uint64_t max)
{
	uint64_t n;
	size_t used;

	if (!sc_str_lead_u64(sc_str_trim(v), max, &n, &used))
		return -1;
	return (int64_t)n;
}
