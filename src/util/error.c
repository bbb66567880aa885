/* error.c - text for enum sc_err */
#include "config.h"

#include "sipcause/util/error.h"

const char *
sc_strerror(enum sc_err err)
{
	switch (err) {
#define SC_ERR_CASE(name, text) \
	case SC_##name:         \
		return text;
		SC_ERRORS(SC_ERR_CASE)
#undef SC_ERR_CASE
	case SC_ERR__COUNT:
		break;
	}
	return "unknown error";
}
