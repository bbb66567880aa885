/* kb.c - the knowledge base: status codes, Q.850 causes, Warning codes
 *
 * Plain static tables compiled from the X-macro files in src/kb/, looked
 * up by binary search (status codes and the SIP -> Q.850 mapping by a
 * switch made from the same files). Nothing here changes at run time.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sipcause/util/compiler.h"
#include "sipcause/diagnosis/kb.h"

static const struct sc_status_info status_table[] = {
#define SIP_STATUS(code, reason, cls, cat, ref, depr, meaning, cause, tip) \
	{ code, reason, SC_CLASS_##cls, SC_CAT_##cat, ref, meaning, cause, \
	  tip,  depr },
#include "kb/sip_status.def"
#undef SIP_STATUS
};

static const struct sc_q850_info q850_table[] = {
#define Q850_CAUSE(value, name, meaning) { value, name, meaning },
#include "kb/q850.def"
#undef Q850_CAUSE
};

static const struct sc_warning_info warning_table[] = {
#define SIP_WARNING(code, text, meaning) { code, text, meaning },
#include "kb/warning.def"
#undef SIP_WARNING
};

/*
 * What an unlisted 7xx-9xx code gets: its vendor is unknown. Its code is
 * 0 because it stands for no code in particular; callers show the code
 * they looked up.
 */
static const struct sc_status_info unlisted_vendor = {
	0,
	"Vendor Code",
	SC_CLASS_VENDOR,
	SC_CAT_UNKNOWN,
	"none",
	"A code outside the SIP standard (700-999), defined by some vendor.",
	"Depends on the vendor that sent it.",
	"Look the code up in the documentation of the device that sent it.",
	false,
};

const char *
sc_class_id(enum sc_class c)
{
	switch (c) {
#define SC_CLASS_CASE(name, id) \
	case SC_CLASS_##name:   \
		return id;
		SC_CLASSES(SC_CLASS_CASE)
#undef SC_CLASS_CASE
	case SC_CLASS__COUNT:
		break;
	}
	return "?";
}

const char *
sc_category_id(enum sc_category c)
{
	switch (c) {
#define SC_CAT_CASE(name, id) \
	case SC_CAT_##name:   \
		return id;
		SC_CATEGORIES(SC_CAT_CASE)
#undef SC_CAT_CASE
	case SC_CAT__COUNT:
		break;
	}
	return "?";
}

bool
sc_category_from_id(const char *id, enum sc_category *out)
{
	if (!id)
		return false;
	for (int i = 0; i < SC_CAT__COUNT; i++) {
		if (strcmp(id, sc_category_id((enum sc_category)i)) == 0) {
			*out = (enum sc_category)i;
			return true;
		}
	}
	return false;
}

enum sc_class
sc_kb_class_of(int code)
{
	switch (code / 100) {
	case 1:
		return SC_CLASS_PROVISIONAL;
	case 2:
		return SC_CLASS_SUCCESS;
	case 3:
		return SC_CLASS_REDIRECTION;
	case 4:
		return SC_CLASS_CLIENT_FAILURE;
	case 5:
		return SC_CLASS_SERVER_FAILURE;
	case 6:
		return SC_CLASS_GLOBAL_FAILURE;
	default:
		return SC_CLASS_VENDOR;
	}
}

/* The row of each listed code in status_table. */
enum status_row {
#define SIP_STATUS(code, ...) STATUS_ROW_##code,
#include "kb/sip_status.def"
#undef SIP_STATUS
};

/* A switch, not bsearch: the compiler makes a jump table or a search
 * tree of it, without a call to compare per step (every response of a
 * capture is looked up here). */
static const struct sc_status_info *
find_status(int code)
{
	switch (code) {
#define SIP_STATUS(code, ...) \
	case code:            \
		return &status_table[STATUS_ROW_##code];
#include "kb/sip_status.def"
#undef SIP_STATUS
	default:
		return NULL;
	}
}

const struct sc_status_info *
sc_kb_status(int code, bool *unknown)
{
	const struct sc_status_info *s;
	bool dummy;

	if (!unknown)
		unknown = &dummy;
	*unknown = false;
	if (code < 100 || code > 999)
		return NULL;
	s = find_status(code);
	if (s)
		return s;
	*unknown = true;
	/* RFC 3261 8.1.3.2: an unknown code is treated as the x00 code
	 * of its class */
	if (code < 700)
		return find_status(code / 100 * 100);
	return &unlisted_vendor;
}

size_t
sc_kb_status_count(void)
{
	return SC_COUNTOF(status_table);
}

const struct sc_status_info *
sc_kb_status_at(size_t i)
{
	return i < SC_COUNTOF(status_table) ? &status_table[i] : NULL;
}

static int
cmp_q850(const void *key, const void *elem)
{
	int cause = *(const int *)key;
	const struct sc_q850_info *q = elem;

	return (cause > q->cause) - (cause < q->cause);
}

const struct sc_q850_info *
sc_kb_q850(int cause)
{
	return bsearch(&cause, q850_table, SC_COUNTOF(q850_table),
	               sizeof(q850_table[0]), cmp_q850);
}

size_t
sc_kb_q850_count(void)
{
	return SC_COUNTOF(q850_table);
}

const struct sc_q850_info *
sc_kb_q850_at(size_t i)
{
	return i < SC_COUNTOF(q850_table) ? &q850_table[i] : NULL;
}

int
sc_kb_sip_to_q850(int code)
{
	/* a switch for the same reason as find_status() */
	switch (code) {
#define SIP_Q850(sip, q850) \
	case sip:           \
		return q850;
#include "kb/sip_q850.def"
#undef SIP_Q850
	default:
		return 0;
	}
}

static int
cmp_warning(const void *key, const void *elem)
{
	int code = *(const int *)key;
	const struct sc_warning_info *w = elem;

	return (code > w->code) - (code < w->code);
}

const struct sc_warning_info *
sc_kb_warning(int code)
{
	return bsearch(&code, warning_table, SC_COUNTOF(warning_table),
	               sizeof(warning_table[0]), cmp_warning);
}
