"""Local wall-clock times as UTC instants on the days the clocks change, checked against
instants written out by hand (Helsinki: EET +2 in winter, EEST +3 in summer)."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import Column, Enum, MetaData, Table, create_engine, literal, select
from sqlalchemy.dialects.postgresql.psycopg import dialect as postgresql_dialect
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.schema import CreateTable

from scheduler import kernel
from scheduler.kernel import (
    HELSINKI,
    Problem,
    UTCDateTime,
    as_utc,
    day_bounds,
    enum_column,
    local_date,
    local_instant,
    now_utc,
    overlaps,
    overlaps_sql,
    random_version,
    spreadsheet_safe,
)

SPRING = date(2026, 3, 29)  # 03:00 EET becomes 04:00 EEST
AUTUMN = date(2026, 10, 25)  # 04:00 EEST becomes 03:00 EET


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "wall", "instant"),
    [
        (SPRING, time(0), utc(2026, 3, 28, 22)),
        (SPRING, time(2, 59), utc(2026, 3, 29, 0, 59)),
        # The skipped hour is read with the winter offset.
        (SPRING, time(3, 30), utc(2026, 3, 29, 1, 30)),
        (SPRING, time(4), utc(2026, 3, 29, 1)),
        (SPRING, time(9, 15), utc(2026, 3, 29, 6, 15)),
        (SPRING, time(23, 59), utc(2026, 3, 29, 20, 59)),
        (AUTUMN, time(0), utc(2026, 10, 24, 21)),
        # The repeated hour is read as its first occurrence, still in summer time.
        (AUTUMN, time(3, 30), utc(2026, 10, 25, 0, 30)),
        (AUTUMN, time(4), utc(2026, 10, 25, 2)),
        (AUTUMN, time(9, 15), utc(2026, 10, 25, 7, 15)),
        (AUTUMN, time(23, 59), utc(2026, 10, 25, 21, 59)),
        (date(2026, 7, 1), time(12), utc(2026, 7, 1, 9)),
        (date(2026, 1, 15), time(12), utc(2026, 1, 15, 10)),
    ],
)
def test_local_wall_time_is_the_instant_of_that_moment_on_the_day(
    day: date, wall: time, instant: datetime
) -> None:
    got = local_instant(day, wall, HELSINKI)

    assert got == instant
    assert got.tzinfo is UTC


def test_the_day_the_clocks_go_forward_is_23_hours_long() -> None:
    assert day_bounds(SPRING, HELSINKI) == (utc(2026, 3, 28, 22), utc(2026, 3, 29, 21))


def test_the_day_the_clocks_go_back_is_25_hours_long() -> None:
    assert day_bounds(AUTUMN, HELSINKI) == (utc(2026, 10, 24, 21), utc(2026, 10, 25, 22))


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        (utc(2026, 3, 28, 21, 59), date(2026, 3, 28)),
        (utc(2026, 3, 28, 22), SPRING),
        (utc(2026, 10, 24, 20, 59), date(2026, 10, 24)),
        (utc(2026, 10, 24, 21), AUTUMN),
        (utc(2026, 10, 25, 21, 59), AUTUMN),
        (utc(2026, 10, 25, 22), date(2026, 10, 26)),
    ],
)
def test_an_instant_falls_on_its_local_date(instant: datetime, day: date) -> None:
    assert local_date(instant, HELSINKI) == day


# --- instants, overlaps and the rest of the shared basics ----------------------------


def test_now_is_an_aware_instant_in_utc() -> None:
    assert now_utc().tzinfo is UTC


def test_naive_values_are_taken_as_utc_and_aware_ones_converted() -> None:
    assert as_utc(datetime(2026, 3, 29, 4)) == utc(2026, 3, 29, 4)
    assert as_utc(datetime(2026, 3, 29, 4)).tzinfo is UTC
    helsinki = datetime(2026, 3, 29, 4, tzinfo=HELSINKI)
    assert as_utc(helsinki) == utc(2026, 3, 29, 1)
    assert as_utc(helsinki).tzinfo is UTC


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((9, 10), (10, 11), False),  # half-open: touching is not overlapping
        ((10, 11), (9, 10), False),
        ((9, 11), (10, 12), True),
        ((10, 12), (9, 11), True),
        ((9, 12), (10, 11), True),  # one inside the other
        ((10, 11), (9, 12), True),
        ((9, 10), (11, 12), False),
    ],
)
def test_overlap_is_half_open_in_python_and_sql(
    a: tuple[int, int], b: tuple[int, int], expected: bool
) -> None:
    a_start, a_end = utc(2026, 1, 5, a[0]), utc(2026, 1, 5, a[1])
    b_start, b_end = utc(2026, 1, 5, b[0]), utc(2026, 1, 5, b[1])
    assert overlaps(a_start, a_end, b_start, b_end) is expected
    with create_engine("sqlite://").connect() as connection:
        found = connection.execute(
            select(overlaps_sql(literal(a[0]), literal(a[1]), literal(b[0]), literal(b[1])))
        ).scalar_one()
    assert bool(found) is expected


def test_an_instant_column_refuses_naive_values_and_gives_back_utc() -> None:
    column = UTCDateTime()
    sqlite, postgres = sqlite_dialect(), postgresql_dialect()
    with pytest.raises(ValueError, match=r"^naive datetime given for an instant column$"):
        column.process_bind_param(datetime(2026, 3, 29, 4), sqlite)
    aware = datetime(2026, 3, 29, 4, tzinfo=HELSINKI)
    assert column.process_bind_param(aware, sqlite) == datetime(2026, 3, 29, 1)
    stored = column.process_bind_param(aware, postgres)
    assert stored == utc(2026, 3, 29, 1) and stored is not None and stored.tzinfo is UTC
    assert column.process_bind_param(None, sqlite) is None
    read = column.process_result_value(datetime(2026, 3, 29, 1), sqlite)
    assert read == utc(2026, 3, 29, 1) and read is not None and read.tzinfo is UTC
    read = column.process_result_value(aware, postgres)
    assert read == utc(2026, 3, 29, 1) and read is not None and read.tzinfo is UTC
    assert column.process_result_value(None, sqlite) is None


def test_version_counters_start_positive_and_below_two_to_the_31st(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    values = {random_version() for _ in range(200)}
    assert len(values) > 190
    assert all(1 <= v <= 1 << 31 for v in values)
    # The ends of the range, exactly: the lowest draw and the highest.
    monkeypatch.setattr(kernel.secrets, "randbelow", lambda n: 0)
    assert random_version() == 1
    monkeypatch.setattr(kernel.secrets, "randbelow", lambda n: n - 1)
    assert random_version() == 1 << 31


def test_a_problem_carries_its_status_code_message_and_fields() -> None:
    problem = Problem(409, "slot_taken", "Taken.", {"start_at": "taken"})
    assert (problem.status, problem.code, problem.message, str(problem)) == (
        409,
        "slot_taken",
        "Taken.",
        "Taken.",
    )
    assert problem.fields == {"start_at": "taken"}
    assert Problem(404, "not_found", "No such thing.").fields == {}


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+358401234567", "'+358401234567"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Maija", "Maija"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_a_csv_cell_that_a_spreadsheet_would_run_is_made_text(cell: str, safe: str) -> None:
    assert spreadsheet_safe(cell) == safe


class Colour(enum.StrEnum):
    RED = "red"
    DARK_BLUE = "dark-blue"


def test_an_enum_column_stores_the_values_in_a_plain_string_column() -> None:
    table = Table("paints", MetaData(), Column("colour", enum_column(Colour, length=12)))
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        table.create(connection)
        connection.execute(table.insert(), [{"colour": Colour.DARK_BLUE}, {"colour": "red"}])
        stored = connection.exec_driver_sql("SELECT colour FROM paints").scalars().all()
        read = connection.execute(select(table.c.colour)).scalars().all()
    assert stored == ["dark-blue", "red"]
    assert read == [Colour.DARK_BLUE, Colour.RED]
    column_type = table.c.colour.type
    assert isinstance(column_type, Enum)
    assert column_type.length == 12 and column_type.native_enum is False
    assert column_type.create_constraint is False
    assert "CHECK" not in str(CreateTable(table).compile(engine))
    assert enum_column(Colour).length == 16
