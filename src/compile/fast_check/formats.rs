//! String formats the fast check can be sure of without the validator: each test here
//! accepts a strict subset of what the validator's format accepts, so a string it accepts
//! is valid, and any other string is left to the validator, which has the last word.

/// Whether `text` is an e-mail address of the plainest kind, which the validator's
/// `format: email` accepts: ASCII `local@domain`, at most 254 bytes, whose local part is
/// dot-separated runs of letters, digits, `_`, `+` and `-` (at most 64 bytes), and whose
/// domain is two or more dot-separated labels of letters, digits and inner hyphens (each at
/// most 63 bytes, none with `--`), the last of two or more letters.
pub(super) fn surely_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let local_is_plain = local.len() <= 64
        && local.split('.').all(|run| {
            !run.is_empty()
                && run
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-'))
        });
    let Some((_, last)) = domain.rsplit_once('.') else {
        return false;
    };
    text.len() <= 254
        && local_is_plain
        && domain.split('.').all(is_plain_label)
        && last.len() >= 2
        && last.bytes().all(|b| b.is_ascii_alphabetic())
}

/// A domain label of letters, digits and hyphens, 1 to 63 bytes, starting and ending with a
/// letter or digit, without `--` (which could make it an IDNA label).
fn is_plain_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        && !label.contains("--")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn validator() -> jsonschema::Validator {
        crate::compile::payload::validator(&json!({"format": "email"}))
            .expect("the e-mail format compiles")
    }

    #[test]
    fn plain_addresses_are_sure_and_others_are_left_to_the_validator() {
        for sure in [
            "visitor95464@example.com",
            "a.b+tag_x-y@mail.example.co",
            "A1@X-1.io",
        ] {
            assert!(surely_email(sure), "{sure}");
            assert!(validator().is_valid(&Value::String(sure.into())), "{sure}");
        }
        let left = [
            "",
            "@example.com",
            "a@",
            "a@example",
            "a@example.c",
            "a@example.c0m",
            ".a@example.com",
            "a.@example.com",
            "a..b@example.com",
            "a@-example.com",
            "a@example-.com",
            "a@xn--nxasmq6b.com",
            "a@example..com",
            "a@example.com.",
            "a@b@example.com",
            "\"a b\"@example.com",
            "a@[127.0.0.1]",
            "Name <a@example.com>",
            "é@example.com",
        ];
        for other in left {
            assert!(!surely_email(other), "{other}");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long_label = format!("a@{}.com", "b".repeat(64));
        assert!(!surely_email(&long_local) && !surely_email(&long_label));
    }

    /// A xorshift sequence: the same tries on every run.
    struct Tries(u64);

    impl Tries {
        fn below(&mut self, count: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % count as u64) as usize
        }

        /// One of `pieces`, or now and then one of neither kind.
        fn piece(&mut self, pieces: &[&'static str]) -> &'static str {
            const ODD: [&str; 9] = ["..", ".", "--", "\u{e9}", "\"", " ", "@", "[1]", ""];
            let (from, at) = match self.below(12) {
                0 => (&ODD[..], self.below(ODD.len())),
                _ => (pieces, self.below(pieces.len())),
            };
            from.get(at).copied().unwrap_or_default()
        }
    }

    /// Never sure of what the validator refuses: addresses put together from pieces near
    /// the edges of the plain kind (dots, hyphens, digits, `--`, odd bytes), each judged
    /// both ways.
    #[test]
    fn sure_only_of_what_the_validator_accepts() {
        let local = ["a", "Z9", "_", "+", "-", "x-y", "0", "b.c"];
        let label = ["a", "b1", "x-y", "0", "-", "com", "c", "xn", "9z"];
        let validator = validator();
        let mut tries = Tries(0x2545_f491_4f6c_dd1d);
        let mut sure = 0;
        for _ in 0..100_000 {
            let mut text = String::new();
            for _ in 0..tries.below(3) + 1 {
                text.push_str(tries.piece(&local));
            }
            text.push('@');
            for part in 0..tries.below(3) + 2 {
                if part > 0 {
                    text.push('.');
                }
                for _ in 0..tries.below(3) + 1 {
                    text.push_str(tries.piece(&label));
                }
            }
            if surely_email(&text) {
                sure += 1;
                assert!(validator.is_valid(&Value::String(text.clone())), "{text}");
            }
        }
        assert!(sure > 5_000, "only {sure} plain addresses were tried");
    }
}
