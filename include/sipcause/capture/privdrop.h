/* privdrop.h - give up root once interfaces and files are open */
#ifndef SC_PRIVDROP_H
#define SC_PRIVDROP_H

#include <stdbool.h>

#include "sipcause/util/compiler.h"
#include "sipcause/util/error.h"

/* The user a root capture becomes when no -Z is given. */
#define SC_PRIVDROP_DEFAULT_USER "nobody"

/* True when the real or effective user is root. */
bool sc_privdrop_is_root(void);

/*
 * sc_privdrop_to - become @user for good: its supplementary groups, then
 * its group, then its user id (real, effective and saved, in that order:
 * after setuid the group calls would fail), and check that root cannot
 * be regained. Then forbid core dumps, which would hold packet data.
 * SC_ENOTFOUND when there is no such user, SC_EIO when a step failed;
 * @errbuf says which. On failure the process must not go on.
 */
enum sc_err sc_privdrop_to(const char *user, char *errbuf) SC_WARN_UNUSED;

/* Forbid core dumps and ptrace by other users (PR_SET_DUMPABLE 0). */
void sc_privdrop_no_dumps(void);

#endif /* SC_PRIVDROP_H */
