//! Names to values, looked up once for every event line (lifecycles, events): a few names
//! are found by comparing lengths, then bytes, which costs less than hashing a short name;
//! many are found by hash.

use crate::short_eq;

/// Up to this many names are looked for one by one.
const FEW: usize = 16;

/// A map from names to values, in insertion order.
#[derive(Debug, Clone)]
pub struct NameMap<V> {
    entries: Vec<(String, V)>,
    /// Where each name is in `entries`, once there are more than [`FEW`].
    by_hash: Option<hashbrown::HashMap<String, usize>>,
}

impl<V> Default for NameMap<V> {
    fn default() -> Self {
        NameMap {
            entries: Vec::new(),
            by_hash: None,
        }
    }
}

impl<V> NameMap<V> {
    /// The value of `name`.
    #[inline]
    pub fn get(&self, name: &str) -> Option<&V> {
        let at = self.position(name)?;
        self.entries.get(at).map(|(_, value)| value)
    }

    /// Where `name` is in `entries`.
    #[inline]
    fn position(&self, name: &str) -> Option<usize> {
        match &self.by_hash {
            // String equality compares the lengths first: most names are told apart there.
            None => (self.entries.iter()).position(|(known, _)| short_eq::same_str(known, name)),
            Some(by_hash) => by_hash.get(&short_eq::Key(name)).copied(),
        }
    }

    /// Whether `name` has a value.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The names, in insertion order.
    pub fn keys(&self) -> impl Iterator<Item = &String> + Clone {
        self.entries.iter().map(|(name, _)| name)
    }

    /// Gives `name` the value `value`; the value it had before, if any.
    pub fn insert(&mut self, name: String, value: V) -> Option<V> {
        if let Some(at) = self.position(&name) {
            return self
                .entries
                .get_mut(at)
                .map(|(_, old)| std::mem::replace(old, value));
        }
        if let Some(by_hash) = &mut self.by_hash {
            by_hash.insert(name.clone(), self.entries.len());
        }
        self.entries.push((name, value));
        if self.by_hash.is_none() && self.entries.len() > FEW {
            let by_hash = (self.entries.iter().enumerate())
                .map(|(at, (name, _))| (name.clone(), at))
                .collect();
            self.by_hash = Some(by_hash);
        }
        None
    }
}

impl<V> FromIterator<(String, V)> for NameMap<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(pairs: I) -> Self {
        let mut map = NameMap::default();
        for (name, value) in pairs {
            map.insert(name, value);
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_and_many_names_are_found_as_a_hash_map_finds_them() {
        for count in [0, 1, 5, FEW, FEW + 1, 40] {
            let names: Vec<String> = (0..count)
                .map(|i| format!("e{}", "x".repeat(i % 7) + &i.to_string()))
                .collect();
            let map: NameMap<usize> = names.iter().cloned().zip(0..).collect();
            let hashed: std::collections::HashMap<String, usize> =
                names.iter().cloned().zip(0..).collect();
            for probe in names
                .iter()
                .map(String::as_str)
                .chain(["", "e", "ex0", "zz"])
            {
                assert_eq!(map.get(probe), hashed.get(probe), "{count} {probe}");
                assert_eq!(map.contains_key(probe), hashed.contains_key(probe));
            }
            assert!(map.keys().eq(names.iter()));
            // A name given again keeps its place and takes the new value.
            let mut map = map;
            if let Some(first) = names.first() {
                assert_eq!(map.insert(first.clone(), 99), Some(0));
                assert_eq!(map.get(first), Some(&99));
                assert_eq!(map.keys().count(), count);
            }
        }
    }
}
