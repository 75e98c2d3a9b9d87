"""The compiled modules of geo.

- Cython: the event coder's hot loop (src/geo/events/_scorecore.pyx) and the gazetteer's automaton in
  flat arrays (src/geo/gazetteer/_automaton.pyx).
- mypyc: the pipeline's own Python modules in MYPYC_MODULES, compiled from the same .py files that run
  without it (the type hints mypy checks become C types). The .py files stay the source of truth:
  geo/__init__.py runs a module's source instead when its compiled copy is older than it (an edit
  since the last `pip install -e .`) or when GEO_PURE_PYTHON=1.

Everything else is in pyproject.toml. `pip install -e .` compiles them with the C compiler (the
build-system requires in pyproject.toml bring Cython and mypy); when one cannot be compiled the install
still succeeds (optional=True) and geo runs its pure-Python path there (numpy's sums, pyahocorasick's
automaton, the .py modules), with the same output.
"""

import os

from setuptools import Extension, setup

# The modules the profile spends its time in whose classes are never pickled into a cache
# (the gazetteer's index holds Place, PhoneticRule and CuePatterns: those modules stay Python).
MYPYC_MODULES = [
    "src/geo/pipeline.py",
    "src/geo/output.py",
    "src/geo/events/classify.py",
    "src/geo/events/casualties.py",
    "src/geo/events/dates.py",
    "src/geo/events/records.py",
    "src/geo/events/corrections.py",
    "src/geo/places/matcher.py",
    "src/geo/places/resolver.py",
    "src/geo/places/soundalike.py",
    "src/geo/places/distance.py",
    "src/geo/text/normalise.py",
    "src/geo/text/sentences.py",
    "src/geo/corpus/reader.py",
]


def mypyc_extensions() -> list[Extension]:
    """The mypyc modules, or none where mypyc is missing or GEO_NO_MYPYC=1 (a quicker install)."""
    if os.environ.get("GEO_NO_MYPYC") == "1":
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        return []
    try:
        extensions = mypycify(MYPYC_MODULES, opt_level="3", group_name="geo_compiled")
    except Exception as e:  # a type error mypyc will not compile: install the pure-Python modules
        print(f"geo: mypyc could not compile the pipeline ({e}); installing it as Python")
        return []
    for extension in extensions:
        extension.optional = True
    return extensions


setup(
    ext_modules=[
        Extension("geo.events._scorecore", ["src/geo/events/_scorecore.pyx"], optional=True),
        Extension("geo.gazetteer._automaton", ["src/geo/gazetteer/_automaton.pyx"], optional=True),
        *mypyc_extensions(),
    ]
)
