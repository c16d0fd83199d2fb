// SPDX-License-Identifier: GPL-2.0-only
/*
 * Teardown of BPF local objects dropped in NMI.
 *
 * Dropping the last owning reference to a local object (bpf_obj_drop(),
 * the last bpf_refcount reference, a failed list or rbtree insertion)
 * runs bpf_obj_free_fields(), which calls the destructor of every
 * referenced kptr the object holds: put_task_struct_rcu_user() and
 * bpf_crypto_ctx_release() reach call_rcu(), cgroup_put() can queue work.
 * None of that may run in NMI. In NMI the whole teardown of the object is
 * therefore handed to a per-CPU hard irq_work, which runs it right after
 * the NMI returns, in hard interrupt context.
 *
 * Capacity, by construction: every object whose type can need this
 * (btf_record::nmi_drop_off >= 0) is allocated by bpf_obj_new() with a
 * struct bpf_nmi_drop behind its last member. The NMI path writes that
 * node and links it; it never allocates, takes no lock and has no failure
 * case, whatever the number of objects dropped in one NMI. An object is
 * queued at most once because only the holder of its last owning
 * reference queues it, and the node is unused before that.
 *
 * Interleavings:
 * - NMI on the same CPU in the middle of the worker: the worker only
 *   takes the whole list with llist_del_all() and then walks its private
 *   batch; llist_add() from NMI against llist_del_all() is the lock-free
 *   pairing llist supports. A node added after the del_all either finds
 *   the list empty and queues the irq_work again (it is no longer
 *   pending while its callback runs), or finds it non-empty, in which
 *   case the NMI that made it non-empty has queued it.
 * - NMI nesting: NMIs do not nest, so the llist_add() and irq_work_queue()
 *   of one NMI are not split by another adder on the same CPU. Adders on
 *   other CPUs use their own list.
 * - Lifetime: the record lives in the BTF of the object's type. The BTF
 *   is held by the running program (directly or through a map), so it is
 *   live in NMI; the NMI path takes a reference that the worker drops
 *   after the teardown, so program, map or BTF release while a node is
 *   queued cannot free the record, the destructor or its module.
 *   The object itself is freed with bpf_mem_free_rcu() as before.
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/bpf_mem_alloc.h>
#include <linux/irq_work.h>
#include <linux/llist.h>
#include <linux/percpu.h>

struct bpf_nmi_drop_queue {
	struct llist_head list;
	struct irq_work work;
};

static void bpf_nmi_drop_run(struct irq_work *work);

static DEFINE_PER_CPU(struct bpf_nmi_drop_queue, bpf_nmi_drop_queue) = {
	.work = IRQ_WORK_INIT_HARD(bpf_nmi_drop_run),
};

static void bpf_nmi_drop_run(struct irq_work *work)
{
	struct bpf_nmi_drop_queue *q = container_of(work, struct bpf_nmi_drop_queue, work);
	struct llist_node *pos, *next;

	llist_for_each_safe(pos, next, llist_del_all(&q->list)) {
		struct bpf_nmi_drop *node = container_of(pos, struct bpf_nmi_drop, node);
		const struct btf_record *rec = node->rec;
		void *obj = (void *)node - rec->nmi_drop_off;
		struct btf *btf = rec->btf;

		/* @node lives inside @obj: nothing may touch it after the free. */
		bpf_obj_free_fields(rec, obj);
		bpf_mem_free_rcu(&bpf_global_ma, obj);
		btf_put(btf);
	}
}

/**
 * bpf_obj_drop_nmi() - tear down a local object from NMI context
 * @obj: object whose last owning reference the caller dropped
 * @rec: record of @obj's type, with @rec->nmi_drop_off >= 0
 *
 * Queue the teardown of @obj (bpf_obj_free_fields() and the free of its
 * memory) to this CPU's hard irq_work. Callable in any context; used in
 * NMI, where the destructors of @obj's kptrs must not run.
 */
void bpf_obj_drop_nmi(void *obj, const struct btf_record *rec)
{
	struct bpf_nmi_drop_queue *q = this_cpu_ptr(&bpf_nmi_drop_queue);
	struct bpf_nmi_drop *node = obj + rec->nmi_drop_off;

	btf_get(rec->btf);
	node->rec = rec;
	if (llist_add(&node->node, &q->list))
		irq_work_queue(&q->work);
}
