#!/usr/bin/env bash
# The README's first command, exactly as written there, on a fresh clone of this checkout's HEAD: it must
# install what it needs and start the demo (diagnoses posted, "Press Ctrl-C"), then stop cleanly on Ctrl-C.
# PORT=0 only keeps it off a port CI may use; the command itself is taken from README.md unchanged.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
command="$(awk '/^```sh$/ { getline; print; exit }' "$repo/README.md" | sed 's/ *#.*$//')"
work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

git clone --quiet "$repo" "$work/medic"
cd "$work/medic"
echo "fresh clone of $(git rev-parse --short HEAD): $command"
PORT=0 setsid bash -c "$command" >"$work/out" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  grep -q 'Press Ctrl-C' "$work/out" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
if ! grep -q 'Press Ctrl-C' "$work/out"; then
  cat "$work/out"
  echo "check-first-run: the README's first command did not start the demo" >&2
  exit 1
fi
grep -E 'diagnoses posted|Console' "$work/out"
kill -INT -- "-$pid"
# A shell whose foreground command was stopped by Ctrl-C exits 130, as in a terminal: what counts is that the demo
# said it stopped everything and the process group is gone.
status=0
wait "$pid" || status=$?
if ! grep -q 'Stopped.' "$work/out"; then
  cat "$work/out"
  echo "check-first-run: the demo did not stop cleanly on Ctrl-C (exit $status)" >&2
  exit 1
fi
echo "check-first-run: ok (exit $status after Ctrl-C)"
