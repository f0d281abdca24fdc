"""Campaigns: one table of every campaign; drill into ad groups and ads; top-N; pacing.

The page's code is ui/pages/campaigns.py: Streamlit compiles this script again whenever
the last session has left, and a script this short costs nothing to compile."""

from ui.pages.campaigns import main

main()
