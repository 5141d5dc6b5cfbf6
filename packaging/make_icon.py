#!/usr/bin/env python3
"""Draw the station's application icon and write it under ``resources/icons/``.

    .venv/bin/python packaging/make_icon.py

Writes ``station.png`` (256 px, the Linux launcher and the window icon) and ``station.ico``
(16-256 px, PNG-compressed entries, the Windows exe and installer). The outputs are committed;
rerun this only to change the design. Needs only Qt, drawn offscreen.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)

NAVY = QColor("#123a63")
TEAL = QColor("#1c7c8c")
WHITE = QColor("#ffffff")
GREEN = QColor("#2fbf71")


def draw(size: int) -> QImage:
    """The icon at ``size`` px: a face in a camera viewfinder with a check mark (drawn at 256)."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 256.0, size / 256.0)

    # Rounded tile, a slight vertical gradient drawn as two halves for a crisp small size.
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(NAVY)
    painter.drawRoundedRect(QRectF(8, 8, 240, 240), 44, 44)
    painter.setBrush(TEAL)
    painter.setOpacity(0.35)
    painter.drawRoundedRect(QRectF(8, 128, 240, 120), 44, 44)
    painter.setOpacity(1.0)

    # Viewfinder corners.
    pen = QPen(WHITE, 14, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    inset, arm = 44.0, 40.0
    far = 256.0 - inset
    for (x, y), (dx, dy) in (
        ((inset, inset), (1, 1)),
        ((far, inset), (-1, 1)),
        ((inset, far), (1, -1)),
        ((far, far), (-1, -1)),
    ):
        corner = QPainterPath(QPointF(x, y + dy * arm))
        corner.lineTo(x, y)
        corner.lineTo(x + dx * arm, y)
        painter.drawPath(corner)

    # Head and shoulders.
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(WHITE)
    painter.drawEllipse(QRectF(98, 70, 60, 72))
    shoulders = QPainterPath(QPointF(72, 196))
    shoulders.cubicTo(76, 160, 100, 150, 128, 150)
    shoulders.cubicTo(156, 150, 180, 160, 184, 196)
    shoulders.closeSubpath()
    painter.drawPath(shoulders)

    # Check mark badge.
    painter.setBrush(GREEN)
    painter.setPen(QPen(NAVY, 8))
    painter.drawEllipse(QRectF(160, 150, 68, 68))
    painter.setPen(QPen(WHITE, 11, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
    check = QPainterPath(QPointF(178, 185))
    check.lineTo(191, 198)
    check.lineTo(211, 172)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(check)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("Qt could not encode a PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(images: dict[int, bytes]) -> bytes:
    """A Windows .ico whose entries are PNGs (supported since Windows Vista)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    directory = b""
    payload = b""
    offset = 6 + 16 * len(images)
    for size, png in sorted(images.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in the ICO directory
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(payload))
        payload += png
    return header + directory + payload


def main() -> int:
    QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    pngs = {size: png_bytes(draw(size)) for size in ICO_SIZES}
    (OUT / "station.png").write_bytes(pngs[256])
    (OUT / "station.ico").write_bytes(ico_bytes(pngs))
    for name in ("station.png", "station.ico"):
        print(f"wrote {OUT / name} ({(OUT / name).stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
