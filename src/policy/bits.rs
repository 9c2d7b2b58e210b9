//! `Bits`: the fixed-size sets of scope and role indices behind the closures.

/// A fixed-size set of small integers (scope or role indices).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Bits(Vec<u64>);

impl Bits {
    pub(super) fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    pub(super) fn set(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }
    pub(super) fn has(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
    pub(super) fn union(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }
    pub(super) fn iter(&self) -> BitsIter<'_> {
        BitsIter {
            words: &self.0,
            base: 0,
            current: self.0.first().copied().unwrap_or(0),
        }
    }
}

/// The set bits of a [`Bits`], lowest first: one step per set bit, not per bit.
pub(super) struct BitsIter<'a> {
    words: &'a [u64],
    base: usize,
    current: u64,
}

impl Iterator for BitsIter<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.current == 0 {
            self.words = self.words.get(1..)?;
            self.base += 64;
            self.current = *self.words.first()?;
        }
        let bit = self.current.trailing_zeros() as usize;
        self.current &= self.current - 1;
        Some(self.base + bit)
    }
}
