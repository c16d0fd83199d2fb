/* SPDX-License-Identifier: GPL-2.0 */
/* The parts of include/linux/bpf.h that nmi_drop.c uses, as the series
 * defines them.
 */
#ifndef HARNESS_BPF_H
#define HARNESS_BPF_H
#include "harness.h"
#include "llist.h"
#include "btf.h"
#include "rcupdate.h"

struct btf_record {
	int nmi_drop_off;
	struct btf *btf;
};

struct bpf_nmi_drop {
	struct llist_node node;
	const struct btf_record *rec;
};

void bpf_obj_free_fields(const struct btf_record *rec, void *obj);
void bpf_obj_drop_nmi(void *obj, const struct btf_record *rec);
#endif
