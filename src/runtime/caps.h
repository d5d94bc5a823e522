/* The capabilities a container's processes get: Docker's default set,
 * changed by --cap-add/--cap-drop, or all of them with --privileged.
 * Names and numbers are libcap's. */
#ifndef BERTH_RUNTIME_CAPS_H
#define BERTH_RUNTIME_CAPS_H

#include "berth.h"

#include <stdint.h>

/* One bit per capability: bit N is capability N (CAP_CHOWN is 0). */
typedef uint64_t cap_mask;

/* Docker's default set (moby's oci/caps DefaultCapabilities). */
cap_mask caps_default(void);

/* Every capability berth may give: the kernel's that berth holds. */
cap_mask caps_all(void);

/* --cap-add or --cap-drop values as Docker records them: each one
 * upper-case with its CAP_ prefix ("net_admin" and "Cap_Net_Admin" are
 * "CAP_NET_ADMIN"), sorted, once each, and only "ALL" if ALL is among
 * them. A name libcap or the kernel does not know is refused, the
 * message naming `flag` and the value as given. *out (NULL-terminated;
 * NULL for none) is the caller's to free. */
int caps_normalize(const char *const *names, size_t n, const char *flag, char ***out, size_t *n_out, berth_err *err);

/* What a container gets (moby's TweakCapabilities), from normalized
 * names: all with `privileged`; else with ALL added, all but those
 * dropped; with ALL dropped, only those added; else the default set less
 * those dropped, plus those added; and never one berth does not hold. */
int caps_resolve(char *const *add, size_t n_add, char *const *drop, size_t n_drop, bool privileged, cap_mask *out,
		 berth_err *err);

/* In the process about to exec the container's command: bounding,
 * permitted and effective sets become `mask`, the inheritable and ambient
 * sets empty; then, with `no_new_privs`, PR_SET_NO_NEW_PRIVS. Returns 0 or
 * a negative errno; *what says which step failed. */
int caps_apply(cap_mask mask, bool no_new_privs, const char **what);

#endif
