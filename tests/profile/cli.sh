#!/usr/bin/env bash
# cli.sh CASE C2S SOURCE_DIR — end-to-end checks of `c2s profiles normalize|select|aggregate|evaluate|compare`.
# Expected values come from the committed numpy/sklearn/scipy/caret fixtures in tests/fixtures/profile/
# (scripts/fixtures/profile/make_profile_fixtures.py), from awk recomputations of the input, or from
# the numbers tests/profile/bbbc021.cpp asserts for the library pipeline.
source "$(dirname "${BASH_SOURCE[0]}")/../support/cli_lib.sh"
usage_group=profiles
fx=$src/tests/fixtures/profile

# max_diff A B [abs]: largest |a - b| over two headerless numeric CSVs of the same shape (abs: of |a|, |b|).
max_diff() {
  awk -F, -v useabs="${3:-}" '
    NR == FNR { for (j = 1; j <= NF; ++j) a[FNR, j] = $j; nf[FNR] = NF; rows = FNR; next }
    {
      if (nf[FNR] != NF) { print "shape"; bad = 1; exit }
      for (j = 1; j <= NF; ++j) {
        x = a[FNR, j] + 0; y = $j + 0
        if (useabs) { if (x < 0) x = -x; if (y < 0) y = -y }
        d = x - y; if (d < 0) d = -d
        if (d > m) m = d
      }
      seen = FNR
    }
    END { if (!bad) { if (seen != rows) print "rows"; else printf "%.3g\n", m + 0 } }' "$1" "$2"
}
# within A B TOL [abs]: fail unless max_diff A B < TOL.
within() {
  local d
  d=$(max_diff "$1" "$2" "${4:-}")
  awk -v d="$d" -v t="$3" 'BEGIN { exit !(d ~ /^[0-9.e+-]+$/ && d + 0 < t + 0) }' ||
    fail "$(basename "$1") vs $(basename "$2"): max |diff| $d, tolerance $3"
}
# features FILE.csv N: the table without its header and its first N (metadata) columns.
features() { tail -n +2 "$1" | cut -d, -f"$(($2 + 1))"-; }
# header_of FILE.csv: the header row.
header_of() { head -1 "$1"; }
# table META.csv X.csv PREFIX: META's columns beside X's (headerless) columns named PREFIX0, PREFIX1, ...
table() {
  local n
  n=$(head -1 "$2" | awk -F, '{print NF}')
  { printf '%s' "$(head -1 "$1")"; for ((j = 0; j < n; ++j)); do printf ',%s%d' "$3" "$j"; done; echo
    paste -d, <(tail -n +2 "$1") "$2"; }
}

case "$case_name" in
normalize)
  # Every method against the numpy/sklearn/scipy fixture, as tests/profile/reference.cpp checks the
  # library: standardize (ddof 1, 0), robustize, MAD per plate against the reference rows;
  # ZCA / PCA sphering of the whole table (PCA up to signs: absolute values).
  awk -F, 'NR == 1 { print "Metadata_Plate,Metadata_Compound"; next } { print $1 "," ($2 == "1" ? "DMSO" : "cpd" NR) }' \
    "$fx/norm_meta.csv" > "$tmp/meta.csv"
  table "$tmp/meta.csv" "$fx/norm_x.csv" f > "$tmp/in.csv"
  [ "$(wc -l < "$tmp/in.csv")" = "$(($(wc -l < "$fx/norm_x.csv") + 1))" ] || fail "input table: $(cat "$tmp/in.csv")"
  run_norm() {  # run_norm FIXTURE TOL [abs] -- ARGS
    local ref=$1 tol=$2 useabs=$3
    shift 4
    "$c2s" profiles normalize "$tmp/in.csv" --out "$tmp/o.csv" "$@" 2> "$tmp/log" || fail "normalize $*: exit $?: $(cat "$tmp/log")"
    [ "$(header_of "$tmp/o.csv" | cut -d, -f1-2)" = "Metadata_Plate,Metadata_Compound" ] || fail "metadata not kept: $(header_of "$tmp/o.csv")"
    features "$tmp/o.csv" 2 > "$tmp/o_x.csv"
    within "$tmp/o_x.csv" "$fx/$ref" "$tol" "$useabs"
    rm -f "$tmp/o.csv"
  }
  run_norm norm_standardize1.csv 1e-12 "" --
  grep -qF "normalised 14 rows x 5 features (standardize)" "$tmp/log" || fail "summary: $(cat "$tmp/log")"
  run_norm norm_standardize0.csv 1e-12 "" -- --ddof 0
  run_norm norm_robustize.csv 1e-12 "" -- --method robustize
  run_norm norm_mad.csv 1e-9 "" -- --method mad_robustize
  for eps in 1e-06 0.5; do
    run_norm "norm_zca_$eps.csv" 1e-7 "" -- --method spherize_zca --strata none --epsilon "$eps"
    run_norm "norm_pca_abs_$eps.csv" 1e-7 abs -- --method spherize_pca --strata none --epsilon "$eps"
  done
  # The plate and reference columns given by name, the reference value given explicitly.
  sed '1s/Metadata_Plate,Metadata_Compound/Metadata_Batch,Metadata_Role/; s/,DMSO,/,ctrl,/' "$tmp/in.csv" > "$tmp/in2.csv"
  "$c2s" profiles normalize "$tmp/in2.csv" --out "$tmp/o2.csv" --strata Metadata_Batch --reference-column Metadata_Role \
    --reference-value ctrl 2> "$tmp/log" || fail "renamed columns: exit $?: $(cat "$tmp/log")"
  features "$tmp/o2.csv" 2 > "$tmp/o2_x.csv"
  within "$tmp/o2_x.csv" "$fx/norm_standardize1.csv" 1e-12
  ;;
select)
  # caret::findCorrelation: kept = every column not in the fixture's dropped list.
  table <(echo Metadata_Id; seq 1 "$(wc -l < "$fx/corr_x.csv")" | sed 's/^/w/') "$fx/corr_x.csv" f > "$tmp/corr.csv"
  ncol=$(head -1 "$fx/corr_x.csv" | awk -F, '{print NF}')
  tail -n +2 "$fx/corr_dropped.csv" | while IFS=, read -r method cutoff dropped; do
    expected=Metadata_Id
    for ((j = 0; j < ncol; ++j)); do
      [[ " $dropped " == *" $j "* ]] || expected="$expected,f$j"
    done
    "$c2s" profiles select "$tmp/corr.csv" --out "$tmp/o.csv" --operations correlation --cutoff "$cutoff" "--$method" \
      2> "$tmp/log" || fail "correlation $method $cutoff: exit $?: $(cat "$tmp/log")"
    [ "$(header_of "$tmp/o.csv")" = "$expected" ] || fail "correlation $method $cutoff kept $(header_of "$tmp/o.csv"), expected $expected"
    grep -qF "correlation: $ncol -> $(($(echo "$expected" | tr ',' '\n' | wc -l) - 1)) features" "$tmp/log" || fail "log: $(cat "$tmp/log")"
    # The kept columns are copied unchanged (up to the printing of the numbers).
    k=$(col "$tmp/corr.csv" "$(header_of "$tmp/o.csv" | cut -d, -f2)")
    cut -d, -f2 "$tmp/o.csv" | tail -n +2 > "$tmp/got"
    cut -d, -f"$k" "$tmp/corr.csv" | tail -n +2 > "$tmp/want"
    within "$tmp/got" "$tmp/want" 1e-15
  done || exit 1
  # cytominer replicate correlation: kept = features whose fixture median is >= 0.5.
  table "$fx/repcor_groups.csv" "$fx/repcor_x.csv" f | sed '1s/^group/Metadata_Group/' > "$tmp/rep.csv"
  expected=Metadata_Group$(awk -F, '{ for (j = 1; j <= NF; ++j) if ($j + 0 >= 0.5) printf ",f%d", j - 1 }' "$fx/repcor_median.csv")
  "$c2s" profiles select "$tmp/rep.csv" --out "$tmp/o.csv" --operations replicate --replicate-keys Metadata_Group \
    --replicates 3 --replicate-threshold 0.5 2> "$tmp/log" || fail "replicate: exit $?: $(cat "$tmp/log")"
  [ "$(header_of "$tmp/o.csv")" = "$expected" ] || fail "replicate kept $(header_of "$tmp/o.csv"), expected $expected"
  # caret::nearZeroVar (freqCut 95/5 = 19, uniqueCut 10%) on the toy of tests/profile/reference.cpp:
  # f0 constant, f1 39:1 with 2 distinct values (near zero), f2 all distinct, f3 36:4 (kept).
  { echo Metadata_Id,f0,f1,f2,f3
    for ((i = 0; i < 40; ++i)); do echo "w$i,1,$((i < 39 ? 0 : 1)),$i,$((i < 36 ? 0 : 1))"; done; } > "$tmp/nzv.csv"
  "$c2s" profiles select "$tmp/nzv.csv" --out "$tmp/o.csv" --operations variance 2> "$tmp/log" || fail "variance: exit $?"
  [ "$(header_of "$tmp/o.csv")" = "Metadata_Id,f2,f3" ] || fail "variance kept $(header_of "$tmp/o.csv")"
  # NA columns: more than 5% missing is dropped (1/20 = 5% is kept, 2/20 is not); then the
  # operations run in the order given (na first, then variance drops the constant column).
  { echo Metadata_Id,fa,fb,fc,fd
    for ((i = 0; i < 20; ++i)); do
      echo "w$i,$([ $i = 3 ] || echo $i),$([ $i -lt 2 ] || echo $i),$i,7"
    done; } > "$tmp/na.csv"
  "$c2s" profiles select "$tmp/na.csv" --out "$tmp/o.csv" --operations na,variance 2> "$tmp/log" || fail "na: exit $?: $(cat "$tmp/log")"
  [ "$(header_of "$tmp/o.csv")" = "Metadata_Id,fa,fc" ] || fail "na,variance kept $(header_of "$tmp/o.csv")"
  [ "$(head -2 "$tmp/log")" = $'na: 4 -> 3 features\nvariance: 3 -> 2 features' ] || fail "log: $(cat "$tmp/log")"
  grep -q '^w3,,3$' "$tmp/o.csv" || fail "the missing value is not written as an empty cell: $(sed -n 5p "$tmp/o.csv")"
  ;;
aggregate)
  # On the bundled per-well profiles: one row per (compound, concentration, MoA) with its well count;
  # the median and the mean of one feature recomputed with sort/awk from the input.
  "$c2s" bbbc021 profiles --data "$src/data/bbbc021" --join compound+concentration --out "$tmp/wells.csv" 2> "$tmp/log" || fail "bbbc021 profiles: $(cat "$tmp/log")"
  ! grep -q '"' "$tmp/wells.csv" || fail "quoted fields: the awk checks below split on commas"
  keys=Metadata_Compound,Metadata_Concentration,Metadata_MoA
  ic=$(col "$tmp/wells.csv" Metadata_Compound) in_=$(col "$tmp/wells.csv" Metadata_Concentration)
  im=$(col "$tmp/wells.csv" Metadata_MoA) feat=Cells_AreaShape_Eccentricity
  jf=$(col "$tmp/wells.csv" $feat)
  [ -n "$ic" ] && [ -n "$in_" ] && [ -n "$im" ] && [ -n "$jf" ] || fail "columns missing in $(header_of "$tmp/wells.csv")"
  awk -F, -v a="$ic" -v b="$in_" -v c="$im" 'NR > 1 { print $a "," $b "," $c }' "$tmp/wells.csv" | sort | uniq -c |
    awk '{ n = $1; sub(/^ *[0-9]+ /, ""); print $0 "," n }' | sort > "$tmp/expected_counts"
  ngroups=$(wc -l < "$tmp/expected_counts")
  nwells=$(($(wc -l < "$tmp/wells.csv") - 1))
  for op in median mean; do
    "$c2s" profiles aggregate "$tmp/wells.csv" --out "$tmp/$op.csv" --keys $keys --operation $op 2> "$tmp/log" ||
      fail "aggregate $op: exit $?: $(cat "$tmp/log")"
    grep -qF "aggregated $nwells rows into $ngroups groups" "$tmp/log" || fail "expected $nwells -> $ngroups: $(cat "$tmp/log")"
    [ "$(($(wc -l < "$tmp/$op.csv") - 1))" = "$ngroups" ] || fail "$op: $(wc -l < "$tmp/$op.csv") lines for $ngroups groups"
    [ "$(header_of "$tmp/$op.csv" | cut -d, -f1-3)" = $keys ] || fail "the keys do not lead: $(header_of "$tmp/$op.csv")"
    n=$(col "$tmp/$op.csv" Metadata_Count)
    awk -F, -v n="$n" 'NR > 1 { print $1 "," $2 "," $3 "," $n }' "$tmp/$op.csv" | sort > "$tmp/got_counts"
    diff "$tmp/expected_counts" "$tmp/got_counts" > /dev/null || fail "$op: group sizes differ: $(diff "$tmp/expected_counts" "$tmp/got_counts" | head)"
  done
  # DMSO (many wells, an even count checks the two-middle-values rule) and the largest other group.
  for group in "DMSO,0,DMSO" "$(grep -v '^DMSO,' "$tmp/expected_counts" | sort -t, -k4,4n | tail -1 | cut -d, -f1-3)"; do
    awk -F, -v a="$ic" -v b="$in_" -v c="$im" -v j="$jf" -v g="$group" '$a "," $b "," $c == g { print $j }' "$tmp/wells.csv" |
      sort -g > "$tmp/values"
    cnt=$(wc -l < "$tmp/values")
    [ "$cnt" -ge 3 ] || fail "group '$group' has $cnt wells"
    median=$(awk '{ v[NR] = $1 } END { printf "%.17g", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }' "$tmp/values")
    mean=$(awk '{ s += $1 } END { printf "%.17g", s / NR }' "$tmp/values")
    for op in median mean; do
      jo=$(col "$tmp/$op.csv" $feat)
      got=$(awk -F, -v j="$jo" -v g="$group" '$1 "," $2 "," $3 == g { print $j }' "$tmp/$op.csv")
      want=$median
      [ $op = mean ] && want=$mean
      awk -v x="$got" -v y="$want" 'BEGIN { d = x - y; if (d < 0) d = -d; s = y < 0 ? -y : y; exit !(x != "" && d <= 1e-12 * (s + 1e-300)) }' ||
        fail "$op of $feat over '$group' ($cnt wells): c2s $got, recomputed $want"
    done
  done
  ;;
pipeline)
  # The documented CLI pipeline (docs/profile.md) reproduces what tests/profile/bbbc021.cpp asserts for
  # the library: 516 -> 516 -> 337 -> 177 -> 177 features, NSC 84/103, NSCB 70/92.
  "$c2s" bbbc021 profiles --data "$src/data/bbbc021" --join compound+concentration --out "$tmp/wells.csv" 2> "$tmp/log" ||
    fail "bbbc021 profiles: $(cat "$tmp/log")"
  "$c2s" profiles select "$tmp/wells.csv" --out "$tmp/sel.csv" 2> "$tmp/log" || fail "select: exit $?: $(cat "$tmp/log")"
  expected=$'variance: 516 -> 516 features\nreplicate: 516 -> 337 features\ncorrelation: 337 -> 177 features\nna: 177 -> 177 features'
  [ "$(grep -E '^(variance|replicate|correlation|na):' "$tmp/log")" = "$expected" ] || fail "select: $(cat "$tmp/log")"
  "$c2s" profiles normalize "$tmp/sel.csv" --out "$tmp/norm.csv" 2> "$tmp/log" || fail "normalize: exit $?: $(cat "$tmp/log")"
  nwells=$(($(wc -l < "$tmp/wells.csv") - 1))
  grep -qF "normalised $nwells rows x 177 features (standardize)" "$tmp/log" || fail "normalize: $(cat "$tmp/log")"
  "$c2s" profiles aggregate "$tmp/norm.csv" --keys Metadata_Compound,Metadata_Concentration,Metadata_MoA --out "$tmp/agg.csv" \
    2> "$tmp/log" || fail "aggregate: exit $?: $(cat "$tmp/log")"
  ntreat=$(tail -n +2 "$tmp/agg.csv" | grep -vc '^DMSO,')
  [ "$ntreat" = 103 ] || fail "$ntreat treatments, expected 103"
  "$c2s" profiles evaluate "$tmp/agg.csv" --null-size 200 --out "$tmp/map.csv" > "$tmp/eval" 2> "$tmp/log" ||
    fail "evaluate: exit $?: $(cat "$tmp/log")"
  grep -qx "rows        103" "$tmp/eval" || fail "evaluate: $(cat "$tmp/eval")"
  grep -q "^NSC         84/103 = 0.8155" "$tmp/eval" || fail "NSC: $(cat "$tmp/eval")"
  grep -q "^NSCB        70/92 = 0.7608" "$tmp/eval" || fail "NSCB: $(cat "$tmp/eval")"
  # mAP: one row per MoA (12) in --out; the printed mean and count of significant labels are those of the file.
  [ "$(header_of "$tmp/map.csv")" = "label,queries,map,p_value,corrected_p_value" ] || fail "map.csv header: $(header_of "$tmp/map.csv")"
  [ "$(($(wc -l < "$tmp/map.csv") - 1))" = 12 ] || fail "map.csv: $(cat "$tmp/map.csv")"
  mean=$(tail -n +2 "$tmp/map.csv" | awk -F, '{ s += $(NF - 2) } END { printf "%.6g", s / NR }')
  sig=$(tail -n +2 "$tmp/map.csv" | awk -F, '$NF < 0.05 { ++k } END { print k + 0 }')
  printed=$(sed -n 's/^mAP  *\([^ ]*\) .*/\1/p' "$tmp/eval")
  awk -v a="$mean" -v b="$printed" 'BEGIN { d = a - b; exit !(b != "" && d < 1e-5 && d > -1e-5) }' || fail "mAP $printed, mean of map.csv $mean"
  grep -q "^mAP .* ($sig of 12 labels with BH q < 0.05)$" "$tmp/eval" || fail "expected $sig of 12 significant: $(cat "$tmp/eval")"
  # The same evaluation with every Pearson neighbour replaced by cosine still finds 103 queries.
  "$c2s" profiles evaluate "$tmp/agg.csv" --null-size 20 --similarity cosine > "$tmp/eval2" 2> "$tmp/log" || fail "cosine: $(cat "$tmp/log")"
  grep -q "^NSC         [0-9]*/103 = " "$tmp/eval2" || fail "cosine: $(cat "$tmp/eval2")"
  ;;
compare)
  # Mantel statistic of the scipy fixture; permutation p-values within 4 sd of the exact enumeration.
  n=$(wc -l < "$fx/mantel_a.csv")
  npy() {  # npy MATRIX.csv STEM: STEM.npy (float64) and STEM.ids.csv with ids c0..c(n-1)
    table <(echo Metadata_Id; seq 0 $(($(wc -l < "$1") - 1)) | sed 's/^/c/') "$1" d > "$tmp/m.csv"
    "$c2s" convert "$tmp/m.csv" "$2.npy" --dtype float64 > /dev/null 2>&1 || fail "convert $1"
    { echo id,measure; seq 0 $(($(wc -l < "$1") - 1)) | sed 's/^/c/; s/$/,distance/'; } > "$2.ids.csv"
  }
  npy "$fx/mantel_a.csv" "$tmp/a"
  npy "$fx/mantel_b.csv" "$tmp/b"
  tail -n +2 "$fx/mantel_expected.csv" | while IFS=, read -r method stat p2 p1; do
    for alt in two-sided greater; do
      p=$p2
      [ $alt = greater ] && p=$p1
      "$c2s" profiles compare "$tmp/a.npy" "$tmp/b.npy" --method "$method" --alternative $alt > "$tmp/out" 2>&1 ||
        fail "compare $method: exit $?: $(cat "$tmp/out")"
      grep -q "^ids  " "$tmp/out" || fail "no ids line: $(cat "$tmp/out")"
      got=$(sed -n "s/^statistic  *\([^ ]*\) ($method)$/\1/p" "$tmp/out")
      awk -v a="$got" -v b="$stat" 'BEGIN { d = a - b; exit !(a != "" && d < 1e-5 && d > -1e-5) }' || fail "$method statistic $got, scipy $stat"
      gotp=$(sed -n "s/^p-value  *\([^ ]*\) (999 permutations, $alt)$/\1/p" "$tmp/out")
      awk -v a="$gotp" -v p="$p" 'BEGIN { d = a - p; if (d < 0) d = -d; exit !(a != "" && d < 4 * sqrt(p * (1 - p) / 999) + 1e-3) }' ||
        fail "$method $alt p $gotp, exact $p: $(cat "$tmp/out")"
    done
  done || exit 1
  # The same matrix with rows, columns and ids in reverse order gives the same statistic (matched by id).
  tac "$fx/mantel_b.csv" | awk -F, '{ s = $NF; for (j = NF - 1; j >= 1; --j) s = s "," $j; print s }' > "$tmp/b_rev.csv"
  npy "$tmp/b_rev.csv" "$tmp/r"
  { echo id,measure; seq $((n - 1)) -1 0 | sed 's/^/c/; s/$/,distance/'; } > "$tmp/r.ids.csv"
  "$c2s" profiles compare "$tmp/a.npy" "$tmp/r.npy" --permutations 0 > "$tmp/out" 2>&1 || fail "reversed: $(cat "$tmp/out")"
  stat=$(sed -n 2p "$fx/mantel_expected.csv" | cut -d, -f2)
  got=$(sed -n 's/^statistic  *\([^ ]*\) (pearson)$/\1/p' "$tmp/out")
  awk -v a="$got" -v b="$stat" 'BEGIN { d = a - b; exit !(a != "" && d < 1e-5 && d > -1e-5) }' || fail "reversed ids: statistic $got, scipy $stat"
  # An id only in one matrix is dropped and named; --strict makes it an error.
  head -n $((n - 1)) "$fx/mantel_b.csv" | cut -d, -f1-$((n - 1)) > "$tmp/b_small.csv"
  npy "$tmp/b_small.csv" "$tmp/s"
  expect 0 "c$((n - 1))" profiles compare "$tmp/a.npy" "$tmp/s.npy" --permutations 9
  grep -q "^statistic " "$tmp/log" || fail "no statistic: $(cat "$tmp/log")"
  expect 1 "different ids" profiles compare "$tmp/a.npy" "$tmp/s.npy" --strict
  ;;
usage)
  # Usage mistakes of normalize, select, aggregate: exit 2, a message naming the option or argument,
  # the command's usage, no output.
  # --help prints the text docs/cli.md documents (scripts/make_cli_doc.sh), byte for byte.
  for cmd in normalize select aggregate evaluate compare; do
    help_matches_doc "profiles $cmd"
  done
  printf 'Metadata_Plate,Metadata_Compound,f0\nA,DMSO,1\nA,DMSO,2\nA,x,3\n' > "$tmp/in.csv"
  o=$tmp/o.csv
  usage normalize "missing argument <IN.csv>" profiles normalize --out "$o"
  usage normalize "option --out is required" profiles normalize "$tmp/nowhere.csv"
  usage normalize "unknown option --metod" profiles normalize "$tmp/in.csv" --out "$o" --metod mad
  usage normalize "'method' is 'zscore'" profiles normalize "$tmp/in.csv" --out "$o" --method zscore
  usage normalize "--ddof must be 0 or 1, got 2" profiles normalize "$tmp/in.csv" --out "$o" --ddof 2
  usage normalize "option --epsilon expects a number, got 'tiny'" profiles normalize "$tmp/in.csv" --out "$o" --epsilon tiny
  usage normalize "unexpected argument 'extra.csv'" profiles normalize "$tmp/in.csv" extra.csv --out "$o"
  usage select "unknown operation 'varience'" profiles select "$tmp/in.csv" --out "$o" --operations na,varience
  usage select "--exact and --fast exclude each other" profiles select "$tmp/in.csv" --out "$o" --exact --fast
  usage select "option --cutoff expects a number, got 'high'" profiles select "$tmp/in.csv" --out "$o" --cutoff high
  usage select "--replicates must be >= 2, got 1" profiles select "$tmp/in.csv" --out "$o" --replicates 1
  usage aggregate "--keys is required" profiles aggregate "$tmp/in.csv" --out "$o"
  usage aggregate "--operation must be mean or median, got 'mode'" profiles aggregate "$tmp/in.csv" --out "$o" \
    --keys Metadata_Plate --operation mode
  usage aggregate "option --out is required" profiles aggregate "$tmp/in.csv" --keys Metadata_Plate
  absent "$o"
  ;;
usage2)
  # The same for evaluate and compare.
  printf 'Metadata_Plate,Metadata_Compound,f0\nA,DMSO,1\nA,DMSO,2\nA,x,3\n' > "$tmp/in.csv"
  o=$tmp/o.csv
  usage evaluate "'similarity' is 'euclid'" profiles evaluate "$tmp/in.csv" --similarity euclid --out "$o"
  usage evaluate "--null-size must be >= 1, got 0" profiles evaluate "$tmp/in.csv" --null-size 0 --out "$o"
  usage evaluate "option --seed expects an integer, got '1.5'" profiles evaluate "$tmp/in.csv" --seed 1.5 --out "$o"
  [ ! -s "$tmp/log" ] || ! grep -q "^NSC" "$tmp/log" || fail "evaluate printed results before the usage error"
  usage compare "missing argument <B.npy>" profiles compare a.npy
  usage compare "--method must be pearson or spearman, got 'kendall'" profiles compare a.npy b.npy --method kendall
  usage compare "--alternative must be two-sided, greater or less, got 'both'" profiles compare a.npy b.npy --alternative both
  usage compare "option --strict takes no value" profiles compare a.npy b.npy --strict=yes
  absent "$o"
  ;;
errors)
  # Bad inputs: exit 1, a message naming the file, column, row or value, and no output file.
  o=$tmp/o.csv
  printf 'Metadata_Plate,Metadata_Compound,f0,f1\nA,DMSO,1,5\nA,DMSO,2,6\nA,x,3,4\nB,DMSO,1,2\nB,DMSO,4,3\nB,y,oops,1\n' > "$tmp/bad.csv"
  printf 'Metadata_Plate,Metadata_Compound,f0\nA,DMSO,1\nA,DMSO,2\nA,x,3\nB,x,4\nB,y,5\n' > "$tmp/noref.csv"
  expect 1 "nowhere.csv' does not exist" profiles normalize "$tmp/nowhere.csv" --out "$o"
  expect 1 "bad.csv' line 7, column 3 ('f0'): 'oops' is not a number" profiles normalize "$tmp/bad.csv" --out "$o"
  expect 1 "bad.csv' line 7, column 3 ('f0'): 'oops' is not a number" profiles select "$tmp/bad.csv" --out "$o"
  expect 1 "bad.csv' line 7, column 3 ('f0'): 'oops' is not a number" profiles aggregate "$tmp/bad.csv" --out "$o" --keys Metadata_Plate
  expect 1 "--strata 'Metadata_Week' is not a metadata column of '$tmp/noref.csv' (metadata columns: Metadata_Plate, Metadata_Compound)" \
    profiles normalize "$tmp/noref.csv" --out "$o" --strata Metadata_Week
  expect 1 "--reference-column 'Metadata_Role' is not a metadata column of '$tmp/noref.csv'" \
    profiles normalize "$tmp/noref.csv" --out "$o" --reference-column Metadata_Role
  expect 1 "stratum 'B' has 0 reference row(s)" profiles normalize "$tmp/noref.csv" --out "$o"
  expect 1 "no row has Metadata_Compound == 'DSMO'" profiles normalize "$tmp/noref.csv" --out "$o" --reference-value DSMO
  expect 1 "--keys 'Metadata_Dose' is not a metadata column of '$tmp/noref.csv'" \
    profiles aggregate "$tmp/noref.csv" --out "$o" --keys Metadata_Plate,Metadata_Dose
  expect 1 "--replicate-keys 'Metadata_Concentration' is not a metadata column of '$tmp/noref.csv'" \
    profiles select "$tmp/noref.csv" --out "$o" --operations replicate
  expect 1 "--label 'Metadata_MoA' is not a metadata column of '$tmp/noref.csv'" \
    profiles evaluate "$tmp/noref.csv" --out "$o"
  expect 1 "--compound 'Metadata_Drug' is not a metadata column of '$tmp/noref.csv'" \
    profiles evaluate "$tmp/noref.csv" --label Metadata_Plate --compound Metadata_Drug --out "$o"
  expect 1 "--batch 'Metadata_Batch' is not a metadata column of '$tmp/noref.csv'" \
    profiles evaluate "$tmp/noref.csv" --label Metadata_Plate --batch Metadata_Batch --out "$o"
  absent "$o"
  # compare: a missing ids file, a non-square matrix, an ids file of the wrong length.
  printf 'Metadata_Id,d0,d1,d2\nc0,0,1,2\nc1,1,0,3\nc2,2,3,0\n' > "$tmp/m.csv"
  "$c2s" convert "$tmp/m.csv" "$tmp/a.npy" --dtype float64 > /dev/null 2>&1 || fail "convert"
  expect 1 "a.ids.csv' does not exist" profiles compare "$tmp/a.npy" "$tmp/a.npy"
  printf 'id,measure\nc0,d\nc1,d\n' > "$tmp/a.ids.csv"
  expect 1 "'$tmp/a.npy' is not a square matrix matching the 2 ids of '$tmp/a.ids.csv'" profiles compare "$tmp/a.npy" "$tmp/a.npy"
  printf 'Metadata_Id,d0,d1\nc0,0,1\nc1,1,0\nc2,2,3\n' > "$tmp/m.csv"
  "$c2s" convert "$tmp/m.csv" "$tmp/r.npy" --dtype float64 > /dev/null 2>&1 || fail "convert"
  printf 'id,measure\nc0,d\nc1,d\nc2,d\n' > "$tmp/r.ids.csv"
  expect 1 "'$tmp/r.npy' is not a square matrix matching the 3 ids of '$tmp/r.ids.csv'" profiles compare "$tmp/r.npy" "$tmp/r.npy"
  expect 1 "nowhere.ids.csv' does not exist" profiles compare "$tmp/nowhere.npy" "$tmp/r.npy"
  cp "$tmp/r.ids.csv" "$tmp/lost.ids.csv"
  expect 1 "lost.npy" profiles compare "$tmp/lost.npy" "$tmp/r.npy"
  ;;
*) fail "unknown case $case_name" ;;
esac
echo "ok: $case_name"
