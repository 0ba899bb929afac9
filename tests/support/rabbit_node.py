"""A site's own RabbitMQ node for the WAN tests (deploy/WAN.md): a real node of the test's own, with the
shovel plugin enabled and the site node's definitions (deploy/rabbitmq/wan/) imported.

It is the fault suite's BrokerNode (tests/support/faults/broker.py: own node name, AMQP and
distribution ports, data, log and HOME with its own Erlang cookie, ended by its pid if `rabbitmqctl
stop` fails), with `rabbitmq_shovel` in its plugin list. The machine's shared node on 5672 plays the
hub's node and needs no plugin: the shovels run on the site's node, as in deploy/WAN.md.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

from tests.support.faults.broker import BrokerNode, available

__all__ = ["SiteNode", "available", "render", "WAN_DIR"]

_PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")
WAN_DIR = Path(__file__).resolve().parents[2] / "deploy" / "rabbitmq" / "wan"


def render(template: Path, values: dict[str, str]) -> dict:
    """A definitions template of deploy/rabbitmq/wan/ with its `${NAME}` placeholders filled in, as
    `envsubst` fills them in deploy/WAN.md: only `${NAME}`, so the permissions' regular expressions keep
    their `$` anchors. Every placeholder must have a value."""
    def value(match: re.Match) -> str:
        return values[match.group(1)]  # a KeyError names a placeholder left without a value

    return json.loads(_PLACEHOLDER.sub(value, template.read_text()))


class SiteNode(BrokerNode):
    """A site's own node: the shovel plugin enabled, definitions imported with `import_definitions`."""

    def _write_files(self) -> None:
        super()._write_files()
        (self.base / "enabled_plugins").write_text("[rabbitmq_shovel].\n")

    def import_definitions(self, definitions: dict) -> None:
        path = self.base / "definitions.json"
        path.write_text(json.dumps(definitions))
        self.ctl("import_definitions", str(path))

    def user_url(self, user: str, password: str, vhost: str) -> str:
        return f"amqp://{quote(user, safe='')}:{quote(password, safe='')}@127.0.0.1:{self.port}/{quote(vhost, safe='')}"

    def shovel_status(self) -> dict[str, str]:
        """Each shovel's name and state (`running`, `starting`, `terminated`), from `rabbitmqctl shovel_status`."""
        out = self.ctl("shovel_status", "--formatter", "json").stdout
        return {s["name"]: s["state"] for s in json.loads(out or "[]")}

    def log_tail(self, chars: int = 4000) -> str:
        logs = sorted((self.base / "log").glob("*.log"))
        return "".join(p.read_text(errors="replace") for p in logs)[-chars:]
