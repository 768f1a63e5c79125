#!/usr/bin/env bash
# parallel-train.sh - per-symbol training spread over several hosts with
# GNU parallel --sshloginfile, every host reading and writing one store on
# a network filesystem.
#
#   parallel-train.sh [OPTION]... SYMBOLS-FILE FEATURES.csv [-- TOOL-OPTION...]
#
#   -S, --sshloginfile F  GNU parallel's host list, e.g. "8/node1", "4/node2",
#                         ":" for this host (default: this host only)
#   -s, --store DIR       the shared store (default $TICKERNET_STORE, else
#                         ./store); the same path on every host
#   -m, --model M         gnn (default) or lstm
#   -j, --jobs N          jobs per host when the host list gives none
#                         (default: one per CPU core)
#       --parent SYM      lstm children: the parent (default ^GSPC)
#       --strategy S      lstm children: freeze (default) or finetune
#       --joblog FILE     GNU parallel's job log (default: none)
#       --no-version-check  do not compare the tools' versions on the hosts
#   -h, --help            this help
#
# One job per symbol of SYMBOLS-FILE ('#' comments): gnn-train --symbol SYM
# (or lstm-train --symbol SYM --parent ...) with the TOOL-OPTIONs, each
# printing its JSON summary line; they are gathered on standard output.
# The exit status is 0 when every symbol trained, 1 when some failed, 69
# when the hosts run different tickernet versions.
#
# What must hold on the hosts:
#   - the store and FEATURES.csv at the same absolute path everywhere, on a
#     filesystem where rename(2) within a directory is atomic (NFS, CephFS,
#     Lustre, GPFS all are) so that a new model version or current.h5 is
#     never seen half-written;
#   - working flock(2) across hosts: NFSv4 (locks are in the protocol), or
#     NFSv3 with the lock manager (rpc.statd/lockd; not mounted -o nolock);
#     the per-symbol locks in STORE/locks keep two writers of one symbol
#     apart;
#   - the same tickernet version and the tools at the same path on every
#     host (checked before anything runs, unless --no-version-check), and
#     ssh to each host without a password.
# Tools are taken from $TN_BIN when set, else from PATH.
set -euo pipefail

prog=parallel-train
sshloginfile=
store=${TICKERNET_STORE:-./store}
model=gnn
jobs=
parent=^GSPC
strategy=freeze
joblog=
check=1

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '/^set -euo/d; s/^# \{0,1\}//'
}

bad_usage() {
	echo "$prog: $1" >&2
	echo "Try 'parallel-train.sh --help' for more information." >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--no-version-check) check=0; shift; continue ;;
	--) break ;;
	-S | --sshloginfile | -s | --store | -m | --model | -j | --jobs | --parent | \
	--strategy | --joblog)
		[ $# -ge 2 ] || bad_usage "option '$1' needs an argument" ;;
	-*) bad_usage "unknown option '$1'" ;;
	*) break ;;
	esac
	case $1 in
	-S | --sshloginfile) sshloginfile=$2 ;;
	-s | --store) store=$2 ;;
	-m | --model) model=$2 ;;
	-j | --jobs) jobs=$2 ;;
	--parent) parent=$2 ;;
	--strategy) strategy=$2 ;;
	--joblog) joblog=$2 ;;
	esac
	shift 2
done
[ $# -ge 2 ] || bad_usage "SYMBOLS-FILE and FEATURES.csv are needed"
symbols=$1
features=$2
shift 2
if [ $# -gt 0 ]; then
	[ "$1" = -- ] || bad_usage "tool options go after '--'"
	shift
fi
case $model in
gnn | lstm) ;;
*) bad_usage "--model: gnn or lstm, not '$model'" ;;
esac
case $strategy in
freeze | finetune) ;;
*) bad_usage "--strategy: freeze or finetune, not '$strategy'" ;;
esac
if [ -n "$jobs" ]; then
	case $jobs in
	'' | *[!0-9]* | 0) bad_usage "-j: '$jobs' is not a positive number" ;;
	esac
fi

if [ -n "${TN_BIN:-}" ]; then
	PATH=$TN_BIN:$PATH
fi
command -v parallel >/dev/null || { echo "$prog: GNU parallel is not installed" >&2; exit 69; }
tool=$(command -v "$model-train") || { echo "$prog: $model-train: not found (set TN_BIN)" >&2; exit 69; }
[ -r "$symbols" ] || { echo "$prog: $symbols: cannot read" >&2; exit 66; }
[ -r "$features" ] || { echo "$prog: $features: cannot read" >&2; exit 66; }
# Remote hosts see only absolute paths.
mkdir -p "$store" || exit 73
store=$(cd "$store" && pwd)
features=$(cd "$(dirname "$features")" && pwd)/$(basename "$features")

hosts=()
[ -z "$sshloginfile" ] || hosts=(--sshloginfile "$sshloginfile")
opts=(--halt never)
[ -z "$jobs" ] || opts+=(--jobs "$jobs")
[ -z "$joblog" ] || opts+=(--joblog "$joblog")

if [ "$check" -eq 1 ]; then
	versions=$(parallel "${hosts[@]}" --nonall --tag "$tool" --version </dev/null) || {
		echo "$prog: $tool --version failed on some host:" >&2
		printf '%s\n' "$versions" >&2
		exit 69
	}
	if [ "$(printf '%s\n' "$versions" | cut -f2- | sort -u | wc -l)" -ne 1 ]; then
		echo "$prog: the hosts run different versions of $model-train:" >&2
		printf '%s\n' "$versions" >&2
		exit 69
	fi
fi

train=("$tool" -q --store "$store" --symbol '{}')
[ "$model" = gnn ] || train+=(--parent "$parent" --strategy "$strategy")
rc=0
# -q: parallel quotes every word, so paths and options pass through the
# remote shell as they are.
sed 's/#.*//; s/[[:space:]]//g; /^$/d' "$symbols" |
	parallel "${hosts[@]}" "${opts[@]}" -q "${train[@]}" "$@" "$features" || rc=$?
if [ "$rc" -ne 0 ]; then
	echo "$prog: some symbols failed (parallel exit $rc: the number failed)" >&2
	exit 1
fi
