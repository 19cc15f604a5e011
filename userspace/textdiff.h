/* SPDX-License-Identifier: GPL-2.0-only */
/* A line diff of two texts in unified format (for `actplane rules --diff`). */
#ifndef ACTPLANE_TEXTDIFF_H
#define ACTPLANE_TEXTDIFF_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Compare a and b line by line; if they differ, print "--- label_a",
 * "+++ label_b" and hunks with three lines of context ("@@ -l,n +l,n @@",
 * then " ", "-" and "+" lines).  Returns true if they differ.  The texts are
 * printed as they are: escape them before.
 */
bool ap_text_diff(FILE *f, const char *label_a, const char *a, const char *label_b,
		  const char *b);

#endif
