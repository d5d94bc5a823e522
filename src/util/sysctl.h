/* /proc/sys, as seen from the network namespace the process is in. */
#ifndef BERTH_UTIL_SYSCTL_H
#define BERTH_UTIL_SYSCTL_H

#include "berth.h"

/* Reads the first line of /proc/sys/<key> (dots are slashes) into buf. */
int sysctl_read(const char *key, char *buf, size_t size, berth_err *err);
int sysctl_write(const char *key, const char *value, berth_err *err);

#endif
