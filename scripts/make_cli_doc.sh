#!/usr/bin/env bash
# Regenerates docs/cli.md from the built tool's own help texts, so the manual never drifts:
#   scripts/make_cli_doc.sh [path/to/c2s]      (default: build/bin/c2s)
# tests/cli checks that every command of the built tool is documented there.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
c2s=${1:-$root/build/bin/c2s}
out=$root/docs/cli.md
tmp=$(mktemp "$out.tmp-XXXXXX")
trap 'rm -f "$tmp"' EXIT
{
  cat <<'HEAD'
# The `c2s` command-line tool

`c2s --help` lists the subcommands that this build has (commands of optional components appear
when the component was built); `c2s <command> --help` prints a command's usage. Exit status: 0 on
success, 1 on an error (the message names the file, row, column or value), 2 on a usage mistake.

Formats: CSV with a header row — metadata columns (named on the command line, or starting with
`Metadata_` / `Image_Metadata_`) then numeric feature columns; empty cells, `NA` and `NaN` are
missing values; `.csv.gz` is read directly. NumPy `.npy` (float32, float64, uint8, uint64; C order),
so results move to and from Python with `numpy.load` / `pandas.read_csv` unchanged. Every output is
written to a temporary file and renamed, so an interrupted command leaves no half-written file.
`--threads N` (0 = all cores) where work can be split.

This page is generated from the tool's help texts by `scripts/make_cli_doc.sh`.

## Commands

HEAD
  "$c2s" --help | sed -n '/^commands:/,/^$/p' | sed '1d;/^$/d' | sed 's/^  /- `c2s /; s/   */` — /'
  echo
  "$c2s" --help | sed -n '/^commands:/,/^$/p' | sed '1d;/^$/d' | sed 's/^  //; s/   .*//' | while read -r name; do
    echo "## \`c2s $name\`"
    echo
    echo '```'
    # shellcheck disable=SC2086
    "$c2s" $name --help
    echo '```'
    echo
  done
} > "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "wrote $out"
