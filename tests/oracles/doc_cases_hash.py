#!/usr/bin/env python3
"""Independent oracle for the hash/encoding expectations in corpus/kqlt/docs_functions_hash_encoding.kqlt.

xxHash64 (seed 0) is implemented here from the public algorithm description; md5/sha* come from
hashlib; GUID byte order follows .NET's Guid.ToByteArray (first three groups little-endian).
"""
import base64
import hashlib
import struct
import uuid

P1, P2, P3, P4, P5 = (
    11400714785074694791,
    14029467366897019727,
    1609587929392839161,
    9650029242287828579,
    2870177450012600261,
)
M = (1 << 64) - 1


def rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M


def rnd(acc, lane):
    acc = (acc + lane * P2) & M
    return (rotl(acc, 31) * P1) & M


def merge(acc, v):
    acc ^= rnd(0, v)
    return (acc * P1 + P4) & M


def xxh64(data: bytes, seed: int = 0) -> int:
    n = len(data)
    i = 0
    if n >= 32:
        v = [(seed + P1 + P2) & M, (seed + P2) & M, seed, (seed - P1) & M]
        while i + 32 <= n:
            for k in range(4):
                v[k] = rnd(v[k], struct.unpack_from("<Q", data, i + 8 * k)[0])
            i += 32
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & M
        for k in range(4):
            h = merge(h, v[k])
    else:
        h = (seed + P5) & M
    h = (h + n) & M
    while i + 8 <= n:
        h ^= rnd(0, struct.unpack_from("<Q", data, i)[0])
        h = (rotl(h, 27) * P1 + P4) & M
        i += 8
    if i + 4 <= n:
        h ^= (struct.unpack_from("<I", data, i)[0] * P1) & M
        h = (rotl(h, 23) * P2 + P3) & M
        i += 4
    while i < n:
        h ^= (data[i] * P5) & M
        h = (rotl(h, 11) * P1) & M
        i += 1
    h ^= h >> 33
    h = (h * P2) & M
    h ^= h >> 29
    h = (h * P3) & M
    h ^= h >> 32
    return h


def signed(h):
    return h - (1 << 64) if h >= 1 << 63 else h


assert xxh64(b"") == 0xEF46DB3751D8E999  # published test vector for the empty input
w = signed(xxh64("World".encode("utf-8")))
print("xxhash64('World') utf-8:", w, " mod 100:", w % 100)
print("md5:", hashlib.md5(b"World").hexdigest())
print("sha1:", hashlib.sha1(b"World").hexdigest())
print("sha256:", hashlib.sha256(b"World").hexdigest())
print("base64_decode_toarray:", list(base64.b64decode("S3VzdG8=")))
print("base64_decode_toguid:", uuid.UUID(bytes_le=base64.b64decode("JpbpECu8dUy7Pv5gbeJXAA==")))
print("base64_encode_fromguid:", base64.b64encode(uuid.UUID("ae3133f2-6e22-49ae-b06a-16e6a9b212eb").bytes_le).decode())
raw = base64.b64decode("U3RyaW5n0KHR0tGA0L7Rh9C60LA=")
try:
    raw.decode("utf-8")
    print("valid utf-8")
except UnicodeDecodeError:
    print("U3RyaW5n0KHR0tGA0L7Rh9C60LA= is not valid UTF-8 -> null")
