"""Overview: what did we spend, what did it bring, against the previous period.

The page's code is ui/pages/overview.py: Streamlit compiles this script again whenever
the last session has left, and a script this short costs nothing to compile."""

from ui.pages.overview import main

main()
