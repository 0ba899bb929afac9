"""The operator's commands for how events move: `sopro deadletters ...` and `sopro streams ...`.

    sopro deadletters list [--consumer C] [--state dead|redriven|all]
    sopro deadletters show ID
    sopro deadletters redrive (ID | --all) [--consumer C]      exit 1 if any letter is still dead
    sopro streams list                                          (at the hub)
    sopro streams pause AT12/registry --reason "..."
    sopro streams resume AT12/registry                          exit 1 if the site's feed is unreachable

Each takes `--site` (default SOPRO_SITE) and works on that site's database, like `sopro tick`. Which
consumers a site runs is the composition root's knowledge: it passes them in (`Wiring`).
"""
from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from typing import Callable

from services.common.errors import SoproError
from services.common.runtime import Runtime
from services.sync import deadletters, moderation
from services.sync.reconcile import make_reconciler


@dataclass(frozen=True)
class Wiring:
    """What the composition root gives these commands."""

    open_runtime: Callable[[str | None], Runtime]  # a site's (or the hub's) runtime, by site id
    processors: Callable[[Runtime], dict]  # every consumer's EventProcessor, by consumer (queue) name
    hub_ingest: Callable[[Runtime], tuple]  # the hub's (QueueSpec, EventProcessor, streams)


def _operator(args) -> str:
    return args.by or f"cli:{getpass.getuser()}"


def _print(doc) -> None:
    print(json.dumps(doc, indent=2, default=str, ensure_ascii=False))


def cmd_deadletters(args) -> int:
    runtime = args.wiring.open_runtime(args.site)
    if args.action == "list":
        with runtime.engine.connect() as conn:
            found = deadletters.list_letters(conn, args.consumer, args.state, 1, args.limit)
        items, total = found.items, found.total
        for item in items:
            state = f"redriven {item['redriven_at']:%Y-%m-%d %H:%M} by {item['redriven_by']}" \
                if item["redriven_at"] else "dead"
            print(f"{item['id']:>6}  {item['consumer']}  {item['stream'] or '-'}#{item['seq'] or '-'}  "
                  f"{state}  {item['reason'][:120]}")
        print(f"{total} dead letters ({args.state})" + (f", first {len(items)} shown" if total > len(items) else ""))
        return 0
    if args.action == "show":
        with runtime.engine.connect() as conn:
            try:
                _print(deadletters.get_letter(conn, args.id))
            except SoproError as exc:
                print(exc.message)
                return 1
        return 0
    processors = args.wiring.processors(runtime)
    by, origins = _operator(args), deadletters.origins_of(runtime)
    if args.all:
        chosen = [processors[args.consumer]] if args.consumer else list(processors.values())
        results = [r for processor in chosen for r in deadletters.redrive_all(processor, by, origins)]
    else:
        with runtime.engine.connect() as conn:
            try:
                consumer = deadletters.get_letter(conn, args.id)["consumer"]
            except SoproError as exc:
                print(exc.message)
                return 1
        if consumer not in processors:
            print(f"dead letter {args.id} belongs to {consumer}, which this site does not run")
            return 1
        results = [deadletters.redrive(processors[consumer], args.id, by, origins)]
    for result in results:
        print(f"{result.id:>6}  {result.outcome}" + (f": {result.reason}" if result.reason else ""))
    still_dead = sum(not r.ok for r in results)
    print(f"{len(results) - still_dead} re-driven, {still_dead} still dead")
    return 1 if still_dead else 0


def cmd_streams(args) -> int:
    runtime = args.wiring.open_runtime(args.site)
    if not runtime.settings.is_hub:
        print("streams are moderated at the hub (--site EU)")
        return 1
    spec, processor, streams = args.wiring.hub_ingest(runtime)
    if args.action == "list":
        for s in moderation.streams(runtime.engine, spec.name, streams):
            origin = "?" if s["origin_last_seq"] is None else s["origin_last_seq"]
            paused = f"  PAUSED by {s['paused_by']}: {s['reason']}" if s["paused"] else ""
            print(f"{s['stream']:<20} applied up to {s['contiguous_seq']}, seen {s['max_seen_seq']}, "
                  f"site at {origin}{paused}")
        return 0
    if args.stream not in streams:
        print(f"the hub ingests no stream {args.stream}; one of {', '.join(streams)}")
        return 1
    try:
        if args.action == "pause":
            moderation.pause(runtime.engine, spec.name, args.stream, _operator(args), args.reason)
            print(f"{args.stream}: paused")
        else:
            done = moderation.resume(make_reconciler(runtime, processor, streams), args.stream, _operator(args))
            print(f"{args.stream}: resumed; {done['applied']} held-back events applied")
    except SoproError as exc:
        print(f"{args.stream}: {exc.message}")
        return 1
    return 0


def add_commands(sub, wiring: Wiring) -> None:
    """Add `deadletters` and `streams` to the `sopro` command's sub-parsers."""
    dead = sub.add_parser("deadletters", help="inspect and re-drive dead-lettered messages")
    dead_sub = dead.add_subparsers(dest="action", required=True)
    listing = dead_sub.add_parser("list", help="dead letters, oldest first")
    listing.add_argument("--consumer", help="only this consumer (queue), e.g. hub.ingest")
    listing.add_argument("--state", choices=["dead", "redriven", "all"], default="dead")
    listing.add_argument("--limit", type=int, default=200)
    show = dead_sub.add_parser("show", help="one dead letter: its envelope without data, and hashes")
    show.add_argument("id", type=int)
    again = dead_sub.add_parser("redrive", help="feed dead letters through their consumer again")
    which = again.add_mutually_exclusive_group(required=True)
    which.add_argument("id", type=int, nargs="?")
    which.add_argument("--all", action="store_true", help="every dead letter still dead")
    again.add_argument("--consumer", help="with --all: only this consumer's")
    again.add_argument("--by", help="who re-drives, for the record (default cli:<user>)")
    for parser in (listing, show, again):
        parser.add_argument("--site", help="site id; default SOPRO_SITE")
    dead.set_defaults(func=cmd_deadletters, wiring=wiring)

    streams = sub.add_parser("streams", help="the hub's ingested streams: positions, pause and resume")
    streams_sub = streams.add_subparsers(dest="action", required=True)
    listed = streams_sub.add_parser("list", help="every stream with its position and pause")
    pause = streams_sub.add_parser("pause", help="stop applying a site's stream; nothing is lost")
    pause.add_argument("stream", help="<site>/<service>, e.g. AT12/registry")
    pause.add_argument("--reason", required=True)
    resume = streams_sub.add_parser("resume", help="apply what the site published meanwhile, then go live")
    resume.add_argument("stream")
    for parser in (listed, pause, resume):
        parser.add_argument("--site", help="site id; default SOPRO_SITE (the hub: EU)")
        parser.add_argument("--by", help="who, for the record (default cli:<user>)")
    streams.set_defaults(func=cmd_streams, wiring=wiring)
