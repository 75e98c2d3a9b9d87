# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The event coder's hot loop compiled (coder.Model._sum): the bias plus the weight rows of a
sentence's or a place's features, without numpy (whose import was a third of the start-up).

The rows are added one after the other in the order given, each class in a double, as numpy's
add.reduce over the rows adds them: the same floats as the pure-Python path (tests/test_compiled.py).
Optional: coder.py uses numpy when this module was not built.
"""

from libc.math cimport exp
from libc.stdlib cimport calloc, free


def sum_rows(found, const int[:] starts, const int[:] classes, const double[:] values, tuple bias):
    """[bias[c] + the sum of rows `found` at class c, for each class]: rows as the non-zero
    (class, weight) pairs classes[starts[i]:starts[i + 1]], values[starts[i]:starts[i + 1]]."""
    cdef Py_ssize_t n = len(bias), c, k, i
    cdef double *acc = <double *> calloc(n if n else 1, sizeof(double))
    if acc == NULL:
        raise MemoryError()
    try:
        for row in found:
            i = row
            for k in range(starts[i], starts[i + 1]):
                acc[classes[k]] += values[k]
        return [bias[c] + acc[c] for c in range(n)]
    finally:
        free(acc)


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


def sentence_rows(list words, dict memo, dict pairs, miss):
    """coder.Model.sentence_scores' rows: each word's own (memo, else miss(word) fills it), then
    each word pair's, in that order, as a set."""
    cdef Py_ssize_t i
    found = []
    for w in words:
        own = memo.get(w)
        if own is None:
            own = miss(w)
        found.extend(own)
    for i in range(1, len(words)):
        got = pairs.get((words[i - 1], words[i]))
        if got is not None:
            found.append(got)
    return set(found)


def window_rows(str norm, Py_ssize_t place_start, Py_ssize_t place_end, Py_ssize_t window, dict memo, dict row):
    """coder.Model.place_scores' rows of the words `window` characters left and right of the place:
    each (side, word) looked up once in `row` as "l=word" / "r=word" and remembered in `memo` (-1: none)."""
    found = []
    for side, text in (("l", norm[max(0, place_start - window) : place_start]), ("r", norm[place_end : place_end + window])):
        for w in words(text):
            key = (side, w)
            got = memo.get(key)
            if got is None:
                got = memo[key] = row.get(f"{side}={w}", -1)
            if <Py_ssize_t> got >= 0:
                found.append(got)
    return found


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


def best_class(found, const int[:] starts, const int[:] classes, const double[:] values, tuple bias, base):
    """coder.Model._best of the place's rows `found` (and the sentence's scores `base`, or None), in C:
    (the best class's index, the first of equals; its softmax probability), the same floats as the
    Python path: own = bias + rows, then (base + own) - bias, exp(s - best), the pairwise sum."""
    cdef Py_ssize_t n = len(bias), c, k, i, top = 0
    cdef double *acc = <double *> calloc(n if n else 1, sizeof(double))
    cdef double own, high
    if acc == NULL:
        raise MemoryError()
    try:
        for row in found:
            i = row
            for k in range(starts[i], starts[i + 1]):
                acc[classes[k]] += values[k]
        for c in range(n):
            own = <double> bias[c] + acc[c]
            acc[c] = own if base is None else (<double> base[c] + own) - <double> bias[c]
        high = acc[0]
        for c in range(1, n):
            if acc[c] > high:
                high, top = acc[c], c
        for c in range(n):
            acc[c] = exp(acc[c] - high)
        return top, 1.0 / pairwise_sum(acc, n)
    finally:
        free(acc)
