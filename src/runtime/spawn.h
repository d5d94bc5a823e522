/* Starting a container's first process in new PID, UTS, mount and IPC
 * namespaces, inside a given network namespace. */
#ifndef BERTH_RUNTIME_SPAWN_H
#define BERTH_RUNTIME_SPAWN_H

#include "berth.h"
#include "runtime/caps.h"

#include <sys/types.h>

/* What a container's processes may do: set right before their exec. */
typedef struct spawn_privs {
	cap_mask caps;
	bool no_new_privs;
} spawn_privs;

typedef struct spawn_opts {
	char *const *argv;
	char *const *envp;
	const char *hostname;
	int netns_fd;        /* -1: stay in the caller's network namespace */
	const char *rootfs;  /* NULL: the host's files in a private mount namespace */
	const char *etc_dir; /* hosts, hostname, resolv.conf to bind over /etc; NULL: none */
	int stdio[3];        /* -1: inherit */
	/* The mount namespace the container's is copied from (see
	 * runtime/mntns.h), not the caller's, whose mount table grows with
	 * every sandbox. */
	int mntns_fd;
	spawn_privs privs;
} spawn_opts;

/* Returns once CMD has been exec'd (or failed to be: then the error says
 * why and *exec_failed is the exit code a shell would give, 126 or 127). */
int spawn_container(const spawn_opts *o, pid_t *pid, int *exec_failed, berth_err *err);

/* Runs argv in the namespaces of process `target` (net, uts, ipc, mnt,
 * pid) with `privs`, and no descriptor of ours but 0-2, in a child;
 * returns the child's pid. */
int spawn_in_namespaces(pid_t target, char *const *argv, char *const *envp, const spawn_privs *privs, pid_t *pid,
			berth_err *err);

/* The exit code a shell reports for a wait status. */
int exit_code_of(int status);

#endif
