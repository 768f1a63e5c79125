#!/usr/bin/env bash
# gnn-serve-socat.sh - gnn-predict --serve as a network service on
# 127.0.0.1 behind socat(1): one gnn-predict process per connection, JSON
# lines in, prediction lines out.
#
#   examples/gnn-serve-socat.sh [PORT]        serve until interrupted
#   examples/gnn-serve-socat.sh --demo [PORT] serve, ask once, stop
#
# Clients: echo '{"symbol":"AAPL"}' | socat - TCP:127.0.0.1:PORT
# The store is $TICKERNET_STORE (else ./store); gnn-predict is looked up
# in $TN_BUILD/bin (default build/bin), then on PATH.
set -euo pipefail

demo=0
if [ "${1:-}" = --demo ]; then
	demo=1
	shift
fi
port=${1:-8765}
bin=${TN_BUILD:-build}/bin/gnn-predict
if [ ! -x "$bin" ]; then
	bin=$(command -v gnn-predict)
fi
command -v socat > /dev/null || {
	echo "gnn-serve-socat.sh: socat is not installed" >&2
	exit 69
}

# fork: a process per connection; reuseaddr: restart without waiting.
socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" \
	"EXEC:$bin --serve,stderr" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT

if [ "$demo" -eq 0 ]; then
	wait "$server"
	exit
fi
for _ in 1 2 3 4 5 6 7 8 9 10; do
	if printf '{"symbol":"AAPL"}\n' | socat -t 5 - "TCP:127.0.0.1:$port" 2> /dev/null; then
		exit 0
	fi
	sleep 0.2
done
echo "gnn-serve-socat.sh: no answer on 127.0.0.1:$port" >&2
exit 69
