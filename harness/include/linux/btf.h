/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HARNESS_BTF_H
#define HARNESS_BTF_H
struct btf {
	long refcnt;
};
void btf_get(struct btf *btf);
void btf_put(struct btf *btf);
#endif
