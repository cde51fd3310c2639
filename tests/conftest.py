"""Lets test modules import tests/helpers.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# The report tests' fixture notebooks (one fails on purpose) are inputs, not notebooks to validate.
collect_ignore_glob = ["fixtures/*"]
