"""API status: how much of Pinterest's rate limit is left, cache use, latency, recent errors.

The page's code is ui/pages/api_status.py: Streamlit compiles this script again whenever
the last session has left, and a script this short costs nothing to compile."""

from ui.pages.api_status import main

main()
