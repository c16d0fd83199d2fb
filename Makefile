# Kernel-style entry points; see README.md.
#   make vmtest  [T=...] [KERNEL=series|base] [KDIR=...] [VARIANT=debug|kasan|rt] [REPEAT=N]
#   make check   everything CI runs: lint, harness, model, vmtest
#   make lint | harness | model | bench | tree | export | crossbuild [ARCH=arm64|i386]
T ?= kptr_dtor_nmi
KERNEL ?= series
VARIANT ?= debug
export T KERNEL KDIR VARIANT TP_ARGS REPEAT

.PHONY: all vmtest check lint harness model bench tree export deps crossbuild help

all: help

help:
	@sed -n '2,4p' Makefile | sed 's/^# *//'

deps:
	scripts/deps.sh

vmtest:
	scripts/vmtest.sh

lint:
	scripts/lint.sh

harness:
	$(MAKE) -C harness

model:
	$(MAKE) -C model

bench:
	scripts/bench.sh

tree:
	scripts/tree.sh

export:
	scripts/export.sh

check:
	scripts/check.sh

crossbuild:
	XARCH=$(or $(XARCH),$(ARCH),arm64) scripts/crossbuild.sh
