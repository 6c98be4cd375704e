//! Substring search by bytes. `str::find`, `contains`, `split_once` and `replace` with a `&str`
//! pattern pull core's Two-Way searcher into the wasm (about 3 KB, issue 14); the needles here
//! are short and the haystacks bounded, so a plain scan does the same job.

/// The byte position of the first `needle` in `hay` (a char boundary of both).
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return Some(0);
    }
    h.windows(n.len()).position(|w| w == n)
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

/// `hay` split around the first `needle`.
pub fn split_once<'a>(hay: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let i = find(hay, needle)?;
    Some((hay.get(..i)?, hay.get(i + needle.len()..)?))
}

/// `hay` with its first `limit` occurrences of `from` replaced by `to`.
pub fn replacen(hay: &str, from: &str, to: &str, mut limit: usize) -> String {
    let mut out = String::with_capacity(hay.len());
    let mut rest = hay;
    while limit > 0 && !from.is_empty() {
        let Some((before, after)) = split_once(rest, from) else { break };
        out.push_str(before);
        out.push_str(to);
        rest = after;
        limit -= 1;
    }
    out.push_str(rest);
    out
}

/// `hay` with every occurrence of `from` replaced by `to`.
pub fn replace(hay: &str, from: &str, to: &str) -> String {
    replacen(hay, from, to, usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_str_methods() {
        for (hay, needle) in
            [("", ""), ("abc", ""), ("https://x/y", "://"), ("aaa", "aa"), ("é://ü", "://"), ("abc", "abcd"), ("xcode=1&y", "code=")]
        {
            assert_eq!(find(hay, needle), hay.find(needle), "{hay} {needle}");
            assert_eq!(split_once(hay, needle), hay.split_once(needle));
            assert_eq!(replace(hay, needle, "--"), if needle.is_empty() { hay.to_owned() } else { hay.replace(needle, "--") });
            assert_eq!(replacen(hay, "a", "b", 1), hay.replacen("a", "b", 1));
        }
        assert_eq!(replace("/{tenant}/{tenant}x", "{tenant}", "t"), "/t/tx");
    }
}
