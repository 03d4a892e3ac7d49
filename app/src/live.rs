//! Live figures inside one server process: the database's
//! `moa_post_figures` notifications (one per committed change of a
//! project's total, backer count or status, from any process) fan out to
//! every open stream through one broadcast channel.

use tokio::sync::broadcast;

/// How many changes a slow stream may fall behind before it skips to the
/// latest figures (it rereads them anyway).
const BACKLOG: usize = 1024;

#[derive(Clone)]
pub struct LiveFigures {
    changed: broadcast::Sender<i64>,
}

impl Default for LiveFigures {
    fn default() -> Self {
        let (changed, _) = broadcast::channel(BACKLOG);
        LiveFigures { changed }
    }
}

impl LiveFigures {
    /// A project's figures changed (called by the notification listener).
    pub fn changed(&self, post_id: i64) {
        // Nobody listening is fine.
        let _ = self.changed.send(post_id);
    }

    /// Ids of projects whose figures change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.changed.subscribe()
    }
}
