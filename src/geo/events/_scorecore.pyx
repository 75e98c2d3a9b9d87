# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The event coder's hot loops compiled (coder.Model): a sentence's and a place's scores (the bias
plus the weight rows of their features) and a place's best class, without numpy (whose import was a
third of the start-up) and without a Python float per class.

Each row is added once, in the order the features are first met, one after the other, each class in
a double, as numpy's add.reduce over the rows adds them: the same floats as the numpy path
(tests/test_compiled.py). Optional: coder.py uses numpy when this module was not built.
"""

from libc.math cimport exp
from libc.stdint cimport uint64_t
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memcmp, memcpy


cdef struct Word:  # a word of the text as the scan reads it: its first `cap` letters, its length, hashes
    char *text
    Py_ssize_t length, cap  # cap: the longest key's length (a longer word is no key: only its stem is read)
    uint64_t hash, stem_hash


cdef struct Keys:  # open addressing over byte strings: a key's offset in `chars` (-1: empty slot), its values
    char *chars
    Py_ssize_t *offset
    int *length
    int *value  # `width` ints a slot
    Py_ssize_t mask, used, chars_used, chars_cap
    int width


cdef inline uint64_t _fnv(uint64_t h, char c) noexcept:
    return (h ^ <unsigned char> c) * 1099511628211ULL


cdef inline uint64_t _mix(uint64_t x) noexcept:  # splitmix64's finaliser: a word pair's slot
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL
    return x ^ (x >> 31)


cdef int _keys_init(Keys *k, Py_ssize_t count, int width) except -1:
    cdef Py_ssize_t size = 16, i
    while size < 2 * count:
        size *= 2
    k.mask, k.used, k.width, k.chars_used, k.chars_cap = size - 1, 0, width, 0, 16 * size
    k.offset = <Py_ssize_t *> malloc(size * sizeof(Py_ssize_t))
    k.length = <int *> calloc(size, sizeof(int))
    k.value = <int *> malloc(size * width * sizeof(int))
    k.chars = <char *> malloc(k.chars_cap)
    if not (k.offset and k.length and k.value and k.chars):
        raise MemoryError()
    for i in range(size):
        k.offset[i] = -1
    for i in range(size * width):
        k.value[i] = -1
    return 0


cdef void _keys_free(Keys *k) noexcept:
    free(k.chars)
    free(k.offset)
    free(k.length)
    free(k.value)


cdef Py_ssize_t _keys_find(const Keys *k, const char *text, Py_ssize_t length, uint64_t h) noexcept:
    """The slot of the key `text`, or of the empty slot where it would go."""
    cdef Py_ssize_t i = <Py_ssize_t> (h & <uint64_t> k.mask)
    while k.offset[i] >= 0:
        if k.length[i] == length and memcmp(k.chars + k.offset[i], text, length) == 0:
            return i
        i = (i + 1) & k.mask
    return i


cdef Py_ssize_t _keys_slot(Keys *k, const char *text, Py_ssize_t length) except -1:
    """The slot of the key text[:length], added when new (the table is made with room for all its keys)."""
    cdef Py_ssize_t i, j
    cdef uint64_t h = 14695981039346656037ULL
    cdef char *grown
    for j in range(length):
        h = _fnv(h, text[j])
    i = _keys_find(k, text, length, h)
    if k.offset[i] < 0:
        if k.used + 1 > (k.mask + 1) // 2:
            raise OverflowError("the feature table was made too small")
        while k.chars_used + length > k.chars_cap:
            grown = <char *> realloc(k.chars, 2 * k.chars_cap)
            if grown == NULL:
                raise MemoryError()
            k.chars, k.chars_cap = grown, 2 * k.chars_cap
        memcpy(k.chars + k.chars_used, text, length)
        k.offset[i], k.length[i] = k.chars_used, length
        k.chars_used += length
        k.used += 1
    return i


cdef inline Py_ssize_t _slice_index(Py_ssize_t i, Py_ssize_t n) noexcept:
    """An index as a Python slice reads it: from the end when negative, within [0, n]."""
    if i < 0:
        i += n
    return 0 if i < 0 else n if i > n else i


cdef inline bint _decimal(Py_UCS4 ch) noexcept:
    """str.isdecimal of one character, without a call for ASCII."""
    if ch < 128:
        return 48 <= ch <= 57
    return ch.isdecimal()


cdef Py_ssize_t _next_word(str text, Py_ssize_t i, Py_ssize_t end, Word *w, Py_ssize_t stem) noexcept:
    """Read the word at or after text[i] (before `end`) into `w`: a run of a-z, or a run of decimal digits
    read as "0" (coder._words). The offset after it, or -1 when there is none."""
    cdef Py_UCS4 ch
    cdef uint64_t h = 14695981039346656037ULL
    while i < end:
        ch = text[i]
        if 97 <= ch <= 122 or _decimal(ch):
            break
        i += 1
    if i >= end:
        return -1
    w.length, w.stem_hash = 0, 0
    if _decimal(ch):
        while i < end and _decimal(text[i]):
            i += 1
        w.text[0], w.length, w.hash = 48, 1, _fnv(h, 48)  # "0"
        return i
    while i < end:
        ch = text[i]
        if not 97 <= ch <= 122:
            break
        if w.length < w.cap:
            w.text[w.length] = <char> ch
            h = _fnv(h, <char> ch)
        w.length += 1
        if w.length == stem:
            w.stem_hash = h
        i += 1
    w.hash = h
    return i


cdef struct Scratch:  # one call's sums, the rows it has added, the word it reads (a call's own: threads share a model)
    double *acc
    unsigned char *seen  # a bit a row
    Word word


cdef void _end(Scratch *s) noexcept:
    free(s.acc)
    free(s.seen)
    free(s.word.text)


cdef struct Pairs:  # open addressing over word pairs (the two words' slots in the word table): a row each
    uint64_t *key  # EMPTY_PAIR: an empty slot
    int *row
    Py_ssize_t mask


cdef uint64_t EMPTY_PAIR = 0xffffffffffffffffULL


cdef Py_ssize_t _pair_find(const Pairs *p, uint64_t key) noexcept:
    cdef Py_ssize_t i = <Py_ssize_t> (_mix(key) & <uint64_t> p.mask)
    while p.key[i] != EMPTY_PAIR and p.key[i] != key:
        i = (i + 1) & p.mask
    return i


cdef int _pairs_init(Pairs *p, Py_ssize_t count) except -1:
    cdef Py_ssize_t size = 16, i
    while size < 2 * count:
        size *= 2
    p.mask = size - 1
    p.key = <uint64_t *> malloc(size * sizeof(uint64_t))
    p.row = <int *> malloc(size * sizeof(int))
    if not (p.key and p.row):
        raise MemoryError()
    for i in range(size):
        p.key[i] = EMPTY_PAIR
    return 0


cdef inline bint _is_word(const char *text, Py_ssize_t length) noexcept:
    """A key the word scan can read (coder._words): a run of a-z, or "0"."""
    cdef Py_ssize_t j
    if length == 1 and text[0] == 48:
        return True
    for j in range(length):
        if not 97 <= text[j] <= 122:
            return False
    return length > 0


cdef Py_ssize_t _underscore(const char *text, Py_ssize_t length) noexcept:
    cdef Py_ssize_t j
    for j in range(length):
        if text[j] == 95:
            return j
    return -1


cdef class RowSums:
    """A model's weight rows as C arrays (each row its non-zero (class, weight) pairs: about 5 of 25
    classes), and its features' rows by word in C hash tables, read-only once made. Each call reads the
    text's words without a Python string per word and sums in its own scratch (`Scratch`): a row met
    twice is added once (a bit a row marks it).

    `names[i]` is row i's feature: "w=word", "s=stem", "l=word", "r=word", "b=first_second" are looked
    up here; other features (the rules' decision) are passed as rows."""

    cdef int *starts
    cdef int *classes
    cdef double *values
    cdef double *bias
    cdef Py_ssize_t n, rows, stem, word_cap
    cdef Keys words  # a word's rows: w=, l=, r= (-1: none); its slot is its id in `pairs`
    cdef Keys stems  # a stem's row: s=
    cdef Pairs pairs

    def __cinit__(self, starts, classes, values, tuple bias, names, Py_ssize_t stem):
        cdef Py_ssize_t i
        if len(classes) != len(values):
            raise ValueError("a weight for each class index")
        if stem < 1:
            raise ValueError("a stem of one letter at least")
        self.rows, self.n, self.stem = len(starts) - 1, len(bias), stem
        self.starts = <int *> calloc(len(starts), sizeof(int))
        self.classes = <int *> calloc(max(1, len(classes)), sizeof(int))
        self.values = <double *> calloc(max(1, len(values)), sizeof(double))
        self.bias = <double *> calloc(max(1, self.n), sizeof(double))
        if not (self.starts and self.classes and self.values and self.bias):
            raise MemoryError()
        cdef const int[::1] starts_of = starts  # array("i"), array("i"), array("d"): copied as they are
        cdef const int[::1] classes_of = classes
        cdef const double[::1] values_of = values
        memcpy(self.starts, &starts_of[0], len(starts) * sizeof(int))
        if len(classes):
            memcpy(self.classes, &classes_of[0], len(classes) * sizeof(int))
            memcpy(self.values, &values_of[0], len(values) * sizeof(double))
        for i in range(self.n):
            self.bias[i] = bias[i]
        self._index(list(names))

    cdef int _index(self, list names) except -1:
        """The tables of the features in `names` (row i: names[i]), read in C from their UTF-8 bytes (a
        Python loop over the 16k names took 40 ms of the start-up)."""
        encoded = [feature.encode("utf-8") for feature in names]
        cdef bytes blob = b"".join(encoded)
        cdef const char *all_names = blob
        cdef Py_ssize_t count = len(encoded), i, at, length, u, first, slot, words = 0, stems = 0, pairs = 0
        cdef Py_ssize_t *starts = <Py_ssize_t *> malloc((count + 1) * sizeof(Py_ssize_t))
        cdef const char *name
        cdef uint64_t key
        cdef int side
        if starts == NULL:
            raise MemoryError()
        try:
            starts[0] = 0
            for i in range(count):
                starts[i + 1] = starts[i] + len(<bytes> encoded[i])
            for i in range(count):  # how many keys of each kind, at most (a word may come twice)
                name, length = all_names + starts[i], starts[i + 1] - starts[i] - 2
                if length < 1 or name[1] != 61:  # "="
                    continue
                if name[0] in b"wlr" and _is_word(name + 2, length):
                    words += 1
                elif name[0] == 115 and _is_word(name + 2, length):  # "s"
                    stems += 1
                elif name[0] == 98:  # "b"
                    u = _underscore(name + 2, length)
                    if u > 0 and _is_word(name + 2, u) and _is_word(name + 3 + u, length - u - 1):
                        words += 2
                        pairs += 1
            self.word_cap = self.stem
            _keys_init(&self.words, words, 3)
            _keys_init(&self.stems, stems, 1)
            _pairs_init(&self.pairs, pairs)
            for i in range(count):  # the words and stems, then the pairs of words now in the table
                name, length = all_names + starts[i], starts[i + 1] - starts[i] - 2
                if length < 1 or name[1] != 61:
                    continue
                side = 0 if name[0] == 119 else 1 if name[0] == 108 else 2 if name[0] == 114 else -1  # w l r
                if side >= 0 and _is_word(name + 2, length):
                    self.words.value[3 * _keys_slot(&self.words, name + 2, length) + side] = i
                    self.word_cap = max(self.word_cap, length)
                elif name[0] == 115 and _is_word(name + 2, length):
                    self.stems.value[_keys_slot(&self.stems, name + 2, length)] = i
                    self.word_cap = max(self.word_cap, length)
                elif name[0] == 98:
                    u = _underscore(name + 2, length)
                    if u > 0 and _is_word(name + 2, u) and _is_word(name + 3 + u, length - u - 1):
                        _keys_slot(&self.words, name + 2, u)
                        _keys_slot(&self.words, name + 3 + u, length - u - 1)
                        self.word_cap = max(self.word_cap, length)
            for i in range(count):
                name, length = all_names + starts[i], starts[i + 1] - starts[i] - 2
                if length < 1 or name[0] != 98 or name[1] != 61:
                    continue
                u = _underscore(name + 2, length)
                if u > 0 and _is_word(name + 2, u) and _is_word(name + 3 + u, length - u - 1):
                    first = _keys_slot(&self.words, name + 2, u)
                    key = (<uint64_t> first << 32) | <uint64_t> _keys_slot(&self.words, name + 3 + u, length - u - 1)
                    slot = _pair_find(&self.pairs, key)
                    self.pairs.key[slot], self.pairs.row[slot] = key, i
        finally:
            free(starts)
        return 0

    def __dealloc__(self):
        free(self.starts)
        free(self.classes)
        free(self.values)
        free(self.bias)
        _keys_free(&self.words)
        _keys_free(&self.stems)
        free(self.pairs.key)
        free(self.pairs.row)

    cdef int _begin(self, Scratch *s) except -1:
        s.acc = <double *> calloc(max(1, self.n), sizeof(double))
        s.seen = <unsigned char *> calloc(self.rows // 8 + 1, 1)
        s.word.text = <char *> malloc(self.word_cap)
        s.word.cap = self.word_cap
        if s.acc == NULL or s.seen == NULL or s.word.text == NULL:
            _end(s)
            raise MemoryError()
        return 0

    cdef int _add(self, Scratch *s, Py_ssize_t i) except -1:
        cdef Py_ssize_t k
        cdef unsigned char bit = 1 << (i & 7)
        if i < 0 or i >= self.rows:
            raise IndexError(i)
        if s.seen[i >> 3] & bit:
            return 0
        s.seen[i >> 3] |= bit
        for k in range(self.starts[i], self.starts[i + 1]):
            s.acc[self.classes[k]] += self.values[k]
        return 0

    cdef Py_ssize_t _word_slot(self, Word *w) noexcept:
        """The word's slot in `words`, -1 when it is no key."""
        cdef Py_ssize_t slot
        if w.length > w.cap:
            return -1
        slot = _keys_find(&self.words, w.text, w.length, w.hash)
        return slot if self.words.offset[slot] >= 0 else -1

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

    def sentence(self, str norm):
        """coder.Model.sentence_scores: each word's own rows (w=word, then s=stem for a word longer than
        the stem), then each word pair's (b=first_second), summed."""
        cdef Py_ssize_t i = 0, n = len(norm), slot, count = 0, k, row
        cdef Scratch s
        cdef Pairs *pairs = &self.pairs
        cdef Py_ssize_t *slots
        self._begin(&s)
        slots = <Py_ssize_t *> malloc((n + 1) * sizeof(Py_ssize_t))  # a word per character at most ("a1b2")
        if slots == NULL:
            _end(&s)
            raise MemoryError()
        try:
            while True:
                i = _next_word(norm, i, n, &s.word, self.stem)
                if i < 0:
                    break
                slot = slots[count] = self._word_slot(&s.word)
                count += 1
                if slot >= 0 and self.words.value[3 * slot] >= 0:
                    self._add(&s, self.words.value[3 * slot])
                if s.word.length > self.stem:
                    slot = _keys_find(&self.stems, s.word.text, self.stem, s.word.stem_hash)
                    if self.stems.offset[slot] >= 0:
                        self._add(&s, self.stems.value[slot])
            for k in range(1, count):
                if slots[k - 1] >= 0 and slots[k] >= 0:
                    row = _pair_find(pairs, (<uint64_t> slots[k - 1] << 32) | <uint64_t> slots[k])
                    if pairs.key[row] != EMPTY_PAIR:
                        self._add(&s, pairs.row[row])
            return self._scores(&s)
        finally:
            free(slots)
            _end(&s)

    cdef int _window(self, Scratch *s, str norm, Py_ssize_t start, Py_ssize_t end, int side) except -1:
        """The rows of the words in norm[start:end] on one side of a place (side 1: l=, 2: r=)."""
        cdef Py_ssize_t slot, n = len(norm)
        start, end = _slice_index(start, n), _slice_index(end, n)
        while True:
            start = _next_word(norm, start, end, &s.word, self.stem)
            if start < 0:
                return 0
            slot = self._word_slot(&s.word)
            if slot >= 0 and self.words.value[3 * slot + side] >= 0:
                self._add(s, self.words.value[3 * slot + side])

    cdef int _place(self, Scratch *s, str norm, Py_ssize_t place_start, Py_ssize_t place_end, Py_ssize_t window,
                    tuple rule_rows) except -1:
        self._window(s, norm, max(0, place_start - window), place_start, 1)
        self._window(s, norm, place_end, place_end + window, 2)
        for r in rule_rows:
            self._add(s, r)
        return 0

    def place(self, str norm, Py_ssize_t place_start, Py_ssize_t place_end, Py_ssize_t window, tuple rule_rows):
        """coder.Model.place_scores: the rows of the words `window` characters left and right of the
        place ("l=word", "r=word"), then the rules' `rule_rows`, summed."""
        cdef Scratch s
        self._begin(&s)
        try:
            self._place(&s, norm, place_start, place_end, window, rule_rows)
            return self._scores(&s)
        finally:
            _end(&s)

    def place_best(self, str norm, Py_ssize_t place_start, Py_ssize_t place_end, Py_ssize_t window,
                   tuple rule_rows, base):
        """coder.Model._best of `place`'s scores (with the sentence's scores `base`, or None): (the best
        class's index, the first of equals; its softmax probability). The same floats as the Python
        path: own = bias + rows, then (base + own) - bias, exp(s - best), numpy's pairwise sum."""
        cdef Py_ssize_t c, top = 0
        cdef double own, high
        cdef Scratch s
        self._begin(&s)
        try:
            self._place(&s, norm, place_start, place_end, window, rule_rows)
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
    """coder._words, read by the scan the sums use (`_next_word`): the runs of a-z and of digits (each
    digit run as "0"), as re.findall("[a-z]+|\\d+", re.sub("\\d+", "0", text)) finds them (\\d: any
    decimal digit)."""
    cdef Word w
    cdef Py_ssize_t i = 0, n = len(text)
    cdef char letters[1]
    w.text, w.cap = letters, 1  # the words are sliced from the text: the scan needs no copy of them
    out = []
    while True:
        i = _next_word(text, i, n, &w, 1)
        if i < 0:
            return out
        out.append("0" if _decimal(text[i - 1]) else text[i - w.length : i])



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
