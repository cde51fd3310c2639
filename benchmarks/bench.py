"""The benchmark: ``python -m benchmarks [--repeats N] [--skip-tests]`` or ``make bench`` (issue 6).

This machine is shared and noisy, so nothing here is a pass/fail timing test. Each figure is
measured several times in one run and the median kept; the load figure is a *ratio* of two
medians measured interleaved in the same run, which noise largely cancels out of.

Figures (flat keys of ``benchmarks/results.json``, with targets from the issue):

1. ``load_ratio``: the project's load + clean + validate (:func:`analysis.cdc.read_cdc_csv`) over a
   bare ``pandas.read_csv`` of the same file, both from disk. The file is SYNTHETIC
   (:mod:`benchmarks.synthetic`): CDC's export schema at the size of CDC's all-jurisdiction release,
   written to a temporary folder, for timing only. The two run interleaved, at least 15 rounds; the
   figure is the median of the per-round ratios. Target <= 1.5.
2. ``build_seconds``: ``python -m analysis build`` from raw to processed, wall time (no target).
3. ``report_seconds``: ``python -m analysis report`` (execute every notebook, write the HTML), wall
   time, split into kernel start and notebook work per notebook (from ``reports/timings.json``).
   Targets: whole report <= 30 s, each notebook's work (execute + export) <= 2 s.
4. ``refresh_unchanged_requests`` / ``refresh_unchanged_bytes``: a refresh when CDC has not changed,
   against the local fake Socrata server of ``tests/fake_socrata.py``. Target: one metadata request,
   no row data (bytes = the metadata document alone).
5. ``peak_memory_mb``: peak memory of build and of report, each process tree summed (the report's
   kernels included), sampled from ``/proc``. Target <= 500 MB.
6. ``tests_seconds``: the whole test suite with nbval, wall time, once. Target <= 120 s.

Build and report run as subprocesses on a temporary copy of the project (``data/raw``,
``notebooks``), so the benchmark never touches the real ``data/processed`` or ``reports``.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis import atomic
from analysis.paths import ROOT_ENV, Paths

RESULTS_FILE = "results.json"


def results_dir(paths: Paths) -> Path:
    """Where ``results.json`` goes: ``benchmarks/`` of the project benchmarked."""
    return paths.root / "benchmarks"


#: The checkout holding this package (where tests/ lives), whatever root is benchmarked.
CHECKOUT = Path(__file__).resolve().parent.parent

#: The test command timed for ``tests_seconds`` (the one ``make test`` runs, quiet).
# fmt: off
TEST_COMMAND = (
    "-m", "pytest", "tests", "notebooks",
    "--nbval", "--nbval-current-env", "--nbval-sanitize-with", "notebooks/nbval_sanitize.cfg",
    "-p", "no:cacheprovider", "-q",
)
# fmt: on

#: The load comparison is cheap (well under a second a round): it gets at least this many rounds.
LOAD_MIN_ROUNDS = 15

#: Seconds between two memory samples of a running process tree.
SAMPLE_INTERVAL = 0.05


# ------------------------------------------------------------------------------------------
# Targets
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A figure's target: ``value <op> limit``; ``op`` is ``"<="`` or ``"=="``."""

    op: str
    limit: float
    unit: str = ""

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        if self.op == "<=":
            return value <= self.limit
        if self.op == "==":
            return value == self.limit
        raise ValueError(f"unknown target operator {self.op!r}")

    def text(self) -> str:
        limit = f"{self.limit:g}"
        return f"{self.op} {limit}{(' ' + self.unit) if self.unit else ''}"


#: Targets from issue 6. A figure without an entry here is reported without a target.
TARGETS: dict[str, Target] = {
    "load_ratio": Target("<=", 1.5, "x"),
    "report_seconds": Target("<=", 30, "s"),
    "report_notebook_work_seconds_max": Target("<=", 2, "s"),
    "refresh_unchanged_requests": Target("==", 1),
    "refresh_unchanged_row_requests": Target("==", 0),
    "refresh_unchanged_bytes_beyond_metadata": Target("==", 0, "B"),
    "peak_memory_mb": Target("<=", 500, "MB"),
    "tests_seconds": Target("<=", 120, "s"),
}

#: Rows of the printed table: key, label, unit of the value.
TABLE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("load_ratio", "1. load+clean+validate / bare read_csv (synthetic file)", "x"),
    ("load_project_seconds", "   project load, median", "s"),
    ("load_bare_seconds", "   bare pandas.read_csv, median", "s"),
    ("build_seconds", "2. build, raw -> processed, median", "s"),
    ("report_seconds", "3. report, all notebooks + HTML, median", "s"),
    ("report_kernel_start_seconds_max", "   slowest kernel start", "s"),
    ("report_notebook_work_seconds_max", "   most work in one notebook", "s"),
    ("refresh_unchanged_requests", "4. refresh when CDC unchanged: requests", ""),
    ("refresh_unchanged_row_requests", "   of which for rows or counts", ""),
    ("refresh_unchanged_bytes", "   bytes received", "B"),
    ("refresh_unchanged_bytes_beyond_metadata", "   bytes beyond the metadata document", "B"),
    ("peak_memory_mb", "5. peak memory, build or report (process tree)", "MB"),
    ("build_peak_memory_mb", "   build", "MB"),
    ("report_peak_memory_mb", "   report (kernels included)", "MB"),
    ("tests_seconds", "6. full test suite incl. nbval", "s"),
)


def evaluate(figures: dict[str, Any], targets: dict[str, Target] = TARGETS) -> dict[str, bool | None]:
    """``{key: met}`` for every target; ``None`` where the figure was not measured."""
    return {key: target.met(figures.get(key)) for key, target in sorted(targets.items())}


def _value_text(value: Any, unit: str) -> str:
    if value is None:
        return "not measured"
    if isinstance(value, float):
        text = f"{value:.2f}"
    else:
        text = f"{value:,}" if isinstance(value, int) else str(value)
    return f"{text} {unit}".rstrip()


def format_table(figures: dict[str, Any], targets: dict[str, Target] = TARGETS) -> str:
    """The printed table: figure, value, target, met?"""
    met = evaluate(figures, targets)
    lines = [("figure", "value", "target", "met?")]
    for key, label, unit in TABLE_ROWS:
        target = targets.get(key)
        flag = met.get(key)
        lines.append(
            (
                label,
                _value_text(figures.get(key), unit),
                target.text() if target else "-",
                "-" if target is None else ("n/a" if flag is None else ("yes" if flag else "NO")),
            )
        )
    widths = [max(len(row[i]) for row in lines) for i in range(4)]
    out = []
    for number, row in enumerate(lines):
        out.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if number == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(out)


def write_results(results: dict[str, Any], path: Path) -> Path:
    """Write ``results`` as JSON with sorted keys, two-space indent and a final newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(path, json.dumps(results, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return path


def median(values: Sequence[float]) -> float:
    return round(statistics.median(values), 3)


# ------------------------------------------------------------------------------------------
# 1. Load
# ------------------------------------------------------------------------------------------


def measure_load(paths: Paths, workdir: Path, repeats: int) -> dict[str, Any]:
    """Time ``cdc.read_cdc_csv`` against ``pandas.read_csv`` on the synthetic file, interleaved.

    One untimed warm-up of each, then ``max(repeats, LOAD_MIN_ROUNDS)`` rounds; the order within a
    round alternates so that neither reader always runs second (warm caches, CPU frequency).
    ``load_ratio`` is the median of the per-round ratios.
    """
    import pandas as pd

    from analysis import cdc

    from . import synthetic

    made = synthetic.write_synthetic_export(workdir / "synthetic", paths=paths)
    path = made.path

    def project() -> None:
        cdc.read_cdc_csv(path)

    def bare() -> None:
        pd.read_csv(path)

    def clock(function: Callable[[], None]) -> float:
        started = time.perf_counter()
        function()
        return time.perf_counter() - started

    project(), bare()
    times: dict[str, list[float]] = {"project": [], "bare": []}
    rounds = max(repeats, LOAD_MIN_ROUNDS)
    for round_number in range(rounds):
        order = (("project", project), ("bare", bare))
        for name, function in order if round_number % 2 == 0 else order[::-1]:
            times[name].append(clock(function))
    project_s, bare_s = statistics.median(times["project"]), statistics.median(times["bare"])
    # Each round's two readings are taken within a fraction of a second of each other, so the
    # median of the per-round ratios is less sensitive to the machine's load changing mid-run.
    ratios = [p / b for p, b in zip(times["project"], times["bare"], strict=True)]
    return {
        "load_ratio": round(statistics.median(ratios), 3),
        "load_ratio_of_medians": round(project_s / bare_s, 3),
        "load_rounds": rounds,
        "load_project_seconds": round(project_s, 3),
        "load_bare_seconds": round(bare_s, 3),
        "load_file": f"{synthetic.FILE_NAME} (SYNTHETIC, for timing only; never used for analysis)",
        "load_file_rows": made.rows,
        "load_file_jurisdictions": made.jurisdictions,
        "load_file_mb": round(made.size_bytes / 1e6, 1),
        "load_file_seed": made.seed,
    }


# ------------------------------------------------------------------------------------------
# Subprocesses with wall time and peak memory
# ------------------------------------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # Field 4 (ppid) follows the command name, which is in parentheses and may hold spaces.
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants now alive (Linux ``/proc``)."""
    children = _children_map()
    tree, stack = [], [pid]
    while stack:
        current = stack.pop()
        tree.append(current)
        stack.extend(children.get(current, []))
    return tree


def _memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in kB; PSS splits shared pages between the processes sharing them."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith(b"Rss:"):
                    rss = int(line.split()[1])
    except OSError:
        try:
            with open(f"/proc/{pid}/status", "rb") as handle:
                for line in handle:
                    if line.startswith(b"VmRSS:"):
                        rss = pss = int(line.split()[1])
        except OSError:
            pass
    return pss, rss


class TreeMemorySampler:
    """Samples the summed memory of a process tree in a background thread; keeps the peaks."""

    def __init__(self, pid: int, interval: float = SAMPLE_INTERVAL):
        self.pid, self.interval = pid, interval
        self.peak_pss_kb = self.peak_rss_kb = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        pss = rss = 0
        for pid in process_tree(self.pid):
            one_pss, one_rss = _memory_kb(pid)
            pss, rss = pss + one_pss, rss + one_rss
        self.peak_pss_kb = max(self.peak_pss_kb, pss)
        self.peak_rss_kb = max(self.peak_rss_kb, rss)
        self.samples += 1

    def __enter__(self) -> TreeMemorySampler:
        if Path("/proc").is_dir():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


@dataclass
class RunResult:
    """One measured subprocess."""

    command: list[str]
    returncode: int
    seconds: float
    peak_tree_pss_mb: float
    peak_tree_rss_mb: float
    output: str = ""

    def check(self, what: str) -> None:
        if self.returncode != 0:
            tail = "\n".join(self.output.splitlines()[-30:])
            raise RuntimeError(f"benchmark: {what} failed (exit {self.returncode}): {' '.join(self.command)}\n{tail}")


def run_measured(command: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> RunResult:
    """Run ``command``; its wall time and the peak summed memory of its process tree.

    Memory is sampled from ``/proc`` rather than taken from ``ru_maxrss``: ``ru_maxrss`` is the
    largest single process (it misses kernels running side by side) and, for a child forked from
    this process, starts from this process's own size before ``exec``.
    """
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        with TreeMemorySampler(process.pid) as sampler:
            process.wait()
        seconds = time.perf_counter() - started
        log.seek(0)
        output = log.read().decode("utf-8", errors="replace")
    return RunResult(
        command=command,
        returncode=process.returncode,
        seconds=seconds,
        peak_tree_pss_mb=sampler.peak_pss_kb / 1024,
        peak_tree_rss_mb=sampler.peak_rss_kb / 1024,
        output=output,
    )


def copy_for_benchmark(paths: Paths, target: Path) -> Paths:
    """A throwaway copy of what build and report read: ``data/raw`` and ``notebooks``."""
    from analysis.paths import project_paths

    shutil.copytree(paths.raw, target / "data" / "raw")
    if paths.notebooks.is_dir():
        shutil.copytree(
            paths.notebooks,
            target / "notebooks",
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
        )
    return project_paths(target)


def _cli(paths: Paths, *arguments: str) -> list[str]:
    return [sys.executable, "-m", "analysis", "--root", str(paths.root), *arguments]


def _env(paths: Paths) -> dict[str, str]:
    env = dict(os.environ)
    env[ROOT_ENV] = str(paths.root)
    return env


# ------------------------------------------------------------------------------------------
# 2. Build, 3. Report, 5. Memory
# ------------------------------------------------------------------------------------------


def measure_build(paths: Paths, repeats: int) -> dict[str, Any]:
    runs = []
    for _ in range(repeats):
        result = run_measured(_cli(paths, "build"), cwd=paths.root, env=_env(paths))
        result.check("build")
        runs.append(result)
    return {
        "build_seconds": median([r.seconds for r in runs]),
        "build_peak_memory_mb": round(max(r.peak_tree_pss_mb for r in runs), 1),
        "build_peak_memory_rss_mb": round(max(r.peak_tree_rss_mb for r in runs), 1),
    }


def _notebook_timings(paths: Paths) -> list[dict[str, Any]]:
    data = json.loads((paths.reports / "timings.json").read_text(encoding="utf-8"))
    return data["notebooks"]


def measure_report(paths: Paths, repeats: int, workers: int = 2) -> dict[str, Any]:
    """Run the report ``repeats`` times; medians of the wall time and of each notebook's parts."""
    runs, per_notebook = [], {}
    for _ in range(repeats):
        result = run_measured(_cli(paths, "report", "--workers", str(workers)), cwd=paths.root, env=_env(paths))
        result.check("report")
        runs.append(result)
        for item in _notebook_timings(paths):
            entry = per_notebook.setdefault(item["notebook"], {"kernel_start": [], "execute": [], "export": []})
            entry["kernel_start"].append(item["kernel_start_s"])
            entry["execute"].append(item["execute_s"])
            entry["export"].append(item["export_s"])
    notebooks = {}
    for name, parts in sorted(per_notebook.items()):
        work = [e + x for e, x in zip(parts["execute"], parts["export"], strict=True)]
        notebooks[name] = {
            "kernel_start_seconds": median(parts["kernel_start"]),
            "execute_seconds": median(parts["execute"]),
            "export_seconds": median(parts["export"]),
            "work_seconds": median(work),
            "work_target_met": TARGETS["report_notebook_work_seconds_max"].met(median(work)),
        }
    return {
        "report_seconds": median([r.seconds for r in runs]),
        "report_workers": workers,
        "report_notebooks": notebooks,
        "report_kernel_start_seconds_max": max((n["kernel_start_seconds"] for n in notebooks.values()), default=None),
        "report_kernel_start_seconds_sum": round(sum(n["kernel_start_seconds"] for n in notebooks.values()), 3),
        "report_notebook_work_seconds_max": max((n["work_seconds"] for n in notebooks.values()), default=None),
        "report_notebook_work_seconds_sum": round(sum(n["work_seconds"] for n in notebooks.values()), 3),
        "report_peak_memory_mb": round(max(r.peak_tree_pss_mb for r in runs), 1),
        "report_peak_memory_rss_mb": round(max(r.peak_tree_rss_mb for r in runs), 1),
    }


# ------------------------------------------------------------------------------------------
# 4. Refresh when CDC is unchanged
# ------------------------------------------------------------------------------------------


def load_fake_socrata(checkout: Path = CHECKOUT):
    """The tests' fake Socrata server module (``tests/fake_socrata.py``), imported by path."""
    path = checkout / "tests" / "fake_socrata.py"
    if not path.is_file():
        raise RuntimeError(f"{path}: the local fake Socrata server is missing; cannot measure the refresh")
    spec = importlib.util.spec_from_file_location("_bench_fake_socrata", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class is built
    spec.loader.exec_module(module)
    return module


def measure_refresh(paths: Paths, workdir: Path) -> dict[str, Any]:
    """Refresh twice against the fake server on a copy of ``data/raw``; measure the second.

    The first refresh installs a snapshot that records CDC's ``rowsUpdatedAt`` (the committed
    export snapshot has none, so it must be fetched once); the second finds CDC unchanged.
    """
    from analysis import refresh
    from analysis.paths import project_paths

    fake_socrata = load_fake_socrata()
    copy = workdir / "refresh"
    shutil.copytree(paths.raw, copy / "data" / "raw")
    copy_paths = project_paths(copy)
    rows = fake_socrata.api_rows_from_export(paths.raw / "cdc_vsrr.csv")
    options = dict(progress=False, retries=0, backoff_factor=0, timeout=(5.0, 30.0))
    with fake_socrata.FakeSocrata(rows) as server:
        first = refresh.refresh(copy_paths, base_url=server.url, **options)
        server.log.clear()
        second = refresh.refresh(copy_paths, base_url=server.url, **options)
        endpoints = [entry.endpoint for entry in server.log]
        metadata_bytes = len(json.dumps(server.metadata).encode("utf-8"))
    if second.updated:
        raise RuntimeError("benchmark: the second refresh against an unchanged fake server downloaded rows")
    return {
        "refresh_unchanged_requests": second.requests,
        "refresh_unchanged_bytes": second.bytes_received,
        "refresh_unchanged_endpoints": endpoints,
        "refresh_unchanged_row_requests": sum(1 for e in endpoints if e in ("rows", "count")),
        "refresh_metadata_document_bytes": metadata_bytes,
        "refresh_unchanged_bytes_beyond_metadata": second.bytes_received - metadata_bytes,
        "refresh_first_fetch_requests": first.requests,
    }


# ------------------------------------------------------------------------------------------
# 6. Tests
# ------------------------------------------------------------------------------------------


def measure_tests(checkout: Path = CHECKOUT) -> dict[str, Any]:
    """Wall time of the full suite with nbval, run once from the checkout."""
    env = dict(os.environ)
    env.pop(ROOT_ENV, None)
    result = run_measured([sys.executable, *TEST_COMMAND], cwd=checkout, env=env)
    summary = next((line.strip() for line in reversed(result.output.splitlines()) if line.strip()), "")
    failed = sorted(line.strip() for line in result.output.splitlines() if line.startswith(("FAILED ", "ERROR ")))
    return {
        "tests_seconds": round(result.seconds, 3),
        "tests_passed": result.returncode == 0,
        "tests_summary": summary,
        "tests_failed": failed,
    }


# ------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import pandas as pd

    return {
        "cores": os.cpu_count(),
        "date": dt.date.today().isoformat(),
        "python": ".".join(map(str, sys.version_info[:3])),
        "pandas": pd.__version__,
    }


def main(paths: Paths, repeats: int = 5, skip_tests: bool = False) -> int:
    """Run every benchmark, print the table, write ``benchmarks/results.json``. 0 if all ran."""
    if repeats < 1:
        raise ValueError(f"--repeats must be at least 1, got {repeats}")
    figures: dict[str, Any] = {"repeats": repeats, **machine()}
    problems: list[str] = []

    def step(name: str, function: Callable[[], dict[str, Any]]) -> None:
        print(f"bench: {name} ...", flush=True)
        started = time.perf_counter()
        try:
            figures.update(function())
        except (RuntimeError, OSError, ValueError) as exc:
            problems.append(f"{name}: {exc}")
            print(f"bench: {name} NOT MEASURED: {exc}", file=sys.stderr, flush=True)
        else:
            print(f"bench: {name} done in {time.perf_counter() - started:.1f} s", flush=True)

    with tempfile.TemporaryDirectory(prefix="overdose-bench-") as tmp:
        workdir = Path(tmp)
        copy = copy_for_benchmark(paths, workdir / "project")
        step("load (synthetic all-jurisdiction file)", lambda: measure_load(paths, workdir, repeats))
        step("build", lambda: measure_build(copy, repeats))
        if (copy.processed / "cdc_national.csv").exists():
            step("report", lambda: measure_report(copy, repeats))
        else:
            problems.append("report: not run, the build failed")
        step("refresh (CDC unchanged, local fake server)", lambda: measure_refresh(paths, workdir))
    memory = [figures.get("build_peak_memory_mb"), figures.get("report_peak_memory_mb")]
    measured = [m for m in memory if m is not None]
    figures["peak_memory_mb"] = max(measured) if measured else None
    if skip_tests:
        figures["tests_seconds"] = None
        figures["tests_skipped"] = True
    else:
        step("tests (full suite with nbval)", lambda: measure_tests(paths.root))
        if figures.get("tests_passed") is False:
            problems.append(f"tests: the suite failed ({figures.get('tests_summary')})")

    figures["targets"] = {key: target.text() for key, target in sorted(TARGETS.items())}
    figures["met"] = evaluate(figures)
    figures["problems"] = problems
    figures["notes"] = (
        "Medians of `repeats` runs in one run of `python -m benchmarks` (tests: one run). "
        "load_ratio times analysis.cdc.read_cdc_csv against pandas.read_csv on a SYNTHETIC "
        "all-jurisdiction file (benchmarks/synthetic.py), interleaved. Memory: peak of the process "
        "tree summed (PSS; *_rss_mb sums RSS and double-counts shared pages)."
    )
    path = write_results(figures, results_dir(paths) / RESULTS_FILE)
    print()
    print(f"cores {figures['cores']}, {figures['date']}, repeats {repeats} (medians)")
    print(format_table(figures))
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    print(f"\nwrote {path.relative_to(paths.root) if path.is_relative_to(paths.root) else path}")
    return 1 if problems else 0
