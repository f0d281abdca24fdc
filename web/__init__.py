"""The ASGI layer around Streamlit (st.App in app.py): HTTP headers and, later, routes.

Starlette only; never imported by the page scripts or by dashboard/.
"""
