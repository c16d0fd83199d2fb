/* SPDX-License-Identifier: GPL-2.0 */
/* migrate_disable(): a harness "CPU" thread never migrates; checks only
 * that the calls pair up.
 */
#ifndef HARNESS_PREEMPT_H
#define HARNESS_PREEMPT_H
#include "harness.h"

extern __thread int harness_migrate_disabled;

static inline void migrate_disable(void)
{
	harness_migrate_disabled++;
}

static inline void migrate_enable(void)
{
	harness_migrate_disabled--;
}
#endif
