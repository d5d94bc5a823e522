/* CNI_COMMAND ADD, DEL, CHECK, GC and STATUS over <berth.h>: each returns
 * 0, or -1 with the spec's error in *e. */
#ifndef BERTH_CNI_COMMANDS_H
#define BERTH_CNI_COMMANDS_H

#include "cni/conf.h"

int cni_add(const cni_conf *conf, json_t **result, cni_error *e);
int cni_del(const cni_conf *conf, cni_error *e);
int cni_check(const cni_conf *conf, cni_error *e);
int cni_gc(const cni_conf *conf, cni_error *e);
int cni_status(const cni_conf *conf, cni_error *e);

#endif
