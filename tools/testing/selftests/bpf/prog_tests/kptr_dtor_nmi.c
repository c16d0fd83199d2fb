// SPDX-License-Identifier: GPL-2.0
/*
 * Task and cgroup references released by BPF programs in NMI and with
 * interrupts off: a program that takes a kptr out of a map and releases
 * it (kptr_dtor_nmi_release.c), or drops a local object that holds it
 * (kptr_dtor_nmi.c). The references are the last ones of "victims":
 * threads that exited and were reaped, cgroups that were removed; the
 * test waits for that by a condition before any NMI. Detectors on
 * put_task_struct_rcu_user() and css_release() count each victim's last
 * put: exactly one, never in NMI, never inside the irqs-off section, and
 * in hard irq (the irq_work) when it was deferred. NMIs come from
 * bpf_kfunc_raise_nmi() in bpf_testmod, one per CPU, so no PMU is needed;
 * it returns after the NMI and the irq_work it queued have run.
 */
#include <test_progs.h>
#include <pthread.h>
#include <sched.h>
#include <bpf/btf.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include "cgroup_helpers.h"
#include "trace_helpers.h"
#include "kptr_dtor_nmi.skel.h"
#include "kptr_dtor_nmi_release.skel.h"
#include "kptr_dtor_nmi_verifier.skel.h"

#define MAX_WORKERS	16
#define VICTIMS		8	/* per CPU; the release subtests use more */
#define MANY_VICTIMS	80	/* above the irq_work's batch of 64 */
#define NEW_PER_NMI	8	/* as in progs/kptr_dtor_nmi.c */
#define STRESS_ROUNDS	40
#define CGRP_PREFIX	"/kptr_dtor_nmi_victim"

/* As in progs/kptr_dtor_nmi_common.h. */
struct args {
	int slot;
	int n;
	int mode;
	__u64 cgrp_id;
	int refs;
};

enum {
	DO_SINGLE	= 1,
	DO_OUTER	= 2,
	DO_SHARED0	= 4,
	DO_SHARED1	= 8,
	DO_NEW		= 16,
	DO_TASK		= 32,
	DO_CGRP		= 64,
	DO_LIST		= 128,
	DO_LIST_ADD	= 256,
};

struct victim {
	__u32 last_puts;
	__u32 in_nmi;
	__u32 in_hardirq;
	__u32 in_irqs_off_fn;
};

/* ctl in progs/kptr_dtor_nmi_common.h. */
struct common_bss {
	__u64 nmi_handler_addr;
	int slots_per_cpu;
	int nmi_mode;
	int irqs_off_mode;
	__u64 nmi_runs;
	__u64 released;
	__u64 errors;
};

/* What both skeletons have, by their own fds. */
struct common {
	struct bpf_object *obj;
	int slots, cpu_base, victims;
	int victim_task, victim_cgroup, last_refs, raise_nmi, call_irqs_off;
	struct bpf_program *detectors[2];
	struct common_bss *bss;
};

static int cpus[MAX_WORKERS], nr_cpus;
static __u64 handler_addr;

static int run_prog(int fd, struct args *a)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = a, .ctx_size_in = a ? sizeof(*a) : 0);
	int err;

	err = bpf_prog_test_run_opts(fd, &opts);
	return err ?: (int)opts.retval;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* Each CPU's worker gets @n slots from i * @n and runs @fd there. */
static void set_cpu_bases(struct common *c, int n)
{
	int i, base, possible = libbpf_num_possible_cpus();

	for (i = 0; i < possible; i++) {
		base = -1;
		bpf_map_update_elem(c->cpu_base, &i, &base, BPF_ANY);
	}
	for (i = 0; i < nr_cpus; i++) {
		base = i * n;
		bpf_map_update_elem(c->cpu_base, &cpus[i], &base, BPF_ANY);
	}
	c->bss->slots_per_cpu = n;
}

struct thread {
	pthread_t tid;
	struct common *c;
	int fd, cpu, slot, rounds, ret;
	int refs_before, refs_after;	/* rcu_users of the thread itself */
	int task_refs, warm, fill;	/* kptr_dtor_nmi.c's programs, or -1 */
	int fill_mode;
};

/* A victim stores a reference to itself and exits. */
static void *victim_fn(void *arg)
{
	struct thread *t = arg;
	struct args a = { .slot = t->slot };

	t->ret = run_prog(t->c->victim_task, &a);
	return NULL;
}

/* A worker runs a program on its CPU @rounds times (filling its slots
 * first when it has a fill program), checking its own references.
 */
static void *worker_fn(void *arg)
{
	struct thread *t = arg;
	struct args a = { .slot = t->slot, .n = t->c->bss->slots_per_cpu, .mode = t->fill_mode };
	int i;

	if (t->cpu >= 0) {
		t->ret = pin(t->cpu);
		if (t->ret)
			return NULL;
	}
	if (t->warm >= 0) {
		t->ret = run_prog(t->warm, NULL);
		if (t->ret)
			return NULL;
	}
	if (t->task_refs >= 0)
		t->refs_before = run_prog(t->task_refs, NULL);
	for (i = 0; !t->ret && i < t->rounds; i++) {
		if (t->fill >= 0)
			t->ret = run_prog(t->fill, &a);
		if (!t->ret)
			t->ret = run_prog(t->fd, NULL);
	}
	if (t->task_refs >= 0)
		t->refs_after = run_prog(t->task_refs, NULL);
	return NULL;
}

static void join_all(struct thread *t, int n, const char *what)
{
	int i;

	/* All of them before any check: they use @t until they end. */
	for (i = 0; i < n; i++)
		if (t[i].tid)
			pthread_join(t[i].tid, NULL);
	for (i = 0; i < n; i++)
		if (!ASSERT_OK(t[i].ret, what))
			break;
}

static void reset(struct common *c)
{
	__u64 key;

	c->bss->nmi_runs = 0;
	c->bss->released = 0;
	c->bss->errors = 0;
	while (!bpf_map_get_next_key(c->victims, NULL, &key))
		bpf_map_delete_elem(c->victims, &key);
}

static __u64 misses(struct common *c)
{
	__u64 sum = 0;
	int i;

	for (i = 0; i < 2; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (ASSERT_OK(bpf_prog_get_info_by_fd(bpf_program__fd(c->detectors[i]),
						      &info, &len), "prog_info"))
			sum += info.recursion_misses;
	}
	return sum;
}

/* Wait, by the condition, until @n slots per CPU hold @want last references
 * (of a cgroup: its last @refs).
 */
static bool wait_last_refs(struct common *c, int n, int want, int refs)
{
	struct args a = { .slot = 0, .n = nr_cpus * n, .refs = refs };
	int i, got = -1;

	for (i = 0; i < 2000; i++) {
		got = run_prog(c->last_refs, &a);
		if (got == want)
			return true;
		usleep(10000);
	}
	return ASSERT_EQ(got, want, "last references held by the slots");
}

/*
 * Victims: with @tasks, @n threads per CPU, each leaving the last reference
 * to itself in a slot of that CPU; with @cgroups, one cgroup per CPU whose
 * last reference is in the CPU's first slot.
 */
static bool make_victims(struct common *c, int n, bool tasks, bool cgroups)
{
	int i, total = tasks ? nr_cpus * n : 0;
	struct thread *t;

	t = calloc(nr_cpus * n, sizeof(*t));
	if (!ASSERT_OK_PTR(t, "calloc"))
		return false;
	for (i = 0; i < total; i++) {
		t[i].c = c;
		t[i].slot = i;
		if (!ASSERT_OK(pthread_create(&t[i].tid, NULL, victim_fn, &t[i]), "victim"))
			t[i].tid = 0;
	}
	join_all(t, total, "victim_task");
	free(t);
	if (cgroups) {
		for (i = 0; i < nr_cpus; i++) {
			struct args a = { .slot = i * n };
			char path[64];
			int fd;

			snprintf(path, sizeof(path), CGRP_PREFIX "%d", i);
			fd = create_and_get_cgroup(path);
			if (!ASSERT_GE(fd, 0, "create victim cgroup"))
				return false;
			a.cgrp_id = get_cgroup_id(path);
			close(fd);
			if (!ASSERT_OK(run_prog(c->victim_cgroup, &a), "victim_cgroup"))
				return false;
			remove_cgroup(path);
		}
	}
	return wait_last_refs(c, n, total + (cgroups ? nr_cpus : 0), 1);
}

/* One worker per CPU runs @fd there once (after filling, for @a). */
static void run_on_cpus(struct common *c, int fd, struct kptr_dtor_nmi *a, int fill_mode)
{
	struct thread t[MAX_WORKERS] = {};
	int i;

	for (i = 0; i < nr_cpus; i++) {
		t[i].c = c;
		t[i].fd = fd;
		t[i].cpu = cpus[i];
		t[i].slot = i * c->bss->slots_per_cpu;
		t[i].rounds = 1;
		t[i].task_refs = -1;
		t[i].warm = -1;
		t[i].fill = -1;
		if (a && fill_mode) {
			t[i].fill = bpf_program__fd(a->progs.fill);
			t[i].fill_mode = fill_mode;
		}
		if (!ASSERT_OK(pthread_create(&t[i].tid, NULL, worker_fn, &t[i]), "worker"))
			t[i].tid = 0;
	}
	join_all(t, nr_cpus, "worker");
}

/*
 * Every victim's last put happened exactly once (@done) or not at all,
 * never in NMI nor in the irqs-off section, and, when @done, in hard irq
 * (from the irq_work) if @deferred. The detectors must have missed
 * nothing, or a miss could hide a last put.
 */
static void check_victims(struct common *c, int nr, bool done, bool deferred, __u64 misses0)
{
	struct victim v;
	__u64 key;
	int n = 0, err;

	err = bpf_map_get_next_key(c->victims, NULL, &key);
	while (!err) {
		if (!ASSERT_OK(bpf_map_lookup_elem(c->victims, &key, &v), "victim"))
			break;
		n++;
		ASSERT_EQ(v.last_puts, done ? 1 : 0, "last puts");
		ASSERT_EQ(v.in_nmi, 0, "last puts in NMI");
		ASSERT_EQ(v.in_irqs_off_fn, 0, "last puts with interrupts off");
		if (deferred)
			ASSERT_EQ(v.in_hardirq, v.last_puts, "last puts from the irq_work");
		err = bpf_map_get_next_key(c->victims, &key, &key);
	}
	ASSERT_EQ(n, nr, "victims");
	ASSERT_EQ(misses(c) - misses0, 0, "detector recursion misses");
	ASSERT_EQ(c->bss->errors, 0, "errors");
}

/* Find what both skeletons have by name; @bss is their ctl. */
static bool common_init(struct common *c, struct bpf_object *obj, void *bss, size_t size)
{
	struct bpf_program *p;

	if (!ASSERT_EQ(size, sizeof(*c->bss), "ctl size"))
		return false;
	c->obj = obj;
	c->slots = bpf_object__find_map_fd_by_name(obj, "slots");
	c->cpu_base = bpf_object__find_map_fd_by_name(obj, "cpu_base");
	c->victims = bpf_object__find_map_fd_by_name(obj, "victims");
	c->detectors[0] = bpf_object__find_program_by_name(obj, "task_put");
	c->detectors[1] = bpf_object__find_program_by_name(obj, "css_release");
	p = bpf_object__find_program_by_name(obj, "victim_task");
	c->victim_task = p ? bpf_program__fd(p) : -1;
	p = bpf_object__find_program_by_name(obj, "victim_cgroup");
	c->victim_cgroup = p ? bpf_program__fd(p) : -1;
	p = bpf_object__find_program_by_name(obj, "last_refs");
	c->last_refs = p ? bpf_program__fd(p) : -1;
	p = bpf_object__find_program_by_name(obj, "raise_nmi");
	c->raise_nmi = p ? bpf_program__fd(p) : -1;
	p = bpf_object__find_program_by_name(obj, "call_irqs_off");
	c->call_irqs_off = p ? bpf_program__fd(p) : -1;
	c->bss = bss;
	return ASSERT_GE(c->slots, 0, "slots") && ASSERT_GE(c->cpu_base, 0, "cpu_base") &&
	       ASSERT_GE(c->victims, 0, "victims") && ASSERT_OK_PTR(c->detectors[0], "task_put") &&
	       ASSERT_OK_PTR(c->detectors[1], "css_release") &&
	       ASSERT_GE(c->victim_task, 0, "victim_task") &&
	       ASSERT_GE(c->victim_cgroup, 0, "victim_cgroup") &&
	       ASSERT_GE(c->last_refs, 0, "last_refs") && ASSERT_GE(c->raise_nmi, 0, "raise_nmi") &&
	       ASSERT_GE(c->call_irqs_off, 0, "call_irqs_off");
}

/* Size the maps for the workers' CPUs, before load. */
static void size_maps(struct bpf_object *obj)
{
	bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "slots"),
				 nr_cpus * MANY_VICTIMS);
	bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "cpu_base"),
				 libbpf_num_possible_cpus());
}

/* An NMI on each CPU (@nmi) or a call with interrupts off releases or drops
 * @mode for the CPU's victims (@n tasks if @tasks, a cgroup if @cgroups);
 * each last put is deferred to the irq_work. With @a, the CPU's worker
 * first moves the victims into local objects (@fill_mode).
 */
static void victims_released(struct common *c, struct kptr_dtor_nmi *a, int n, bool tasks,
			     bool cgroups, int fill_mode, int mode, bool nmi)
{
	__u64 misses0;

	reset(c);
	set_cpu_bases(c, n);
	if (!make_victims(c, n, tasks, cgroups))
		return;
	/* From here on only the releases below end in last puts. */
	misses0 = misses(c);
	c->bss->nmi_mode = nmi ? mode : 0;
	c->bss->irqs_off_mode = nmi ? 0 : mode;
	run_on_cpus(c, nmi ? c->raise_nmi : c->call_irqs_off, a, fill_mode);
	c->bss->nmi_mode = 0;
	c->bss->irqs_off_mode = 0;
	if (nmi)
		ASSERT_EQ(c->bss->nmi_runs, nr_cpus, "NMIs");
	check_victims(c, (tasks ? nr_cpus * n : 0) + (cgroups ? nr_cpus : 0), true, true, misses0);
}

/*
 * Two references to one removed cgroup per CPU, both released in one NMI:
 * the first put is not the last, which percpu_ref_put_not_last() must tell
 * in atomic mode, and is made there; the second is, and is deferred.
 */
static void test_cgroup_pair(struct common *c)
{
	__u64 misses0;
	int i;

	reset(c);
	set_cpu_bases(c, 2);
	for (i = 0; i < nr_cpus; i++) {
		struct args a = { .slot = i * 2 };
		char path[64];
		int fd;

		snprintf(path, sizeof(path), CGRP_PREFIX "%d", i);
		fd = create_and_get_cgroup(path);
		if (!ASSERT_GE(fd, 0, "create victim cgroup"))
			return;
		a.cgrp_id = get_cgroup_id(path);
		close(fd);
		if (!ASSERT_OK(run_prog(c->victim_cgroup, &a), "victim_cgroup"))
			return;
		a.slot++;
		a.refs = 2;
		if (!ASSERT_OK(run_prog(c->victim_cgroup, &a), "victim_cgroup again"))
			return;
		remove_cgroup(path);
	}
	if (!wait_last_refs(c, 2, 2 * nr_cpus, 2))
		return;
	misses0 = misses(c);
	c->bss->nmi_mode = DO_CGRP;
	run_on_cpus(c, c->raise_nmi, NULL, 0);
	c->bss->nmi_mode = 0;
	ASSERT_EQ(c->bss->nmi_runs, nr_cpus, "NMIs");
	ASSERT_EQ(c->bss->released, 2 * nr_cpus, "references released in NMI");
	check_victims(c, nr_cpus, true, true, misses0);
}

static void test_refcount(struct common *c, struct kptr_dtor_nmi *a)
{
	__u64 misses0;

	reset(c);
	set_cpu_bases(c, VICTIMS);
	if (!make_victims(c, VICTIMS, true, false))
		return;
	misses0 = misses(c);
	/* The first of two references dropped in NMI: no last put. */
	c->bss->nmi_mode = DO_SHARED0;
	run_on_cpus(c, c->raise_nmi, a, DO_SHARED0);
	ASSERT_EQ(c->bss->released, nr_cpus * VICTIMS, "first drops");
	check_victims(c, nr_cpus * VICTIMS, false, true, misses0);
	/* The second: the last puts, from the irq_work. */
	c->bss->nmi_mode = DO_SHARED1;
	run_on_cpus(c, c->raise_nmi, NULL, 0);
	c->bss->nmi_mode = 0;
	ASSERT_EQ(c->bss->released, 2 * nr_cpus * VICTIMS, "second drops");
	check_victims(c, nr_cpus * VICTIMS, true, true, misses0);
}

/*
 * A node in a list and in a slot: taken out of the slot in NMI, inserting
 * it again fails and drops that reference (not the last one, the list
 * holds the other); the last puts come when process context drains the
 * list.
 */
static void test_list_insert_fail(struct common *c, struct kptr_dtor_nmi *a)
{
	int total = nr_cpus * VICTIMS;
	__u64 misses0;

	reset(c);
	memset(&a->bss->own, 0, sizeof(a->bss->own));
	set_cpu_bases(c, VICTIMS);
	if (!make_victims(c, VICTIMS, true, false))
		return;
	misses0 = misses(c);
	c->bss->nmi_mode = DO_LIST;
	run_on_cpus(c, c->raise_nmi, a, DO_LIST);
	c->bss->nmi_mode = 0;
	ASSERT_EQ(c->bss->released, total, "nodes taken out in NMI");
	ASSERT_EQ(a->bss->own.insert_failed, total, "insertions failed in NMI");
	check_victims(c, total, false, false, misses0);
	ASSERT_OK(run_prog(bpf_program__fd(a->progs.drain), NULL), "drain");
	ASSERT_EQ(a->bss->own.drained, total, "nodes drained");
	check_victims(c, total, true, false, misses0);
}

/*
 * A node in a slot only, holding a victim's last reference, inserted in NMI
 * after another node that is in no list: bpf_list_add() fails and frees
 * the node there, and the last put is deferred to the irq_work.
 */
static void test_list_add_fail(struct common *c, struct kptr_dtor_nmi *a)
{
	int total = nr_cpus * VICTIMS;

	memset(&a->bss->own, 0, sizeof(a->bss->own));
	victims_released(c, a, VICTIMS, true, false, DO_LIST_ADD, DO_LIST_ADD, true);
	ASSERT_EQ(c->bss->released, total, "nodes taken out in NMI");
	ASSERT_EQ(a->bss->own.insert_failed, total, "insertions failed in NMI");
}

/*
 * No victims: objects hold references to the workers' own tasks and to the
 * test's cgroup (with DO_CGRP; its css is in percpu mode), made in process
 * context and in NMI, dropped in NMI while @churners threads make and drop
 * objects in process context. Each thread ends with the task references it
 * started with.
 */
static void test_own(struct common *c, struct kptr_dtor_nmi *a, int rounds, int churners,
		     int fill_mode, int nmi_mode)
{
	struct thread t[2 * MAX_WORKERS] = {};
	int i, n = nr_cpus + churners;

	reset(c);
	memset(&a->bss->own, 0, sizeof(a->bss->own));
	set_cpu_bases(c, VICTIMS);
	c->bss->nmi_mode = nmi_mode;
	for (i = 0; i < n; i++) {
		bool worker = i < nr_cpus;

		t[i].c = c;
		t[i].cpu = worker ? cpus[i] : -1;
		t[i].slot = worker ? i * VICTIMS : 0;
		t[i].rounds = rounds;
		t[i].fd = worker ? c->raise_nmi : bpf_program__fd(a->progs.churn);
		t[i].task_refs = bpf_program__fd(a->progs.task_refs);
		t[i].warm = worker ? bpf_program__fd(a->progs.warm_cache) : -1;
		t[i].fill = worker && fill_mode ? bpf_program__fd(a->progs.fill) : -1;
		t[i].fill_mode = fill_mode;
		if (!ASSERT_OK(pthread_create(&t[i].tid, NULL, worker_fn, &t[i]), "thread"))
			t[i].tid = 0;
	}
	join_all(t, n, "thread");
	c->bss->nmi_mode = 0;
	for (i = 0; i < n; i++)
		ASSERT_EQ(t[i].refs_after, t[i].refs_before, "own task references");
	ASSERT_EQ(c->bss->nmi_runs, nr_cpus * rounds, "NMIs");
	ASSERT_GT(a->bss->own.created, 0, "objects made");
	if ((fill_mode & DO_CGRP) || churners)
		ASSERT_GT(a->bss->own.cgrp_refs, 0, "cgroup references stored");
	ASSERT_EQ(c->bss->errors, 0, "errors");
}

static bool has_nmi_handler_tp(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool ret;

	if (!btf)
		return false;
	ret = btf__find_by_name_kind(btf, "btf_trace_nmi_handler", BTF_KIND_TYPEDEF) > 0;
	btf__free(btf);
	return ret;
}

/* A hardware PMU: perf can claim NMIs that are not its own (on AMD, any
 * NMI for 100 ms after one of its own).
 */
static bool has_hw_pmu(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.config = PERF_COUNT_HW_CPU_CYCLES,
		.size = sizeof(attr),
		.disabled = 1,
	};
	int fd = syscall(__NR_perf_event_open, &attr, 0, -1, -1, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* -1: skip (no NMI of ours on this machine), 0: ready, 1: failed. */
static int setup_nmi(struct common *c)
{
	int err;

	/* An NMI that no program acts on yet. */
	err = run_prog(c->raise_nmi, NULL);
	if (err == -EOPNOTSUPP)
		return -1;
	/* Without a PMU nothing else claims our NMI: a timeout is a bug. */
	if (err == -ETIMEDOUT && has_hw_pmu())
		return -1;
	if (!ASSERT_OK(err, "raise_nmi"))
		return 1;
	c->bss->nmi_handler_addr = handler_addr;
	err = run_prog(c->raise_nmi, NULL);
	return ASSERT_OK(err, "raise_nmi") && ASSERT_EQ(c->bss->nmi_runs, 1, "NMI seen") ? 0 : 1;
}

static bool get_cpus(void)
{
	cpu_set_t set;
	int i;

	if (!ASSERT_OK(sched_getaffinity(0, sizeof(set), &set), "sched_getaffinity"))
		return false;
	nr_cpus = 0;
	for (i = 0; i < CPU_SETSIZE && nr_cpus < MAX_WORKERS; i++)
		if (CPU_ISSET(i, &set))
			cpus[nr_cpus++] = i;
	return ASSERT_GT(nr_cpus, 0, "nr_cpus");
}

/* -1: skip the subtests, 0: run them, 1: failed. */
static int prepare(struct common *c, struct bpf_object *obj, void *bss, size_t size)
{
	int ret;

	if (!common_init(c, obj, bss, size))
		return 1;
	ret = setup_nmi(c);
	if (ret < 0) {
		test__skip();
		printf("%s:SKIP: bpf_kfunc_raise_nmi() cannot raise NMIs here, or perf took them\n",
		       __func__);
	}
	return ret;
}

/* kptr_dtor_nmi_release.c: kptrs released by the program. */
static void release_tests(struct kptr_dtor_nmi_release *skel)
{
	struct common c = {};

	if (!ASSERT_OK(kptr_dtor_nmi_release__attach(skel), "release attach") ||
	    prepare(&c, skel->obj, &skel->bss->ctl, sizeof(skel->bss->ctl)))
		goto out;
	if (test__start_subtest("xchg_release_task"))
		victims_released(&c, NULL, MANY_VICTIMS, true, false, 0, DO_TASK, true);
	if (test__start_subtest("xchg_release_cgroup"))
		victims_released(&c, NULL, 1, false, true, 0, DO_CGRP, true);
	if (test__start_subtest("xchg_release_cgroup_pair"))
		test_cgroup_pair(&c);
	if (test__start_subtest("xchg_release_irqs_off"))
		victims_released(&c, NULL, VICTIMS, true, true, 0, DO_TASK | DO_CGRP, false);
out:
	kptr_dtor_nmi_release__detach(skel);
}

/* kptr_dtor_nmi.c: local objects dropped. */
static void drop_tests(struct kptr_dtor_nmi *skel)
{
	struct common c = {};

	skel->bss->cgrp_id = get_cgroup_id("/kptr_dtor_nmi");
	if (!ASSERT_OK(kptr_dtor_nmi__attach(skel), "drop attach") ||
	    prepare(&c, skel->obj, &skel->bss->ctl, sizeof(skel->bss->ctl)))
		goto out;
	if (test__start_subtest("single"))
		victims_released(&c, skel, VICTIMS, true, true, DO_SINGLE, DO_SINGLE, true);
	if (test__start_subtest("nested"))
		victims_released(&c, skel, VICTIMS, true, false, DO_OUTER, DO_OUTER, true);
	if (test__start_subtest("refcount"))
		test_refcount(&c, skel);
	if (test__start_subtest("irqs_off"))
		victims_released(&c, skel, VICTIMS, true, true, DO_SINGLE, DO_SINGLE, false);
	if (test__start_subtest("list_insert_fail"))
		test_list_insert_fail(&c, skel);
	if (test__start_subtest("list_add_fail"))
		test_list_add_fail(&c, skel);
	if (test__start_subtest("new_in_nmi"))
		test_own(&c, skel, 1, 0, 0, DO_NEW);
	if (test__start_subtest("stress"))
		test_own(&c, skel, STRESS_ROUNDS, nr_cpus, DO_SINGLE | DO_OUTER | DO_CGRP,
			 DO_SINGLE | DO_OUTER | DO_NEW);
out:
	kptr_dtor_nmi__detach(skel);
}

void serial_test_kptr_dtor_nmi(void)
{
	struct kptr_dtor_nmi_release *rel = NULL;
	struct kptr_dtor_nmi *drop = NULL;
	int cgrp_fd, err;

	if (!has_nmi_handler_tp()) {
		test__skip();
		printf("%s:SKIP: no nmi_handler tracepoint on this arch\n", __func__);
		return;
	}
	if (!get_cpus() ||
	    !ASSERT_OK(kallsyms_find("bpf_testmod_nmi_handler", &handler_addr),
		       "bpf_testmod_nmi_handler"))
		return;
	cgrp_fd = test__join_cgroup("/kptr_dtor_nmi");
	if (!ASSERT_GE(cgrp_fd, 0, "join_cgroup"))
		return;
	/* Both objects load before any subtest, so that a load failure is
	 * the test's, not a subtest's: the release programs load on any
	 * kernel, tracing programs may drop these objects only with NMI-safe
	 * destructors.
	 */
	rel = kptr_dtor_nmi_release__open();
	if (ASSERT_OK_PTR(rel, "release open")) {
		size_maps(rel->obj);
		err = kptr_dtor_nmi_release__load(rel);
		if (!ASSERT_OK(err, "release load")) {
			kptr_dtor_nmi_release__destroy(rel);
			rel = NULL;
		}
	}
	drop = kptr_dtor_nmi__open();
	if (ASSERT_OK_PTR(drop, "drop open")) {
		size_maps(drop->obj);
		err = kptr_dtor_nmi__load(drop);
		if (!ASSERT_OK(err, "drop load")) {
			kptr_dtor_nmi__destroy(drop);
			drop = NULL;
		}
	}
	if (rel)
		release_tests(rel);
	if (drop)
		drop_tests(drop);
	kptr_dtor_nmi_release__destroy(rel);
	kptr_dtor_nmi__destroy(drop);
	close(cgrp_fd);
}

void test_kptr_dtor_nmi_verifier(void)
{
	RUN_TESTS(kptr_dtor_nmi_verifier);
}
