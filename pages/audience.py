"""Audience: who the account reaches, against Pinterest's total audience.

The page's code is ui/pages/audience.py: Streamlit compiles this script again whenever
the last session has left, and a script this short costs nothing to compile."""

from ui.pages.audience import main

main()
