"""Candidate coordinates for a name the gazetteer lacks: online geocoders, or the gazetteer itself.

Online, geopy asks OpenStreetMap's Nominatim (limited to Syria, with this project's user agent,
at most one request a second through geopy's RateLimiter, as Nominatim's policy asks) and, when
the user gives a username, GeoNames' web service. Answers are cached on disk, so a name is asked
once. Offline (or when a service fails) the caller gets LookupUnavailable with a plain message,
and can still offer `fuzzy_candidates`: gazetteer places whose names are close in spelling
("Kafr Nabl" finds "Kafr Nobol"). Candidates are suggestions: nothing is written without the user.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from geo import settings
from geo.corpus.fetch import USER_AGENT
from geo.errors import LookupUnavailable
from geo.gazetteer import Gazetteer
from geo.store import write_text_atomic
from geo.text.normalise import alias_key

NOMINATIM_DOMAIN = "nominatim.openstreetmap.org"
TIMEOUT = 10


@dataclass(frozen=True)
class Candidate:
    name: str
    lat: float
    lon: float
    kind: str  # what the source calls it: "village", "city", "place"...
    source: str  # "Nominatim (OpenStreetMap)", "GeoNames", "gazetteer"
    ref: str = ""  # the source's id, or the gazetteer place id
    score: float = 0.0  # fuzzy similarity, 0-100, for gazetteer candidates


def cache_dir() -> Path:
    return settings.cache_dir()


def _cached(service: str, query: str, fetch) -> list[Candidate]:
    path = cache_dir() / "lookups" / service / (hashlib.sha256(query.encode()).hexdigest()[:24] + ".json")
    if path.exists():
        try:
            return [Candidate(**c) for c in json.loads(path.read_text(encoding="utf-8"))["candidates"]]
        except (ValueError, KeyError, TypeError):
            pass  # a damaged cache entry is asked again
    found = fetch()
    payload = {"query": query, "candidates": [asdict(c) for c in found]}
    write_text_atomic(path, json.dumps(payload, ensure_ascii=False, indent=1))
    return found


def _geocode(geocoder, label: str, query: str, **kwargs) -> list:
    """Every answer of one geocoder, one request a second at most; LookupUnavailable on failure."""
    from geopy.exc import GeopyError
    from geopy.extra.rate_limiter import RateLimiter

    geocode = RateLimiter(geocoder.geocode, min_delay_seconds=1, max_retries=0, swallow_exceptions=False)
    try:
        return geocode(query, exactly_one=False, **kwargs) or []
    except GeopyError as e:
        raise LookupUnavailable(f"{label} {plain_failure(e)}") from e


def plain_failure(error: Exception) -> str:
    """What went wrong, in the words of a user rather than of urllib3 (the raw text stays in __cause__)."""
    from geopy import exc

    if isinstance(error, exc.GeocoderTimedOut):
        return f"is unreachable: it did not answer within {TIMEOUT} s"
    if isinstance(error, (exc.GeocoderAuthenticationFailure, exc.GeocoderInsufficientPrivileges)):
        return "refused the request: check the username (GeoNames needs its free web service enabled for it)"
    if isinstance(error, exc.GeocoderQuotaExceeded):  # rate limits included
        return "refused the request: too many look-ups for now, try again in a minute"
    if isinstance(error, exc.GeocoderUnavailable):
        return "is unreachable: no internet connection here, or the service is down"
    return "refused the request or gave an answer geo cannot read"


def nominatim(name: str, domain: str = NOMINATIM_DOMAIN, scheme: str = "https", limit: int = 5) -> list[Candidate]:
    """Places called `name` in Syria, from Nominatim; LookupUnavailable when it cannot be reached."""
    from geopy.geocoders import Nominatim

    def fetch() -> list[Candidate]:
        geocoder = Nominatim(user_agent=USER_AGENT, domain=domain, scheme=scheme, timeout=TIMEOUT)
        results = _geocode(geocoder, f"Nominatim ({domain})", name, limit=limit, country_codes="sy", language="en")
        return [
            Candidate(
                r.raw.get("display_name", r.address),
                float(r.latitude),
                float(r.longitude),
                r.raw.get("type") or r.raw.get("addresstype") or "place",
                "Nominatim (OpenStreetMap)",
                f"{r.raw.get('osm_type', '')}/{r.raw.get('osm_id', '')}",
            )
            for r in results
        ]

    return _cached(f"nominatim-{domain}", name.strip().lower(), fetch)


def geonames(name: str, username: str, domain: str = "api.geonames.org", scheme: str = "http") -> list[Candidate]:
    """Places called `name` in Syria from GeoNames' web service (needs a free GeoNames username)."""
    from geopy.geocoders import GeoNames

    def fetch() -> list[Candidate]:
        geocoder = GeoNames(username=username, user_agent=USER_AGENT, domain=domain, scheme=scheme, timeout=TIMEOUT)
        results = _geocode(geocoder, f"GeoNames ({domain})", name, country="SY")
        return [
            Candidate(
                r.raw.get("name", r.address),
                float(r.latitude),
                float(r.longitude),
                r.raw.get("fcodeName") or r.raw.get("fcode") or "place",
                "GeoNames",
                str(r.raw.get("geonameId", "")),
            )
            for r in results
        ]

    return _cached(f"geonames-{domain}", name.strip().lower(), fetch)


def fuzzy_candidates(name: str, gaz: Gazetteer, limit: int = 5, cutoff: float = 70) -> list[Candidate]:
    """Gazetteer places whose name is spelled like `name`: works offline."""
    from rapidfuzz import fuzz, process

    choices = _fuzzy_index(gaz)
    key = alias_key(name)
    out, seen = [], set()
    for _, score, index in process.extract(key, choices.keys, scorer=fuzz.ratio, limit=limit * 4, score_cutoff=cutoff):
        place = gaz.places[choices.ids[index]]
        if place.id in seen:
            continue
        seen.add(place.id)
        label = f"{place.name} ({place.kind}, {place.where})"
        out.append(Candidate(label, place.lat, place.lon, place.kind, "gazetteer", place.id, round(score, 1)))
        if len(out) == limit:
            break
    return out


@dataclass
class _FuzzyIndex:
    keys: list[str]
    ids: list[str]


_last_index: tuple[Gazetteer, _FuzzyIndex] | None = None


def _fuzzy_index(gaz: Gazetteer) -> _FuzzyIndex:
    """Place names (not every generated spelling) as keys for fuzzy search, built once per gazetteer.

    Only the last gazetteer's index is kept: after an edit the app loads a new gazetteer object.
    """
    global _last_index
    if _last_index is None or _last_index[0] is not gaz:
        keys, ids = [], []
        for place in gaz.places.values():
            keys.append(alias_key(place.name))
            ids.append(place.id)
        _last_index = (gaz, _FuzzyIndex(keys, ids))
    return _last_index[1]
