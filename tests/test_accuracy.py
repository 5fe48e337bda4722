"""Accuracy regression: the scorer (tests/score.py, a copy of the project's scorer) on the
five sample plans in each form, against the hand-checked gold files in tests/gold/.
Floors sit just under the figures reached; a drop below one fails."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import process

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
FLOORS = {"task_f1": 0.98, "lead_f1": 0.98, "support_f1": 0.98, "deadline_acc": 0.98, "meta_acc": 0.95}
OCR_FLOORS = {"task_f1": 0.95, "lead_f1": 0.95, "support_f1": 0.95, "deadline_acc": 0.95, "meta_acc": 0.9}


def score(files: list[Path], tmp_path: Path, *extra: str) -> dict:
    export = tmp_path / "export.jsonl"
    with export.open("w", encoding="utf-8") as out:
        for path in files:
            for record in process(path).to_records():
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    result = subprocess.run([sys.executable, str(ROOT / "tests" / "score.py"), str(export),
                             str(ROOT / "tests" / "gold"), "--json", *extra],
                            capture_output=True, text=True, check=True)
    print(result.stdout)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("form", ["txt", "docx", "pdf"])
def test_sample_plans(form, tmp_path):
    files = sorted((RAW / form).iterdir())
    assert len(files) == 5
    figures = score(files, tmp_path)
    assert figures["tasks_pred"] >= 0.95 * figures["tasks_gold"]
    for name, floor in FLOORS.items():
        assert figures[name] >= floor, f"{form}: {name} {figures[name]:.3f} < {floor}"


@pytest.mark.slow
def test_scanned_plan_with_ocr(tmp_path):
    figures = score(sorted((RAW / "scanned").iterdir()), tmp_path, "--doc", "003")
    for name, floor in OCR_FLOORS.items():
        assert figures[name] >= floor, f"scanned: {name} {figures[name]:.3f} < {floor}"
