"""`python -m pipeline FILE… [-o OUT.jsonl]`: find the plans in files and write the §5 export."""
import argparse
import json
import sys

from pipeline import process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="+")
    parser.add_argument("-o", "--output", help="JSON Lines file (default: standard output)")
    args = parser.parse_args()
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    for path in args.files:
        for record in process(path).to_records():
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
