#!/usr/bin/env bash
# cli.sh CASE C2S SOURCE_DIR — end-to-end checks of `c2s similarity`.
# References: tests/fixtures/distance/ (RDKit Bulk*Similarity, scikit-learn cosine_similarity; made by
# scripts/fixtures/distance/make_fixtures.py) and Tanimoto recomputed here from bit counts. The .npy
# files are read and written here with od/head/printf, not with c2s.
source "$(dirname "${BASH_SOURCE[0]}")/../support/cli_lib.sh"
cmd=similarity  # for expect_fail's usage check
fix=$src/tests/fixtures/distance

# npy_header DESCR SHAPE: a format 1.0 header padded to 64 bytes.
npy_header() {
  local dict="{'descr': '$1', 'fortran_order': False, 'shape': ($2), }"
  local total=$(( (10 + ${#dict} + 1 + 63) / 64 * 64 ))
  local hl=$(( total - 10 ))
  printf '\223NUMPY\001\000'
  printf "\\$(printf %03o $(( hl % 256 )))\\$(printf %03o $(( hl / 256 )))"
  printf '%s%*s\n' "$dict" $(( total - 10 - ${#dict} - 1 )) ''
}
# npy_slice IN OUT FIRST COUNT ITEMSIZE: rows FIRST..FIRST+COUNT-1 of a 2-D array, same dtype.
npy_slice() {
  local cols row_bytes
  cols=$(npy_shape "$1" | cut -d, -f2 | tr -d ' ')
  row_bytes=$(( cols * $5 ))
  { npy_header "$(npy_descr "$1")" "$4, $cols"
    tail -c +$(( $(npy_offset "$1") + $3 * row_bytes + 1 )) "$1" | head -c $(( $4 * row_bytes )); } > "$2"
}
# Matrix comparison: every element of FILE (od type, row bytes) against REF (float64), |d| <= TOL.
compare_matrix() {  # compare_matrix GOT GOT_ODTYPE GOT_ROWBYTES REF REF_FIRST_ROW TOL
  local ref_cols
  ref_cols=$(npy_shape "$4" | cut -d, -f2 | tr -d ' ')
  { npy_rows "$4" f8 $(( ref_cols * 8 )); echo "--"; npy_rows "$1" "$2" "$3"; } |
    awk -v first="$5" -v tol="$6" '
      $0 == "--" { part = 2; r = 0; next }
      part != 2 { for (j = 1; j <= NF; j++) ref[NR - 1, j] = $j; nref = NR; next }
      { row = first + r; r++
        for (j = 1; j <= NF; j++) { d = $j - ref[row, j]; if (d < 0) d = -d; if (d > worst) worst = d
          if (d > tol) { print "row " r - 1 " col " j - 1 ": " $j " reference " ref[row, j]; bad++ } }
        n += NF }
      END { print n " values, worst " worst; exit bad > 0 || n == 0 }'
}
# The 81 x 2048 fixture fingerprints as a dense uint8 0/1 .npy (and bool), from the packed words'
# bytes: bit j of a row is bit j%8 of byte j/8 (little-endian words).
make_dense() {  # make_dense OUT DESCR
  { npy_header "$2" "81, 2048"
    npy_rows "$fix/fps.npy" u1 256 | awk '{ s = ""; for (b = 1; b <= NF; b++) { v = $b
        for (k = 0; k < 8; k++) { s = s (v % 2); v = int(v / 2) } } printf "%s", s }' | tr '01' '\000\001'; } > "$1"
}
# Top-k CSV check against a float64 reference matrix: for each query the K (query,rank,target,sim)
# rows have sim = ref[query][target] (+-tol), ranks 1..K, sims non-increasing with ties by lower
# target, and sim at rank r equal to the r-th largest reference value of the row (self left out
# when EXCLUDE=1). QUERY_OFFSET maps query q to reference row q + offset.
check_top_k() {  # check_top_k CSV REF K EXCLUDE QUERY_OFFSET NQUERIES TOL
  local cols
  cols=$(npy_shape "$2" | cut -d, -f2 | tr -d ' ')
  [ "$(head -1 "$1")" = "query,rank,target,similarity" ] || fail "top-k header: $(head -1 "$1")"
  [ "$(grep -c '' "$1")" = $(( $6 * $3 + 1 )) ] || fail "top-k rows: $(grep -c '' "$1"), expected $(( $6 * $3 ))+1"
  { npy_rows "$2" f8 $(( cols * 8 )); echo "--"; tail -n +2 "$1"; } |
    awk -F'[ ,]' -v k="$3" -v ex="$4" -v off="$5" -v tol="$7" '
      $0 == "--" { part = 2; next }
      part != 2 { for (j = 1; j <= NF; j++) ref[NR - 1, j - 1] = $j; n = NF; next }
      { q = $1; rank = $2; t = $3; s = $4; row = q + off
        if (rank != ++seen[q]) { print "query " q ": rank " rank " out of order"; bad++ }
        if (ex && t == row) { print "query " q ": itself as a neighbour"; bad++ }
        d = s - ref[row, t]; if (d < 0) d = -d
        if (d > tol) { print "query " q " target " t ": " s " reference " ref[row, t]; bad++ }
        if (rank > 1 && (s > prev_s + 0 || (s == prev_s + 0 && t < prev_t))) { print "query " q " rank " rank ": order"; bad++ }
        # the rank-th largest reference value of the row
        m = 0; for (j = 0; j < n; j++) if (!(ex && j == row)) v[++m] = ref[row, j]
        for (i = 1; i <= rank; i++) { bi = i; for (j = i + 1; j <= m; j++) if (v[j] > v[bi]) bi = j; x = v[i]; v[i] = v[bi]; v[bi] = x }
        d = s - v[rank]; if (d < 0) d = -d
        if (d > tol) { print "query " q " rank " rank ": " s " but the reference has " v[rank]; bad++ }
        prev_s = s; prev_t = t; checked++ }
      END { print checked " neighbours checked"; exit bad > 0 || checked == 0 }' > "$tmp/topk.log" ||
    fail "top-k $1: $(head -5 "$tmp/topk.log")"
}

case "$case_name" in
matrix)
  # Packed uint64 input: the three metrics against RDKit (float32 output: within 1e-6), any kernel.
  for m in tanimoto dice cosine; do
    for kernel in automatic serial sliced_serial; do
      "$c2s" similarity "$fix/fps.npy" --out "$tmp/$m.npy" --metric $m --kernel $kernel --threads 2 > "$tmp/log" 2>&1 ||
        fail "$m $kernel: exit $? $(cat "$tmp/log")"
      grep -q "^81 x 81 $m matrix written to $tmp/$m.npy" "$tmp/log" || fail "$(cat "$tmp/log")"
      [ "$(npy_descr "$tmp/$m.npy")" = "<f4" ] && [ "$(npy_shape "$tmp/$m.npy")" = "81, 81" ] || fail "$m: header"
      compare_matrix "$tmp/$m.npy" f4 324 "$fix/rdkit_$m.npy" 0 1e-6 > "$tmp/cmp" || fail "$m $kernel vs RDKit: $(head -5 "$tmp/cmp")"
    done
    echo "$m: $(tail -1 "$tmp/cmp")"
  done
  # RDKit's empty-fingerprint conventions (row 80 is empty): Tanimoto 1, Dice 0, cosine 0.
  [ "$(npy_rows "$tmp/tanimoto.npy" f4 324 | tail -1 | awk '{ print $81 + 0 }')" = 1 ] || fail "Tanimoto(empty, empty) is not 1"
  [ "$(npy_rows "$tmp/dice.npy" f4 324 | tail -1 | awk '{ print $81 + 0 }')" = 0 ] || fail "Dice(empty, empty) is not 0"
  ;;
dense)
  # The same fingerprints as uint8 0/1 and as bool: the same matrix as the packed words, byte for byte.
  make_dense "$tmp/fps_u1.npy" '|u1'
  make_dense "$tmp/fps_b1.npy" '|b1'
  "$c2s" similarity "$fix/fps.npy" --out "$tmp/packed.npy" > /dev/null || fail "packed exit $?"
  for f in u1 b1; do
    "$c2s" similarity "$tmp/fps_$f.npy" --out "$tmp/$f.npy" > /dev/null 2>&1 || fail "$f: exit $?"
    cmp -s "$tmp/packed.npy" "$tmp/$f.npy" || fail "$f input gives another matrix than the packed words"
  done
  # A/B: rows 76..80 (the last is empty) against all 81, checked against Tanimoto recomputed from
  # the bits (c / (a + b - c); two empty fingerprints: 1) and against RDKit.
  npy_slice "$tmp/fps_u1.npy" "$tmp/a.npy" 76 5 1
  "$c2s" similarity "$tmp/a.npy" "$tmp/fps_u1.npy" --out "$tmp/ab.npy" > "$tmp/log" 2>&1 || fail "A/B exit $? $(cat "$tmp/log")"
  [ "$(npy_shape "$tmp/ab.npy")" = "5, 81" ] || fail "A/B shape $(npy_shape "$tmp/ab.npy")"
  compare_matrix "$tmp/ab.npy" f4 324 "$fix/rdkit_tanimoto.npy" 76 1e-6 > "$tmp/cmp" || fail "A/B vs RDKit: $(head -5 "$tmp/cmp")"
  { npy_rows "$tmp/fps_u1.npy" u1 2048; echo "--"; npy_rows "$tmp/ab.npy" f4 324; } | awk '
    $0 == "--" { part = 2; next }
    part != 2 { for (j = 1; j <= NF; j++) if ($j == 1) { bit[NR - 1, j] = 1; pop[NR - 1]++ } n = NR; next }
    { q = 76 + r++
      for (t = 0; t < n; t++) {
        c = 0; for (j = 1; j <= 2048; j++) if (bit[q, j] && bit[t, j]) c++
        u = pop[q] + pop[t] - c; want = u == 0 ? 1 : c / u
        d = $(t + 1) - want; if (d < 0) d = -d
        if (d > 1e-6) { print "A row " r - 1 " B row " t ": " $(t + 1) ", bit counts give " want; bad++ }
        checked++ } }
    END { print checked " pairs recomputed"; exit bad > 0 || checked != 405 }' > "$tmp/cmp" || fail "A/B vs bit counts: $(head -5 "$tmp/cmp")"
  tail -1 "$tmp/cmp"
  # uint8 A against packed B is allowed too: same result.
  "$c2s" similarity "$tmp/a.npy" "$fix/fps.npy" --out "$tmp/ab2.npy" > /dev/null 2>&1 || fail "uint8 x packed exit $?"
  cmp -s "$tmp/ab.npy" "$tmp/ab2.npy" || fail "uint8 x packed differs from uint8 x uint8"
  ;;
topk)
  "$c2s" similarity "$fix/fps.npy" --out "$tmp/t.csv" --top-k 5 > /dev/null 2>&1 || fail "exit $?"
  check_top_k "$tmp/t.csv" "$fix/rdkit_tanimoto.npy" 5 1 0 81 1e-6
  "$c2s" similarity "$fix/fps.npy" --out "$tmp/ts.csv" --top-k 5 --include-self --metric dice > /dev/null 2>&1 || fail "exit $?"
  check_top_k "$tmp/ts.csv" "$fix/rdkit_dice.npy" 5 0 0 81 1e-6
  # .npy output: int64 indices + float32 scores, the same table as the CSV.
  "$c2s" similarity "$fix/fps.npy" --out "$tmp/t.npy" --top-k 5 > /dev/null 2>&1 || fail "npy exit $?"
  [ "$(npy_descr "$tmp/t.npy")" = "<i8" ] && [ "$(npy_shape "$tmp/t.npy")" = "81, 5" ] || fail "indices header"
  [ "$(npy_descr "$tmp/t.scores.npy")" = "<f4" ] && [ "$(npy_shape "$tmp/t.scores.npy")" = "81, 5" ] || fail "scores header"
  paste -d' ' <(npy_rows "$tmp/t.npy" d8 40 | tr ' ' '\n') <(npy_rows "$tmp/t.scores.npy" f4 20 | tr ' ' '\n') |
    awk '{ printf "%d,%d,%d,%.9g\n", int((NR - 1) / 5), (NR - 1) % 5 + 1, $1, $2 }' > "$tmp/from_npy.csv"
  tail -n +2 "$tmp/t.csv" | awk -F, '{ printf "%d,%d,%d,%.9g\n", $1, $2, $3, $4 }' | diff - "$tmp/from_npy.csv" > /dev/null ||
    fail "the .npy top-k differs from the CSV"
  # Two inputs: queries 76..80 (uint8 slice) against the packed 81; a query finds itself (no exclusion).
  make_dense "$tmp/fps_u1.npy" '|u1'
  npy_slice "$tmp/fps_u1.npy" "$tmp/a.npy" 76 5 1
  "$c2s" similarity "$tmp/a.npy" "$fix/fps.npy" --out "$tmp/ab.csv" --top-k 3 > /dev/null 2>&1 || fail "A/B exit $?"
  check_top_k "$tmp/ab.csv" "$fix/rdkit_tanimoto.npy" 3 0 76 5 1e-6
  # k larger than the library: every other row, once.
  "$c2s" similarity "$tmp/a.npy" --out "$tmp/big.csv" --top-k 100 > /dev/null 2>&1 || fail "big k exit $?"
  [ "$(grep -c '' "$tmp/big.csv")" = 21 ] || fail "k > rows: $(grep -c '' "$tmp/big.csv") lines, expected 5 x 4 + 1"
  ;;
threshold)
  # Every pair (i != j) with Tanimoto >= 0.4, as RDKit's matrix says (values within 1e-6 of 0.4 may
  # go either way), each once.
  "$c2s" similarity "$fix/fps.npy" --out "$tmp/h.csv" --threshold 0.4 > "$tmp/log" 2>&1 || fail "exit $? $(cat "$tmp/log")"
  [ "$(head -1 "$tmp/h.csv")" = "query,target,similarity" ] || fail "header $(head -1 "$tmp/h.csv")"
  n=$(( $(grep -c '' "$tmp/h.csv") - 1 ))
  grep -q "^$n pairs with tanimoto >= 0.4 written to $tmp/h.csv" "$tmp/log" || fail "$(cat "$tmp/log")"
  { npy_rows "$fix/rdkit_tanimoto.npy" f8 648; echo "--"; tail -n +2 "$tmp/h.csv"; } | awk -F'[ ,]' '
    $0 == "--" { part = 2; next }
    part != 2 { for (j = 1; j <= NF; j++) ref[NR - 1, j - 1] = $j; n = NR; next }
    { if (($1, $2) in got) { print "pair " $1 "," $2 " twice"; bad++ } got[$1, $2] = 1
      d = $3 - ref[$1, $2]; if (d < 0) d = -d
      if ($1 == $2 || d > 1e-6 || ref[$1, $2] < 0.4 - 1e-6) { print "pair " $0 " reference " ref[$1, $2]; bad++ } }
    END { for (i = 0; i < n; i++) for (j = 0; j < n; j++)
            if (i != j && ref[i, j] >= 0.4 + 1e-6) { want++; if (!((i, j) in got)) { print "missing " i "," j; bad++ } }
          print want " pairs expected"; exit bad > 0 || want == 0 }' > "$tmp/cmp" || fail "threshold: $(head -5 "$tmp/cmp")"
  tail -1 "$tmp/cmp"
  # --include-self adds exactly the 80 non-empty diagonal pairs (Tanimoto 1; the empty row has 1 too).
  "$c2s" similarity "$fix/fps.npy" --out "$tmp/hs.csv" --threshold 0.4 --include-self > /dev/null 2>&1 || fail "exit $?"
  self=$(tail -n +2 "$tmp/hs.csv" | awk -F, '$1 == $2 && $3 == 1' | grep -c '')
  [ $(( $(grep -c '' "$tmp/hs.csv") - 1 )) = $(( n + self )) ] && [ "$self" -ge 80 ] || fail "--include-self added $self diagonal pairs"
  ;;
embeddings)
  # float32 embeddings: cosine matrix vs scikit-learn (zero row 3: 0), float32 output.
  "$c2s" similarity "$fix/emb.npy" --out "$tmp/c.npy" > "$tmp/log" 2>&1 || fail "exit $? $(cat "$tmp/log")"
  grep -q "^30 x 30 cosine matrix written to" "$tmp/log" || fail "$(cat "$tmp/log")"
  [ "$(npy_descr "$tmp/c.npy")" = "<f4" ] && [ "$(npy_shape "$tmp/c.npy")" = "30, 30" ] || fail "header"
  compare_matrix "$tmp/c.npy" f4 120 "$fix/sklearn_cosine.npy" 0 1e-6 > "$tmp/cmp" || fail "float32 vs sklearn: $(head -5 "$tmp/cmp")"
  # float64 embeddings: the float32 values (exact, %.17g) through `c2s convert --dtype float64`;
  # float64 output within 1e-12 of scikit-learn.
  npy_rows "$fix/emb.npy" f4 64 | awk 'BEGIN { for (j = 0; j < 16; j++) printf "%sf%d", (j ? "," : ""), j; print "" }
    { for (j = 1; j <= NF; j++) printf "%s%s", (j > 1 ? "," : ""), $j; print "" }' > "$tmp/emb.csv"
  "$c2s" convert "$tmp/emb.csv" "$tmp/emb64.npy" --dtype float64 || fail "convert exit $?"
  "$c2s" similarity "$tmp/emb64.npy" --out "$tmp/c64.npy" > /dev/null 2>&1 || fail "float64 exit $?"
  [ "$(npy_descr "$tmp/c64.npy")" = "<f8" ] || fail "float64 input gave $(npy_descr "$tmp/c64.npy")"
  compare_matrix "$tmp/c64.npy" f8 240 "$fix/sklearn_cosine.npy" 0 1e-12 > "$tmp/cmp" || fail "float64 vs sklearn: $(head -5 "$tmp/cmp")"
  # top-k of embeddings (zero row: all 0, ties by lower index; rows 5 and 7 are parallel: 1).
  "$c2s" similarity "$fix/emb.npy" --out "$tmp/t.csv" --top-k 4 > /dev/null 2>&1 || fail "top-k exit $?"
  check_top_k "$tmp/t.csv" "$fix/sklearn_cosine.npy" 4 1 0 30 1e-6
  grep -q "^3,1,0,0$" "$tmp/t.csv" && grep -q "^3,4,4,0$" "$tmp/t.csv" || fail "zero row neighbours: $(grep '^3,' "$tmp/t.csv")"
  grep -q "^5,1,7,1$" "$tmp/t.csv" || fail "parallel rows: $(grep '^5,' "$tmp/t.csv")"
  # A/B with a float32 slice (rows 10..14) against all, top-k as .npy; and the matrix.
  npy_slice "$fix/emb.npy" "$tmp/a.npy" 10 5 4
  "$c2s" similarity "$tmp/a.npy" "$fix/emb.npy" --out "$tmp/ab.csv" --top-k 3 > /dev/null 2>&1 || fail "A/B exit $?"
  check_top_k "$tmp/ab.csv" "$fix/sklearn_cosine.npy" 3 0 10 5 1e-6
  "$c2s" similarity "$tmp/a.npy" "$tmp/emb64.npy" --out "$tmp/ab.npy" > /dev/null 2>&1 || fail "A/B matrix exit $?"
  [ "$(npy_descr "$tmp/ab.npy")" = "<f8" ] && [ "$(npy_shape "$tmp/ab.npy")" = "5, 30" ] || fail "A/B header"
  compare_matrix "$tmp/ab.npy" f8 240 "$fix/sklearn_cosine.npy" 10 1e-12 > "$tmp/cmp" || fail "A/B vs sklearn: $(head -5 "$tmp/cmp")"
  ;;
errors)
  fps=$fix/fps.npy emb=$fix/emb.npy
  o=$tmp/o.npy
  # usage mistakes: exit 2 and the usage
  expect_fail 2 "$o" "option --out is required" -- "$c2s" similarity "$fps"
  expect_fail 2 "$o" "missing argument <A.npy>" -- "$c2s" similarity --out "$o"
  expect_fail 2 "$o" "unexpected argument 'c.npy'" -- "$c2s" similarity "$fps" "$fps" c.npy --out "$o"
  expect_fail 2 "$o" "--top-k must be at least 1" -- "$c2s" similarity "$fps" --out "$o" --top-k 0
  expect_fail 2 "$o" "--top-k and --threshold exclude each other" -- "$c2s" similarity "$fps" --out "$o" --top-k 2 --threshold 0.5
  expect_fail 2 "$o" "unknown metric 'hamming'" -- "$c2s" similarity "$fps" --out "$o" --metric hamming
  expect_fail 2 "$o" "unknown kernel 'nope'" -- "$c2s" similarity "$fps" --out "$o" --kernel nope
  expect_fail 2 "$tmp/o.csv" "the matrix is written as .npy; got --out '$tmp/o.csv'" -- "$c2s" similarity "$fps" --out "$tmp/o.csv"
  expect_fail 2 "$o" "--threshold writes a .csv table; got --out '$o'" -- "$c2s" similarity "$fps" --out "$o" --threshold 0.5
  expect_fail 2 "$tmp/o.txt" "--out must end in .csv or .npy, got '$tmp/o.txt'" -- "$c2s" similarity "$fps" --out "$tmp/o.txt" --top-k 2
  expect_fail 2 "$o" "option --threshold expects a number, got 'high'" -- "$c2s" similarity "$fps" --out "$tmp/o.csv" --threshold high
  expect_fail 2 "$o" "embeddings support --metric cosine only, got 'tanimoto'" -- "$c2s" similarity "$emb" --out "$o" --metric tanimoto
  expect_fail 2 "$tmp/o.csv" "--threshold is available for fingerprints only" -- "$c2s" similarity "$emb" --out "$tmp/o.csv" --threshold 0.5
  # bad inputs: exit 1 naming the file and what is wrong, no output
  expect_fail 1 "$o" "$tmp/none.npy" -- "$c2s" similarity "$tmp/none.npy" --out "$o"
  expect_fail 1 "$o" "$tmp/none.npy" -- "$c2s" similarity "$fps" "$tmp/none.npy" --out "$o"
  { npy_header '|u1' "2, 2, 2"; printf '\000\001\000\001\000\001\000\001'; } > "$tmp/cube.npy"
  expect_fail 1 "$o" "'$tmp/cube.npy' has 3 dimensions; expected a 2-D array" -- "$c2s" similarity "$tmp/cube.npy" --out "$o"
  { npy_header '<i4' "1, 2"; printf '\001\000\000\000\000\000\000\000'; } > "$tmp/int.npy"
  expect_fail 1 "$o" "'$tmp/int.npy' holds <i4; expected uint8 0/1 bits" -- "$c2s" similarity "$tmp/int.npy" --out "$o"
  { npy_header '|u1' "2, 4"; printf '\000\001\002\000\001\001\000\000'; } > "$tmp/two.npy"
  expect_fail 1 "$o" "'$tmp/two.npy': c2s::FingerprintSet::from_dense_bits: 'bits' holds 2 at row 0, column 2 (expected 0 or 1)" -- "$c2s" similarity "$tmp/two.npy" --out "$o"
  { npy_header '|u1' "4, 8"; printf '\001\000\000\000\000\000\000\000'; } > "$tmp/short.npy"
  expect_fail 1 "$o" "'$tmp/short.npy' is truncated" -- "$c2s" similarity "$tmp/short.npy" --out "$o"
  expect_fail 1 "$o" "'$fps' holds fingerprints but '$emb' holds embeddings" -- "$c2s" similarity "$fps" "$emb" --out "$o"
  { npy_header '|u1' "1, 1000"; head -c 1000 /dev/zero; } > "$tmp/short_fp.npy"
  expect_fail 1 "$o" "'$fps' has 2048-bit fingerprints but '$tmp/short_fp.npy' has 1000-bit fingerprints" -- \
    "$c2s" similarity "$fps" "$tmp/short_fp.npy" --out "$o"
  expect_fail 1 "$tmp/o.csv" "2048-bit fingerprints but" -- "$c2s" similarity "$fps" "$tmp/short_fp.npy" --out "$tmp/o.csv" --top-k 2
  { npy_header '<f4' "1, 2"; printf '\000\000\200\077\000\000\000\000'; } > "$tmp/e2.npy"
  expect_fail 1 "$o" "'$emb' has 16 columns but '$tmp/e2.npy' has 2" -- "$c2s" similarity "$emb" "$tmp/e2.npy" --out "$o"
  expect_fail 1 "$o" "'$fps': c2s::FingerprintSet::from_words: 'num_bits' = 4096 does not fit in 32 words per row" -- \
    "$c2s" similarity "$fps" --out "$o" --bits 4096
  expect_fail 1 "$o" "'$fps': c2s::FingerprintSet::from_words: row 0 sets a bit at or beyond num_bits = 1000" -- \
    "$c2s" similarity "$fps" --out "$o" --bits 1000
  expect_fail 2 "$o" "--bits must be at least 1" -- "$c2s" similarity "$fps" --out "$o" --bits -5
  ;;
*) fail "unknown case $case_name" ;;
esac
echo "ok: $case_name"
