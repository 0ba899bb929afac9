"""Run the benchmarks: `python -m bench [--quick] [--runs N] [--only NAME[,NAME]] [--profile]`.

Each benchmark prints its figure, its baseline measured in the same run, figure/baseline and the goal
for that ratio. With `--runs N` every selected benchmark runs N times and a last table gives each figure's
median with the spread (lowest-highest) of the N runs. The machine's load during the run is printed
at the end. Nothing is asserted: these machines are noisy (DESIGN.md §6).
"""
from __future__ import annotations

import argparse
import io
import math
import signal
import statistics
import sys
import time
import traceback
from collections import defaultdict

from bench import (allocation, catchup, hub_ingest, hub_lists, impact_client_report, impact_comparison, label_trust,
                   latency, library_search, mail_sender, outbox_write, outbox_write_variants, relay_throughput,
                   shortlist)
from bench.common import BenchEnv, Result
from bench.machine import LoadSampler

BENCHMARKS = {m.NAME: m for m in (relay_throughput, hub_ingest, outbox_write, outbox_write_variants, latency,
                                   shortlist, allocation, mail_sender, label_trust, impact_client_report, impact_comparison,
                                   library_search, catchup, hub_lists)}
# Goals of benchmarks that do not state theirs in Result.goal (issue 18's reports).
TARGETS = {"impact_report_page": "<= 10", "impact_report_all_rows": "<= 10", "impact_report_get": "<= 10",
           "impact_comparison_json": "<= 10", "impact_comparison_get": "<= 10"}


def goal_of(r: Result) -> str:
    return r.goal or TARGETS.get(r.bench, "-")


def _fmt(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}"


def print_table(results: list[Result], out=sys.stdout) -> None:
    header = ("benchmark", "figure", "value", "unit", "baseline", "baseline value", "ratio", "better", "target")
    rows = [header]
    for r in results:
        rows.append((r.bench, r.metric, _fmt(r.value), r.unit, r.baseline_name, _fmt(r.baseline),
                     "n/a" if math.isnan(r.ratio) else f"{r.ratio:.3f}", "higher" if r.higher_is_better else "lower",
                     goal_of(r)))
    _print_rows(rows, out)
    notes = [(r.bench, r.note) for r in results if r.note]
    if notes:
        print("\nnotes (ratio = value / baseline value):", file=out)
        for bench, note in notes:
            print(f"  {bench}: {note}", file=out)


def _print_rows(rows: list[tuple], out) -> None:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    line = lambda row: " | ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip()  # noqa: E731
    print(line(rows[0]), file=out)
    print("-+-".join("-" * w for w in widths), file=out)
    for row in rows[1:]:
        print(line(row), file=out)


def _spread(values: list[float], fmt) -> str:
    """The median and, over several runs, the lowest and highest: `0.46 (0.44-0.49)`."""
    values = [v for v in values if not math.isnan(v)]
    if not values:
        return "n/a"
    median = fmt(statistics.median(values))
    return median if len(values) == 1 else f"{median} ({fmt(min(values))}-{fmt(max(values))})"


def print_medians(runs: list[list[Result]], out=sys.stdout) -> None:
    """One row per figure: its median over the runs, the baseline's, and the ratio's, with their spread."""
    # A figure is its place in a run's results (each run measures the same figures in the same order); its
    # name may differ between runs (the latency's paced rate is measured each time).
    by_figure: dict[tuple[int, str, str], list[Result]] = defaultdict(list)
    for results in runs:
        for place, r in enumerate(results):
            by_figure[(place, r.bench, r.baseline_name)].append(r)
    rows = [("benchmark", "figure", "runs", "value", "unit", "baseline", "ratio", "better", "goal")]
    for rs in by_figure.values():
        first = rs[0]
        rows.append((first.bench, first.metric, len(rs), _spread([r.value for r in rs], _fmt), first.unit,
                     _spread([r.baseline for r in rs], _fmt), _spread([r.ratio for r in rs], lambda x: f"{x:.3f}"),
                     "higher" if first.higher_is_better else "lower", goal_of(first)))
    print(f"\nmedians of {len(runs)} runs (lowest-highest):", file=out)
    _print_rows(rows, out)


def print_profile(name: str, stats, top: int = 25) -> None:
    for order in ("tottime", "cumulative"):
        buf = io.StringIO()
        stats.stream = buf
        stats.sort_stats(order).print_stats(top)
        print(f"\n=== profile: {name}, top {top} by {order} ===")
        print("\n".join(line for line in buf.getvalue().splitlines() if line.strip()))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes and shorter runs")
    parser.add_argument("--runs", type=int, default=1, help="run each benchmark this many times and print the "
                                                           "medians with their spread (default 1)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--profile", action="store_true", help="also cProfile the relay and the hub ingest once")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; known: {list(BENCHMARKS)}")

    # A SIGTERM still drops the run's schemas and vhost (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.perf_counter()
    env = BenchEnv(quick=args.quick)
    runs: list[list[Result]] = []
    failed = []
    with LoadSampler() as load:
        try:
            for run in range(1, max(1, args.runs) + 1):
                results: list[Result] = []
                for name in names:
                    t0 = time.perf_counter()
                    print(f"running {name} (run {run}/{args.runs}) ...", file=sys.stderr, flush=True)
                    try:
                        results += BENCHMARKS[name].run(env, quick=args.quick)
                    except Exception:  # noqa: BLE001 - report and go on with the others
                        traceback.print_exc()
                        failed.append(name)
                    print(f"  {name} took {time.perf_counter() - t0:.1f}s", file=sys.stderr, flush=True)
                runs.append(results)
                print(f"\nrun {run}:")
                print_table(results)
            if args.profile:
                for name, module in (("relay", relay_throughput), ("hub ingest", hub_ingest)):
                    print_profile(name, module.profile(env, quick=args.quick))
        finally:
            env.close()
    if len(runs) > 1:
        print_medians(runs)
    print(f"\n{'quick' if args.quick else 'full'} run, {time.perf_counter() - started:.0f}s. {load.summary()}"
          + (f" FAILED: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
