/* export.c - --export-pcap and --split-calls: the packets of the calls */
#include "config.h"

#include <stdio.h>

#include "cli/export.h"

int
cli_export(struct run *r)
{
	if (!r->o->export_pcap && !r->o->split_dir)
		return -1;
	fputs("sipcause: --export-pcap and --split-calls are not available "
	      "in this build\n", stderr);
	return EXIT_USAGE;
}
