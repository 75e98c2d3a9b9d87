"""The compiled modules of geo: the event coder's hot loop (src/geo/events/_scorecore.pyx) and the
gazetteer's automaton in flat arrays (src/geo/gazetteer/_automaton.pyx).

Everything else is in pyproject.toml. `pip install -e .` compiles them with Cython and the C compiler
(the build-system requires in pyproject.toml bring Cython); when one cannot be compiled the install
still succeeds (optional=True) and geo uses its pure-Python path there (numpy's sums, pyahocorasick's
automaton), with the same output.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("geo.events._scorecore", ["src/geo/events/_scorecore.pyx"], optional=True),
        Extension("geo.gazetteer._automaton", ["src/geo/gazetteer/_automaton.pyx"], optional=True),
    ]
)
