/* export.h - --export-pcap and --split-calls: the packets of the calls */
#ifndef SC_CLI_EXPORT_H
#define SC_CLI_EXPORT_H

#include "cli/run.h"

/*
 * cli_export - after the analysis of files, write the frames of the
 * selected calls to --export-pcap FILE and one pcap per call into
 * --split-calls DIR. Returns -1 to go on (nothing asked, or written), or
 * an exit status.
 */
int cli_export(struct run *r);

#endif /* SC_CLI_EXPORT_H */
