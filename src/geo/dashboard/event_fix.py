"""The "wrong event?" form under a place's excerpts: an analyst recodes one mention's event.

The correction is saved to lexicons/event_corrections.csv (events/corrections.py: under the folder's
lock, atomically), applies to that mention at the next parse, and is a label for the next training
of the learned coder, which a button here starts (`geo events train` does the same).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import streamlit as st

from geo import sinks
from geo.dashboard.bars import eta_bar
from geo.events import corrections, lexicon
from geo.events.lexicon import EVENT_TYPES
from geo.models import Mention

NOT_AN_EVENT = "none (the place is only named)"


def choices() -> list[str]:
    """Every ACLED type / sub-event type, and "none", as the form's choices."""
    return [NOT_AN_EVENT] + [f"{t} / {sub}" for t, subs in EVENT_TYPES.items() for sub in subs]


def label(m: Mention) -> str:
    e = m.event
    coded = f"{e.event_type} / {e.sub_event_type}" if e and e.event_type else "no event"
    return f"{m.text} · {coded} · {m.excerpt[:70]}…"


def render(shown: Sequence[Mention], root: Path, on_saved: Callable[[], None]) -> None:
    """The form for the excerpts shown; nothing is chosen until the analyst chooses."""
    if not shown:
        return
    with st.expander("Wrong event? Recode one of these excerpts"):
        with st.form("event-fix", clear_on_submit=False):
            index = st.selectbox(
                "Excerpt", range(len(shown)), index=None, format_func=lambda i: label(shown[i]), key="fix-excerpt"
            )
            coded = st.selectbox("Event", choices(), index=None, key="fix-event")
            killed = st.number_input(
                "Killed (empty: as the text says)", min_value=0, value=None, step=1, key="fix-killed"
            )
            date = st.date_input("Event date (empty: as the text says)", value=None, key="fix-date")
            note = st.text_input("Note (why)", key="fix-note")
            saved = st.form_submit_button("Save the correction")
        if saved:
            if index is None or coded is None:
                st.warning("Nothing saved: choose the excerpt and its event first.")
                return
            m = shown[index]
            event_type, sub = ("none", "") if coded == NOT_AN_EVENT else coded.split(" / ", 1)
            when = date.isoformat() if isinstance(date, dt.date) else ""
            fix = corrections.correction_for(m, event_type, sub, None if killed is None else int(killed), when, note)
            try:
                corrections.save(root, fix)
            except (OSError, ValueError, TimeoutError) as e:
                st.error(sinks.markdown(f"Not saved: {e}"))
                return
            on_saved()
            st.success(sinks.markdown(f"Saved: {m.text} in {m.article} is now {coded}. It is applied at once."))
        retrain_ui(root)


def retrain_ui(root: Path) -> None:
    count = len(corrections.load(root))
    st.caption(f"{count} correction{'s' if count != 1 else ''} saved; the learned coder uses them once retrained.")
    if st.button("Retrain the coder (about 20 s)", key="retrain"):
        from geo import settings
        from geo.events import training

        slot = st.empty()
        advanced = eta_bar(slot, "Training on the labelled sentences and the corrections…", "Training the coder: model")
        try:
            model, _scores, n = training.train_model(
                settings.PROJECT_ROOT / "tests" / "eval", lexicon.load(root), advanced
            )
        except (ModuleNotFoundError, FileNotFoundError) as e:
            st.error(sinks.markdown(f"Cannot retrain here: {e}"))
            return
        finally:
            slot.empty()
        training.save(model, root)
        st.success(f"Retrained on {n} labelled places; new parses use it.")
