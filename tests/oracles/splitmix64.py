"""SplitMix64 reference outputs for functions/src/rng.rs's test.

The algorithm as defined by Steele, Lea and Flood (2014), written out with Python integers
(masked to 64 bits), independent of the Rust code. Run: python3 tests/oracles/splitmix64.py
"""

MASK = (1 << 64) - 1


def splitmix64(seed, n):
    s = seed
    out = []
    for _ in range(n):
        s = (s + 0x9E3779B97F4A7C15) & MASK
        z = s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        out.append(z ^ (z >> 31))
    return out


if __name__ == "__main__":
    for v in splitmix64(0, 3):
        print(f"0x{v:016X}")
