# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The gazetteer's Aho-Corasick automaton in flat arrays: what pyahocorasick's Automaton does for the
index (STORE_INTS), but saved and read back as one bytes object.

pyahocorasick keeps a C struct per node (850k of them for the index) and rebuilds them one by one when
it is unpickled: 0.08 s of every start-up and 0.2 s of pickling on a cold one. Here the nodes are two
arrays in one bytes object, so reading the index back is one copy of its bytes (0.01 s).

The hits are pyahocorasick's: for each position of the text, every key ending there as
(position of its last character, value), the longest first and then along the failure links
(tests/test_flat_automaton.py holds the two equal). A table of next nodes for the shallow nodes, where
every walk keeps coming back, makes the walk 1.5-2x pyahocorasick's. `place_hits` runs the matcher's
loop over the hits (case checks, overlaps) in C as well, and `word_hits` the event scan's. The cue words
(places/cues.py) use it too. Optional: each falls back on pyahocorasick and its Python loop when this
module was not built.
"""

import operator
import struct

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from libc.stdint cimport int32_t, uint32_t
from libc.stdlib cimport free, malloc, qsort, realloc
from libc.string cimport memcpy, memset

cdef extern from "Python.h":
    int PyUnicode_KIND(object)
    void *PyUnicode_DATA(object)
    Py_UCS4 PyUnicode_READ(int kind, void *data, Py_ssize_t index) nogil
    Py_ssize_t PyUnicode_GET_LENGTH(object)
    bint Py_UNICODE_ISLOWER(Py_UCS4 ch)
    bint Py_UNICODE_ISUPPER(Py_UCS4 ch)
    bint Py_UNICODE_ISTITLE(Py_UCS4 ch)


cdef struct Node:
    int32_t first  # its first edge; its last is the next node's first, less one
    int32_t fail  # the node of its longest proper suffix that some key begins with
    int32_t value  # the value of the key ending here, or -1
    int32_t more  # the nearest node along the failure links that ends a key, or -1


cdef inline int32_t _child(const Node *nodes, const uint32_t *chars, int32_t node, uint32_t c) noexcept nogil:
    """The child of `node` by character `c`, or -1. Nodes are numbered breadth first, so edge e leads to
    node e + 1; a node's edges are sorted by character: a binary search, the last few in a row."""
    cdef int32_t lo = nodes[node].first, hi = nodes[node + 1].first, mid
    while hi - lo > 8:
        mid = (lo + hi) >> 1
        if chars[mid] <= c:
            lo = mid
        else:
            hi = mid
    while lo < hi:
        if chars[lo] >= c:
            return lo + 1 if chars[lo] == c else -1
        lo += 1
    return -1


cdef inline int32_t _step(const Node *nodes, const uint32_t *chars, int32_t node, uint32_t c) noexcept nogil:
    """The state after reading `c` in state `node`: its child by `c`, else that of the node its failure link
    names, and so on back to the root."""
    cdef int32_t w
    while True:
        w = _child(nodes, chars, node, c)
        if w >= 0 or node == 0:
            return w if w >= 0 else 0
        node = nodes[node].fail


cdef struct Walk:  # what a search reads, taken from the automaton once when it starts
    const Node *nodes
    const uint32_t *chars
    const int32_t *ascii  # FlatAutomaton._dense's table, or NULL
    int32_t dense  # its rows


cdef inline int32_t _walk(const Walk *w, int32_t node, uint32_t c) noexcept nogil:
    """_step, through the table once the walk reaches a node that has a row."""
    cdef int32_t child
    while True:
        if node < w.dense and c < 128:
            return w.ascii[node * 128 + c]
        child = _child(w.nodes, w.chars, node, c)
        if child >= 0 or node == 0:
            return child if child >= 0 else 0
        node = w.nodes[node].fail


cdef struct Span:  # a whole-word hit of the matcher: text[start:end], the key's value
    int32_t start, end, value


cdef int _text_order(const void *a, const void *b) noexcept nogil:
    cdef const Span *x = <const Span *> a
    cdef const Span *y = <const Span *> b
    if x.start != y.start:
        return -1 if x.start < y.start else 1
    if x.end != y.end:
        return -1 if x.end < y.end else 1
    return (x.value > y.value) - (x.value < y.value)


cdef int _word_order(const void *a, const void *b) noexcept nogil:
    """scan()'s order of word hits (Span.value: the order they were found in): by start, the longest
    first, then as found; Python's stable sort by (start, -length) gives the same."""
    cdef const Span *x = <const Span *> a
    cdef const Span *y = <const Span *> b
    if x.start != y.start:
        return -1 if x.start < y.start else 1
    if x.end - x.start != y.end - y.start:
        return -1 if x.end - x.start > y.end - y.start else 1
    return (x.value > y.value) - (x.value < y.value)


cdef bint _cased_as(int kind, void *data, Py_ssize_t start, Py_ssize_t end, bint lower) noexcept:
    """str.islower() (lower) or str.isupper() of text[start:end]: some cased character, none of the other case."""
    cdef bint cased = False
    cdef Py_UCS4 ch
    cdef Py_ssize_t i
    for i in range(start, end):
        ch = PyUnicode_READ(kind, data, i)
        if Py_UNICODE_ISTITLE(ch) or (Py_UNICODE_ISUPPER(ch) if lower else Py_UNICODE_ISLOWER(ch)):
            return False
        if not cased and (Py_UNICODE_ISLOWER(ch) if lower else Py_UNICODE_ISUPPER(ch)):
            cased = True
    return cased


cdef class _Spans:
    """A growing array of Span."""

    cdef Span *at
    cdef Py_ssize_t size, cap

    def __cinit__(self):
        self.cap = 64
        self.at = <Span *> malloc(self.cap * sizeof(Span))
        if not self.at:
            raise MemoryError()

    def __dealloc__(self):
        free(self.at)

    cdef int push(self, int32_t start, int32_t end, int32_t value) except -1:
        cdef Span *grown
        if self.size == self.cap:
            grown = <Span *> realloc(self.at, 2 * self.cap * sizeof(Span))
            if not grown:
                raise MemoryError()
            self.at, self.cap = grown, 2 * self.cap
        self.at[self.size].start, self.at[self.size].end, self.at[self.size].value = start, end, value
        self.size += 1
        return 0


cdef int _settle(_Spans cluster, _Spans kept) except -1:
    """Longest first, then leftmost (a stable sort, as Python's), among hits that overlap one another;
    each kept unless it overlaps one kept before it."""
    cdef Py_ssize_t i, j, k, n = cluster.size
    cdef Span hit
    cdef Py_ssize_t first_kept = kept.size
    cdef bint free_of_others
    if n == 1:
        return kept.push(cluster.at[0].start, cluster.at[0].end, cluster.at[0].value)
    for i in range(1, n):  # insertion sort by (start - end, start): few hits a cluster
        hit = cluster.at[i]
        j = i
        while j > 0 and (
            cluster.at[j - 1].start - cluster.at[j - 1].end > hit.start - hit.end
            or (
                cluster.at[j - 1].start - cluster.at[j - 1].end == hit.start - hit.end
                and cluster.at[j - 1].start > hit.start
            )
        ):
            cluster.at[j] = cluster.at[j - 1]
            j -= 1
        cluster.at[j] = hit
    for i in range(n):
        hit = cluster.at[i]
        free_of_others = True
        for k in range(first_kept, kept.size):
            if not (hit.end <= kept.at[k].start or kept.at[k].end <= hit.start):
                free_of_others = False
                break
        if free_of_others:
            kept.push(hit.start, hit.end, hit.value)
    return 0


cdef enum:
    _DENSE_ROWS = 1024  # the table's rows (_dense): 512 KB, which stays in the cache (8192 rows were no faster)
DENSE_ROWS = _DENSE_ROWS  # for tests to read; the table does not change with it

# The root, with no edges and no value, and the closing node: what an automaton holds before it is built.
cdef bytes _EMPTY = struct.pack("=8i", 0, 0, -1, -1, 0, 0, -1, -1)


cdef bytes _flattened(
    Py_ssize_t nodes, const int32_t *first_child, const int32_t *next_sibling, const uint32_t *char_in,
    const int32_t *value,
):
    """The nodes numbered breadth first, their edges laid out, then the failure links (parents first): the
    automaton's bytes, made apart from it, so that a build that fails leaves it as it was."""
    cdef bytes blob = PyBytes_FromStringAndSize(NULL, (nodes + 1) * sizeof(Node) + (nodes - 1) * sizeof(uint32_t))
    cdef int32_t *order = <int32_t *> malloc(nodes * sizeof(int32_t))  # breadth-first number -> build's
    cdef int32_t *parent_of = <int32_t *> malloc(nodes * sizeof(int32_t))  # breadth-first numbers
    if not (order and parent_of):
        free(order); free(parent_of)
        raise MemoryError()
    cdef Py_ssize_t i, head, tail
    cdef int32_t u, child, f
    cdef uint32_t c
    cdef Node *out = <Node *> PyBytes_AS_STRING(blob)
    cdef uint32_t *chars = <uint32_t *> (out + nodes + 1)
    try:
        order[0], parent_of[0] = 0, -1
        head, tail = 0, 1
        while head < tail:  # node `head`'s children get the next numbers, in character order
            u = order[head]
            out[head].first = <int32_t> (tail - 1)
            out[head].value = value[u]
            child = first_child[u]
            while child >= 0:
                order[tail], parent_of[tail], chars[tail - 1] = child, <int32_t> head, char_in[child]
                tail += 1
                child = next_sibling[child]
            head += 1
        out[nodes].first = <int32_t> (nodes - 1)
        out[nodes].fail, out[nodes].value, out[nodes].more = 0, -1, -1
        out[0].fail, out[0].more = 0, -1
        for i in range(1, nodes):  # a node's failure link from its parent's, found earlier
            u, c = parent_of[i], chars[i - 1]
            out[i].fail = 0 if u == 0 else _step(out, chars, out[u].fail, c)
            f = out[i].fail
            out[i].more = f if out[f].value >= 0 else out[f].more
    finally:
        free(order); free(parent_of)
    return blob


cdef class FlatAutomaton:
    """Keys (str) to non-negative ints, searched all at once in a text.

    Two arrays in one bytes object: the nodes (Node, one more than there are, to close the last one's
    edges) and the characters of the edges, node by node, each node's sorted. Nodes are numbered breadth
    first (the root 0), so the shallow nodes every search walks lie together, and the node an edge
    leads to is the edge's number plus one.
    """

    cdef bytes _blob
    cdef Node *node
    cdef uint32_t *edge_char
    cdef int32_t *ascii  # the next node of the first `dense` nodes for every ASCII character (_dense)
    cdef int32_t dense
    cdef bint built  # built once: a search holds pointers into the arrays, which must not change under it
    cdef readonly Py_ssize_t nodes, keys

    def __cinit__(self):
        """An automaton of no keys until __init__ or _restore makes one: a subclass that skips __init__,
        or an object whose __init__ raised, searches nothing instead of reading a null pointer."""
        self._blob = _EMPTY
        self.nodes, self.keys = 1, 0
        self.ascii, self.dense, self.built = NULL, 0, False
        self._point()

    def __dealloc__(self):
        free(self.ascii)

    def __init__(self, keys, values):
        """Build from distinct keys and their values (two sequences of the same length), once: a search
        that calls back into Python (place_hits' callbacks, a collection's __del__) never sees its arrays
        replaced, and a build that fails leaves the automaton empty."""
        if self.built:
            raise TypeError("a FlatAutomaton is built once; make a new one")
        self.built = True  # already: a value's __index__ or a key's class, run by the build, may try again
        try:
            self._build(keys, values)
        except BaseException:
            self.built = False
            raise

    cdef _build(self, keys, values):
        keys, values = list(keys), list(values)
        if len(keys) != len(values):
            raise ValueError("as many values as keys are needed")
        cdef Py_ssize_t total = 1
        for key in keys:
            if not isinstance(key, str):
                raise ValueError(f"a key must be a str: {key!r}")
            total += PyUnicode_GET_LENGTH(key)
        if total > 0x7FFFFFFF:
            raise ValueError("keys of more than 2**31-1 characters in all")
        # The trie as it is built, nodes numbered as they are made: each node's children in a list sorted
        # by character (first_child, then next_sibling). Most nodes have one child; the widest, 63.
        cdef int32_t *first_child = <int32_t *> malloc(total * sizeof(int32_t))
        cdef int32_t *next_sibling = <int32_t *> malloc(total * sizeof(int32_t))
        cdef uint32_t *char_in = <uint32_t *> malloc(total * sizeof(uint32_t))
        cdef int32_t *value = <int32_t *> malloc(total * sizeof(int32_t))
        if not (first_child and next_sibling and char_in and value):
            free(first_child); free(next_sibling); free(char_in); free(value)
            raise MemoryError()
        cdef Py_ssize_t j, n, length, nodes = 1
        cdef uint32_t c
        cdef int32_t node, previous, current
        cdef int kind
        cdef void *data
        cdef long long v
        try:
            first_child[0], next_sibling[0], char_in[0], value[0] = -1, -1, 0, -1
            for n in range(len(keys)):
                key = keys[n]
                v = operator.index(values[n])  # an int, as pyahocorasick wants: 1.9 is no value
                if v < 0 or v > 0x7FFFFFFF:
                    raise ValueError(f"a value must be an int from 0 to 2**31-1: {key!r}: {v!r}")
                kind, data, length = PyUnicode_KIND(key), PyUnicode_DATA(key), PyUnicode_GET_LENGTH(key)
                if length == 0:
                    raise ValueError("an empty key matches nothing")
                node = 0
                for j in range(length):
                    c = <uint32_t> PyUnicode_READ(kind, data, j)
                    previous, current = -1, first_child[node]
                    while current >= 0 and char_in[current] < c:
                        previous, current = current, next_sibling[current]
                    if current >= 0 and char_in[current] == c:
                        node = current
                        continue
                    first_child[nodes], next_sibling[nodes], char_in[nodes], value[nodes] = -1, current, c, -1
                    if previous < 0:
                        first_child[node] = <int32_t> nodes
                    else:
                        next_sibling[previous] = <int32_t> nodes
                    node = <int32_t> nodes
                    nodes += 1
                if value[node] >= 0:
                    raise ValueError(f"key {key!r} is given twice")
                value[node] = v
            blob = _flattened(nodes, first_child, next_sibling, char_in, value)
        finally:
            free(first_child); free(next_sibling); free(char_in); free(value)
        self._blob, self.nodes, self.keys = blob, nodes, len(keys)
        self._point()
        self._dense()

    cdef Walk _walker(self) noexcept:
        cdef Walk w
        w.nodes, w.chars, w.ascii, w.dense = self.node, self.edge_char, self.ascii, self.dense
        return w

    cdef _dense(self):
        """The next node of each of the first DENSE_ROWS nodes for every ASCII character, in one table: a
        search walks back to these shallow nodes along the failure links at most characters, and reads one
        entry there instead of searching each node's edges on the way. Nodes are numbered breadth first, so
        a node's failure link (its row to start from) comes before it."""
        if self.ascii != NULL:
            return
        cdef Py_ssize_t rows = min(self.nodes, <Py_ssize_t> _DENSE_ROWS)
        cdef int32_t *table = <int32_t *> malloc(rows * 128 * sizeof(int32_t))
        if not table:
            raise MemoryError()
        cdef Py_ssize_t u, e
        for u in range(rows):
            if u:
                memcpy(table + u * 128, table + self.node[u].fail * 128, 128 * sizeof(int32_t))
            else:
                memset(table, 0, 128 * sizeof(int32_t))
            for e in range(self.node[u].first, self.node[u + 1].first):
                if self.edge_char[e] < 128:
                    table[u * 128 + self.edge_char[e]] = <int32_t> (e + 1)
        self.ascii, self.dense = table, <int32_t> rows

    cdef void _point(self) noexcept:
        """The two arrays inside the blob."""
        self.node = <Node *> PyBytes_AS_STRING(self._blob)
        self.edge_char = <uint32_t *> (self.node + self.nodes + 1)

    cdef bint _sound(self) noexcept:
        """Could a search of these arrays read outside them or loop for ever? Breadth-first numbering
        makes every failure link point back to an earlier node, and edges run in order: a damaged cache
        is refused (and rebuilt) instead of crashing the parse. 2 ms for the index."""
        cdef const Node *nodes = self.node
        cdef Py_ssize_t i, n = self.nodes
        if nodes[0].first != 0 or nodes[n].first != n - 1 or nodes[0].fail != 0 or nodes[0].more != -1:
            return False
        for i in range(n):
            if nodes[i + 1].first < nodes[i].first or nodes[i].value < -1 or nodes[i].more < -1:
                return False
            if i and not (0 <= nodes[i].fail < i and nodes[i].more < i):
                return False
            if nodes[i].more >= 0 and nodes[nodes[i].more].value < 0:
                return False  # a hit along the failure links is a key's: value -1 would escape
        return True

    cdef int32_t _node_of(self, str key) noexcept:
        cdef int kind = PyUnicode_KIND(key)
        cdef void *data = PyUnicode_DATA(key)
        cdef Py_ssize_t j
        cdef int32_t node = 0
        for j in range(PyUnicode_GET_LENGTH(key)):
            node = _child(self.node, self.edge_char, node, <uint32_t> PyUnicode_READ(kind, data, j))
            if node < 0:
                return -1
        return node

    def get(self, str key not None, default=None):
        """The value stored for `key`, or `default`."""
        cdef int32_t node = self._node_of(key)
        return default if node <= 0 or self.node[node].value < 0 else self.node[node].value

    def exists(self, str key not None):
        return self.get(key) is not None

    def __contains__(self, key):
        return isinstance(key, str) and self.get(key) is not None

    def __len__(self):
        return self.keys

    def iter(self, str text not None, Py_ssize_t start=0):
        """Every key in `text[start:]`: a list of (index in `text` of its last character, value), in the
        order of pyahocorasick's iter(): by end, and at one end the longest key first."""
        if start < 0:
            raise ValueError("a negative start")
        cdef _Spans ends = self._key_ends(text, start, -1)
        cdef Py_ssize_t j
        return [(ends.at[j].end, ends.at[j].value) for j in range(ends.size)]

    cdef _Spans _key_ends(self, str text, Py_ssize_t start, Py_ssize_t limit):
        """The one walk of every search: each key in `text[start:]` as Span(end=index of its last character,
        value), in iter()'s order; with `limit` >= 0, a value must be below it (it indexes the caller's
        arrays). Collected before the caller reads them, so no Python runs during the walk."""
        cdef int kind = PyUnicode_KIND(text)
        cdef void *data = PyUnicode_DATA(text)
        cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(text)
        cdef int32_t node = 0, m, value
        cdef bytes held = self._blob  # the arrays the walk reads, alive until it ends
        cdef Walk w = self._walker()
        cdef const Node *nodes = w.nodes
        cdef const unsigned char *latin = <const unsigned char *> data  # kind 1: a byte a character
        cdef _Spans ends = _Spans()
        if n > 0x7FFFFFFF:
            raise ValueError("a text of more than 2**31-1 characters")
        for i in range(start, n):
            node = _walk(&w, node, latin[i] if kind == 1 else <uint32_t> PyUnicode_READ(kind, data, i))
            m = node if nodes[node].value >= 0 else nodes[node].more
            while m >= 0:
                value = nodes[m].value
                if limit >= 0 and (value < 0 or value >= limit):
                    raise IndexError(f"value {value} has no lengths and flags")
                ends.push(0, <int32_t> i, value)
                m = nodes[m].more
        return ends

    def largest_value(self):
        """The largest value stored (-1 when none): what a reader of the values checks them against."""
        cdef int32_t best = -1
        cdef Py_ssize_t i
        for i in range(self.nodes):
            if self.node[i].value > best:
                best = self.node[i].value
        return best

    def items(self):
        """Every (key, value), breadth first: for tests and for building another automaton of the same keys."""
        cdef bytes held = self._blob  # the arrays read, alive until the end
        cdef Walk w = self._walker()
        cdef Py_ssize_t u, e, n = self.nodes
        cdef list prefix = [""] * n
        cdef list found = []
        for u in range(n):
            for e in range(w.nodes[u].first, w.nodes[u + 1].first):
                prefix[e + 1] = prefix[u] + chr(w.chars[e])
            if w.nodes[u].value >= 0:
                found.append((prefix[u], w.nodes[u].value))
            prefix[u] = None  # its children have theirs
        return found

    def place_hits(
        self, str padded not None, str text not None, const unsigned int[:] lengths, const unsigned char[:] flags,
        leads, exact,
        int acronym_max, int any_case, int exact_case, int major, int not_place, int one_word,
    ):
        """The matcher's loop (places/matcher.py, find_matches), here without a Python object per raw hit:
        the keys in `padded` (" " + the normalised text + " "), their case checks against `text`, and
        the overlap policy; (start, end, value) of the hits kept, in text order. `exact(value, start, end)`
        answers for an all-caps abbreviation; `leads` holds the English words no name begins with."""
        cdef int text_kind = PyUnicode_KIND(text)
        cdef void *text_data = PyUnicode_DATA(text)
        cdef Py_ssize_t j, size = PyUnicode_GET_LENGTH(text)
        cdef Py_ssize_t limit = lengths.shape[0], h
        cdef int32_t value, start, end, cluster_end = -1
        cdef unsigned int length
        cdef unsigned char f
        cdef _Spans cluster = _Spans(), kept = _Spans(), ends
        if flags.shape[0] != limit:
            raise ValueError("as many flags as lengths are needed")
        ends = self._key_ends(padded, 0, limit)
        for h in range(ends.size):
            value = ends.at[h].value
            f, length = flags[value], lengths[value]
            end = ends.at[h].end - 1
            if end < 0 or length < 1 or length > <unsigned int> end or end > size:
                raise ValueError("the text is not the one the padded text was made from, or a length is wrong")
            start = end - <int32_t> length
            if not f & any_case:
                if f & exact_case:
                    if not exact(value, start, end):
                        continue
                elif _cased_as(text_kind, text_data, start, end, True) or (
                    not f & major and end - start <= acronym_max
                    and _cased_as(text_kind, text_data, start, end, False)
                ):
                    continue
                elif Py_UNICODE_ISLOWER(PyUnicode_READ(text_kind, text_data, start)):
                    j = start
                    while j < end and PyUnicode_READ(text_kind, text_data, j) != 32:
                        j += 1
                    if text[start:j] in leads:
                        continue  # "at Tal Madiq": the English word is no part of the name
            if f & not_place and f & one_word:
                continue  # a one-word non-place ("Syrian", "SANA") has no other name inside it to block
            if start >= cluster_end:  # no overlap with what came before: settle that cluster
                if cluster.size:
                    _settle(cluster, kept)
                cluster.size = 0
                cluster.push(start, end, value)
                cluster_end = end
            else:
                cluster.push(start, end, value)
                if end > cluster_end:
                    cluster_end = end
        if cluster.size:
            _settle(cluster, kept)
        qsort(kept.at, kept.size, sizeof(Span), _text_order)
        return [(kept.at[j].start, kept.at[j].end, kept.at[j].value) for j in range(kept.size)]

    def word_hits(
        self, str padded not None, const unsigned int[:] key_lengths, const unsigned int[:] word_lengths,
        const unsigned char[:] flags, int prefix, int trigger,
    ):
        """The event scan's loop (events/classify.py, scan) without a Python object per raw hit: the keys
        in `padded` (" " + the normalised text + " ") as words of the text, from the character after the
        key's leading space, `word_lengths` long, or on to the next space for a `prefix` key ("shell*");
        sorted by start, the longest first, then as found; a hit overlapping the one kept before it of its
        class (`trigger` keys, other words) dropped. (start, end, value) of the hits kept, in that order."""
        cdef int kind = PyUnicode_KIND(padded)
        cdef void *data = PyUnicode_DATA(padded)
        cdef Py_ssize_t i, k, h, size = PyUnicode_GET_LENGTH(padded) - 2
        cdef Py_ssize_t limit = key_lengths.shape[0]
        cdef int32_t value, start, end
        cdef int32_t kept_end[2]
        cdef _Spans found = _Spans(), ends
        cdef Span hit
        cdef list kept = []
        if word_lengths.shape[0] != limit or flags.shape[0] != limit:
            raise ValueError("as many word lengths and flags as key lengths are needed")
        ends = self._key_ends(padded, 0, limit)
        for h in range(ends.size):
            value, i = ends.at[h].value, ends.at[h].end
            if key_lengths[value] < 1 or key_lengths[value] > i + 1 or word_lengths[value] > size:
                raise ValueError("a length that does not fit the text")
            start = <int32_t> (i - key_lengths[value] + 1)  # the key's leading space is norm[start - 1]
            if start + <Py_ssize_t> word_lengths[value] > size:  # summed in 64 bits: no wrap-around
                raise ValueError("a length that does not fit the text")
            end = start + <int32_t> word_lengths[value]
            if flags[value] & prefix:
                k = end
                while k < size and PyUnicode_READ(kind, data, k + 1) != 32:
                    k += 1  # norm.find(" ", end), else the end of norm
                end = <int32_t> k
            found.push(start, end, <int32_t> h)  # its place in `ends`: found in that order
        qsort(found.at, found.size, sizeof(Span), _word_order)
        kept_end[0] = kept_end[1] = -1
        for i in range(found.size):
            hit = found.at[i]
            value = ends.at[hit.value].value
            k = 1 if flags[value] & trigger else 0
            if hit.start >= kept_end[k]:
                kept.append((hit.start, hit.end, value))
                kept_end[k] = hit.end
        return kept

    def __reduce__(self):
        return (_restore, (self._blob, self.nodes, self.keys))


def _restore(bytes blob, Py_ssize_t nodes, Py_ssize_t keys):
    """A saved automaton back from its bytes (pickle calls this)."""
    if not 1 <= nodes <= 0x7FFFFFFF or len(blob) != (nodes + 1) * sizeof(Node) + (nodes - 1) * sizeof(uint32_t):
        raise ValueError("a saved automaton of the wrong size")
    if not 0 <= keys <= nodes:
        raise ValueError("a saved automaton of the wrong size")
    cdef FlatAutomaton automaton = FlatAutomaton.__new__(FlatAutomaton)
    automaton._blob = blob
    automaton.nodes, automaton.keys = nodes, keys
    automaton._point()
    if not automaton._sound():
        raise ValueError("a saved automaton that is damaged")
    automaton.built = True
    automaton._dense()
    return automaton
