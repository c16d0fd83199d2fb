// SPDX-License-Identifier: GPL-2.0
/*
 * Local objects holding task and cgroup references dropped in NMI
 * (tp_btf/nmi_handler) and with interrupts off (fentry on
 * bpf_testmod_irqs_off_fn()). The objects hold the last references of
 * victims, or references to the current task; the detectors in
 * kptr_dtor_nmi_common.h count the last puts.
 */
#include "kptr_dtor_nmi_common.h"

#define NEW_PER_NMI	8

u64 cgrp_id;	/* the test's cgroup, for objects made in process context */

struct {
	u64 created;	/* references to the current task stored in objects */
	u64 cgrp_refs;	/* references to cgrp_id stored in objects */
	u64 insert_failed;	/* list insertion failures in NMI */
	u64 drained;	/* nodes taken out of the list */
} own;

/* The list that DO_LIST's nodes are in, and DO_LIST_ADD's are not. */
SEC(".data.L") __hidden __attribute__((aligned(8))) struct bpf_spin_lock list_lock;
SEC(".data.L") __hidden __attribute__((aligned(8)))
struct bpf_list_head nodes __contains(task_node, node);

/*
 * Each type has a subprogram that drops its objects, called from every
 * place that drops one: the verifier refuses one bpf_obj_drop() call
 * instruction reached with two types (it would run with the record of
 * one of them), and clang merges identical calls within a function.
 */
#define DROPPER(type)						\
static __noinline int drop_##type(struct type *o)		\
{								\
	if (!o)							\
		return 0;					\
	bpf_obj_drop(o);					\
	return 1;						\
}

DROPPER(single)
DROPPER(inner)
DROPPER(outer)
DROPPER(shared)
DROPPER(task_node)

/* The slot's victim reference, or a new one to the current task. */
static __always_inline struct task_struct *take_task(struct slot *s)
{
	struct task_struct *t = bpf_kptr_xchg(&s->task, NULL);

	if (t)
		return t;
	t = bpf_task_acquire(bpf_get_current_task_btf());
	if (t)
		__sync_fetch_and_add(&own.created, 1);
	return t;
}

static __always_inline int give_task(struct task_struct __kptr **field, struct task_struct *t)
{
	if (!t)
		return -1;
	t = bpf_kptr_xchg(field, t);
	if (t) {
		bpf_task_release(t);
		return -1;
	}
	return 0;
}

/* @s: a slot whose victims the object takes, or NULL; @live: without a
 * victim cgroup, take a reference to cgrp_id, which is not removed (process
 * context only: bpf_cgroup_from_id() is not for NMI).
 */
static __always_inline struct single *new_single(struct slot *s, bool live)
{
	struct single *o;
	struct cgroup *c = NULL;
	struct task_struct *t;

	o = bpf_obj_new(typeof(*o));
	if (!o)
		return NULL;
	if (s) {
		t = take_task(s);
		c = bpf_kptr_xchg(&s->cgrp, NULL);
		if (!c && live && cgrp_id) {
			c = bpf_cgroup_from_id(cgrp_id);
			if (c)
				__sync_fetch_and_add(&own.cgrp_refs, 1);
		}
	} else {
		t = bpf_task_acquire(bpf_get_current_task_btf());
		if (t)
			__sync_fetch_and_add(&own.created, 1);
	}
	if (give_task(&o->task, t)) {
		if (c)
			bpf_cgroup_release(c);
		drop_single(o);
		return NULL;
	}
	if (c) {
		c = bpf_kptr_xchg(&o->cgrp, c);
		if (c)
			bpf_cgroup_release(c);
	}
	return o;
}

/* A list node holding the slot's victim, or a reference to the current
 * task; NULL on failure.
 */
static __always_inline struct task_node *new_task_node(struct slot *s)
{
	struct task_node *n = bpf_obj_new(typeof(*n));

	if (!n)
		return NULL;
	if (give_task(&n->task, take_task(s))) {
		drop_task_node(n);
		return NULL;
	}
	return n;
}

/* Put @n into the empty slot field @field; -1 if @n is NULL or the field
 * was not empty.
 */
static __always_inline int stash_task_node(struct task_node __kptr **field, struct task_node *n)
{
	if (!n)
		return -1;
	n = bpf_kptr_xchg(field, n);
	if (n) {
		drop_task_node(n);
		return -1;
	}
	return 0;
}

static __always_inline int fill_slot(struct slot *s, int mode)
{
	struct shared *sh, *sh2;
	struct outer *out;
	struct inner *in;
	struct single *o;

	if (mode & DO_SINGLE) {
		o = new_single(s, mode & DO_CGRP);
		if (!o)
			return -1;
		o = bpf_kptr_xchg(&s->single, o);
		if (drop_single(o))
			return -1;
	}
	if (mode & DO_OUTER) {
		out = bpf_obj_new(typeof(*out));
		if (!out)
			return -1;
		in = bpf_obj_new(typeof(*in));
		if (!in) {
			drop_outer(out);
			return -1;
		}
		if (give_task(&in->task, take_task(s))) {
			drop_inner(in);
			drop_outer(out);
			return -1;
		}
		in = bpf_kptr_xchg(&out->inner, in);
		if (in)
			drop_inner(in);
		out = bpf_kptr_xchg(&s->outer, out);
		if (out) {
			drop_outer(out);
			return -1;
		}
	}
	if (mode & DO_LIST) {
		struct task_node *n, *m;

		n = new_task_node(s);
		if (!n)
			return -1;
		m = bpf_refcount_acquire(n);
		bpf_spin_lock(&list_lock);
		bpf_list_push_front(&nodes, &n->node);
		bpf_spin_unlock(&list_lock);
		if (!m || stash_task_node(&s->tnode, m))
			return -1;
	}
	if (mode & DO_LIST_ADD) {
		if (stash_task_node(&s->tnode, new_task_node(s)) ||
		    stash_task_node(&s->tprev, bpf_obj_new(struct task_node)))
			return -1;
	}
	if (mode & DO_SHARED0) {
		sh = bpf_obj_new(typeof(*sh));
		if (!sh)
			return -1;
		if (give_task(&sh->task, take_task(s))) {
			drop_shared(sh);
			return -1;
		}
		sh2 = bpf_refcount_acquire(sh);
		sh = bpf_kptr_xchg(&s->shared0, sh);
		if (sh)
			drop_shared(sh);
		if (!sh2)
			return -1;
		sh2 = bpf_kptr_xchg(&s->shared1, sh2);
		if (sh2) {
			drop_shared(sh2);
			return -1;
		}
	}
	return 0;
}

/* Process context: put objects into @args->n slots from @args->slot, with
 * the slots' victims, or references to the current task.
 */
SEC("syscall")
int fill(struct args *args)
{
	int i;

	bpf_for(i, 0, args->n) {
		int key = args->slot + i;
		struct slot *s = bpf_map_lookup_elem(&slots, &key);

		if (!s || fill_slot(s, args->mode))
			return -1;
	}
	return 0;
}

static __always_inline void drop_all(int mode)
{
	struct single *o;
	int i;

	bpf_for(i, 0, ctl.slots_per_cpu) {
		struct slot *s = cpu_slot(i);

		if (!s) {
			err();
			return;
		}
		if (mode & DO_SINGLE) {
			o = bpf_kptr_xchg(&s->single, NULL);
			if (drop_single(o))
				__sync_fetch_and_add(&ctl.released, 1);
		}
		if ((mode & DO_OUTER) && drop_outer(bpf_kptr_xchg(&s->outer, NULL)))
			__sync_fetch_and_add(&ctl.released, 1);
		if ((mode & DO_SHARED0) && drop_shared(bpf_kptr_xchg(&s->shared0, NULL)))
			__sync_fetch_and_add(&ctl.released, 1);
		if ((mode & DO_SHARED1) && drop_shared(bpf_kptr_xchg(&s->shared1, NULL)))
			__sync_fetch_and_add(&ctl.released, 1);
		if (mode & DO_LIST) {
			/* The node is in the list: the insertion fails and
			 * drops this reference, not the last one.
			 */
			struct task_node *m = bpf_kptr_xchg(&s->tnode, NULL);

			if (m) {
				bpf_spin_lock(&list_lock);
				if (bpf_list_push_front(&nodes, &m->node))
					__sync_fetch_and_add(&own.insert_failed, 1);
				bpf_spin_unlock(&list_lock);
				__sync_fetch_and_add(&ctl.released, 1);
			}
		}
		if (mode & DO_LIST_ADD) {
			/* The node to insert after is in no list: the
			 * insertion fails and frees the node, whose task
			 * reference is the victim's last.
			 */
			struct task_node *m = bpf_kptr_xchg(&s->tnode, NULL);
			struct task_node *p = bpf_kptr_xchg(&s->tprev, NULL);

			if (m && p) {
				bpf_spin_lock(&list_lock);
				if (bpf_list_add(&nodes, &m->node, &p->node))
					__sync_fetch_and_add(&own.insert_failed, 1);
				bpf_spin_unlock(&list_lock);
				__sync_fetch_and_add(&ctl.released, 1);
			} else {
				drop_task_node(m);
				err();
			}
			drop_task_node(p);
		}
	}
	if (mode & DO_NEW) {
		bpf_for(i, 0, NEW_PER_NMI) {
			o = new_single(NULL, false);
			if (!o) {
				err();
				continue;
			}
			if (drop_single(o))
				__sync_fetch_and_add(&ctl.released, 1);
		}
	}
}

SEC("tp_btf/nmi_handler")
int BPF_PROG(drop_in_nmi, void *handler, s64 delta_ns, int handled)
{
	if (our_nmi(handler, handled))
		drop_all(ctl.nmi_mode);
	return 0;
}

SEC("fentry/bpf_testmod_irqs_off_fn")
int BPF_PROG(drop_irqs_off)
{
	int zero = 0, *in_fn = bpf_map_lookup_elem(&irqs_off_fn, &zero);

	if (!ctl.irqs_off_mode)
		return 0;
	if (!in_fn) {
		err();
		return 0;
	}
	*in_fn = 1;
	drop_all(ctl.irqs_off_mode);
	*in_fn = 0;
	return 0;
}

/* bpf_obj_new() in NMI only takes objects from this CPU's cache in the BPF
 * memory allocator, which starts with 4 objects of each small size and is
 * refilled by an irq_work that cannot run inside an NMI: NEW_PER_NMI
 * objects made in the first NMI on a CPU would not all be there. An
 * allocation here makes that irq_work fill the cache to at least its low
 * watermark (32 objects for this size) before that NMI.
 */
SEC("syscall")
int warm_cache(void *ctx)
{
	struct single *o = bpf_obj_new(typeof(*o));

	if (!o)
		return -1;
	bpf_obj_drop(o);
	return 0;
}

/* Process context: make and drop objects, their teardown runs inline. */
SEC("syscall")
int churn(void *ctx)
{
	struct single *o;
	struct cgroup *c;
	int i;

	bpf_for(i, 0, 8) {
		o = new_single(NULL, false);
		if (!o) {
			err();
			continue;
		}
		c = cgrp_id ? bpf_cgroup_from_id(cgrp_id) : NULL;
		if (c) {
			c = bpf_kptr_xchg(&o->cgrp, c);
			if (c)
				bpf_cgroup_release(c);
			else
				__sync_fetch_and_add(&own.cgrp_refs, 1);
		}
		drop_single(o);
	}
	return 0;
}

/* Process context: take the nodes out of the list and drop them, the last
 * references.
 */
SEC("syscall")
int drain(void *ctx)
{
	struct bpf_list_node *ln;
	int i;

	bpf_for(i, 0, 4096) {
		bpf_spin_lock(&list_lock);
		ln = bpf_list_pop_front(&nodes);
		bpf_spin_unlock(&list_lock);
		if (!ln)
			break;
		drop_task_node(container_of(ln, struct task_node, node));
		__sync_fetch_and_add(&own.drained, 1);
	}
	return 0;
}

/* References to the current task held through rcu_users, as
 * bpf_task_acquire() takes them.
 */
SEC("syscall")
int task_refs(void *ctx)
{
	return bpf_get_current_task_btf()->rcu_users.refs.counter;
}

char _license[] SEC("license") = "GPL";
