#!/usr/bin/env bash
# cli.sh CASE C2S SOURCE_DIR — end-to-end checks of `c2s split` on the annotated BBBC021 image table
# (written by `c2s bbbc021 images --annotated-only --join compound`, 6160 images). The split's
# documented guarantees (docs/split.md) are recomputed here with awk from the written table; the
# k-fold methods are compared with scikit-learn's folds in tests/fixtures/split/bbbc021_folds.csv.
source "$(dirname "${BASH_SOURCE[0]}")/../support/cli_lib.sh"
cmd=split  # for expect_fail's usage check

# cols FILE NAME...: the named columns of every data row, tab-separated; fails on an unknown name.
cols() {
  local file=$1; shift
  awk -v names="$*" "$awk_csv"'
    NR == 1 { n = csv_split($0, h); for (j = 1; j <= n; j++) at[h[j]] = j
              k = split(names, want, " "); for (i = 1; i <= k; i++) if (!(want[i] in at)) { print "no column " want[i] > "/dev/stderr"; exit 1 }
              next }
    { m = csv_split($0, f); if (m != n) { print "line " NR ": " m " cells, header " n > "/dev/stderr"; exit 1 }
      s = f[at[want[1]]]; for (i = 2; i <= k; i++) s = s "\t" f[at[want[i]]]; print s }' "$file"
}
# check_sides OUT COLUMN SIDES FRACTIONS LOWER: the guarantees of a stratified split (docs/split.md),
# with Metadata_Compound as group, Metadata_MoA as stratum, DMSO as controls grouped by well:
# every row on one of SIDES; no compound (DMSO aside) and no DMSO well on two sides; per stratum and
# side, samples <= fraction x stratum samples + largest group; with LOWER=1 (--no-every-side) also
# >= ... - largest group, else a MoA with at least as many compounds as sides is on every side. Prints per stratum
# "name: G groups; side g/s ..." as `c2s split` does (control stratum: "control"), then the MoAs that
# cannot be on every side.
check_sides() {
  cols "$1" Metadata_Compound Metadata_MoA Metadata_Well "$2" > "$tmp/cols" || fail "columns of $1"
  awk -F'\t' -v sides="$3" -v fractions="$4" -v lower="$5" '
    BEGIN { ns = split(sides, side, ","); split(fractions, frac, ","); for (k = 1; k <= ns; k++) id[side[k]] = k }
    { c = $1; moa = $2; s = $4
      if (!(s in id)) { print "row " NR ": side \"" s "\""; bad++; next }
      if (c == "DMSO") { st = "control"; g = $3 } else { st = moa; g = c }
      if ((st, g) in at && at[st, g] != s) { print st " group " g " on " at[st, g] " and " s; bad++ }
      at[st, g] = s
      if (!(st in total)) { strata[++nst] = st }
      total[st]++; size[st, g]++; if (!((st, g, s) in gs)) { gs[st, g, s] = 1; groups_on[st, s]++ }
      if (!((st, g) in seen)) { seen[st, g] = 1; ngroups[st]++; members[st] = members[st] SUBSEP g }
      samples[st, s]++ }
    END {
      # sorted strata, "control" (sorts after the MoAs: lower case) as c2s prints it
      for (i = 1; i <= nst; i++) for (j = i + 1; j <= nst; j++) if (strata[j] < strata[i]) { t = strata[i]; strata[i] = strata[j]; strata[j] = t }
      for (i = 1; i <= nst; i++) {
        st = strata[i]; largest = 0; ng = split(substr(members[st], 2), gl, SUBSEP)
        for (j = 1; j <= ng; j++) if (size[st, gl[j]] > largest) largest = size[st, gl[j]]
        line = st ": " ngroups[st] " groups;"; on = 0
        for (k = 1; k <= ns; k++) {
          n = samples[st, side[k]] + 0; target = frac[k] * total[st]
          if (n > target + largest + 1e-9) { print st " " side[k] ": " n " samples > target " target " + largest group " largest; bad++ }
          if (lower && n < target - largest - 1e-9) { print st " " side[k] ": " n " samples < target " target " - largest group " largest; bad++ }
          on += n > 0; line = line " " side[k] " " (groups_on[st, side[k]] + 0) "/" n }
        print line > "/dev/stderr"
        if (!lower && ngroups[st] >= ns && on < ns) { print st ": " ngroups[st] " groups but on " on " sides"; bad++ }
        if (on < ns) unsplit = unsplit "cannot be on every side: " st "\n" }
      printf "%s", unsplit > "/dev/stderr"
      exit bad > 0 || NR == 0 }' "$tmp/cols" 2> "$tmp/expected_report" > "$tmp/problems" ||
    fail "$1: $(head -5 "$tmp/problems")"
}

"$c2s" bbbc021 images --data "$src/data/bbbc021" --out "$tmp/images.csv" --annotated-only --join compound 2> "$tmp/log" ||
  fail "bbbc021 images: exit $? $(cat "$tmp/log")"
in=$tmp/images.csv
n_in=$(( $(grep -c '' "$in") - 1 ))
[ "$n_in" = 6160 ] || fail "the image table has $n_in rows"
common=(--in "$in" --group Metadata_Compound --control-column Metadata_Compound --control-group Metadata_Well)

case "$case_name" in
stratified)
  "$c2s" split "${common[@]}" --out "$tmp/s.csv" --stratify Metadata_MoA --seed 3 > "$tmp/report" 2> "$tmp/log" ||
    fail "exit $? $(cat "$tmp/log" "$tmp/report")"
  grep -q "^wrote 6160 rows with column Metadata_Split to $tmp/s.csv" "$tmp/log" || fail "$(cat "$tmp/log")"
  # The table is the input plus the split column, rows in input order, each row assigned once.
  [ "$(head -1 "$tmp/s.csv")" = "$(head -1 "$in"),Metadata_Split" ] || fail "header: $(head -1 "$tmp/s.csv")"
  sed 's/,[^,]*$//' "$tmp/s.csv" | diff - "$in" > /dev/null || fail "the input columns or rows changed"
  check_sides "$tmp/s.csv" Metadata_Split train,validation,test 0.7,0.15,0.15 0
  # c2s's per-stratum report and its unsplittable strata equal what the written table shows.
  diff "$tmp/expected_report" <(grep -v "^leakage: " "$tmp/report") > "$tmp/diff" || fail "report differs from the table: $(cat "$tmp/diff")"
  grep -q "^cannot be on every side: Cholesterol-lowering$" "$tmp/report" || fail "$(cat "$tmp/report")"
  grep -qx "leakage: no leakage (checked: Metadata_Compound)" "$tmp/report" || fail "$(tail -1 "$tmp/report")"
  # Deterministic for a seed; another seed gives another split.
  "$c2s" split "${common[@]}" --out "$tmp/again.csv" --stratify Metadata_MoA --seed 3 > /dev/null 2>&1 || fail "rerun exit $?"
  cmp -s "$tmp/s.csv" "$tmp/again.csv" || fail "the same seed gave another table"
  "$c2s" split "${common[@]}" --out "$tmp/seed4.csv" --stratify Metadata_MoA --seed 4 > /dev/null 2>&1 || fail "seed 4 exit $?"
  ! cmp -s "$tmp/s.csv" "$tmp/seed4.csv" || fail "seeds 3 and 4 gave the same split"
  check_sides "$tmp/seed4.csv" Metadata_Split train,validation,test 0.7,0.15,0.15 0
  # Independent of the order of the rows: the reversed table gives every image the same side.
  { head -1 "$in"; tail -n +2 "$in" | tac; } > "$tmp/reversed.csv"
  "$c2s" split --in "$tmp/reversed.csv" "${common[@]:2}" --out "$tmp/rev.csv" --stratify Metadata_MoA --seed 3 > /dev/null 2>&1 ||
    fail "reversed exit $?"
  diff <(cols "$tmp/s.csv" Metadata_TableNumber Metadata_ImageNumber Metadata_Split | sort) \
       <(cols "$tmp/rev.csv" Metadata_TableNumber Metadata_ImageNumber Metadata_Split | sort) > /dev/null ||
    fail "the reversed table was split differently"
  ;;
options)
  # --no-every-side: within one group of the target on both sides; other sides, fractions, column.
  "$c2s" split "${common[@]}" --out "$tmp/n.csv" --stratify Metadata_MoA --seed 5 --no-every-side > "$tmp/report" 2>&1 ||
    fail "exit $? $(cat "$tmp/report")"
  check_sides "$tmp/n.csv" Metadata_Split train,validation,test 0.7,0.15,0.15 1
  "$c2s" split "${common[@]}" --out "$tmp/ab.csv" --stratify Metadata_MoA --sides fit,holdout --fractions 0.6,0.4 \
    --column Metadata_Side --seed 1 > "$tmp/report" 2> "$tmp/log" || fail "exit $? $(cat "$tmp/log")"
  [ "$(head -1 "$tmp/ab.csv")" = "$(head -1 "$in"),Metadata_Side" ] || fail "header: $(head -1 "$tmp/ab.csv")"
  check_sides "$tmp/ab.csv" Metadata_Side fit,holdout 0.6,0.4 0
  diff "$tmp/expected_report" <(grep -v "^leakage: " "$tmp/report") > "$tmp/diff" || fail "report: $(cat "$tmp/diff")"
  ! grep -q "cannot be on every side" "$tmp/report" || fail "every MoA has 2+ compounds: $(grep cannot "$tmp/report")"
  # shuffle: unstratified, still compound-disjoint and within the bounds per "stratum" (all in one).
  "$c2s" split "${common[@]}" --out "$tmp/sh.csv" --method shuffle --seed 2 > "$tmp/report" 2>&1 || fail "shuffle exit $?"
  cols "$tmp/sh.csv" Metadata_Compound Metadata_Split | awk -F'\t' '$1 != "DMSO" { if (($1) in s && s[$1] != $2) { print $1; exit 1 } s[$1] = $2 }' ||
    fail "shuffle put a compound on two sides"
  [ "$(cols "$tmp/sh.csv" Metadata_Split | sort -u | tr '\n' ' ')" = "test train validation " ] || fail "shuffle sides"
  ;;
kfold)
  # GroupKFold(3, 5), StratifiedGroupKFold(3, 5), LeaveOneGroupOut by compound and by week equal
  # scikit-learn's test folds (fixture, join "compound"), matched by table and image number.
  tr -d '\r' < "$src/tests/fixtures/split/bbbc021_folds.csv" | awk -F, '$1 == "compound"' > "$tmp/want"
  [ "$(grep -c '' "$tmp/want")" = 6160 ] || fail "fixture rows: $(grep -c '' "$tmp/want")"
  for spec in "4|group-kfold|3|Metadata_Compound" "5|group-kfold|5|Metadata_Compound" \
              "6|stratified-group-kfold|3|Metadata_Compound" "7|stratified-group-kfold|5|Metadata_Compound" \
              "8|logo|5|Metadata_Compound" "9|logo|5|Metadata_Week"; do
    IFS='|' read -r field method k group <<< "$spec"
    "$c2s" split --in "$in" --out "$tmp/f.csv" --group "$group" --method "$method" --folds "$k" --stratify Metadata_MoA \
      > "$tmp/report" 2> "$tmp/log" || fail "$method $k: exit $? $(cat "$tmp/log")"
    [ "$(head -1 "$tmp/f.csv")" = "$(head -1 "$in"),Metadata_Fold" ] || fail "$method: header"
    diff <(cut -d, -f2,3,"$field" "$tmp/want" | tr ',' '\t') <(cols "$tmp/f.csv" Metadata_TableNumber Metadata_ImageNumber Metadata_Fold) \
      > "$tmp/diff" || fail "$method $k by $group differs from scikit-learn: $(head -5 "$tmp/diff")"
    # the report: test samples per fold, as in the table
    diff <(grep "^fold " "$tmp/report") <(cols "$tmp/f.csv" Metadata_Fold | sort -n | uniq -c |
      awk '{ print "fold " $2 ": " $1 " test samples" }') > /dev/null || fail "$method: fold sizes: $(cat "$tmp/report")"
    grep -qx "leakage: no leakage (checked: $group)" "$tmp/report" || fail "$method: $(tail -1 "$tmp/report")"
  done
  ;;
two-key)
  # Compounds and weeks both disjoint (excluded rows aside); DMSO follows its week and is never
  # excluded; the printed excluded count is the table's; every side is used.
  "$c2s" split "${common[@]}" --out "$tmp/t.csv" --method two-key --batch Metadata_Week --stratify Metadata_MoA --seed 7 \
    > "$tmp/report" 2> "$tmp/log" || fail "exit $? $(cat "$tmp/log" "$tmp/report")"
  grep -qx "leakage: no leakage (checked: Metadata_Compound, Metadata_Week)" "$tmp/report" || fail "$(tail -1 "$tmp/report")"
  sed 's/,[^,]*$//' "$tmp/t.csv" | diff - "$in" > /dev/null || fail "the input columns or rows changed"
  excluded=$(cols "$tmp/t.csv" Metadata_Split | grep -cx excluded)
  grep -qx "excluded samples: $excluded" "$tmp/report" || fail "excluded: table $excluded, report $(grep excluded "$tmp/report")"
  [ "$excluded" -gt 0 ] || fail "no image excluded (taxol is imaged in every week)"
  cols "$tmp/t.csv" Metadata_Compound Metadata_Week Metadata_Split | awk -F'\t' '
    $3 == "excluded" { if ($1 == "DMSO") { print "a DMSO image is excluded"; bad++ } next }
    $3 != "train" && $3 != "validation" && $3 != "test" { print "side " $3; bad++ }
    { used[$3] = 1
      if ($1 != "DMSO") { if (($1) in c && c[$1] != $3) { print "compound " $1 " on " c[$1] " and " $3; bad++ } c[$1] = $3 }
      if (($2) in w && w[$2] != $3) { print "week " $2 " on " w[$2] " and " $3; bad++ } w[$2] = $3 }
    END { if (length(used) != 3) { print "sides used: " length(used); bad++ } exit bad > 0 }' > "$tmp/problems" ||
    fail "two-key: $(head -5 "$tmp/problems")"
  ;;
errors)
  o=$tmp/o.csv
  # usage mistakes: exit 2 with the usage
  expect_fail 2 "$o" "option --in is required" -- "$c2s" split --out "$o" --group Metadata_Compound
  expect_fail 2 "$o" "option --out is required" -- "$c2s" split --in "$in" --group Metadata_Compound
  expect_fail 2 "$o" "option --group is required" -- "$c2s" split --in "$in" --out "$o"
  expect_fail 2 "$o" "unexpected argument 'extra'" -- "$c2s" split --in "$in" --out "$o" --group Metadata_Compound extra
  expect_fail 2 "$o" "--method must be stratified, shuffle, two-key, group-kfold, stratified-group-kfold or logo, got 'random'" -- \
    "$c2s" split --in "$in" --out "$o" --group Metadata_Compound --method random
  expect_fail 2 "$o" "--method stratified needs --stratify" -- "$c2s" split --in "$in" --out "$o" --group Metadata_Compound
  expect_fail 2 "$o" "--method two-key needs --batch" -- "$c2s" split --in "$in" --out "$o" --group Metadata_Compound --method two-key
  expect_fail 2 "$o" "--method stratified-group-kfold needs --stratify" -- \
    "$c2s" split --in "$in" --out "$o" --group Metadata_Compound --method stratified-group-kfold
  expect_fail 2 "$o" "--fractions expects numbers, got 'half'" -- \
    "$c2s" split --in "$in" --out "$o" --group Metadata_Compound --method shuffle --fractions half,0.5
  expect_fail 2 "$o" "--seed must be non-negative" -- "$c2s" split --in "$in" --out "$o" --group Metadata_Compound --method shuffle --seed -1
  expect_fail 2 "$o" "option --folds expects an integer, got '2.5'" -- \
    "$c2s" split --in "$in" --out "$o" --group Metadata_Compound --method group-kfold --folds 2.5
  # bad inputs: exit 1 naming the file / column / value, no output
  expect_fail 1 "$o" "$tmp/none.csv" -- "$c2s" split --in "$tmp/none.csv" --out "$o" --group Metadata_Compound --method shuffle
  expect_fail 1 "$o" "metadata column 'Metadata_Cmpd' is not in '$in'" -- "$c2s" split --in "$in" --out "$o" --group Metadata_Cmpd --method shuffle
  expect_fail 1 "$o" "metadata column 'Metadata_Moa_Typo' is not in '$in'" -- "$c2s" split --in "$in" --out "$o" --group Metadata_Compound --stratify Metadata_Moa_Typo
  expect_fail 1 "$o" "metadata column 'Metadata_Batch' is not in '$in'" -- "$c2s" split --in "$in" --out "$o" --group Metadata_Compound --method two-key --batch Metadata_Batch
  expect_fail 1 "$o" "'fractions' sum to 0.8, not 1" -- "$c2s" split --in "$in" --out "$o" --group Metadata_Compound --method shuffle --fractions 0.5,0.2,0.1
  expect_fail 1 "$o" "'fractions' has 2 entries but there are 3 sides" -- "$c2s" split --in "$in" --out "$o" --group Metadata_Compound --method shuffle --fractions 0.5,0.5
  expect_fail 1 "$o" "'n_splits' is 1; k-fold needs at least 2" -- "$c2s" split --in "$in" --out "$o" --group Metadata_Compound --method group-kfold --folds 1
  expect_fail 1 "$o" "'n_splits' is 100 but 'groups' has only 39 distinct groups" -- "$c2s" split --in "$in" --out "$o" --group Metadata_Compound --method group-kfold --folds 100
  expect_fail 1 "$o" "side name 'a' is given twice" -- "$c2s" split --in "$in" --out "$o" --group Metadata_Compound --method shuffle --sides a,a
  { head -3 "$in"; echo "1,2,3"; } > "$tmp/ragged.csv"
  expect_fail 1 "$o" "ragged.csv' line 4" -- "$c2s" split --in "$tmp/ragged.csv" --out "$o" --group Metadata_Compound --method shuffle
  # Leakage is an error too: controls recognised by MoA but grouped by well leave the compound
  # 'DMSO' on every side; exit 1 naming it, and no table.
  expect_fail 1 "$o" "leakage: Metadata_Compound 'DMSO' is on train" -- "$c2s" split --in "$in" --out "$o" \
    --group Metadata_Compound --stratify Metadata_MoA --control-column Metadata_MoA --control-group Metadata_Well
  grep -q "nothing written to $o" "$tmp/log" || fail "leakage: $(cat "$tmp/log")"
  ;;
*) fail "unknown case $case_name" ;;
esac
echo "ok: $case_name"
