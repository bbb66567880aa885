/* version.c - what --version prints: the command and its libraries */
#include "config.h"

#include <pcap/pcap.h>
#include <stdio.h>

#include "cli/options.h"

#if SC_MIMALLOC
#include <mimalloc.h>
#endif

void
cli_print_version(FILE *out)
{
	fprintf(out, "sipcause %s\n", SC_VERSION);
	fprintf(out, "%s\n", pcap_lib_version());
#if SC_MIMALLOC
	/* mi_version() is major * 100 + minor * 10 + patch */
	fprintf(out, "mimalloc %d.%d.%d\n", mi_version() / 100,
	        mi_version() / 10 % 10, mi_version() % 10);
#else
	fprintf(out, "malloc of the C library\n");
#endif
}
