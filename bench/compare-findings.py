#!/usr/bin/env python3
"""Per-finding comparison of Stockade with Checkov and Trivy on the same manifests (issue #4).

For every peer check, counts the objects where both tools report it, where only the peer does,
and where only Stockade does, with examples. Peer IDs are mapped to Stockade checks through
docs/coverage.md (generated from each check's `aliases`), so the comparison uses the same
mapping the coverage table claims. Findings are compared per YAML document: a peer finding
and a Stockade finding agree when they are in the same file and document and the Stockade
check is one the peer ID maps to.

usage: bench/compare-findings.py [DIR] [--out FILE.md] [--examples N]
env:   STOCKADE=target/release/stockade  PEERS=~/.cache/peers  CACHE=target/compare-findings
       REUSE=1 reuses the peers' JSON from an earlier run (they take minutes)

Not part of CI: it needs Checkov and Trivy installed as ../shared/peers/README.md says.
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(cmd, out, env=None, ok=(0, 1)):
    """Runs `cmd`, writing standard output to `out`; a code outside `ok` is fatal."""
    print("+", " ".join(str(c) for c in cmd), file=sys.stderr)
    with open(out, "wb") as f:
        p = subprocess.run(cmd, stdout=f, stderr=subprocess.PIPE, env=env)
    if p.returncode not in ok:
        sys.exit(f"{cmd[0]} exited {p.returncode}: {p.stderr.decode()[-2000:]}")


def doc_ranges(path):
    """The 1-based (first, last) line of each YAML document of `path` (one for JSON)."""
    try:
        lines = Path(path).read_text(errors="replace").split("\n")
    except OSError:
        return [(1, 1)]
    if path.endswith(".json"):
        return [(1, len(lines))]
    ranges, start = [], 1
    for i, line in enumerate(lines, 1):
        if line.startswith("---") and (len(line) == 3 or line[3] in " \t"):
            if i > start:
                ranges.append((start, i - 1))
            start = i
    ranges.append((start, max(start, len(lines))))
    return ranges


class Docs:
    """Maps (file, line) to the index of the document that holds the line."""

    def __init__(self):
        self.cache = {}

    def named(self, path, kind, name):
        """The index of the document of `kind` (any case) whose metadata.name is `name`."""
        try:
            lines = Path(path).read_text(errors="replace").split("\n")
        except OSError:
            return None
        for i, (a, b) in enumerate(self.cache.setdefault(path, doc_ranges(path))):
            text = "\n".join(lines[a - 1:b])
            m = re.search(r"^metadata:[^\n]*\n(?:[ \t]+[^\n]*\n|#[^\n]*\n)*?[ \t]+name:[ \t]*['\"]?([^'\"\s#]+)",
                          text, re.M)
            k = re.search(r"^kind:[ \t]*['\"]?(\w+)", text, re.M)
            if m and m.group(1) == name and k and k.group(1).lower() == kind.lower():
                return i
        return None

    def index(self, path, line):
        ranges = self.cache.setdefault(path, doc_ranges(path))
        for i, (a, b) in enumerate(ranges):
            if a <= line <= b:
                return i
        return len(ranges) - 1


def coverage_map(tool):
    """Peer ID -> set of STK IDs, or a string (the n/a reason), from docs/coverage.md."""
    text = (ROOT / "docs/coverage.md").read_text()
    section = re.search(rf"^## {re.escape(tool)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    mapping = {}
    for row in section.group(1).splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        pid = cells[0].strip("`")
        stk = set(re.findall(r"\[(STK\d+)\]", cells[2]))
        mapping[pid] = stk if stk else cells[2]
        if tool == "trivy":
            # The anchor list spells some IDs with an extra zero (`KSV-01010` for KSV-1010).
            mapping.setdefault(trivy_id(pid), mapping[pid])
    return mapping


def trivy_id(raw):
    """Trivy writes `KSV-0001` in new releases and `KSV001` in old ones; coverage.md uses the former."""
    m = re.fullmatch(r"([A-Z]+)-?0*(\d+)", raw)
    return f"{m.group(1)}-{int(m.group(2)):04d}" if m else raw


def load_peers(args, scan_dir):
    cache = Path(os.environ.get("CACHE", ROOT / "target/compare-findings"))
    cache.mkdir(parents=True, exist_ok=True)
    peers = Path(os.environ.get("PEERS", Path.home() / ".cache/peers"))
    reuse = os.environ.get("REUSE")
    ck, tv = cache / "checkov.json", cache / "trivy.json"
    if not (reuse and ck.exists()):
        env = dict(os.environ, BC_SKIP_MAPPING="TRUE")
        run([peers / "checkov/bin/checkov", "-d", scan_dir, "--framework", "kubernetes",
             "--skip-download", "--quiet", "--compact", "-o", "json"], ck, env)
    if not (reuse and tv.exists()):
        run([peers / "trivy/bin/trivy", "config", "--cache-dir", peers / "trivy-cache",
             "--skip-check-update", "--quiet", "--format", "json", "-o", tv, scan_dir], os.devnull)
    found = collections.defaultdict(list)  # tool -> [(file, line, peer id, message)]
    data = json.loads(ck.read_text())
    for report in data if isinstance(data, list) else [data]:
        for f in report.get("results", {}).get("failed_checks", []):
            line = (f.get("file_line_range") or [1])[0]
            found["checkov"].append((f["file_abs_path"], line, f["check_id"], f.get("resource", "")))
    for r in json.loads(tv.read_text()).get("Results", []):
        path = os.path.join(scan_dir, r["Target"])
        for m in r.get("Misconfigurations") or []:
            if m.get("Status") != "FAIL":
                continue
            line = (m.get("CauseMetadata") or {}).get("StartLine") or 0
            found["trivy"].append((path, line, trivy_id(m["ID"]), m.get("Message", "")))
    return found


# Kinds whose pod templates the peers know; a pod spec anywhere else is one they do not check.
BUILTIN_WORKLOADS = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
                     "ReplicationController", "Job", "CronJob", "PodTemplate"}


def load_ours(scan_dir):
    stockade = os.environ.get("STOCKADE", str(ROOT / "target/release/stockade"))
    out = Path(os.environ.get("CACHE", ROOT / "target/compare-findings")) / "stockade.json"
    # Exit 2 when some inputs do not load: they are listed in the report's errors.
    run([stockade, "scan", scan_dir, "--select", "all", "--no-config", "--format", "json"], out, ok=(0, 1, 2))
    report = json.loads(out.read_text())
    found = []
    for f in report["findings"]:
        kind = (f.get("object") or {}).get("kind") or ""
        # A finding about a pod spec (it names a container or sits under one) in a kind
        # that is not a built-in workload: a custom resource's pod template.
        path = f.get("path") or ""
        in_pod = f.get("container") is not None or "containers" in path or "template" in path
        kind = "custom-resource-pod" if in_pod and kind not in BUILTIN_WORKLOADS else kind
        found.append((f["file"], f["line"], f["check"], f["message"], kind))
    return found, report["errors"]



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", nargs="?", default=str(ROOT.parent / "shared/corpus/realworld"))
    ap.add_argument("--out", help="write the Markdown report here (default: standard output)")
    ap.add_argument("--examples", type=int, default=3)
    args = ap.parse_args()
    # Checkov scans nothing when the path contains `..`.
    scan_dir = os.path.realpath(args.dir)
    peers = load_peers(args, scan_dir)
    ours, errors = load_ours(scan_dir)
    docs = Docs()
    ours_at = collections.defaultdict(set)  # (file, doc) -> STK IDs
    ours_where = collections.defaultdict(list)  # (file, doc, STK) -> [(line, message)]
    for path, line, check, msg, kind in ours:
        # RBAC risks are reported at the binding that grants them, and name the role's rule
        # (`rule FILE:LINE`); the peers report the role, so they are compared at the rule.
        rules = re.findall(r"rule (/[^\s:]+):(\d+)", msg)
        keys = [(p, docs.index(p, int(n))) for p, n in rules] or [(path, docs.index(path, line))]
        for key in keys:
            ours_at[key].add(check)
            ours_where[key + (check,)].append((line, msg, kind))
    error_files = {e["file"] for e in errors if e.get("level", "error") == "error"}

    rel = lambda p: os.path.relpath(p, scan_dir)
    out = [f"# Findings: Stockade vs Checkov and Trivy\n",
           f"Generated by `bench/compare-findings.py` on `{os.path.basename(scan_dir)}` "
           f"(Stockade `--select all`; peers as ../shared/peers/README.md runs them). Per peer check: "
           f"the documents where both report it, where only the peer does, where only Stockade does "
           f"(for a Stockade check the peer ID maps to, through docs/coverage.md).\n"]
    totals = {}
    for tool in ("checkov", "trivy"):
        mapping = coverage_map(tool)
        peer_at = collections.defaultdict(set)  # (file, doc) -> peer IDs
        peer_where = collections.defaultdict(list)
        for path, line, pid, msg in peers[tool]:
            doc = docs.index(path, line)
            if line <= 1 and len(docs.cache[path]) > 1:
                # Trivy gives no line for some checks: find the object its message names
                # ("deployment NAME in NS namespace ...", "Role 'NAME' ...").
                for kind, name in re.findall(r"(\w+) '?([\w.:-]+)'? in ", msg):
                    hit = docs.named(path, kind, name)
                    if hit is not None:
                        doc = hit
                        break
            key = (path, doc)
            peer_at[key].add(pid)
            peer_where[key + (pid,)].append((line, msg))
        rows = []
        t = collections.Counter()
        # STK ID -> the peer IDs that map to it: a Stockade finding counts as "only Stockade"
        # when the peer reports none of them on the document.
        back = collections.defaultdict(set)
        for pid, stks in mapping.items():
            if isinstance(stks, set):
                for s in stks:
                    back[s].add(pid)
        seen = set(p for ids in peer_at.values() for p in ids)
        crd = collections.Counter()  # peer ID -> only-Stockade findings on custom resources

        def owner(check):
            ids = back[check] & seen or back[check]
            return min(ids)

        for pid in sorted(seen | {p for p, m in mapping.items() if isinstance(m, set) and m}):
            stks = mapping.get(pid)
            if not isinstance(stks, set):
                n = sum(1 for ids in peer_at.values() if pid in ids)
                if n:
                    rows.append((pid, "n/a" if stks else "unmapped", n, 0, 0, 0, [], [],
                                 stks or "no row in docs/coverage.md"))
                    t["peer-n/a"] += n
                continue
            both, peer_only, ours_only = 0, [], []
            keys = set(k for k, ids in peer_at.items() if pid in ids)
            keys |= set(k for k, ids in ours_at.items() if ids & stks)
            for key in sorted(keys):
                peer_ids = peer_at.get(key, set())
                p = pid in peer_ids
                mine = ours_at.get(key, set()) & stks
                if p and mine:
                    both += 1
                elif p:
                    line, msg = peer_where[key + (pid,)][0]
                    why = " (Stockade could not load this file)" if key[0] in error_files else ""
                    peer_only.append(f"{rel(key[0])}:{line} {msg}{why}")
                else:
                    # Only Stockade: a check this peer ID maps to, and no peer ID that maps to
                    # that check on the document. Each such check is listed under one peer ID
                    # (the first the peer reported anywhere), so it is not counted twice.
                    lone = [c for c in sorted(mine) if not (back[c] & peer_ids) and owner(c) == pid]
                    if lone:
                        line, msg, kind = ours_where[key + (lone[0],)][0]
                        if kind == "custom-resource-pod":
                            crd[pid] += 1
                        else:
                            ours_only.append(f"{rel(key[0])}:{line} {lone[0]} {msg}")
            if both or peer_only or ours_only or crd[pid]:
                rows.append((pid, ",".join(sorted(stks)), both, len(peer_only), len(ours_only),
                             crd[pid], peer_only, ours_only, ""))
            t["both"] += both
            t["peer-only"] += len(peer_only)
            t["ours-only"] += len(ours_only)
            t["custom"] += crd[pid]
        totals[tool] = t
        out.append(f"\n## {tool}\n")
        out.append(f"Documents: both {t['both']}, only {tool} {t['peer-only']}, only Stockade "
                   f"{t['ours-only']} plus {t['custom']} in pod templates of custom resources "
                   f"(Ray, Argo, JobSet...: {tool} does not look there); {tool} findings on "
                   f"checks outside manifest scanning (n/a) {t['peer-n/a']}.\n")
        out.append("| peer ID | Stockade | both | only peer | only Stockade | only Stockade, custom resources |\n"
                   "|---|---|---:|---:|---:|---:|")
        for pid, stk, b, po, oo, cr, *_ in rows:
            out.append(f"| `{pid}` | {stk} | {b} | {po} | {oo} | {cr} |")
        for pid, stk, b, po, oo, cr, peer_only, ours_only, note in rows:
            if note:
                out.append(f"\n### `{pid}`: {note}")
                continue
            if not (peer_only or ours_only):
                continue
            out.append(f"\n### `{pid}` ({stk})")
            for label, items in ((f"only {tool}", peer_only), ("only Stockade", ours_only)):
                if items:
                    out.append(f"- {label} ({len(items)}):")
                    out.extend(f"  - `{i[:200]}`" for i in items[: args.examples])
    text = "\n".join(out) + "\n"
    if args.out:
        Path(args.out).write_text(text)
    else:
        sys.stdout.write(text)
    for tool, t in totals.items():
        print(f"{tool}: both {t['both']}, only {tool} {t['peer-only']}, only stockade {t['ours-only']} "
              f"(+{t['custom']} custom resources), n/a {t['peer-n/a']}", file=sys.stderr)


if __name__ == "__main__":
    main()
