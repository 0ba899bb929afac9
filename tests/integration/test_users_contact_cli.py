"""`sopro users contact`: where a user's notifications go. The address is checked, and not printed."""
from __future__ import annotations

from sqlalchemy import select

from services import cli
from services.common.db import make_engine
from services.common.notifications import user_contact


def test_the_cli_sets_a_users_address_and_refuses_a_malformed_one(monkeypatch, federation_files, tmp_path, capsys):
    db_url = f"sqlite:///{tmp_path / 'AT12.sqlite'}"
    for name, value in {"SOPRO_SITE": "AT12", "SOPRO_DB_URL": db_url, "SOPRO_BUS_URL": "memory://",
                        "SOPRO_FEDERATION_FILE": str(federation_files[0]), "SOPRO_VAR_DIR": str(tmp_path),
                        "SOPRO_KEY_FILE": str(federation_files[1] / "AT12.pem")}.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["users", "add", "broker", "--password", "a-long-test-password", "--roles", "broker"]) == 0
    assert cli.main(["users", "contact", "broker", "--email", "broker@at12.example", "--language", "de"]) == 0
    assert cli.main(["users", "contact", "nobody", "--email", "nobody@at12.example"]) == 1
    assert cli.main(["users", "contact", "broker", "--email", "broker@at12.example\nBcc: x@example.org"]) == 2
    assert "broker@at12.example" not in capsys.readouterr().out
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(select(user_contact)).all() == [("broker", "broker@at12.example", "de")]
    engine.dispose()
