/* rawloop.c - the floor: read every packet of a capture with libpcap
 *
 * Opens the file as libpcap does by default (nanosecond timestamps),
 * reads every record with pcap_next_ex() and touches nothing but the
 * header. What this costs is the least any libpcap-based analyser can
 * cost on the same file; bench/peers.sh divides the other times by it.
 * With BUFFER, the stream gets a buffer of that many bytes first, as
 * sipcause gives its own (128 KiB): the like-for-like floor.
 *
 * usage: rawloop CAPTURE [BUFFER]
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <pcap/pcap.h>

int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint64_t packets = 0, bytes = 0;
	char *buffer = NULL;
	pcap_t *p;
	FILE *f;
	int rc;

	if (argc != 2 && argc != 3) {
		fputs("usage: rawloop CAPTURE [BUFFER]\n", stderr);
		return 1;
	}
	if (argc == 2) {
		p = pcap_open_offline_with_tstamp_precision(
		        argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
	} else {
		size_t size = strtoul(argv[2], NULL, 10);

		f = fopen(argv[1], "rb");
		buffer = size ? malloc(size) : NULL;
		if (!f || (size && !buffer)) {
			perror("rawloop");
			return 2;
		}
		setvbuf(f, buffer, _IOFBF, size);
		p = pcap_fopen_offline_with_tstamp_precision(
		        f, PCAP_TSTAMP_PRECISION_NANO, err);
	}
	if (!p) {
		fprintf(stderr, "rawloop: %s\n", err);
		return 2;
	}
	while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		packets++;
		bytes += hdr->caplen;
	}
	if (rc != PCAP_ERROR_BREAK)
		fprintf(stderr, "rawloop: %s\n", pcap_geterr(p));
	pcap_close(p);
	free(buffer);
	printf("%llu packets, %llu bytes\n", (unsigned long long)packets,
	       (unsigned long long)bytes);
	return rc == PCAP_ERROR_BREAK ? 0 : 2;
}
