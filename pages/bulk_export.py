"""Bulk export: whole entity dumps (campaigns, ad groups, ads, ...) for warehousing or backup.

The page's code is ui/pages/bulk_export.py: Streamlit compiles this script again whenever
the last session has left, and a script this short costs nothing to compile."""

from ui.pages.bulk_export import main

main()
