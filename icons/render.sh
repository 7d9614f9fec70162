#!/bin/sh
# Regenerate every raster icon in this directory from the hand-written SVGs.
#   icon.svg        master mark, used for 48 px and up
#   icon-small.svg  simplified mark for 24 and 32 px
#   icon-16.svg     pixel-hinted mark for 16 px
#   tray.svg, tray-alert.svg  system-tray icons
# Needs (Debian): librsvg2-bin (rsvg-convert), imagemagick (convert), python3.
# Usage: sh icons/render.sh        (from any directory)
set -eu

dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

for tool in rsvg-convert convert python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "render.sh: missing $tool" >&2; exit 1; }
done

# render SVG SIZE OUT -- SVG rasterised to a SIZExSIZE 8-bit RGBA PNG (colour type 6), no timestamps.
render() {
  rsvg-convert -w "$2" -h "$2" "$dir/$1" -o "$tmp/raw.png"
  convert "$tmp/raw.png" -strip -define png:exclude-chunks=date,time PNG32:"$3"
}

# pick_svg SIZE -- which SVG is drawn for a given pixel size
pick_svg() {
  if [ "$1" -le 16 ]; then echo icon-16.svg
  elif [ "$1" -le 32 ]; then echo icon-small.svg
  else echo icon.svg
  fi
}

# Sizes used by the .ico / .icns containers.
for s in 16 24 32 48 64 128 256 512 1024; do
  render "$(pick_svg "$s")" "$s" "$tmp/$s.png"
done

# Tauri bundle icons.
cp "$tmp/32.png"  "$dir/32x32.png"
cp "$tmp/64.png"  "$dir/64x64.png"
cp "$tmp/128.png" "$dir/128x128.png"
cp "$tmp/256.png" "$dir/128x128@2x.png"
cp "$tmp/512.png" "$dir/icon.png"

# Windows Store logos.
for s in 30 44 71 89 107 142 150 284 310; do
  render "$(pick_svg "$s")" "$s" "$dir/Square${s}x${s}Logo.png"
done
render icon.svg 50 "$dir/StoreLogo.png"

# Tray icons (32x32).
render tray.svg 32 "$dir/tray.png"
render tray-alert.svg 32 "$dir/tray-alert.png"

# Windows .ico: 16, 24, 32, 48, 64 (32-bit BMP entries) and 256 (PNG entry).
convert "$tmp/16.png" "$tmp/24.png" "$tmp/32.png" "$tmp/48.png" "$tmp/64.png" "$tmp/256.png" \
  "$dir/icon.ico"

# macOS .icns: 'icns' header followed by typed chunks, each holding a PNG.
python3 - "$tmp" "$dir/icon.icns" <<'PY'
import struct, sys
src, out = sys.argv[1], sys.argv[2]
chunks = [  # (OSType, pixel size)
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64),
    (b"ic07", 128), (b"ic08", 256), (b"ic09", 512), (b"ic10", 1024),
    (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512),
]
body = b""
for kind, size in chunks:
    with open(f"{src}/{size}.png", "rb") as f:
        data = f.read()
    body += kind + struct.pack(">I", 8 + len(data)) + data
with open(out, "wb") as f:
    f.write(b"icns" + struct.pack(">I", 8 + len(body)) + body)
PY

echo "render.sh: icons written to $dir"
