"""The page's layout on a narrow screen (800 px or less): sidebar folded, map the full width.

Streamlit folds the sidebar by itself only at 768 px or less, and puts columns under one another only
on phones; at 800 px the map was a 273-px strip beside a 300-px sidebar. Plain CSS and one script,
no article text in either.
"""

from __future__ import annotations

NARROW = 800  # px
MAP_ROW = "geo-map-row"  # the key of the container of the map and its panel (Streamlit's class st-key-…)

NARROW_CSS = f"""<style>
@media (max-width: {NARROW}px) {{
  .st-key-{MAP_ROW} [data-testid="stHorizontalBlock"] {{ flex-direction: column; }}
  .st-key-{MAP_ROW} [data-testid="stColumn"] {{ width: 100% !important; flex: 1 1 100% !important; }}
}}
</style>"""

# Runs in a same-origin component frame: folds the sidebar once per page load, so a reader who opens it
# again keeps it open across reruns.
FOLD_SIDEBAR_JS = f"""<script>
const page = window.parent;
if (page.innerWidth <= {NARROW} && !page.__geoSidebarFolded) {{
  page.__geoSidebarFolded = true;
  const fold = page.document.querySelector('[data-testid="stSidebarCollapseButton"] button');
  if (fold) fold.click();  // the button is there only while the sidebar is open
}}
</script>"""
