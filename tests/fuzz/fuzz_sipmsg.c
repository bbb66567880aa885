/*
 * fuzz_sipmsg.c - libFuzzer target: one framed SIP message into the
 * parser, on the fast path (hand scanner, oSIP when unsure) and with
 * full_parse (oSIP for every message): any field where the two differ is
 * a finding, as is a crash or a leak.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "sipcause/util/arena.h"
#include "sipcause/sip/sipmsg.h"
#include "../unit/test_sipmsg_equal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sc_sipparser *parser, *full;
	struct sc_sipparser_opts full_opts = { NULL, true };
	struct sc_rawmsg raw = { 0 };
	struct sc_msg *m = NULL, *ref = NULL;
	enum sc_err err, ref_err;
	struct sc_arena a;
	struct sc_sdp *sdp;

	if (!parser) {
		sc_sipmsg_global_init();
		parser = sc_sipparser_new(NULL);
		full = sc_sipparser_new(&full_opts);
		if (!parser || !full)
			abort();
	}
	raw.data = data;
	raw.len = size;
	err = sc_sipmsg_parse(parser, &raw, &m);
	ref_err = sc_sipmsg_parse(full, &raw, &ref);
	if ((err == SC_OK && !m) || err != ref_err)
		abort();
	if (m && sipmsg_diff(m, ref))
		abort();
	sc_msg_free(m);
	sc_msg_free(ref);
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
