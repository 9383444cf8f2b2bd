#!/usr/bin/env bash
# check_cli.sh CASE C2S SOURCE_DIR — one end-to-end check of the c2s tool per CASE.
set -u
case_name=$1 c2s=$2 src=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

case "$case_name" in
documented)
  # Every command listed by `c2s --help` has a section in docs/cli.md (regenerate it with
  # scripts/make_cli_doc.sh after adding a command).
  names=$("$c2s" --help | sed -n '/^commands:/,/^$/p' | sed '1d;/^$/d' | sed 's/^  //; s/   .*//')
  [ -n "$names" ] || fail "c2s --help lists no commands"
  missing=0
  while read -r name; do
    grep -qF "## \`c2s $name\`" "$src/docs/cli.md" || { echo "not documented: c2s $name" >&2; missing=1; }
  done <<< "$names"
  [ $missing = 0 ] || fail "docs/cli.md is missing commands; run scripts/make_cli_doc.sh"
  ;;
summary)
  out=$("$c2s" bbbc021 summary --data "$src/data/bbbc021") || fail "exit $?"
  echo "$out" | grep -q "treatments *103 " || fail "no 103 treatments in: $out"
  echo "$out" | grep -q "compounds *38 with a MoA" || fail "no 38 compounds"
  echo "$out" | grep -q "MoAs *12 plus DMSO" || fail "no 12 MoAs"
  echo "$out" | grep -q "MoA join: compound$" || fail "the compound join is missing"
  ;;
errors)
  "$c2s" bbbc021 summary --no-such-option > "$tmp/out" 2>&1; rc=$?
  [ $rc = 2 ] || fail "unknown option: exit $rc, expected 2"
  grep -q "unknown option --no-such-option" "$tmp/out" || fail "no message: $(cat "$tmp/out")"
  grep -q "usage: c2s bbbc021 summary" "$tmp/out" || fail "no usage"
  "$c2s" no-such-command > "$tmp/out" 2>&1; rc=$?
  [ $rc = 2 ] || fail "unknown command: exit $rc"
  "$c2s" bbbc021 summary --data "$tmp/nowhere" > "$tmp/out" 2>&1; rc=$?
  [ $rc = 1 ] || fail "missing data folder: exit $rc, expected 1"
  grep -q "nowhere/BBBC021_v1_image.csv' does not exist" "$tmp/out" || fail "message: $(cat "$tmp/out")"
  printf 'Metadata_Id,x\na,1\nb,oops\n' > "$tmp/bad.csv"
  "$c2s" convert "$tmp/bad.csv" "$tmp/bad.npy" > "$tmp/out" 2>&1; rc=$?
  [ $rc = 1 ] || fail "bad CSV: exit $rc"
  grep -q "bad.csv' line 3, column 2 ('x'): 'oops' is not a number" "$tmp/out" || fail "message: $(cat "$tmp/out")"
  [ ! -e "$tmp/bad.npy" ] || fail "a failed command left an output file"
  ;;
convert)
  printf 'Metadata_Id,x,y\n"a, 1",1.5,-2\nb,,3e-3\n' > "$tmp/in.csv"
  "$c2s" convert "$tmp/in.csv" "$tmp/x.npy" --dtype float64 --metadata-out "$tmp/meta.csv" || fail "csv->npy exit $?"
  "$c2s" npy info "$tmp/x.npy" | grep -q "<f8 (2, 2)" || fail "npy info: $("$c2s" npy info "$tmp/x.npy")"
  "$c2s" convert "$tmp/x.npy" "$tmp/back.csv" --prefix f || fail "npy->csv exit $?"
  expected=$'f0,f1\n1.5,-2\n,0.003'
  [ "$(cat "$tmp/back.csv")" = "$expected" ] || fail "round trip gave: $(cat "$tmp/back.csv")"
  grep -q '"a, 1"' "$tmp/meta.csv" || fail "metadata: $(cat "$tmp/meta.csv")"
  ;;
mainjob)
  # Here $c2s is the main-job binary.
  "$c2s" --quick --threads 2 --out "$tmp/run" > "$tmp/log" 2>&1 || { cat "$tmp/log"; fail "main job exit $?"; }
  tail -1 "$tmp/log" | grep -q "^results: .*/run$" || fail "last line does not name the output folder: $(tail -1 "$tmp/log")"
  [ -s "$tmp/run/report.md" ] || fail "no report.md"
  [ -s "$tmp/run/data/summary.txt" ] || fail "no data/summary.txt"
  grep -q "treatments=103 compounds=38 moas=12" "$tmp/run/data/summary.txt" || fail "summary: $(cat "$tmp/run/data/summary.txt")"
  n=$(grep -c "^== stage" "$tmp/log")
  echo "stages run: $n"
  ls "$tmp/run"
  ;;
*) fail "unknown case $case_name" ;;
esac
echo "ok: $case_name"
