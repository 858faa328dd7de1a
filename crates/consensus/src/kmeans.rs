//! Clustering on the opinion map: weighted k-means with seeded k-means++
//! starts and restarts (the lowest within-cluster sum of squares wins; its
//! iterations skip, by Hamerly's bounds, the points that cannot have moved),
//! the base clusters, and the opinion groups with their number chosen by
//! silhouette (see the crate's notes for the rule).

use crate::nearest::{ByX, dist2, nearest_of};
use crate::{BASE_K, K_MARGIN};

/// Above this many points, base clusters are found on an even sample.
const BASE_SAMPLE: usize = 20_000;

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A weighted draw: an index with probability proportional to `w`.
fn draw(rng: &mut Rng, w: &[f64]) -> usize {
    let total: f64 = w.iter().sum();
    if total <= 0.0 {
        return 0;
    }
    let mut r = rng.next() * total;
    for (i, &x) in w.iter().enumerate() {
        r -= x;
        if r < 0.0 {
            return i;
        }
    }
    w.len() - 1
}

/// k-means++ starts, weighted.
fn seed(points: &[[f64; 2]], weights: &[f64], k: usize, rng: &mut Rng) -> Vec<[f64; 2]> {
    let mut centres = vec![points[draw(rng, weights)]];
    let mut d: Vec<f64> = points.iter().map(|&p| dist2(p, centres[0])).collect();
    while centres.len() < k {
        let w: Vec<f64> = d.iter().zip(weights).map(|(a, b)| a * b).collect();
        let c = points[draw(rng, &w)];
        centres.push(c);
        for (i, &p) in points.iter().enumerate() {
            d[i] = d[i].min(dist2(p, c));
        }
    }
    centres
}

/// One clustering: centres, each point's cluster, the weighted sum of squares.
#[derive(Clone)]
pub struct Clustering {
    pub centres: Vec<[f64; 2]>,
    pub labels: Vec<usize>,
    pub inertia: f64,
}

/// Bounds are kept with this much room, so that rounding in their sums can
/// never let a point keep a centre that is not its nearest.
const BOUND_SLACK: f64 = 1e-9;

/// Lloyd's iterations keep bounds from this many centres on (the base
/// clusters) and with at least [`POINTS_PER_CENTRE`] times as many points:
/// keeping them costs a distance between every two centres each round, more
/// than measuring every distance when there are few centres (the groups) or
/// few points per centre (a small conversation's base clusters).
const BOUNDED_FROM: usize = 16;
const POINTS_PER_CENTRE: usize = 5;

/// Lloyd's iterations from `centres` until no point changes cluster (at
/// most `rounds`): each round gives every point its nearest centre (ties to
/// the lower index) and moves each centre to its points' weighted mean; a
/// centre left without points stays.
fn lloyd_for(
    points: &[[f64; 2]],
    weights: &[f64],
    centres: Vec<[f64; 2]>,
    rounds: usize,
) -> Clustering {
    if centres.len() < BOUNDED_FROM || points.len() < POINTS_PER_CENTRE * centres.len() {
        lloyd_plain(points, weights, centres, rounds)
    } else {
        lloyd_bounded(points, weights, centres, rounds)
    }
}

/// [`lloyd_for`], measuring every distance.
fn lloyd_plain(
    points: &[[f64; 2]],
    weights: &[f64],
    mut centres: Vec<[f64; 2]>,
    rounds: usize,
) -> Clustering {
    let mut labels = vec![usize::MAX; points.len()];
    for _ in 0..rounds {
        let mut changed = false;
        for (i, &p) in points.iter().enumerate() {
            let c = nearest_of(p, &centres);
            if labels[i] != c {
                labels[i] = c;
                changed = true;
            }
        }
        recentre(points, weights, &labels, &mut centres);
        if !changed {
            break;
        }
    }
    clustering(points, weights, centres, labels)
}

/// [`lloyd_for`] with the same answer, but most distances never computed
/// (Hamerly's bounds): each point keeps an upper bound on the distance to
/// its centre and a lower bound on the distance to any other, both moved by
/// how far the centres moved. A point whose upper bound is below the lower
/// one, or below half the distance from its centre to the next centre,
/// cannot have a nearer centre (triangle inequality), so it is not looked
/// at again.
fn lloyd_bounded(
    points: &[[f64; 2]],
    weights: &[f64],
    mut centres: Vec<[f64; 2]>,
    rounds: usize,
) -> Clustering {
    let mut labels = vec![usize::MAX; points.len()];
    let mut upper = vec![f64::INFINITY; points.len()];
    let mut lower = vec![0.0f64; points.len()];
    for _ in 0..rounds {
        // Half the distance from each centre to the nearest other one.
        let half: Vec<f64> = centres
            .iter()
            .enumerate()
            .map(|(a, &ca)| {
                let nearest_other = centres
                    .iter()
                    .enumerate()
                    .filter(|&(b, _)| b != a)
                    .map(|(_, &cb)| dist2(ca, cb))
                    .fold(f64::INFINITY, f64::min);
                0.5 * nearest_other.sqrt()
            })
            .collect();
        let by_x = ByX::new(&centres);
        let mut changed = false;
        for (i, &p) in points.iter().enumerate() {
            if let Some(&h) = half.get(labels[i]) {
                let bound = h.max(lower[i]);
                if upper[i] * (1.0 + BOUND_SLACK) < bound {
                    continue;
                }
                upper[i] = dist2(p, centres[labels[i]]).sqrt();
                if upper[i] * (1.0 + BOUND_SLACK) < bound {
                    continue;
                }
            }
            let (c, d1, d2) = by_x.nearest_two(p);
            if labels[i] != c {
                labels[i] = c;
                changed = true;
            }
            upper[i] = d1;
            lower[i] = d2;
        }
        let moved = recentre(points, weights, &labels, &mut centres);
        if !changed {
            break;
        }
        // The two largest moves (with the largest's index) widen every
        // point's bounds.
        let (mut top, mut top_at, mut second) = (0.0f64, usize::MAX, 0.0f64);
        for (c, &m) in moved.iter().enumerate() {
            if m > top {
                second = top;
                (top, top_at) = (m, c);
            } else if m > second {
                second = m;
            }
        }
        for (i, &l) in labels.iter().enumerate() {
            upper[i] += moved[l];
            lower[i] -= if l == top_at { second } else { top };
        }
    }
    clustering(points, weights, centres, labels)
}

/// Moves each centre to the weighted mean of its points (one without
/// points stays) and answers how far each moved.
fn recentre(
    points: &[[f64; 2]],
    weights: &[f64],
    labels: &[usize],
    centres: &mut [[f64; 2]],
) -> Vec<f64> {
    let mut sum = vec![[0.0f64; 3]; centres.len()];
    for ((&p, &l), &w) in points.iter().zip(labels).zip(weights) {
        let s = &mut sum[l];
        s[0] += p[0] * w;
        s[1] += p[1] * w;
        s[2] += w;
    }
    centres
        .iter_mut()
        .zip(&sum)
        .map(|(c, s)| {
            if s[2] > 0.0 {
                let next = [s[0] / s[2], s[1] / s[2]];
                let moved = dist2(*c, next).sqrt();
                *c = next;
                moved
            } else {
                0.0
            }
        })
        .collect()
}

/// The clustering with its weighted within-cluster sum of squares.
fn clustering(
    points: &[[f64; 2]],
    weights: &[f64],
    centres: Vec<[f64; 2]>,
    labels: Vec<usize>,
) -> Clustering {
    let inertia = points
        .iter()
        .zip(&labels)
        .zip(weights)
        .map(|((&p, &l), &w)| dist2(p, centres[l]) * w)
        .sum();
    Clustering {
        centres,
        labels,
        inertia,
    }
}

/// Lloyd's iterations until no point changes cluster (at most 300).
fn lloyd(points: &[[f64; 2]], weights: &[f64], centres: Vec<[f64; 2]>) -> Clustering {
    lloyd_for(points, weights, centres, 300)
}

/// Rounds of Lloyd's iterations in an update: it starts from the earlier
/// centres, which the new votes move only a little; what the last rounds
/// would still shift is a few points on a boundary between base clusters.
const WARM_ROUNDS: usize = 10;

/// The best of `restarts` seeded runs of weighted k-means.
pub fn kmeans(
    points: &[[f64; 2]],
    weights: &[f64],
    k: usize,
    restarts: usize,
    salt: u64,
) -> Clustering {
    restarts_of(points, weights, k, restarts, salt, |_| true).best
}

/// What seeded restarts of weighted k-means found.
struct Restarts {
    /// The lowest sum of squares of all.
    best: Clustering,
    /// The lowest among those the caller allows, if any.
    allowed: Option<Clustering>,
}

/// `restarts` seeded runs of weighted k-means (at least one): the best of
/// all, and the best of those `allowed` accepts.
fn restarts_of(
    points: &[[f64; 2]],
    weights: &[f64],
    k: usize,
    restarts: usize,
    salt: u64,
    allowed: impl Fn(&Clustering) -> bool,
) -> Restarts {
    let mut rng = Rng(0x5EED_0000 ^ salt ^ (k as u64) << 32);
    let mut best: Option<Clustering> = None;
    let mut best_allowed: Option<Clustering> = None;
    for _ in 0..restarts.max(1) {
        let c = lloyd(points, weights, seed(points, weights, k, &mut rng));
        let better =
            |b: &Option<Clustering>| b.as_ref().is_none_or(|b| c.inertia < b.inertia - 1e-12);
        if better(&best_allowed) && allowed(&c) {
            best_allowed = Some(c.clone());
        }
        if better(&best) {
            best = Some(c);
        }
    }
    Restarts {
        best: best.unwrap_or(Clustering {
            centres: Vec::new(),
            labels: vec![0; points.len()],
            inertia: 0.0,
        }),
        allowed: best_allowed,
    }
}

/// One step of Lloyd's iterations, unweighted: each point joins its nearest
/// centre, and each centre moves to its points' mean (one left without
/// points stays where it was).
fn one_step(points: &[[f64; 2]], centres: &[[f64; 2]]) -> Clustering {
    let by_x = ByX::new(centres);
    let labels: Vec<usize> = points.iter().map(|&p| by_x.nearest(p)).collect();
    let ones = vec![1.0; points.len()];
    let mut centres = centres.to_vec();
    recentre(points, &ones, &labels, &mut centres);
    clustering(points, &ones, centres, labels)
}

/// The distinct points, in order, when there are at most `most`; `None`
/// (found as soon as there are more) otherwise.
fn few_distinct(points: &[[f64; 2]], most: usize) -> Option<Vec<[f64; 2]>> {
    let mut seen = std::collections::HashSet::new();
    for p in points {
        if seen.insert([p[0].to_bits(), p[1].to_bits()]) && seen.len() > most {
            return None;
        }
    }
    let mut distinct: Vec<[f64; 2]> = seen
        .into_iter()
        .map(|[x, y]| [f64::from_bits(x), f64::from_bits(y)])
        .collect();
    distinct.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    Some(distinct)
}

/// The base clusters: every distinct point when there are at most
/// [`BASE_K`], else k-means with that many. Answers centres, sizes and each
/// point's base cluster.
/// With earlier centres (an update), Lloyd's iterations start from them
/// instead of seeded restarts: up to [`WARM_ROUNDS`] of them, or one step
/// over every point in a conversation too large to find its centres on
/// every point (a full run finds them on a sample).
pub fn base_from(
    points: &[[f64; 2]],
    earlier: Option<&[[f64; 2]]>,
) -> (Vec<[f64; 2]>, Vec<f64>, Vec<usize>) {
    if let Some(distinct) = few_distinct(points, BASE_K) {
        let labels: Vec<usize> = points
            .iter()
            .map(|p| {
                distinct
                    .binary_search_by(|d| d[0].total_cmp(&p[0]).then(d[1].total_cmp(&p[1])))
                    .unwrap_or(0)
            })
            .collect();
        let mut sizes = vec![0.0; distinct.len()];
        for &l in &labels {
            sizes[l] += 1.0;
        }
        return (distinct, sizes, labels);
    }
    // Large conversations: the base centres are found on an even sample of
    // the points (every n-th, so the same input gives the same sample), and
    // then every point joins its nearest centre.
    let step = points.len().div_ceil(BASE_SAMPLE).max(1);
    let earlier = earlier.filter(|centres| centres.len() >= 2);
    let c = match earlier {
        // An update of a large conversation: one step of Lloyd's over every
        // point from the earlier centres. New votes move few points, and
        // the next update takes the next step.
        Some(centres) if step > 1 => one_step(points, centres),
        Some(centres) => lloyd_for(
            points,
            &vec![1.0; points.len()],
            centres.to_vec(),
            WARM_ROUNDS,
        ),
        None => {
            let sample: Vec<[f64; 2]> = points.iter().step_by(step).copied().collect();
            let mut c = kmeans(&sample, &vec![1.0; sample.len()], BASE_K, 3, 0xBA5E);
            if step > 1 {
                let by_x = ByX::new(&c.centres);
                c.labels = points.iter().map(|&p| by_x.nearest(p)).collect();
            }
            c
        }
    };
    let mut sizes = vec![0.0; c.centres.len()];
    for &l in &c.labels {
        sizes[l] += 1.0;
    }
    // Clusters left empty are dropped, and the labels renumbered.
    let mut keep = vec![usize::MAX; c.centres.len()];
    let mut centres = Vec::new();
    let mut kept_sizes = Vec::new();
    for (i, &s) in sizes.iter().enumerate() {
        if s > 0.0 {
            keep[i] = centres.len();
            centres.push(c.centres[i]);
            kept_sizes.push(s);
        }
    }
    let labels = c.labels.iter().map(|&l| keep[l]).collect();
    (centres, kept_sizes, labels)
}

/// The mean silhouette of a labelling of `points` (unweighted); a point
/// alone in its cluster counts 0.
pub fn silhouette(points: &[[f64; 2]], labels: &[usize], k: usize) -> f64 {
    let n = points.len();
    if n < 2 {
        return 0.0;
    }
    let mut total = 0.0;
    for i in 0..n {
        let mut sum = vec![0.0; k];
        let mut count = vec![0usize; k];
        for j in 0..n {
            if i != j {
                sum[labels[j]] += dist2(points[i], points[j]).sqrt();
                count[labels[j]] += 1;
            }
        }
        let own = labels[i];
        if count[own] == 0 {
            continue;
        }
        let a = sum[own] / count[own] as f64;
        let b = (0..k)
            .filter(|&g| g != own && count[g] > 0)
            .map(|g| sum[g] / count[g] as f64)
            .fold(f64::INFINITY, f64::min);
        if b.is_finite() && a.max(b) > 0.0 {
            total += (b - a) / a.max(b);
        }
    }
    total / n as f64
}

/// What a clustering leaves for the next, warm-started one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Centres {
    pub base: Vec<[f64; 2]>,
    /// Each opinion group's centre, in the groups' order.
    pub groups: Vec<[f64; 2]>,
}

/// The opinion groups of the clustered participants' points.
pub struct Groups {
    pub k: usize,
    /// Each point's group, groups numbered by size, largest first.
    pub labels: Vec<usize>,
    /// The silhouette of every `k` tried.
    pub tried: Vec<(usize, f64)>,
    pub centres: Centres,
}

/// The opinion groups of the clustered participants' points (see the
/// crate's notes for the rule that chooses their number). With an earlier
/// answer (an update), warm-started: the base
/// clusters from its base centres, and the same number of groups from its
/// group centres (Pol.is, too, keeps the number of groups between updates).
pub fn opinion_groups_from(points: &[[f64; 2]], earlier: Option<&Centres>) -> Groups {
    let single = |n: usize| Groups {
        k: 1,
        labels: vec![0; n],
        tried: Vec::new(),
        centres: Centres::default(),
    };
    if points.len() < 2 {
        return single(points.len());
    }
    let (centres, sizes, base_labels) = base_from(points, earlier.map(|e| e.base.as_slice()));
    let n_base = centres.len();
    if n_base < 2 {
        return single(points.len());
    }
    if let Some(e) = earlier.filter(|e| (2..=n_base).contains(&e.groups.len())) {
        let c = lloyd(&centres, &sizes, e.groups.clone());
        let k = e.groups.len();
        let tried = vec![(k, silhouette(&centres, &c.labels, k))];
        return numbered(k, &c.labels, &base_labels, &centres, &sizes, tried);
    }
    let max_k = 5.min(2 + n_base / 12).min(n_base);
    let mut tried = Vec::new();
    let mut options = Vec::new();
    // A group of one base cluster is an outlier, not an opinion group: when
    // the best of the restarts makes one, the best that does not is taken,
    // and a `k` none of them serves is not an option.
    let opinion_groups = |c: &Clustering, k: usize| {
        let mut members = vec![0usize; k];
        for &l in &c.labels {
            members[l] += 1;
        }
        n_base <= k || members.iter().all(|&m| m > 1)
    };
    for k in 2..=max_k {
        let r = restarts_of(&centres, &sizes, k, 20, 0x6E0, |c| opinion_groups(c, k));
        match r.allowed {
            Some(c) => {
                let s = silhouette(&centres, &c.labels, k);
                tried.push((k, s));
                options.push((k, s, c.labels));
            }
            None => tried.push((k, silhouette(&centres, &r.best.labels, k))),
        }
    }
    let best = options
        .iter()
        .map(|o| o.1)
        .fold(f64::NEG_INFINITY, f64::max);
    let chosen = options.into_iter().find(|o| o.1 >= best - K_MARGIN);
    let (k, group_of_base) = match chosen {
        Some((k, _, l)) => (k, l),
        None => {
            let c = kmeans(&centres, &sizes, 2, 20, 0x6E0);
            (2, c.labels)
        }
    };
    numbered(k, &group_of_base, &base_labels, &centres, &sizes, tried)
}

/// The groups numbered by size (participants), largest first, with their centres.
fn numbered(
    k: usize,
    group_of_base: &[usize],
    base_labels: &[usize],
    centres: &[[f64; 2]],
    sizes: &[f64],
    tried: Vec<(usize, f64)>,
) -> Groups {
    let mut size = vec![(0usize, 0usize); k];
    for (g, s) in size.iter_mut().enumerate() {
        s.1 = g;
    }
    for &b in base_labels {
        size[group_of_base[b]].0 += 1;
    }
    size.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut rename = vec![0; k];
    for (new, &(_, old)) in size.iter().enumerate() {
        rename[old] = new;
    }
    let labels = base_labels
        .iter()
        .map(|&b| rename[group_of_base[b]])
        .collect();
    let mut sum = vec![[0.0f64; 3]; k];
    for ((c, w), &g) in centres.iter().zip(sizes).zip(group_of_base) {
        let s = &mut sum[rename[g]];
        s[0] += c[0] * w;
        s[1] += c[1] * w;
        s[2] += w;
    }
    Groups {
        k,
        labels,
        tried,
        centres: Centres {
            base: centres.to_vec(),
            groups: sum
                .iter()
                .map(|s| [s[0] / s[2].max(1e-300), s[1] / s[2].max(1e-300)])
                .collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blobs() -> Vec<[f64; 2]> {
        let mut pts = Vec::new();
        let mut r = Rng(7);
        for (cx, cy, n) in [(-5.0, 0.0, 120), (5.0, 0.0, 80), (0.0, 8.0, 60)] {
            for _ in 0..n {
                pts.push([cx + r.next() - 0.5, cy + r.next() - 0.5]);
            }
        }
        pts
    }

    #[test]
    fn three_blobs_make_three_groups_numbered_by_size() {
        let pts = blobs();
        let Groups {
            k, labels, tried, ..
        } = opinion_groups_from(&pts, None);
        assert_eq!(k, 3, "{tried:?}");
        assert!(labels[..120].iter().all(|&l| l == 0));
        assert!(labels[120..200].iter().all(|&l| l == 1));
        assert!(labels[200..].iter().all(|&l| l == 2));
        assert_eq!(
            opinion_groups_from(&pts, None).labels,
            labels,
            "deterministic"
        );
    }

    #[test]
    fn an_outlier_is_not_a_group_of_its_own() {
        // Two camps near each other and one participant far away: the least
        // sum of squares for two groups puts the far one alone, which is
        // not an opinion group; the two camps are the groups.
        let mut pts = Vec::new();
        let mut r = Rng(11);
        for (cx, n) in [(-1.5, 50), (1.5, 40)] {
            for _ in 0..n {
                pts.push([cx + r.next() - 0.5, r.next() - 0.5]);
            }
        }
        pts.push([0.0, 60.0]);
        let weights = vec![1.0; pts.len()];
        let alone = kmeans(&pts, &weights, 2, 20, 0x6E0);
        assert!(
            alone.labels[..90].iter().all(|&l| l == alone.labels[0]),
            "the least sum of squares isolates the far one"
        );
        let Groups {
            k, labels, tried, ..
        } = opinion_groups_from(&pts, None);
        assert_eq!(k, 2, "{tried:?}");
        assert!(labels[..50].iter().all(|&l| l == 0), "{labels:?}");
        assert!(labels[50..90].iter().all(|&l| l == 1), "{labels:?}");
    }

    /// Plain Lloyd's iterations, every distance measured: what the bounded
    /// iterations must reproduce exactly.
    fn plain_lloyd(
        points: &[[f64; 2]],
        weights: &[f64],
        mut centres: Vec<[f64; 2]>,
        rounds: usize,
    ) -> (Vec<[f64; 2]>, Vec<usize>) {
        let mut labels = vec![usize::MAX; points.len()];
        for _ in 0..rounds {
            let mut changed = false;
            for (i, &p) in points.iter().enumerate() {
                let mut best = (0, f64::INFINITY);
                for (c, &q) in centres.iter().enumerate() {
                    if dist2(p, q) < best.1 {
                        best = (c, dist2(p, q));
                    }
                }
                changed |= labels[i] != best.0;
                labels[i] = best.0;
            }
            let mut sum = vec![[0.0f64; 3]; centres.len()];
            for (i, &p) in points.iter().enumerate() {
                let s = &mut sum[labels[i]];
                s[0] += p[0] * weights[i];
                s[1] += p[1] * weights[i];
                s[2] += weights[i];
            }
            for (c, s) in centres.iter_mut().zip(&sum) {
                if s[2] > 0.0 {
                    *c = [s[0] / s[2], s[1] / s[2]];
                }
            }
            if !changed {
                break;
            }
        }
        (centres, labels)
    }

    #[test]
    fn bounded_iterations_give_exactly_what_plain_ones_give() {
        let mut r = Rng(11);
        // A continuum (where Lloyd's iterations take many rounds), weighted,
        // with starts drawn from the points, for several k and round limits.
        let points: Vec<[f64; 2]> = (0..3_000)
            .map(|_| {
                let (a, b) = (r.next(), r.next());
                [(a - 0.5) * 10.0 + b, (b - 0.5) * 4.0 * a]
            })
            .collect();
        let weights: Vec<f64> = (0..points.len()).map(|_| 0.5 + r.next()).collect();
        for (k, rounds) in [(2, 300), (5, 300), (40, 300), (100, 300), (100, 3), (7, 1)] {
            let start: Vec<[f64; 2]> = (0..k).map(|i| points[i * 29 % points.len()]).collect();
            let (centres, labels) = plain_lloyd(&points, &weights, start.clone(), rounds);
            for fast in [
                lloyd_bounded(&points, &weights, start.clone(), rounds),
                lloyd_plain(&points, &weights, start.clone(), rounds),
            ] {
                assert_eq!(fast.labels, labels, "k {k}, {rounds} rounds");
                assert_eq!(fast.centres, centres, "k {k}, {rounds} rounds");
            }
        }
        // One step over every point is one plain round.
        let start: Vec<[f64; 2]> = (0..50).map(|i| points[i * 13]).collect();
        let ones = vec![1.0; points.len()];
        let once = one_step(&points, &start);
        assert_eq!(
            (once.centres, once.labels),
            plain_lloyd(&points, &ones, start, 1)
        );
    }

    #[test]
    fn silhouette_is_high_for_separated_clusters() {
        let pts = [[0.0, 0.0], [0.1, 0.0], [10.0, 0.0], [10.1, 0.0]];
        assert!(silhouette(&pts, &[0, 0, 1, 1], 2) > 0.95);
        assert!(silhouette(&pts, &[0, 1, 0, 1], 2) < 0.0);
    }
}
