"""Calendar sync via iCalendar (RFC 5545), both ways.

Pure modules (plain values in and out; no Flask, no database):

* ``parse``  – feed bytes → icalendar components, repairing common breakage
* ``busy``   – ``read_busy(data, start, end, zone)`` → busy intervals and a problem report
* ``export`` – ``render_feed(events, name)`` and ``booking_ics(...)`` → feed bytes
* ``fetch``  – conditional, time- and size-bounded HTTP GET of a feed, pinned to a vetted
  address, redirects checked by hand
* ``address_guard`` – which addresses a feed may be read from (``ETAAIKA_FEED_ALLOW_PRIVATE``)
* ``texts``  – error and problem codes → plain words in Finnish, Swedish and English

Database-facing modules:

* ``sync``      – the poll job ``poll_feeds`` (scheduler.jobs) and ``refresh_feed``
* ``manage``    – add/remove feeds, ``feed_statuses`` for the admin page, feed tokens
* ``feed_data`` – bookings → FeedEvent values for GET /feeds/<token>.ics
  (scheduler/views/feeds.py), and ``booking_ics_for`` for a family's download
* ``settings``  – ``ETAAIKA_FEED_*`` settings and their defaults
"""
