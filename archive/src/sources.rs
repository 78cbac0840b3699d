//! The crawl sources: a TOML file listing schools and where their disclosure sites start.
//!
//! ```toml
//! [[school]]
//! name = "湖南工商大学"
//! code = "4143010554"           # optional: the registry code (its 2017 name becomes an alias)
//! aliases = ["湖南商学院"]       # optional: old names, traditional spellings, short names
//! province = "湖南"
//! kind = "大学"
//! start = ["https://xxgk.hutb.edu.cn/"]
//! # optional:
//! hosts = ["www.hutb.edu.cn"]   # more hosts the crawl may follow links to
//! max_pages = 300               # page budget for this school (default: the run's)
//! max_depth = 4                 # link depth from the start pages
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::{Error, Result};

/// A whole sources file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    #[serde(default)]
    pub school: Vec<Source>,
}

/// One school and where its disclosure site starts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub name: String,
    /// The institution's code in the registry (学校标识码), when its name is not the
    /// registry's (renamed since 2017) or to be explicit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Other names of the school: old names, traditional spellings, short names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Start pages: the disclosure site or its report column. http and any port allowed.
    pub start: Vec<String>,
    /// More hosts the crawl may follow links to (the start pages' hosts always count).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pages: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_depth: Option<u32>,
}

impl Sources {
    /// Reads and checks a sources file.
    pub fn load(path: &Path) -> Result<Sources> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Config(format!("cannot read sources file {}: {e}", path.display()))
        })?;
        Sources::parse(&text).map_err(|e| match e {
            Error::Config(msg) => Error::Config(format!("{}: {msg}", path.display())),
            other => other,
        })
    }

    /// Parses and checks sources from TOML text.
    pub fn parse(text: &str) -> Result<Sources> {
        let sources: Sources =
            toml::from_str(text).map_err(|e| Error::Config(format!("invalid sources: {e}")))?;
        let mut seen = std::collections::HashSet::new();
        for school in &sources.school {
            if school.name.trim().is_empty() {
                return Err(Error::Config("a [[school]] has an empty name".into()));
            }
            if !seen.insert(school.name.as_str()) {
                return Err(Error::Config(format!(
                    "school {} is listed twice",
                    school.name
                )));
            }
            if school.start.is_empty() {
                return Err(Error::Config(format!(
                    "school {} has no start URL",
                    school.name
                )));
            }
            school.start_urls()?;
            if let Some(code) = &school.code {
                if code.len() != 10 || !code.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Error::Config(format!(
                        "school {}: code {code:?} is not a 10-digit institution code",
                        school.name
                    )));
                }
            }
        }
        Ok(sources)
    }

    /// The schools named (all when `names` is empty); an unknown name is an error.
    pub fn select(&self, names: &[String]) -> Result<Vec<Source>> {
        if names.is_empty() {
            return Ok(self.school.clone());
        }
        names
            .iter()
            .map(|n| {
                self.school
                    .iter()
                    .find(|s| s.name == *n)
                    .cloned()
                    .ok_or_else(|| Error::Config(format!("no school named {n} in the sources")))
            })
            .collect()
    }
}

impl Source {
    /// The start URLs, parsed; only http and https.
    pub fn start_urls(&self) -> Result<Vec<Url>> {
        self.start
            .iter()
            .map(|s| {
                let url = Url::parse(s).map_err(|e| {
                    Error::Config(format!("school {}: bad start URL {s:?}: {e}", self.name))
                })?;
                if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                    return Err(Error::Config(format!(
                        "school {}: start URL {s:?} is not http(s)",
                        self.name
                    )));
                }
                Ok(url)
            })
            .collect()
    }

    /// Hosts (with port when not the default) the crawl may visit for this school.
    pub fn allowed_hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = self
            .start_urls()
            .unwrap_or_default()
            .iter()
            .filter_map(host_key)
            .collect();
        hosts.extend(self.hosts.iter().map(|h| h.to_ascii_lowercase()));
        hosts.sort();
        hosts.dedup();
        hosts
    }
}

/// `host` or `host:port` (when the port is not the scheme's default): what "the same
/// host" means for politeness and for staying on a school's site.
pub fn host_key(url: &Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_form() {
        let s = Sources::parse(
            r#"
            [[school]]
            name = "湖南工商大学"
            province = "湖南"
            kind = "大学"
            start = ["https://xxgk.hutb.edu.cn/"]

            [[school]]
            name = "甲学院"
            start = ["http://127.0.0.1:8080/xxgk/"]
            hosts = ["www.jia.edu.cn"]
            max_pages = 5
            "#,
        )
        .expect("valid");
        assert_eq!(s.school.len(), 2);
        assert_eq!(s.school[0].province.as_deref(), Some("湖南"));
        assert_eq!(
            s.school[1].allowed_hosts(),
            vec!["127.0.0.1:8080".to_string(), "www.jia.edu.cn".to_string()]
        );
        assert_eq!(s.select(&["甲学院".into()]).expect("known").len(), 1);
        assert!(matches!(s.select(&["乙".into()]), Err(Error::Config(_))));
    }

    #[test]
    fn bad_sources_are_config_errors() {
        for bad in [
            "[[school]]\nname = \"甲\"\nstart = []",
            "[[school]]\nname = \"甲\"\nstart = [\"ftp://x/\"]",
            "[[school]]\nname = \"甲\"\nstart = [\"not a url\"]",
            "[[school]]\nname = \"\"\nstart = [\"http://a/\"]",
            "[[school]]\nname = \"甲\"\nstart = [\"http://a/\"]\nstrat = 1",
            "[[school]]\nname = \"甲\"\nstart = [\"http://a/\"]\ncode = \"41\"",
            "[[school]]\nname = \"甲\"\nstart = [\"http://a/\"]\n[[school]]\nname = \"甲\"\nstart = [\"http://b/\"]",
            "not toml at all [",
        ] {
            let err = Sources::parse(bad).expect_err(bad);
            assert!(err.is_user_error(), "{bad}: {err}");
        }
    }
}
