// SPDX-License-Identifier: GPL-2.0
/*
 * Cost of referenced kptr destructors:
 *   kptr-xchg:      bpf_kptr_xchg() of a task kptr out of and back into a
 *                   map value (2 exchanges per op)
 *   kptr-obj-churn: bpf_obj_new() of an object holding a task reference,
 *                   then bpf_obj_drop(), in process context
 *   kptr-nmi-drop:  the same dropped in NMI (bpf_testmod raises the NMIs);
 *                   also reports the mean time from the NMI program's first
 *                   drop to the end of each destructor
 */
#include "bench.h"
#include "trace_helpers.h"
#include "kptr_dtor_bench.skel.h"
#include "kptr_dtor_nmi_bench.skel.h"

static struct ctx {
	struct kptr_dtor_bench *skel;
	struct kptr_dtor_nmi_bench *nmi;
	struct bpf_program *prog;
	long *hits;
} ctx;

static void validate(void)
{
	if (env.consumer_cnt != 0) {
		fprintf(stderr, "benchmark doesn't support consumer!\n");
		exit(1);
	}
}

static void run_prog(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts) || opts.retval) {
		fprintf(stderr, "%s failed: %d\n", bpf_program__name(prog),
			(int)opts.retval);
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
	res->hits = atomic_swap(ctx.hits, 0);
}

static void setup_common(void)
{
	setup_libbpf();
	ctx.skel = kptr_dtor_bench__open_and_load();
	if (!ctx.skel) {
		fprintf(stderr, "failed to open skeleton\n");
		exit(1);
	}
	ctx.hits = &ctx.skel->bss->hits;
}

static void setup_xchg(void)
{
	setup_common();
	run_prog(ctx.skel->progs.xchg_setup);
	ctx.prog = ctx.skel->progs.xchg_task;
}

static void setup_churn(void)
{
	setup_common();
	ctx.prog = ctx.skel->progs.obj_churn;
}

static void setup_nmi(void)
{
	unsigned long long addr;

	if (env.producer_cnt != 1) {
		fprintf(stderr, "kptr-nmi-drop needs exactly one producer\n");
		exit(1);
	}
	setup_libbpf();
	if (kallsyms_find("bpf_testmod_nmi_handler", &addr)) {
		fprintf(stderr, "bpf_testmod_nmi_handler not found: load bpf_testmod\n");
		exit(1);
	}
	ctx.nmi = kptr_dtor_nmi_bench__open_and_load();
	if (!ctx.nmi) {
		fprintf(stderr, "failed to open skeleton\n");
		exit(1);
	}
	ctx.nmi->bss->nmi_handler_addr = addr;
	if (kptr_dtor_nmi_bench__attach(ctx.nmi)) {
		fprintf(stderr, "failed to attach\n");
		exit(1);
	}
	ctx.prog = ctx.nmi->progs.raise_nmi;
	ctx.hits = &ctx.nmi->bss->hits;
}

static void report_nmi_final(struct bench_res res[], int res_cnt)
{
	u64 cnt = ctx.nmi->bss->lat_cnt;

	ops_report_final(res, res_cnt);
	printf("drop-to-dtor latency: mean %.3f us over %llu destructors, errors %ld\n",
	       cnt ? ctx.nmi->bss->lat_sum_ns / 1000.0 / cnt : 0.0,
	       (unsigned long long)cnt, ctx.nmi->bss->errors);
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
	.setup = setup_nmi,
	.producer_thread = producer,
	.measure = measure,
	.report_progress = ops_report_progress,
	.report_final = report_nmi_final,
};
