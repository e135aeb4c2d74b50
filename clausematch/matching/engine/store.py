"""One side of the index (candidates, or offers): segments, tombstones, pending upserts.

`replace` builds the whole side (start-up, nightly rebuild) in chunks, merged into one
segment. An upsert tombstones the id's current row at once and queues the new row; a removal
tombstones it. The queue becomes a small segment before the next query reads the side, so
every change is visible to the very next ranking. Small segments are merged as they pile up
(each merge at least doubles a segment, so a row is copied O(log n) times), and everything is
compacted into one segment once tombstones exceed COMPACT_DEAD of the rows.
"""
from collections.abc import Callable, Iterable

from clausematch.matching.engine.building import TitleTable, build
from clausematch.matching.engine.segment import Row, Segment, merge

CHUNK = 100_000  # rows built at a time by `replace`: bounds the memory of the build
FLUSH_AT = 5_000  # pending rows built into a segment without waiting for a query
COMPACT_DEAD = 0.2


class Store:
    def __init__(self, to_row: Callable[[object], Row], referential):
        self.to_row = to_row
        self.referential = referential
        self._reset()

    def _reset(self) -> None:
        self.segments: list[Segment] = []
        self.where: dict[object, tuple[Segment, int]] = {}
        self.pending: dict[object, Row] = {}
        self.titles = TitleTable()

    def __len__(self) -> int:
        return len(self.where) + len(self.pending)

    def __contains__(self, id) -> bool:
        return id in self.where or id in self.pending

    def replace(self, profiles: Iterable) -> None:
        """Index exactly `profiles` (the last one wins when an id repeats)."""
        self._reset()
        to_row = self.to_row
        latest = {row.id: row for row in map(to_row, profiles)}  # the last row of an id wins
        rows = list(latest.values())
        del latest
        chunks = [build(rows[start:start + CHUNK], self.referential, self.titles)
                  for start in range(0, len(rows), CHUNK)]
        del rows
        if chunks:
            self._add(merge(chunks) if len(chunks) > 1 else chunks[0])

    def upsert(self, profile) -> None:
        row = self.to_row(profile)
        self._kill(row.id)
        self.pending.pop(row.id, None)
        self.pending[row.id] = row
        if len(self.pending) >= FLUSH_AT:
            self.flush()

    def remove(self, id) -> bool:
        """Forget `id`; False if it was not indexed."""
        known = self._kill(id)
        return self.pending.pop(id, None) is not None or known

    def live_segments(self) -> list[Segment]:
        """The segments to read, with every change made so far."""
        self.flush()
        self._maintain()
        return self.segments

    def flush(self) -> None:
        if not self.pending:
            return
        rows = list(self.pending.values())
        self.pending.clear()
        self._add(build(rows, self.referential, self.titles))

    def _kill(self, id) -> bool:
        located = self.where.pop(id, None)
        if located is None:
            return False
        segment, row = located
        segment.kill(row)
        return True

    def _add(self, segment: Segment) -> None:
        self.segments.append(segment)
        for row, id in enumerate(segment.ids):
            self.where[id] = (segment, row)

    def _maintain(self) -> None:
        """Merge trailing segments of similar size; compact all when too many rows are dead."""
        self.segments = [s for s in self.segments if s.dead < s.size]
        total = sum(s.size for s in self.segments)
        dead = sum(s.dead for s in self.segments)
        if dead > COMPACT_DEAD * total:
            self._merge_tail(len(self.segments))
        while len(self.segments) > 1 and self.segments[-2].size <= 2 * self.segments[-1].size:
            self._merge_tail(2)

    def _merge_tail(self, count: int) -> None:
        tail = self.segments[-count:]
        self.segments = self.segments[:-count]
        merged = merge(tail)
        if merged.size:
            self._add(merged)
