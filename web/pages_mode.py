"""Keep Streamlit's old pages-directory mode off although `pages/` sits beside app.py.

Streamlit 1.67 decides once per process, in `PagesManager.__init__`, whether the app "uses a
pages directory": the class attribute `PagesManager.uses_pages_directory` is set to whether
`pages/` exists beside the main script, if it is still None. While it is true, the script
runner does not exec app.py but `_mpa_v1`, which builds a navigation from the files in `pages/`
and runs the one the URL names *without* app.py: a deep link such as `/campaigns` as the very
first request after start would run pages/campaigns.py with no sidebar and no filters. Only the
first `st.navigation` call sets the attribute to False (commands/navigation.py).

app.py is imported once per process by `streamlit run app.py` (it finds `app = st.App(...)`)
before the runtime starts and before any session, so any PagesManager is built after this
module has set the attribute to False, and the `is None` guard keeps it False. Nothing else in
Streamlit sets it but AppTest, which resets it to None before every run: `ServedPagesManager`
gives AppTest runs (tests, bench) the served app's setting.
"""

from __future__ import annotations

from typing import Any

from streamlit.runtime.pages_manager import PagesManager


def disable_pages_directory_mode() -> None:
    PagesManager.uses_pages_directory = False


class ServedPagesManager(PagesManager):
    """PagesManager as a served app has it, for AppTest (which resets the flag to None just
    before it builds one): the flag is cleared by the same function before it is read.
    Use: monkeypatch `streamlit.testing.v1.app_test.PagesManager` with this class."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        disable_pages_directory_mode()
        super().__init__(*args, **kwargs)
