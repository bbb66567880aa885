/* rawloop.c - the floor: read every packet of a capture with libpcap
 *
 * Opens the file as sipcause does (nanosecond timestamps), reads every
 * record with pcap_next_ex() and touches nothing but the header. What
 * this costs is the least any libpcap-based analyser can cost on the
 * same file; bench/peers.sh divides the other times by it.
 *
 * usage: rawloop CAPTURE
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint64_t packets = 0, bytes = 0;
	pcap_t *p;
	int rc;

	if (argc != 2) {
		fputs("usage: rawloop CAPTURE\n", stderr);
		return 1;
	}
	p = pcap_open_offline_with_tstamp_precision(
		argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
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
	printf("%llu packets, %llu bytes\n", (unsigned long long)packets,
	       (unsigned long long)bytes);
	return rc == PCAP_ERROR_BREAK ? 0 : 2;
}
