/* fuzz_sipmsg.c - libFuzzer target: one framed SIP message into the parser */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "sipcause/util/arena.h"
#include "sipcause/sip/sipmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sc_sipparser *parser;
	struct sc_rawmsg raw = { 0 };
	struct sc_msg *m = NULL;
	struct sc_arena a;
	struct sc_sdp *sdp;

	if (!parser) {
		sc_sipmsg_global_init();
		parser = sc_sipparser_new(NULL);
		if (!parser)
			abort();
	}
	raw.data = data;
	raw.len = size;
	if (sc_sipmsg_parse(parser, &raw, &m) == SC_OK && !m)
		abort();
	sc_msg_free(m);
	m = NULL;
	if (sc_sipmsg_scan(&raw, &m) == SC_OK && !m)
		abort();
	sc_msg_free(m);

	sc_arena_init(&a, 1024);
	/* both may fail on garbage; only a crash or leak is a finding */
	if (sc_sdp_parse((const char *)data, size, &a, &sdp) == SC_ENOMEM)
		abort();
	if (sc_sdp_from_body("multipart/mixed;boundary=b", 26,
	                     (const char *)data, size, &a, &sdp) == SC_ENOMEM)
		abort();
	sc_arena_fini(&a);
	return 0;
}
