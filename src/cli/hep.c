/* hep.c - the command's HEP wiring: --hep-send out, --hep-listen in */
#include "config.h"

#include <stdio.h>

#include "cli/hep.h"

int
cli_hep_open(struct run *r)
{
	if (!r->o->hep.send)
		return -1;
	fputs("sipcause: --hep-send is not available in this build\n", stderr);
	return EXIT_USAGE;
}

void
cli_hep_wire(struct run *r, struct sc_analyzer_opts *aopts)
{
	(void)r;
	(void)aopts;
}

void
cli_hep_close(struct run *r)
{
	(void)r;
}

int
run_hep_listen(struct options *o)
{
	(void)o;
	fputs("sipcause: --hep-listen is not available in this build\n",
	      stderr);
	return EXIT_USAGE;
}
