#!/usr/bin/env bash
# cli.sh CASE C2S SOURCE_DIR — end-to-end checks of `c2s fingerprints` and `c2s descriptors`.
# Outputs are compared with the RDKit references in tests/fixtures/chem/ (made by
# scripts/fixtures/chem/make_chem_fixtures.py); the .npy files are read here with od, not with c2s.
source "$(dirname "${BASH_SOURCE[0]}")/../support/cli_lib.sh"
fix=$src/tests/fixtures/chem

# The reference on-bits of option set $1 (id TAB bits), in the fixture's (= compounds.csv) order.
ref_bits() { tr -d '\r' < "$fix/morgan_bits.csv" | awk -v o="$1" "$awk_csv"'
  NR > 1 { n = csv_split($0, f); if (f[2] == o) print f[1] "\t" f[3] }'; }
# The on-bits of each row of a dense 0/1 uint8 matrix; fails on any other value.
dense_on_bits() { npy_rows "$1" u1 "$2" | awk '{ s = ""; for (j = 1; j <= NF; j++) { if ($j == 1) s = s (s == "" ? "" : " ") (j - 1); else if ($j != 0) { print "bad value " $j; exit 1 } } print s }'; }
# The on-bits of each row of packed uint64 words (bit j: byte j/8, bit j%8, little-endian).
packed_on_bits() { npy_rows "$1" u1 "$(( $2 * 8 ))" | awk '{ s = ""; for (b = 1; b <= NF; b++) { v = $b
  for (k = 0; k < 8; k++) { if (v % 2 == 1) s = s (s == "" ? "" : " ") ((b - 1) * 8 + k); v = int(v / 2) } } print s }'; }
ids_of() { tr -d '\r' < "$1" | awk "$awk_csv"' NR > 1 { csv_split($0, f); print f[1] }'; }

n_ref=$(( $(tr -d '\r' < "$fix/compounds.csv" | grep -c '') - 1 ))
[ "$n_ref" -gt 100 ] || fail "fixture compounds.csv has $n_ref compounds"

case "$case_name" in
fingerprints)
  # Every option set of the fixture, every compound (BBBC021 + the extras), dense uint8 output.
  for spec in "r2_2048|" "r1_1024|--radius 1 --bits 1024" "r3_4096_chiral|--radius 3 --bits 4096 --chirality" \
              "r2_2048_features|--features" "r2_512_nobondtypes|--bits 512 --no-bond-types" "r2_1000|--bits 1000"; do
    name=${spec%%|*} opts=${spec#*|}
    bits=$(echo "$name" | sed 's/^r[0-9]_//; s/_.*//')
    # shellcheck disable=SC2086
    "$c2s" fingerprints "$fix/compounds.csv" --out "$tmp/$name" $opts --threads 2 2> "$tmp/log" || fail "$name: exit $? $(cat "$tmp/log")"
    grep -q "wrote fingerprints of $n_ref compounds (0 skipped)" "$tmp/log" || fail "$name: $(cat "$tmp/log")"
    [ "$(npy_descr "$tmp/$name.npy")" = "|u1" ] || fail "$name: dtype $(npy_descr "$tmp/$name.npy")"
    [ "$(npy_shape "$tmp/$name.npy")" = "$n_ref, $bits" ] || fail "$name: shape $(npy_shape "$tmp/$name.npy")"
    [ ! -e "$tmp/$name.u64.npy" ] || fail "$name: --format bits wrote packed words too"
    # STEM.ids.csv: header id,smiles and the input rows in input order.
    diff <(tr -d '\r' < "$fix/compounds.csv") "$tmp/$name.ids.csv" > /dev/null || fail "$name: ids.csv differs from the input"
    ref_bits "$name" > "$tmp/ref"
    [ "$(cut -f1 "$tmp/ref")" = "$(ids_of "$tmp/$name.ids.csv")" ] || fail "$name: fixture rows are not in compound order"
    cut -f2 "$tmp/ref" > "$tmp/want"
    dense_on_bits "$tmp/$name.npy" "$bits" > "$tmp/got" || fail "$name: $(tail -1 "$tmp/got")"
    diff "$tmp/want" "$tmp/got" > "$tmp/diff" || fail "$name: bits differ from RDKit: $(head -c 600 "$tmp/diff")"
    echo "$name: $n_ref compounds equal RDKit's on-bits"
  done
  ;;
packed)
  # --format both with a bit count that is not a multiple of 64: the words hold the same bits,
  # nothing beyond bit 999, and both match RDKit.
  "$c2s" fingerprints "$fix/compounds.csv" --out "$tmp/fp" --bits 1000 --format both 2> "$tmp/log" || fail "exit $?"
  [ "$(npy_descr "$tmp/fp.u64.npy")" = "<u8" ] || fail "dtype $(npy_descr "$tmp/fp.u64.npy")"
  [ "$(npy_shape "$tmp/fp.u64.npy")" = "$n_ref, 16" ] || fail "shape $(npy_shape "$tmp/fp.u64.npy")"
  ref_bits r2_1000 | cut -f2 > "$tmp/want"
  packed_on_bits "$tmp/fp.u64.npy" 16 > "$tmp/got"
  diff "$tmp/want" "$tmp/got" > "$tmp/diff" || fail "packed bits differ from RDKit: $(head -c 600 "$tmp/diff")"
  dense_on_bits "$tmp/fp.npy" 1000 | diff - "$tmp/got" > /dev/null || fail "dense and packed files differ"
  "$c2s" fingerprints "$fix/compounds.csv" --out "$tmp/only" --format packed 2> "$tmp/log" || fail "exit $?"
  [ ! -e "$tmp/only.npy" ] && [ -e "$tmp/only.u64.npy" ] && [ -e "$tmp/only.ids.csv" ] || fail "--format packed wrote: $(ls "$tmp")"
  ref_bits r2_2048 | cut -f2 | diff - <(packed_on_bits "$tmp/only.u64.npy" 32) > /dev/null || fail "packed 2048 bits differ from RDKit"
  ;;
counts)
  # --counts: uint32 hashed counts equal RDKit's GetHashedMorganFingerprint, for two option sets.
  for spec in "r2_2048|2048|" "r3_4096_chiral|4096|--radius 3 --bits 4096 --chirality"; do
    IFS='|' read -r name bits opts <<< "$spec"
    # shellcheck disable=SC2086
    "$c2s" fingerprints "$fix/compounds.csv" --out "$tmp/$name" --counts $opts 2> "$tmp/log" || fail "$name: exit $?"
    [ ! -e "$tmp/$name.npy" ] || fail "--counts wrote bits too"
    [ "$(npy_descr "$tmp/$name.counts.npy")" = "<u4" ] || fail "$name: dtype $(npy_descr "$tmp/$name.counts.npy")"
    [ "$(npy_shape "$tmp/$name.counts.npy")" = "$n_ref, $bits" ] || fail "$name: shape"
    tr -d '\r' < "$fix/morgan_counts.csv" | awk -v o="$name" "$awk_csv"' NR > 1 { csv_split($0, f); if (f[2] == o) print f[3] }' > "$tmp/want"
    [ "$(grep -c '' "$tmp/want")" = "$n_ref" ] || fail "$name: fixture has $(grep -c '' "$tmp/want") rows"
    npy_rows "$tmp/$name.counts.npy" u4 $(( bits * 4 )) |
      awk '{ s = ""; for (j = 1; j <= NF; j++) if ($j != 0) s = s (s == "" ? "" : " ") (j - 1) ":" $j; print s }' > "$tmp/got"
    diff "$tmp/want" "$tmp/got" > "$tmp/diff" || fail "$name: counts differ from RDKit: $(head -c 600 "$tmp/diff")"
  done
  ;;
descriptors)
  # All 208 descriptors of every fixture compound within 1e-9 relative of RDKit Python (NaN = empty
  # cell on both sides). Documented exception (docs/chem.md): Ipc of bleomycin (>= 100 atoms).
  "$c2s" descriptors "$fix/compounds.csv" --out "$tmp/d.csv" --threads 2 2> "$tmp/log" || fail "exit $? $(cat "$tmp/log")"
  grep -q "wrote 208 descriptors of $n_ref compounds (0 skipped)" "$tmp/log" || fail "$(cat "$tmp/log")"
  ! grep -q warning "$tmp/log" || fail "warnings: $(cat "$tmp/log")"
  [ "$(head -1 "$tmp/d.csv")" = "$(head -1 "$fix/descriptors.csv" | tr -d '\r')" ] || fail "header differs from descList"
  [ "$(grep -c '' "$tmp/d.csv")" = $(( n_ref + 1 )) ] || fail "$(grep -c '' "$tmp/d.csv") lines"
  [ "$(ids_of "$tmp/d.csv")" = "$(ids_of "$fix/compounds.csv")" ] || fail "ids or their order differ from the input"
  tr -d '\r' < "$fix/descriptors.csv" > "$tmp/want.csv"
  awk "$awk_csv"'
    function rel(a, b) { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b; if (m < 1e-300) m = 1e-300; return d / m }
    NR == FNR { n = csv_split($0, f); for (j = 1; j <= n; j++) want[FNR, j] = f[j]; next }
    FNR == 1 { n = csv_split($0, names); next }
    { m = csv_split($0, f)
      if (m != n) { print "line " FNR ": " m " cells, header " n; bad++ }
      for (j = 2; j <= n; j++) {
        w = want[FNR, j]; g = f[j]
        if (names[j] == "Ipc" && f[1] == "bleomycin") { skipped++; continue }
        if (w == "" || g == "") { if (w != g) { print f[1] " " names[j] ": got \"" g "\" want \"" w "\""; bad++ } continue }
        if (g != w + 0 && rel(g + 0, w + 0) > 1e-9) { print f[1] " " names[j] ": got " g " want " w; bad++ }
        checked++
      } }
    END { print checked " values checked, " skipped " skipped"; exit bad > 0 || skipped != 1 }' "$tmp/want.csv" "$tmp/d.csv" > "$tmp/cmp" ||
    fail "descriptors differ from RDKit: $(head -20 "$tmp/cmp")"
  tail -1 "$tmp/cmp"
  ;;
columns)
  # --id-column / --smiles-column pick other columns (case-insensitively); a failing SMILES with
  # --skip-failures is reported and skipped, the other rows keep their reference values.
  printf 'Name,Other,SMILES\ntaxol,x,%s\nbroken,y,C1CC(\nx-chiral,z,C[C@H](N)C(=O)O\n' \
    "$(grep '^taxol,' "$fix/compounds.csv" | tr -d '\r' | cut -d, -f2)" > "$tmp/in.csv"
  "$c2s" fingerprints "$tmp/in.csv" --out "$tmp/fp" --id-column name --smiles-column smiles --skip-failures 2> "$tmp/log" ||
    fail "exit $? $(cat "$tmp/log")"
  grep -qF "skipped compound 'broken' (row 2) SMILES 'C1CC('" "$tmp/log" || fail "skip not reported: $(cat "$tmp/log")"
  grep -q "(1 skipped)" "$tmp/log" || fail "$(cat "$tmp/log")"
  [ "$(ids_of "$tmp/fp.ids.csv" | tr '\n' ' ')" = "taxol x-chiral " ] || fail "ids: $(cat "$tmp/fp.ids.csv")"
  [ "$(npy_shape "$tmp/fp.npy")" = "2, 2048" ] || fail "shape $(npy_shape "$tmp/fp.npy")"
  ref_bits r2_2048 | awk -F'\t' '$1 == "taxol" || $1 == "x-chiral" { print $2 }' > "$tmp/want"
  dense_on_bits "$tmp/fp.npy" 2048 | diff "$tmp/want" - > /dev/null || fail "bits of the kept rows differ from RDKit"
  "$c2s" descriptors "$tmp/in.csv" --out "$tmp/d.csv" --id-column NAME --smiles-column Smiles --skip-failures 2> "$tmp/log" ||
    fail "descriptors exit $? $(cat "$tmp/log")"
  grep -qF "skipped compound 'broken' (row 2)" "$tmp/log" && grep -q "(1 skipped)" "$tmp/log" || fail "$(cat "$tmp/log")"
  [ "$(ids_of "$tmp/d.csv" | tr '\n' ' ')" = "taxol x-chiral " ] || fail "descriptor ids: $(cut -d, -f1 "$tmp/d.csv")"
  want=$(tr -d '\r' < "$fix/descriptors.csv" | grep '^taxol,' | cut -d, -f7)   # MolWt
  got=$(grep '^taxol,' "$tmp/d.csv" | cut -d, -f7)
  awk -v g="$got" -v w="$want" 'BEGIN { d = g - w; exit !(w > 0 && d * d <= (1e-9 * w) ^ 2) }' || fail "taxol MolWt $got, RDKit $want"
  ;;
errors)
  good=$fix/compounds.csv
  for cmd in fingerprints descriptors; do
    if [ $cmd = fingerprints ]; then out=(--out "$tmp/o"); left="$tmp/o.*"; else out=(--out "$tmp/o.csv"); left="$tmp/o.csv"; fi
    # usage mistakes: exit 2 with the usage
    expect_fail 2 "$left" "option --out is required" -- "$c2s" $cmd "$good"
    expect_fail 2 "$left" "missing argument <compounds.csv>" -- "$c2s" $cmd "${out[@]}"
    expect_fail 2 "$left" "unexpected argument 'extra.csv'" -- "$c2s" $cmd "$good" extra.csv "${out[@]}"
    expect_fail 2 "$left" "unknown option --radios" -- "$c2s" $cmd "$good" "${out[@]}" --radios 2
    expect_fail 2 "$left" "option --threads expects an integer, got '1.5'" -- "$c2s" $cmd "$good" "${out[@]}" --threads 1.5
    # bad inputs: exit 1 naming the file / column / compound, no output
    expect_fail 1 "$left" "$tmp/none.csv" -- "$c2s" $cmd "$tmp/none.csv" "${out[@]}"
    expect_fail 1 "$left" "has no column 'smi' (columns: 'id', 'smiles')" -- "$c2s" $cmd "$good" "${out[@]}" --smiles-column smi
    printf 'id,smiles\nethanol,CCO\nbroken,C1CC(\n' > "$tmp/bad.csv"
    expect_fail 1 "$left" "compound 'broken' (row 2) SMILES 'C1CC('" -- "$c2s" $cmd "$tmp/bad.csv" "${out[@]}"
    printf 'id,smiles\nethanol,CCO\nnothing,\n' > "$tmp/empty.csv"
    expect_fail 1 "$left" "compound 'nothing' (row 2)" -- "$c2s" $cmd "$tmp/empty.csv" "${out[@]}"
    printf 'id,smiles\nethanol,CCO\nethanol,CCCO\n' > "$tmp/dup.csv"
    expect_fail 1 "$left" "duplicate compound id 'ethanol' (rows 1 and 2)" -- "$c2s" $cmd "$tmp/dup.csv" "${out[@]}"
    printf 'id,smiles\n,CCO\n' > "$tmp/noid.csv"
    expect_fail 1 "$left" "row 1 has an empty compound id" -- "$c2s" $cmd "$tmp/noid.csv" "${out[@]}"
    printf 'id,smiles\nethanol,CCO,extra\n' > "$tmp/ragged.csv"
    expect_fail 1 "$left" "ragged.csv' line 2: 3 fields but the header has 2" -- "$c2s" $cmd "$tmp/ragged.csv" "${out[@]}"
  done
  cmd=fingerprints
  expect_fail 2 "$tmp/o.*" "--format must be bits, packed or both, got 'dense'" -- "$c2s" fingerprints "$good" --out "$tmp/o" --format dense
  expect_fail 2 "$tmp/o.*" "--bits must be in [1, 1048576], got 0" -- "$c2s" fingerprints "$good" --out "$tmp/o" --bits 0
  expect_fail 2 "$tmp/o.*" "--radius must be in [0, 32]" -- "$c2s" fingerprints "$good" --out "$tmp/o" --radius -1
  expect_fail 2 "$tmp/o.*" "--radius must be in [0, 32]" -- "$c2s" fingerprints "$good" --out "$tmp/o" --radius 33
  expect_fail 2 "$tmp/o.*" "option --chirality takes no value" -- "$c2s" fingerprints "$good" --out "$tmp/o" --chirality=1
  ;;
*) fail "unknown case $case_name" ;;
esac
echo "ok: $case_name"
