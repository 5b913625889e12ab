#!/usr/bin/env bash
# overhead_verdict.sh - bench/overhead_verdict.py, the verdict on issue 19's
# 2% target: the median's interval at the ranks worked out by hand (7
# rounds: the min and max; 15: ranks 4 and 12), and resolved or not as
# the intervals lie against +2%.
set -euo pipefail
python3 - "$(cd "$(dirname "$0")/../.." && pwd)/bench" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from overhead_verdict import median_ci, verdict
assert median_ci(list(range(1, 6))) is None
assert median_ci([3, 1, 2, 7, 5, 4, 6]) == (1, 7)
assert median_ci(list(range(15, 0, -1))) == (4, 12)
assert median_ci(list(range(1, 31))) == (10, 21)
t, u = verdict([1.00, 1.01, 0.99, 1.00, 1.01, 1.00, 1.00], [1.01] * 7)
assert not u and t.startswith("<= +2% wall and CPU: met; resolved"), t
t, u = verdict([1.03] * 7, [1.00] * 7)
assert not u and "**missed**; resolved" in t, t
t, u = verdict([0.90, 1.10, 1.00, 1.00, 1.00, 1.00, 1.01], [1.00] * 7)
assert u and "met; unresolved" in t and "reach across +2%" in t, t
t, u = verdict([1.00] * 5, [1.00] * 5)
assert u and "5 paired rounds" in t, t
print("ok: overhead_verdict")
PY
