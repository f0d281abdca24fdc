"""One panel for a long Pinterest job (async report, bulk download) kept in the session.

Both export pages start a job, wait for it up to a time the user chooses, and when it runs
longer leave it in the session to be picked up ("Check again") while other pages are used;
a failure shows its message with "Retry". The pages differ only in how a job is started and
waited for, which they hand to `JobPanel`; the panel owns the session keys and the widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import streamlit as st

from dashboard.errors import PinterestError
from dashboard.jobs import Progress, StillRunning, job_message
from dashboard.text import md_escape

Request = TypeVar("Request")
Job = TypeVar("Job")
Outcome = TypeVar("Outcome")


@dataclass(frozen=True)
class JobPanel(Generic[Request, Job, Outcome]):
    key: str  # session-state and widget key prefix: "rb", "bulk"
    noun: str  # "report", "bulk download"
    create: Callable[[Request], Job]  # starts the job upstream
    wait: Callable[[Job, float, Progress], Outcome]  # raises StillRunning, PinterestError
    label: Callable[[Job], str]  # the status box's title while waiting
    note: Callable[[Job], str] = lambda job: ""  # appended to the "still running" line
    message: Callable[[PinterestError], str] = job_message  # a failure in plain words

    # session keys: "<key>_job", "<key>_outcome", "<key>_error", "<key>_still_running",
    # "<key>_last_request"; "<key>_wait" is the page's own wait widget.
    def _k(self, name: str) -> str:
        return f"{self.key}_{name}"

    # actions ----------------------------------------------------------------------------
    def submit(self, request: Request) -> None:
        """Start `request` and wait for it; the outcome or message lands in the session."""
        for key in (self._k("outcome"), self._k("error"), self._k("failure"),
                    self._k("still_running")):
            st.session_state.pop(key, None)
        st.session_state[self._k("last_request")] = request
        try:
            job = self.create(request)
        except PinterestError as exc:
            st.session_state[self._k("error")] = self.message(exc)
            return
        st.session_state[self._k("job")] = job
        self._drive(job)

    def _drive(self, job: Job) -> None:
        wait_s = float(st.session_state.get(self._k("wait"), 120))
        with st.status(self.label(job), expanded=True) as status:
            bar = st.empty()

            def progress(fraction: float | None, text: str) -> None:
                if fraction is None:
                    bar.caption(md_escape(text))
                else:
                    bar.progress(min(max(fraction, 0.0), 1.0), text=md_escape(text))

            try:
                outcome = self.wait(job, wait_s, progress)
            except StillRunning as exc:
                status.update(label="Still running: pick it up later", state="running",
                              expanded=False)
                st.session_state[self._k("still_running")] = str(exc)
                return
            except PinterestError as exc:
                status.update(label=f"The {self.noun} did not finish", state="error",
                              expanded=False)
                st.session_state.pop(self._k("job"), None)
                st.session_state[self._k("error")] = self.message(exc)
                st.session_state[self._k("failure")] = exc
                return
            status.update(label=f"{self.noun.capitalize()} ready", state="complete",
                          expanded=False)
        st.session_state.pop(self._k("job"), None)
        st.session_state.pop(self._k("still_running"), None)
        st.session_state[self._k("outcome")] = outcome

    # drawing ----------------------------------------------------------------------------
    def show_pending(self, job_type: type[Job]) -> None:
        """A job left running: what it is at, "Check again" and "Forget"."""
        job = st.session_state.get(self._k("job"))
        message = st.session_state.get(self._k("still_running"))
        if not isinstance(job, job_type) or not message:
            return
        note = self.note(job)
        text = md_escape(f"{message} {note}".strip(), 1000)
        st.info(text + " You can use other pages meanwhile.", icon=":material/hourglass_top:")
        again, forget = st.columns(2)
        if again.button("Check again", key=f"{self.key}_resume", icon=":material/refresh:"):
            st.session_state.pop(self._k("still_running"), None)
            self._drive(job)
            st.rerun()
        if forget.button(f"Forget this {self.noun}", key=f"{self.key}_forget"):
            st.session_state.pop(self._k("job"), None)
            st.session_state.pop(self._k("still_running"), None)
            st.rerun()

    def show_error(self, request_type: type[Request],
                   offer: Callable[[PinterestError], None] | None = None) -> None:
        """The last failure, with "Retry" for the same request; `offer(error)` may draw what
        can still be saved from it (a file that arrived but could not be read)."""
        message = st.session_state.get(self._k("error"))
        if not message:
            return
        st.error(md_escape(message, 1000), icon=":material/error:")
        failure = st.session_state.get(self._k("failure"))
        if offer is not None and isinstance(failure, PinterestError):
            offer(failure)
        request = st.session_state.get(self._k("last_request"))
        if isinstance(request, request_type) and st.button(
            "Retry", key=f"{self.key}_retry", icon=":material/replay:"
        ):
            self.submit(request)
            st.rerun()

    def outcome(self, outcome_type: type[Outcome]) -> Outcome | None:
        value = st.session_state.get(self._k("outcome"))
        return value if isinstance(value, outcome_type) else None
