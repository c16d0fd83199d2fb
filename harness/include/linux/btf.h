/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HARNESS_BTF_H
#define HARNESS_BTF_H
#include "rcupdate.h"
struct btf {
	long refcnt;
	struct rcu_head rcu;
};
void btf_get(struct btf *btf);
void btf_put(struct btf *btf);
void btf_put_hardirq(struct btf *btf);
#endif
