"""The Streamlit dashboard's logic (app.py is its entry point); the library never imports it."""
