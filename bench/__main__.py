"""Run the benchmarks: `python -m bench [--quick] [--only NAME[,NAME]] [--profile] [--prototype]`.

Each benchmark prints its figure, its baseline measured in the same run, and figure/baseline.
Nothing is asserted: these machines are noisy (DESIGN.md §6).
"""
from __future__ import annotations

import argparse
import io
import math
import signal
import sys
import time
import traceback

from bench import (allocation, hub_ingest, impact_client_report, impact_comparison, label_trust, latency,
                   library_search, mail_sender, outbox_write, relay_throughput, shortlist)
from bench.common import BenchEnv, Result

BENCHMARKS = {m.NAME: m for m in (relay_throughput, hub_ingest, outbox_write, latency, shortlist, allocation,
                                   mail_sender, label_trust, impact_client_report, impact_comparison,
                                   library_search)}
TARGETS = {"relay_throughput": ">= 0.75", "hub_ingest": ">= 0.5", "impact_report_page": "<= 10",
           "impact_report_all_rows": "<= 10", "impact_report_get": "<= 10", "impact_comparison_json": "<= 10",
           "impact_comparison_get": "<= 10"}


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
                     TARGETS.get(r.bench, "-")))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
    line = lambda row: " | ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip()  # noqa: E731
    print(line(header), file=out)
    print("-+-".join("-" * w for w in widths), file=out)
    for row in rows[1:]:
        print(line(row), file=out)
    notes = [(r.bench, r.note) for r in results if r.note]
    if notes:
        print("\nnotes (ratio = value / baseline value):", file=out)
        for bench, note in notes:
            print(f"  {bench}: {note}", file=out)


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
    parser.add_argument("--only", default="", help=f"comma-separated subset of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--profile", action="store_true", help="also cProfile the relay and the hub ingest once")
    parser.add_argument("--prototype", action="store_true",
                        help="also measure relay and ingest with the proposed fixes monkeypatched in (bench/prototypes.py), "
                             "in the same rounds as the current code")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; known: {list(BENCHMARKS)}")

    # A SIGTERM still drops the run's schemas and vhost (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.perf_counter()
    env = BenchEnv(quick=args.quick)
    results: list[Result] = []
    failed = []
    try:
        for name in names:
            t0 = time.perf_counter()
            print(f"running {name} ...", file=sys.stderr, flush=True)
            kwargs = {}
            if args.prototype and name in ("relay", "ingest"):
                from bench import prototypes

                kwargs["variants"] = (prototypes.relay_variants() if name == "relay"
                                      else prototypes.ingest_variants())
                if name == "relay":
                    print(f"  prototype envelope JSON identical to the current relay's: "
                          f"{prototypes.check_fast_envelope_identical(env)}", file=sys.stderr)
            try:
                results += BENCHMARKS[name].run(env, quick=args.quick, **kwargs)
            except Exception:  # noqa: BLE001 - report and go on with the others
                traceback.print_exc()
                failed.append(name)
            print(f"  {name} took {time.perf_counter() - t0:.1f}s", file=sys.stderr, flush=True)
        if args.profile:
            for name, module in (("relay", relay_throughput), ("hub ingest", hub_ingest)):
                print_profile(name, module.profile(env, quick=args.quick))
    finally:
        env.close()
    print()
    print_table(results)
    print(f"\n{'quick' if args.quick else 'full'} run, {time.perf_counter() - started:.0f}s; single run on a noisy "
          f"2-core machine: figures are indicative only." + (f" FAILED: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
