#!/usr/bin/env python3
"""Times red-dwarf (the published Python reimplementation of Pol.is's
clustering, `pip install red-dwarf`) and our engine on the same Pol.is
openData conversations, in one run on one machine, and prints the ratio.

    python3 bench/red_dwarf_timing.py ../shared/polis-opendata

For each conversation with votes.csv: red-dwarf's run_pipeline (PCA,
k-means with the number of groups by silhouette, repness, consensus) on
the final votes, fastest of three runs, reading the files excluded; ours
is `examples/timing.rs` (fastest of five). Also prints each one's adjusted
Rand index against Pol.is's own groups (`participants-votes.csv`), over
the participants both clustered. Medians of an even count are the mean of
the middle two. Data: Pol.is openData, CC BY 4.0,
The Computational Democracy Project.
"""
import csv
import os
import subprocess
import sys
import time


def conversation(folder):
    """Final votes as red-dwarf wants them, and the statements moderated out."""
    latest = {}
    with open(os.path.join(folder, "votes.csv"), newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            stamp = int(row["timestamp"]) if row["timestamp"] else 0
            key = (int(row["voter-id"]), int(row["comment-id"]))
            if key not in latest or (stamp, i) >= latest[key][0]:
                latest[key] = ((stamp, i), int(row["vote"]))
    votes = [
        {"participant_id": p, "statement_id": s, "vote": v, "modified": t[0]}
        for (p, s), (t, v) in latest.items()
    ]
    out = []
    with open(os.path.join(folder, "comments.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["moderated"].strip() == "-1":
                out.append(int(row["comment-id"]))
    return votes, out


def polis_groups(folder):
    """Pol.is's own group of each participant it clustered."""
    out = {}
    path = os.path.join(folder, "participants-votes.csv")
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["group-id"].strip():
                out[int(row["participant"])] = int(row["group-id"])
    return out


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return (xs[(n - 1) // 2] + xs[n // 2]) / 2


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "../shared/polis-opendata"
    from reddwarf.implementations import polis

    folders = sorted(
        os.path.join(root, d)
        for d in os.listdir(root)
        if os.path.exists(os.path.join(root, d, "votes.csv"))
    )
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ours = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "-p", "xieshang-consensus",
         "--example", "timing", "--"] + folders,
        cwd=here, check=True, capture_output=True, text=True,
    ).stdout.splitlines()[1:]
    ours = {line.split(",")[0]: line.split(",") for line in ours}
    from sklearn.metrics import adjusted_rand_score

    print("| dataset | participants | votes | red-dwarf ms | its groups | its ARI vs Pol.is "
          "| ours ms | our groups | our ARI vs Pol.is | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    ratios, theirs_ari, ours_ari = [], [], []
    for folder in folders:
        name = os.path.basename(folder)
        votes, mod_out = conversation(folder)
        best, k, r = float("inf"), 0, None
        for _ in range(3):
            t = time.perf_counter()
            r = polis.run_pipeline(votes=votes, mod_out_statement_ids=mod_out, random_state=0)
            best = min(best, (time.perf_counter() - t) * 1000)
            k = len(set(x for x in r.participants_df["cluster_id"].dropna()))
        truth = polis_groups(folder)
        both = [
            (int(c), truth[p])
            for p, c in r.participants_df["cluster_id"].dropna().items()
            if p in truth
        ]
        ari = adjusted_rand_score([b[1] for b in both], [b[0] for b in both])
        o = ours.get(name)
        if not o:
            continue
        ratio = best / float(o[4])
        ratios.append(ratio)
        theirs_ari.append(ari)
        ours_ari.append(float(o[5]))
        print(f"| {name} | {o[1]} | {o[2]} | {best:.0f} | {k} | {ari:.3f} "
              f"| {float(o[4]):.1f} | {o[3]} | {float(o[5]):.3f} | {ratio:.0f}× |")
    print(f"\nmedian ratio {median(ratios):.0f}×, smallest {min(ratios):.0f}×, largest {max(ratios):.0f}×")
    print(f"median ARI vs Pol.is: red-dwarf {median(theirs_ari):.3f}, ours {median(ours_ari):.3f}")


if __name__ == "__main__":
    main()
