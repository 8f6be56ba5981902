"""BLAKE3-256 in pure Python (the hash mode only: no key, no derive_key, 32-byte output).

Record ids are BLAKE3 over canonical bytes of a few hundred bytes, so speed is not
a concern; correctness is checked against the server's implementation
(tests/test_blake3.py, inputs from 0 to 10 KiB crossing chunk and tree boundaries).
"""

_IV = (0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19)
_PERMUTATION = (2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8)
_CHUNK_START, _CHUNK_END, _PARENT, _ROOT = 1, 2, 4, 8
_CHUNK_LEN = 1024
_BLOCK_LEN = 64
_MASK = 0xFFFFFFFF


def _rotr(x, n):
    return ((x >> n) | (x << (32 - n))) & _MASK


def _g(s, a, b, c, d, mx, my):
    s[a] = (s[a] + s[b] + mx) & _MASK
    s[d] = _rotr(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & _MASK
    s[b] = _rotr(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b] + my) & _MASK
    s[d] = _rotr(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & _MASK
    s[b] = _rotr(s[b] ^ s[c], 7)


def _round(s, m):
    _g(s, 0, 4, 8, 12, m[0], m[1])
    _g(s, 1, 5, 9, 13, m[2], m[3])
    _g(s, 2, 6, 10, 14, m[4], m[5])
    _g(s, 3, 7, 11, 15, m[6], m[7])
    _g(s, 0, 5, 10, 15, m[8], m[9])
    _g(s, 1, 6, 11, 12, m[10], m[11])
    _g(s, 2, 7, 8, 13, m[12], m[13])
    _g(s, 3, 4, 9, 14, m[14], m[15])


def _compress(cv, words, counter, block_len, flags):
    s = list(cv) + list(_IV[:4]) + [counter & _MASK, (counter >> 32) & _MASK, block_len, flags]
    m = list(words)
    for r in range(7):
        _round(s, m)
        if r < 6:
            m = [m[i] for i in _PERMUTATION]
    for i in range(8):
        s[i] ^= s[i + 8]
        s[i + 8] ^= cv[i]
    return s


def _words(block):
    block = block + bytes(_BLOCK_LEN - len(block))
    return [int.from_bytes(block[i:i + 4], "little") for i in range(0, _BLOCK_LEN, 4)]


def _chunk_output(chunk, index):
    """The last block's compression inputs (cv, words, counter, length, flags) of one chunk."""
    cv = _IV
    blocks = [chunk[i:i + _BLOCK_LEN] for i in range(0, len(chunk), _BLOCK_LEN)] or [b""]
    for n, block in enumerate(blocks[:-1]):
        cv = _compress(cv, _words(block), index, _BLOCK_LEN, _CHUNK_START if n == 0 else 0)[:8]
    flags = (_CHUNK_START if len(blocks) == 1 else 0) | _CHUNK_END
    return (cv, _words(blocks[-1]), index, len(blocks[-1]), flags)


def _cv(output):
    return _compress(*output)[:8]


def _parent_output(left, right):
    return (_IV, list(left) + list(right), 0, _BLOCK_LEN, _PARENT)


def blake3(data):
    """The 32-byte BLAKE3 hash of `data` (bytes)."""
    data = bytes(data)
    chunks = [data[i:i + _CHUNK_LEN] for i in range(0, len(data), _CHUNK_LEN)] or [b""]
    stack = []
    for index, chunk in enumerate(chunks[:-1]):
        cv = _cv(_chunk_output(chunk, index))
        total = index + 1
        while total & 1 == 0:
            cv = _cv(_parent_output(stack.pop(), cv))
            total >>= 1
        stack.append(cv)
    output = _chunk_output(chunks[-1], len(chunks) - 1)
    while stack:
        output = _parent_output(stack.pop(), _cv(output))
    cv, words, counter, block_len, flags = output
    root = _compress(cv, words, counter, block_len, flags | _ROOT)[:8]
    return b"".join(w.to_bytes(4, "little") for w in root)
