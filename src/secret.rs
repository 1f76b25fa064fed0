//! Values that must never be shown: tokens and header values the user
//! gave through the environment (`${VAR}`), the GitHub token.
//!
//! A [`Secret`] prints as where it came from (`<from $GITHUB_TOKEN>`),
//! never as what it is, in `Debug` and `Display` alike, so that no log
//! line, error message, report or `linkrot config` listing can carry it.
//! The only way to the value is [`Secret::expose`], called where it is
//! sent. Nothing here reads the environment: the binary does, and hands
//! the value over wrapped.

/// A value that is sent, never printed, logged or stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    value: String,
    from: String,
}

impl Secret {
    /// Wraps `value`; `from` says where it came from, for display
    /// (`$GITHUB_TOKEN`, `--github-token`, `linkrot.toml:3`).
    pub fn new(value: impl Into<String>, from: impl Into<String>) -> Secret {
        Secret {
            value: value.into(),
            from: from.into(),
        }
    }

    /// The value itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.value
    }

    /// Where it came from (`$GITHUB_TOKEN`).
    pub fn origin(&self) -> &str {
        &self.from
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<from {}>", self.from)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret(<from {}>)", self.from)
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn a_secret_shows_where_it_came_from_and_never_its_value() {
        let s = Secret::new("hunter2", "$GITHUB_TOKEN");
        assert_eq!(s.to_string(), "<from $GITHUB_TOKEN>");
        assert_eq!(format!("{s:?}"), "Secret(<from $GITHUB_TOKEN>)");
        assert_eq!(
            format!("{:?}", Some(&s)),
            "Some(Secret(<from $GITHUB_TOKEN>))"
        );
        assert_eq!(s.expose(), "hunter2");
    }
}
