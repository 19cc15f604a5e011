#!/bin/sh
# Emit an assembler file that embeds the enforcer BPF objects in the tool:
#   gen-embed.sh OBJDIR NAME...   (objects are OBJDIR/enforcer_NAME.bpf.o)
# and a NULL-terminated table  struct { const char *name; const void *start, *end; }
# ap_enforcer_blobs[]  (see userspace/enforcers.h).
set -eu
dir=$1; shift
echo '	.section .rodata'
for n in "$@"; do
	cat <<EOS
	.balign 8
ap_obj_$n:
	.incbin "$dir/enforcer_$n.bpf.o"
ap_obj_${n}_end:
ap_name_$n:
	.asciz "$n"
EOS
done
echo '	.section .data.rel.ro'
echo '	.balign 8'
echo '	.global ap_enforcer_blobs'
echo 'ap_enforcer_blobs:'
for n in "$@"; do
	echo "	.quad ap_name_$n, ap_obj_$n, ap_obj_${n}_end"
done
echo '	.quad 0, 0, 0'
echo '	.section .note.GNU-stack,"",@progbits'
