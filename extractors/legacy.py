"""Legacy .doc/.odt: converted to DOCX by LibreOffice (headless) when it is installed, then
read by the DOCX extractor."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from extractors import sha256_of
from extractors.docx import read_docx
from schemas.document import Document, ExtractionError

TIMEOUT = 180   # seconds; a first LibreOffice start on a cold machine is slow


def read_legacy(path: str | Path) -> Document:
    path = Path(path)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ExtractionError(path, f"{path.suffix} files are converted with LibreOffice, which is not installed: "
                                    "install it (apt-get install libreoffice-writer) or save the file as .docx")
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
               "--convert-to", "docx", "--outdir", tmp, str(path.resolve())]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise ExtractionError(path, f"LibreOffice did not convert the file within {TIMEOUT} s") from None
        converted = Path(tmp) / f"{path.stem}.docx"
        if not converted.is_file():
            detail = (run.stderr or run.stdout).strip().splitlines()
            raise ExtractionError(path, "LibreOffice could not convert the file"
                                        + (f" ({detail[-1]})" if detail else ""))
        doc = read_docx(converted)
    doc.path, doc.sha256, doc.format = str(path), sha256_of(path), path.suffix.lower().lstrip(".")
    doc.extractor = "libreoffice+python-docx"
    return doc
