"""Draw the app's icons (the installed app's and the browser tab's) as PNGs at 192 and 512 px.

The same drawing as assetmap/static/icons/icon.svg: three strengths, a skill, a group and a
space in their kind colours, joined on the brand green, inside the middle 80% so a platform that
crops icons to a circle (a "maskable" icon) keeps all of it. Run it with Pillow installed:
``python scripts/make-icons.py``; the PNGs are committed, so the app never needs Pillow.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent.parent / "assetmap" / "static" / "icons"
BRAND, WHITE = "#1d3d2f", "#ffffff"
# Centres on a 512-unit square, in the kind colours of assetmap.css: skill, group, space.
DOTS = (((256, 164), "#6a3d9a"), ((172, 324), "#1b7a3e"), ((340, 324), "#a34800"))
SUPERSAMPLE = 4


def draw(size: int) -> Image.Image:
    """Return the icon at ``size`` px, drawn large and scaled down for smooth edges."""
    big = size * SUPERSAMPLE
    unit = big / 512
    image = Image.new("RGB", (big, big), BRAND)
    pen = ImageDraw.Draw(image)
    points = [(x * unit, y * unit) for (x, y), _ in DOTS]
    for start, end in ((0, 1), (0, 2), (1, 2)):
        pen.line([points[start], points[end]], fill=WHITE, width=round(14 * unit))
    r, ring = 52 * unit, round(12 * unit)
    for (x, y), colour in zip(points, (colour for _, colour in DOTS), strict=True):
        pen.ellipse((x - r, y - r, x + r, y + r), fill=colour, outline=WHITE, width=ring)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    for size in (192, 512):
        draw(size).save(ICONS / f"icon-{size}.png", optimize=True)


if __name__ == "__main__":
    main()
