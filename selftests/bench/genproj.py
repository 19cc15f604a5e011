#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Generate the macro-benchmark workloads' source trees.

  genproj.py build DIR N     a C project of N small modules (a .c and two .h
                             each) + main.c + Makefile
                             (`make -j1` compiles and links it)
  genproj.py tree DIR N      a git-like working tree for the agent replay:
                             the same sources plus docs, tests and notes

Deterministic: the same arguments always give the same files.
"""
import os
import sys

MODULE = """\
/* module {i}: generated for the ActPlane build benchmark */
#include <string.h>
#include "proj.h"
#include "mod_{i:03d}.h"
#include "mod_{i:03d}_tab.h"

int mod_{i}_sum(int x)
{{
\tint s = 0;

\tfor (int k = 0; k < {n}; k++)
\t\ts += table_{i}[k] * (x + k);
\treturn s;
}}

size_t mod_{i}_name(char *buf, size_t len)
{{
\tconst char *name = "module-{i}";
\tsize_t n = strlen(name);

\tif (n >= len)
\t\tn = len - 1;
\tmemcpy(buf, name, n);
\tbuf[n] = 0;
\treturn n;
}}

int mod_{i}_step(int x)
{{
\t/* TODO: tune the factor of module {i} */
\treturn (x * {f} + {i}) % 1009;
}}
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def gen_build(d, n):
    incs = []
    calls = []
    for i in range(n):
        size = 8 + i % 9
        init = ", ".join(str((i * 7 + k * 3) % 97) for k in range(size))
        write(os.path.join(d, "src", "mod_%03d.c" % i),
              MODULE.format(i=i, n=size, f=3 + i % 13))
        write(os.path.join(d, "src", "mod_%03d_tab.h" % i),
              "/* table of module %d */\nstatic int table_%d[%d] = { %s };\n" % (i, i, size, init))
        write(os.path.join(d, "src", "mod_%03d.h" % i),
              "#ifndef MOD_%03d_H\n#define MOD_%03d_H\nint mod_%d_sum(int x);\n"
              "size_t mod_%d_name(char *buf, size_t len);\nint mod_%d_step(int x);\n#endif\n"
              % (i, i, i, i, i))
        incs.append("#include \"mod_%03d.h\"" % i)
        calls.append("\tacc += mod_%d_sum(acc %% 31) + mod_%d_step(acc);\n"
                     "\tmod_%d_name(name, sizeof(name));" % (i, i, i))
    write(os.path.join(d, "src", "proj.h"),
          "#ifndef PROJ_H\n#define PROJ_H\n#include <stddef.h>\n#define PROJ_VERSION 1\n#endif\n")
    write(os.path.join(d, "src", "main.c"),
          "#include <stdio.h>\n#include \"proj.h\"\n" + "\n".join(incs)
          + "\n\nint main(void)\n{\n"
          "\tchar name[32];\n\tlong acc = 1;\n\n" + "\n".join(calls)
          + "\n\tprintf(\"%ld %s\\n\", acc, name);\n\treturn 0;\n}\n")
    write(os.path.join(d, "Makefile"),
          "# generated: %d modules\n"
          "CC = gcc\nCFLAGS = -O2 -Wall\n"
          "SRC = $(wildcard src/*.c)\nOBJ = $(SRC:src/%%.c=obj/%%.o)\n\n"
          "app: $(OBJ)\n\t$(CC) -o $@ $(OBJ)\n\n"
          "obj/main.o: src/main.c $(wildcard src/*.h)\n\t@mkdir -p obj\n\t$(CC) $(CFLAGS) -c $< -o $@\n\n"
          "obj/%%.o: src/%%.c src/%%.h src/%%_tab.h src/proj.h\n\t@mkdir -p obj\n\t$(CC) $(CFLAGS) -c $< -o $@\n\n"
          "clean:\n\trm -rf obj app\n" % n)


def gen_tree(d, n):
    gen_build(d, n)
    for i in range(0, n, 10):
        write(os.path.join(d, "tests", "test_%03d.sh" % i),
              "#!/bin/sh\n# checks module %d\ngrep -q mod_%d_sum src/mod_%03d.c\n" % (i, i, i))
    for i in range(20):
        write(os.path.join(d, "docs", "chapter-%02d.md" % i),
              "# Chapter %d\n\n" % i + "".join("Line %d of chapter %d. TODO: review.\n" % (k, i)
                                                for k in range(40)))
    write(os.path.join(d, "README.md"), "# generated tree\n\nSee docs/.\n")
    write(os.path.join(d, "NOTES.md"), "# notes\n")


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("build", "tree"):
        sys.stderr.write(__doc__)
        return 2
    d, n = sys.argv[2], int(sys.argv[3])
    (gen_build if sys.argv[1] == "build" else gen_tree)(d, n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
