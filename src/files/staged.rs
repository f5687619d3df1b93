//! Staged writes: every file custody writes is first written to a new file of a random name
//! beside its target, created exclusively (it never follows a planted link nor reuses a file),
//! fsynced, then renamed into place. Nothing here knows what the file holds.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Who may read a file written through [`Staged`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Mode 0600: the ledger's secrets, keyholder key files, sealed backups.
    Private,
    /// Mode 0644 whatever the umask: public key files, which others must read.
    Public,
    /// Mode 0666 less the umask, as any new file: drafts, exports, pages, checkpoints.
    Shared,
}

/// A file being written beside the path it is for, not yet in its place; removed if dropped
/// before [`Staged::replace`] or [`Staged::place_new`].
///
/// Every file custody writes goes through here. Its temporary name is random and is created
/// with `O_CREAT | O_EXCL`, which never follows a symlink nor opens an existing file: a link or
/// file planted beside the target (say `FILE.tmp` next to a draft, in a shared folder) is
/// neither written through nor renamed into place, and what it points at is left alone.
#[derive(Debug)]
pub struct Staged {
    file: tempfile::NamedTempFile,
    path: PathBuf,
}

impl Staged {
    /// An empty temporary file in the folder of `path`, named `.NAME.RANDOM.tmp`.
    pub fn new(path: &Path, access: Access) -> io::Result<Staged> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Room for the random part and the suffix within a 255-byte file name.
        let mut cut = name.len().min(200);
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        let prefix = format!(".{}.", &name[..cut]);
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(match access {
            Access::Private => 0o600,
            Access::Public => 0o644,
            Access::Shared => 0o666,
        }));
        let file = builder.tempfile_in(folder(path))?;
        // The umask may have cleared bits a public file needs.
        #[cfg(unix)]
        if access == Access::Public {
            file.as_file()
                .set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))?;
        }
        #[cfg(not(unix))]
        let _ = access;
        Ok(Staged {
            file,
            path: path.to_path_buf(),
        })
    }

    /// The open temporary file, to write or read back.
    pub fn file(&mut self) -> &mut File {
        self.file.as_file_mut()
    }

    /// Where the temporary file is, until it is placed.
    pub fn temp_path(&self) -> &Path {
        self.file.path()
    }

    /// Renames the staged file over its path (a link there is replaced, not followed). The
    /// caller has fsynced it; until the directory is fsynced, a power cut may leave the old file
    /// there, but never a mix of the two.
    pub fn replace(self) -> io::Result<()> {
        self.file.persist(&self.path).map(drop).map_err(|e| e.error)
    }

    /// Puts the staged file at its path only if nothing is there, not even a dangling link
    /// (`ErrorKind::AlreadyExists` then). Where the file system can neither rename without
    /// replacing nor make hard links, it checks and renames.
    pub fn place_new(self) -> io::Result<()> {
        let path = self.path;
        match self.file.persist_noclobber(&path) {
            Ok(_) => Ok(()),
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Err(e.error),
            Err(e) => {
                if fs::symlink_metadata(&path).is_ok() {
                    return Err(io::ErrorKind::AlreadyExists.into());
                }
                e.file.persist(&path).map(drop).map_err(|e| e.error)
            }
        }
    }
}

impl Write for Staged {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Writes `bytes` to a new temporary file beside `path` and fsyncs it.
pub fn stage(path: &Path, bytes: &[u8], access: Access) -> io::Result<Staged> {
    let mut staged = Staged::new(path, access)?;
    staged.write_all(bytes)?;
    staged.file().sync_all()?;
    Ok(staged)
}

/// Replaces `path` with `bytes` atomically: staged, renamed over it, and the directory fsynced.
/// A reader sees the old file or the new one, never a mix, even after a power cut.
pub fn write_atomic(path: &Path, bytes: &[u8], access: Access) -> io::Result<()> {
    stage(path, bytes, access)?.replace()?;
    sync_dir(path)
}

/// Writes `bytes` to `path`, which must not exist (`ErrorKind::AlreadyExists`): staged, put in
/// place, and the directory fsynced. Nothing is left at `path` if it fails.
pub fn write_new(path: &Path, bytes: &[u8], access: Access) -> io::Result<()> {
    stage(path, bytes, access)?.place_new()?;
    sync_dir(path)
}

/// The folder holding `path`: its parent, or `.` for a bare file name.
pub fn folder(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Fsyncs the directory holding `path`, so that a created or renamed file survives power loss.
pub fn sync_dir(path: &Path) -> io::Result<()> {
    File::open(folder(path))?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in `dir` other than `keep`.
    fn others(dir: &Path, keep: &[&str]) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !keep.contains(&n.as_str()))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_staged_file_replaces_its_path_only_when_placed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint");
        fs::write(&path, b"old").unwrap();

        // Dropped (the journal's append failed): the old file stays, nothing is left beside it.
        let staged = stage(&path, b"new", Access::Shared).unwrap();
        assert_eq!(fs::read(staged.temp_path()).unwrap(), b"new");
        assert_eq!(others(dir.path(), &["checkpoint"]).len(), 1);
        drop(staged);
        assert_eq!(others(dir.path(), &["checkpoint"]), Vec::<String>::new());
        assert_eq!(fs::read(&path).unwrap(), b"old");

        // Placed: the new file, and no temporary.
        stage(&path, b"new", Access::Shared)
            .unwrap()
            .replace()
            .unwrap();
        assert_eq!(others(dir.path(), &["checkpoint"]), Vec::<String>::new());
        assert_eq!(fs::read(&path).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn staging_never_writes_through_a_link_nor_over_an_existing_file() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, b"precious").unwrap();

        // A new file is refused where a file, a link or a dangling link is.
        let file = dir.path().join("file");
        fs::write(&file, b"there").unwrap();
        let link = dir.path().join("link");
        symlink(&victim, &link).unwrap();
        let dangling = dir.path().join("dangling");
        symlink(dir.path().join("nowhere"), &dangling).unwrap();
        for p in [&file, &link, &dangling] {
            let e = write_new(p, b"new", Access::Shared).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::AlreadyExists, "{}", p.display());
        }
        assert_eq!(fs::read(&file).unwrap(), b"there");
        assert!(!dir.path().join("nowhere").exists());

        // A replacement replaces a link at the path itself, never what it points at.
        write_atomic(&link, b"new", Access::Shared).unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().is_file());
        assert_eq!(fs::read(&link).unwrap(), b"new");
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        assert_eq!(
            others(dir.path(), &["victim", "file", "link", "dangling"]),
            Vec::<String>::new()
        );

        // Modes: private 0600, public 0644 whatever the umask.
        let private = dir.path().join("secret");
        write_new(&private, b"k", Access::Private).unwrap();
        let public = dir.path().join("id.pub");
        write_new(&public, b"p", Access::Public).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&private), 0o600);
        assert_eq!(mode(&public), 0o644);
    }
}
