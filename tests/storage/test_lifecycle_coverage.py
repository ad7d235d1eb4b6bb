"""The export and the erasure cover every table that holds a workspace's rows, and no token
ever leaves: a new table with a ``team_id`` column fails here until it is added to
``storage.lifecycle.COVERED``."""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import MetaData

from storage.lifecycle import COVERED, SECRET_COLUMNS, pseudonym
from storage.tables import metadata


def test_every_table_with_a_team_id_is_exported_and_erased() -> None:
    with_team = {t.name for t in metadata.sorted_tables if "team_id" in t.columns}
    covered = {c.table.name for c in COVERED}
    assert with_team - covered == set()
    assert all(c.team_column in c.table.columns for c in COVERED)


def test_every_token_column_of_slack_sdks_tables_is_kept_out() -> None:
    theirs = MetaData()
    tables = (
        SQLAlchemyInstallationStore.build_installations_table(theirs, "slack_installations"),
        SQLAlchemyInstallationStore.build_bots_table(theirs, "slack_bots"),
    )
    secret = {c.name for t in tables for c in t.columns if "token" in c.name}
    secret -= {"token_type"} | {c.name for t in tables for c in t.columns if "expires" in c.name}
    assert secret
    assert secret <= SECRET_COLUMNS
    ours = {c.name for t in metadata.sorted_tables for c in t.columns if "token" in c.name}
    assert ours - {"token_type", "bot_token_expires_at", "user_token_expires_at"} <= SECRET_COLUMNS


def test_a_pseudonym_is_stable_keyed_and_per_workspace() -> None:
    one = pseudonym(b"key", "T1", "U0ANNA0001")
    assert one == pseudonym(b"key", "T1", "U0ANNA0001")
    assert one.startswith("erased-")
    assert len(one) == len("erased-") + 12
    assert one != pseudonym(b"other key", "T1", "U0ANNA0001")
    assert one != pseudonym(b"key", "T2", "U0ANNA0001")
    assert "U0ANNA0001" not in one
