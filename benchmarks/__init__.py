"""The benchmarks: they time the pipeline in ``analysis/`` and are not part of it.

``python -m benchmarks`` (or ``make bench``) runs them; :mod:`benchmarks.bench` measures,
:mod:`benchmarks.synthetic` writes the SYNTHETIC all-jurisdiction file the loader is timed on.
``benchmarks/README.md`` says how each figure is measured; ``benchmarks/results.json`` is the latest run.
"""
