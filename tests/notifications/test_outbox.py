"""The outbox: idempotent, claimed once, and a message is sent once even when the worker dies between
sending and marking."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service_hall.extensions import db
from service_hall.notifications import dispatch as dispatching
from service_hall.notifications.dispatch import LEASE, claim
from service_hall.notifications.models import ChannelName, InboxItem, MessageStatus, OutboxMessage
from tests.factories.clock import at
from tests.factories.database import is_postgres
from tests.notifications.support import act, dispatch, outbox, staff_client, submit_case


def test_one_message_per_event_channel_and_recipient(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    submit_case(app, client)
    with app.app_context():
        first = db.session.scalars(select(OutboxMessage)).first()
        db.session.add(OutboxMessage(event_id=first.event_id, channel=first.channel, recipient=first.recipient,
                                     template=first.template, status=MessageStatus.PENDING, attempts=0,
                                     next_attempt_at=first.created_at, created_at=first.created_at))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_a_worker_dying_after_sending_sends_once(app, client, world, sms_gateway, monkeypatch):
    import service_hall.web.notify as notify

    monkeypatch.setattr(notify, "start_background", lambda app: None)  # this test is the worker
    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    act(staff_client(app, "clerk1"), case, "correction", {"target": ["M02"], "problem": ["不清晰"],
                                                          "respond_days": "10"})
    assert outbox(app, channel=ChannelName.SMS)[0].status == MessageStatus.PENDING

    class Crash(Exception):
        pass

    def die(**kwargs):
        raise Crash("the worker died here")

    # The SMS leaves, then the worker dies before it can write down that it did.
    monkeypatch.setattr(dispatching, "DeliveryAttempt", die)
    with pytest.raises(Crash):
        dispatch(app, at=at("2026-11-23", 11))
    monkeypatch.undo()
    with app.app_context():
        db.session.rollback()
    [row] = outbox(app, channel=ChannelName.SMS)
    assert row.status == MessageStatus.SENDING and row.sent_at is None and len(sms_gateway.requests) == 1
    # Another worker does not take it while the claim holds …
    dispatch(app, at=at("2026-11-23", 11) + LEASE - dt.timedelta(seconds=1))
    assert len(sms_gateway.requests) == 1
    # … and once the claim has run out, resends it under the same idempotency key: the gateway sends once.
    dispatch(app, at=at("2026-11-23", 11) + LEASE + dt.timedelta(seconds=1))
    [row] = outbox(app, channel=ChannelName.SMS)
    assert row.status == MessageStatus.SENT
    keys = [r.headers["Idempotency-Key"] for r in sms_gateway.requests]
    assert len(keys) == 2 and keys[0] == keys[1] == row.idempotency_key
    assert len(sms_gateway.delivered()) == 1


def test_the_inbox_never_receives_a_message_twice(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    submit_case(app, client)
    with app.app_context():
        count = db.session.query(InboxItem).count()
        # Put every message back as if nobody had marked it: delivering again adds nothing.
        db.session.execute(OutboxMessage.__table__.update().values(status=MessageStatus.PENDING))
        db.session.commit()
    dispatch(app)
    with app.app_context():
        assert db.session.query(InboxItem).count() == count
    assert {m.status for m in outbox(app)} == {MessageStatus.SENT}


def test_two_dispatchers_never_claim_the_same_row(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    submit_case(app, client)
    with app.app_context():
        db.session.execute(OutboxMessage.__table__.update().values(status=MessageStatus.PENDING))
        db.session.commit()
        first = claim(db.session, now=at("2026-11-23", 11))
        db.session.commit()
        second = claim(db.session, now=at("2026-11-23", 11))
        db.session.commit()
    assert first and second == []


@pytest.mark.skipif(not is_postgres(), reason="SKIP LOCKED needs PostgreSQL")
def test_claims_skip_rows_another_dispatcher_has_locked(app, client, world):
    from sqlalchemy.orm import Session

    app.config["FIXED_NOW"] = at("2026-11-23")
    submit_case(app, client)
    with app.app_context():
        db.session.execute(OutboxMessage.__table__.update().values(status=MessageStatus.PENDING))
        db.session.commit()
        with Session(db.engine) as one, Session(db.engine) as two:
            taken = claim(one, now=at("2026-11-23", 11), limit=1)  # holds its row lock until commit
            others = claim(two, now=at("2026-11-23", 11))
            assert taken and others and not set(taken) & set(others)
            one.commit()
            two.commit()


def test_every_status_change_of_the_table_is_an_event():
    from service_hall.cases.transitions import Action
    from service_hall.notifications.events import TRANSITION_EVENTS

    assert {a.value for a in Action} == set(TRANSITION_EVENTS)
