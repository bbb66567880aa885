/* hep.h - the command's HEP wiring: --hep-send out, --hep-listen in */
#ifndef SC_CLI_HEP_H
#define SC_CLI_HEP_H

#include "cli/run.h"

/*
 * cli_hep_open - for --hep-send, open the sender into r->hep (before
 * privileges are dropped). Returns -1 to go on, or an exit status.
 */
int cli_hep_open(struct run *r);

/*
 * cli_hep_wire - route each message found and each finished call through
 * the sender too (chains what @aopts already calls). No-op without
 * --hep-send.
 */
void cli_hep_wire(struct run *r, struct sc_analyzer_opts *aopts);

/* Flush and close the sender; report its counters unless quiet. */
void cli_hep_close(struct run *r);

/* --hep-listen: the run whose source is HEP from agents. */
int run_hep_listen(struct options *o);

#endif /* SC_CLI_HEP_H */
