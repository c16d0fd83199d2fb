// SPDX-License-Identifier: GPL-2.0
/*
 * Local objects holding task and cgroup references dropped in NMI: every
 * destructor runs exactly once, never in NMI, and none is left pending.
 * NMIs are raised on each CPU by bpf_testmod, so no PMU is needed; the
 * kfunc returns after the NMI and the irq_work it queued have run.
 */
#include <test_progs.h>
#include <pthread.h>
#include <sched.h>
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
	int err;
};

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
	for (i = 0; !w->err && i < w->rounds; i++) {
		if (w->fill)
			w->err = run(w->skel->progs.fill);
		if (!w->err && w->nmi)
			w->err = run(w->skel->progs.raise_nmi);
		if (!w->err && w->churn)
			w->err = run(w->skel->progs.churn);
	}
	return NULL;
}

static int nr_cpus(void)
{
	int n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > MAX_CPUS ? MAX_CPUS : n;
}

/*
 * One thread pinned to each online CPU fills (if @fill) and raises an NMI
 * there @rounds times; @churners more threads make and drop objects in
 * process context meanwhile. Returns the first error of any thread.
 */
static int run_workers(struct kptr_dtor_nmi *skel, bool fill, int rounds, int churners)
{
	int n = nr_cpus(), i, err = 0;
	struct worker *w;

	w = calloc(n + churners, sizeof(*w));
	if (!ASSERT_OK_PTR(w, "calloc"))
		return -ENOMEM;
	for (i = 0; i < n + churners; i++) {
		w[i].skel = skel;
		w[i].rounds = rounds;
		w[i].cpu = i < n ? i : -1;
		w[i].fill = i < n && fill;
		w[i].nmi = i < n;
		w[i].churn = i >= n;
		if (pthread_create(&w[i].thread, NULL, worker_fn, &w[i])) {
			w[i].err = -errno;
			w[i].thread = 0;
		}
	}
	for (i = 0; i < n + churners; i++) {
		if (w[i].thread)
			pthread_join(w[i].thread, NULL);
		if (w[i].err && !err)
			err = w[i].err;
	}
	free(w);
	return err;
}

static void reset(struct kptr_dtor_nmi *skel)
{
	memset(&skel->bss->cnt, 0, sizeof(skel->bss->cnt));
}

/* Every object made so far has been torn down, each reference once. */
static void check_all_released(struct kptr_dtor_nmi *skel)
{
	typeof(skel->bss->cnt) *c = &skel->bss->cnt;

	ASSERT_EQ(c->errors, 0, "errors");
	ASSERT_GT(c->created, 0, "created");
	ASSERT_EQ(c->task_dtor_calls, c->created, "task dtor calls");
	ASSERT_EQ(c->cgrp_dtor_calls, c->cgrp_refs, "cgroup dtor calls");
	ASSERT_EQ(c->dtor_in_nmi, 0, "dtor calls in NMI");
}

static bool setup_nmi(struct kptr_dtor_nmi *skel)
{
	unsigned long long addr;
	int err;

	if (!ASSERT_OK(kallsyms_find("bpf_testmod_nmi_handler", &addr),
		       "bpf_testmod_nmi_handler"))
		return false;
	skel->bss->nmi_handler_addr = addr;
	/* Probe: an NMI with nothing to do. */
	err = run(skel->progs.raise_nmi);
	if (err == -EOPNOTSUPP) {
		test__skip();
		printf("%s:SKIP: bpf_kfunc_raise_nmi() has no NMI trigger on this arch\n",
		       __func__);
		return false;
	}
	if (!ASSERT_OK(err, "raise_nmi"))
		return false;
	return ASSERT_EQ(skel->bss->cnt.nmi_runs, 1, "nmi_runs");
}

static void subtest(struct kptr_dtor_nmi *skel, int fill_mode, int nmi_mode)
{
	int n = nr_cpus();

	reset(skel);
	skel->bss->fill_mode = fill_mode;
	skel->bss->nmi_mode = nmi_mode;
	if (!ASSERT_OK(run_workers(skel, true, 1, 0), "run_workers"))
		return;
	ASSERT_EQ(skel->bss->cnt.nmi_runs, n, "nmi_runs");
	ASSERT_EQ(skel->bss->cnt.dropped_in_nmi, skel->bss->cnt.created, "dropped in NMI");
	check_all_released(skel);
}

static void test_refcount(struct kptr_dtor_nmi *skel)
{
	int n = nr_cpus();

	reset(skel);
	skel->bss->fill_mode = DO_SHARED0;
	skel->bss->nmi_mode = DO_SHARED0;
	if (!ASSERT_OK(run_workers(skel, true, 1, 0), "run_workers first"))
		return;
	/* One of two references dropped in NMI: nothing is released. */
	ASSERT_EQ(skel->bss->cnt.created, n * SLOTS_PER_CPU, "created");
	ASSERT_EQ(skel->bss->cnt.dropped_in_nmi, n * SLOTS_PER_CPU, "first drops");
	ASSERT_EQ(skel->bss->cnt.task_dtor_calls, 0, "dtor calls after first drop");

	skel->bss->nmi_mode = DO_SHARED1;
	if (!ASSERT_OK(run_workers(skel, false, 1, 0), "run_workers last"))
		return;
	ASSERT_EQ(skel->bss->cnt.dropped_in_nmi, 2 * n * SLOTS_PER_CPU, "last drops");
	check_all_released(skel);
}

static void test_stress(struct kptr_dtor_nmi *skel)
{
	int n = nr_cpus();
	typeof(skel->bss->cnt) *c = &skel->bss->cnt;
	u64 want;

	reset(skel);
	skel->bss->fill_mode = DO_SINGLE | DO_OUTER;
	skel->bss->nmi_mode = DO_SINGLE | DO_OUTER | DO_NEW_IN_NMI;
	if (!ASSERT_OK(run_workers(skel, true, STRESS_ROUNDS, n), "run_workers"))
		return;
	/* Per NMI round and CPU: SLOTS_PER_CPU singles and outers filled
	 * in process context plus NEW_PER_NMI made in NMI; per churn round
	 * SLOTS_PER_CPU singles made and dropped in process context.
	 */
	want = (u64)n * STRESS_ROUNDS * (2 * SLOTS_PER_CPU + NEW_PER_NMI) +
	       (u64)n * STRESS_ROUNDS * SLOTS_PER_CPU;
	ASSERT_EQ(c->created, want, "created");
	ASSERT_EQ(c->nmi_runs, n * STRESS_ROUNDS, "nmi_runs");
	ASSERT_EQ(c->dropped_in_nmi, (u64)n * STRESS_ROUNDS * (2 * SLOTS_PER_CPU + NEW_PER_NMI),
		  "dropped in NMI");
	check_all_released(skel);
}

void serial_test_kptr_dtor_nmi(void)
{
	struct kptr_dtor_nmi *skel;
	int cgrp_fd;

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
