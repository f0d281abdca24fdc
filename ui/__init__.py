"""Streamlit helpers shared by the page scripts in pages/: context, sidebar, tables, jobs."""
