/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _FREELIST_LINUX_SPINLOCK_H
#define _FREELIST_LINUX_SPINLOCK_H
#include "shim.h"
#endif
