"""Decode a small 8-bit PNG (what Chromium's screenshots are) into rows of pixels.

Enough to tell a rendered chart from a blank one without Pillow: zlib, the five row
filters, RGB or RGBA. Meant for clips of a few hundred thousand pixels.
"""

from __future__ import annotations

import struct
import zlib


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows): each row the raw RGB(A) bytes of one line."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or interlace or color not in (2, 6):
                raise ValueError("only 8-bit, non-interlaced RGB/RGBA PNGs are supported")
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    prior = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = prior[x]
            corner = prior[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + pred) & 0xFF
        rows.append(bytes(line))
        prior = line
    return width, height, rows


def colours(data: bytes) -> dict[tuple[int, ...], int]:
    """How many pixels of each colour the PNG has."""
    width, _, rows = decode_png(data)
    channels = len(rows[0]) // width if rows else 3
    counts: dict[tuple[int, ...], int] = {}
    for row in rows:
        for x in range(0, len(row), channels):
            pixel = tuple(row[x:x + 3])
            counts[pixel] = counts.get(pixel, 0) + 1
    return counts
