#!/usr/bin/env bash
# Usage: ensure-reachable.sh PATH
# User servers run as the users' own Unix accounts and must be able to run the hub's Python
# environment. When a folder on the way to PATH (e.g. a checkout under /root) is not searchable by
# other accounts, this adds the search bit (o+x: pass through, not list) to it and says so.
# Only runs as root; changes nothing else.
set -euo pipefail
[ "$(id -u)" = 0 ] || exit 0
target=$(readlink -f "$1")
dir=$target
while [ "$dir" != "/" ]; do
  dir=$(dirname "$dir")
  if [ -d "$dir" ] && ! [ "$(( 0$(stat -c '%a' "$dir") & 1 ))" = 1 ]; then
    echo "ensure-reachable: adding o+x (search only) to $dir so user accounts can reach $target"
    chmod o+x "$dir"
  fi
done
