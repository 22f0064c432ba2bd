"""Textual's Linux terminal driver, with an input thread that sleeps while nobody types.

Textual's input thread waits for the terminal with a 0.1 s timeout, so it wakes ten times a
second for nothing: about 0.08 % of a core here, a sixth of issue 27's idle budget for the whole
of tfexam. The timeout is there for the parser: an Esc that may start an escape sequence is
delivered as a key only once no more bytes came (``parser.tick``). So this driver keeps Textual's
0.1 s only while keys are arriving (KEYS_RECENT_S after the last byte) and otherwise waits until
the next byte, or until the app stops its input (a byte on a pipe of its own wakes it).

The loop is Textual 8's ``LinuxDriver.run_input_thread`` with those two changes; the app uses
this driver only where Textual would use its ``LinuxDriver`` (not in a browser tab or a test).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import time
from codecs import getincrementaldecoder
from typing import Any

from textual._loop import loop_last
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

#: While keys are arriving, how often a sequence cut short is looked at (Textual's own wait).
ESCAPE_CHECK_S = 0.1
#: For this long after the last byte from the terminal the thread keeps that pace; afterwards it
#: waits for the next byte without a timeout.
KEYS_RECENT_S = 1.0


class QuietLinuxDriver(LinuxDriver):
    """:class:`LinuxDriver` whose input thread does not wake while no key arrives."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wake_read, self._wake_write = os.pipe()
        self._stop_input = False

    def disable_input(self) -> None:
        """Textual's, after waking the input thread (it may be waiting without a timeout)."""
        self._stop_input = True
        with contextlib.suppress(OSError):
            os.write(self._wake_write, b"\0")
        super().disable_input()

    def close(self) -> None:
        super().close()
        for fd in (self._wake_read, self._wake_write):
            with contextlib.suppress(OSError):
                os.close(fd)

    def run_input_thread(self) -> None:
        """Wait for input and dispatch events (Textual's loop, see the module's docstring)."""
        self._stop_input = False
        selector = selectors.SelectSelector()
        fileno = self.fileno
        selector.register(fileno, selectors.EVENT_READ)
        selector.register(self._wake_read, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        feed = parser.feed
        tick = parser.tick
        decode = getincrementaldecoder("utf-8")().decode
        last_input = time.monotonic()

        def process_selector_events(
            selector_events: list[tuple[selectors.SelectorKey, int]], final: bool = False
        ) -> None:
            nonlocal last_input
            for last, (key, mask) in loop_last(selector_events):
                if key.fd == self._wake_read:
                    with contextlib.suppress(OSError):
                        os.read(self._wake_read, 64)
                    continue
                if mask & selectors.EVENT_READ:
                    last_input = time.monotonic()
                    unicode_data = decode(os.read(fileno, 1024 * 4), final=final and last)
                    if not unicode_data:
                        break  # stdin is piped
                    for event in feed(unicode_data):
                        self.process_message(event)
            for event in tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set() and not self._stop_input:
                recent = time.monotonic() - last_input < KEYS_RECENT_S
                process_selector_events(selector.select(ESCAPE_CHECK_S if recent else None))
            selector.unregister(fileno)
            process_selector_events(selector.select(ESCAPE_CHECK_S), final=True)
        finally:
            selector.close()
            try:
                for _event in feed(""):
                    pass
            except (EOFError, ParseError):
                pass
