"""Small PDFs written by hand for the extractor tests: text at given places and sizes, ruled
lines, raw operators, page rotation, and (RC4, revision 2) password encryption. ASCII text only, in the
standard Courier fonts: every character is 0.6 × size wide, so layouts are exact."""
from __future__ import annotations

import hashlib

PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def text(x: float, top: float, s: str, size: float = 12, bold: bool = False) -> tuple:
    """A run of text whose box starts at (x, top), in top-left page coordinates."""
    return ("text", x, top, s, size, bold)


def paragraph(x_first: float, x_rest: float, top: float, words: str, chars: int = 60,
              size: float = 12, pitch: float = 16, bold: bool = False) -> tuple[list[tuple], float]:
    """A paragraph wrapped at `chars` characters per line (less the first-line indent):
    its text items and the top of the line below it."""
    import textwrap

    indent = round((x_first - x_rest) / (0.6 * size))
    lines = textwrap.wrap(words, chars, initial_indent=" " * indent)
    items = []
    for i, line in enumerate(lines):
        items.append(text(x_rest if i else x_first, top, line.strip(), size, bold))
        top += pitch
    return items, top


def raw(operators: str) -> tuple:
    """Content-stream operators as written (PDF coordinates: origin at the bottom left)."""
    return ("raw", operators)


def rule(x0: float, top0: float, x1: float, top1: float) -> tuple:
    return ("line", x0, top0, x1, top1)


def grid(xs: list[float], ys: list[float], skip: set = frozenset()) -> list[tuple]:
    """Ruled table lines: vertical lines at xs, horizontal at ys; `skip` holds
    ("v", col_boundary_index, row_index) or ("h", row_boundary_index, col_index) segments left out
    (to merge cells)."""
    out = []
    for i, x in enumerate(xs):
        for r in range(len(ys) - 1):
            if ("v", i, r) not in skip:
                out.append(rule(x, ys[r], x, ys[r + 1]))
    for j, y in enumerate(ys):
        for c in range(len(xs) - 1):
            if ("h", j, c) not in skip:
                out.append(rule(xs[c], y, xs[c + 1], y))
    return out


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _content(items, height: float, rotated: bool) -> bytes:
    """Page content; on a rotated page (/Rotate 90, portrait media box shown landscape) text is
    drawn turned so that it reads upright once displayed."""
    ops = []
    for item in items:
        if item[0] == "text":
            _, x, top, s, size, bold = item
            s = s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            font = "F2" if bold else "F1"
            base = top + 0.8 * size
            at = f"0 1 -1 0 {base:.2f} {x} Tm" if rotated else f"{x} {height - base:.2f} Td"
            ops.append(f"BT /{font} {size} Tf {at} ({s}) Tj ET")
        elif item[0] == "raw":
            ops.append(item[1])
        else:
            _, x0, t0, x1, t1 = item
            if rotated:
                ops.append(f"0.5 w {t0} {x0} m {t1} {x1} l S")
            else:
                ops.append(f"0.5 w {x0} {height - t0} m {x1} {height - t1} l S")
    return "\n".join(ops).encode("latin-1")


def pdf_bytes(pages: list[dict], password: str | None = None) -> bytes:
    """pages: dicts with `items` (text()/rule()/raw() tuples) and optional width, height (as
    displayed) and rotate (0 or 90)."""
    objects: list[bytes] = []
    kids = []
    for n, page in enumerate(pages):
        w, h = page.get("width", 595), page.get("height", 842)
        rotated = page.get("rotate", 0) == 90
        box = f"0 0 {h} {w}" if rotated else f"0 0 {w} {h}"
        page_obj, content_obj = 5 + 2 * n, 6 + 2 * n
        kids.append(f"{page_obj} 0 R")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [{box}] /Rotate {90 if rotated else 0} "
                       f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {content_obj} 0 R >>".encode())
        objects.append(_content(page["items"], h, rotated))
    head = [b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>".encode(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier-Bold /Encoding /WinAnsiEncoding >>"]
    objects = head + objects
    file_id = hashlib.md5(b"extractor tests").digest()
    key = encrypt = None
    if password is not None:
        p = -4
        user = (password.encode() + PAD)[:32]
        owner_key = hashlib.md5(user).digest()[:5]
        o = _rc4(owner_key, user)
        key = hashlib.md5(user + o + p.to_bytes(4, "little", signed=True) + file_id).digest()[:5]
        u = _rc4(key, PAD)
        encrypt = f"<< /Filter /Standard /V 1 /R 2 /O <{o.hex()}> /U <{u.hex()}> /P {p} >>".encode()
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, body in enumerate(objects, 1):
        offsets.append(len(out))
        is_stream = num > 4 and num % 2 == 0
        if is_stream:
            if key is not None:
                obj_key = hashlib.md5(key + num.to_bytes(3, "little") + b"\0\0").digest()[:10]
                body = _rc4(obj_key, body)
            out += f"{num} 0 obj\n<< /Length {len(body)} >>\nstream\n".encode() + body + b"\nendstream\nendobj\n"
        else:
            out += f"{num} 0 obj\n".encode() + body + b"\nendobj\n"
    if encrypt is not None:
        offsets.append(len(out))
        out += f"{len(objects) + 1} 0 obj\n".encode() + encrypt + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{off:010d} 00000 n \n" for off in offsets).encode()
    trailer = f"<< /Size {len(offsets) + 1} /Root 1 0 R /ID [<{file_id.hex()}> <{file_id.hex()}>]"
    if encrypt is not None:
        trailer += f" /Encrypt {len(objects) + 1} 0 R"
    out += f"trailer\n{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
