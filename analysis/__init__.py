"""Overdose claims vs. data: the shared library the notebooks import.

The pipeline, one module per step:
fetch (socrata) -> raw (manifest) -> clean (cdc, ledgers) -> compare (compare, reconcile)
-> build (processed files) -> chart (charts) -> report (report).
"""

__version__ = "0.1.0"
