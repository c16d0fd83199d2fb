// SPDX-License-Identifier: GPL-2.0
/*
 * Task and cgroup kptrs taken out of a map with bpf_kptr_xchg() and
 * released by the program itself, in NMI (tp_btf/nmi_handler) and with
 * interrupts off (fentry on bpf_testmod_irqs_off_fn()). The map holds the
 * last references of victims; the detectors in kptr_dtor_nmi_common.h
 * count the last puts. These programs load on kernels without the
 * deferral too, where the detectors see the last puts in NMI.
 */
#include "kptr_dtor_nmi_common.h"

static __always_inline void release_all(int mode)
{
	int i;

	bpf_for(i, 0, ctl.slots_per_cpu) {
		struct slot *s = cpu_slot(i);
		struct task_struct *t;
		struct cgroup *c;

		if (!s) {
			err();
			return;
		}
		if (mode & DO_TASK) {
			t = bpf_kptr_xchg(&s->task, NULL);
			if (t) {
				bpf_task_release(t);
				__sync_fetch_and_add(&ctl.released, 1);
			}
		}
		if (mode & DO_CGRP) {
			c = bpf_kptr_xchg(&s->cgrp, NULL);
			if (c) {
				bpf_cgroup_release(c);
				__sync_fetch_and_add(&ctl.released, 1);
			}
		}
	}
}

SEC("tp_btf/nmi_handler")
int BPF_PROG(release_in_nmi, void *handler, s64 delta_ns, int handled)
{
	if (our_nmi(handler, handled))
		release_all(ctl.nmi_mode);
	return 0;
}

SEC("fentry/bpf_testmod_irqs_off_fn")
int BPF_PROG(release_irqs_off)
{
	int zero = 0, *in_fn = bpf_map_lookup_elem(&irqs_off_fn, &zero);

	if (!ctl.irqs_off_mode)
		return 0;
	if (!in_fn) {
		err();
		return 0;
	}
	*in_fn = 1;
	release_all(ctl.irqs_off_mode);
	*in_fn = 0;
	return 0;
}

char _license[] SEC("license") = "GPL";
