"""The dashboard's state in the URL, so that a view can be shared as a link."""

from __future__ import annotations

import streamlit as st


def query_list(name: str) -> list[str]:
    value = st.query_params.get(name, "")
    return [v for v in value.split("|") if v]


def from_url_once(key: str, value) -> None:
    """A widget's first value comes from the URL; after that the widget's own state rules.

    Widgets have keys and no default: a default read back from the URL on every run changes the
    widget's identity, and Streamlit then drops the change the user just made (every other one).
    """
    if key not in st.session_state:
        st.session_state[key] = value


def write_url(params: dict[str, str]) -> None:
    """The URL follows the state (so a view can be shared), never the other way round after the first run."""
    for key, value in params.items():
        if value:
            if st.query_params.get(key) != value:
                st.query_params[key] = value
        elif key in st.query_params:
            del st.query_params[key]
