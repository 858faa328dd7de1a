//! A point's nearest centre on the opinion map; for many centres without
//! measuring the distance to every one: the centres sorted along x, and a search that
//! walks out from the point's x in both directions (on the maps here about
//! ten centres of a hundred are measured). The answer is always the one
//! measuring every centre gives, ties going to the lower index; only the
//! work differs. (A grid of cells was tried and measured no faster: the
//! centres of k-means crowd where the points do, so most cells are empty.)

/// Squared distance.
pub fn dist2(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (x, y) = (a[0] - b[0], a[1] - b[1]);
    x * x + y * y
}

/// The nearest of a few centres, measuring every one (ties to the lower
/// index; 0 when there are none).
pub fn nearest_of(p: [f64; 2], centres: &[[f64; 2]]) -> usize {
    let mut best = (0, f64::INFINITY);
    for (i, &c) in centres.iter().enumerate() {
        let d = dist2(p, c);
        if d < best.1 {
            best = (i, d);
        }
    }
    best.0
}

/// Centres sorted along x. The search stops on a side once the gap in x
/// alone is more than the best distance found.
pub struct ByX<'a> {
    centres: &'a [[f64; 2]],
    order: Vec<usize>,
    xs: Vec<f64>,
}

impl<'a> ByX<'a> {
    pub fn new(centres: &'a [[f64; 2]]) -> Self {
        let mut order: Vec<usize> = (0..centres.len()).collect();
        order.sort_by(|&a, &b| centres[a][0].total_cmp(&centres[b][0]).then(a.cmp(&b)));
        let xs = order.iter().map(|&i| centres[i][0]).collect();
        ByX { centres, order, xs }
    }

    /// The nearest centre's index (ties to the lower index); 0 when there
    /// are none.
    pub fn nearest(&self, p: [f64; 2]) -> usize {
        let mut best = (f64::INFINITY, usize::MAX);
        self.walk(p, |c, d| {
            if d < best.0 || (d == best.0 && c < best.1) {
                best = (d, c);
            }
            best.0
        });
        best.1.min(self.centres.len().saturating_sub(1))
    }

    /// The nearest centre and the distances (not squared) to it and to the
    /// next nearest (which may equal the first).
    pub fn nearest_two(&self, p: [f64; 2]) -> (usize, f64, f64) {
        let (mut at, mut d1, mut d2) = (usize::MAX, f64::INFINITY, f64::INFINITY);
        self.walk(p, |c, d| {
            if d < d1 || (d == d1 && c < at) {
                d2 = d1;
                (at, d1) = (c, d);
            } else if d < d2 {
                d2 = d;
            }
            d2
        });
        (
            at.min(self.centres.len().saturating_sub(1)),
            d1.sqrt(),
            d2.sqrt(),
        )
    }

    /// Offers `see` the centres outward from `p`'s x, each with its squared
    /// distance; `see` answers the squared distance beyond which nothing
    /// more matters, and a side stops once its gap in x alone is larger.
    /// That answer only shrinks, so a side once stopped stays stopped.
    fn walk(&self, p: [f64; 2], mut see: impl FnMut(usize, f64) -> f64) {
        let n = self.xs.len();
        let gap = |x: f64| (p[0] - x) * (p[0] - x);
        let mut reach = f64::INFINITY;
        let start = self.xs.partition_point(|&x| x < p[0]);
        let (mut left, mut right) = (start, start);
        loop {
            let go_right = right < n && gap(self.xs[right]) <= reach;
            if go_right {
                let c = self.order[right];
                reach = see(c, dist2(p, self.centres[c]));
                right += 1;
            }
            let go_left = left > 0 && gap(self.xs[left - 1]) <= reach;
            if go_left {
                let c = self.order[left - 1];
                reach = see(c, dist2(p, self.centres[c]));
                left -= 1;
            }
            if !go_right && !go_left {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Measuring every centre: the answer the walk must give.
    fn brute(p: [f64; 2], centres: &[[f64; 2]]) -> (usize, f64, f64) {
        let (mut at, mut d1, mut d2) = (0, f64::INFINITY, f64::INFINITY);
        for (i, &c) in centres.iter().enumerate() {
            let d = dist2(p, c);
            if d < d1 {
                d2 = d1;
                (at, d1) = (i, d);
            } else if d < d2 {
                d2 = d;
            }
        }
        (at, d1.sqrt(), d2.sqrt())
    }

    fn numbers(seed: u64, n: usize) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (s >> 11) as f64 / (1u64 << 53) as f64
            })
            .collect()
    }

    #[test]
    fn the_walk_finds_what_measuring_every_centre_finds() {
        for (k, seed) in [(1, 1), (2, 2), (7, 3), (100, 4), (100, 5), (37, 6)] {
            let r = numbers(seed, 2 * k + 4000);
            // Clustered centres, some far out.
            let centres: Vec<[f64; 2]> = (0..k)
                .map(|i| {
                    let f = if i % 9 == 0 { 20.0 } else { 3.0 };
                    [(r[2 * i] - 0.5) * f, (r[2 * i + 1] - 0.5) * f * 0.4]
                })
                .collect();
            let by_x = ByX::new(&centres);
            // Points inside and well outside the centres' box.
            for j in 0..2000 {
                let p = [
                    (r[2 * k + 2 * j] - 0.5) * 40.0,
                    (r[2 * k + 2 * j + 1] - 0.5) * 12.0,
                ];
                let want = brute(p, &centres);
                assert_eq!(by_x.nearest(p), want.0, "k {k}, {p:?}");
                assert_eq!(by_x.nearest_two(p), want, "k {k}, {p:?}");
            }
        }
    }

    #[test]
    fn ties_go_to_the_lower_index_and_degenerate_sets_work() {
        // Two centres at the same place, and every centre on one line.
        let centres = [[1.0, 0.0], [0.0, 0.0], [1.0, 0.0], [2.0, 0.0]];
        let by_x = ByX::new(&centres);
        assert_eq!(by_x.nearest([1.1, 0.3]), 0);
        assert_eq!(by_x.nearest_two([1.1, 0.3]).0, 0);
        assert_eq!(by_x.nearest([-5.0, 9.0]), 1);
        // Equally far from 1 and 3: the lower index.
        assert_eq!(by_x.nearest([1.0, 5.0]), 0);
        let one = [[3.0, 4.0]];
        assert_eq!(ByX::new(&one).nearest([0.0, 0.0]), 0);
        assert_eq!(ByX::new(&one).nearest_two([0.0, 0.0]).1, 5.0);
    }
}
