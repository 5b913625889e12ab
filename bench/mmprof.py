#!/usr/bin/env python3
# mmprof.py - sums rustc -Z self-profile events by name from .mm_profdata
# files (measureme's paged format, file version 9: 64-bit string ids),
# without measureme's tools.  usage: mmprof.py EVENT FILE...  prints
# "<file> <seconds>" per file, then "total <seconds>".
import struct, sys

FIRST_REGULAR = 100_000_003  # measureme: ids above are data addresses

def pages(d):
    assert d[:4] == b'MMPD', 'not a paged measureme file'
    off, out = 8, {}
    while off < len(d):
        tag, n = d[off], struct.unpack_from('<I', d, off + 1)[0]
        out.setdefault(tag, bytearray()).extend(d[off + 5:off + 5 + n])
        off += 5 + n
    # each stream keeps its 8-byte header: string addresses count it
    return {t: bytes(v) for t, v in out.items()}

def strings(data, index):
    """A string id's text up to its first reference (0xFE) or its end
    (0xFF): event labels are plain text, their arguments follow."""
    memo = {}
    def get(sid):
        if sid not in memo:
            addr = index.get(sid, sid - FIRST_REGULAR)
            end = addr
            while 0 <= end < len(data) and data[end] not in (0xFE, 0xFF):
                end += 1
            memo[sid] = data[addr:end].decode('utf-8', 'replace') if 0 <= addr < len(data) else '?'
        return memo[sid]
    return get

def total(path, name):
    p = pages(open(path, 'rb').read())
    ev, sd, si = p[0], p[1], p[2]
    index = dict(struct.iter_unpack('<QQ', si[8:]))
    get = strings(sd, index)
    t = 0
    for kind, eid, _th, p1, p2, pu in struct.iter_unpack('<QQIIII', ev[8:]):
        end = p2 | ((pu & 0xFFFF) << 32)
        if end == 0xFFFF_FFFF_FFFF:  # an instant event
            continue
        if get(eid).split('\x1e')[0] == name:
            t += end - (p1 | ((pu & 0xFFFF0000) << 16))
    return t / 1e9

if __name__ == '__main__':
    name, s = sys.argv[1], 0
    for f in sys.argv[2:]:
        x = total(f, name)
        s += x
        print(f, f'{x:.6f}')
    print('total', f'{s:.6f}')
