"""Report builder: any async report Pinterest allows (914 days back), with progress and files.

The page's code is ui/pages/report_builder.py: Streamlit compiles this script again whenever
the last session has left, and a script this short costs nothing to compile."""

from ui.pages.report_builder import main

main()
