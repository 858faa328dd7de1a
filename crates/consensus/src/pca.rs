//! The two leading principal components of the centred, imputed vote
//! matrix, computed on its sparse deviations only (see the crate's notes),
//! and each participant's projection with Pol.is's scaling.

use crate::votes::Votes;

/// Rounds of the power iteration at most.
const MAX_ROUNDS: usize = 1_000;
/// A component has settled when `1 − |cos|` between rounds is below this
/// (an angle of about 0.0008°).
const SETTLED: f64 = 1e-10;
/// The same for an update, which starts next to the answer and only
/// follows it: an angle of about 0.08°, far below what moves a participant
/// between groups.
const SETTLED_WARM: f64 = 1e-6;

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

/// One product `Xᵀ X v` for both vectors at once, over the votes only.
fn multiply(v: &Votes, centre: &[f64], a: &[f64], b: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let c = v.statements();
    let (mut ra, mut rb) = (vec![0.0; c], vec![0.0; c]);
    for p in 0..v.participants() {
        let (mut sa, mut sb) = (0.0, 0.0);
        for (j, x) in v.row(p) {
            if v.is_moderated_out(j) {
                continue;
            }
            let d = f64::from(x) - centre[j];
            sa += d * a[j];
            sb += d * b[j];
        }
        if sa == 0.0 && sb == 0.0 {
            continue;
        }
        for (j, x) in v.row(p) {
            if v.is_moderated_out(j) {
                continue;
            }
            let d = f64::from(x) - centre[j];
            ra[j] += sa * d;
            rb[j] += sb * d;
        }
    }
    (ra, rb)
}

/// Gram–Schmidt: `b` made orthogonal to unit `a`, then both unit length.
fn orthonormalise(a: &mut [f64], b: &mut [f64]) {
    normalise(a);
    let k = dot(a, b);
    b.iter_mut().zip(a.iter()).for_each(|(y, x)| *y -= k * x);
    normalise(b);
}

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

/// The two leading components (unit vectors over the statements), from a
/// fixed start or, for an update, starting the iteration from earlier components (a live
/// conversation's previous answer: statements added since get 0, then the
/// start is made orthonormal again). A warm start needs a few rounds where a
/// cold one needs many; the signs then follow the earlier components, so
/// that the map does not flip between updates.
pub fn components_from(
    v: &Votes,
    centre: &[f64],
    earlier: Option<&[Vec<f64>; 2]>,
) -> [Vec<f64>; 2] {
    let c = v.statements();
    let fit = |x: &Vec<f64>| {
        let mut y = x.clone();
        y.resize(c, 0.0);
        y
    };
    // An earlier answer of a conversation too small to have components (all
    // zero) is no start: begin afresh.
    let usable = |x: &Vec<f64>| x.iter().any(|v| v.abs() > 1e-12);
    let earlier = earlier.filter(|[a, b]| usable(&fit(a)) && usable(&fit(b)));
    let (mut a, mut b) = match earlier {
        Some([a, b]) => (fit(a), fit(b)),
        None => (start(c, 1), start(c, 2)),
    };
    orthonormalise(&mut a, &mut b);
    for _ in 0..MAX_ROUNDS {
        let (mut na, mut nb) = multiply(v, centre, &a, &b);
        orthonormalise(&mut na, &mut nb);
        let moved = (1.0 - dot(&na, &a).abs()).max(1.0 - dot(&nb, &b).abs());
        a = na;
        b = nb;
        if moved
            < if earlier.is_some() {
                SETTLED_WARM
            } else {
                SETTLED
            }
        {
            break;
        }
    }
    match earlier {
        Some([ea, eb]) => {
            for (x, e) in [(&mut a, ea), (&mut b, eb)] {
                if dot(x, &fit(e)) < 0.0 {
                    x.iter_mut().for_each(|y| *y = -*y);
                }
            }
        }
        None => {
            orient(&mut a);
            orient(&mut b);
        }
    }
    [a, b]
}

/// Each participant's place: the projection of their deviations on the
/// components, times `sqrt(C / max(n, 1))` for `n` statements counted as
/// voted (Pol.is's scaling of sparse voters).
pub fn project(v: &Votes, centre: &[f64], comps: &[Vec<f64>; 2]) -> Vec<[f64; 2]> {
    let c = v.statements() as f64;
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
    // The scaling counts a statement moderated out as voted (see
    // `Votes::voted_for_scaling`); counted once here, not per participant.
    let out = (0..v.statements())
        .filter(|&j| v.is_moderated_out(j))
        .count();
    (0..v.participants())
        .map(|p| {
            let (mut x, mut y) = (0.0, 0.0);
            let mut voted = out;
            for (j, val) in v.row(p) {
                let t = &table[j][(val.clamp(-1, 1) + 1) as usize];
                x += t[0];
                y += t[1];
                voted += usize::from(!v.is_moderated_out(j));
            }
            let scale = (c / voted.max(1) as f64).sqrt();
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
        let comps = components_from(&v, &m, None);
        assert!((dot(&comps[0], &comps[0]) - 1.0).abs() < 1e-9);
        assert!(dot(&comps[0], &comps[1]).abs() < 1e-9);
        let xy = project(&v, &m, &comps);
        assert!(xy[0][0] * xy[15][0] < 0.0, "the camps on opposite sides");
        assert!((xy[0][0] + xy[15][0]).abs() < 1e-9);
        // Deterministic: the same input, the same numbers.
        assert_eq!(components_from(&v, &m, None), comps);
    }
}
