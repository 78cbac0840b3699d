//! The 50 items, from the reviewed data file embedded in the binary.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::query::UserQuery;

/// The ten categories of the list, in its order.
pub const CATEGORIES: [&str; 10] = [
    "基本信息",
    "招生考试信息",
    "财务资产及收费信息",
    "人事师资信息",
    "教学质量信息",
    "学生管理服务信息",
    "学风建设信息",
    "学位学科信息",
    "对外交流与合作信息",
    "其他",
];

/// How many items the list has.
pub const ITEM_COUNT: usize = 50;

static DATA: &str = include_str!("../../data/checklist.toml");

/// One item of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// 1–50, the list's order.
    pub number: u32,
    /// One of [`CATEGORIES`].
    pub category: String,
    /// A label for table headers.
    pub short: String,
    /// The official wording.
    pub wording: String,
    /// The query (our query language) that finds a report's mention of the item.
    pub query: String,
    /// Sentences the query must match (tested).
    #[serde(default, skip_serializing)]
    pub examples: Vec<String>,
    /// Sentences the query must not match (tested).
    #[serde(default, skip_serializing)]
    pub near_misses: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    item: Vec<Item>,
}

/// Parses and checks a checklist file: 50 items numbered 1–50 in order, categories from
/// [`CATEGORIES`] in order, every query valid.
pub(super) fn parse(data: &str) -> std::result::Result<Vec<Item>, String> {
    let file: DataFile = toml::from_str(data).map_err(|e| e.to_string())?;
    let items = file.item;
    if items.len() != ITEM_COUNT {
        return Err(format!("{} items, expected {ITEM_COUNT}", items.len()));
    }
    let mut last_category = 0;
    for (i, item) in items.iter().enumerate() {
        if item.number as usize != i + 1 {
            return Err(format!("item {} is numbered {}", i + 1, item.number));
        }
        let Some(category) = CATEGORIES.iter().position(|c| *c == item.category) else {
            return Err(format!(
                "item {}: unknown category {:?}",
                item.number, item.category
            ));
        };
        if category < last_category {
            return Err(format!("item {}: category out of order", item.number));
        }
        last_category = category;
        if item.short.is_empty() || item.wording.is_empty() {
            return Err(format!("item {}: empty label or wording", item.number));
        }
        UserQuery::parse(&item.query).map_err(|e| format!("item {}: {e}", item.number))?;
    }
    Ok(items)
}

static ITEMS: LazyLock<Vec<Item>> = LazyLock::new(|| {
    // The file is part of the source and checked by the tests below; a broken file is a
    // build we must not ship, not an input error.
    parse(DATA).unwrap_or_else(|e| panic!("index/data/checklist.toml is invalid: {e}"))
});

/// The 50 items, in the list's order.
pub fn items() -> &'static [Item] {
    &ITEMS
}

/// Item `number` (1–50).
pub fn item(number: u32) -> Option<&'static Item> {
    items().iter().find(|i| i.number == number)
}
