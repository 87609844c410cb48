"""Work handles for asynchronous collectives: ``wait()``, ``is_completed()``, with a timeout."""
from __future__ import annotations

import os
import time
from datetime import timedelta


class DistError(RuntimeError):
    """Raised when an error occurs in the distributed library."""


class DistBackendError(DistError):
    """Raised when a backend error occurs (a collective failed or timed out)."""


class DistNetworkError(DistError):
    """Raised when a network error occurs in the distributed library."""


class DistStoreError(DistError):
    """Raised when an error occurs in the distributed store."""


_BUSY_S = 1e-3  # how long a wait polls without giving up the core
_SPIN_S = 2e-2  # how long a wait polls before it starts sleeping
_yield = getattr(os, "sched_yield", lambda: time.sleep(0))


def _seconds(timeout) -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, timedelta):
        return timeout.total_seconds()
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        return float(timeout)
    raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, got {type(timeout).__name__}")


class Work:
    """The handle of a communication started with ``async_op=True``.

    ``test()`` is a backend callable returning True when the underlying requests are done (it also
    drives the backend's progress); ``finish()`` runs once on completion (copies results back into
    the user's tensors). ``timeout`` is the process group's timeout in seconds.

    >>> import ember.distributed as dist
    >>> w = dist.Work.completed([])
    >>> w.is_completed(), w.wait()
    (True, True)
    """

    __slots__ = ("_done", "_exc", "_finish", "_keep", "_result", "_test", "_timeout", "_value", "_what")

    def __init__(self, test, finish=None, timeout: float | None = None, result=None, what: str = "collective",
                 keep=None):
        self._test = test
        self._finish = finish
        self._timeout = timeout
        self._done = False
        self._result = result if result is not None else []
        self._exc = None
        self._what = what
        self._keep = keep  # buffers that must live until the communication completes
        self._value = None

    @classmethod
    def completed(cls, result=None) -> Work:
        """A work handle that is already complete."""
        w = cls(lambda: True, None, None, result)
        w._complete()
        return w

    def _then(self, fn) -> Work:
        """Run ``fn()`` after the current finishing step (copies into the caller's tensors); returns self."""
        if fn is None:
            return self
        if self._done:  # finished already (a synchronous backend): finish now
            fn()
            return self
        prev = self._finish
        if prev is None:
            self._finish = fn
        else:
            def both():
                v = prev()
                fn()
                return v

            self._finish = both
        return self

    def _complete(self) -> None:
        self._done = True
        fin, self._finish = self._finish, None
        self._keep = None
        if fin is not None:
            try:
                self._value = fin()
            except Exception as e:  # keep the failure for exception(), then raise
                self._exc = e
                raise

    def is_completed(self) -> bool:
        """Whether the operation has finished (does not block)."""
        if not self._done and self._test():
            self._complete()
        return self._done

    def is_success(self) -> bool:
        """Whether the operation finished without an error."""
        return self.is_completed() and self._exc is None

    def exception(self):
        """The exception the operation raised, or None."""
        return self._exc

    def wait(self, timeout: timedelta | None = None) -> bool:
        """Block until done; raises DistBackendError after ``timeout`` (default: the group's timeout)."""
        if self._done:
            if self._exc is not None:
                raise self._exc
            return True
        t = _seconds(timeout)
        limit = t if t is not None and t > 0 else self._timeout
        test = self._test
        if not test():
            start = time.monotonic()
            deadline = None if limit is None else start + limit
            pause = 0.0
            while not test():
                now = time.monotonic()
                if deadline is not None and now > deadline:
                    raise DistBackendError(
                        f"{self._what} timed out after {limit:.1f} seconds: another rank did not take part (it may "
                        "have failed, or called a different collective). Pass a larger timeout to "
                        "init_process_group(timeout=...) if the ranks are just slow.")
                waited = now - start
                if waited < _BUSY_S:  # poll hard first: most waits end within a fraction of a millisecond
                    continue
                if waited < _SPIN_S:  # then poll, yielding the core to any other rank that needs it
                    _yield()
                else:  # then back off, so a long wait costs no CPU
                    pause = min(1e-3, pause * 2 if pause else 2e-5)
                    time.sleep(pause)
        self._complete()
        return True

    def result(self) -> list:
        """The output tensors of the operation (after ``wait()``)."""
        self.wait()
        return self._result

    def source_rank(self) -> int:
        """For a receive: the rank the message came from."""
        self.wait()
        return self._value

    def synchronize(self) -> None:
        """Same as ``wait()`` on the CPU."""
        self.wait()

    def __repr__(self) -> str:
        return f"<ember.distributed.Work {self._what} completed={self._done}>"
