#!/usr/bin/env bash
# cli.sh CASE C2S SOURCE_DIR — end-to-end checks of `c2s images synth`, `c2s embed`, `c2s activations`
# on a small synthetic plate (25 fields of 96 x 80 pixels) with a seeded Inception V3 (no weights).
# Expected values are derived from the plate's own index CSV and from other runs (a subset of rows,
# another seed), never from a stored run.
source "$(dirname "${BASH_SOURCE[0]}")/../support/cli_lib.sh"
export OMP_NUM_THREADS=1 C2S_KEEP_OMP_WAIT_POLICY=1

# to_csv STEM.npy OUT.csv: the matrix as CSV without header (via `c2s convert`).
to_csv() { "$c2s" convert "$1" "$tmp/conv.csv" --prefix f > /dev/null 2>&1 || fail "convert $1"; tail -n +2 "$tmp/conv.csv" > "$2"; }
# max_diff A.csv B.csv: largest |a - b| over two headerless numeric CSVs of the same shape.
max_diff() {
  awk -F, 'NR == FNR { for (j = 1; j <= NF; ++j) a[FNR, j] = $j; next }
    { for (j = 1; j <= NF; ++j) { d = a[FNR, j] - $j; if (d < 0) d = -d; if (d > m) m = d } }
    END { printf "%.3g\n", m + 0 }' "$1" "$2"
}

plate=$tmp/plate
synth() {
  run images synth --out "$plate" --weeks 1 --sites 1 --dmso-wells 1 --width 96 --height 80 --scale 0.25 --threads 1 --seed 7
  index=$plate/BBBC021_v1_image.csv
  nimages=$(($(wc -l < "$index") - 1))
  grep -qF "wrote $nimages fields (1 plates) under $plate" "$tmp/log" || fail "synth: $(cat "$tmp/log")"
}
model=(--size 75 --threads 1 --no-aux)

case "$case_name" in
synth)
  synth
  # The index names every channel file of every field, and each is a 96 x 80 TIFF.
  [ "$nimages" -ge 25 ] || fail "$nimages fields: 12 MoAs x 2 compounds + DMSO expected"
  for f in Image_FileName_DAPI Image_FileName_Tubulin Image_FileName_Actin; do
    j=$(col "$index" $f) p=$(col "$index" "${f/FileName/PathName}")
    tail -n +2 "$index" | awk -F, -v p="$p" -v j="$j" '{ print $p "/" $j }' | while read -r rel; do
      [ -s "$plate/$rel" ] || { echo "missing $rel"; exit 1; }
      case "$(head -c 4 "$plate/$rel" | od -An -tx1 | tr -d ' \n')" in
        49492a00 | 4d4d002a) ;;
        *) echo "not a TIFF: $rel"; exit 1 ;;
      esac
    done || fail "channel files of $f"
  done
  # The compound table copies the bundled SMILES.
  grep -qF "$(grep '^taxol,' "$src/data/bbbc021/BBBC021_v1_compound.csv")" "$plate/BBBC021_v1_compound.csv" ||
    fail "taxol's SMILES not copied: $(grep taxol "$plate/BBBC021_v1_compound.csv")"
  # Same seed, same plate.
  mv "$plate" "$tmp/first"
  synth
  diff -r "$tmp/first" "$plate" > /dev/null || fail "two runs with seed 7 differ"
  ;;
embed)
  synth
  run embed --images "$plate" --out "$tmp/all" --batch 8 --seed 3 "${model[@]}"
  grep -qF "wrote $nimages x 2048 embeddings (Inception V3 (C++), layer avgpool) to $tmp/all.npy and $tmp/all_metadata.csv" "$tmp/log" ||
    fail "embed: $(cat "$tmp/log")"
  "$c2s" npy info "$tmp/all.npy" | grep -qF "<f4 ($nimages, 2048)" || fail "shape: $("$c2s" npy info "$tmp/all.npy")"
  meta=$tmp/all_metadata.csv
  [ "$(($(wc -l < "$meta") - 1))" = "$nimages" ] || fail "metadata rows: $(wc -l < "$meta")"
  # Row k of the metadata is row k of the image table (plate, well, compound).
  for c in Plate Well Compound; do
    src_col=Image_Metadata_${c}_DAPI
    [ $c = Compound ] && src_col=Image_Metadata_Compound
    a=$(tail -n +2 "$index" | cut -d, -f"$(col "$index" $src_col)")
    b=$(tail -n +2 "$meta" | cut -d, -f"$(col "$meta" Metadata_$c)")
    [ "$a" = "$b" ] || fail "Metadata_$c is not the image table's $src_col"
  done
  # The first 5 rows embedded alone, in batches of 2, are the first 5 rows of the full run.
  run embed --images "$plate" --out "$tmp/five" --limit 5 --batch 2 --seed 3 "${model[@]}"
  "$c2s" npy info "$tmp/five.npy" | grep -qF "<f4 (5, 2048)" || fail "--limit 5: $("$c2s" npy info "$tmp/five.npy")"
  to_csv "$tmp/all.npy" "$tmp/all.csv"
  to_csv "$tmp/five.npy" "$tmp/five.csv"
  head -5 "$tmp/all.csv" > "$tmp/all5.csv"
  d=$(max_diff "$tmp/all5.csv" "$tmp/five.csv")
  awk -v d="$d" 'BEGIN { exit !(d < 1e-4) }' || fail "rows differ by batch: max |diff| $d"
  # Not all zero or constant, and another seed gives other features.
  awk -F, '{ for (j = 1; j <= NF; ++j) { if ($j != $1) v = 1; if ($j + 0 != 0) nz = 1 } } END { exit !(v && nz) }' "$tmp/five.csv" ||
    fail "the embeddings are constant"
  run embed --images "$plate" --out "$tmp/other" --limit 5 --batch 5 --seed 4 "${model[@]}"
  to_csv "$tmp/other.npy" "$tmp/other.csv"
  d=$(max_diff "$tmp/other.csv" "$tmp/five.csv")
  awk -v d="$d" 'BEGIN { exit !(d > 1e-3) }' || fail "seed 4 gives the same embeddings as seed 3 (max |diff| $d)"
  # --annotated-only keeps the rows with a MoA in the full run's metadata.
  annotated=$(tail -n +2 "$meta" | cut -d, -f"$(col "$meta" Metadata_MoA)" | grep -vc '^$')
  run embed --images "$plate" --out "$tmp/ann" --annotated-only --limit 3 --batch 3 --seed 3 "${model[@]}"
  "$c2s" npy info "$tmp/ann.npy" | grep -qF "(3, 2048)" || fail "--annotated-only --limit 3"
  [ "$annotated" -ge 3 ] || fail "only $annotated annotated rows"
  ;;
activations)
  synth
  row=2
  line=$(sed -n "$((row + 2))p" "$index")
  plate_id=$(echo "$line" | cut -d, -f"$(col "$index" Image_Metadata_Plate_DAPI)")
  well=$(echo "$line" | cut -d, -f"$(col "$index" Image_Metadata_Well_DAPI)")
  compound=$(echo "$line" | cut -d, -f"$(col "$index" Image_Metadata_Compound)")
  site=$(echo "$line" | cut -d, -f"$(col "$index" Image_FileName_DAPI)" | sed 's/^[A-Z][0-9]*_s\([0-9]*\)_.*/\1/')
  where="$plate_id $well s$site ($compound)"
  run activations --images "$plate" --row $row --out "$tmp/act.svg" --seed 3 --size 139 --threads 1
  grep -qF "wrote $tmp/act.svg" "$tmp/log" || fail "log: $(cat "$tmp/log")"
  texts "$tmp/act.svg" | grep -qxF "mean activation Mixed_7c: $where" || fail "title: $(texts "$tmp/act.svg" | tr '\n' '|'), expected $where"
  texts "$tmp/act.svg" | grep -qxF "activation (scaled)" || fail "no colour-bar label"
  run activations --images "$plate" --row $row --out "$tmp/act.png" --seed 3 --size 139 --threads 1
  [ "$(png_size "$tmp/act.png")" = "$(pixels "$(svg_size "$tmp/act.svg")" 150)" ] ||
    fail "PNG $(png_size "$tmp/act.png") for an SVG of $(svg_size "$tmp/act.svg") pt at 150 dpi"
  run activations --images "$plate" --row $row --out "$tmp/cam.pdf" --gradcam --class 3 --layer Mixed_6e --seed 3 --size 139 --threads 1
  [ "$(head -c 5 "$tmp/cam.pdf")" = "%PDF-" ] || fail "not a PDF"
  run activations --images "$plate" --row $row --out "$tmp/cam.svg" --gradcam --class 3 --layer Mixed_6e --seed 3 --size 139 --threads 1
  texts "$tmp/cam.svg" | grep -qxF "Grad-CAM class 3, Mixed_6e: $where" || fail "Grad-CAM title: $(texts "$tmp/cam.svg" | tr '\n' '|')"
  # Usage mistakes (exit 2) and a missing channel file (exit 1, named); no figure is left.
  o=$tmp/o
  usage activations "--row 99 is outside the table's $nimages rows" activations --images "$plate" --row 99 --out "$o.png"
  usage activations "activations work with the C++ Inception V3 only" activations --images "$plate" --out "$o.png" --torchscript m.pt
  usage activations "--out '$o.jpg' must end in .png, .svg or .pdf" activations --images "$plate" --out "$o.jpg"
  usage activations "'mode' is '12'" activations --images "$plate" --out "$o.png" --mode 12
  j=$(col "$index" Image_FileName_Actin) p=$(col "$index" Image_PathName_Actin)
  rel=$(sed -n "$((row + 2))p" "$index" | awk -F, -v p="$p" -v j="$j" '{ print $p "/" $j }')
  rm "$plate/$rel" || fail "no $rel"
  expect 1 "file '$plate/$rel' does not exist" activations --images "$plate" --row $row --out "$o.png" --size 139 --threads 1
  grep -qF "), Actin: " "$tmp/log" || fail "the channel is not named: $(cat "$tmp/log")"
  absent "$o.png" "$o.jpg"
  ;;
usage)
  # Help texts are the ones docs/cli.md documents (scripts/make_cli_doc.sh), byte for byte.
  for cmd in embed activations "images synth"; do
    help_matches_doc "$cmd"
  done
  synth
  o=$tmp/o
  usage embed "option --images is required" embed --out "$o"
  usage embed "option --out is required" embed --images "$tmp/nowhere"
  usage embed "unknown option --gradcam" embed --images "$plate" --out "$o" --gradcam
  usage embed "'mode' is '12'" embed --images "$plate" --out "$o" --mode 12
  usage embed "'join' is 'plate'" embed --images "$plate" --out "$o" --join plate
  usage embed "--classes must be >= 1" embed --images "$plate" --out "$o" --classes 0 "${model[@]}"
  usage "images synth" "option --weeks expects an integer, got '1.5'" images synth --out "$o" --weeks 1.5
  absent "$o.npy" "${o}_metadata.csv" "$o"
  ;;
errors)
  synth
  # A missing index, a missing channel file (named, with its row), weights that are not there.
  expect 1 "nowhere/BBBC021_v1_image.csv" embed --images "$tmp/nowhere" --out "$tmp/e" "${model[@]}"
  j=$(col "$index" Image_FileName_Tubulin) p=$(col "$index" Image_PathName_Tubulin)
  rel=$(sed -n 5p "$index" | awk -F, -v p="$p" -v j="$j" '{ print $p "/" $j }')
  number=$(sed -n 5p "$index" | cut -d, -f"$(col "$index" ImageNumber)")
  rm "$plate/$rel" || fail "no $rel"
  expect 1 "file '$plate/$rel' does not exist" embed --images "$plate" --out "$tmp/e" --batch 4 "${model[@]}"
  grep -qF "(ImageNumber $number, " "$tmp/log" || fail "the row is not named: $(cat "$tmp/log")"
  grep -qF "), Tubulin: " "$tmp/log" || fail "the channel is not named: $(cat "$tmp/log")"
  absent "$tmp/e.npy" "$tmp/e_metadata.csv"
  expect 1 "$tmp/no_weights" embed --images "$plate" --out "$tmp/e" --limit 2 --weights "$tmp/no_weights" "${model[@]}"
  absent "$tmp/e.npy" "$tmp/e_metadata.csv"
  ;;
*) fail "unknown case $case_name" ;;
esac
echo "ok: $case_name"
