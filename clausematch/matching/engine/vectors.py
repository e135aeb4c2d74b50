"""Word TF-IDF vectors of titles, skills and descriptions, as sparse matrix rows.

Texts are compared by their search keys (clausematch.text.search_key: normalised, short forms
written out, articles dropped), with a light plural folding ("verts" → "vert"). Words are hashed
into FEATURES columns, so any word a skill or a description brings in has a column without a
vocabulary to grow; idf comes from the appellations (a word used in many job titles, such as
"agent" or "chef", says little), and a word the referential never uses gets the highest idf.
A profile's vector is the weighted sum of the vectors of its pieces of text (building.py:
each distinct piece vectorised once, then combined by one sparse product), normalised to unit
length, so the cosine of two profiles is the dot product of their rows.
"""
import math
import zlib
from collections import Counter

import numpy as np
from scipy import sparse

from clausematch.text import search_key

FEATURES = 1 << 20


def fold(word: str) -> str:
    """Plural and most feminine endings do not make another word ("verts", "vertes" → "vert")."""
    if len(word) > 4 and word.endswith(("s", "x")):
        word = word[:-1]
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


class WordVectoriser:
    """Hashing + idf vectoriser of search keys; caches the columns of the words it has seen."""

    def __init__(self, referential):
        documents = [{fold(w) for form in a.forms for w in search_key(form).split()}
                     for a in referential.appellations]
        frequency = Counter(word for words in documents for word in words)
        total = len(documents)
        self.idf = {word: math.log((1 + total) / (1 + count)) + 1 for word, count in frequency.items()}
        self.unseen_idf = math.log(1 + total) + 1
        self._columns: dict[str, int] = {}

    def weights(self, key: str) -> dict[int, float]:
        """Column → tf-idf weight of the words of a search key (each word counted once)."""
        out: dict[int, float] = {}
        for word in {fold(w) for w in key.split()}:
            column = self._columns.get(word)
            if column is None:
                column = self._columns[word] = zlib.crc32(word.encode()) % FEATURES
            out[column] = max(out.get(column, 0.0), self.idf.get(word, self.unseen_idf))
        return out

    def vectors(self, keys: list[str]) -> sparse.csr_matrix:
        """One (unnormalised) tf-idf row per search key."""
        indptr, indices, data = [0], [], []
        for key in keys:
            weights = self.weights(key)
            indices.extend(weights)
            data.extend(weights.values())
            indptr.append(len(indices))
        return sparse.csr_matrix((np.asarray(data, np.float32), np.asarray(indices, np.int32),
                                  np.asarray(indptr, np.int64)), shape=(len(keys), FEATURES))


def unit_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """The rows of a CSR matrix scaled to unit length (empty rows stay empty)."""
    squares = np.zeros(matrix.shape[0], np.float32)
    filled = np.diff(matrix.indptr) > 0
    if filled.any():
        squares[filled] = np.add.reduceat(matrix.data ** 2, matrix.indptr[:-1][filled])
    norms = np.sqrt(squares)
    norms[norms == 0] = 1
    matrix.data /= np.repeat(norms, np.diff(matrix.indptr))
    return matrix
