"""The map reads at 800 articles: popups of a few lines, capped circles, areas shaded not drawn."""

from __future__ import annotations

import json
import re

from geo import gazetteer, summary
from geo.dashboard import mapview
from geo.pipeline import parse_text


def built(gaz, texts: dict[str, str]):
    mentions = [m for name, text in texts.items() for m in parse_text(name, text, gaz, with_events=False)]
    fmap = mapview.build_map(summary.summarise(mentions), gazetteer.default_root() / "syria_governorates.geojson")
    page = fmap.get_root().render()
    data = json.loads(re.search(r"(\[\{\"lat\".*?\}\])\.forEach", page, re.S).group(1))
    return data, page


def test_a_place_in_many_articles_has_a_popup_of_a_few_lines(gaz):
    data, _ = built(gaz, {f"a{i:02}.txt": "Shelling hit Aleppo and Aleppo again." for i in range(30)})
    (aleppo,) = [d for d in data if d["tooltip"].startswith("Aleppo")]
    assert aleppo["popup"].count("<tr>") == mapview.POPUP_ARTICLES + 1 and "and 25 more articles" in aleppo["popup"]
    assert len(aleppo["popup"]) < 3000
    assert aleppo["radius"] == mapview.MAX_RADIUS and aleppo["count"] == 60


def test_areas_are_shaded_not_drawn_as_circles(gaz):
    data, page = built(gaz, {"a.txt": "Fighting in Syria, in Idlib province and in Saraqeb."})
    assert [d["tooltip"].split(" · ")[0] for d in data] == ["Saraqab"]  # the town only
    assert "geo-cluster" in page and "iconCreateFunction" in page  # neutral clusters that count mentions
