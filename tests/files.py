"""The files tests send as evidence, defined once: a real PNG, a real PDF, and a page that is neither.

The application checks evidence by its content, so these are genuine files (a decodable image, a
PDF a reader opens), not bytes that merely start with the right signature.
"""

from __future__ import annotations

import struct
import zlib


def png_bytes(red: int = 255, green: int = 0, blue: int = 0) -> bytes:
    """A real 1x1 PNG of one colour; two colours give two different files."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8 bits, truecolour
    pixels = zlib.compress(bytes([0, red, green, blue]))  # one scanline: no filter, one pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def pdf_bytes() -> bytes:
    """A real one-catalog PDF with an empty page tree, and nothing active in it."""
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def html_bytes() -> bytes:
    """A web page with a script: never evidence, whatever name it is sent under."""
    return b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
