/* berth as a CNI plugin (the Container Network Interface, spec 1.1.0):
 * a runtime (Podman, containerd, CRI-O, Kubernetes) executes the plugin
 * with no arguments, the command and the container in CNI_* variables and
 * the network's configuration on stdin; the result, or an error, goes to
 * stdout as JSON. The same binary as the CLI: installed as
 * $(PREFIX)/lib/cni/berth, it knows it is a plugin by being run with no
 * arguments and CNI_COMMAND set. Built on <berth.h> alone. */
#ifndef BERTH_CNI_CNI_H
#define BERTH_CNI_CNI_H

#include <stdbool.h>

/* Run as a plugin: no arguments, CNI_COMMAND in the environment. */
bool cni_invoked(int argc);
/* Answers CNI_COMMAND; returns the process's exit status. */
int cni_main(void);

#endif
