"""The 32-bit Mersenne Twister as PyTorch's CPU generator runs it, vectorized on the host.

PyTorch's engine keeps 624 words of state, a read position ``next`` and a countdown
``left``; seeding fills the state from the low 32 bits of the seed (the reference
``init_genrand``) with ``left = 1``, so the first draw regenerates the block ("twists")
before it reads word 0. Each draw tempers one state word. The layout of these fields is
what ``Generator.get_state`` writes, so they are kept exactly as PyTorch keeps them.

Speed: drawing ``n`` words one at a time in Python would take seconds for ``n = 10**7``.
Instead the state words are produced as one stream ``x``: word ``k`` of a new block is
``x[k] = x[k - 227] ^ twist(x[k - 624], x[k - 623])``, the twist of the pair 624 words
back. 227 consecutive words depend only on words already known, so each step computes
227 words with one array operation, after the twists of the next 623 pairs (all of whose
inputs are known) are computed together; tempering runs once over everything drawn.

The arrays are the host backend's (NumPy): ``xp`` is its array namespace, passed in, so
this module imports no array library itself. Only the array API's integer operators are
used, on ``uint32`` arrays, whose arithmetic wraps as C's does.
"""

from __future__ import annotations

from typing import Any

N = 624  # words of state
M = 397  # the twist's middle offset
LAG = N - M  # 227: x[k] needs x[k - LAG], so LAG words can be made at once
MATRIX_A = 0x9908B0DF
UPPER_MASK = 0x80000000
LOWER_MASK = 0x7FFFFFFF
WORD = 0xFFFFFFFF


def seed_words(seed: int) -> list[int]:
    """The 624 state words ``init_genrand(seed & 0xffffffff)`` gives (Python ints)."""
    words = [seed & WORD]
    for j in range(1, N):
        prev = words[-1]
        words.append((1812433253 * (prev ^ (prev >> 30)) + j) & WORD)
    return words


class MT19937:
    """One engine: ``state`` (624 ``uint32`` words), ``left`` and ``next`` as PyTorch's.

    :meth:`draw` returns the next ``n`` 32-bit outputs, exactly those ``n`` calls of
    PyTorch's ``mt19937::operator()`` would return, and leaves the same state behind.
    """

    def __init__(self, xp: Any, seed: int) -> None:
        self.xp = xp
        self.state = xp.asarray(seed_words(seed), dtype=xp.uint32)
        self.left = 1
        self.next = 0

    def copy(self) -> MT19937:
        other = object.__new__(MT19937)
        other.xp, other.left, other.next = self.xp, self.left, self.next
        other.state = self.xp.asarray(self.state, copy=True)
        return other

    def draw(self, n: int) -> Any:
        """The next ``n`` outputs as a ``uint32`` array (tempered state words)."""
        xp = self.xp
        if n <= 0:
            return xp.zeros(0, dtype=xp.uint32)
        ready = min(n, self.left - 1)  # words of the current block not read yet
        parts = [self.state[self.next : self.next + ready]]
        self.next += ready
        self.left -= ready
        missing = n - ready
        if missing:
            blocks = -(-missing // N)
            stream = _twist_blocks(xp, self.state, blocks)
            parts.append(stream[:missing])
            self.state = stream[(blocks - 1) * N :]
            used = missing - (blocks - 1) * N
            self.next, self.left = used, N - used + 1
        return temper(xp, xp.concat(parts) if len(parts) > 1 else parts[0])


def _twist_blocks(xp: Any, state: Any, blocks: int) -> Any:
    """The state words of the next ``blocks`` blocks after ``state``, as one array."""
    total = N * (blocks + 1)
    x = xp.empty(total, dtype=xp.uint32)
    x[:N] = state
    upper, lower = xp.uint32(UPPER_MASK), xp.uint32(LOWER_MASK)
    one, matrix, shift = xp.uint32(1), xp.uint32(MATRIX_A), xp.uint32(1)
    for k in range(N, total, N - 1):
        end = min(k + N - 1, total)
        a, b = x[k - N : end - N], x[k - N + 1 : end - N + 1]
        # The twist of every pair these words need: its inputs are all known already.
        g = (((a & upper) | (b & lower)) >> shift) ^ ((b & one) * matrix)
        for s in range(k, end, LAG):
            e = min(s + LAG, end)
            x[s:e] = x[s - LAG : e - LAG] ^ g[s - k : e - k]
    return x[N:]


def temper(xp: Any, y: Any) -> Any:
    """The Mersenne Twister's output transform of state words ``y`` (a new array)."""
    y = y ^ (y >> xp.uint32(11))
    y = y ^ ((y << xp.uint32(7)) & xp.uint32(0x9D2C5680))
    y = y ^ ((y << xp.uint32(15)) & xp.uint32(0xEFC60000))
    return y ^ (y >> xp.uint32(18))
