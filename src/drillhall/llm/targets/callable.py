"""A Python callable as a target, for applications tested in-process.

The callable takes ``(messages, tools)`` — a sequence of
:class:`~drillhall.llm.types.Message` and one of :class:`~drillhall.llm.types.ToolSpec` —
and returns a ``str`` or a :class:`~drillhall.llm.types.Reply`; it may be ``async``. If it
also accepts a ``max_tokens`` keyword, it gets it. A synchronous callable runs in a worker
thread so it cannot block the event loop; ``timeout`` bounds the wait for it (a thread cannot
be killed, so a callable that never returns keeps its thread, but the run goes on).

``load_callable("package.module:function")`` imports one by name (``module:Class.method``
works too), which is how a configuration file or the command line names it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import inspect
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from drillhall.errors import ConfigError, TargetError
from drillhall.llm.targets.base import Budget, TargetTimeout, one_line
from drillhall.llm.types import Message, Reply, ToolSpec

__all__ = ["CallableTarget", "TargetFunction", "load_callable"]

TargetFunction = Callable[..., "str | Reply | Awaitable[str | Reply]"]
"""``fn(messages, tools[, max_tokens=…]) -> str | Reply`` (or an awaitable of one)."""


def load_callable(spec: str) -> TargetFunction:
    """Import ``module:attribute`` (dots in the attribute walk into objects)."""
    module_name, sep, attribute = spec.strip().partition(":")
    if not sep or not module_name or not attribute:
        raise ConfigError(f"the callable target {spec!r} is not written module:function")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"cannot import the module {module_name!r} of the callable target "
                          f"{spec!r}: {exc}") from exc
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as exc:
            raise ConfigError(f"the module {module_name!r} has no {attribute!r} for the "
                              "callable target") from exc
    if not callable(obj):
        raise ConfigError(f"{spec!r} names something that cannot be called")
    fn: TargetFunction = obj
    return fn


async def _in_daemon_thread(call: Callable[[], object]) -> object:
    """Run ``call`` in a daemon thread of its own: unlike the default executor, a callable
    that never returns does not hold up the event loop's shutdown."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[object] = loop.create_future()

    def settle(value: object, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def work() -> None:
        try:
            value = call()
        except BaseException as exc:
            outcome: tuple[object, BaseException | None] = (None, exc)
        else:
            outcome = (value, None)
        with contextlib.suppress(RuntimeError):  # the loop closed while the callable ran
            loop.call_soon_threadsafe(settle, *outcome)

    threading.Thread(target=work, name="drillhall-callable-target", daemon=True).start()
    return await future


def _takes_max_tokens(fn: Callable[..., object]) -> bool:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "max_tokens" or p.kind is inspect.Parameter.VAR_KEYWORD
               for p in parameters)


class CallableTarget:
    """A Python callable as a :class:`~drillhall.llm.types.Target` (see the module
    docstring). An exception from the callable becomes a :class:`TargetError` naming it."""

    def __init__(self, fn: TargetFunction | str, *, label: str | None = None,
                 timeout: float | None = 60.0, concurrency: int = 4,
                 budget: Budget | None = None) -> None:
        self.fn: TargetFunction = load_callable(fn) if isinstance(fn, str) else fn
        if not callable(self.fn):
            raise ConfigError("the callable target is not callable")
        self._label: str = label or (fn if isinstance(fn, str) else str(getattr(
            fn, "__qualname__", type(fn).__name__)))
        self.timeout = timeout
        if concurrency < 1:
            raise ConfigError(f"the target concurrency must be at least 1, not {concurrency}")
        self.concurrency = concurrency
        self.budget = budget
        self._pass_max_tokens = _takes_max_tokens(self.fn)
        self._is_async = inspect.iscoroutinefunction(self.fn) or inspect.iscoroutinefunction(
            type(self.fn).__call__)
        self._semaphores: dict[int, asyncio.Semaphore] = {}

    @property
    def name(self) -> str:
        """``label`` or the callable's qualified name."""
        return self._label

    def __repr__(self) -> str:
        return f"CallableTarget({self.name!r})"

    async def _call(self, messages: Sequence[Message], tools: Sequence[ToolSpec],
                    max_tokens: int | None) -> object:
        kwargs: dict[str, object] = {"max_tokens": max_tokens} if self._pass_max_tokens else {}
        if self._is_async:
            pending = self.fn(list(messages), list(tools), **kwargs)
            return await pending if inspect.isawaitable(pending) else pending
        result = await _in_daemon_thread(
            functools.partial(self.fn, list(messages), list(tools), **kwargs))
        if inspect.isawaitable(result):
            return await result
        return result

    async def send(self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] = (),
                   max_tokens: int | None = None) -> Reply:
        """Call the function and return its answer as a :class:`Reply`."""
        if self.budget is not None:
            self.budget.take(f"the target {self.name}")
        loop_id = id(asyncio.get_running_loop())
        semaphore = self._semaphores.setdefault(loop_id, asyncio.Semaphore(self.concurrency))
        started = time.perf_counter()
        try:
            async with semaphore:
                result = await asyncio.wait_for(self._call(messages, tools, max_tokens),
                                                self.timeout)
        except TimeoutError as exc:
            raise TargetTimeout(f"the callable target {self.name} did not return within "
                                f"{self.timeout:g} seconds") from exc
        except Exception as exc:
            raise TargetError(f"the callable target {self.name} raised "
                              f"{type(exc).__name__}: {one_line(exc) or 'no message'}") from exc
        latency = time.perf_counter() - started
        if isinstance(result, str):
            return Reply(text=result, latency=latency)
        if isinstance(result, Reply):
            return result if result.latency else replace(result, latency=latency)
        raise TargetError(f"the callable target {self.name} returned {type(result).__name__}, "
                          "not str or Reply")

    async def aclose(self) -> None:
        """Nothing to release."""
        self._semaphores.clear()
