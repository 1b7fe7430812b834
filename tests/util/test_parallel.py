"""The fork helpers: a child's result reaches the parent, and a child's failure is an error in the parent."""

from __future__ import annotations

import errno
import io
import multiprocessing
import multiprocessing.util
import os
import pickle
import signal
import sys
import time
import types
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pytest

from civicgraph.util import parallel
from civicgraph.util.errors import ExitCode, InputError, Message, Problem, Terminated
from civicgraph.util.folders import FolderRefused


def _send_square(channel: Connection) -> None:
    channel.send(channel.recv() ** 2)


def _fail(channel: Connection) -> None:
    raise ValueError("the child's own error")


def test_the_child_answers_through_the_pipe() -> None:
    with parallel.forked(_send_square) as channel:
        channel.send(12)
        assert channel.recv() == 144


def test_a_child_that_failed_raises_its_own_error_on_leaving_the_block(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match=r"^the child's own error\n") as raised, parallel.forked(_fail):
        pass
    # its traceback is a note of the error (shown by --debug), not printed by the child before the parent's message
    assert "raised in a forked worker process:\nTraceback" in raised.value.__notes__[0]
    assert capfd.readouterr().err == ""


def test_a_child_that_failed_while_the_parent_waits_for_it_is_raised_caused_by_the_closed_pipe() -> None:
    with pytest.raises(ValueError, match="the child's own error") as raised, parallel.forked(_fail) as channel:
        channel.recv()  # the child died: the pipe is closed
    assert isinstance(raised.value.__cause__, EOFError)


def _refuse(channel: Connection) -> None:
    raise FolderRefused(Message("folder jest zajęty", "the folder is taken"))


_PROBLEM = Problem(Path("reports/30/2023/report.yaml"), 3, "year", "not a year", "to nie jest rok")


def _find_a_problem(channel: Connection) -> None:
    raise InputError([_PROBLEM])


def test_a_failure_in_the_child_reaches_the_parent_with_its_kind_messages_and_exit_code() -> None:
    """Pickled from its arguments, a Failure would not unpickle: its ``args`` hold the English text alone."""
    with pytest.raises(FolderRefused) as raised, parallel.forked(_refuse):
        pass
    assert (raised.value.message, raised.value.exit_code) == (
        Message("folder jest zajęty", "the folder is taken"),
        ExitCode.USAGE,
    )
    assert "raised in a forked worker process:\nTraceback" in raised.value.__notes__[0]


def test_the_problems_found_in_the_child_reach_the_parent() -> None:
    with pytest.raises(InputError) as raised, parallel.forked(_find_a_problem):
        pass
    assert raised.value.problems == [_PROBLEM]
    assert str(raised.value) == "reports/30/2023/report.yaml:3: year: not a year"


def _two_megabytes() -> bytes:
    return bytes(range(256)) * 8192


def test_a_forked_result_larger_than_the_pipe_is_waited_for_on_leaving_the_block() -> None:
    """A child cannot end before what it sends is read: leaving the block reads it, whether it was asked for or
    not, and it is received once. (Unread, leaving the block would wait for the child forever: the alarm ends it.)"""

    def stuck(_signal: int, _frame: object) -> None:
        raise TimeoutError("leaving the block waited for a child that could not end")

    signal.signal(signal.SIGALRM, stuck)
    signal.alarm(30)
    try:
        with parallel.forked_result(_two_megabytes) as result:
            pass
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
    assert result() == bytes(range(256)) * 8192
    assert result() is result()
    with parallel.forked_result(_two_megabytes) as result:
        assert len(result()) == 2**21


def _refuse_to_answer() -> bytes:
    raise FolderRefused(Message("folder jest zajęty", "the folder is taken"))


def test_a_forked_result_that_failed_raises_the_childs_error_when_asked_for() -> None:
    with pytest.raises(FolderRefused, match=r"^the folder is taken\n"), parallel.forked_result(_refuse_to_answer) as r:
        r()


_PARENT = os.getpid()


def _in_the_child_only(fail: Callable[[], None]) -> Callable[[Sequence[int]], None]:
    """Work that fails in the forked child; the parent is slow at its piece, so that the child takes the other one
    (pieces are dealt to whichever process asks first)."""

    def work(share: Sequence[int]) -> None:
        if os.getpid() == _PARENT:
            time.sleep(0.3)
        else:
            fail()

    return work


def _fill_the_disk() -> None:
    raise OSError(errno.ENOSPC, "No space left on device", "dist/site/page.html")


def test_a_full_disk_in_a_worker_is_the_workers_error_in_the_parent_and_prints_nothing(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    with pytest.raises(OSError) as raised:
        parallel.in_parallel(list(range(100)), _in_the_child_only(_fill_the_disk), piece=50)
    assert (raised.value.errno, raised.value.filename) == (errno.ENOSPC, "dist/site/page.html")
    assert "raised in a forked worker process" in raised.value.__notes__[0]
    assert capfd.readouterr().err == ""


def test_a_worker_that_dies_without_an_error_is_named_by_its_exit_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    with pytest.raises(
        parallel.WorkerEnded, match=r"^a worker process ended with exit code 7 before finishing its work$"
    ) as raised:
        parallel.in_parallel(list(range(100)), _in_the_child_only(lambda: os._exit(7)), piece=50)
    assert raised.value.exit_code == ExitCode.WORKER_ENDED == 5
    assert raised.value.message.pl == "proces roboczy zakończył się kodem 7, zanim skończył pracę"


def test_leaving_the_block_waits_for_the_childs_word_that_it_is_done_not_for_its_end(tmp_path: Path) -> None:
    """The child's last act (a multiprocessing finalizer, run as it ends, after its work) waits up to 10 s for the
    parent to have left the block: a parent that waited for the child's end would leave it only then."""
    context = multiprocessing.get_context("fork")
    parent_left, tell_the_child = context.Pipe(duplex=False)
    seen = tmp_path / "seen"

    def at_its_end() -> None:
        seen.write_text("the parent had left the block" if parent_left.poll(10) else "the parent was waiting")

    def work(_channel: Connection) -> None:
        multiprocessing.util.Finalize(None, at_its_end, exitpriority=10)

    with parallel.forked(work):
        pass
    tell_the_child.send(None)
    for child in multiprocessing.active_children():
        child.join()
    assert seen.read_text() == "the parent had left the block"


def _killed(number: int) -> Callable[[], bytes]:
    def work() -> bytes:
        os.kill(os.getpid(), number)
        return b"never sent"

    return work


_KILLED_BY_THE_SYSTEM = (
    "a worker process was killed by signal SIGKILL before finishing its work (the system kills processes so when it "
    "runs out of memory)"
)


def test_a_child_killed_while_the_parent_waits_for_its_result_is_named_by_its_signal() -> None:
    """The parent finds the pipe closed (EOFError), and the child ended by a signal the parent did not send: it was
    killed by another (the system, short of memory), which is what the error says, caused by the closed pipe."""
    with pytest.raises(parallel.WorkerEnded) as raised, parallel.forked_result(_killed(signal.SIGKILL)) as result:
        result()
    assert str(raised.value) == _KILLED_BY_THE_SYSTEM
    assert isinstance(raised.value.__cause__, EOFError)
    with pytest.raises(parallel.WorkerEnded) as raised, parallel.forked_result(_killed(signal.SIGTERM)) as result:
        result()
    assert str(raised.value) == "a worker process was ended by signal SIGTERM before finishing its work"
    assert raised.value.message.pl == "proces roboczy został zakończony sygnałem SIGTERM, zanim skończył pracę"


def _record(folder: Path, name: str) -> None:
    """A file named for what was done, holding the pid that did it; made only if it is not there yet."""
    with (folder / name).open("x") as file:
        file.write(str(os.getpid()))


def _done_by(folder: Path) -> dict[str, int]:
    return {path.name: int(path.read_text()) for path in folder.iterdir()}


def test_every_item_and_job_is_done_once_and_the_faster_process_takes_more_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: 2)

    def work(share: Sequence[int]) -> None:
        for item in share:
            _record(tmp_path, f"item-{item}")
        if os.getpid() == _PARENT:
            time.sleep(0.05)  # the parent is slow: pieces dealt as asked for go mostly to the child

    parallel.in_parallel(list(range(400)), work, piece=10, besides=[lambda: _record(tmp_path, "job")])

    done = _done_by(tmp_path)
    assert sorted(done) == sorted(["job", *(f"item-{n}" for n in range(400))])  # each once ("x" mode)
    pieces_by_child = len({n // 10 for n in range(400) if done[f"item-{n}"] != _PARENT})
    assert pieces_by_child > 30  # of 40 pieces; shares fixed beforehand would have given it 20


def test_the_jobs_besides_the_items_are_dealt_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: 1)  # one process: it takes everything in the order dealt
    done: list[object] = []
    parallel.in_parallel(
        list(range(5)), lambda share: done.append(list(share)), piece=2, besides=[lambda: done.append("job")]
    )
    assert done == ["job", [0, 1], [2, 3], [4]]


def _kill_self(_channel: Connection) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_child_killed_before_the_parent_writes_to_it_is_named_by_its_signal() -> None:
    """Writing to the pipe of a child that was killed (BrokenPipeError) is its end too, not a file system error."""
    with pytest.raises(parallel.WorkerEnded) as raised, parallel.forked(_kill_self) as channel:
        assert channel.poll(60)  # readable once the child's end is closed: it has ended
        channel.send_bytes(b"x" * 2**20)  # more than the pipe holds: the write reaches the closed end
    assert str(raised.value) == _KILLED_BY_THE_SYSTEM
    assert isinstance(raised.value.__cause__, BrokenPipeError)


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


def _square(number: int) -> int:
    return number**2


def _fail_spawned(number: int) -> int:
    raise ValueError(f"the spawned child's own error about {number}")


def _killed_while_sending() -> None:
    """Sends the start of a pickled result on stdout, where the spawned child sends its outcome, and is killed."""
    sys.stdout.buffer.write(pickle.dumps((False, list(range(1000))))[:100])
    sys.stdout.buffer.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _seen() -> tuple[str, str]:
    return os.environ.get("CIVICGRAPH_TEST_SEEN", ""), getattr(parallel, "SEEN_BY_CHILDREN", "not there")


def _write_later(path: Path) -> None:
    time.sleep(1)
    path.write_text("the child was not stopped")


def _numbered_by_process(share: Sequence[int]) -> list[tuple[int, int]]:
    return [(number, os.getpid()) for number in share]


def test_mapped_results_come_in_the_order_of_the_items_from_both_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    results = parallel.map_in_parallel(range(100), _numbered_by_process)
    assert [number for number, _pid in results] == list(range(100))
    child = results[1][1]
    assert child != os.getpid()
    assert {pid for number, pid in results if number % 2} == {child}
    assert {pid for number, pid in results if not number % 2} == {os.getpid()}


def test_fewer_items_than_the_minimum_are_mapped_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    assert parallel.map_in_parallel(range(63), _numbered_by_process) == [(n, os.getpid()) for n in range(63)]


def test_a_mapping_child_that_failed_raises_its_own_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def odd_ones_fail(share: Sequence[int]) -> list[int]:
        if share[0] == 1:
            raise ValueError("the child's own error")
        return list(share)

    monkeypatch.setattr(parallel, "workers", lambda: 2)
    with pytest.raises(ValueError, match=r"^the child's own error\n"):
        parallel.map_in_parallel(range(100), odd_ones_fail)


def test_a_spawned_child_returns_its_result_to_the_parent() -> None:
    with parallel.spawned(_square, 12) as result:
        assert result() == 144
        assert result() == 144  # asked again: the same, not received twice


def test_a_spawned_child_shares_no_memory_with_its_parent() -> None:
    """It starts as a new interpreter: what this process set is not there (a forked child would see it)."""
    os.environ["CIVICGRAPH_TEST_SEEN"] = "in the environment"  # a new interpreter inherits the environment
    parallel.SEEN_BY_CHILDREN = "set in the parent"  # type: ignore[attr-defined]
    try:
        with parallel.spawned(_seen) as result:
            assert result() == ("in the environment", "not there")
    finally:
        del parallel.SEEN_BY_CHILDREN  # type: ignore[attr-defined]
        del os.environ["CIVICGRAPH_TEST_SEEN"]


def test_a_spawned_child_that_failed_raises_its_own_error_when_its_result_is_asked_for(
    capfd: pytest.CaptureFixture[str],
) -> None:
    with (
        pytest.raises(ValueError, match=r"^the spawned child's own error about 7\n") as raised,
        parallel.spawned(_fail_spawned, 7) as result,
    ):
        result()
    assert "raised in a spawned worker process:\nTraceback" in raised.value.__notes__[0]
    assert capfd.readouterr().err == ""


def test_a_spawned_child_killed_while_sending_its_result_is_reported_as_killed() -> None:
    """Part of a result, cut off where the child was killed (the OOM killer, say), is not unpickled: the parent
    reports the child's end as it does a forked child's, rather than failing to read what it sent."""
    with (
        pytest.raises(parallel.WorkerEnded) as raised,
        parallel.spawned(_killed_while_sending) as result,
    ):
        result()
    assert str(raised.value) == _KILLED_BY_THE_SYSTEM


class _TakingPart(io.RawIOBase):
    """A raw output stream that takes at most 1,000 bytes a write, as a raw file's write to a full pipe does when the
    process is stopped meanwhile (a signal, a sampling profiler pausing it)."""

    def __init__(self) -> None:
        self.taken = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        part = bytes(data[:1000])
        self.taken += part
        return len(part)


def _same(value: object) -> object:
    return value


def test_a_spawned_child_sends_all_of_its_result_when_its_output_takes_part_of_each_write(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With PYTHONUNBUFFERED set, the child's standard output is the raw file (no buffer that would write the rest):
    the whole result must still reach the parent, not its first part."""
    result = list(range(10_000))
    output = _TakingPart()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(pickle.dumps((_same, (result,))))))
    monkeypatch.setattr(sys, "stdout", types.SimpleNamespace(buffer=output))
    parallel.serve_spawned()
    assert len(output.taken) > 10_000  # taken a thousand bytes at a time
    assert pickle.loads(bytes(output.taken)) == (False, result)


def test_an_error_of_the_parent_stops_the_spawned_child(tmp_path: Path) -> None:
    written = tmp_path / "written"
    with pytest.raises(KeyError, match="the parent's"), parallel.spawned(_write_later, written):
        raise KeyError("the parent's")
    time.sleep(2)  # what the child would have written by now, had it been waited for or left running
    assert not written.exists()


def _terminated_spawned() -> None:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(60)  # interrupted at once


def test_a_spawned_child_sent_sigterm_sends_it_back_as_the_interrupt_it_is() -> None:
    """As a forked worker of the console script does (it inherits the handler): SIGTERM to a build's whole process
    group then ends the build as terminated, whichever process the parent hears from first, and the child prints
    no traceback of its own."""
    with pytest.raises(Terminated) as raised, parallel.spawned(_terminated_spawned) as result:
        result()
    assert "raised in a spawned worker process:\nTraceback" in raised.value.__notes__[0]
