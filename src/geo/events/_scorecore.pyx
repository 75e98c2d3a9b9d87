# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The event coder's hot loop compiled (coder.Model._sum): the bias plus the weight rows of a
sentence's or a place's features, without numpy (whose import was a third of the start-up).

The rows are added one after the other in the order given, each class in a double, as numpy's
add.reduce over the rows adds them: the same floats as the pure-Python path (tests/test_compiled.py).
Optional: coder.py uses numpy when this module was not built.
"""

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
