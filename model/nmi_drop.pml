/*
 * Promela model of the NMI teardown protocol of kernel/bpf/nmi_drop.c and
 * its caller __bpf_obj_drop_impl() (kernel/bpf/helpers.c), as changed by
 * patch 1 of the series.
 *
 * 2 CPUs. On each CPU four contexts: process context (drops objects
 * inline; on CPU 1 it also unloads the program once the NMIs are over,
 * dropping the program's BTF reference), the RCU callback that
 * btf_put_hardirq() leaves the last BTF reference to (softirq), the hard
 * irq_work (bpf_nmi_drop_run), and NMI, which can come between any two
 * steps of the others, but does not nest. The hard irq_work interrupts
 * process context and runs only on its own CPU.
 *
 * Objects (NOBJ = 3):
 *   obj 0: one reference, dropped in NMI on CPU 0
 *   obj 1: one reference, dropped in NMI on CPU 1
 *   obj 2: bpf_refcount with two references: one dropped in process
 *          context on CPU 0, one in NMI on CPU 1, in any order
 * Up to two more NMIs per CPU arrive with nothing to drop, at any point
 * (a bound, so that an endless NMI storm does not count as a lost object).
 *
 * Checked: no object torn down twice or in NMI, no last BTF put in hard
 * irq or NMI, no node linked twice (the capacity: one node per object,
 * used once) (assertions); no lost object and the BTF references all
 * returned (LTL, weak fairness); no deadlock (spin's invalid end states).
 */
#define NCPU 2
#define NOBJ 3
#define NIL 255

byte refcnt[NOBJ];		/* owning references; obj 2 starts at 2 */
byte torn[NOBJ];		/* bpf_obj_free_fields() + free calls */
byte linked[NOBJ];		/* node on some per-CPU list */
byte next[NOBJ];		/* bpf_nmi_drop.node.next */
byte head[NCPU];		/* bpf_nmi_drop_queue.list.first */
bool pending[NCPU];		/* irq_work PENDING bit */
bool in_nmi[NCPU];
bool in_irq[NCPU];
byte btf_refs;			/* references taken by bpf_obj_drop_nmi() */
bool prog_ref = 1;		/* the program's reference to the same BTF */
byte nmis_over;			/* CPUs whose NMIs are all done */
byte rcu_cbs[NCPU];		/* btf_put_rcu() callbacks queued, per CPU */
byte ntorn;

/* Context guards: a step of a context runs only when no context that
 * interrupts it is active on that CPU.
 */
#define PROC(c)	(!in_nmi[c] && !in_irq[c])
#define IRQ(c)	(!in_nmi[c])

/* Each step of a context is guarded by G, which holds only while no
 * context that interrupts it is active on its CPU (NMI: always true).
 */

/* teardown: bpf_obj_free_fields() (inline: and the free), one step: it
 * touches no state of the protocol.
 */
inline teardown(o, c, G)
{
	d_step {
		G;
		assert(!in_nmi[c]);
		assert(torn[o] == 0);
		torn[o]++;
		ntorn++
	}
}

/* bpf_obj_drop_nmi(): btf_get(); node->rec = rec;
 * llist_add(&node->node, &q->list); irq_work_queue(&q->work);
 * (CPUs are always online here; the harness covers hotplug.)
 * llist_add() is a cmpxchg loop: read first, write next, cmpxchg.
 */
inline drop_nmi(o, c, G)
{
	G -> btf_refs++;				/* btf_get(rec->btf) */
	G -> d_step { assert(!linked[o]); linked[o] = 1 };	/* node->rec = rec */
retry:
	G -> first = head[c];				/* first = READ_ONCE(head->first) */
	G -> next[o] = first;				/* new->next = first */
	d_step {					/* try_cmpxchg(&head->first, &first, new) */
		G;
		if
		:: head[c] == first -> head[c] = o; ok = 1
		:: else -> ok = 0
		fi
	};
	if
	:: !ok -> goto retry
	:: else -> skip
	fi;
	d_step {					/* irq_work_queue(): no-op while pending */
		G;
		if
#ifdef MUTANT_LOST_WAKEUP
		/* wrong: queue only when the list already had entries */
		:: first != NIL && !pending[c] -> pending[c] = 1
#else
		:: !pending[c] -> pending[c] = 1
#endif
		:: else -> skip
		fi
	}
}

/* __bpf_obj_drop_impl(): refcount_dec_and_test(); then in NMI
 * bpf_obj_drop_nmi(), else the teardown inline. NMI says which context
 * the caller is (in_nmi() of that context, not of whatever is running).
 */
inline drop(o, c, G, NMI)
{
	d_step { G; refcnt[o]--; left = refcnt[o] };	/* refcount_dec_and_test() */
	if
	:: left > 0 -> skip
#ifdef MUTANT_INLINE
	/* wrong: the teardown runs where the last reference goes, NMI too */
	:: left == 0 -> teardown(o, c, G)
#else
	:: left == 0 && NMI -> drop_nmi(o, c, G)
	:: left == 0 && !NMI -> teardown(o, c, G)
#endif
	fi
}

proctype nmi(byte c)
{
	bool done0 = 0, done2 = 0, ok;
	byte idle = 0;
	byte first, left;

	do
	:: atomic { !in_nmi[c] && (!done0 || (c == 1 && !done2) || idle < 2) ->
			in_nmi[c] = 1 };	/* NMI entry */
		if
		:: c == 0 && !done0 -> drop(0, c, true, 1); done0 = 1
		:: c == 1 && !done0 -> drop(1, c, true, 1); done0 = 1
		:: c == 1 && !done2 -> drop(2, c, true, 1); done2 = 1
		:: idle < 2 -> idle++	/* an NMI with nothing to drop */
		fi;
		in_nmi[c] = 0			/* NMI exit */
	:: (c == 0 && done0) || (c == 1 && done0 && done2) -> break
	od;
	nmis_over++
}

proctype process(byte c)
{
	bool ok;
	byte first, left;

	if
	:: c == 0 -> drop(2, c, PROC(c), 0)
	:: else ->	/* the program is unloaded: btf_put() of its reference */
		d_step { PROC(c) && nmis_over == NCPU -> prog_ref = 0 }
	fi
}

/* bpf_nmi_drop_run(): the irq_work core clears PENDING, then the callback
 * takes the whole list with llist_del_all() and walks the private batch.
 */
proctype irq_work(byte c)
{
	byte batch, pos, nxt;

end:	do
	:: atomic { IRQ(c) && pending[c] && PROC(c) -> in_irq[c] = 1; pending[c] = 0 };
		d_step { IRQ(c); batch = head[c]; head[c] = NIL };	/* llist_del_all() */
		pos = batch;
		do
		:: pos == NIL -> break
		:: pos != NIL ->
			IRQ(c) -> nxt = next[pos];	/* llist_for_each_safe: next first */
			IRQ(c) -> linked[pos] = 0;
			teardown(pos, c, IRQ(c));	/* bpf_obj_free_fields(), bpf_mem_free_rcu() */
			d_step {			/* btf_put_hardirq(): refcount_dec_not_one() */
				IRQ(c);
				if
				:: btf_refs > 1 || prog_ref -> btf_refs--
				:: else -> rcu_cbs[c]++	/* the last one: call_rcu() */
				fi
			};
			pos = nxt
		od;
		IRQ(c) -> in_irq[c] = 0
	od
}

/* btf_put_rcu(): an RCU callback, softirq on the same CPU: the last
 * btf_put(), which takes btf_idr_lock, never in hard irq or NMI.
 */
proctype rcu(byte c)
{
end:	do
	:: d_step { PROC(c) && rcu_cbs[c] > 0 ->
		assert(!in_irq[c] && !in_nmi[c]);
		assert(btf_refs == 1 && !prog_ref);
		rcu_cbs[c]--; btf_refs-- }
	od
}

init {
	byte c;

	atomic {
		refcnt[0] = 1; refcnt[1] = 1; refcnt[2] = 2;
		head[0] = NIL; head[1] = NIL;
		next[0] = NIL; next[1] = NIL; next[2] = NIL;
		for (c : 0 .. NCPU - 1) {
			run irq_work(c);
			run rcu(c);
			run nmi(c);
			run process(c)
		}
	}
}

ltl all_torn_down { <> (ntorn == NOBJ && btf_refs == 0 && !prog_ref) }
