#!/usr/bin/env bash
# cli.sh CASE C2S SOURCE_DIR — end-to-end checks of `c2s plot heatmap|scatter`.
# Inputs are small matrices the script writes (via `c2s convert`); outputs are checked by their
# magic bytes, their size (PNG pixels = ceil(points * dpi / 72), docs/plot.md), and for SVG by the
# searchable <text> layer: title, labels, and with --annotate the value drawn in every cell.
source "$(dirname "${BASH_SOURCE[0]}")/../support/cli_lib.sh"
usage_group=plot

# is_pdf FILE
is_pdf() {
  [ "$(head -c 5 "$1")" = "%PDF-" ] || fail "$1 does not start with %PDF-"
  tail -c 32 "$1" | grep -q '%%EOF' || fail "$1 does not end with %%EOF"
}
has_text() { texts "$1" | grep -qxF -- "$2" || fail "$1 has no text '$2': $(texts "$1" | tr '\n' '|')"; }
# npy CSV STEM: STEM.npy (float64) from the numeric columns of a headerless CSV.
npy() {
  local n
  n=$(head -1 "$1" | awk -F, '{print NF}')
  { printf 'Metadata_Row'; for ((j = 0; j < n; ++j)); do printf ',c%d' "$j"; done; echo
    awk '{ print "r" NR "," $0 }' "$1"; } > "$tmp/npy_in.csv"
  "$c2s" convert "$tmp/npy_in.csv" "$2.npy" --dtype float64 > /dev/null 2>&1 || fail "convert $1"
}

# A symmetric 4 x 4 "distance" matrix, ids with a measure column (as save_labeled_matrix writes), groups.
printf '0,1,2,3\n1,0,1.5,2.5\n2,1.5,0,1\n3,2.5,1,0\n' > "$tmp/m.csv"
npy "$tmp/m.csv" "$tmp/m"
printf 'id,measure\ncpdA,cosine distance\ncpdB,cosine distance\ncpdC,cosine distance\ncpdD,cosine distance\n' > "$tmp/m.ids.csv"
printf 'id,group\ncpdA,Tubulin\ncpdB,Actin\ncpdC,Tubulin\ncpdD,Actin\n' > "$tmp/groups.csv"

case "$case_name" in
heatmap)
  # PNG / SVG / PDF of the same figure: the PNG is the SVG's point size scaled by dpi/72.
  run plot heatmap "$tmp/m.npy" --out "$tmp/h.svg" --groups "$tmp/groups.csv" --title "Distance between compounds" --annotate
  grep -qF "wrote 4 x 4 heat map to $tmp/h.svg" "$tmp/log" || fail "log: $(cat "$tmp/log")"
  size=$(svg_size "$tmp/h.svg")
  [ -n "$size" ] || fail "no width/height in pt: $(head -c 300 "$tmp/h.svg")"
  for dpi in 72 150 300; do
    run plot heatmap "$tmp/m.npy" --out "$tmp/h$dpi.png" --groups "$tmp/groups.csv" --title "Distance between compounds" \
      --annotate --dpi $dpi
    [ "$(png_size "$tmp/h$dpi.png")" = "$(pixels "$size" $dpi)" ] ||
      fail "dpi $dpi: PNG $(png_size "$tmp/h$dpi.png"), expected $(pixels "$size" $dpi) for $size pt"
  done
  run plot heatmap "$tmp/m.npy" --out "$tmp/h.PDF" --groups "$tmp/groups.csv"
  is_pdf "$tmp/h.PDF"
  # SVG text: the title, every id and group, and the colour-bar label from the ids file's measure column.
  for t in "Distance between compounds" cpdA cpdB cpdC cpdD Actin Tubulin "cosine distance"; do has_text "$tmp/h.svg" "$t"; done
  # Rows and columns are ordered by group (stable: input order within a group): B D A C.
  order=$(tail -n +2 "$tmp/groups.csv" | sort -s -t, -k2,2 | cut -d, -f1 | tr '\n' ' ')
  [ "$(texts "$tmp/h.svg" | grep '^cpd' | head -4 | tr '\n' ' ')" = "$order" ] || fail "row labels: $(texts "$tmp/h.svg" | grep '^cpd' | tr '\n' ' '), expected $order"
  [ "$(texts "$tmp/h.svg" | grep '^cpd' | sed -n 5,8p | tr '\n' ' ')" = "$order" ] || fail "column labels not in $order"
  # --annotate writes cell (i, j) of the reordered matrix row by row: m[order_i][order_j] with 2 decimals.
  expected=$(for a in $order; do for b in $order; do
      i=$(grep -n "^$a," "$tmp/m.ids.csv" | cut -d: -f1) j=$(grep -n "^$b," "$tmp/m.ids.csv" | cut -d: -f1)
      sed -n "$((i - 1))p" "$tmp/m.csv" | cut -d, -f$((j - 1)) | awk '{ printf "%.2f ", $1 }'
    done; done)
  got=$(texts "$tmp/h.svg" | grep -E '^-?[0-9]+\.[0-9]{2}$' | head -16 | tr '\n' ' ')
  [ "$got" = "$expected" ] || fail "cell values $got, expected $expected"
  # --keep-order: input order, the groups split into blocks (a warning names them); --label wins over measure.
  run plot heatmap "$tmp/m.npy" --out "$tmp/k.svg" --groups "$tmp/groups.csv" --keep-order --label "my label" --colormap rdbu --center 1
  [ "$(texts "$tmp/k.svg" | grep '^cpd' | head -4 | tr '\n' ' ')" = "cpdA cpdB cpdC cpdD " ] || fail "--keep-order: $(texts "$tmp/k.svg" | grep '^cpd' | tr '\n' ' ')"
  grep -q "warning: .*group '.*' is split into several blocks" "$tmp/log" || fail "no split-group warning: $(cat "$tmp/log")"
  has_text "$tmp/k.svg" "my label"
  ! texts "$tmp/k.svg" | grep -qxF "cosine distance" || fail "--label did not replace the measure"
  # A non-square matrix: the ids name the rows; with groups only the rows are reordered.
  printf '1,2,3\n4,5,6\n7,8,9\n10,11,12\n' > "$tmp/r.csv"
  npy "$tmp/r.csv" "$tmp/r"
  run plot heatmap "$tmp/r.npy" --out "$tmp/r.svg" --ids "$tmp/m.ids.csv" --groups "$tmp/groups.csv" --annotate
  grep -qF "wrote 4 x 3 heat map" "$tmp/log" || fail "log: $(cat "$tmp/log")"
  got=$(texts "$tmp/r.svg" | grep -E '^-?[0-9]+\.[0-9]{2}$' | head -12 | tr '\n' ' ')
  [ "$got" = "4.00 5.00 6.00 10.00 11.00 12.00 1.00 2.00 3.00 7.00 8.00 9.00 " ] || fail "non-square cells: $got"
  # Without ids (no MATRIX.ids.csv): no labels, still a figure.
  cp "$tmp/r.npy" "$tmp/bare.npy"
  run plot heatmap "$tmp/bare.npy" --out "$tmp/bare.png"
  png_size "$tmp/bare.png" > /dev/null
  ;;
scatter)
  # Documented default size 480 x 400 pt (ScatterOptions), 620 pt wide with a legend.
  printf '0,0\n1,2\n2,1\n3,3\n-1,0.5\n' > "$tmp/p.csv"
  npy "$tmp/p.csv" "$tmp/p"
  printf 'id\nw1\nw2\nw3\nw4\nw5\n' > "$tmp/p_ids.csv"
  printf 'id,group\nw1,DMSO\nw2,Actin disruptors\nw3,Actin disruptors\nw4,Eg5 inhibitors\nw5,DMSO\n' > "$tmp/p_groups.csv"
  run plot scatter "$tmp/p.npy" --out "$tmp/s.png"
  grep -qF "wrote scatter plot of 5 points to $tmp/s.png" "$tmp/log" || fail "log: $(cat "$tmp/log")"
  [ "$(png_size "$tmp/s.png")" = "$(pixels "480 400" 150)" ] || fail "default PNG $(png_size "$tmp/s.png"), expected $(pixels "480 400" 150)"
  run plot scatter "$tmp/p.npy" --out "$tmp/s.svg" --ids "$tmp/p_ids.csv" --groups "$tmp/p_groups.csv" --labels \
    --title "t-SNE of the wells" --x-label "t-SNE 1" --y-label "t-SNE 2" --legend-title "MoA" --equal-aspect
  [ "$(svg_size "$tmp/s.svg")" = "620 400" ] || fail "SVG with legend: $(svg_size "$tmp/s.svg") pt, expected 620 400"
  for t in "t-SNE of the wells" "t-SNE 1" "t-SNE 2" MoA DMSO "Actin disruptors" "Eg5 inhibitors" w1 w2 w3 w4 w5; do
    has_text "$tmp/s.svg" "$t"
  done
  run plot scatter "$tmp/p.npy" --out "$tmp/s2.png" --ids "$tmp/p_ids.csv" --groups "$tmp/p_groups.csv" --dpi 72
  [ "$(png_size "$tmp/s2.png")" = "620 400" ] || fail "72 dpi PNG with legend: $(png_size "$tmp/s2.png")"
  run plot scatter "$tmp/p.npy" --out "$tmp/s.pdf" --title "t-SNE"
  is_pdf "$tmp/s.pdf"
  # A wider matrix: columns 0 and 1 are drawn (same figure as the n x 2 one).
  paste -d, "$tmp/p.csv" <(printf '9\n9\n9\n9\n9\n') > "$tmp/w.csv"
  npy "$tmp/w.csv" "$tmp/w"
  run plot scatter "$tmp/w.npy" --out "$tmp/w.svg"
  run plot scatter "$tmp/p.npy" --out "$tmp/p.svg"
  cmp -s "$tmp/w.svg" "$tmp/p.svg" || fail "an n x 3 matrix did not draw columns 0 and 1 like the n x 2 one"
  ;;
usage)
  # Usage mistakes: exit 2, a message naming the option, the command's usage, no output file.
  # --help prints the text docs/cli.md documents (scripts/make_cli_doc.sh), byte for byte.
  for cmd in heatmap scatter; do
    help_matches_doc "plot $cmd"
  done
  o=$tmp/o.png
  usage heatmap "missing argument <MATRIX.npy>" plot heatmap --out "$o"
  usage heatmap "option --out is required" plot heatmap "$tmp/nowhere.npy"
  usage heatmap "--out '$tmp/o.jpg' must end in .png, .svg or .pdf" plot heatmap "$tmp/m.npy" --out "$tmp/o.jpg"
  usage heatmap "unknown colormap 'jet'" plot heatmap "$tmp/m.npy" --out "$o" --colormap jet
  usage heatmap "--dpi must be in [10, 2400], got 0" plot heatmap "$tmp/m.npy" --out "$o" --dpi 0
  usage heatmap "option --vmin expects a number, got 'low'" plot heatmap "$tmp/m.npy" --out "$o" --vmin low
  usage heatmap "--vmin (2) must be below --vmax (1)" plot heatmap "$tmp/m.npy" --out "$o" --vmin 2 --vmax 1
  usage heatmap "option --annotate takes no value" plot heatmap "$tmp/m.npy" --out "$o" --annotate=yes
  printf '0,1\n1,0\n' > "$tmp/two.csv"
  npy "$tmp/two.csv" "$tmp/two"
  usage heatmap "--groups needs --ids (or MATRIX.ids.csv)" plot heatmap "$tmp/two.npy" --out "$o" --groups "$tmp/groups.csv"
  usage scatter "missing argument <POINTS.npy>" plot scatter --out "$o"
  usage scatter "--out '$tmp/o' must end in .png, .svg or .pdf" plot scatter "$tmp/two.npy" --out "$tmp/o"
  usage scatter "--groups needs --ids" plot scatter "$tmp/two.npy" --out "$o" --groups "$tmp/groups.csv"
  usage scatter "--labels needs --ids" plot scatter "$tmp/two.npy" --out "$o" --labels
  usage scatter "unknown option --colormap" plot scatter "$tmp/two.npy" --out "$o" --colormap viridis
  usage scatter "unexpected argument 'more.npy'" plot scatter "$tmp/two.npy" more.npy --out "$o"
  absent "$o" "$tmp/o.jpg" "$tmp/o"
  ;;
errors)
  # Bad inputs: exit 1, a message naming the file / id / shape, and no output file (nor a temporary).
  o=$tmp/out/o.svg
  mkdir "$tmp/out"
  expect 1 "nowhere.npy" plot heatmap "$tmp/nowhere.npy" --out "$o"
  expect 1 "nowhere.npy" plot scatter "$tmp/nowhere.npy" --out "$o"
  printf 'not a numpy file\n' > "$tmp/text.npy"
  expect 1 "text.npy" plot heatmap "$tmp/text.npy" --out "$o"
  # ids of the wrong length: both files and both counts named.
  printf 'id\na\nb\nc\n' > "$tmp/three.csv"
  expect 1 "'$tmp/three.csv' has 3 ids but '$tmp/m.npy' has 4 rows" plot heatmap "$tmp/m.npy" --out "$o" --ids "$tmp/three.csv"
  printf '0,0\n1,1\n' > "$tmp/pts.csv"
  npy "$tmp/pts.csv" "$tmp/pts"
  expect 1 "'$tmp/three.csv' has 3 ids but '$tmp/pts.npy' has 2 rows" plot scatter "$tmp/pts.npy" --out "$o" --ids "$tmp/three.csv"
  # An id without a group; a groups file with one column.
  head -4 "$tmp/groups.csv" > "$tmp/g3.csv"
  expect 1 "id 'cpdD' has no group in '$tmp/g3.csv'" plot heatmap "$tmp/m.npy" --out "$o" --groups "$tmp/g3.csv"
  printf 'id\ncpdA\n' > "$tmp/g1.csv"
  expect 1 "'$tmp/g1.csv' needs two columns (id, group); it has 1" plot heatmap "$tmp/m.npy" --out "$o" --groups "$tmp/g1.csv"
  printf 'id,group\na,x\n' > "$tmp/pg.csv"
  printf 'id\na\nb\n' > "$tmp/pi.csv"
  expect 1 "id 'b' has no group in '$tmp/pg.csv'" plot scatter "$tmp/pts.npy" --out "$o" --ids "$tmp/pi.csv" --groups "$tmp/pg.csv"
  # Shapes: a scatter needs at least two columns.
  printf '1\n2\n3\n' > "$tmp/col.csv"
  npy "$tmp/col.csv" "$tmp/col"
  expect 1 "'$tmp/col.npy' must be an n x 2 (or wider) matrix" plot scatter "$tmp/col.npy" --out "$o"
  [ -z "$(ls -A "$tmp/out")" ] || fail "failed commands left files: $(ls -A "$tmp/out")"
  # A failed run leaves an existing figure untouched.
  run plot heatmap "$tmp/m.npy" --out "$o"
  cp "$o" "$tmp/before.svg"
  expect 1 "id 'cpdD' has no group" plot heatmap "$tmp/m.npy" --out "$o" --groups "$tmp/g3.csv"
  cmp -s "$o" "$tmp/before.svg" || fail "a failed run changed the existing figure"
  [ "$(ls -A "$tmp/out")" = o.svg ] || fail "temporaries left: $(ls -A "$tmp/out")"
  ;;
*) fail "unknown case $case_name" ;;
esac
echo "ok: $case_name"
