"""The one compiled module of geo (the event coder's hot loop, src/geo/events/_scorecore.pyx).

Everything else is in pyproject.toml. `pip install -e .` compiles it with Cython and the C compiler
(the build-system requires in pyproject.toml bring Cython); when it cannot be compiled the install
still succeeds (optional=True) and geo uses its pure-Python/numpy path, with the same output.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("geo.events._scorecore", ["src/geo/events/_scorecore.pyx"], optional=True),
    ]
)
