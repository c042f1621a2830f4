"""Checks exported schemas with python-jsonschema (Draft 2020-12) and judges a corpus of records.

    python judge.py SCHEMA_DIR [CORPUS]

Every `*.schema.json` in SCHEMA_DIR must pass `Draft202012Validator.check_schema`. CORPUS holds
one `{"schema": FILE, "record": {...}}` per line; for each, one line is printed: 1 when the
record is valid against FILE, 0 when not.
"""

import json
import sys
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError


def main() -> int:
    directory = Path(sys.argv[1])
    validators = {}
    for path in sorted(directory.glob("*.schema.json")):
        schema = json.loads(path.read_text())
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as error:
            print(f"{path.name}: not a valid 2020-12 schema: {error.message}", file=sys.stderr)
            return 1
        # A declared `format` is a check in Plotline, so here too.
        validators[path.name] = Draft202012Validator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
    print(f"python-jsonschema: {len(validators)} schemas checked", file=sys.stderr)
    if len(sys.argv) > 2:
        out = []
        with open(sys.argv[2]) as corpus:
            for line in corpus:
                if not line.strip():
                    continue
                entry = json.loads(line)
                out.append("1" if validators[entry["schema"]].is_valid(entry["record"]) else "0")
        sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
