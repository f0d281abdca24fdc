"""Metrics glossary: every metric Pinterest reports, with its definition, searchable.

The page's code is ui/pages/glossary.py: Streamlit compiles this script again whenever
the last session has left, and a script this short costs nothing to compile."""

from ui.pages.glossary import main

main()
