/* privdrop.c - become an unprivileged user after the capture is set up */
/* getresuid(), getresgid(), setresuid(), setresgid() */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

#include "sipcause/capture/privdrop.h"

bool
sc_privdrop_is_root(void)
{
	return getuid() == 0 || geteuid() == 0;
}

void
sc_privdrop_no_dumps(void)
{
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* Every id of the process is now @uid/@gid, and root is out of reach. */
static bool
verify(uid_t uid, gid_t gid)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0)
		return false;
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
	    sg != gid)
		return false;
	/* a dropped process must not be able to climb back */
	return uid == 0 || (setuid(0) != 0 && setgid(0) != 0);
}

static enum sc_err
step_failed(const char *user, const char *what, char *errbuf)
{
	snprintf(errbuf, SC_ERRBUF_SIZE, "cannot become user '%s': %s: %s",
	         user, what, strerror(errno));
	return SC_EIO;
}

enum sc_err
sc_privdrop_to(const char *user, char *errbuf)
{
	struct passwd pw, *found = NULL;
	char buf[4096];
	int rc = getpwnam_r(user, &pw, buf, sizeof(buf), &found);

	if (rc != 0 || !found) {
		snprintf(errbuf, SC_ERRBUF_SIZE, "no such user '%s'%s%s", user,
		         rc ? ": " : "", rc ? strerror(rc) : "");
		return SC_ENOTFOUND;
	}
	/* groups first: once the uid is gone, changing them is refused */
	if (initgroups(pw.pw_name, pw.pw_gid) != 0)
		return step_failed(user, "initgroups", errbuf);
	if (setresgid(pw.pw_gid, pw.pw_gid, pw.pw_gid) != 0)
		return step_failed(user, "setresgid", errbuf);
	if (setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid) != 0)
		return step_failed(user, "setresuid", errbuf);
	if (!verify(pw.pw_uid, pw.pw_gid)) {
		snprintf(errbuf, SC_ERRBUF_SIZE,
		         "cannot become user '%s': the ids did not all change",
		         user);
		return SC_EIO;
	}
	/* setuid resets the flag; set it again for the new user */
	sc_privdrop_no_dumps();
	return SC_OK;
}
