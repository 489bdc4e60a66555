"""Several drillhall processes opening (and so migrating) one new database at the same moment,
then writing at once: nothing is lost, nothing fails."""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.synchronize import Barrier

from drillhall.store import Store

from .sample import make_run

PROCESSES = 4
RUNS_EACH = 20


def _writer(url: str, worker: int, barrier: Barrier) -> None:
    barrier.wait(timeout=60)  # every process opens the new database at the same moment
    with Store.open(url) as store:
        for i in range(RUNS_EACH):
            store.save(make_run(f"w{worker}-{i:02d}", service=f"svc{worker % 2}",
                                minutes=i, libyears=float(worker * 100 + i)))
            if i % 5 == 0:  # readers interleaved with the writers must not break anything
                store.runs(limit=5)


def test_processes_migrate_and_write_one_new_database_at_once(store_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    processes = [
        context.Process(target=_writer, args=(store_url, worker, barrier))
        for worker in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [p.exitcode for p in processes] == [0] * PROCESSES

    with Store.open(store_url) as store:
        summaries = store.runs(limit=1000)
        assert len(summaries) == PROCESSES * RUNS_EACH
        assert store.services() == ["svc0", "svc1"]
        for worker in range(PROCESSES):
            for i in range(RUNS_EACH):
                run_id = f"w{worker}-{i:02d}"
                assert store.get(run_id) == make_run(
                    run_id, service=f"svc{worker % 2}", minutes=i,
                    libyears=float(worker * 100 + i))


def test_threads_share_one_store(store_url: str) -> None:
    errors: list[BaseException] = []
    with Store.open(store_url) as store:

        def write(worker: int) -> None:
            try:
                for i in range(10):
                    store.save(make_run(f"t{worker}-{i}", minutes=i))
                    store.runs(limit=3)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert len(store.runs(limit=100)) == 40
