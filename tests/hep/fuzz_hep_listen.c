/* fuzz_hep_listen.c - the HEP listener's packet path: HEP bytes to a
 * synthesised frame, then through a whole analyzer. */
#include <stddef.h>
#include <stdint.h>

#include "sipcause/capture/hep_listen.h"
#include "sipcause/pipeline/analyze.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[SC_HEP_FRAME_MAX];
	struct sc_analyzer_opts o = {0};
	struct sc_model model;
	struct sc_analyzer *a;
	struct sc_frame f;

	if (sc_hep_to_frame(data, size, 1, buf, sizeof(buf), &f) != SC_OK)
		return 0;
	f.number = 1;
	sc_model_init(&model);
	a = sc_analyzer_new(&o, &model);
	if (a) {
		(void)!sc_analyzer_frame(a, &f);
		(void)!sc_analyzer_finish(a);
		sc_analyzer_free(a);
	}
	sc_model_fini(&model);
	return 0;
}
