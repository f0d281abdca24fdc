"""Streamlit helpers shared by app.py and the pages (drawing only; logic lives in dashboard/)."""
