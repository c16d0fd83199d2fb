// SPDX-License-Identifier: GPL-2.0
/* (c) Objects holding a task reference dropped in NMI: drops per second and
 * the time from the NMI program's first drop to each destructor's end.
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_experimental.h"
#include "../test_kmods/bpf_testmod_kfunc.h"

#define BATCH 64

struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;

struct holder {
	struct task_struct __kptr *task;
};

u64 nmi_handler_addr;
u64 bench_task;		/* the producer thread's task_struct */
long hits;
long errors;
u64 drop_start_ns;
u64 lat_sum_ns;
u64 lat_cnt;

SEC("syscall")
int raise_nmi(void *ctx)
{
	bench_task = (u64)bpf_get_current_task_btf();
	return bpf_kfunc_raise_nmi();
}

SEC("tp_btf/nmi_handler")
int BPF_PROG(drop_in_nmi, void *handler, s64 delta_ns, int handled)
{
	struct task_struct *t;
	struct holder *o;
	int i;

	/* Every NMI runs every NMI_LOCAL handler: only the ones bpf_testmod
	 * raised are claimed by its handler.
	 */
	if ((u64)handler != nmi_handler_addr || !handled)
		return 0;
	drop_start_ns = bpf_ktime_get_ns();
	bpf_for(i, 0, BATCH) {
		o = bpf_obj_new(typeof(*o));
		if (!o) {
			__sync_fetch_and_add(&errors, 1);
			return 0;
		}
		t = bpf_task_acquire(bpf_get_current_task_btf());
		if (t) {
			t = bpf_kptr_xchg(&o->task, t);
			if (t)
				bpf_task_release(t);
		}
		bpf_obj_drop(o);
	}
	__sync_fetch_and_add(&hits, BATCH);
	return 0;
}

SEC("fexit/bpf_task_release_dtor")
int BPF_PROG(dtor_done, void *p)
{
	if ((u64)p != bench_task)
		return 0;
	__sync_fetch_and_add(&lat_sum_ns, bpf_ktime_get_ns() - drop_start_ns);
	__sync_fetch_and_add(&lat_cnt, 1);
	return 0;
}

char _license[] SEC("license") = "GPL";
