"""Plotline's Python binding in use: validates the JSONL file given (its name as given) against
the built-in catalog, or the catalog directory given second, and prints the report; with
`--broken DIR`, shows that a catalog that does not compile raises ValueError naming the file.

usage: python binding.py STREAM [CATALOG] | python binding.py --broken DIR
"""
import sys

import plotline

if sys.argv[1] == "--broken":
    try:
        plotline.validate("", catalog=sys.argv[2])
    except ValueError as error:
        print("ValueError:", error)
    sys.exit(0)

with open(sys.argv[1], encoding="utf-8") as stream:
    text = stream.read()
catalog = sys.argv[2] if len(sys.argv) > 2 else None
sys.stdout.write(plotline.validate(text, catalog=catalog, name=sys.argv[1]))
