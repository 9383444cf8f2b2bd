# Shared helpers of the end-to-end CLI checks, sourced by tests/<comp>/cli.sh CASE C2S SOURCE_DIR
# (registered with c2s_add_cli_tests). Sets case_name, c2s, src and a scratch folder $tmp removed at
# exit; the caller may set usage_group (e.g. "plot") before `usage` is called.
set -u
case_name=$1 c2s=$2 src=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect RC TEXT ARGS...: `c2s ARGS` exits with RC and its output (stdout + stderr) contains TEXT.
expect() {
  local want=$1 text=$2
  shift 2
  "$c2s" "$@" > "$tmp/log" 2>&1
  local rc=$?
  [ "$rc" = "$want" ] || fail "c2s $*: exit $rc, expected $want: $(cat "$tmp/log")"
  grep -qF -- "$text" "$tmp/log" || fail "c2s $*: no \"$text\" in: $(cat "$tmp/log")"
}
# usage COMMAND TEXT ARGS...: a usage mistake: exit 2, the message and the usage of
# `c2s [usage_group] COMMAND`.
usage() {
  local cmd=${usage_group:+$usage_group }$1
  shift
  expect 2 "$@"
  grep -qF "usage: c2s $cmd " "$tmp/log" || fail "c2s $*: no usage of '$cmd': $(cat "$tmp/log")"
}
# expect_fail CODE OUTPUT-GLOB MESSAGE -- command...: the command exits CODE with MESSAGE in its output
# (for CODE 2 also the usage of `c2s $cmd`; the caller sets cmd) and leaves nothing matching OUTPUT-GLOB.
expect_fail() {
  local code=$1 left=$2 msg=$3; shift 4
  "$@" > "$tmp/log" 2>&1; local rc=$?
  [ $rc = "$code" ] || fail "exit $rc, expected $code: $* :: $(cat "$tmp/log")"
  grep -qF -- "$msg" "$tmp/log" || fail "no message '$msg' from: $* :: $(cat "$tmp/log")"
  if [ "$code" = 2 ]; then grep -q "^usage: c2s ${cmd:?} " "$tmp/log" || fail "no usage of c2s $cmd: $(cat "$tmp/log")"; fi
  # shellcheck disable=SC2086
  ! ls $left > /dev/null 2>&1 || fail "a failed command left output: $(ls $left) ($*)"
}
# help_matches_doc "COMMAND WORDS": `c2s COMMAND --help` prints, byte for byte, the block docs/cli.md
# shows for it (scripts/make_cli_doc.sh).
help_matches_doc() {
  # shellcheck disable=SC2086
  "$c2s" $1 --help > "$tmp/help" || fail "$1 --help: exit $?"
  awk -v h="## \`c2s $1\`" '$0 == h { on = 1; next } on && /^```/ { if (inside) exit; inside = 1; next } inside { print }' \
    "$src/docs/cli.md" > "$tmp/doc"
  [ -s "$tmp/doc" ] || fail "docs/cli.md has no block for c2s $1"
  cmp -s "$tmp/help" "$tmp/doc" || fail "c2s $1 --help differs from docs/cli.md: $(diff "$tmp/doc" "$tmp/help")"
}
run() { "$c2s" "$@" > "$tmp/log" 2>&1 || fail "c2s $*: exit $?: $(cat "$tmp/log")"; }
absent() { for f in "$@"; do [ ! -e "$f" ] || fail "a failed command left '$f'"; done; }
# col FILE.csv NAME: the 1-based index of column NAME (plain header, no quotes).
col() { head -1 "$1" | tr ',' '\n' | grep -nxF -- "$2" | cut -d: -f1; }

# A CSV splitter for mawk: csv_split(line, out) fills out[1..n] (quotes and "" handled), returns n.
awk_csv='function csv_split(s, out,    n, i, c, f, q) {
  n = 0; f = ""; q = 0
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (q) { if (c == "\"") { if (substr(s, i + 1, 1) == "\"") { f = f c; i++ } else q = 0 } else f = f c }
    else if (c == "\"") q = 1
    else if (c == ",") { out[++n] = f; f = "" }
    else f = f c
  }
  out[++n] = f
  return n
}'

# --- .npy, read with od (not with c2s) ---------------------------------------------------------
npy_offset() {  # where the data start (format 1.x: 10 + 2-byte length; 2.x/3.x: 12 + 4 bytes)
  local major
  major=$(od -An -tu1 -j6 -N1 "$1" | tr -d ' ')
  if [ "$major" = 1 ]; then echo $(( $(od -An -tu2 -j8 -N2 "$1" | tr -d ' ') + 10 ))
  else echo $(( $(od -An -tu4 -j8 -N4 "$1" | tr -d ' ') + 12 )); fi
}
npy_descr() { head -c "$(npy_offset "$1")" "$1" | tr -d '\0' | grep -ao "'descr': '[^']*'" | cut -d"'" -f4; }
npy_shape() { head -c "$(npy_offset "$1")" "$1" | tr -d '\0' | grep -ao "'shape': ([^)]*)" | sed "s/.*(//; s/)//"; }
# npy_rows FILE ODTYPE BYTES_PER_ROW: one line per row, elements separated by single spaces.
# float32 (f4) is decoded from its bits and printed exactly (%.17g): od prints the shortest decimal
# that reads back as the float32, which is not the float32's value as a double.
npy_rows() {
  if [ "$2" = f4 ]; then
    od -An -v -tu4 -w"$3" -j "$(npy_offset "$1")" "$1" | awk '{ s = ""
      for (j = 1; j <= NF; j++) { v = $j; neg = v >= 2147483648; if (neg) v -= 2147483648
        e = int(v / 8388608); m = v - e * 8388608
        x = e == 0 ? m * 2 ^ -149 : (1 + m / 8388608) * 2 ^ (e - 127)
        s = s (j > 1 ? " " : "") sprintf("%.17g", neg ? -x : x) }
      print s }'
  else
    od -An -v -t"$2" -w"$3" -j "$(npy_offset "$1")" "$1" | sed 's/^ *//; s/  */ /g'
  fi
}

# --- figures -----------------------------------------------------------------------------------
# png_size FILE: "W H" from the IHDR chunk, after checking the 8-byte PNG signature.
png_size() {
  [ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$1 is not a PNG"
  [ "$(od -An -c -j12 -N4 "$1" | tr -d ' \n')" = IHDR ] || fail "$1 has no IHDR first"
  od -An -tu1 -j16 -N8 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4, $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'
}
# svg_size FILE: "W H" in points from the root element.
svg_size() {
  head -c 400 "$1" | grep -q '^<svg ' || fail "$1 has no <svg> root: $(head -c 200 "$1")"
  sed -n 's/^<svg .* width="\([0-9.]*\)pt" height="\([0-9.]*\)pt".*/\1 \2/p' "$1" | head -1
}
# pixels "W H" DPI: the PNG size of a W x H pt figure at DPI.
pixels() {
  echo "$1" | awk -v d="$2" 'function up(x) { x = x * d / 72 - 1e-9; return int(x) < x ? int(x) + 1 : int(x) }
    { print up($1), up($2) }'
}
# texts FILE.svg: the strings of the SVG's <text> elements, one per line.
texts() { grep -o '<text [^>]*>[^<]*</text>' "$1" | sed 's/<text [^>]*>\([^<]*\)<\/text>/\1/'; }
