"""Builds seed files for Jazzer's FuzzedDataProvider (docs/fuzzing.md, "Seed corpora").

Jazzer's FuzzedDataProvider takes byte arrays from the front of the input and integers, booleans
and picks from its end: the input's last byte is read first and is the most significant. A Seed
collects both halves in call order.
"""
import os


class Seed:
    def __init__(self):
        self.front = bytearray()
        self.tail = bytearray()  # in consumption order; reversed when written

    def bytes(self, b):
        self.front += b
        return self

    def int_in(self, lo, hi, v):
        # Jazzer returns the raw value when it lies in [lo, hi] (else lo + raw % (hi - lo + 1)),
        # read from as many bytes as the range needs; the full int range is raw two's complement.
        rng = hi - lo
        assert lo <= v <= hi
        k = 0
        while k < 4 and (rng >> (8 * k)) > 0:
            k += 1
        x = v & 0xffffffff if lo < 0 else v
        assert lo < 0 or x < 256 ** k
        # the first byte read (the input's last) is the most significant
        for i in reversed(range(k)):
            self.tail.append((x >> (8 * i)) & 0xff)
        return self

    def int32(self, v):
        """consumeInt() over the full range; v may be given signed or unsigned."""
        return self.int_in(-2**31, 2**31 - 1, v - 2**32 if v >= 2**31 else v)

    def boolean(self, b):
        self.tail.append(1 if b else 0)
        return self

    def pick(self, n, i):
        return self.int_in(0, n - 1, i)

    def data(self):
        return bytes(self.front) + bytes(reversed(self.tail))

    def write(self, directory, name):
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, name), 'wb') as f:
            f.write(self.data())
