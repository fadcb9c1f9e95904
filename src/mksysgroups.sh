#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Writes sysgroups.c, the system call groups of syscall-filter, from what
# systemd-analyze(1) says of its own: forkd's groups are systemd's, so
# that a SystemCallFilter= line means the same in forkd.conf.
#
#	sh src/mksysgroups.sh > src/sysgroups.c
set -eu

systemd-analyze syscall-filter --no-pager | awk -v version="$(
    systemd-analyze --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')" '
function flush() {
	if (group == "")
		return
	printf "\t{ \"%s\",\n", group
	line = "\t    \""
	for (i = 1; i <= n; i++) {
		if (length(line) + length(m[i]) > 68) {
			printf "%s\"\n", line
			line = "\t    \""
		}
		line = line m[i] " "
	}
	printf "%s\" },\n", line
	group = ""
	n = 0
}
BEGIN {
	print "/* SPDX-License-Identifier: ISC */"
	print "/*"
	print " * Written by src/mksysgroups.sh from systemd " version "\x27s own groups;"
	print " * edit that, not this."
	print " */"
	print "#include \"config.h\""
	print ""
	print "#include <stddef.h>"
	print ""
	print "#include \"sandbox.h\""
	print ""
	print "const struct sysgroup sysgroups[] = {"
}
/^@/ { flush(); group = $1; next }
/^    #/ { next }
/^    [@a-z0-9_]/ { if (group != "") m[++n] = $1; next }
/^$/ { flush(); next }
/^#/ { flush(); next }
END {
	flush()
	print "};"
	print ""
	print "const size_t nsysgroups = sizeof(sysgroups) / sizeof(sysgroups[0]);"
}'
