"""Tests of calendar sync (scheduler/ical)."""
