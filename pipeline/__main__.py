"""`python -m pipeline FILE… [-o OUT.jsonl]`: find the plans in files and write the §5 export."""
import argparse
import json
import sys

from pipeline import process
from schemas.document import ExtractionError


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="+")
    parser.add_argument("-o", "--output", help="JSON Lines file (default: standard output)")
    args = parser.parse_args()
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    failed = 0
    for path in args.files:
        try:
            records = process(path).to_records()
        except ExtractionError as exc:       # report the file and go on with the others
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
            continue
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
