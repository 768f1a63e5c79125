#!/usr/bin/env bats
# The pipelines of examples/: the nightly batch end to end on a small
# synthetic universe (offline), its lock and exit codes, predict.sh, the
# GNU parallel and Slurm paths, hpo.sh, and shellcheck on every script.

load helper

EX=$TN_REPO/examples
SCRIPTS="nightly-retrain.sh predict.sh parallel-train.sh slurm-train.sbatch hpo.sh gnn-serve-socat.sh"
KIDS="AAPL MSFT JPM XOM"
# Tiny sizes: the whole file runs in well under a minute on 2 cores.
TINY=(--source synthetic --days 300 --gnn-epochs 2 --lstm-epochs 2 --child-epochs 2
	--gnn-opts "--hidden 8" --lstm-opts "--hidden 16")

# nightly ARGS...: the nightly script with the built tools.
nightly() {
	TN_BIN=$BIN timeout "$TN_TEST_TIMEOUT" "$EX/nightly-retrain.sh" "$@"
}

# One nightly run on the small universe, shared by the tests that read
# its results (they copy the store before changing it).
setup_file() {
	local dir=$BATS_FILE_TMPDIR
	printf '# test universe\nAAPL\nmsft   # lower case is fine\nJPM\n\nXOM\n' >"$dir/universe.txt"
	(
		cd "$dir" || exit 1
		TN_BIN=$BIN timeout 300 "$EX/nightly-retrain.sh" -u universe.txt -s store -w work -j 2 \
			"${TINY[@]}" --metrics-file "$dir/nightly.prom" >out.txt 2>err.txt
		echo $? >rc
	)
	[ -s "$dir/work/summary.jsonl" ] || {
		echo "the fixture nightly run left no summary:" >&2
		cat "$dir/err.txt" >&2
		return 1
	}
}

setup() {
	tn_setup
	D=$BATS_FILE_TMPDIR
	W=$D/work
}

# a copy of the fixture store as this test's store
copy_store() {
	cp -a "$D/store" "$TICKERNET_STORE"
}

@test "the nightly run on a small universe exits 0 and prints a table of every model" {
	[ "$(cat "$D/rc")" -eq 0 ]
	run cat "$D/out.txt"
	[[ ${lines[0]} == "symbol "*"model"*"status"*"skill"*"momentum"* ]]
	for s in $KIDS; do
		grep -Eq "^$s +gnn +(promoted|kept) " "$D/out.txt"
		grep -Eq "^$s +lstm +(promoted|kept) " "$D/out.txt"
	done
	grep -Eq '^\^GSPC +lstm +(promoted|kept) ' "$D/out.txt"
	grep -q '5 symbols, 0 failed' "$D/out.txt"
}

@test "the nightly summary has the tools' fields for 4 GNN and 5 LSTM models" {
	run jq -rs 'map(select(.model == "gnn")) | length' "$W/summary.jsonl"
	[ "$output" = 4 ]
	run jq -rs 'map(select(.model == "lstm")) | length' "$W/summary.jsonl"
	[ "$output" = 5 ]
	run jq -r 'select((.skill | type) != "number" or (.baselines.zero.mse | type) != "number"
		or (.model_version | type) != "string" or (.status | test("promoted|kept") | not))
		| .symbol' "$W/summary.jsonl"
	[ -z "$output" ]
	run jq -r 'select(.model == "lstm" and .symbol != "^GSPC") | .strategy' "$W/summary.jsonl"
	[ "$(printf '%s\n' "$output" | sort -u)" = freeze ]
	[ ! -s "$W/failed.txt" ]
}

@test "the nightly run leaves a run record per symbol and model" {
	for s in $KIDS; do
		run jq -r '.tool' "$D/store/runs/gnn/$s.jsonl"
		[ "$output" = gnn-train ]
		run jq -r '.tool' "$D/store/runs/lstm/$s.jsonl"
		[ "$output" = lstm-train ]
	done
	run jq -r '.tool' "$D/store/runs/lstm/^GSPC.jsonl"
	[ "$output" = lstm-train ]
}

@test "every trained model's current.h5 points at a version in its directory" {
	for m in gnn/AAPL gnn/MSFT gnn/JPM gnn/XOM lstm/AAPL lstm/MSFT lstm/JPM lstm/XOM 'lstm/^GSPC'; do
		link=$D/store/models/$m/current.h5
		[ -L "$link" ]
		target=$(readlink "$link")
		[[ $target =~ ^[0-9]{8}T[0-9]{6}Z\.h5$ ]]
		[ -f "$D/store/models/$m/$target" ]
	done
	[ ! -e "$D/store/models/gnn/^GSPC" ]
}

@test "the nightly metrics file says the run succeeded" {
	grep -Eq '^tickernet_nightly_last_success_timestamp_seconds [0-9]+$' "$D/nightly.prom"
	grep -qx 'tickernet_nightly_failed_symbols 0' "$D/nightly.prom"
	grep -qx 'tickernet_nightly_symbols 5' "$D/nightly.prom"
	grep -Eq '^tickernet_nightly_models\{model="gnn",status="(promoted|kept)"\} 4$' "$D/nightly.prom"
	grep -qx 'tickernet_nightly_step_exit_status{step="gnn-train"} 0' "$D/nightly.prom"
	[ "$(stat -c %a "$D/nightly.prom")" = 644 ]
}

@test "the nightly run fills the price cache that gnn-predict --serve answers from" {
	for s in $KIDS '^GSPC'; do
		[ -s "$D/store/prices/$s.csv" ]
	done
	copy_store
	run -0 --separate-stderr gnn-predict --serve <<<'{"symbol":"MSFT"}'
	[ "$(jq -r .status <<<"$output")" = pre-trained ]
}

@test "a second nightly run while the lock is held exits 75 at once" {
	copy_store
	local lock=$TICKERNET_STORE/locks/nightly.lock
	run -75 --separate-stderr flock "$lock" env TN_BIN="$BIN" "$EX/nightly-retrain.sh" \
		-u "$D/universe.txt" -s "$TICKERNET_STORE" "${TINY[@]}"
	[[ $stderr == *"another run holds"*nightly.lock* ]]
	[ ! -d "$TICKERNET_STORE/nightly" ]
}

@test "a bad symbol in the universe fails the night with exit 1 and the others still train" {
	copy_store
	printf 'AAPL\nBAD/X\nMSFT\n' >"$BATS_TEST_TMPDIR/u.txt"
	run -1 --separate-stderr nightly -u "$BATS_TEST_TMPDIR/u.txt" -s "$TICKERNET_STORE" \
		-w "$BATS_TEST_TMPDIR/w" "${TINY[@]}" --metrics-file "$BATS_TEST_TMPDIR/m.prom"
	[[ $stderr == *"'BAD/X' is not a symbol"* ]]
	[[ $output == *"BAD/X"*failed* ]]
	run jq -r 'select(.status == "promoted" or .status == "kept") | "\(.symbol) \(.model)"' \
		"$BATS_TEST_TMPDIR/w/summary.jsonl"
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "AAPL gnn AAPL lstm MSFT gnn MSFT lstm ^GSPC lstm " ]
	grep -qx 'tickernet_nightly_failed_symbols 1' "$BATS_TEST_TMPDIR/m.prom"
	# no success yet in this store's history, so no last-success sample
	! grep -q '^tickernet_nightly_last_success_timestamp_seconds ' "$BATS_TEST_TMPDIR/m.prom"
}

@test "a failing training step is reported, the rest still runs, and the exit status is 1" {
	copy_store
	printf 'AAPL\n' >"$BATS_TEST_TMPDIR/u.txt"
	run -1 --separate-stderr nightly -u "$BATS_TEST_TMPDIR/u.txt" -s "$TICKERNET_STORE" \
		-w "$BATS_TEST_TMPDIR/w" --source synthetic --days 300 --gnn-epochs 1 \
		--lstm-epochs 1 --child-epochs 1 --gnn-opts "--activation bogus"
	[[ $stderr == *"nightly-retrain: gnn-train: exit 2"* ]]
	grep -qx 'gnn-train	2	.*' "$BATS_TEST_TMPDIR/w/steps.tsv"
	grep -qx 'lstm-children	0	.*' "$BATS_TEST_TMPDIR/w/steps.tsv"
	grep -qx 'AAPL	gnn	not trained' "$BATS_TEST_TMPDIR/w/failed.txt"
	[ "$(jq -r 'select(.symbol == "AAPL") | .model' "$BATS_TEST_TMPDIR/w/summary.jsonl")" = lstm ]
}

@test "the nightly script rejects an unknown option with exit 2" {
	run -2 --separate-stderr nightly --bogus
	[ "$stderr" = "nightly-retrain: unknown option '--bogus'
Try 'nightly-retrain.sh --help' for more information." ]
}

@test "the nightly script exits 66 when the universe cannot be read" {
	run -66 --separate-stderr nightly -u "$BATS_TEST_TMPDIR/none.txt" -s "$TICKERNET_STORE"
	[[ $stderr == *"none.txt: cannot read the universe"* ]]
}

@test "predict.sh prints one GNN and one LSTM prediction from pre-trained models" {
	copy_store
	run -0 --separate-stderr env TN_BIN="$BIN" "$EX/predict.sh" --source synthetic --days 300 JPM
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -r '[.symbol, .model, .status] | join(" ")' <<<"${lines[0]}")" = "JPM gnn pre-trained" ]
	[ "$(jq -r '[.symbol, .model, .status] | join(" ")' <<<"${lines[1]}")" = "JPM lstm pre-trained" ]
	[ "$(jq -r '.forecast | length' <<<"${lines[1]}")" -eq 5 ]
	[ "$(jq -r '.model_version' <<<"${lines[0]}")" = "$(readlink "$TICKERNET_STORE/models/gnn/JPM/current.h5" | sed 's/\.h5$//')" ]
}

@test "predict.sh answers with the fallback for a symbol without models" {
	copy_store
	run -0 --separate-stderr env TN_BIN="$BIN" "$EX/predict.sh" --source synthetic --days 300 IBM
	[ "$(jq -r .status <<<"${lines[0]}")" = fallback ]
	[ "$(jq -r .status <<<"${lines[1]}")" = fallback ]
}

@test "parallel-train.sh trains each symbol through GNU parallel's sshloginfile" {
	require_command parallel
	copy_store
	printf ':\n2/:\n' >"$BATS_TEST_TMPDIR/hosts"
	printf 'AAPL\n# comment\nXOM\nNOPE\n' >"$BATS_TEST_TMPDIR/syms"
	run -1 --separate-stderr env TN_BIN="$BIN" "$EX/parallel-train.sh" \
		-S "$BATS_TEST_TMPDIR/hosts" --joblog "$BATS_TEST_TMPDIR/joblog" \
		"$BATS_TEST_TMPDIR/syms" "$W/features-gnn.csv" -- --epochs 1 --hidden 8
	run jq -r '"\(.symbol) \(.status)"' <<<"$output"
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "AAPL kept NOPE failed XOM kept " ] ||
		[ "$(sort <<<"$output" | sed 's/promoted/kept/' | tr '\n' ' ')" = "AAPL kept NOPE failed XOM kept " ]
	[ "$(jq -s length "$TICKERNET_STORE/runs/gnn/AAPL.jsonl")" -eq 2 ]
	[ "$(awk -F'\t' 'NR > 1 && $2 == ":"' "$BATS_TEST_TMPDIR/joblog" | wc -l)" -eq 3 ]
}

@test "parallel-train.sh trains LSTM children of the parent" {
	require_command parallel
	copy_store
	printf ':\n' >"$BATS_TEST_TMPDIR/hosts"
	printf 'MSFT\nJPM\n' >"$BATS_TEST_TMPDIR/syms"
	run -0 --separate-stderr env TN_BIN="$BIN" "$EX/parallel-train.sh" -S "$BATS_TEST_TMPDIR/hosts" \
		-m lstm "$BATS_TEST_TMPDIR/syms" "$W/features-lstm.csv" -- --epochs 1
	[ "$(jq -r .strategy <<<"$output" | sort -u)" = freeze ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "slurm-train.sbatch trains the symbol of its array task" {
	copy_store
	printf '# universe\nAAPL\n\nXOM\n' >"$BATS_TEST_TMPDIR/syms"
	run -0 --separate-stderr env TN_BIN="$BIN" SLURM_ARRAY_TASK_ID=2 bash "$EX/slurm-train.sbatch" \
		"$BATS_TEST_TMPDIR/syms" "$W/features-gnn.csv" --epochs 1 --hidden 8
	[ "$(jq -r .symbol <<<"$output")" = XOM ]
	run -66 --separate-stderr env TN_BIN="$BIN" SLURM_ARRAY_TASK_ID=3 bash "$EX/slurm-train.sbatch" \
		"$BATS_TEST_TMPDIR/syms" "$W/features-gnn.csv"
	[[ $stderr == *"no symbol number 3"* ]]
}

@test "hpo.sh runs its trials in parallel and ranks them by validation mse" {
	printf -- '--hidden 4 8\n--lr 0.001 0.01\n' >"$BATS_TEST_TMPDIR/space"
	run -0 --separate-stderr env TN_BIN="$BIN" "$EX/hpo.sh" -n 3 -P 2 --space "$BATS_TEST_TMPDIR/space" \
		--fixed "--epochs 2" -w "$BATS_TEST_TMPDIR/hpo" "$W/features-gnn.csv"
	local ranking=$BATS_TEST_TMPDIR/hpo/ranking.tsv
	[ "$(wc -l <"$ranking")" -eq 3 ]
	# ranked by the mse of each trial's own run record, lowest first
	cut -f3 "$ranking" | sort -g -c
	for n in 1 2 3; do
		[ -s "$BATS_TEST_TMPDIR/hpo/trial-$n/store/runs/gnn/AAPL.jsonl" ]
		want=$(jq -r '.metrics.mse' "$BATS_TEST_TMPDIR/hpo/trial-$n/store/runs/gnn/AAPL.jsonl")
		got=$(awk -F'\t' -v n="$n" '$2 == n { print $3 }' "$ranking")
		[ "$want" = "$got" ]
	done
	[ "$(cut -f7 "$ranking" | sort -u | wc -l)" -eq 3 ]
	[[ $stderr == *"best trial $(head -n 1 "$ranking" | cut -f2):"* ]]
}

@test "gnn-serve-socat.sh answers a request over TCP" {
	require_command socat
	copy_store
	run -0 --separate-stderr env TN_BUILD="$BUILD" "$EX/gnn-serve-socat.sh" --demo $((20000 + RANDOM % 20000))
	[ "$(jq -r '[.symbol, .status] | join(" ")' <<<"$output")" = "AAPL pre-trained" ]
}

@test "every script answers --help with its usage and exit 0" {
	for s in nightly-retrain.sh predict.sh parallel-train.sh hpo.sh; do
		run -0 "$EX/$s" --help
		[[ $output == *"$s "* ]]
	done
	run -0 bash "$EX/slurm-train.sbatch" --help
	[[ $output == *"sbatch --array"* ]]
}

@test "the systemd units run the nightly script on a valid calendar" {
	grep -q '^ExecStart=.*/nightly-retrain.sh ' "$EX/tickernet-nightly.service"
	grep -qx 'Type=oneshot' "$EX/tickernet-nightly.service"
	grep -qx 'SuccessExitStatus=75' "$EX/tickernet-nightly.service"
	grep -qx 'Unit=tickernet-nightly.service' "$EX/tickernet-nightly.timer"
	cal=$(sed -n 's/^OnCalendar=//p' "$EX/tickernet-nightly.timer")
	[ "$cal" = "Mon..Fri *-*-* 06:30:00" ]
	# systemd is not a test dependency; where it is there, it checks too
	if command -v systemd-analyze >/dev/null; then
		systemd-analyze calendar "$cal" >/dev/null
	fi
}

@test "shellcheck passes on every pipeline script" {
	require_command shellcheck
	for s in $SCRIPTS; do
		run shellcheck "$EX/$s"
		[ "$status" -eq 0 ] || {
			echo "$output"
			return 1
		}
	done
}
