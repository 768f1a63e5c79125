#!/usr/bin/env bats
# Checks every manual page under man/: it renders without a single groff
# warning, carries the sections its section of the manual needs, and agrees
# with its file name.  Each test covers all pages and names every page that
# fails, so one run shows the whole damage.
#
# Plain bats on purpose (no tests/helper.bash): the pages need groff and
# man-db only, not a build.

bats_require_minimum_version 1.5.0

setup() {
	root=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	pages=()
	local page
	for page in "$root"/man/*.[1-8]; do
		[ -f "$page" ] && pages+=("$page")
	done
	# Pages are ASCII, so the rendering must not depend on the locale.
	export LC_ALL=C
}

# section_of PAGE: the manual section, from the file name's suffix.
section_of() {
	local page=$1
	printf '%s\n' "${page##*.}"
}

# has_section PAGE TITLE: PAGE has a ".SH TITLE" line (quotes optional).
has_section() {
	grep -Eq "^\.SH +\"?$2\"?[[:space:]]*\$" "$1"
}

# groff_options PAGE: the preprocessor options a "'\" t" first line asks for.
groff_options() {
	local first opts=""
	first=$(head -n 1 "$1")
	case $first in
	"'\\\" "*)
		case ${first#\'\\\" } in *t*) opts="$opts -t" ;; esac
		case ${first#\'\\\" } in *e*) opts="$opts -e" ;; esac
		;;
	esac
	printf '%s\n' "$opts"
}

@test "the man directory holds the overview and the formats page" {
	[ -f "$root/man/tickernet.7" ]
	[ -f "$root/man/tickernet-formats.5" ]
}

@test "every tool in tools/ has a section 1 page" {
	local src tool missing=""
	for src in "$root"/tools/*.c; do
		[ -f "$src" ] || continue
		tool=$(basename "$src" .c)
		[ -f "$root/man/$tool.1" ] || missing="$missing $tool"
	done
	if [ -n "$missing" ]; then
		echo "no man/TOOL.1 for:$missing"
		return 1
	fi
}

@test "every page renders with groff without a warning" {
	local page opts failed=0
	[ "${#pages[@]}" -gt 0 ]
	for page in "${pages[@]}"; do
		opts=$(groff_options "$page")
		# shellcheck disable=SC2086
		run -0 --separate-stderr groff $opts -man -ww -z -Tutf8 "$page"
		if [ -n "$stderr" ]; then
			echo "${page#"$root"/}:"
			printf '%s\n' "$stderr"
			failed=1
		fi
	done
	[ "$failed" -eq 0 ]
}

@test "every page is plain ASCII, with groff escapes for other characters" {
	local page failed=0
	for page in "${pages[@]}"; do
		if LC_ALL=C grep -n '[^[:print:][:space:]]' "$page"; then
			echo "^ non-ASCII bytes in ${page#"$root"/}"
			failed=1
		fi
	done
	[ "$failed" -eq 0 ]
}

@test "every page's .TH names its file and section" {
	local page base th failed=0
	for page in "${pages[@]}"; do
		base=$(basename "$page")
		base=${base%.*}
		th=$(grep -m 1 '^\.TH ' "$page" || true)
		read -r _ title section _ <<<"$th"
		title=${title//\"/}
		section=${section//\"/}
		if [ "$title" != "$(printf '%s' "$base" | tr '[:lower:]' '[:upper:]')" ] ||
			[ "$section" != "$(section_of "$page")" ]; then
			echo "${page#"$root"/}: .TH says '$title' '$section'"
			failed=1
		fi
	done
	[ "$failed" -eq 0 ]
}

@test "every page has NAME and DESCRIPTION sections" {
	local page failed=0
	for page in "${pages[@]}"; do
		if ! has_section "$page" NAME || ! has_section "$page" DESCRIPTION; then
			echo "${page#"$root"/}: missing NAME or DESCRIPTION"
			failed=1
		fi
	done
	[ "$failed" -eq 0 ]
}

@test "every section 1 page has SYNOPSIS and EXIT STATUS sections" {
	local page failed=0
	for page in "${pages[@]}"; do
		[ "$(section_of "$page")" = 1 ] || continue
		if ! has_section "$page" SYNOPSIS || ! has_section "$page" "EXIT STATUS"; then
			echo "${page#"$root"/}: missing SYNOPSIS or EXIT STATUS"
			failed=1
		fi
	done
	[ "$failed" -eq 0 ]
}

@test "every page's NAME line is one whatis(1) can index under the file's name" {
	local page base failed=0
	for page in "${pages[@]}"; do
		base=$(basename "$page")
		base=${base%.*}
		# lexgrog exits 2 when it finds no whatis entry: report the page.
		run --separate-stderr lexgrog "$page"
		if [ "$status" -ne 0 ] || [[ $output != *": \"$base - "* ]]; then
			echo "${page#"$root"/}: lexgrog says: $output $stderr"
			failed=1
		fi
	done
	[ "$failed" -eq 0 ]
}
