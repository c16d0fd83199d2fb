// SPDX-License-Identifier: GPL-2.0
/*
 * Cost of kptr releases, base kernel against the series:
 *   kptr-xchg:        bpf_kptr_xchg() of a task kptr out of and back into a
 *                     map value (one op per exchange); the series must not
 *                     change it
 *   kptr-obj-churn:   bpf_obj_new() of an object holding a task reference,
 *                     then bpf_obj_drop(), in process context
 *   kptr-nmi-drop:    the same in NMI (bpf_testmod raises the NMIs; tracing
 *                     programs may drop such objects with the series only)
 *   kptr-nmi-release: the last references of exited threads taken out of a
 *                     map and released with bpf_task_release() in NMI, 64
 *                     per NMI: the time each release takes in NMI, and the
 *                     time from the release to the last put (deferred to
 *                     the irq_work with the series, made in NMI without);
 *                     measured in setup, before the benchmark's timer
 */
#include <pthread.h>
#include <sys/param.h>
#include "bench.h"
#include "trace_helpers.h"
#include "kptr_dtor_bench.skel.h"

#define VICTIMS		4096
#define PER_NMI		64

static struct ctx {
	struct kptr_dtor_bench *skel;
	struct bpf_program *prog;
} ctx;

static void validate(void)
{
	if (env.consumer_cnt != 0) {
		fprintf(stderr, "benchmark doesn't support consumer!\n");
		exit(1);
	}
	/* kptr-xchg's producers would take the task from each other, and
	 * one producer raises the NMIs.
	 */
	if (env.producer_cnt != 1) {
		fprintf(stderr, "these benchmarks need exactly one producer\n");
		exit(1);
	}
}

static int run_prog_ctx(struct bpf_program *prog, void *in, __u32 size)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = in, .ctx_size_in = size);

	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts))
		return -1;
	return opts.retval;
}

static void run_prog(struct bpf_program *prog)
{
	int ret = run_prog_ctx(prog, NULL, 0);

	if (ret) {
		fprintf(stderr, "%s failed: %d\n", bpf_program__name(prog), ret);
		exit(1);
	}
}

static void *producer(void *input)
{
	while (true)
		run_prog(ctx.prog);
	return NULL;
}

static void measure(struct bench_res *res)
{
	res->hits = atomic_swap(&ctx.skel->bss->hits, 0);
}

/* Open and load the programs; with @nmi also the one that raises NMIs and
 * @nmi_prog, which handles them.
 */
static void load(bool nmi, struct bpf_program *(*nmi_prog)(struct kptr_dtor_bench *))
{
	unsigned long long addr = 0;
	struct kptr_dtor_bench *skel;

	setup_libbpf();
	if (nmi && (kallsyms_find("bpf_testmod_nmi_handler", &addr) || !addr)) {
		fprintf(stderr, "no bpf_testmod_nmi_handler: load bpf_testmod\n");
		exit(1);
	}
	skel = kptr_dtor_bench__open();
	if (!skel)
		exit(1);
	bpf_map__set_max_entries(skel->maps.victims, VICTIMS);
	bpf_program__set_autoload(skel->progs.raise_nmi, nmi);
	if (nmi) {
		bpf_program__set_autoload(nmi_prog(skel), true);
		bpf_program__set_autoload(skel->progs.last_put, true);
	}
	skel->bss->nmi_handler_addr = addr;
	if (kptr_dtor_bench__load(skel) || kptr_dtor_bench__attach(skel)) {
		fprintf(stderr, "failed to load the programs%s\n",
			nmi ? " (drops in NMI need kernel support)" : "");
		exit(1);
	}
	ctx.skel = skel;
}

static struct bpf_program *drop_prog(struct kptr_dtor_bench *skel)
{
	return skel->progs.drop_in_nmi;
}

static struct bpf_program *release_prog(struct kptr_dtor_bench *skel)
{
	return skel->progs.release_in_nmi;
}

static void setup_xchg(void)
{
	load(false, NULL);
	run_prog(ctx.skel->progs.xchg_setup);
	ctx.prog = ctx.skel->progs.xchg_task;
}

static void setup_churn(void)
{
	load(false, NULL);
	ctx.prog = ctx.skel->progs.obj_churn;
}

static void setup_nmi_drop(void)
{
	load(true, drop_prog);
	ctx.prog = ctx.skel->progs.raise_nmi;
}

static int victim_idx;
static pthread_mutex_t victim_lock = PTHREAD_MUTEX_INITIALIZER;

static void *victim_fn(void *arg)
{
	int idx;

	pthread_mutex_lock(&victim_lock);
	idx = victim_idx++;
	pthread_mutex_unlock(&victim_lock);
	return (void *)(long)run_prog_ctx(ctx.skel->progs.victim, &idx, sizeof(idx));
}

/* The measurement: VICTIMS threads leave the last reference to themselves
 * in the map and exit; once they are reaped (waited for by that
 * condition), NMIs release the references, PER_NMI at a time.
 */
static void setup_nmi_release(void)
{
	struct kptr_dtor_bench__bss *bss;
	pthread_t tids[256];
	int i, j, n;
	void *ret;

	load(true, release_prog);
	bss = ctx.skel->bss;
	for (i = 0; i < VICTIMS; i += n) {
		n = MIN(VICTIMS - i, 256);
		for (j = 0; j < n; j++)
			if (pthread_create(&tids[j], NULL, victim_fn, NULL))
				exit(1);
		for (j = 0; j < n; j++)
			if (pthread_join(tids[j], &ret) || ret)
				exit(1);
	}
	bss->lo = 0;
	bss->hi = VICTIMS;
	for (i = 0; i < 3000 && run_prog_ctx(ctx.skel->progs.last_refs, NULL, 0) != VICTIMS; i++)
		usleep(10000);
	if (i == 3000) {
		fprintf(stderr, "kptr-nmi-release: victims not reaped\n");
		exit(1);
	}
	bss->nmi_mode = 1;
	for (i = 0; i < VICTIMS; i += PER_NMI) {
		bss->lo = i;
		bss->hi = MIN(i + PER_NMI, VICTIMS);
		run_prog(ctx.skel->progs.raise_nmi);
	}
	bss->nmi_mode = 2;
	/* The deferred puts ran before each raise_nmi returned. */
}

/* kptr-nmi-release did its work in setup. */
static void *idle_producer(void *input)
{
	return NULL;
}

static void report_nmi_drop_final(struct bench_res res[], int res_cnt)
{
	ops_report_final(res, res_cnt);
	printf("bpf_obj_new() failures in NMI: %ld\n", ctx.skel->bss->alloc_fails);
}

static void report_release_final(struct bench_res res[], int res_cnt)
{
	struct kptr_dtor_bench__bss *bss = ctx.skel->bss;

	printf("victims %d, released in NMI %llu, last puts %llu (%llu in NMI), errors %ld\n",
	       VICTIMS, (unsigned long long)bss->releases, (unsigned long long)bss->last_puts,
	       (unsigned long long)bss->last_puts_in_nmi, bss->errors);
	printf("release in NMI: %.1f ns each; release to last put: %.3f us mean\n",
	       bss->releases ? (double)bss->release_ns / bss->releases : 0.0,
	       bss->last_puts ? bss->put_lat_ns / 1000.0 / bss->last_puts : 0.0);
	if (bss->releases != VICTIMS || bss->last_puts != VICTIMS || bss->errors) {
		fprintf(stderr, "kptr-nmi-release: not every victim was released and put once\n");
		exit(1);
	}
}

const struct bench bench_kptr_xchg = {
	.name = "kptr-xchg",
	.validate = validate,
	.setup = setup_xchg,
	.producer_thread = producer,
	.measure = measure,
	.report_progress = ops_report_progress,
	.report_final = ops_report_final,
};

const struct bench bench_kptr_obj_churn = {
	.name = "kptr-obj-churn",
	.validate = validate,
	.setup = setup_churn,
	.producer_thread = producer,
	.measure = measure,
	.report_progress = ops_report_progress,
	.report_final = ops_report_final,
};

const struct bench bench_kptr_nmi_drop = {
	.name = "kptr-nmi-drop",
	.validate = validate,
	.setup = setup_nmi_drop,
	.producer_thread = producer,
	.measure = measure,
	.report_progress = ops_report_progress,
	.report_final = report_nmi_drop_final,
};

const struct bench bench_kptr_nmi_release = {
	.name = "kptr-nmi-release",
	.validate = validate,
	.setup = setup_nmi_release,
	.producer_thread = idle_producer,
	.measure = measure,
	.report_final = report_release_final,
};
