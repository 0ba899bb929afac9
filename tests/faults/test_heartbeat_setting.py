"""SOPRO_BUS_HEARTBEAT reaches the connections that `sopro serve` opens (no broker needed: kombu
connects lazily)."""
from __future__ import annotations

from services.common.config import load_settings
from services.common.runtime import build_runtime
from services.workers import connect_bus, make_relay


def test_the_configured_heartbeat_is_used_by_the_workers(make_settings):
    runtime = build_runtime(make_settings("AT12", bus_url="amqp://guest:guest@127.0.0.1:1/x", bus_heartbeat_seconds=7))
    assert make_relay(runtime).publisher.conn.heartbeat == 7
    assert connect_bus(runtime).heartbeat == 7


def test_the_heartbeat_comes_from_the_environment():
    assert load_settings("AT12", env={"SOPRO_BUS_HEARTBEAT": "5"}).bus_heartbeat_seconds == 5.0
    assert load_settings("AT12", env={}).bus_heartbeat_seconds == 30.0
