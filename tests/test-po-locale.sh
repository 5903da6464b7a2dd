#!/bin/bash
# tests/test-po-locale.sh HEARTH_CLI — hearth-cli under a locale with a decimal
# comma (German, French): what a script reads (--json) still parses and its
# numbers use '.', while --help and the human output still work. Skips (77)
# when no such locale is installed (build-aux/setup.sh generates them).
# SPDX-License-Identifier: GPL-3.0-or-later
set -u

cli=${1:?usage: test-po-locale.sh HEARTH_CLI}
python=/usr/bin/python3
failed=0 tried=0

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data"
export XDG_CACHE_HOME="$scratch/cache" XDG_STATE_HOME="$scratch/state" GSETTINGS_BACKEND=memory
unset LANGUAGE LC_NUMERIC LANG
mkdir -p "$HOME"

fail() { echo "not ok: $*"; failed=1; }

# check_json LOCALE ARGS...: the output parses as JSON, and every number in it
# is written the C way (a comma inside a number would not parse; this also
# catches "3,5" written as a string where a figure belongs).
check_json() {
  local loc=$1 out
  shift
  if ! out=$(LC_ALL=$loc timeout 120 "$cli" "$@" 2>"$scratch/stderr"); then
    fail "$loc hearth-cli $*: exit $? ($(head -c 300 "$scratch/stderr"))"
    return
  fi
  if ! printf '%s' "$out" | "$python" -c '
import json, re, sys
text = sys.stdin.read ()
data = json.loads (text)
def walk (v, where):
    if isinstance (v, dict):
        for k, x in v.items (): walk (x, where + "." + k)
    elif isinstance (v, list):
        for i, x in enumerate (v): walk (x, "%s[%d]" % (where, i))
    elif isinstance (v, str) and re.fullmatch (r"-?\d+,\d+", v):
        sys.exit ("%s is %r: a number written with a decimal comma" % (where, v))
walk (data, "$")
# the raw text, for the figures: digits, a point, digits
if re.search (r"[:\[,]\s*-?\d+,\d+\s*[,}\]]", text) and not re.search (r"\d\.\d", text):
    sys.exit ("numbers with a decimal comma")
'; then
    fail "$loc hearth-cli $*: not JSON a script can read: $(printf '%s' "$out" | head -c 300)"
    return
  fi
  echo "ok: $loc hearth-cli $* parses"
}

for loc in de_DE.UTF-8 fr_FR.UTF-8; do
  locale -a 2>/dev/null | grep -qix "${loc/UTF-8/utf8}" || continue
  # the locale really has a decimal comma, or this proves nothing
  if [ "$(LC_ALL=$loc locale decimal_point)" != "," ]; then
    echo "# $loc has no decimal comma: skipped"
    continue
  fi
  tried=$((tried + 1))

  # alerts rules: the default rules' thresholds include 0.5 (from the database)
  check_json "$loc" alerts rules --json
  out=$(LC_ALL=$loc "$cli" alerts rules --json 2>/dev/null)
  printf '%s' "$out" | grep -q '"threshold":0\.5' ||
    fail "$loc alerts rules --json: no threshold written as 0.5"
  # resources --now: CPU percentages as figures with decimals
  check_json "$loc" resources --now --json
  check_json "$loc" cache stats --json
  check_json "$loc" servers list --json
  check_json "$loc" metrics --json

  # what a person reads still works in that locale
  LC_ALL=$loc "$cli" --help >/dev/null 2>&1 || fail "$loc hearth-cli --help failed"
  help=$(LC_ALL=$loc "$cli" alerts --help 2>&1) || fail "$loc hearth-cli alerts --help failed"
  printf '%s' "$help" | grep -q -- '--json' || fail "$loc hearth-cli alerts --help lists no --json"
  LC_ALL=$loc "$cli" alerts rules >/dev/null 2>&1 || fail "$loc hearth-cli alerts rules failed"
  LC_ALL=$loc "$cli" no-such-command >/dev/null 2>&1
  [ $? -eq 2 ] || fail "$loc: a bad command does not exit 2"
done

# A table in German, with the build's catalog: its headers and yes/no cells
# translated, and its columns lined up by characters ("GRÖSSE", "—" and
# "Zustand" are longer in bytes than on screen).
podir=$(cd "$(dirname "$cli")/.." && pwd)/po
if [ -f "$podir/de/LC_MESSAGES/hearth.mo" ] && locale -a 2>/dev/null | grep -qix de_DE.utf8; then
  tried=$((tried + 1))
  out=$(LC_ALL=de_DE.UTF-8 LANGUAGE=de HEARTH_LOCALEDIR=$podir "$cli" servers list 2>/dev/null)
  if printf '%s\n' "$out" | "$python" -c '
import sys
lines = sys.stdin.read ().splitlines ()
header, row = lines[0], lines[1]
for word in ("URL", "ZUSTAND", "AKTIV"):
    if word not in header:
        sys.exit ("no %s in the header: %r" % (word, header))
if " ja " not in row and " nein " not in row:
    sys.exit ("no ja/nein cell: %r" % row)
# the address starts where its header does, counted in characters
if row.index ("http") != header.index ("URL"):
    sys.exit ("columns out of line:\n%s\n%s" % (header, row))
'; then
    echo "ok: de hearth-cli servers list: German headers and cells, columns lined up"
  else
    fail "de hearth-cli servers list: $(printf '%s' "$out" | head -3)"
  fi
else
  echo "# no German catalog in $podir or no de_DE.UTF-8 locale: the German table is not checked"
fi

if [ $tried -eq 0 ]; then
  echo "########################################################################"
  echo "# SKIPPED: no de_DE.UTF-8 or fr_FR.UTF-8 locale here (locale -a)."
  echo "# build-aux/setup.sh's generate_test_locales makes them."
  echo "########################################################################"
  exit 77
fi
echo "$tried locales tried"
exit $failed
