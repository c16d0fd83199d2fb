// SPDX-License-Identifier: GPL-2.0
/* Cost of kptr destructor handling: see benchs/bench_kptr_dtor.c. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_experimental.h"

#define BATCH 64

struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;

struct val {
	struct task_struct __kptr *task;
};

struct holder {
	struct task_struct __kptr *task;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct val);
} vals SEC(".maps");

long hits;
long errors;

/* Store a reference to the current task in the map value. */
SEC("syscall")
int xchg_setup(void *ctx)
{
	struct task_struct *t;
	int key = 0;
	struct val *v;

	v = bpf_map_lookup_elem(&vals, &key);
	if (!v)
		return 1;
	t = bpf_task_acquire(bpf_get_current_task_btf());
	if (!t)
		return 1;
	t = bpf_kptr_xchg(&v->task, t);
	if (t)
		bpf_task_release(t);
	return 0;
}

/* (a) Take the task reference out of the map value and put it back. */
SEC("syscall")
int xchg_task(void *ctx)
{
	struct task_struct *t;
	int key = 0, i;
	struct val *v;

	v = bpf_map_lookup_elem(&vals, &key);
	if (!v)
		return 1;
	bpf_for(i, 0, BATCH) {
		t = bpf_kptr_xchg(&v->task, NULL);
		if (!t) {
			__sync_fetch_and_add(&errors, 1);
			return 1;
		}
		t = bpf_kptr_xchg(&v->task, t);
		if (t) {
			bpf_task_release(t);
			__sync_fetch_and_add(&errors, 1);
			return 1;
		}
	}
	__sync_fetch_and_add(&hits, 2 * BATCH);
	return 0;
}

/* (b) Make an object holding a task reference and drop it. */
SEC("syscall")
int obj_churn(void *ctx)
{
	struct task_struct *t;
	struct holder *o;
	int i;

	bpf_for(i, 0, BATCH) {
		o = bpf_obj_new(typeof(*o));
		if (!o) {
			__sync_fetch_and_add(&errors, 1);
			return 1;
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

char _license[] SEC("license") = "GPL";
