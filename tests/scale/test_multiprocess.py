"""Two gunicorn instances on different ports share one PostgreSQL database and one Redis:
bookings made through both never overlap, a family on one and a worker on the other meet in
one call, the rate limits are counted once for both, and two job workers drain the outbox
without sending anything twice."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

import notifications
from notifications import OutboxMessage
from scheduler.extensions import db
from scheduler.models import Booking
from tests.factories import Factories
from tests.notifications.contexts import message_context
from tests.notifications.servers import start_smtp
from tests.scale.conftest import logs_of
from tests.scale.helpers import confirm, hold, hourly_starts, metric
from tests.scale.processes import Process, start_web, start_worker, wait_for
from tests.video.helpers import SignalClient, aiortc_call, links_for, ticket_of, video_booking

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

SLOTS = 6
ATTEMPTS_PER_SLOT = 8


def two_instances(
    env: dict[str, str], tmp: Path, processes: list[Process]
) -> tuple[Process, Process]:
    a = start_web("web-a", env, tmp)
    processes.append(a)
    b = start_web("web-b", env, tmp)
    processes.append(b)
    return a, b


def test_concurrent_holds_through_both_instances_give_one_winner_per_slot(
    pg_app: Flask,
    make: Factories,
    scale_env: dict[str, str],
    processes: list[Process],
    tmp_path: Path,
) -> None:
    service = make.service(duration_min=45, slot_interval_min=15)
    make.professional(service)
    db.session.commit()
    service_id = service.id
    a, b = two_instances(scale_env, tmp_path, processes)
    starts = hourly_starts(SLOTS)
    attempts = [(start, (a, b)[n % 2]) for start in starts for n in range(ATTEMPTS_PER_SLOT)]
    random.Random(7).shuffle(attempts)

    with ThreadPoolExecutor(24) as pool:
        outcomes = list(
            pool.map(lambda job: (job[0], hold(job[1].base, service_id, job[0])), attempts)
        )

    statuses = Counter(outcome.status for _, outcome in outcomes)
    assert set(statuses) <= {201, 409}, (statuses, logs_of(processes))
    winners = {
        start: [o for s, o in outcomes if s == start and o.status == 201] for start in starts
    }
    assert all(len(won) == 1 for won in winners.values()), {s: len(w) for s, w in winners.items()}
    refused = [o for _, o in outcomes if o.status == 409]
    assert refused, "the racers for each start should have lost to its winner"
    assert all(o.body["error"]["code"] == "slot_taken" for o in refused)

    # Each winner confirms through the other instance than the one that held.
    for n, won in enumerate(winners.values()):
        result = confirm((b, a)[n % 2].base, won[0].body["hold_token"])
        assert result.status == 201, result.body

    db.session.rollback()
    rows = db.session.execute(
        select(Booking.start_at, Booking.block_start_at, Booking.block_end_at)
        .where(Booking.status == "confirmed")
        .order_by(Booking.block_start_at)
    ).all()
    assert sorted(r.start_at for r in rows) == sorted(starts)
    assert all(x.block_end_at <= y.block_start_at for x, y in itertools.pairwise(rows))
    assert (
        metric(a.base, 'etaaika_bookings_total{action="hold"}')
        + metric(b.base, 'etaaika_bookings_total{action="hold"}')
        == SLOTS
    )


def test_rate_limits_are_counted_once_for_all_instances(
    pg_app: Flask, scale_env: dict[str, str], processes: list[Process], tmp_path: Path
) -> None:
    limit = 20
    env = {**scale_env, "ETAAIKA_RATELIMIT_PUBLIC": f"{limit} per minute"}
    a, b = two_instances(env, tmp_path, processes)
    statuses = [
        requests.get(f"{(a, b)[n % 2].base}/api/v1/manage/not-a-real-token", timeout=10).status_code
        for n in range(limit + 6)
    ]
    # With a count per process each instance would let 20 through: 26 requests, no 429.
    assert statuses[:limit] == [404] * limit
    assert statuses[limit:] == [429] * 6


def test_family_on_one_instance_and_worker_on_the_other_meet_in_one_call(
    pg_app: Flask,
    make: Factories,
    scale_env: dict[str, str],
    processes: list[Process],
    tmp_path: Path,
) -> None:
    booking = video_booking(make, starts_in=timedelta(minutes=-5))
    links = links_for(booking)
    a, b = two_instances(scale_env, tmp_path, processes)

    family = SignalClient(a.base, ticket_of(a.base, links.family))
    family_pid = family.expect("welcome")["you"]["pid"]
    worker = SignalClient(b.base, ticket_of(b.base, links.worker))
    worker_pid = worker.expect("welcome")["you"]["pid"]
    worker.expect(
        "lobby", waiting=[{"pid": family_pid, "name": "Liisa Virtanen", "kind": "family"}]
    )
    family.expect("host-present", present=True)
    worker.send({"type": "admit", "pid": family_pid})
    family.expect("admitted")
    family.expect("peer-joined", pid=worker_pid)
    worker.expect("peer-joined", pid=family_pid)
    assert metric(a.base, "etaaika_signalling_sockets") == 1
    assert metric(b.base, "etaaika_video_rooms_active") == 1

    frames_worker, frames_family = asyncio.run(aiortc_call(worker, family, worker_pid, family_pid))
    assert frames_worker > 5 and frames_family > 5, logs_of(processes)
    family.close()
    worker.close()
    wait_for(lambda: metric(a.base, "etaaika_signalling_sockets") == 0, 10, "the socket count")


OUTBOX_MESSAGES = 240


def _context(n: int) -> dict[str, object]:
    return message_context(
        email_from="noreply@rovaniemi.test", client_name=f"Perhe {n}", cancelled_by="staff"
    )


def test_two_workers_drain_the_outbox_without_sending_anything_twice(
    pg_app: Flask, scale_env: dict[str, str], processes: list[Process], tmp_path: Path
) -> None:
    smtp = start_smtp()
    smtp.handler.delay = 0.02  # long enough that both workers are busy at once
    try:
        for n in range(OUTBOX_MESSAGES):
            notifications.enqueue(
                channel="email",
                recipient=f"family{n}@example.test",
                template="cancelled",
                language="fi",
                idempotency_key=f"scale-{n}",
                organisation_id=1,
                context=_context(n),
            )
        db.session.commit()
        env = {
            **scale_env,
            "ETAAIKA_SMTP_HOST": smtp.host,
            "ETAAIKA_SMTP_PORT": str(smtp.port),
            "ETAAIKA_SMTP_SECURITY": "none",
            "ETAAIKA_NOTIFY_BATCH": "5",
        }
        for name in ("worker-1", "worker-2"):
            processes.append(start_worker(name, env, tmp_path))

        def all_sent() -> bool:
            db.session.rollback()
            sent = select(func.count()).where(OutboxMessage.status == "sent")
            return db.session.scalar(sent) == OUTBOX_MESSAGES

        wait_for(all_sent, 120, "every message to be sent")
        for process in processes:
            assert process.stop() == 0, process.output()
    finally:
        smtp.stop()

    per_message = Counter(m["Message-ID"] for m in smtp.handler.messages())
    assert len(per_message) == OUTBOX_MESSAGES
    assert max(per_message.values()) == 1, [mid for mid, n in per_message.items() if n > 1]
    senders = db.session.scalars(select(OutboxMessage.claimed_by).distinct()).all()
    pids = {str(sender).split(":")[1] for sender in senders}
    assert pids == {str(p.popen.pid) for p in processes}, "both workers should have sent"


def _established_by_process(pids: list[int], port: int) -> dict[int, int]:
    """How many established TCP connections to ``port`` each process holds open (read from
    /proc: which socket inodes each process has, and which of them are such connections)."""
    inodes: dict[str, int] = {}
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = fd.readlink().as_posix()
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes[target[8:-1]] = pid
    counts = dict.fromkeys(pids, 0)
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01" and fields[9] in inodes:
                counts[inodes[fields[9]]] += 1
    return counts


def test_keep_alive_connections_are_shared_out_among_the_workers(
    scale_env: dict[str, str], processes: list[Process], tmp_path: Path
) -> None:
    """Each web process listens on a socket of its own, so a burst of new keep-alive
    connections (a proxy opening its pool) does not all land on whichever process woke
    first, leaving the other idle."""
    web = start_web("web", scale_env, tmp_path, workers=2, threads=4)
    processes.append(web)
    port = int(web.base.rsplit(":", 1)[1])
    workers = [
        int(pid)
        for pid in Path(f"/proc/{web.popen.pid}/task/{web.popen.pid}/children").read_text().split()
    ]
    assert len(workers) == 2
    sessions = [requests.Session() for _ in range(16)]
    try:
        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(lambda s: s.get(web.base + "/healthz", timeout=10), sessions))
        assert [a.status_code for a in answers] == [200] * 16
        counts = _established_by_process(workers, port)
    finally:
        for session in sessions:
            session.close()
    assert sum(counts.values()) == 16, counts
    # The kernel spreads connections by a hash of their addresses: all 16 on one of two
    # processes would happen about three times in 100,000 runs.
    assert min(counts.values()) >= 1, counts


def test_gunicorn_leaves_forwarded_headers_to_the_application(
    scale_env: dict[str, str], processes: list[Process], tmp_path: Path
) -> None:
    """A client's own X-Forwarded-Proto makes nothing https; behind a proxy the
    application reads it for the hops it is told of (ProxyFix)."""
    claims = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "X-Forwarded-Protocol": "ssl"}
    direct = start_web("direct", scale_env, tmp_path)
    processes.append(direct)
    answer = requests.get(direct.base + "/healthz", headers=claims, timeout=10)
    assert answer.status_code == 200
    assert "Strict-Transport-Security" not in answer.headers

    proxied = start_web("proxied", {**scale_env, "ETAAIKA_PROXY_FIX_HOPS": "1"}, tmp_path)
    processes.append(proxied)
    answer = requests.get(proxied.base + "/healthz", headers=claims, timeout=10)
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
