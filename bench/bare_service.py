"""Baseline for bench/bus.py: a bare nameko handler that inserts one row per TMS shipment event."""

from __future__ import annotations

import os

from nameko.events import event_handler
from psycogreen.eventlet import patch_psycopg
from sqlalchemy import Column, MetaData, String, Table, Text, create_engine, insert

patch_psycopg()
metadata = MetaData()
events = Table("bare_events", metadata, Column("event_id", String(36), primary_key=True), Column("body", Text))
engine = create_engine(os.environ["BARE_DATABASE_URL"], pool_size=12)
metadata.create_all(engine)


def _insert(body: dict) -> None:
    with engine.begin() as conn:
        conn.execute(insert(events).values(event_id=body["event_id"], body=body["reference"]))


class BareService:
    name = "bare"

    @event_handler("tms", "shipment.booked")
    def on_booked(self, body: dict) -> None:
        _insert(body)

    @event_handler("tms", "shipment.status_changed")
    def on_status(self, body: dict) -> None:
        _insert(body)

    @event_handler("tms", "shipment.exception")
    def on_exception(self, body: dict) -> None:
        _insert(body)
