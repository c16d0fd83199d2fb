// SPDX-License-Identifier: GPL-2.0
/*
 * Local objects holding task and cgroup references dropped in NMI: every
 * reference is released exactly once, no destructor runs in NMI, none is
 * left pending. NMIs are raised on each CPU by bpf_testmod, so no PMU is
 * needed; the kfunc returns after the NMI and the irq_work it queued have
 * run, so nothing is waited for.
 */
#include <test_progs.h>
#include <pthread.h>
#include <sched.h>
#include <bpf/btf.h>
#include "cgroup_helpers.h"
#include "trace_helpers.h"
#include "kptr_dtor_nmi.skel.h"
#include "kptr_dtor_nmi_verifier.skel.h"

#define SLOTS_PER_CPU	8	/* as in progs/kptr_dtor_nmi.c */
#define NEW_PER_NMI	8
#define MAX_CPUS	64
#define STRESS_ROUNDS	40

enum {				/* as in progs/kptr_dtor_nmi.c */
	DO_SINGLE	= 1,
	DO_OUTER	= 2,
	DO_SHARED0	= 4,
	DO_SHARED1	= 8,
	DO_NEW_IN_NMI	= 16,
};

struct worker {
	struct kptr_dtor_nmi *skel;
	pthread_t thread;
	int cpu;		/* pinned to it, or -1 */
	int rounds;
	bool fill, nmi, churn;
	int refs_before;	/* rcu_users of the thread before and after */
	int refs_after;
	int err;
};

static int cpus[MAX_CPUS], nr_cpus;

static int run(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int err;

	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	return err ?: (int)opts.retval;
}

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	int i;

	if (w->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		w->err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
		if (w->err)
			return NULL;
	}
	w->err = run(w->skel->progs.mark);
	if (!w->err && w->nmi)
		w->err = run(w->skel->progs.warm_cache);
	w->refs_before = run(w->skel->progs.task_refs);
	for (i = 0; !w->err && i < w->rounds; i++) {
		if (w->fill)
			w->err = run(w->skel->progs.fill);
		if (!w->err && w->nmi)
			w->err = run(w->skel->progs.raise_nmi);
		if (!w->err && w->churn)
			w->err = run(w->skel->progs.churn);
	}
	w->refs_after = run(w->skel->progs.task_refs);
	return NULL;
}

/*
 * One thread pinned to each online CPU fills (if @fill) and raises an NMI
 * there @rounds times; @churners more threads make and drop objects in
 * process context meanwhile. Each thread's task must end with @held more
 * references than it started with.
 */
static void run_workers(struct kptr_dtor_nmi *skel, bool fill, int rounds, int churners,
			int held)
{
	int n = nr_cpus + churners, i;
	struct worker *w;

	w = calloc(n, sizeof(*w));
	if (!ASSERT_OK_PTR(w, "calloc"))
		return;
	for (i = 0; i < n; i++) {
		w[i].skel = skel;
		w[i].rounds = rounds;
		w[i].cpu = i < nr_cpus ? cpus[i] : -1;
		w[i].fill = i < nr_cpus && fill;
		w[i].nmi = i < nr_cpus;
		w[i].churn = i >= nr_cpus;
		w[i].err = pthread_create(&w[i].thread, NULL, worker_fn, &w[i]);
		if (w[i].err)
			w[i].thread = 0;
	}
	for (i = 0; i < n; i++) {
		if (w[i].thread)
			pthread_join(w[i].thread, NULL);
		ASSERT_OK(w[i].err, "worker");
		ASSERT_EQ(w[i].refs_after - w[i].refs_before, w[i].nmi ? held : 0,
			  "task references kept");
	}
	free(w);
}

static __u64 misses(struct bpf_program *prog)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (!ASSERT_OK(bpf_prog_get_info_by_fd(bpf_program__fd(prog), &info, &len),
		       "prog_info"))
		return 0;
	return info.recursion_misses;
}

/* recursion_misses only grow: count each subtest's from its start. */
static __u64 task_miss0, cgrp_miss0;

static void reset(struct kptr_dtor_nmi *skel)
{
	memset(&skel->bss->cnt, 0, sizeof(skel->bss->cnt));
	task_miss0 = misses(skel->progs.task_dtor);
	cgrp_miss0 = misses(skel->progs.cgrp_dtor);
}

/*
 * Every object made so far has been torn down. The references are checked
 * exactly per thread (run_workers()); the destructor calls are counted by
 * fentry programs, which miss calls that come while the same program runs
 * on the CPU (a preempted churner), so they are checked against that.
 */
static void check_all_released(struct kptr_dtor_nmi *skel)
{
	typeof(skel->bss->cnt) *c = &skel->bss->cnt;
	__u64 task_miss = misses(skel->progs.task_dtor) - task_miss0;
	__u64 cgrp_miss = misses(skel->progs.cgrp_dtor) - cgrp_miss0;

	ASSERT_EQ(c->errors, 0, "errors");
	ASSERT_GT(c->created, 0, "created");
	ASSERT_LE(c->task_dtor_calls, c->created, "task dtor calls");
	ASSERT_GE(c->task_dtor_calls + task_miss, c->created, "task dtor calls + misses");
	ASSERT_LE(c->cgrp_dtor_calls, c->cgrp_refs, "cgroup dtor calls");
	ASSERT_GE(c->cgrp_dtor_calls + cgrp_miss, c->cgrp_refs, "cgroup dtor calls + misses");
	ASSERT_EQ(c->dtor_in_nmi, 0, "dtor calls in NMI");
}

static void subtest(struct kptr_dtor_nmi *skel, int fill_mode, int nmi_mode)
{
	reset(skel);
	skel->bss->fill_mode = fill_mode;
	skel->bss->nmi_mode = nmi_mode;
	run_workers(skel, true, 1, 0, 0);
	ASSERT_EQ(skel->bss->cnt.nmi_runs, nr_cpus, "nmi_runs");
	ASSERT_EQ(skel->bss->cnt.dropped_in_nmi, skel->bss->cnt.created, "dropped in NMI");
	check_all_released(skel);
}

static void test_refcount(struct kptr_dtor_nmi *skel)
{
	reset(skel);
	skel->bss->fill_mode = DO_SHARED0;
	skel->bss->nmi_mode = DO_SHARED0;
	/* One of two references dropped in NMI: nothing is released. */
	run_workers(skel, true, 1, 0, SLOTS_PER_CPU);
	ASSERT_EQ(skel->bss->cnt.created, nr_cpus * SLOTS_PER_CPU, "created");
	ASSERT_EQ(skel->bss->cnt.dropped_in_nmi, nr_cpus * SLOTS_PER_CPU, "first drops");
	ASSERT_EQ(skel->bss->cnt.task_dtor_calls, 0, "dtor calls after first drop");

	/* The last ones, from new threads: the tasks that made the objects
	 * have exited, so these drops can release their last rcu_users
	 * (or the exiting task's own references go after them).
	 */
	skel->bss->nmi_mode = DO_SHARED1;
	run_workers(skel, false, 1, 0, 0);
	ASSERT_EQ(skel->bss->cnt.dropped_in_nmi, 2 * nr_cpus * SLOTS_PER_CPU, "last drops");
	check_all_released(skel);
}

static void test_stress(struct kptr_dtor_nmi *skel)
{
	typeof(skel->bss->cnt) *c = &skel->bss->cnt;
	__u64 in_nmi = (__u64)nr_cpus * STRESS_ROUNDS * (2 * SLOTS_PER_CPU + NEW_PER_NMI);

	reset(skel);
	skel->bss->fill_mode = DO_SINGLE | DO_OUTER;
	skel->bss->nmi_mode = DO_SINGLE | DO_OUTER | DO_NEW_IN_NMI;
	run_workers(skel, true, STRESS_ROUNDS, nr_cpus, 0);
	/* Per NMI round and CPU: SLOTS_PER_CPU singles and outers filled in
	 * process context plus NEW_PER_NMI made in NMI; per churn round
	 * SLOTS_PER_CPU singles made and dropped in process context.
	 */
	ASSERT_EQ(c->created, in_nmi + (__u64)nr_cpus * STRESS_ROUNDS * SLOTS_PER_CPU, "created");
	ASSERT_EQ(c->nmi_runs, nr_cpus * STRESS_ROUNDS, "nmi_runs");
	ASSERT_EQ(c->dropped_in_nmi, in_nmi, "dropped in NMI");
	check_all_released(skel);
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

static bool setup_nmi(struct kptr_dtor_nmi *skel)
{
	unsigned long long addr;
	int err;

	/* An NMI with nothing to do (the program does not know it yet). */
	err = run(skel->progs.raise_nmi);
	if (err == -EOPNOTSUPP) {
		test__skip();
		printf("%s:SKIP: bpf_kfunc_raise_nmi() has no NMI trigger on this arch\n",
		       __func__);
		return false;
	}
	if (!ASSERT_OK(err, "raise_nmi") ||
	    !ASSERT_OK(kallsyms_find("bpf_testmod_nmi_handler", &addr),
		       "bpf_testmod_nmi_handler"))
		return false;
	skel->bss->nmi_handler_addr = addr;
	err = run(skel->progs.raise_nmi);
	return ASSERT_OK(err, "raise_nmi") &&
	       ASSERT_EQ(skel->bss->cnt.nmi_runs, 1, "nmi_runs");
}

static bool get_cpus(void)
{
	cpu_set_t set;
	int i;

	if (!ASSERT_OK(sched_getaffinity(0, sizeof(set), &set), "sched_getaffinity"))
		return false;
	nr_cpus = 0;
	for (i = 0; i < CPU_SETSIZE && nr_cpus < MAX_CPUS; i++)
		if (CPU_ISSET(i, &set))
			cpus[nr_cpus++] = i;
	return ASSERT_GT(nr_cpus, 0, "nr_cpus");
}

void serial_test_kptr_dtor_nmi(void)
{
	struct kptr_dtor_nmi *skel;
	int cgrp_fd;

	if (!has_nmi_handler_tp()) {
		test__skip();
		printf("%s:SKIP: no nmi_handler tracepoint on this arch\n", __func__);
		return;
	}
	if (!get_cpus())
		return;
	cgrp_fd = test__join_cgroup("/kptr_dtor_nmi");
	if (!ASSERT_GE(cgrp_fd, 0, "join_cgroup"))
		return;
	skel = kptr_dtor_nmi__open_and_load();
	if (!ASSERT_OK_PTR(skel, "open_and_load"))
		goto out_cgrp;
	skel->bss->cgrp_id = get_cgroup_id("/kptr_dtor_nmi");
	if (!ASSERT_NEQ(skel->bss->cgrp_id, 0, "cgrp_id"))
		goto out;
	if (!ASSERT_OK(kptr_dtor_nmi__attach(skel), "attach"))
		goto out;
	if (!setup_nmi(skel))
		goto out;

	if (test__start_subtest("single"))
		subtest(skel, DO_SINGLE, DO_SINGLE);
	if (test__start_subtest("nested"))
		subtest(skel, DO_OUTER, DO_OUTER);
	if (test__start_subtest("refcount"))
		test_refcount(skel);
	if (test__start_subtest("new_in_nmi"))
		subtest(skel, 0, DO_NEW_IN_NMI);
	if (test__start_subtest("stress"))
		test_stress(skel);
out:
	kptr_dtor_nmi__destroy(skel);
out_cgrp:
	close(cgrp_fd);
}

void test_kptr_dtor_nmi_verifier(void)
{
	RUN_TESTS(kptr_dtor_nmi_verifier);
}
