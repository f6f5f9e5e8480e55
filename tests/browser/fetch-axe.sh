#!/usr/bin/env bash
# Fetches axe-core 4 from npm (without installing anything) into the directory
# given as $1 and prints the path of axe.min.js. Reuses a copy already there.
# Used by tests/tests/browser.rs; nothing of it is committed.
set -euo pipefail
dir="${1:?usage: fetch-axe.sh <dir>}"
mkdir -p "$dir"
if [ ! -s "$dir/package/axe.min.js" ]; then
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent axe-core@4 >/dev/null)
    tar -xzf "$tmp"/axe-core-*.tgz -C "$dir"
fi
echo "$dir/package/axe.min.js"
