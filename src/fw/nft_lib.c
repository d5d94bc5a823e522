#include "fw/nft_lib.h"
#include "util/err.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>

static nft_lib lib;
static const nft_lib *loaded;
static char *why; /* dlerror()'s text when loading failed */
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* dlsym into a function pointer: through memcpy, as ISO C has no
 * conversion from void * to a function pointer. */
static bool bind_symbol(void *handle, const char *name, void *slot, size_t size)
{
	void *sym = dlsym(handle, name);

	if (!sym)
		return false;
	memcpy(slot, &sym, size);
	return true;
}

#define BIND(h, f) bind_symbol((h), #f, &lib.f, sizeof(lib.f))

static void load(void)
{
	/* RTLD_NOW: a symbol missing is found here, not at a call */
	void *h = dlopen(NFT_LIB_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (h && BIND(h, nft_ctx_new) && BIND(h, nft_ctx_free) && BIND(h, nft_ctx_output_set_flags) &&
	    BIND(h, nft_ctx_buffer_output) && BIND(h, nft_ctx_buffer_error) && BIND(h, nft_ctx_get_output_buffer) &&
	    BIND(h, nft_ctx_get_error_buffer) && BIND(h, nft_run_cmd_from_buffer)) {
		loaded = &lib;
		return;
	}
	const char *text = dlerror();
	why = strdup(text ? text : "unknown reason");
	/* kept open when a symbol lacked: nothing of it is used */
}

int nft_lib_get(const nft_lib **out, berth_err *err)
{
	pthread_once(&once, load);
	*out = loaded;
	if (!loaded)
		return berth_err_set(err, ELIBACC, "nftables: cannot load %s: %s", NFT_LIB_SONAME,
				     why ? why : "out of memory");
	return 0;
}
