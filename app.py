"""Pinterest Ads live dashboard: the entry point (`streamlit run app.py`).

This file is read twice, in two roles:
- `streamlit run app.py` finds `app = st.App(...)` below and imports this module once per
  process (not as `__main__`): that builds the ASGI app (security headers, see web/) and turns
  off Streamlit's pages-directory mode before any session exists (web/pages_mode.py explains
  why `pages/` beside this file needs that).
- Streamlit then runs this file as the script (`__main__`) on every rerun: app_shell.main draws
  the sidebar and the chosen page from pages/. The script stays this short because Streamlit
  compiles it again whenever the last session has left; app_shell is compiled once.
"""

from __future__ import annotations

if __name__ == "__main__":  # Streamlit runs the script (every rerun)
    from app_shell import main

    main()
else:  # `streamlit run app.py` (or uvicorn app:app) imports the module once per process
    import gc

    import streamlit as st

    from dashboard.settings import Settings, SettingsError, load_settings
    from ui.secrets import secrets_section
    from web.asgi import announce_mode, disable_pages_directory_mode, middleware, routes

    disable_pages_directory_mode()
    _settings: Settings | None = None  # unusable settings: every page says why (main)
    try:
        _settings = load_settings(secrets=secrets_section())
        announce_mode(_settings)
    except SettingsError:
        pass
    app = st.App(__file__, routes=routes(_settings), middleware=middleware(_settings))
    # Everything loaded so far (Streamlit, pandas, the dashboard's modules) lives as long as
    # the process: out of the garbage collector's sight, a full collection (its own, now that
    # runner.postScriptGC is off) scans only what the sessions made, not the whole heap.
    gc.freeze()
