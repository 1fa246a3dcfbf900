#!/usr/bin/env bash
# Regenerates faxd's rendering fixtures: ./scripts/make-fixtures.sh [--check-hang]
#
# Writes test/fixtures/documents/* (real documents for the fax renderer's tests) and
# test/fixtures/hostile/* (files that must be rejected or contained), plus a manifest.json
# in each folder, from the sources in test/fixtures/sources/ (all written for this project).
# The results are committed, so the tests never run this; run it only to change a fixture,
# then look at the diff of the manifests.
#
# Needs: LibreOffice (soffice, Writer and Calc), Ghostscript (gs), ImageMagick 6 (convert,
# identify), poppler-utils (pdftoppm, pdfinfo, pdftotext), qpdf, python3, and the en_US
# hunspell word list (/usr/share/hunspell/en_US.dic, Debian package hunspell-en-us).
# Takes well under a minute. Output is deterministic except for what LibreOffice stamps into
# its own files (creation dates and document ids in the PDFs it writes, dates in docx/xlsx/odt)
# and what is derived from those (hostile/encrypted.pdf is text-letter.pdf encrypted).
#
#   --check-hang   afterwards, also run `timeout 120 soffice --convert-to pdf` on
#                  hostile/hangs-libreoffice.docx and report how long it ran (about 2 minutes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

check_hang=0
for arg in "$@"; do
  case "$arg" in
    --check-hang) check_hang=1 ;;
    -h | --help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

# The real ImageMagick: /usr/bin/convert when present (a wrapper earlier in PATH may stand in for it).
IM=convert
[[ -x /usr/bin/convert ]] && IM=/usr/bin/convert
export IM
for cmd in soffice gs "$IM" pdftoppm pdfinfo pdftotext qpdf python3; do
  command -v "$cmd" >/dev/null || { echo "make-fixtures: $cmd is missing" >&2; exit 1; }
done
[[ -r /usr/share/hunspell/en_US.dic ]] || { echo "make-fixtures: /usr/share/hunspell/en_US.dic is missing (apt-get install hunspell-en-us)" >&2; exit 1; }

# Fixed clock, locale (LibreOffice takes its default paper, A4, from it) and time zone.
export SOURCE_DATE_EPOCH=1710374400 # 2024-03-14 00:00:00 UTC
export LC_ALL=C.UTF-8 TZ=UTC

SRC=test/fixtures/sources
DOC=test/fixtures/documents
HOS=test/fixtures/hostile
WORK=$(mktemp -d /tmp/make-fixtures.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$DOC" "$HOS" "$WORK/build" "$WORK/measure"
rm -f "$DOC"/* "$HOS"/*

step() { echo "==> $*"; }

# soffice with a throw-away profile (never the user's), output to a folder.
lo() { # lo FORMAT OUTDIR FILE...
  local format=$1 outdir=$2
  shift 2
  soffice -env:UserInstallation="file://$WORK/lo-profile" --headless --convert-to "$format" --outdir "$outdir" "$@" >"$WORK/soffice.log" 2>&1 ||
    { cat "$WORK/soffice.log" >&2; return 1; }
}
# Ghostscript's pdfwrite: fixed dates (SOURCE_DATE_EPOCH), no random document id or XMP uuid,
# and every font embedded (NeverEmbed emptied), unless the caller passes "keep-base14".
gs_pdf() { # gs_pdf WIDTH HEIGHT OUT SOURCE.ps [keep-base14] [gs options...]
  local w=$1 h=$2 out=$3 src=$4 embed=("-c" "<< /NeverEmbed [ ] >> setdistillerparams" "-f")
  shift 4
  if [[ ${1:-} == keep-base14 ]]; then
    embed=()
    shift
  fi
  gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pdfwrite -dOmitID -dOmitXMP \
    -dDEVICEWIDTHPOINTS="$w" -dDEVICEHEIGHTPOINTS="$h" -dFIXEDMEDIA "$@" -o "$out" "${embed[@]}" "$src"
}

step "generated sources (fifty-pages.fodt, landscape.fods, table.fods)"
python3 "$SRC/gen-sources.py" "$WORK/build"

step "LibreOffice documents"
lo pdf "$DOC" "$SRC/text-letter.fodt"
lo pdf "$DOC" "$WORK/build/fifty-pages.fodt" "$WORK/build/landscape.fods"
lo xlsx "$WORK/build" "$WORK/build/table.fods"
mv "$WORK/build/table.xlsx" "$DOC/table.xlsx"
cp "$SRC/minutes.fodt" "$WORK/build/letter.fodt"
lo docx "$WORK/build" "$WORK/build/letter.fodt"
mv "$WORK/build/letter.docx" "$DOC/letter.docx"
lo odt "$DOC" "$SRC/note.fodt"
lo rtf "$DOC" "$SRC/note.fodt"
cp "$SRC/long-lines.txt" "$DOC/long-lines.txt"

step "Ghostscript drawings (vector-drawing, grey-form, paper sizes)"
# vector-drawing.pdf keeps Helvetica unembedded on purpose: renderers meet such PDFs too.
gs_pdf 595 842 "$DOC/vector-drawing.pdf" "$SRC/vector-drawing.ps" keep-base14
gs_pdf 595 842 "$DOC/grey-form.pdf" "$SRC/grey-form.ps"
gs_pdf 612 792 "$DOC/letter.pdf" "$SRC/paper-frame.ps" -sSIZENAME=Letter
gs_pdf 595 842 "$DOC/a4.pdf" "$SRC/paper-frame.ps" -sSIZENAME=A4
gs_pdf 612 1008 "$DOC/legal.pdf" "$SRC/paper-frame.ps" -sSIZENAME=Legal

step "scanned pages (LibreOffice -> pdftoppm 200 dpi grey -> ImageMagick -> JPEG in PDF, G4 TIFF)"
lo pdf "$WORK/measure" "$SRC/scan-memo.fodt"
pdftoppm -r 200 -gray "$WORK/measure/scan-memo.pdf" "$WORK/build/scan"
skew=(0.7 -0.5)
for i in 1 2; do
  # Darken the white to ~92 % and lift the black to ~6 %, soften, add sensor noise, then skew the
  # sheet (the corners show the scanner's grey lid) and keep the original 1700x2200 frame.
  "$IM" "$WORK/build/scan-$i.pgm" -seed $((40 + i)) +level 6%,93% -blur 0x0.7 \
    -attenuate 0.3 +noise Gaussian -background 'gray(92%)' -rotate "${skew[$((i - 1))]}" \
    -gravity center -extent 1700x2200 -colorspace Gray -strip -quality 60 \
    -units PixelsPerInch -density 200 "$WORK/build/scan-$i.jpg"
  "$IM" "$WORK/build/scan-$i.jpg" -threshold 55% "$WORK/build/scan-$i-bw.png"
done
# viewjpeg.ps fits each JPEG to the fixed Letter page; pdfwrite passes the DCT data through.
viewjpeg=$(ls /usr/share/ghostscript/*/lib/viewjpeg.ps | head -n 1)
gs -q -dSAFER --permit-file-read="$WORK/build/" -dBATCH -dNOPAUSE -sDEVICE=pdfwrite -dOmitID -dOmitXMP \
  -dDEVICEWIDTHPOINTS=612 -dDEVICEHEIGHTPOINTS=792 -dFIXEDMEDIA -o "$DOC/scanned-page.pdf" "$viewjpeg" \
  -c "($WORK/build/scan-1.jpg) viewJPEG showpage ($WORK/build/scan-2.jpg) viewJPEG showpage"
"$IM" "$WORK/build/scan-1-bw.png" "$WORK/build/scan-2-bw.png" -strip -type bilevel -compress Group4 \
  -units PixelsPerInch -density 200 "$DOC/scanned-page.tiff"

step "photo.jpg and photo.png (ImageMagick)"
# A small landscape: sky gradient, a soft sun, three hills, plasma texture, two trees and a house.
"$IM" -seed 1234 \
  -size 1600x1200 gradient:'#3d6fb0-#f4d29c' \
  \( -size 1600x1200 xc:none -fill '#fff4c0' -draw 'circle 1180,330 1180,420' -blur 0x18 \) -compose over -composite \
  \( -size 1600x1200 xc:none -fill '#5d7f3a' -draw 'ellipse 400,1250 900,520 180,360' \
     -fill '#47692c' -draw 'ellipse 1300,1300 900,560 180,360' \
     -fill '#32511f' -draw 'ellipse 800,1500 1200,560 180,360' \) -compose over -composite \
  \( -size 1600x1200 plasma:grey40-grey70 -colorspace gray -blur 0x2 \) -compose softlight -composite \
  \( -size 1600x1200 xc:none -fill '#6b4a2b' -draw 'rectangle 300,640 318,860' -fill '#2f5a24' -draw 'circle 309,610 309,520' \
     -fill '#6b4a2b' -draw 'rectangle 1390,700 1404,880' -fill '#2a4f20' -draw 'circle 1397,670 1397,600' \
     -fill '#e9e2d0' -draw 'polygon 820,900 980,900 980,1010 820,1010' -fill '#9c3b2a' -draw 'polygon 800,905 900,830 1000,905' \
     -fill '#3b2b20' -draw 'rectangle 880,950 915,1010' \) -compose over -composite \
  -blur 0x1.2 -depth 8 "$WORK/build/scene.miff"
"$IM" "$WORK/build/scene.miff" -seed 99 -attenuate 0.15 +noise Gaussian -strip \
  -sampling-factor 2x2 -quality 85 "$DOC/photo.jpg"
# 800x600 with an alpha mask: a soft transparent border and a 50 % transparent rectangle.
"$IM" "$WORK/build/scene.miff" -resize 800x600 \
  \( -size 800x600 xc:black -fill white -draw 'roundrectangle 30,30 769,569 60,60' -blur 0x12 \
     -fill 'gray(50%)' -draw 'rectangle 560,420 760,560' \) \
  -alpha off -compose copyopacity -composite -strip -depth 8 \
  -define png:exclude-chunks=date,time -define png:compression-level=9 "$DOC/photo.png"

step "hostile files"
: >"$HOS/empty.pdf"
python3 "$SRC/hostile.py" truncate "$DOC/fifty-pages.pdf" "$HOS/truncated.pdf"
# --static-id and --static-aes-iv only make the output repeatable; the encryption is real AES-256.
qpdf --static-id --static-aes-iv --encrypt USERPW OWNERPW 256 -- "$DOC/text-letter.pdf" "$HOS/encrypted.pdf"
python3 "$SRC/hostile.py" png "$HOS/huge-dimensions.png"
gs_pdf 612 792 "$HOS/thousand-pages.pdf" "$SRC/thousand-pages.ps"
python3 "$SRC/hostile.py" docx "$HOS/hangs-libreoffice.docx" 100000
python3 "$SRC/hostile.py" random "$HOS/not-a-document.bin"
python3 "$SRC/hostile.py" zip "$HOS/renamed.pdf"

step "measuring pages of the office files (LibreOffice -> PDF) and writing the manifests"
lo pdf "$WORK/measure" "$DOC/long-lines.txt" "$DOC/letter.docx" "$DOC/table.xlsx"
mkdir -p "$WORK/measure/odt" "$WORK/measure/rtf"
lo pdf "$WORK/measure/odt" "$DOC/note.odt"
lo pdf "$WORK/measure/rtf" "$DOC/note.rtf"
mv "$WORK/measure/odt/note.pdf" "$WORK/measure/note-odt.pdf"
mv "$WORK/measure/rtf/note.pdf" "$WORK/measure/note-rtf.pdf"
python3 "$SRC/manifest.py" test/fixtures "$WORK/measure"

step "done"
du -b "$DOC"/* "$HOS"/* | awk '{ printf "%10d  %s\n", $1, $2; total += $1 } END { printf "%10d  total\n", total }'

if ((check_hang)); then
  # `timeout -k 10`: on SIGTERM, LibreOffice's launcher (oosplash) can stay blocked after its
  # soffice.bin child died, so a plain `timeout 120` may wait for ever; SIGKILL follows 10 s later.
  step "checking that LibreOffice does not convert hangs-libreoffice.docx within 120 s"
  mkdir -p "$WORK/hang"
  start=$(date +%s)
  rc=0
  timeout -k 10 120 soffice -env:UserInstallation="file://$WORK/hang-profile" --headless --convert-to pdf \
    --outdir "$WORK/hang" "$HOS/hangs-libreoffice.docx" >/dev/null 2>&1 &
  pid=$!
  peak=0
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(ps -o rss= -C soffice.bin 2>/dev/null | sort -n | tail -n 1 || true)
    ((${rss:-0} > peak)) && peak=${rss:-0}
    sleep 2
  done
  wait "$pid" || rc=$?
  elapsed=$(($(date +%s) - start))
  case $rc in
    124) echo "ok: soffice was still converting after ${elapsed} s; timeout's SIGTERM ended it (peak soffice.bin RSS $((peak / 1024)) MiB)" ;;
    137) echo "ok: soffice was still converting at 120 s; SIGTERM did not end it, SIGKILL did after ${elapsed} s (peak soffice.bin RSS $((peak / 1024)) MiB)" ;;
    *)
      echo "FAIL: soffice finished with exit code $rc after ${elapsed} s; make the table longer" >&2
      exit 1
      ;;
  esac
fi
