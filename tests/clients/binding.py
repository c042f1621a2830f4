"""Plotline's Python binding in use. With a STREAM: its report (the file read by Plotline, or
with --text read here and handed over as text, named as given) against the built-in catalog or
the CATALOG directory; with --broken DIR: that a catalog which does not compile raises
ValueError naming the file; with --lifecycles: the built-in catalog's lifecycle names.

usage: python binding.py [--text] STREAM [CATALOG] | --broken DIR | --lifecycles
"""
import sys

import plotline

args = sys.argv[1:]
if args[0] == "--broken":
    try:
        plotline.Catalog.from_dir(args[1])
    except ValueError as error:
        print("ValueError:", error)
    sys.exit(0)
if args[0] == "--lifecycles":
    print(" ".join(plotline.Catalog.builtin().lifecycles()))
    sys.exit(0)
as_text = args[0] == "--text"
if as_text:
    args = args[1:]
catalog = plotline.Catalog.from_dir(args[1]) if len(args) > 1 else plotline.Catalog.builtin()
if as_text:
    with open(args[0], encoding="utf-8") as stream:
        sys.stdout.write(catalog.validate(stream.read(), name=args[0]))
else:
    sys.stdout.write(catalog.validate_file(args[0]))
