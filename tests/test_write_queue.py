"""Writes within the one process take their turn: uploads for the same agency and quarter at
the same moment are all stored, as consecutive versions; reads do not wait for a write."""

import threading

from returns_support import POLICE_Q1, police, send

from thinktank.store.transactions import transaction

THREADS, UPLOADS_EACH = 4, 10


def police_return_numbered(number: int) -> bytes:
    """The police return with its first figure changed, so that each is a new file."""
    indicator, period, breakdown, group, *_ = POLICE_Q1[0].split(",")
    return police((0, f"{indicator},{period},{breakdown},{group},,,{1000 + number},"))


def test_four_uploaders_sending_ten_returns_each_at_once_store_all_forty_in_order(store):
    start = threading.Barrier(THREADS)
    outcomes: list[object] = []

    def uploader(first: int) -> None:
        start.wait()
        for number in range(first, first + UPLOADS_EACH):
            try:
                outcomes.append(send(store, police_return_numbered(number), confirm=True).outcome)
            except Exception as error:  # anything but a stored return fails the test below
                outcomes.append(error)

    threads = [threading.Thread(target=uploader, args=(index * UPLOADS_EACH,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["stored"] * THREADS * UPLOADS_EACH
    cursor = store.cursor()
    versions = [row[0] for row in cursor.execute(
        "SELECT version FROM submissions WHERE agency_id = 'police' AND period = '2024-25 Q1' ORDER BY version"
    ).fetchall()]
    assert versions == list(range(1, THREADS * UPLOADS_EACH + 1))
    stored_figures = {row[0] for row in cursor.execute(
        "SELECT DISTINCT value FROM observations o JOIN submissions s ON s.id = o.submission_id "
        "WHERE s.agency_id = 'police' AND o.indicator_id = 'FD06'"
    ).fetchall()}
    assert stored_figures == {1000 + number for number in range(THREADS * UPLOADS_EACH)}


class UndoneError(Exception):
    """Raised to roll a test's write back."""


def test_a_read_does_not_wait_for_a_write_in_progress(store):
    send(store, police())
    writing, read_done = threading.Event(), threading.Event()

    def slow_writer() -> None:
        try:
            with transaction(store.cursor()) as cursor:
                cursor.execute("DELETE FROM series_points")
                writing.set()
                read_done.wait(10)
                raise UndoneError
        except UndoneError:
            pass

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert writing.wait(10)
    (points,) = store.cursor().execute("SELECT count(*) FROM series_points").fetchone()
    read_done.set()
    writer.join()
    assert points > 0
