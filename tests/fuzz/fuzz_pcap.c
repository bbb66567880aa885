/* fuzz_pcap.c - a whole capture file through every stage and report */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "sipcause/pipeline/analyze.h"
#include "sipcause/report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
write_reports(const struct sc_model *model)
{
	static const enum sc_format formats[] = { SC_FORMAT_TEXT,
						  SC_FORMAT_JSON };
	FILE *sink = fopen("/dev/null", "w");

	if (!sink)
		return;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct sc_report_opts ro = { .format = formats[i],
					     .detail = true,
					     .tool_version = "fuzz" };
		struct sc_report *r = sc_report_new(&ro, sink);

		if (r && sc_report_finish(r, model) != SC_OK)
			break;
		sc_report_free(r);
	}
	fclose(sink);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_analyzer_opts opts = { .keep_messages = true };
	struct sc_model model;
	struct sc_analyzer *a;
	char errbuf[SC_ERRBUF_SIZE];
	FILE *fp;

	if (size == 0)
		return 0;
	/* fmemopen's buffer is not const, but mode "r" never writes */
	fp = fmemopen((void *)(uintptr_t)data, size, "r");
	if (!fp)
		return 0;
	sc_model_init(&model);
	a = sc_analyzer_new(&opts, &model);
	if (a) {
		/* errors are expected on fuzzed input; only crashes matter */
		enum sc_err err = sc_analyzer_stream(a, fp, "fuzz", errbuf);

		if (err != SC_ENOMEM)
			err = sc_analyzer_finish(a);
		if (err == SC_OK)
			write_reports(&model);
	} else {
		fclose(fp);
	}
	sc_analyzer_free(a);
	sc_model_fini(&model);
	return 0;
}
