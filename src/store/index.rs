//! The sled index: derived data that makes an append fast. It holds the state (roster, policy,
//! tip, replay window), where the last entry starts in the journal, and how much of the journal
//! it has absorbed. It is never trusted over the journal: on open it is checked against the journal,
//! brought up to date, or rebuilt.

use crate::rules::state::{Batch, Kv, Producer, StoreError, Visitor};
use std::borrow::Cow;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

const STATE_TREE: &str = "state";
/// Journal length the index has absorbed, written in the same batch as each entry's state.
pub const ABSORBED: &[u8] = b"J";
/// Where the last absorbed entry starts in the journal, written in the same batch: what the
/// open checks the index against.
pub const TIP_OFFSET: &[u8] = b"O";

/// Threads applying the batches of a rebuilt index ([`Kv::write_unordered`]).
const WRITERS: usize = 2;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn apply(tree: &sled::Tree, batch: Batch) -> Result<(), StoreError> {
    let mut b = sled::Batch::default();
    for (k, v) in batch {
        match v {
            Some(v) => b.insert(k, v),
            None => b.remove(k),
        }
    }
    tree.apply_batch(b).map_err(backend)
}

/// A batch's writes one key at a time: sled applies whole batches one at a time (under its
/// write lock), single keys side by side. What `write_unordered` writes needs no batch to be
/// whole before the last one.
fn insert_each(tree: &sled::Tree, batch: Batch) -> Result<(), StoreError> {
    for (k, v) in batch {
        match v {
            Some(v) => tree.insert(k, v).map(drop),
            None => tree.remove(k).map(drop),
        }
        .map_err(backend)?;
    }
    Ok(())
}

/// A sled database holding the state.
pub struct SledKv {
    db: sled::Db,
    state: sled::Tree,
}

fn backend(e: sled::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl SledKv {
    pub fn open(dir: &Path) -> Result<SledKv, StoreError> {
        // Only the ledger's writer opens the index, under the writer lock; a lock conflict here
        // is an index this process just dropped, whose flusher thread has not yet let go of
        // its file lock (seen after a refused rebuild, and after a build reopens its index). Wait for it: up to
        // thirty seconds, since a loaded machine was seen to take more than one, and once more
        // than five (a test of the mutation run, beside a benchmark).
        let mut waited = 0;
        let db = loop {
            match sled::Config::new()
                .path(dir)
                .mode(sled::Mode::HighThroughput)
                .open()
            {
                Err(sled::Error::Io(e))
                    if e.kind() == std::io::ErrorKind::WouldBlock && waited < 1500 =>
                {
                    waited += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => break other.map_err(backend)?,
            }
        };
        let state = db.open_tree(STATE_TREE).map_err(backend)?;
        Ok(SledKv { db, state })
    }

    fn u64_at(&self, key: &[u8]) -> Result<Option<u64>, StoreError> {
        let v = self.state.get(key).map_err(backend)?;
        Ok(v.and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
            .map(u64::from_be_bytes))
    }

    /// Where the last absorbed entry starts in the journal.
    pub fn tip_offset(&self) -> Result<Option<u64>, StoreError> {
        self.u64_at(TIP_OFFSET)
    }

    /// How much of the journal the state has absorbed.
    pub fn absorbed(&self) -> Result<Option<u64>, StoreError> {
        self.u64_at(ABSORBED)
    }

    /// Writes what sled holds in memory to its files. The index is derived data, so this is
    /// for speed on the next open, not for durability.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(backend)?;
        Ok(())
    }
}

impl Kv for SledKv {
    fn get(&self, key: &[u8]) -> Result<Option<Cow<'_, [u8]>>, StoreError> {
        Ok(self
            .state
            .get(key)
            .map_err(backend)?
            .map(|v| Cow::Owned(v.to_vec())))
    }

    fn write(&mut self, batch: Batch) -> Result<(), StoreError> {
        apply(&self.state, batch)
    }

    /// Two threads apply the batches while `produce` makes the next ones: a rebuilt index is
    /// written about twice as fast as in turn (sled spends most of that time allocating and
    /// linking pages, which two threads do side by side).
    fn write_unordered(&mut self, produce: &mut Producer<'_, Self>) -> Result<(), StoreError> {
        let this: &SledKv = self;
        let (send, receive) = std::sync::mpsc::sync_channel::<Batch>(2);
        let receive = Mutex::new(receive);
        let failed: Mutex<Option<StoreError>> = Mutex::new(None);
        std::thread::scope(|scope| {
            for _ in 0..WRITERS {
                scope.spawn(|| {
                    // After a failure the batches are still taken, so that `produce` never waits
                    // on a full channel, but not applied.
                    loop {
                        // The lock is let go before the batch is applied.
                        let next = lock(&receive).recv();
                        let Ok(batch) = next else { break };
                        if lock(&failed).is_none()
                            && let Err(e) = insert_each(&this.state, batch)
                        {
                            *lock(&failed) = Some(e);
                        }
                    }
                });
            }
            let produced = produce(this, &mut |batch| {
                send.send(batch)
                    .map_err(|_| StoreError::Backend("the index's writers stopped".into()))
            });
            drop(send);
            produced
        })?;
        match failed.into_inner().unwrap_or_else(PoisonError::into_inner) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn visit_prefix(&self, prefix: &[u8], visit: &mut Visitor<'_>) -> Result<(), StoreError> {
        for pair in self.state.scan_prefix(prefix) {
            let (k, v) = pair.map_err(backend)?;
            visit(&k, &v)?;
        }
        Ok(())
    }
}
