/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HARNESS_BPF_MEM_ALLOC_H
#define HARNESS_BPF_MEM_ALLOC_H
struct bpf_mem_alloc {
	int unused;
};
extern struct bpf_mem_alloc bpf_global_ma;
void bpf_mem_free_rcu(struct bpf_mem_alloc *ma, void *ptr);
#endif
