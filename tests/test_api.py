"""The public API in geo/__init__.py: what a script or notebook can rely on."""

import geo


def test_parse_text_through_the_package(gaz):
    (m,) = geo.parse_text("a.txt", "Shelling hit Aleppo on Monday, killing 3 people.", gaz)
    assert (m.text, m.place.name, m.event.killed) == ("Aleppo", "Aleppo", 3)
    assert m.event.event_type == "Explosions/Remote violence"
    assert list(m.record()) == list(geo.RECORD_FIELDS)
    assert isinstance(m, geo.Mention) and isinstance(m.place, geo.Place)


def test_errors_are_one_family_with_builtin_bases():
    assert issubclass(geo.GazetteerError, geo.GeoError) and issubclass(geo.GazetteerError, ValueError)
    assert issubclass(geo.LexiconError, ValueError) and not issubclass(geo.LexiconError, geo.GazetteerError)
    assert issubclass(geo.ArticleError, OSError)
