"""Article text is untrusted: one function per place it is shown, and nothing shown without one.

Each sink has its own syntax, and a string safe in one is not safe in another:

- `html`: text inside HTML that folium later splices into a JavaScript template literal and that
  branca re-reads as Jinja source (it renders each element's script, then parses the result as a
  new template). Entities make `<`, `&`, quotes, `` ` ``, `$`, `{` and `}` inert in all three.
- `js_data`: a value for a `<script>` that branca re-reads as Jinja: JSON whose strings carry
  `<`, `>`, `&`, `'`, `{`, `}`, `%` and `#` as \\u escapes, so it can never form a tag or a
  Jinja delimiter; the browser reads back exactly the original strings.
- `markdown`: text for any Streamlit element that renders Markdown (captions, warnings, labels):
  the inline marks backslash-escaped (`[`, `]`, `<`, `*`, `_`, `` ` ``, `$`, `~`, `|`, `!`, `&`…), so no
  link, image, HTML tag, colour directive, entity or LaTeX forms; whitespace runs become one space
  and a leading `#`, `-`, `+`, `>` or `1.` is escaped, so no block (heading, list, quote) starts.
- `csv_cell`: a text cell for a spreadsheet: one starting with `=`, `+`, `-`, `@`, tab or CR
  would run as a formula, so it gets a leading `'` (OWASP's rule for CSV injection).

`check_map_inert` is the check that no folium/branca element of a map holds text that Jinja would
execute; `build_map` runs it on every map before it is shown.
"""

from __future__ import annotations

import html as html_module
import json
import re
from typing import Any

from geo.errors import UnsafeTextError

_HTML_EXTRA = str.maketrans({"`": "&#96;", "$": "&#36;", "{": "&#123;", "}": "&#125;"})


def html(text: object) -> str:
    """Text as HTML that stays text in a JS template literal and in Jinja source too."""
    return html_module.escape(str(text), quote=True).translate(_HTML_EXTRA)


_JS_STRING_ESCAPES = str.maketrans({c: f"\\u{ord(c):04x}" for c in "<>&'{}%#`$"})


def _js_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=True).translate(_JS_STRING_ESCAPES)


def js_data(value: Any) -> str:
    """A JSON literal for a script: strings escaped so that no tag and no Jinja delimiter can form.

    Structural braces are followed by a quote or a closing brace, never by `{`, `%` or `#`.
    """
    if isinstance(value, str):
        return _js_string(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{_js_string(str(k))}:{js_data(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(js_data(v) for v in value) + "]"
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value)
    raise TypeError(f"js_data: cannot encode {type(value).__name__}")


_MD_INLINE = re.compile(r"([\\`*_\[\]<>!~$|{}&])")
_MD_BLOCK_START = re.compile(r"^(\d+)([.)])|^([#+\-=>])")


def markdown(text: object) -> str:
    """Text that Streamlit's Markdown shows as written: no link, tag, directive, formula or block.

    Inline marks are backslash-escaped everywhere; a mark that only starts a block (heading, list,
    quote) is escaped at the start, where it can; whitespace runs become one space.
    """
    one_line = _MD_INLINE.sub(r"\\\1", " ".join(str(text).split()))
    return _MD_BLOCK_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", one_line)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A spreadsheet cell that is never run as a formula; numbers and empty cells pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


_JINJA_DELIMITERS = ("{{", "{%", "{#")


def check_map_inert(element: Any) -> None:
    """Raise UnsafeTextError if any string held by a branca element (or its children) could be read as Jinja.

    branca re-parses rendered scripts as templates, so a `{{` that reaches one runs on the server.
    The walk covers every attribute of every element in the tree, lists and dicts included.
    """
    seen: set[int] = set()

    def strings(value: Any, depth: int = 0):
        if depth > 12 or id(value) in seen:
            return
        if isinstance(value, str):
            yield value
            return
        seen.add(id(value))
        if isinstance(value, dict):
            for k, v in value.items():
                yield from strings(k, depth + 1)
                yield from strings(v, depth + 1)
        elif isinstance(value, (list, tuple, set)):
            if value and isinstance(next(iter(value)), (int, float)):
                return  # coordinates
            for v in value:
                yield from strings(v, depth + 1)
        elif hasattr(value, "_children") and hasattr(value, "__dict__"):
            for key, v in vars(value).items():
                if key in ("_parent", "_template"):
                    continue
                yield from strings(v, depth + 1)

    for text in strings(element):
        for delimiter in _JINJA_DELIMITERS:
            if delimiter in text:
                at = text.index(delimiter)
                raise UnsafeTextError(f"map element text would run as a template: …{text[max(0, at - 40) : at + 40]}…")
