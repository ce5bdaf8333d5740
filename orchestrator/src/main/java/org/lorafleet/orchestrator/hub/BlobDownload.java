package org.lorafleet.orchestrator.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One file's download into a partial file of the cache: resumed with {@code Range} from what an earlier run
 * left, retried from where a broken transfer stopped, then checked for size and (LFS files) SHA-256; a
 * file that fails a check is deleted, never used. Blocks until done.
 */
final class BlobDownload {

  private static final int ATTEMPTS = 3;

  private final HubHttp hub;

  BlobDownload(HubHttp hub) {
    this.hub = hub;
  }

  /**
   * Downloads {@code source} into {@code part}, resuming what an earlier run left there and retrying a broken
   * transfer from where it stopped (up to ATTEMPTS times); then checks the size and, for LFS files, the sha256.
   */
  void download(HubModelId id, String file, URI source, Path part, long size, String sha256,
      PrintStream out) {
    DownloadProgress progress = new DownloadProgress(out, file, size);
    try {
      Files.createDirectories(part.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("Could not create the cache folder " + part.getParent() + ".", e);
    }
    MessageDigest digest = null; // of the first `hashed` bytes of part
    long hashed = 0;
    Exception broken = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      long have = sizeOf(part);
      if (size >= 0 && have >= size) {
        if (have == size) {
          broken = null;
          break; // a run that got every byte was stopped before the rename
        }
        delete(part);
        have = 0;
      }
      try {
        HubHttp.Exchange<InputStream> r = hub.call("GET", source, have > 0 ? "bytes=" + have + "-" : null,
            HttpResponse.BodyHandlers.ofInputStream(), true, id);
        int status = r.last().statusCode();
        // 206 continues at `have` (Content-Range "bytes <have>-<end>/<total>"); 200 is the whole file again;
        // 416 means the partial file is longer than the blob: it is not ours, so start over.
        boolean append = status == 206 && have > 0
            && r.last().headers().firstValue("Content-Range").orElse("").startsWith("bytes " + have + "-");
        if (status == 416 || (status == 206 && !append)) {
          HubHttp.closeQuietly(r.last().body());
          delete(part);
          digest = null;
          continue;
        }
        if (status != 200 && status != 206) {
          HubHttp.closeQuietly(r.last().body());
          throw hub.failure(r.last(), id, file);
        }
        if (!append) {
          have = 0;
        }
        if (digest == null || hashed != have) {
          digest = hashPrefix(part, have);
          hashed = have;
        }
        progress.begin(have);
        // Only errors reading the body are retried; a local write error (disk full) is not the network's.
        try (InputStream in = r.last().body(); OutputStream os = openPart(part, append)) {
          byte[] buf = new byte[1 << 16];
          for (int n; (n = in.read(buf)) >= 0; ) {
            writePart(os, buf, n, part);
            digest.update(buf, 0, n);
            hashed += n;
            have += n;
            progress.update(have);
          }
        }
        if (size >= 0 && have < size) {
          throw new IOException("the connection closed after " + have + " of " + size + " bytes");
        }
        progress.end(have);
        broken = null;
        break;
      } catch (HubException e) {
        if (!(e.getCause() instanceof IOException)) {
          throw e; // an HTTP error answer: trying again will not help
        }
        broken = e;
        progress.broken(sizeOf(part), e, attempt < ATTEMPTS);
      } catch (IOException e) {
        broken = e;
        progress.broken(sizeOf(part), e, attempt < ATTEMPTS);
      }
    }
    long got = sizeOf(part);
    if (broken != null) {
      throw new HubException("Downloading " + file + " of " + id + " from " + hub.endpointName() + " failed " + ATTEMPTS
          + " times (" + describe(broken) + "); run again to resume from the " + got + " bytes kept in " + part
          + ".", broken);
    }
    if (size >= 0 && got != size) {
      delete(part);
      throw new HubException("The download of " + file + " of " + id + " has " + got + " bytes but the Hub said "
          + size + "; it was deleted, run again.");
    }
    if (sha256 != null) {
      if (digest == null || hashed != got) {
        digest = hashPrefix(part, got);
      }
      String actual = HexFormat.of().formatHex(digest.digest());
      if (!actual.equals(sha256)) {
        delete(part);
        throw new HubException("The download of " + file + " of " + id + " is corrupt: its SHA-256 is " + actual
            + " but the Hub gives " + sha256 + " (X-Linked-Etag); the partial file was deleted, run again to"
            + " download it anew.");
      }
    }
  }

  /** A SHA-256 fed with the first {@code length} bytes of {@code file}. */
  private static MessageDigest hashPrefix(Path file, long length) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("This JVM has no SHA-256.", e);
    }
    if (length == 0) {
      return digest;
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      long left = length;
      for (int n; left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0; left -= n) {
        digest.update(buf, 0, n);
      }
      return digest;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the partial download " + file + ".", e);
    }
  }

  private static OutputStream openPart(Path part, boolean append) {
    try {
      return Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not open " + part + " for writing.", e);
    }
  }

  private static void writePart(OutputStream os, byte[] buf, int n, Path part) {
    try {
      os.write(buf, 0, n);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write to " + part + ".", e);
    }
  }

  static String describe(Exception e) {
    Throwable t = e instanceof HubException && e.getCause() != null ? e.getCause() : e;
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  private static long sizeOf(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the size of " + file + ".", e);
    }
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not delete " + file + ".", e);
    }
  }

}
