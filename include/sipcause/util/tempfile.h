/* tempfile.h - unnamed temporary files */
#ifndef SC_TEMPFILE_H
#define SC_TEMPFILE_H

/*
 * sc_temp_fd - a new file in $TMPDIR (/tmp when unset or empty), open for
 * reading and writing and already unlinked, so it goes when closed, also
 * when the process dies. Named @prefix plus a random suffix for the
 * moment it exists. -1 with errno set on failure.
 */
int sc_temp_fd(const char *prefix);

#endif /* SC_TEMPFILE_H */
