//! One school's frontier: the queue in the archive worked through in discovery order,
//! each page recorded as it is done, and the links of start and list pages queued.

use crate::discover::LinkKind;
use crate::page::{Page, PageKind};
use crate::titles::is_report_title;
use crate::Result;
use xxgk_archive::sources::Source;
use xxgk_archive::{PutOutcome, QueueItem};

use super::{blocking, lock, Crawler, Mode, Progress};
use xxgk_model::PageRole;

/// List pages one school's crawl reads at most: a list that paginates forever stops here
/// (counted as `pagination_cap`), whatever the page budget.
const MAX_LIST_PAGES: usize = 200;

/// What one school's crawl has seen so far (for the caps).
#[derive(Debug, Default)]
pub(super) struct SchoolState {
    list_pages: usize,
    capped: bool,
}
impl Crawler {
    pub(super) async fn crawl_school(
        &self,
        school: &Source,
        mode: Mode,
        progress: &dyn Progress,
    ) -> Result<()> {
        let mut seeds: Vec<QueueItem> = school
            .start_urls()?
            .into_iter()
            .map(|u| QueueItem::seed(u, 0, PageRole::Start))
            .collect();
        let resumed = {
            let store = lock(&self.store);
            store.put_source(school)?;
            if mode == Mode::Recrawl {
                let known = store.known_pages(&school.name, 1)?;
                seeds.extend(known.into_iter().filter(|p| p.role != PageRole::Part));
            }
            store.begin_run(&school.name, mode.as_str(), &seeds)?
        };
        if resumed {
            tracing::info!(school = %school.name, "resuming an interrupted run");
            lock(&self.summary).resumed += 1;
        }
        progress.queued(lock(&self.store).queued_count(&school.name)?);
        let hosts = school.allowed_hosts();
        let mut state = SchoolState::default();
        let budget = school.max_pages.unwrap_or(self.opts.max_pages);
        loop {
            let (item, done) = {
                let store = lock(&self.store);
                (
                    store.next_queued(&school.name)?,
                    store.done_count(&school.name)?,
                )
            };
            let Some(item) = item else { break };
            if done >= budget {
                tracing::info!(school = %school.name, budget, "page budget reached");
                break;
            }
            let (work, what) = self.process(school, &hosts, &item, &mut state).await?;
            let store = self.store.clone();
            let (work, outcome) = blocking(move || {
                let outcome = lock(&store).record_page(&work)?;
                Ok((work, outcome))
            })
            .await?;
            let mut label = what;
            {
                let mut s = lock(&self.summary);
                s.new_versions += outcome.new_versions;
                s.unchanged += outcome.unchanged;
                s.gone += outcome.gone;
                for _ in 0..outcome.dead {
                    s.error("not_found");
                }
                if outcome.gone > 0 {
                    label = "gone".into();
                } else if outcome.dead > 0 {
                    label = "dead link".into();
                }
                match outcome.report {
                    Some(PutOutcome::New) => s.new_reports += 1,
                    Some(PutOutcome::Changed) => s.changed_reports += 1,
                    _ => {}
                }
            }
            if let (Some(_), Some(o)) = (&work.report, outcome.report) {
                if o != PutOutcome::Unchanged {
                    label = format!(
                        "report {}",
                        if o == PutOutcome::New {
                            "new"
                        } else {
                            "changed"
                        }
                    );
                }
            }
            progress.queued(outcome.queued);
            progress.page(&school.name, &item.url, &label);
        }
        lock(&self.store).finish_run(&school.name)?;
        Ok(())
    }

    /// The links of a start or list page to queue, with their depth and role.
    pub(super) fn enqueue(
        &self,
        school: &Source,
        page: &Page,
        item: &QueueItem,
        max_depth: u32,
        state: &mut SchoolState,
    ) -> Vec<QueueItem> {
        if page.kind == PageKind::List {
            state.list_pages += 1;
        }
        let follow_next = state.list_pages < MAX_LIST_PAGES;
        if !follow_next && !state.capped {
            state.capped = true;
            tracing::warn!(school = %school.name, max = MAX_LIST_PAGES,
                "list pages keep paginating; no further pages followed");
            lock(&self.summary).error("pagination_cap");
        }
        let mut out = Vec::new();
        for link in &page.links {
            let (depth, role) = match link.kind {
                LinkKind::Report => (item.depth + 1, PageRole::Report),
                // A file linked under a report title is the report.
                LinkKind::Attachment if is_report_title(&link.text) => {
                    (item.depth + 1, PageRole::ReportFile)
                }
                LinkKind::List if item.depth < max_depth => (item.depth + 1, PageRole::List),
                // The page's content elsewhere (a redirect, a frame): the same role, no
                // deeper — a home page that frames its content is still the way in.
                LinkKind::Hop => (item.depth, item.role),
                // Pagination stays at the list's depth: page 9 of a list is no deeper.
                LinkKind::Next
                    if follow_next && matches!(page.kind, PageKind::List | PageKind::Start) =>
                {
                    (item.depth, PageRole::List)
                }
                _ => continue,
            };
            out.push(QueueItem {
                url: link.url.to_string(),
                depth,
                role,
                link_text: link.text.clone(),
                form: link.form.clone(),
            });
        }
        out
    }
}
