/* evidence_impl.h - what evidence.c, evidence_parse.c and
 * evidence_rules.c share (internal to the diagnosis stage) */
#ifndef SC_EVIDENCE_IMPL_H
#define SC_EVIDENCE_IMPL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sipcause/diagnosis/evidence.h"
#include "sipcause/util/compiler.h"

/* Longest header value looked at; longer ones are read up to this. */
#define HDR_MAX 4096

static inline size_t
bounded_len(const char *s, size_t max)
{
	return s ? strnlen(s, max) : 0;
}

static inline const char *
or_empty(const char *s)
{
	return s ? s : "";
}

static inline bool
has_text(const char *s)
{
	return s && s[0];
}

/* Bytes of @s kept as evidence: at most SC_EVIDENCE_WIRE_MAX, never
 * ending inside a UTF-8 sequence. */
int sc__ev_wire_len(const char *s);

/* One of @words (NULL-terminated) starts a word of @s, ignoring case. */
bool sc__ev_has_any_word(const char *s, const char *const *words);

/* vsnprintf into @buf, empty on an encoding error. */
void SC_PRINTF(3, 0)
        sc__ev_vput(char *buf, size_t len, const char *fmt, va_list ap);

/* The cause sentence of @out. */
void SC_PRINTF(2, 3)
        sc__ev_set_cause(struct sc_cause *out, const char *fmt, ...);

/* Add one item; @value is wire text (cut), @fmt its sentence. */
void SC_PRINTF(5, 6)
        sc__ev_add_item(struct sc_cause *out, enum sc_ev_kind kind, int64_t num,
                        const char *value, const char *fmt, ...);

/* The reason phrase says something of its own (not the RFC's words). */
bool sc__ev_phrase_is_own(const struct sc_response_facts *f);

/* A Warning that says nothing about the cause. */
bool sc__ev_warning_is_noise(const struct sc_warning_fact *w);

/* The first Warning with telling text, or NULL. */
const struct sc_warning_fact *
sc__ev_main_warning(const struct sc_response_facts *f);

/* Every item the facts give, in a fixed order. */
void sc__ev_collect(const struct sc_response_facts *f, struct sc_cause *out);

#endif /* SC_EVIDENCE_IMPL_H */
