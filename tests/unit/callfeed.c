/* callfeed.c - build calls from SIP text for the correlate/classify tests */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "callfeed.h"

void
callfeed_endpoint(struct sc_endpoint *e, enum host h)
{
	uint8_t ip[4] = { 192, 0, 2, (uint8_t)h };

	if (h == PUB) {
		ip[0] = 203;
		ip[1] = 0;
		ip[2] = 113;
	}
	sc_addr_set4(&e->addr, ip);
	e->port = 5060;
}

void
feed(struct fixture *f, enum host src, enum host dst, int64_t ms,
     const char *text)
{
	struct sc_rawmsg raw;
	struct sc_msg *m = NULL;
	char buf[4096];
	size_t len = 0;

	for (const char *p = text; *p && len + 2 < sizeof(buf); p++) {
		if (*p == '\n')
			buf[len++] = '\r';
		buf[len++] = *p;
	}
	memset(&raw, 0, sizeof(raw));
	raw.data = (const uint8_t *)buf;
	raw.len = len;
	raw.ts_ns = T0 + ms * MS;
	raw.frame = ++f->frame;
	raw.frames = &raw.frame;
	raw.nframes = 1;
	callfeed_endpoint(&raw.src, src);
	callfeed_endpoint(&raw.dst, dst);
	assert_int_equal(sc_sipmsg_parse(f->parser, &raw, &m), SC_OK);
	assert_int_equal(sc_calltab_add(f->tab, m), SC_OK);
}

void
collect(void *ctx, struct sc_call *call)
{
	struct fixture *f = ctx;

	assert_true(f->ndone < 8);
	f->done[f->ndone++] = call;
}

struct sc_call *
finish(struct fixture *f, int64_t ms)
{
	sc_calltab_flush(f->tab, T0 + ms * MS, collect, f);
	assert_int_equal(f->ndone, 1);
	return f->done[0];
}

int
callfeed_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	sc_sipmsg_global_init();
	f->parser = sc_sipparser_new(NULL);
	f->tab = sc_calltab_new(NULL);
	*state = f;
	return 0;
}

int
callfeed_teardown(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < f->ndone; i++)
		sc_call_free(f->done[i]);
	for (size_t i = 0; i < f->ndiagnosed; i++)
		sc_diagnosis_free(f->diagnosed[i]);
	sc_calltab_free(f->tab);
	sc_sipparser_free(f->parser);
	free(f);
	return 0;
}
