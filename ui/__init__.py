"""Streamlit helpers shared by the page scripts in pages/: the page context, tables, notices."""
