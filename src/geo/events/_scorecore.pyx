# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The event coder's hot loops compiled (coder.Model): a sentence's and a place's scores (the bias
plus the weight rows of their features) and a place's best class, without numpy (whose import was a
third of the start-up) and without a Python float per class.

Each row is added once, in the order the features are first met, one after the other, each class in
a double, as numpy's add.reduce over the rows adds them: the same floats as the numpy path
(tests/test_compiled.py). Optional: coder.py uses numpy when this module was not built.
"""

from libc.math cimport exp
from libc.stdlib cimport calloc, free, malloc, realloc


cdef struct Scratch:  # one call's sums and the rows it has added (a call's own: threads share a model)
    double *acc
    Py_ssize_t *seen
    Py_ssize_t count, cap


cdef void _end(Scratch *s) noexcept:
    free(s.acc)
    free(s.seen)


cdef class RowSums:
    """A model's weight rows as C arrays (each row its non-zero (class, weight) pairs: about 5 of 25
    classes), read-only once made. Each call sums in its own scratch (`Scratch`): a row met twice is
    added once (a row seen is looked for among the call's few dozen rows, no Python set)."""

    cdef int *starts
    cdef int *classes
    cdef double *values
    cdef double *bias
    cdef Py_ssize_t n, rows

    def __cinit__(self, starts, classes, values, tuple bias):
        cdef Py_ssize_t i
        self.rows, self.n = len(starts) - 1, len(bias)
        self.starts = <int *> calloc(len(starts), sizeof(int))
        self.classes = <int *> calloc(max(1, len(classes)), sizeof(int))
        self.values = <double *> calloc(max(1, len(values)), sizeof(double))
        self.bias = <double *> calloc(max(1, self.n), sizeof(double))
        if not (self.starts and self.classes and self.values and self.bias):
            raise MemoryError()
        for i in range(len(starts)):
            self.starts[i] = starts[i]
        for i in range(len(classes)):
            self.classes[i] = classes[i]
            self.values[i] = values[i]
        for i in range(self.n):
            self.bias[i] = bias[i]

    def __dealloc__(self):
        free(self.starts)
        free(self.classes)
        free(self.values)
        free(self.bias)

    cdef int _begin(self, Scratch *s) except -1:
        s.acc = <double *> calloc(max(1, self.n), sizeof(double))
        s.cap, s.count = 64, 0
        s.seen = <Py_ssize_t *> malloc(s.cap * sizeof(Py_ssize_t))
        if s.acc == NULL or s.seen == NULL:
            _end(s)
            raise MemoryError()
        return 0

    cdef int _add(self, Scratch *s, object row) except -1:
        cdef Py_ssize_t i = row, j, k
        cdef Py_ssize_t *grown
        if i < 0 or i >= self.rows:
            raise IndexError(row)
        for j in range(s.count):
            if s.seen[j] == i:
                return 0
        if s.count == s.cap:
            grown = <Py_ssize_t *> realloc(s.seen, 2 * s.cap * sizeof(Py_ssize_t))
            if grown == NULL:
                raise MemoryError()
            s.seen, s.cap = grown, 2 * s.cap
        s.seen[s.count] = i
        s.count += 1
        for k in range(self.starts[i], self.starts[i + 1]):
            s.acc[self.classes[k]] += self.values[k]
        return 0

    cdef list _scores(self, Scratch *s):
        cdef Py_ssize_t c
        return [self.bias[c] + s.acc[c] for c in range(self.n)]

    def sum(self, found):
        """[bias[c] + the sum of the rows `found` (each once, in the order met) at class c, for each class]."""
        cdef Scratch s
        self._begin(&s)
        try:
            for row in found:
                self._add(&s, row)
            return self._scores(&s)
        finally:
            _end(&s)

    def sentence(self, str norm, dict memo, dict pairs_after, miss):
        """coder.Model.sentence_scores: each word's own rows (`memo`, else `miss(word)` fills it), then
        each word pair's (`pairs_after[first][second]`), summed."""
        cdef list found = words(norm)
        cdef Py_ssize_t i
        cdef Scratch s
        self._begin(&s)
        try:
            for w in found:
                own = memo.get(w)
                if own is None:
                    own = miss(w)
                for row in <tuple> own:
                    self._add(&s, row)
            for i in range(1, len(found)):
                after = pairs_after.get(found[i - 1])
                if after is not None:
                    row = (<dict> after).get(found[i])
                    if row is not None:
                        self._add(&s, row)
            return self._scores(&s)
        finally:
            _end(&s)

    cdef int _window(self, Scratch *s, str text, str side, dict memo, dict row) except -1:
        for w in words(text):
            got = memo.get(w)
            if got is None:
                got = memo[w] = row.get(side + w, -1)
            if <Py_ssize_t> got >= 0:
                self._add(s, got)
        return 0

    cdef int _place(self, Scratch *s, str norm, Py_ssize_t place_start, Py_ssize_t place_end, Py_ssize_t window,
                    dict left, dict right, dict row, tuple rule_rows) except -1:
        self._window(s, norm[max(0, place_start - window) : place_start], "l=", left, row)
        self._window(s, norm[place_end : place_end + window], "r=", right, row)
        for r in rule_rows:
            self._add(s, r)
        return 0

    def place(self, str norm, Py_ssize_t place_start, Py_ssize_t place_end, Py_ssize_t window,
              dict left, dict right, dict row, tuple rule_rows):
        """coder.Model.place_scores: the rows of the words `window` characters left and right of the
        place ("l=word", "r=word", looked up once and remembered in `left` and `right`; -1: none),
        then the rules' `rule_rows`, summed."""
        cdef Scratch s
        self._begin(&s)
        try:
            self._place(&s, norm, place_start, place_end, window, left, right, row, rule_rows)
            return self._scores(&s)
        finally:
            _end(&s)

    def place_best(self, str norm, Py_ssize_t place_start, Py_ssize_t place_end, Py_ssize_t window,
                   dict left, dict right, dict row, tuple rule_rows, base):
        """coder.Model._best of `place`'s scores (with the sentence's scores `base`, or None): (the best
        class's index, the first of equals; its softmax probability). The same floats as the Python
        path: own = bias + rows, then (base + own) - bias, exp(s - best), numpy's pairwise sum."""
        cdef Py_ssize_t c, top = 0
        cdef double own, high
        cdef Scratch s
        self._begin(&s)
        try:
            self._place(&s, norm, place_start, place_end, window, left, right, row, rule_rows)
            for c in range(self.n):
                own = self.bias[c] + s.acc[c]
                s.acc[c] = own if base is None else (<double> base[c] + own) - self.bias[c]
            high = s.acc[0]
            for c in range(1, self.n):
                if s.acc[c] > high:
                    high, top = s.acc[c], c
            for c in range(self.n):
                s.acc[c] = exp(s.acc[c] - high)
            return top, 1.0 / pairwise_sum(s.acc, self.n)
        finally:
            _end(&s)


def words(str text):
    """coder._words: the runs of a-z and of digits (each digit run as "0"), as
    re.findall("[a-z]+|\\d+", re.sub("\\d+", "0", text)) finds them (\\d: any decimal digit)."""
    cdef Py_ssize_t i, start = 0, n = len(text)
    cdef int state = 0  # 0 between words, 1 in letters, 2 in digits
    cdef Py_UCS4 ch
    out = []
    for i in range(n):
        ch = text[i]
        if 97 <= ch <= 122:  # a-z
            if state == 2:
                out.append("0")
            if state != 1:
                start = i
                state = 1
        elif ch.isdecimal():
            if state == 1:
                out.append(text[start:i])
            state = 2
        else:
            if state == 1:
                out.append(text[start:i])
            elif state == 2:
                out.append("0")
            state = 0
    if state == 1:
        out.append(text[start:n])
    elif state == 2:
        out.append("0")
    return out



cdef double pairwise_sum(const double *v, Py_ssize_t n) noexcept:
    """coder._pairwise_sum in C: the same additions in the same order (numpy's pairwise sum)."""
    cdef double total = 0.0
    cdef double r[8]
    cdef Py_ssize_t i, j, half
    if n < 8:
        for i in range(n):
            total += v[i]
        return total
    if n > 128:
        half = n // 2
        half -= half % 8
        return pairwise_sum(v, half) + pairwise_sum(v + half, n - half)
    for j in range(8):
        r[j] = v[j]
    i = 8
    while i < n - n % 8:
        for j in range(8):
            r[j] = r[j] + v[i + j]
        i += 8
    total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        total += v[i]
        i += 1
    return total
