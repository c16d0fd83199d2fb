/* SPDX-License-Identifier: GPL-2.0 */
/* CPU hotplug: harness.c keeps the callbacks registered for the two
 * dynamic states and calls them where the kernel does: the teardown of
 * CPUHP_BP_PREPARE_DYN on another CPU once the CPU is dead, the startup
 * of CPUHP_AP_ONLINE_DYN on the CPU that came online.
 */
#ifndef HARNESS_CPUHOTPLUG_H
#define HARNESS_CPUHOTPLUG_H
#include "harness.h"

enum cpuhp_state {
	CPUHP_BP_PREPARE_DYN = 40,
	CPUHP_BP_PREPARE_DYN_END = 60,
	CPUHP_AP_ONLINE_DYN = 200,
	CPUHP_AP_ONLINE_DYN_END = 240,
};

int cpuhp_setup_state_nocalls(enum cpuhp_state state, const char *name,
			      int (*startup)(unsigned int cpu),
			      int (*teardown)(unsigned int cpu));
void cpuhp_remove_state_nocalls(enum cpuhp_state state);
#endif
