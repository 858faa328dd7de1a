//! The adjusted Rand index between two labellings of the same items: 1 for
//! the same partition, about 0 for chance agreement (Hubert and Arabie).

use std::collections::HashMap;

fn pairs(n: u64) -> f64 {
    (n * n.saturating_sub(1) / 2) as f64
}

/// The adjusted Rand index of two labellings (equal length).
pub fn adjusted_rand_index(a: &[usize], b: &[usize]) -> f64 {
    let n = a.len().min(b.len());
    let mut table: HashMap<(usize, usize), u64> = HashMap::new();
    let mut rows: HashMap<usize, u64> = HashMap::new();
    let mut cols: HashMap<usize, u64> = HashMap::new();
    for i in 0..n {
        *table.entry((a[i], b[i])).or_default() += 1;
        *rows.entry(a[i]).or_default() += 1;
        *cols.entry(b[i]).or_default() += 1;
    }
    let index: f64 = table.values().map(|&x| pairs(x)).sum();
    let sa: f64 = rows.values().map(|&x| pairs(x)).sum();
    let sb: f64 = cols.values().map(|&x| pairs(x)).sum();
    let total = pairs(n as u64);
    if total == 0.0 {
        return 1.0;
    }
    let expected = sa * sb / total;
    let max = (sa + sb) / 2.0;
    if max == expected {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_partition_under_other_names_scores_one() {
        assert_eq!(adjusted_rand_index(&[0, 0, 1, 1, 2], &[5, 5, 3, 3, 9]), 1.0);
    }

    #[test]
    fn a_known_value() {
        // sklearn: adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714285714
        let x = adjusted_rand_index(&[0, 0, 1, 1], &[0, 0, 1, 2]);
        assert!((x - 0.571_428_571_4).abs() < 1e-9, "{x}");
        // Independent labellings come out near zero or below.
        assert!(adjusted_rand_index(&[0, 1, 0, 1], &[0, 0, 1, 1]) <= 0.0);
    }
}
