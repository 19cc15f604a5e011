// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the policy compiler.  One input is tried three ways:
 * as a YAML policy file, as a raw DSL text, and split at the first NUL (or
 * newline) into a glob pattern and a path / an endpoint pattern.  Every
 * diagnostic is rendered, every compiled policy dumped as text and JSON, so
 * the whole pipeline runs under ASan/UBSan.
 */
#include <json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	return f;
}

static void exercise(struct ap_policy *p, struct ap_diag *d)
{
	size_t r, c;

	ap_diag_print(sink(), d, true);
	if (!p)
		return;
	ap_policy_dump_text(sink(), p);
	json_object_put(ap_policy_dump_json(p));
	for (r = 0; r < p->n_rules; r++)
		for (c = 0; c < p->rules[r].n_clauses; c++) {
			const struct ap_clause *cl = &p->rules[r].clauses[c];

			if (ap_expr_eval(cl->expr, cl->expr_len, ~0ULL) < 0)
				abort();	/* the compiler emitted a bad program */
			if (cl->target.kind != AP_TARGET_ENDPOINT)
				ap_matcher_match(&cl->target.path,
						 "/work/proj/src/main.c");
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct ap_policy *p;
	struct ap_diag d;
	char *a, *b;
	size_t split;

	ap_diag_init(&d);
	p = ap_policy_load_string(text, size, "/work/proj/actplane.yaml",
				  size && data[0] & 1 ? "session" : NULL, &d);
	exercise(p, &d);
	ap_policy_free(p);
	ap_diag_free(&d);

	ap_diag_init(&d);
	p = ap_policy_load_dsl(text, size, "/work/proj", &d);
	exercise(p, &d);
	ap_policy_free(p);
	ap_diag_free(&d);

	/* pattern NUL path: the matchers must agree and not crash */
	for (split = 0; split < size && data[split] && data[split] != '\n';
	     split++)
		;
	if (size > 4096)
		return 0;
	a = strndup(text, split);
	b = strndup(split < size ? text + split + 1 : "", split < size ?
		    size - split - 1 : 0);
	if (a && b) {
		const char *lit, *why;
		size_t len;
		enum ap_match_class cls;
		struct ap_endpoint ep;
		char *resolved = ap_pattern_resolve(a, false, "/w", &why);

		if (resolved && b[0] == '/') {
			cls = ap_glob_classify(resolved, &lit, &len);
			if (ap_class_match(cls, lit, len, resolved, b) !=
			    ap_glob_match(resolved, b))
				abort();	/* classification must be exact */
		}
		free(resolved);
		if (!ap_endpoint_parse(a, &ep, NULL, NULL)) {
			char buf[128];

			ap_endpoint_format(&ep, buf, sizeof(buf));
			ap_endpoint_match(&ep, ep.family ? ep.family : 2,
					  ep.addr, ep.port);
		}
	}
	free(a);
	free(b);
	return 0;
}
