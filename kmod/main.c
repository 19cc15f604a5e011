// SPDX-License-Identifier: GPL-2.0-only
/*
 * ActPlane: OS-level policy engine for AI agent harnesses.
 *
 * The module owns all state and exposes it three ways: kfuncs for BPF LSM
 * programs (the hook points), the struct_ops type "actplane_ops" for the
 * enforcement backend, and the generic netlink family "actplane" for
 * configuration and events.
 */
#include <linux/module.h>
#include <linux/init.h>
#include "actplane.h"
#include "policy.h"

static int __init actplane_init(void)
{
	int ret;

	/*
	 * Kfunc sets and the struct_ops type are registered against the
	 * module's BTF and go away with it (no unregister call exists); nothing
	 * can call into them before init returns, so on a later failure only
	 * the storage needs unwinding.
	 */
	ret = ap_store_init();
	if (ret) {
		pr_err("actplane: label storage init failed: %d\n", ret);
		return ret;
	}
	ret = ap_kfuncs_init();
	if (ret) {
		pr_err("actplane: registering kfuncs failed: %d\n", ret);
		goto err_store;
	}
	ret = ap_enforcer_init();
	if (ret) {
		pr_err("actplane: registering struct_ops actplane_ops failed: %d\n", ret);
		goto err_store;
	}
	ret = ap_policy_init();
	if (ret)
		goto err_store;
	ret = ap_netlink_init();
	if (ret) {
		pr_err("actplane: registering generic netlink family failed: %d\n", ret);
		ap_policy_exit();
		goto err_store;
	}
	pr_info("actplane: version %s (ABI %d) loaded\n", ACTPLANE_VERSION, ACTPLANE_ABI_VERSION);
	return 0;

err_store:
	ap_store_exit();
	ap_session_exit();
	return ret;
}

static void __exit actplane_exit(void)
{
	ap_netlink_exit();
	ap_enforcer_exit();
	ap_store_exit();
	ap_session_exit();
	ap_policy_exit();	/* last: sessions going above retire their policies there */
	ap_labels_exit();
	pr_info("actplane: unloaded\n");
}

module_init(actplane_init);
module_exit(actplane_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ActPlane policy engine for AI agent harnesses");
MODULE_VERSION(ACTPLANE_VERSION);
MODULE_AUTHOR("ActPlane developers");
