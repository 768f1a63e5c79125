#!/usr/bin/env bats
# make install: every tool and man page lands under DESTDIR/PREFIX, and
# the installed tools run.

load helper

@test "make install puts every tool and man page under DESTDIR and PREFIX" {
	run -0 make -s -C "$TN_REPO" install B="$BUILD" PREFIX=/opt/tn \
		DESTDIR="$BATS_TEST_TMPDIR/root"
	local root=$BATS_TEST_TMPDIR/root/opt/tn tool
	for tool in $TN_TOOLS; do
		[ -x "$root/bin/$tool" ]
		[ -f "$root/share/man/man1/$tool.1" ]
	done
	[ -f "$root/share/man/man5/tickernet-formats.5" ]
	[ -f "$root/share/man/man7/tickernet.7" ]
}

@test "an installed tool runs and names itself" {
	make -s -C "$TN_REPO" install B="$BUILD" PREFIX=/opt/tn \
		DESTDIR="$BATS_TEST_TMPDIR/root" >/dev/null
	run -0 "$BATS_TEST_TMPDIR/root/opt/tn/bin/corr-graph" --version
	[[ $output == "corr-graph (tickernet) "* ]]
}
