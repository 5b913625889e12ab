use std::collections::BTreeMap;
use std::fmt::Debug;

/// Generic code, instantiated for several types, so that codegen and
/// debuginfo have real work to do.
pub fn histogram<T: Ord + Clone + Debug>(xs: &[T]) -> BTreeMap<T, usize> {
    let mut h = BTreeMap::new();
    for x in xs {
        *h.entry(x.clone()).or_insert(0) += 1;
    }
    h
}

pub fn describe<T: Ord + Clone + Debug>(xs: &[T]) -> String {
    let h = histogram(xs);
    let top = h.iter().max_by_key(|(_, n)| **n).map(|(k, n)| format!("{k:?} x{n}"));
    format!("{} distinct, most common: {}", h.len(), top.unwrap_or_default())
}

pub fn report() -> Vec<String> {
    vec![
        describe(&[1u8, 2, 2, 3]),
        describe(&["a", "b", "b"]),
        describe(&[1i64, -1, 1]),
        describe(&['x', 'y', 'y']),
        describe(&[(1, 2), (1, 2), (3, 4)]),
    ]
}
