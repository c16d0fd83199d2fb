/* SPDX-License-Identifier: GPL-2.0 */
/* CPU hotplug and initcalls: harness_cpu_dead() calls the teardown
 * callback of the CPUHP_BP_PREPARE_DYN state for a CPU whose thread has
 * stopped, harness_cpu_online() the startup callback of the
 * CPUHP_AP_ONLINE_DYN state on a CPU that came back; initcalls run at
 * start.
 */
#ifndef HARNESS_CPUHOTPLUG_H
#define HARNESS_CPUHOTPLUG_H
#include "harness.h"

#define CPUHP_BP_PREPARE_DYN 1
#define CPUHP_AP_ONLINE_DYN 2
#define __init
#define late_initcall(fn) \
	static void __attribute__((constructor)) fn##_ctor(void) { fn(); }

int cpuhp_setup_state_nocalls(int state, const char *name,
			      int (*startup)(unsigned int cpu),
			      int (*teardown)(unsigned int cpu));
static inline void cpuhp_remove_state_nocalls(int state) { (void)state; }
void harness_cpu_dead(unsigned int cpu);
void harness_cpu_online(unsigned int cpu);
#endif
