package org.lorafleet.orchestrator.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * The {@code huggingface_hub} cache layout, shared with Python tools:
 * <pre>
 * &lt;cache&gt;/models--&lt;org&gt;--&lt;name&gt;/
 *   blobs/&lt;etag&gt;                  file contents, named by the Hub's ETag (sha256 for LFS files, git sha1 otherwise)
 *   snapshots/&lt;commit&gt;/&lt;file&gt;     relative symlinks ../../blobs/&lt;etag&gt; (one more ".." per folder in the name)
 *   refs/&lt;revision&gt;              the commit a branch or tag pointed to when last fetched
 * &lt;cache&gt;/.locks/models--&lt;org&gt;--&lt;name&gt;/&lt;etag&gt;.lock
 * </pre>
 * Downloads go to {@code blobs/<etag>.incomplete} first, which is also what a resumed download appends to.
 * Where the file system has no symlinks, snapshot files are copies of the blobs.
 */
public final class HubCache {

  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
  /** ETags become file names: the Hub's are hex digests; refuse anything that could leave blobs/. */
  private static final Pattern ETAG = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
  /** In-JVM side of the blob locks: a JVM may not take the same FileLock twice. */
  private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path root;

  public HubCache(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /** {@code <cache>/models--org--name}. */
  public Path repoDir(String repo) {
    return root.resolve(folderName(repo));
  }

  /** The commit {@code refs/<revision>} records, if any. */
  public Optional<String> readRef(String repo, String revision) {
    Path ref = repoDir(repo).resolve("refs").resolve(revision);
    if (!Files.isRegularFile(ref)) {
      return Optional.empty();
    }
    try {
      String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
      return commit.isEmpty() ? Optional.empty() : Optional.of(commit);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the cache ref " + ref + ".", e);
    }
  }

  /**
   * The commit {@code revision} stands for without asking the Hub: its ref, else the revision itself when
   * it is a commit sha with a snapshot folder.
   */
  public Optional<String> resolveOffline(String repo, String revision) {
    Optional<String> ref = readRef(repo, revision);
    if (ref.isPresent()) {
      return ref;
    }
    if (COMMIT.matcher(revision).matches() && Files.isDirectory(snapshotDir(repo, revision))) {
      return Optional.of(revision);
    }
    return Optional.empty();
  }

  /** {@code snapshots/<commit>} of the repo (which may not exist yet). */
  public Path snapshotDir(String repo, String commit) {
    return repoDir(repo).resolve("snapshots").resolve(commit);
  }

  /** Whether {@code filename} of the commit is in its snapshot (a dangling link does not count). */
  public boolean hasFile(String repo, String commit, String filename) {
    return Files.isRegularFile(snapshotFile(repo, commit, filename));
  }

  /** The path of {@code filename} (which may hold '/') in the commit's snapshot; refuses names escaping it. */
  public Path snapshotFile(String repo, String commit, String filename) {
    Path dir = snapshotDir(repo, commit);
    if (filename.isEmpty() || filename.startsWith("/") || filename.contains("\\")
        || Path.of(filename).isAbsolute()) {
      throw new HubException("The repo " + repo + " lists a file name '" + filename + "' that is not a relative path.");
    }
    for (String segment : filename.split("/")) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new HubException("The repo " + repo + " lists a file name '" + filename + "' with an empty, '.' or"
            + " '..' part; it is not stored.");
      }
    }
    return dir.resolve(filename);
  }

  /** Records that {@code revision} pointed to {@code commit} (nothing to record when the revision is the commit). */
  public void writeRef(String repo, String revision, String commit) {
    if (revision.equals(commit)) {
      return;
    }
    Path ref = repoDir(repo).resolve("refs").resolve(revision);
    try {
      Files.createDirectories(ref.getParent());
      Path tmp = Files.createTempFile(ref.getParent(), ".ref", ".tmp");
      Files.writeString(tmp, commit, StandardCharsets.UTF_8);
      Files.move(tmp, ref, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write the cache ref " + ref + ".", e);
    }
  }

  /** {@code blobs/<etag>}. */
  public Path blob(String repo, String etag) {
    if (etag == null || !ETAG.matcher(etag).matches()) {
      throw new HubException("The Hub sent the ETag '" + etag + "' for a file of " + repo
          + ", which cannot name a file in the cache.");
    }
    return repoDir(repo).resolve("blobs").resolve(etag);
  }

  /** {@code blobs/<etag>.incomplete}, where a download in progress (or interrupted) is written. */
  public Path incomplete(String repo, String etag) {
    return blob(repo, etag).resolveSibling(etag + ".incomplete");
  }

  /** Moves a finished download into place as {@code blobs/<etag>}, replacing any older copy. */
  public Path placeBlob(String repo, String etag, Path downloaded) {
    Path blob = blob(repo, etag);
    try {
      Files.createDirectories(blob.getParent());
      Files.move(downloaded, blob, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return blob;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not move " + downloaded + " to " + blob + ".", e);
    }
  }

  /**
   * Makes {@code snapshots/<commit>/<filename>} point at {@code blobs/<etag>}: a relative symlink as
   * huggingface_hub makes (so the cache can be moved), or a copy where symlinks cannot be made.
   */
  public Path link(String repo, String commit, String filename, String etag) {
    Path blob = blob(repo, etag);
    Path file = snapshotFile(repo, commit, filename);
    try {
      Files.createDirectories(file.getParent());
      Files.deleteIfExists(file);
      try {
        Files.createSymbolicLink(file, file.getParent().relativize(blob));
      } catch (UnsupportedOperationException | IOException noSymlinks) {
        Files.deleteIfExists(file);
        Files.copy(blob, file, StandardCopyOption.REPLACE_EXISTING);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not place " + filename + " in the snapshot " + file.getParent() + ".", e);
    }
  }

  /**
   * Holds the lock of one blob while it is downloaded, against other threads of this JVM and other
   * processes (a Java FileLock; Python's filelock uses flock, which does not see it).
   */
  public BlobLock lock(String repo, String etag) {
    blob(repo, etag); // checks the etag
    Path lockFile = root.resolve(".locks").resolve(folderName(repo)).resolve(etag + ".lock");
    ReentrantLock jvm = JVM_LOCKS.computeIfAbsent(lockFile, p -> new ReentrantLock());
    jvm.lock();
    try {
      Files.createDirectories(lockFile.getParent());
      FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        return new BlobLock(jvm, channel, channel.lock());
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException e) {
      jvm.unlock();
      throw new UncheckedIOException("Could not lock " + lockFile + ".", e);
    } catch (RuntimeException e) {
      jvm.unlock();
      throw e;
    }
  }

  /** A held blob lock; closing releases it. */
  public static final class BlobLock implements AutoCloseable {
    private final ReentrantLock jvm;
    private final FileChannel channel;
    private final FileLock fileLock;

    private BlobLock(ReentrantLock jvm, FileChannel channel, FileLock fileLock) {
      this.jvm = jvm;
      this.channel = channel;
      this.fileLock = fileLock;
    }

    @Override
    public void close() {
      try {
        fileLock.release();
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException("Could not release a Hub cache lock.", e);
      } finally {
        jvm.unlock();
      }
    }
  }

  private static String folderName(String repo) {
    return "models--" + repo.replace("/", "--");
  }
}
