"""The fork helpers: a child's result reaches the parent, and a child's failure is an error in the parent."""

from __future__ import annotations

import time
from multiprocessing.connection import Connection

import pytest

from civicgraph.util import parallel


def _send_square(channel: Connection) -> None:
    channel.send(channel.recv() ** 2)


def _fail(channel: Connection) -> None:
    raise ValueError("the child's own error")


def test_the_child_answers_through_the_pipe() -> None:
    with parallel.forked(_send_square) as channel:
        channel.send(12)
        assert channel.recv() == 144


def test_a_child_that_failed_is_an_error_on_leaving_the_block() -> None:
    failed = r"^a worker process failed \(exit code 1\); see its error above$"
    with pytest.raises(RuntimeError, match=failed), parallel.forked(_fail):
        pass


def test_a_child_that_failed_while_the_parent_waits_for_it_is_named_as_the_cause() -> None:
    with pytest.raises(RuntimeError, match=r"exit code 1") as raised, parallel.forked(_fail) as channel:
        channel.recv()  # the child died: the pipe is closed
    assert isinstance(raised.value.__cause__, EOFError)


def test_an_error_of_the_parent_stops_the_child_and_is_raised_as_it_is() -> None:
    with pytest.raises(KeyError, match="the parent's"), parallel.forked(_send_square):
        raise KeyError("the parent's")


def _deal_until(dealer: parallel.Dealer, count: int) -> list[int]:
    taken = []
    while (number := dealer.deal()) < count:
        taken.append(number)
        time.sleep(0.002)  # a piece of work: the other process gets its turns meanwhile
    return taken


def test_the_dealer_deals_each_number_once_to_whichever_process_asks() -> None:
    dealer = parallel.Dealer()
    with parallel.forked(lambda channel: channel.send(_deal_until(dealer, 200))) as channel:
        ours = _deal_until(dealer, 200)
        theirs = channel.recv()
    assert sorted(ours + theirs) == list(range(200))
    assert ours and theirs  # both worked: neither took every piece
