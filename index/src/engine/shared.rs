//! The index's folder as tantivy's [`MmapDirectory`], except that the files it writes
//! atomically (`meta.json`, `.managed.json`) are readable as the process's umask says,
//! like every other file in the data folder. tantivy writes them through a temporary file
//! that is created `0600`, so a copy of the data folder could not be served by another
//! user (`serve --read-only` as the web server's user failed with `PermissionDenied`,
//! issue 22). Here the temporary file is created asking for `0666`, which the umask then
//! narrows (to `0644` under the usual `022`), before it is renamed over the old file.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

#[derive(Debug, Clone)]
pub(crate) struct SharedDirectory {
    inner: MmapDirectory,
    root: PathBuf,
}

impl SharedDirectory {
    pub(crate) fn open(dir: &Path) -> tantivy::Result<SharedDirectory> {
        Ok(SharedDirectory {
            inner: MmapDirectory::open(dir)?,
            root: dir.to_path_buf(),
        })
    }
}

/// Writes `content` to `path` through a temporary file in the same folder, synced, then
/// renamed over `path`: readers see the old file or the new one, never a part.
fn atomic_write(path: &Path, content: &[u8]) -> io::Result<()> {
    let parent = path.parent().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} has no parent folder", path.display()),
        )
    })?;
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut file = builder.tempfile_in(parent)?;
    file.write_all(content)?;
    file.flush()?;
    file.as_file_mut().sync_data()?;
    file.into_temp_path().persist(path)?;
    Ok(())
}

impl Directory for SharedDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        // Plain files: created with the umask's mode already.
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        atomic_write(&self.root.join(path), data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    /// The umask in force, read without changing it (Linux reports it in
    /// `/proc/self/status`); `None` elsewhere.
    fn umask() -> Option<u32> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("Umask:"))?;
        u32::from_str_radix(line.split_whitespace().nth(1)?, 8).ok()
    }

    #[test]
    fn atomically_written_files_are_readable_as_the_umask_says() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = SharedDirectory::open(dir.path()).expect("open");
        d.atomic_write(Path::new("meta.json"), b"{}")
            .expect("write");
        d.atomic_write(Path::new("meta.json"), b"{\"a\":1}")
            .expect("rewrite");
        assert_eq!(
            d.atomic_read(Path::new("meta.json")).expect("read"),
            b"{\"a\":1}"
        );
        let mode = std::fs::metadata(dir.path().join("meta.json"))
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        let expected = 0o666 & !umask().unwrap_or(0o022);
        assert_eq!(mode, expected, "{mode:o} against {expected:o}");
    }
}
