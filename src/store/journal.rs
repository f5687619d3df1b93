//! The journal file: the ledger's source of truth.
//!
//! Layout (`docs/FORMAT.md` has it byte for byte): a 28-byte header (`CUSTJRNL`, format
//! version u32 LE, ledger id), then records `len u32 LE ‖ entry bytes ‖ len u32 LE`. The
//! trailing length lets a reader find the last record without scanning the file.
//!
//! An append is acknowledged only after its record is written and fsynced. After a crash the
//! file may end in an unacknowledged tail: bytes shorter than their declared length, or zeros.
//! The next writer cuts such a tail; nothing else is ever cut.

use crate::files::staged::folder;
use crate::format::encoding::MAX_ENCODED;
use crate::model::entry::LedgerId;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

// Every file custody writes is staged; the journal's callers name the helper here too.
pub use crate::files::staged::{Access, Staged, stage, sync_dir, write_atomic, write_new};

pub const MAGIC: &[u8; 8] = b"CUSTJRNL";
pub const VERSION: u32 = 1;
pub const HEADER_LEN: u64 = 28;
const FRAME: u64 = 8;

/// Why the journal cannot be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{path} is not a custody journal (bad header)")]
    BadHeader { path: PathBuf },
    #[error("{path} has journal format version {version}; this custody reads version {VERSION}")]
    BadVersion { path: PathBuf, version: u32 },
    #[error("record of {len} bytes is over the {MAX_ENCODED}-byte limit")]
    TooLarge { len: usize },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> JournalError + '_ {
    move |source| JournalError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub fn header(ledger_id: &LedgerId) -> [u8; HEADER_LEN as usize] {
    let mut h = [0u8; HEADER_LEN as usize];
    h[..8].copy_from_slice(MAGIC);
    h[8..12].copy_from_slice(&VERSION.to_le_bytes());
    h[12..].copy_from_slice(ledger_id);
    h
}

/// Frames entry bytes as one record.
pub fn frame(entry: &[u8]) -> Result<Vec<u8>, JournalError> {
    if entry.is_empty() || entry.len() > MAX_ENCODED {
        return Err(JournalError::TooLarge { len: entry.len() });
    }
    let len = (entry.len() as u32).to_le_bytes();
    let mut out = Vec::with_capacity(entry.len() + FRAME as usize);
    out.extend_from_slice(&len);
    out.extend_from_slice(entry);
    out.extend_from_slice(&len);
    Ok(out)
}

/// How a journal ends after its last complete record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// Exactly at a record boundary.
    Clean,
    /// An unacknowledged tail from an interrupted append: `bytes` bytes from `offset`.
    Tail { offset: u64, bytes: u64 },
    /// Bytes that are not a record and not an unacknowledged tail: damage, never cut.
    Damaged { offset: u64, reason: String },
}

/// One record as read.
#[derive(Debug, Clone)]
pub struct Record {
    /// Position of the record's first length byte.
    pub offset: u64,
    pub bytes: Vec<u8>,
}

impl Record {
    /// Position just after this record.
    pub fn end(&self) -> u64 {
        self.offset + self.bytes.len() as u64 + FRAME
    }
}

/// Streams records from a journal; after the last record, `end()` says how the file ends.
pub struct Reader<R: Read> {
    input: R,
    offset: u64,
    end: Option<End>,
}

/// Opens a journal for reading and checks its header.
pub fn open_reader(path: &Path) -> Result<(LedgerId, Reader<BufReader<File>>), JournalError> {
    let mut file = File::open(path).map_err(io_err(path))?;
    let id = read_header(&mut file, path)?;
    Ok((
        id,
        Reader::new(BufReader::with_capacity(1 << 20, file), HEADER_LEN),
    ))
}

/// Reads and checks the header at the start of `input`.
pub fn read_header(input: &mut impl Read, path: &Path) -> Result<LedgerId, JournalError> {
    let mut h = [0u8; HEADER_LEN as usize];
    let got = read_full(input, &mut h).map_err(io_err(path))?;
    if got < h.len() || &h[..8] != MAGIC {
        return Err(JournalError::BadHeader {
            path: path.to_path_buf(),
        });
    }
    let version = u32::from_le_bytes([h[8], h[9], h[10], h[11]]);
    if version != VERSION {
        return Err(JournalError::BadVersion {
            path: path.to_path_buf(),
            version,
        });
    }
    let mut id = [0u8; 16];
    id.copy_from_slice(&h[12..]);
    Ok(id)
}

/// Reads as much of `buf` as the input holds; returns how much that was.
pub fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match input.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

impl<R: Read> Reader<R> {
    /// A reader positioned at `offset`, a record boundary.
    pub fn new(input: R, offset: u64) -> Reader<R> {
        Reader {
            input,
            offset,
            end: None,
        }
    }

    /// How the journal ends; `None` until the records are exhausted.
    pub fn end(&self) -> Option<&End> {
        self.end.as_ref()
    }

    /// The next record, `Ok(None)` at the end (then see [`Reader::end`]).
    pub fn next_record(&mut self) -> io::Result<Option<Record>> {
        if self.end.is_some() {
            return Ok(None);
        }
        let start = self.offset;
        let mut len4 = [0u8; 4];
        let got = read_full(&mut self.input, &mut len4)?;
        if got == 0 {
            return self.finish(End::Clean);
        }
        if got < 4 {
            return self.finish(End::Tail {
                offset: start,
                bytes: got as u64,
            });
        }
        let len = u32::from_le_bytes(len4) as usize;
        if len == 0 || len > MAX_ENCODED {
            // A zero length begins an all-zero tail or damage; a huge one is damage.
            let mut rest = Vec::new();
            (&mut self.input)
                .take(MAX_ENCODED as u64 + FRAME)
                .read_to_end(&mut rest)?;
            let mut all = len4.to_vec();
            all.extend_from_slice(&rest);
            let reason = format!("record length {len} is not between 1 and {MAX_ENCODED}");
            return self.finish_tail_or(start, &all, reason);
        }
        let mut bytes = vec![0u8; len];
        let got = read_full(&mut self.input, &mut bytes)?;
        if got < len {
            // An interrupted append leaves part of one record. If what follows holds a whole
            // record, the length itself was damaged: cutting here would cut acknowledged entries.
            if ends_in_record(&bytes[..got]) {
                return self.finish(End::Damaged {
                    offset: start,
                    reason: format!(
                        "record length {len} runs past the end of the file, over complete records"
                    ),
                });
            }
            return self.finish(End::Tail {
                offset: start,
                bytes: 4 + got as u64,
            });
        }
        let mut trailer = [0u8; 4];
        let got = read_full(&mut self.input, &mut trailer)?;
        if got < 4 {
            return self.finish(End::Tail {
                offset: start,
                bytes: 4 + len as u64 + got as u64,
            });
        }
        if trailer != len4 {
            // A zero trailer at the very end is a record whose last page never reached the disk.
            let mut more = [0u8; 1];
            if trailer == [0; 4] && read_full(&mut self.input, &mut more)? == 0 {
                return self.finish(End::Tail {
                    offset: start,
                    bytes: len as u64 + FRAME,
                });
            }
            return self.finish(End::Damaged {
                offset: start,
                reason: format!("record trailer does not repeat its length {len}"),
            });
        }
        self.offset = start + len as u64 + FRAME;
        Ok(Some(Record {
            offset: start,
            bytes,
        }))
    }

    fn finish(&mut self, end: End) -> io::Result<Option<Record>> {
        self.end = Some(end);
        Ok(None)
    }

    fn finish_tail_or(
        &mut self,
        start: u64,
        rest: &[u8],
        reason: String,
    ) -> io::Result<Option<Record>> {
        if rest.iter().all(|b| *b == 0) {
            self.finish(End::Tail {
                offset: start,
                bytes: rest.len() as u64,
            })
        } else {
            self.finish(End::Damaged {
                offset: start,
                reason,
            })
        }
    }
}

/// Whether `bytes` end with a complete record: a trailing length `n` whose record, `n` bytes
/// before it, starts with the same length.
fn ends_in_record(bytes: &[u8]) -> bool {
    let Some(trailer) = bytes.len().checked_sub(4).map(|at| &bytes[at..]) else {
        return false;
    };
    let n = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]) as usize;
    if n == 0 || n > MAX_ENCODED {
        return false;
    }
    match bytes.len().checked_sub(n + FRAME as usize) {
        Some(start) => bytes[start..start + 4] == trailer[..],
        None => false,
    }
}

/// The last complete record, found from the end of the file through its trailing length.
/// `None` when the file ends in anything but a clean record boundary after at least one record;
/// the caller then scans forward.
pub fn read_last(path: &Path) -> Result<Option<Record>, JournalError> {
    let mut file = File::open(path).map_err(io_err(path))?;
    read_header(&mut file, path)?;
    let len = file.metadata().map_err(io_err(path))?.len();
    if len < HEADER_LEN + FRAME + 1 {
        return Ok(None);
    }
    let mut trailer = [0u8; 4];
    file.seek(SeekFrom::Start(len - 4)).map_err(io_err(path))?;
    file.read_exact(&mut trailer).map_err(io_err(path))?;
    let n = u32::from_le_bytes(trailer) as u64;
    if n == 0 || n > MAX_ENCODED as u64 || len < HEADER_LEN + n + FRAME {
        return Ok(None);
    }
    let offset = len - n - FRAME;
    let record = read_at(&mut file, path, offset)?;
    Ok(record.filter(|r| r.end() == len))
}

/// The complete record at `offset`, if one is there.
pub fn read_at(file: &mut File, path: &Path, offset: u64) -> Result<Option<Record>, JournalError> {
    file.seek(SeekFrom::Start(offset)).map_err(io_err(path))?;
    let mut reader = Reader::new(&mut *file, offset);
    reader.next_record().map_err(io_err(path))
}

/// The file operations an append makes: the narrow interface between the journal and the disk,
/// so that a test double can record them and replay every state a power cut could leave
/// (`tests/power_loss.rs`).
pub trait JournalIo {
    /// Writes all of `bytes` at `offset`.
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()>;
    /// Makes everything written so far durable (fdatasync).
    fn sync(&mut self) -> io::Result<()>;
    /// Cuts or extends the file to `len` bytes.
    fn set_len(&mut self, len: u64) -> io::Result<()>;
}

impl JournalIo for File {
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
        self.seek(SeekFrom::Start(offset))?;
        self.write_all(bytes)
    }

    fn sync(&mut self) -> io::Result<()> {
        self.sync_data()
    }

    fn set_len(&mut self, len: u64) -> io::Result<()> {
        File::set_len(self, len)
    }
}

impl<T: JournalIo + ?Sized> JournalIo for Box<T> {
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
        (**self).write_at(offset, bytes)
    }

    fn sync(&mut self) -> io::Result<()> {
        (**self).sync()
    }

    fn set_len(&mut self, len: u64) -> io::Result<()> {
        (**self).set_len(len)
    }
}

/// A file opened through a [`Disk`].
pub type DiskFile = Box<dyn JournalIo + Send + Sync>;

/// The file system under a ledger's appends: the journal, the staged checkpoint, its rename.
/// [`Fs`] is the real one; a test double records every operation so that a test can rebuild
/// each state a power cut could leave (`tests/power_loss.rs`).
pub trait Disk: Send + Sync {
    /// Opens `path` for writing; with `create`, creates it, failing if anything is there (a
    /// file or a link, dangling or not: `O_CREAT | O_EXCL` follows no link).
    fn open(&self, path: &Path, create: bool) -> io::Result<DiskFile>;
    /// Renames `from` over `to`.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
}

/// The real file system.
pub struct Fs;

impl Disk for Fs {
    fn open(&self, path: &Path, create: bool) -> io::Result<DiskFile> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(create)
            .open(path)?;
        Ok(Box::new(file))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }
}

/// The journal opened for appending, by the one writer that holds the ledger lock.
pub struct Writer<F: JournalIo = File> {
    file: F,
    path: PathBuf,
    len: u64,
}

impl Writer<File> {
    /// Creates a journal holding the header and the first record, atomically: it is staged
    /// ([`write_new`]), put in place where nothing is, and the directory is fsynced.
    pub fn create(
        path: &Path,
        ledger_id: &LedgerId,
        first_entry: &[u8],
    ) -> Result<Writer, JournalError> {
        let mut bytes = header(ledger_id).to_vec();
        bytes.extend_from_slice(&frame(first_entry)?);
        write_new(path, &bytes, Access::Shared).map_err(io_err(path))?;
        Writer::open(path, bytes.len() as u64)
    }

    /// Opens the journal for appending after its last complete record at `len`.
    pub fn open(path: &Path, len: u64) -> Result<Writer, JournalError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(io_err(path))?;
        Ok(Writer::with_io(file, path, len))
    }
}

impl Writer<DiskFile> {
    /// [`Writer::open`] through a [`Disk`].
    pub fn open_on(disk: &dyn Disk, path: &Path, len: u64) -> Result<Self, JournalError> {
        let file = disk.open(path, false).map_err(io_err(path))?;
        Ok(Writer::with_io(file, path, len))
    }
}

impl<F: JournalIo> Writer<F> {
    /// A writer over any [`JournalIo`]; `path` names the journal in errors.
    pub fn with_io(file: F, path: &Path, len: u64) -> Writer<F> {
        Writer {
            file,
            path: path.to_path_buf(),
            len,
        }
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len <= HEADER_LEN
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The I/O underneath, for a test double's record.
    pub fn io(&self) -> &F {
        &self.file
    }

    /// Cuts an unacknowledged tail so that the file ends at the last complete record.
    pub fn cut_tail(&mut self) -> Result<(), JournalError> {
        self.file.set_len(self.len).map_err(io_err(&self.path))?;
        self.file.sync().map_err(io_err(&self.path))
    }

    /// Appends one record and returns its offset once it is on disk.
    pub fn append(&mut self, entry: &[u8]) -> Result<u64, JournalError> {
        let record = frame(entry)?;
        let offset = self.len;
        let result = self
            .file
            .write_at(offset, &record)
            .and_then(|()| self.file.sync());
        if let Err(e) = result {
            // Leave no partial record behind a failed write (a full disk, say).
            let _ = self.file.set_len(offset);
            let _ = self.file.sync();
            return Err(io_err(&self.path)(e));
        }
        self.len = offset + record.len() as u64;
        Ok(offset)
    }
}

/// A file staged through a [`Disk`]: the ledger's checkpoint, whose writes and rename the
/// power-loss harness records. Like [`Staged`], its temporary file has a random name beside its
/// path (`.NAME.RANDOM.tmp`) and is created exclusively, so no planted link or file is used;
/// it is removed if dropped before [`DiskStaged::replace`].
#[derive(Debug)]
pub struct DiskStaged {
    tmp: PathBuf,
    path: PathBuf,
    placed: bool,
}

/// Writes `bytes` to a new temporary file beside `path` through `disk`, and fsyncs it.
pub fn stage_on(disk: &dyn Disk, path: &Path, bytes: &[u8]) -> io::Result<DiskStaged> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut random = [0u8; 8];
    rand::fill(&mut random);
    let tmp = folder(path).join(format!(".{name}.{}.tmp", crate::format::hash::hex(&random)));
    let mut f = disk.open(&tmp, true)?;
    let staged = DiskStaged {
        tmp,
        path: path.to_path_buf(),
        placed: false,
    };
    f.write_at(0, bytes)?;
    f.sync()?;
    Ok(staged)
}

impl DiskStaged {
    /// Renames the staged file over its path. Until the directory is fsynced, a power cut may
    /// leave the old file there, but never a mix of the two.
    pub fn replace(mut self, disk: &dyn Disk) -> io::Result<()> {
        disk.rename(&self.tmp, &self.path)?;
        self.placed = true;
        Ok(())
    }
}

impl Drop for DiskStaged {
    fn drop(&mut self) {
        if !self.placed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A journal file that records what it is asked to do.
    #[derive(Default)]
    struct Log(Vec<(&'static str, u64, Vec<u8>)>);

    impl JournalIo for Log {
        fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
            self.0.push(("write", offset, bytes.to_vec()));
            Ok(())
        }
        fn sync(&mut self) -> io::Result<()> {
            self.0.push(("sync", 0, Vec::new()));
            Ok(())
        }
        fn set_len(&mut self, len: u64) -> io::Result<()> {
            self.0.push(("set_len", len, Vec::new()));
            Ok(())
        }
    }

    #[test]
    fn an_append_writes_its_record_then_syncs_it_before_it_returns() {
        // The order is what makes a returned append durable: a sync before the write, or none,
        // acknowledges a record the disk may not hold.
        let mut w = Writer::with_io(Log::default(), Path::new("j"), HEADER_LEN);
        assert_eq!(w.append(b"one").unwrap(), HEADER_LEN);
        assert_eq!(w.append(b"two").unwrap(), HEADER_LEN + 11);
        let sync = ("sync", 0, Vec::new());
        assert_eq!(
            w.io().0,
            vec![
                ("write", HEADER_LEN, frame(b"one").unwrap()),
                sync.clone(),
                ("write", HEADER_LEN + 11, frame(b"two").unwrap()),
                sync,
            ]
        );
        assert_eq!(w.len(), HEADER_LEN + 22);
    }

    fn journal(records: &[&[u8]], tail: &[u8]) -> Vec<u8> {
        let mut out = header(&[7; 16]).to_vec();
        for r in records {
            out.extend_from_slice(&frame(r).unwrap());
        }
        out.extend_from_slice(tail);
        out
    }

    fn read_all(bytes: &[u8]) -> (Vec<Vec<u8>>, End) {
        let mut input = bytes;
        read_header(&mut input, Path::new("j")).unwrap();
        let mut r = Reader::new(input, HEADER_LEN);
        let mut out = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            out.push(rec.bytes);
        }
        (out, r.end().unwrap().clone())
    }

    #[test]
    fn records_round_trip() {
        let (recs, end) = read_all(&journal(&[b"one", b"two"], b""));
        assert_eq!(recs, vec![b"one".to_vec(), b"two".to_vec()]);
        assert_eq!(end, End::Clean);
    }

    #[test]
    fn a_short_record_at_the_end_is_a_tail() {
        let full = frame(b"three").unwrap();
        for cut in 1..full.len() {
            let (recs, end) = read_all(&journal(&[b"one"], &full[..cut]));
            assert_eq!(recs.len(), 1);
            assert!(
                matches!(end, End::Tail { bytes, .. } if bytes == cut as u64),
                "cut {cut}: {end:?}"
            );
        }
    }

    #[test]
    fn zeros_at_the_end_are_a_tail() {
        let (recs, end) = read_all(&journal(&[b"one"], &[0; 100]));
        assert_eq!(recs.len(), 1);
        assert!(matches!(end, End::Tail { bytes: 100, .. }));
    }

    #[test]
    fn a_record_whose_last_page_is_zero_is_a_tail() {
        let mut rec = frame(b"three").unwrap();
        let n = rec.len();
        rec[n - 4..].fill(0);
        let (recs, end) = read_all(&journal(&[b"one"], &rec));
        assert_eq!(recs.len(), 1);
        assert!(matches!(end, End::Tail { .. }));
    }

    #[test]
    fn garbage_is_damage_not_a_tail() {
        let (_, end) = read_all(&journal(&[b"one"], &[0, 0, 0, 0, 1]));
        assert!(matches!(end, End::Damaged { .. }));
        let mut rec = frame(b"three").unwrap();
        rec[6] ^= 0xff; // a byte of the entry: the frame cannot tell, the audit's hashes can
        let n = rec.len();
        rec[n - 1] ^= 1; // the last byte of the trailer
        let (_, end) = read_all(&journal(&[b"one"], &rec));
        assert!(matches!(end, End::Damaged { .. }));
    }

    #[test]
    fn bad_headers_are_refused() {
        let mut bytes = journal(&[], b"");
        bytes[0] = b'X';
        assert!(matches!(
            read_header(&mut bytes.as_slice(), Path::new("j")),
            Err(JournalError::BadHeader { .. })
        ));
        let mut bytes = journal(&[], b"");
        bytes[8] = 9;
        assert!(matches!(
            read_header(&mut bytes.as_slice(), Path::new("j")),
            Err(JournalError::BadVersion { version: 9, .. })
        ));
    }
}
