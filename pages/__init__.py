"""The dashboard's page scripts, one per page, run by app.py through st.navigation."""
