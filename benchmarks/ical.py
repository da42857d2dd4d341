"""Calendar sync speed: import of the largest corpus feed, and rendering a 2,000-booking feed.

Prints one JSON object:
  import_ms          read_busy() of python-recurring-ical-events/issue42.ics (1.65 MB,
                     4,778 events) for a 26-week window: parse, repair checks, X-WR-TIMEZONE,
                     expansion and the busy rules
  bare_parse_ms      icalendar.Calendar.from_ical() of the same bytes alone (the floor)
  import_over_parse  the ratio of the two (target: at most 2)
  export_2000_ms     render_feed() of 2,000 bookings (target: under 100 ms)

Each figure is the median of several runs (import and bare parse interleaved), in CPU
time of this process, so that other work on a shared machine does not skew it. The
window starts on 2013-01-01, inside the feed's busiest years, so the expansion has real
work to do. Run:
  .venv/bin/python benchmarks/ical.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduler.ical.busy import read_busy
from scheduler.ical.export import FeedEvent, render_feed

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ical"
FEED = CORPUS / "python-recurring-ical-events" / "issue42.ics"


def median_ms(run: Callable[[], object], times: int) -> float:
    samples = []
    for _ in range(times):
        start = time.process_time()
        run()
        samples.append((time.process_time() - start) * 1000)
    return statistics.median(samples)


def bookings(count: int) -> list[FeedEvent]:
    start = datetime(2026, 1, 5, 6, tzinfo=UTC)
    return [
        FeedEvent(
            uid=f"{i:08d}-booking@etaaika",
            sequence=i % 3,
            start=start + timedelta(hours=i),
            end=start + timedelta(hours=i, minutes=45),
            summary="Lastenvalvojan tapaaminen (elatus, huolto ja tapaamisoikeus)",
            url=f"https://etaaika.example.fi/staff/agenda?booking={i}",
            stamp=start,
            cancelled=i % 10 == 0,
        )
        for i in range(count)
    ]


def main() -> None:
    data = FEED.read_bytes()
    window_start = datetime(2013, 1, 1, tzinfo=UTC)
    window_end = window_start + timedelta(weeks=26)
    zone = ZoneInfo("Europe/Helsinki")
    result = read_busy(data, window_start, window_end, zone)
    assert result.ok and result.intervals, "the benchmark feed gave no busy times"
    # Interleaved, so that load from other processes falls on both alike.
    bare_runs: list[float] = []
    import_runs: list[float] = []
    for _ in range(5):
        bare_runs.append(median_ms(lambda: icalendar.Calendar.from_ical(data), 1))
        import_runs.append(median_ms(lambda: read_busy(data, window_start, window_end, zone), 1))
    bare, imported = statistics.median(bare_runs), statistics.median(import_runs)
    events = bookings(2000)
    render_feed(events, "Etäaika – Työntekijä")  # warm the VTIMEZONE cache
    export = median_ms(lambda: render_feed(events, "Etäaika – Työntekijä"), 7)
    print(
        json.dumps(
            {
                "import_ms": round(imported, 1),
                "bare_parse_ms": round(bare, 1),
                "import_over_parse": round(imported / bare, 2),
                "export_2000_ms": round(export, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
