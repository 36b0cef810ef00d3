"""Oracle for tests/tests/cli/limits.rs: the 1,000,000th of the strings 'k1' .. 'k2000000'
in ordinal (byte) order, which is how KQL's `order by s asc` compares strings.

Printed: k1899999
"""
values = sorted("k%d" % x for x in range(1, 2_000_001))
print(values[999_999])
