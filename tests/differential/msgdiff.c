/*
 * msgdiff.c - the fast path against oSIP, field by field, on every SIP
 * message of real captures.
 *
 * The JSON comparison (differential.py) sees only what the reports
 * print; this sees every field of struct sc_msg. Each framed message of
 * each capture (through the real capture, decode, reassembly and framing
 * stages) is parsed by a parser on the fast path and by one with
 * full_parse, and the two results must be equal.
 *
 * usage: msgdiff CAPTURE...   exit 0 equal, 1 a difference, 2 an error
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sipcause/pipeline/analyze.h"
#include "sipcause/pipeline/model.h"
#include "sipcause/sip/sipmsg.h"
#include "../unit/test_sipmsg_equal.h"

struct run {
	struct sc_sipparser *fast;
	struct sc_sipparser *full;
	const char *file;
	unsigned long messages;
	unsigned long differ;
	bool nomem;
};

static void
on_message(void *ctx, const struct sc_rawmsg *raw)
{
	struct run *r = ctx;
	struct sc_msg *a = NULL, *b = NULL;
	enum sc_err ea = sc_sipmsg_parse(r->fast, raw, &a);
	enum sc_err eb = sc_sipmsg_parse(r->full, raw, &b);
	const char *field = NULL;

	r->messages++;
	if (ea == SC_ENOMEM || eb == SC_ENOMEM)
		r->nomem = true;
	else if (ea != eb)
		field = "result";
	else if (a && b)
		field = sipmsg_diff(a, b);
	if (field) {
		r->differ++;
		printf("%s: frame %llu: fast path and full parse differ in "
		       "%s\n",
		       r->file, (unsigned long long)raw->frame, field);
	}
	sc_msg_free(a);
	sc_msg_free(b);
}

static int
one_file(struct run *r, const char *path)
{
	struct sc_analyzer_opts opts = { .on_message = on_message,
		                         .on_message_ctx = r };
	char errbuf[SC_ERRBUF_SIZE];
	struct sc_model model;
	struct sc_analyzer *a;
	enum sc_err err;

	r->file = path;
	sc_model_init(&model);
	a = sc_analyzer_new(&opts, &model);
	if (!a) {
		sc_model_fini(&model);
		return 2;
	}
	/* an unreadable or damaged capture is not this test's business */
	err = sc_analyzer_file(a, path, errbuf);
	if (err != SC_ENOMEM)
		err = sc_analyzer_finish(a);
	sc_analyzer_free(a);
	sc_model_fini(&model);
	return err == SC_ENOMEM || r->nomem ? 2 : 0;
}

int
main(int argc, char **argv)
{
	struct sc_sipparser_opts full = { .full_parse = true };
	struct run r = { 0 };
	uint64_t scanned = 0, osip = 0;
	int rc = 0;

	sc_sipmsg_global_init();
	r.fast = sc_sipparser_new(NULL);
	r.full = sc_sipparser_new(&full);
	if (!r.fast || !r.full)
		return 2;
	for (int i = 1; i < argc && rc == 0; i++)
		rc = one_file(&r, argv[i]);
	sc_sipparser_counts(r.fast, &scanned, &osip);
	sc_sipparser_free(r.fast);
	sc_sipparser_free(r.full);
	/* both paths must have been taken for the comparison to mean much */
	printf("msgdiff: %lu messages (fast path: %llu by the scanner alone, "
	       "%llu through oSIP), %lu differ\n",
	       r.messages, (unsigned long long)scanned,
	       (unsigned long long)osip, r.differ);
	if (rc)
		return rc;
	return r.differ ? 1 : 0;
}
