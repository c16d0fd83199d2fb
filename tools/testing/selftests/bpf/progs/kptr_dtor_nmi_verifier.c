// SPDX-License-Identifier: GPL-2.0
/*
 * Which local object types tracing programs may drop: referenced kptrs
 * of types whose destructors may run in hard irq are accepted (in NMI
 * they are deferred), graph roots and other kptr types are not.
 * tp_btf/task_newtask stands for any tracing program: the check does not
 * depend on the attach point.
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;

struct task_holder {
	struct task_struct __kptr *task;
};

struct cgrp_holder {
	struct cgroup __kptr *cgrp;
};

struct nested {
	struct task_holder __kptr *inner;
};

/* kfree_skb() must not run in hard irq: sk_buff is not on the list. */
struct skb_holder {
	struct sk_buff __kptr *skb;
};

struct counted {
	struct task_struct __kptr *task;
	struct bpf_refcount ref;
};

struct elem {
	long v;
	struct bpf_list_node node;
};

struct rb_elem {
	long v;
	struct bpf_rb_node node;
};

struct with_list {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(elem, node);
	struct task_struct __kptr *task;
};

struct with_rb {
	struct bpf_spin_lock lock;
	struct bpf_rb_root root __contains(rb_elem, node);
};

struct holds_rb {
	struct with_rb __kptr *inner;
};

/* Make clang emit the BTF of the __contains() value types. */
struct elem *elem_btf;
struct rb_elem *rb_elem_btf;

SEC("tp_btf/task_newtask")
__success
int BPF_PROG(drop_empty_task_holder, struct task_struct *task, u64 clone_flags)
{
	struct task_holder *o = bpf_obj_new(typeof(*o));

	if (o)
		bpf_obj_drop(o);
	return 0;
}

SEC("tp_btf/task_newtask")
__success
int BPF_PROG(drop_task_holder, struct task_struct *task, u64 clone_flags)
{
	struct task_holder *o = bpf_obj_new(typeof(*o));
	struct task_struct *t;

	if (!o)
		return 0;
	t = bpf_task_acquire(task);
	if (t) {
		t = bpf_kptr_xchg(&o->task, t);
		if (t)
			bpf_task_release(t);
	}
	bpf_obj_drop(o);
	return 0;
}

SEC("tp_btf/task_newtask")
__success
int BPF_PROG(drop_cgrp_holder_tp, struct task_struct *task, u64 clone_flags)
{
	struct cgrp_holder *o = bpf_obj_new(typeof(*o));

	if (o)
		bpf_obj_drop(o);
	return 0;
}

SEC("tp_btf/task_newtask")
__success
int BPF_PROG(drop_nested_tp, struct task_struct *task, u64 clone_flags)
{
	struct nested *o = bpf_obj_new(typeof(*o));
	struct task_holder *in;

	if (!o)
		return 0;
	in = bpf_obj_new(typeof(*in));
	if (in) {
		in = bpf_kptr_xchg(&o->inner, in);
		if (in)
			bpf_obj_drop(in);
	}
	bpf_obj_drop(o);
	return 0;
}

SEC("tp_btf/task_newtask")
__success
int BPF_PROG(drop_refcounted_tp, struct task_struct *task, u64 clone_flags)
{
	struct counted *o = bpf_obj_new(typeof(*o)), *o2;

	if (!o)
		return 0;
	o2 = bpf_refcount_acquire(o);
	bpf_obj_drop(o);
	bpf_obj_drop(o2);
	return 0;
}

SEC("tp_btf/task_newtask")
__failure __msg("bpf_obj_drop cannot be used in tracing programs on types with NMI unsafe fields")
int BPF_PROG(drop_list_head_tp, struct task_struct *task, u64 clone_flags)
{
	struct with_list *o = bpf_obj_new(typeof(*o));

	if (o)
		bpf_obj_drop(o);
	return 0;
}

SEC("tp_btf/task_newtask")
__failure __msg("bpf_obj_drop cannot be used in tracing programs on types with NMI unsafe fields")
int BPF_PROG(drop_nested_rb_root_tp, struct task_struct *task, u64 clone_flags)
{
	struct holds_rb *o = bpf_obj_new(typeof(*o));

	if (o)
		bpf_obj_drop(o);
	return 0;
}

SEC("tp_btf/task_newtask")
__failure __msg("bpf_obj_drop cannot be used in tracing programs on types with NMI unsafe fields")
int BPF_PROG(drop_skb_holder_tp, struct task_struct *task, u64 clone_flags)
{
	struct skb_holder *o = bpf_obj_new(typeof(*o));

	if (o)
		bpf_obj_drop(o);
	return 0;
}

/* Not a tracing program: nothing changes there. */
SEC("tc")
__success
int drop_list_head_tc(void *ctx)
{
	struct with_list *o = bpf_obj_new(typeof(*o));

	if (o)
		bpf_obj_drop(o);
	return 0;
}

char _license[] SEC("license") = "GPL";
