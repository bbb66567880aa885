/* main.c - the sipcause command: options in, a run, exit status out
 *
 * Only option parsing (cli/options.c) and wiring (cli/run*.c) live in
 * the command; every decision about packets, messages or calls belongs
 * to the library.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/options.h"
#include "cli/hep.h"
#include "cli/run.h"
#include "sipcause/report/report.h"
#include "sipcause/util/str.h"

/* "sipcause explain 503", "explain q850 17", "explain warning 399" */
static int
explain(int argc, char **argv)
{
	uint64_t n;
	bool q850 = argc == 2 && strcmp(argv[0], "q850") == 0;
	bool warning = argc == 2 && strcmp(argv[0], "warning") == 0;
	const char *arg = q850 || warning ? argv[1] : argv[0];
	enum sc_err err;

	if ((argc != 1 && !q850 && !warning) ||
	    !sc_str_to_u64(sc_str_from_cstr(arg), 999, &n)) {
		cli_usage_error("%s", "usage: sipcause explain CODE | "
		                      "explain q850 CAUSE | explain warning "
		                      "CODE");
		return EXIT_USAGE;
	}
	if (q850)
		err = sc_report_explain_q850(stdout, (int)n);
	else if (warning)
		err = sc_report_explain_warning(stdout, (int)n);
	else
		err = sc_report_explain_code(stdout, (int)n);
	if (err != SC_OK) {
		fprintf(stderr, "sipcause: %s %s is not known\n",
		        q850      ? "Q.850 cause"
		        : warning ? "Warning code"
		                  : "status code",
		        arg);
		return EXIT_USAGE;
	}
	return EXIT_ANALYSED;
}

int
main(int argc, char **argv)
{
	struct options o;
	int status;

	memset(&o, 0, sizeof(o));
	if (argc > 1 && strcmp(argv[1], "explain") == 0)
		return explain(argc - 2, argv + 2);
	status = cli_parse(argc, argv, &o);
	if (status < 0)
		status = o.hep.listen     ? run_hep_listen(&o)
		         : o.live.nifaces ? run_live(&o)
		                          : run_files(&o);
	cli_options_free(&o);
	if (fflush(stdout) != 0 && status == EXIT_ANALYSED)
		status = EXIT_INPUT;
	return status;
}
