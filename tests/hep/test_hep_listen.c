/* test_hep_listen.c - calls through the HEP listener vs. offline
 *
 * Usage: test-hep-listen offline FILE    print "CALL-ID CODE" per call
 *        test-hep-listen listen SPEC S   listen, print the bound port on
 *                                        stderr, stop after S s of quiet,
 *                                        print the calls the same way
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/capture/hep_listen.h"
#include "sipcause/pipeline/analyze.h"

static void
print_call(void *ctx, const struct sc_diagnosis *d)
{
	const struct sc_call *call = d->call;

	(void)ctx;
	printf("%s %d\n", call->call_id ? call->call_id : "-",
	       call->final_code);
}

static int
listen_loop(struct sc_analyzer *a, const char *spec, int quiet_s)
{
	struct sc_hep_listener *l;
	const struct sc_hep_listen_stats *st;
	struct sc_frame f;
	enum sc_err err;

	if (sc_hep_listen_open(&l, spec, 4) != SC_OK)
		return 1;
	fprintf(stderr, "port %u\n", sc_hep_listen_port(l));
	fflush(stderr);
	while ((err = sc_hep_listen_next(l, quiet_s * 1000, &f)) == SC_OK)
		if (sc_analyzer_frame(a, &f) != SC_OK)
			return 1;
	st = sc_hep_listen_stats(l);
	fprintf(stderr, "packets %llu bad %llu not_hep %llu non_sip %llu\n",
		(unsigned long long)st->packets, (unsigned long long)st->bad,
		(unsigned long long)st->not_hep,
		(unsigned long long)st->non_sip);
	sc_hep_listen_close(l);
	return err == SC_EAGAIN ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct sc_analyzer_opts o = {.on_call = print_call};
	struct sc_model model;
	struct sc_analyzer *a;
	char errbuf[256] = "";
	int rc;

	if (argc < 3)
		return 2;
	sc_model_init(&model);
	a = sc_analyzer_new(&o, &model);
	if (!a)
		return 1;
	if (strcmp(argv[1], "offline") == 0)
		rc = sc_analyzer_file(a, argv[2], errbuf) != SC_OK;
	else
		rc = listen_loop(a, argv[2], argc > 3 ? (int)strtol(argv[3], NULL, 10) : 3);
	if (sc_analyzer_finish(a) != SC_OK)
		rc = 1;
	sc_analyzer_free(a);
	sc_model_fini(&model);
	return rc;
}
