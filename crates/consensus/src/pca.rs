//! The two leading principal components of the centred, imputed vote
//! matrix with its statements weighted by their votes, computed on its
//! sparse deviations only (see the crate's notes), and each participant's
//! projection with Pol.is's scaling.

use crate::votes::Votes;

/// Rounds of the iteration at most.
const MAX_ROUNDS: usize = 1_000;
/// A component has settled when `1 − |cos|` between rounds is below this
/// (an angle of about 0.0008°).
const SETTLED: f64 = 1e-10;
/// The same for an update, which starts next to the answer and only
/// follows it: an angle of about 0.26°, which moves a participant by under
/// half a per cent of their distance from the centre of the map (1 % more
/// votes turn the components by about 0.6°).
const SETTLED_WARM: f64 = 1e-5;

/// `τ` of the statement weights (see [`weights`]): a statement with `τ`
/// votes counts, per vote, half as much as one with few.
pub const SATURATION: f64 = 500.0;

/// Each statement's weight in the covariance the components come from:
/// `τ / (n_j + τ)` for `n_j` votes on it and `τ` = [`SATURATION`].
///
/// Why: with missing votes imputed by the mean, statement `j`'s loading
/// comes out proportional to `n_j · cov_j` (its covariance with the
/// participants' places times its number of votes), so a statement seen by
/// many outweighs one seen by few however clearly the few split. For a
/// statement with few votes that is a sensible shrinkage (its covariance is
/// noisy), and it is what Pol.is computes. Weighting both sides of the
/// covariance by `w_j` turns the loading into `n_j / (n_j + τ) · cov_j`: the
/// same as Pol.is's while `n_j` is well below `τ` (most statements of the
/// Pol.is openData conversations: in each, the median statement has at most
/// 160 votes), but no longer growing once a statement has enough votes for
/// its covariance to be known. Without it, in a large conversation
/// with unevenly seen statements the first few statements are nearly all
/// of the map and groups planted across the rest are lost (BENCHMARKS.md).
pub fn weights(v: &Votes) -> Vec<f64> {
    (0..v.statements())
        .map(|j| SATURATION / (v.votes_on(j) as f64 + SATURATION))
        .collect()
}

/// A deterministic start: a fixed pseudo-random vector.
fn start(n: usize, salt: u64) -> Vec<f64> {
    let mut s = 0x9E37_79B9_7F4A_7C15u64 ^ salt;
    (0..n)
        .map(|_| {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        })
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn normalise(a: &mut [f64]) -> f64 {
    let n = dot(a, a).sqrt();
    if n > 0.0 {
        a.iter_mut().for_each(|x| *x /= n);
    }
    n
}

/// Columns iterated together: the two wanted and two more, so that the
/// second component converges at the rate `λ₅ / λ₂` instead of power
/// iteration's `λ₃ / λ₂` (on the weighted covariance, power iteration took
/// twice as long on the largest real conversation).
const S: usize = 4;

/// Each statement's weighted deviation `(x − m_j) · w_j` for each of the
/// values −1, 0 and 1, looked up per vote; 0 on a statement moderated out.
fn deviations(v: &Votes, centre: &[f64], w: &[f64]) -> Vec<[f64; 3]> {
    (0..v.statements())
        .map(|j| {
            if v.is_moderated_out(j) {
                [0.0; 3]
            } else {
                [-1.0, 0.0, 1.0].map(|x: f64| (x - centre[j]) * w[j])
            }
        })
        .collect()
}

/// One product `W Xᵀ X W Q` for all columns at once, over the votes only
/// (`W` the diagonal of [`weights`], the deviations from [`deviations`]).
fn multiply<const N: usize>(v: &Votes, dev: &[[f64; 3]], q: &[[f64; N]]) -> Vec<[f64; N]> {
    let mut r = vec![[0.0; N]; v.statements()];
    let at = |j: usize, x: i8| dev[j][(x.clamp(-1, 1) + 1) as usize];
    for p in 0..v.participants() {
        let mut s = [0.0; N];
        for (j, x) in v.row(p) {
            let d = at(j, x);
            for (st, qt) in s.iter_mut().zip(&q[j]) {
                *st += d * qt;
            }
        }
        if s.iter().all(|x| *x == 0.0) {
            continue;
        }
        for (j, x) in v.row(p) {
            let d = at(j, x);
            for (rt, st) in r[j].iter_mut().zip(&s) {
                *rt += st * d;
            }
        }
    }
    r
}

fn column<const N: usize>(q: &[[f64; N]], t: usize) -> Vec<f64> {
    q.iter().map(|row| row[t]).collect()
}

/// Gram–Schmidt over the columns in order, each then of unit length. A
/// column with nothing left beside the earlier ones (votes of low rank: the
/// product maps everything onto fewer directions) would be rounding noise,
/// a copy of an earlier column; a fixed direction orthogonal to them is
/// taken instead, so that the map never collapses onto a diagonal line.
fn orthonormalise<const N: usize>(q: &mut [[f64; N]]) {
    for t in 0..N {
        let before = q.iter().map(|r| r[t] * r[t]).sum::<f64>().sqrt();
        let mut x = column(q, t);
        let reduce = |x: &mut Vec<f64>, q: &[[f64; N]]| {
            for u in 0..t {
                let k: f64 = x.iter().zip(q).map(|(a, r)| a * r[u]).sum();
                x.iter_mut().zip(q).for_each(|(a, r)| *a -= k * r[u]);
            }
        };
        reduce(&mut x, q);
        if normalise(&mut x) <= 1e-9 * before.max(f64::MIN_POSITIVE) {
            x = start(q.len(), 3 + t as u64);
            reduce(&mut x, q);
            reduce(&mut x, q);
            normalise(&mut x);
        }
        q.iter_mut().zip(&x).for_each(|(r, a)| r[t] = *a);
    }
}

/// The eigenvectors of a small symmetric matrix (cyclic Jacobi rotations),
/// as the columns of the answer, by eigenvalue from the largest.
fn small_eigenvectors<const N: usize>(mut h: [[f64; N]; N]) -> [[f64; N]; N] {
    let mut u = [[0.0; N]; N];
    (0..N).for_each(|i| u[i][i] = 1.0);
    for _ in 0..60 {
        let off: f64 = (0..N)
            .flat_map(|i| (0..N).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| h[i][j] * h[i][j])
            .sum();
        let all: f64 = h.iter().flatten().map(|x| x * x).sum();
        if off <= 1e-30 * all.max(f64::MIN_POSITIVE) {
            break;
        }
        for i in 0..N {
            for j in i + 1..N {
                if h[i][j] == 0.0 {
                    continue;
                }
                let theta = (h[j][j] - h[i][i]) / (2.0 * h[i][j]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                // h ← Jᵀ h J for the rotation J in the plane (i, j), and
                // u ← u J.
                for row in h.iter_mut() {
                    let (a, b) = (row[i], row[j]);
                    row[i] = c * a - s * b;
                    row[j] = s * a + c * b;
                }
                let (ri, rj) = (h[i], h[j]);
                h[i] = std::array::from_fn(|k| c * ri[k] - s * rj[k]);
                h[j] = std::array::from_fn(|k| s * ri[k] + c * rj[k]);
                for row in u.iter_mut() {
                    let (a, b) = (row[i], row[j]);
                    row[i] = c * a - s * b;
                    row[j] = s * a + c * b;
                }
            }
        }
    }
    let mut order: [usize; N] = std::array::from_fn(|i| i);
    order.sort_by(|&a, &b| h[b][b].total_cmp(&h[a][a]).then(a.cmp(&b)));
    std::array::from_fn(|r| std::array::from_fn(|c| u[r][order[c]]))
}

/// `q · u` for a block and a small matrix.
fn rotate<const N: usize>(q: &[[f64; N]], u: &[[f64; N]; N]) -> Vec<[f64; N]> {
    q.iter()
        .map(|row| std::array::from_fn(|c| (0..N).map(|k| row[k] * u[k][c]).sum()))
        .collect()
}

/// Twice [`S`]: the width a Krylov step over `S` columns would take (a cold
/// run never takes one; [`leading`] needs the width named).
const S2: usize = 2 * S;

/// An update whose start's residual (`1 − |cos|`, see [`leading`]) is below
/// this, about 2.5°, stops after one Krylov step without checking it by
/// another product. After 1 % more votes the step lands within about 0.3°
/// of a full run's components (BENCHMARKS.md; a unit test holds it within
/// 0.8°). A start further away iterates until its estimates settle.
const KRYLOV_REACH: f64 = 1e-3;

/// The best `M` estimates (Rayleigh–Ritz), largest first, in the span of
/// the `N` columns `q` and their product `z = W Xᵀ X W q` (`M = 2N`). The
/// span's matrix needs each participant's deviations times its `M`
/// orthonormal columns `B`, the first half of a product only:
/// `Bᵀ W Xᵀ X W B = Σ_i sᵢ sᵢᵀ` with `sᵢ = Σ_j dᵢⱼ B_j`. The same pass
/// takes each participant's plain deviations times `B`, from which their
/// raw place along the two leading estimates follows.
fn krylov_step<const N: usize, const M: usize>(
    v: &Votes,
    dev: &[[f64; 3]],
    plain: &[[f64; 3]],
    q: &[[f64; N]],
    z: &[[f64; N]],
) -> (Vec<[f64; M]>, Raw) {
    debug_assert_eq!(M, 2 * N);
    let mut b: Vec<[f64; M]> = q
        .iter()
        .zip(z)
        .map(|(a, c)| std::array::from_fn(|t| if t < N { a[t] } else { c[t - N] }))
        .collect();
    orthonormalise(&mut b);
    let mut t = [[0.0; M]; M];
    let mut dots: Vec<[f64; M]> = Vec::with_capacity(v.participants());
    for p in 0..v.participants() {
        let (mut s, mut o) = ([0.0; M], [0.0; M]);
        for (j, x) in v.row(p) {
            let i = (x.clamp(-1, 1) + 1) as usize;
            let (d, e) = (dev[j][i], plain[j][i]);
            for ((st, ot), bt) in s.iter_mut().zip(&mut o).zip(&b[j]) {
                *st += d * bt;
                *ot += e * bt;
            }
        }
        for a in 0..M {
            for c in a..M {
                t[a][c] += s[a] * s[c];
            }
        }
        dots.push(o);
    }
    // The lower triangle mirrors the upper one.
    let t = std::array::from_fn(|a| std::array::from_fn(|c| t[a.min(c)][a.max(c)]));
    let u = small_eigenvectors(t);
    let along = |o: &[f64; M], c: usize| (0..M).map(|k| o[k] * u[k][c]).sum::<f64>();
    let raw = dots.iter().map(|o| [along(o, 0), along(o, 1)]).collect();
    (rotate(&b, &u), raw)
}

/// Each participant's plain (unweighted) deviations times an update's two
/// leading columns, before they are normalised: what the projection needs,
/// gathered during the update's Krylov step instead of in another pass
/// over the votes.
type Raw = Vec<[f64; 2]>;

/// The sign that makes the largest entry positive, for a deterministic answer.
fn orient(a: &mut [f64]) {
    let big = a
        .iter()
        .copied()
        .fold(0.0f64, |m, x| if x.abs() > m.abs() { x } else { m });
    if big < 0.0 {
        a.iter_mut().for_each(|x| *x = -*x);
    }
}

/// The leading `N` eigenvectors of `W Xᵀ X W` (by eigenvalue, largest
/// first), by subspace iteration with Rayleigh–Ritz: the `N` columns `Q` are
/// multiplied, the small matrix `Qᵀ A Q` is diagonalised, and its
/// eigenvectors taken back to the statements are the estimates; the next
/// `Q` is the product of those estimates, made orthonormal. A cold run
/// stops when two rounds' estimates of the first two agree to [`SETTLED`].
/// An update (given the `plain` deviations, [`plain_deviations`]) stops
/// when they agree with their products to [`SETTLED_WARM`]; failing that,
/// it takes a Krylov step over `M = 2N` columns ([`krylov_step`]), which is
/// its answer when the start was within [`KRYLOV_REACH`], and the next
/// start otherwise.
fn leading<const N: usize, const M: usize>(
    v: &Votes,
    dev: &[[f64; 3]],
    first: [Vec<f64>; N],
    plain: Option<&[[f64; 3]]>,
) -> Leading<N> {
    let warm = plain.is_some();
    let settled = if warm { SETTLED_WARM } else { SETTLED };
    let mut q: Vec<[f64; N]> = (0..v.statements())
        .map(|j| std::array::from_fn(|t| first[t][j]))
        .collect();
    orthonormalise(&mut q);
    let mut found: Option<Vec<[f64; N]>> = None;
    for _ in 0..MAX_ROUNDS {
        let z = multiply(v, dev, &q);
        if z.iter().flatten().all(|x| *x == 0.0) {
            // Nothing varies (one participant, or everyone voting alike):
            // no components, all zero, which an update does not start from.
            return Leading {
                columns: std::array::from_fn(|_| vec![0.0; v.statements()]),
                raw: None,
            };
        }
        let mut h = [[0.0; N]; N];
        for (qr, zr) in q.iter().zip(&z) {
            for a in 0..N {
                for b in 0..N {
                    h[a][b] += qr[a] * zr[b];
                }
            }
        }
        // Symmetric in exact arithmetic; averaged against rounding.
        let h = std::array::from_fn(|a| std::array::from_fn(|b| (h[a][b] + h[b][a]) / 2.0));
        let u = small_eigenvectors(h);
        let ritz = rotate(&q, &u);
        // The estimates times the matrix, without another product.
        let product = rotate(&z, &u);
        let off = |x: &[[f64; N]], y: &[[f64; N]]| {
            (0..2)
                .map(|t| {
                    let (a, b) = (column(x, t), column(y, t));
                    1.0 - dot(&a, &b).abs() / (dot(&a, &a) * dot(&b, &b)).sqrt().max(1e-300)
                })
                .fold(0.0, f64::max)
        };
        // A cold run stops when two rounds' estimates agree. An update
        // starts next to the answer and also stops as soon as its estimates
        // are eigenvectors to within its tolerance (each nearly parallel to
        // its product), which saves the round that comparing rounds needs:
        // the first estimate lies in the span of the start, so it can only
        // be compared with the next.
        let moved = found.as_ref().map_or(f64::INFINITY, |f| off(&ritz, f));
        let residual = if warm {
            off(&ritz, &product)
        } else {
            f64::INFINITY
        };
        found = Some(ritz);
        if moved.min(residual) < settled {
            break;
        }
        if let Some(plain) = plain {
            // An update starts next to the answer: instead of multiplying
            // the product again, take the best estimates in the span of the
            // start and its product together (one Krylov step), which needs
            // only the cheaper half of a product. Close to the start that is
            // the answer; further away, iterate from it.
            let (stepped, raw): (Vec<[f64; M]>, Raw) = krylov_step(v, dev, plain, &q, &z);
            if residual < KRYLOV_REACH {
                return Leading {
                    columns: std::array::from_fn(|t| column(&stepped, t)),
                    raw: Some(raw),
                };
            }
            q = stepped
                .iter()
                .map(|row| std::array::from_fn(|t| row[t]))
                .collect();
            continue;
        }
        q = product;
        orthonormalise(&mut q);
    }
    let found = found.unwrap_or(q);
    Leading {
        columns: std::array::from_fn(|t| column(&found, t)),
        raw: None,
    }
}

/// What [`leading`] found.
struct Leading<const N: usize> {
    /// The leading eigenvectors, largest first.
    columns: [Vec<f64>; N],
    /// Each participant's projection gathered on the way (an update's
    /// Krylov step), before normalising and scaling.
    raw: Option<Raw>,
}

/// The principal components, which an update starts from.
pub struct Components {
    /// The two leading components, unit vectors over the statements.
    pub two: [Vec<f64>; 2],
    /// Each participant's place, when an update's Krylov step gathered it
    /// on the way (else [`project`] computes it).
    pub projection: Option<Vec<[f64; 2]>>,
}

/// The two leading components, from a fixed start or, for an update, from
/// the earlier components (a live conversation's: statements added since
/// get 0). A cold run iterates four columns to convergence; an update
/// follows the two components only, from where they were, usually in one
/// product and one Krylov step (see [`leading`]). The signs then follow
/// the earlier components, so that the map does not flip between updates.
pub fn components_from(v: &Votes, centre: &[f64], earlier: Option<&[Vec<f64>; 2]>) -> Components {
    let c = v.statements();
    // An earlier answer of a conversation too small to have components (all
    // zero) is no start: begin afresh.
    let usable = |x: &[f64]| x.iter().any(|v| v.abs() > 1e-12);
    let earlier = earlier.filter(|two| two.iter().all(|x| usable(x)));
    let dev = deviations(v, centre, &weights(v));
    let (mut a, mut b, raw) = match earlier {
        Some(two) => {
            // The other two columns of a cold run would not change an
            // update's answer, and would cost a third of each pass.
            let first = two.clone().map(|mut x| {
                x.resize(c, 0.0);
                x
            });
            let plain = plain_deviations(v, centre);
            let found = leading::<2, 4>(v, &dev, first, Some(&plain));
            let [a, b] = found.columns;
            (a, b, found.raw)
        }
        None => {
            let first = std::array::from_fn(|t| start(c, t as u64 + 1));
            let [a, b, ..] = leading::<S, S2>(v, &dev, first, None).columns;
            (a, b, None)
        }
    };
    // What a raw projection is multiplied by: the inverse of the norm, and
    // the sign chosen below.
    let mut factor =
        [normalise(&mut a), normalise(&mut b)].map(|n| if n > 0.0 { 1.0 / n } else { 0.0 });
    match earlier {
        Some(two) => {
            // Statements added since have no earlier entry: `dot` stops at
            // the shorter vector, as if they were 0.
            for ((x, e), f) in [(&mut a, &two[0]), (&mut b, &two[1])]
                .into_iter()
                .zip(&mut factor)
            {
                if dot(x, e) < 0.0 {
                    x.iter_mut().for_each(|y| *y = -*y);
                    *f = -*f;
                }
            }
        }
        None => {
            orient(&mut a);
            orient(&mut b);
        }
    }
    let projection = raw.map(|raw| {
        let scaling = Scaling::of(v);
        raw.iter()
            .enumerate()
            .map(|(p, r)| {
                let s = scaling.of_participant(v, p);
                [r[0] * factor[0] * s, r[1] * factor[1] * s]
            })
            .collect()
    });
    Components {
        two: [a, b],
        projection,
    }
}

/// Each statement's plain deviation `x − m_j` for each of the values −1, 0
/// and 1 (0 on a statement moderated out): what the projection multiplies.
fn plain_deviations(v: &Votes, centre: &[f64]) -> Vec<[f64; 3]> {
    (0..v.statements())
        .map(|j| {
            if v.is_moderated_out(j) {
                [0.0; 3]
            } else {
                [-1.0, 0.0, 1.0].map(|x: f64| x - centre[j])
            }
        })
        .collect()
}

/// Pol.is's scaling of sparse voters, `sqrt(C / max(n, 1))` for `n`
/// statements counted as voted (a statement moderated out counts as voted
/// for everyone: see `Votes::voted_for_scaling`).
struct Scaling {
    statements: f64,
    out: usize,
}

impl Scaling {
    fn of(v: &Votes) -> Self {
        Scaling {
            statements: v.statements() as f64,
            out: (0..v.statements())
                .filter(|&j| v.is_moderated_out(j))
                .count(),
        }
    }

    fn of_participant(&self, v: &Votes, p: usize) -> f64 {
        let voted = if self.out == 0 {
            v.votes_of(p)
        } else {
            self.out + v.row(p).filter(|&(j, _)| !v.is_moderated_out(j)).count()
        };
        (self.statements / voted.max(1) as f64).sqrt()
    }
}

/// Each participant's place: the projection of their deviations on the
/// components (unweighted: the weights shape the components, and a vote
/// counts the same whichever statement it is on), times `sqrt(C / max(n, 1))` for `n` statements counted as
/// voted (Pol.is's scaling of sparse voters).
pub fn project(v: &Votes, centre: &[f64], comps: &[Vec<f64>; 2]) -> Vec<[f64; 2]> {
    // Each statement's contribution for each of the three values, looked up
    // per vote (a statement moderated out contributes nothing).
    let table: Vec<[[f64; 2]; 3]> = (0..v.statements())
        .map(|j| {
            if v.is_moderated_out(j) {
                return [[0.0; 2]; 3];
            }
            [-1.0, 0.0, 1.0].map(|x: f64| {
                let d = x - centre[j];
                [d * comps[0][j], d * comps[1][j]]
            })
        })
        .collect();
    let scaling = Scaling::of(v);
    (0..v.participants())
        .map(|p| {
            let (mut x, mut y) = (0.0, 0.0);
            for (j, val) in v.row(p) {
                let t = &table[j][(val.clamp(-1, 1) + 1) as usize];
                x += t[0];
                y += t[1];
            }
            let scale = scaling.of_participant(v, p);
            [x * scale, y * scale]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::votes::VotesBuilder;

    #[test]
    fn two_camps_split_along_the_first_component() {
        // Ten agree with statements 0–2 and disagree with 3–5; ten the opposite.
        let mut b = VotesBuilder::new(20, 6);
        for p in 0..20 {
            let side = if p < 10 { 1 } else { -1 };
            for c in 0..6 {
                b.vote(p, c, if c < 3 { side } else { -side });
            }
        }
        let v = b.build();
        let m = v.column_means();
        let comps = components_from(&v, &m, None).two;
        assert!((dot(&comps[0], &comps[0]) - 1.0).abs() < 1e-9);
        assert!(dot(&comps[0], &comps[1]).abs() < 1e-9);
        let xy = project(&v, &m, &comps);
        assert!(xy[0][0] * xy[15][0] < 0.0, "the camps on opposite sides");
        assert!((xy[0][0] + xy[15][0]).abs() < 1e-9);
        // Deterministic: the same input, the same numbers.
        assert_eq!(components_from(&v, &m, None).two, comps);
        // Votes of rank one: the second component is still a direction
        // orthogonal to the first, not a copy of it.
        assert!((dot(&comps[1], &comps[1]) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn the_components_are_the_leading_eigenvectors_of_the_weighted_covariance() {
        // Four statements, so that the whole weighted covariance can be
        // diagonalised directly and compared with the iteration's answer.
        let mut rng = crate::synth::Rng::new(3);
        let mut b = VotesBuilder::new(60, S);
        for p in 0..60 {
            for c in 0..S {
                if rng.unit() < 0.3 + 0.15 * c as f64 {
                    b.vote(
                        p,
                        c,
                        [-1, 0, 1][rng.below(3)] * if p % 2 == 0 { 1 } else { -1 },
                    );
                }
            }
        }
        let v = b.build();
        let m = v.column_means();
        let w = weights(&v);
        let mut full = [[0.0; S]; S];
        for p in 0..v.participants() {
            for (j, x) in v.row(p) {
                for (k, y) in v.row(p) {
                    full[j][k] += (f64::from(x) - m[j]) * w[j] * (f64::from(y) - m[k]) * w[k];
                }
            }
        }
        let exact = small_eigenvectors(full);
        let found = components_from(&v, &m, None).two;
        for (t, f) in found.iter().enumerate() {
            let e: Vec<f64> = (0..S).map(|j| exact[j][t]).collect();
            assert!(
                1.0 - dot(f, &e).abs() < 1e-9,
                "component {t}: {f:?} against {e:?}"
            );
        }
    }

    #[test]
    fn an_update_follows_the_components_and_places_everyone_as_projecting_would() {
        // A conversation, its components, then more votes: the update's
        // Krylov step must land next to a full run's components, and the
        // places it gathered on the way must be the projection's.
        let p = crate::synth::generate(3_000, 300, 40, 3, 11);
        let first = components_from(&p.votes, &p.votes.column_means(), None);
        assert!(first.projection.is_none(), "a full run projects afterwards");
        let more = crate::synth::more_votes(&p, 0.01, 5);
        let m = more.column_means();
        let full = components_from(&more, &m, None).two;
        let followed = components_from(&more, &m, Some(&first.two));
        for (t, f) in followed.two.iter().enumerate() {
            let off = 1.0 - dot(f, &full[t]).abs();
            // 1 − cos of 0.8° is 1e-4 (1 % more votes turn the components
            // by about 0.6°; the update lands within about 0.3° of a full
            // run's, BENCHMARKS.md).
            assert!(off < 1e-4, "component {t} off by {off:e}");
            assert!(
                dot(f, &first.two[t]) > 0.0,
                "the sign follows the earlier one"
            );
        }
        let gathered = followed.projection.expect("gathered in the Krylov step");
        let projected = project(&more, &m, &followed.two);
        assert_eq!(gathered.len(), projected.len());
        for (g, q) in gathered.iter().zip(&projected) {
            for a in 0..2 {
                assert!(
                    (g[a] - q[a]).abs() <= 1e-9 * (1.0 + q[a].abs()),
                    "{g:?} against {q:?}"
                );
            }
        }
    }

    #[test]
    fn small_symmetric_matrices_are_diagonalised_largest_first() {
        let h = [
            [4.0, 1.0, 0.0, 0.5],
            [1.0, 3.0, 0.2, 0.0],
            [0.0, 0.2, 1.0, 0.3],
            [0.5, 0.0, 0.3, 2.0],
        ];
        let u = small_eigenvectors(h);
        let mut last = f64::INFINITY;
        let columns = (0..S).map(|t| u.iter().map(|row| row[t]).collect::<Vec<f64>>());
        for x in columns {
            let hx: Vec<f64> = (0..S).map(|i| dot(&h[i], &x)).collect();
            let lambda = dot(&x, &hx);
            assert!((dot(&x, &x) - 1.0).abs() < 1e-12);
            assert!(
                hx.iter()
                    .zip(&x)
                    .all(|(a, b)| (a - lambda * b).abs() < 1e-9)
            );
            assert!(lambda <= last);
            last = lambda;
        }
    }

    #[test]
    fn a_statement_weighs_like_polis_with_few_votes_and_stops_growing_with_many() {
        let mut b = VotesBuilder::new(3_000, 2);
        for p in 0..3_000 {
            b.vote(p, 0, 1);
            if p < 5 {
                b.vote(p, 1, -1);
            }
        }
        let w = weights(&b.build());
        assert!(w[1] > 0.98, "few votes: nearly 1, as in Pol.is");
        assert!((w[0] - SATURATION / 3_500.0).abs() < 1e-12);
        // Its loading factor n·w keeps growing, but towards τ, not without bound.
        assert!(3_000.0 * w[0] < SATURATION);
    }
}
