package org.lorafleet.orchestrator.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * A short digest of the files behind a data location (a file, a folder read recursively, or a glob,
 * on any Hadoop file system; hidden {@code _*} and {@code .*} files skipped as Spark does), so that a
 * resumed run notices that the data changed under the same path. Each file contributes its path
 * relative to the location, its size, and its bytes: all of them up to 16 MiB, else the first and
 * last 4 MiB (a sample: an edit in the middle of a large file that keeps its size goes unseen).
 * Modification times are left out, so copying the data elsewhere keeps the digest. Blocks on reads.
 */
public final class ContentDigest {

  private static final long FULL_HASH_LIMIT = 16L << 20;
  private static final int SAMPLE = 4 << 20;

  private ContentDigest() {}

  /** {@code "<n> file(s), <bytes> bytes, sha256 <first 16 hex digits>"} for {@code location}. */
  public static String of(String location, Configuration hadoop) {
    Path root = new Path(location);
    try {
      FileSystem fs = root.getFileSystem(hadoop);
      List<FileStatus> files = files(fs, root);
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      long bytes = 0;
      byte[] buf = new byte[1 << 16];
      int prefix = commonPrefix(files);
      for (FileStatus f : files) {
        String rel = f.getPath().toUri().getPath().substring(prefix);
        d.update(rel.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        d.update(java.nio.ByteBuffer.allocate(8).putLong(f.getLen()).array());
        bytes += f.getLen();
        try (FSDataInputStream in = fs.open(f.getPath())) {
          if (f.getLen() <= FULL_HASH_LIMIT) {
            feed(d, in, f.getLen(), buf);
          } else {
            feed(d, in, SAMPLE, buf);
            in.seek(f.getLen() - SAMPLE);
            feed(d, in, SAMPLE, buf);
          }
        }
      }
      return files.size() + " file(s), " + bytes + " bytes, sha256 " + HexFormat.of().formatHex(d.digest()).substring(0, 16);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the data at " + location + " to fingerprint it.", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM.", e);
    }
  }

  private static List<FileStatus> files(FileSystem fs, Path root) throws IOException {
    FileStatus[] matched = fs.globStatus(root);
    if (matched == null || matched.length == 0) {
      throw new java.io.FileNotFoundException("No file matches " + root + ".");
    }
    List<FileStatus> out = new ArrayList<>();
    for (FileStatus m : matched) {
      if (m.isFile()) {
        out.add(m);
        continue;
      }
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), true);
      while (it.hasNext()) {
        LocatedFileStatus f = it.next();
        String name = f.getPath().getName();
        if (!name.startsWith("_") && !name.startsWith(".")) {
          out.add(f);
        }
      }
    }
    out.sort(Comparator.comparing(f -> f.getPath().toString()));
    return out;
  }

  /** Length of the folder part all file paths share, so the digest does not depend on where the data lives. */
  private static int commonPrefix(List<FileStatus> files) {
    String first = files.get(0).getPath().getParent().toUri().getPath();
    int n = first.length();
    for (FileStatus f : files) {
      String p = f.getPath().toUri().getPath();
      int k = 0;
      while (k < n && k < p.length() && p.charAt(k) == first.charAt(k)) {
        k++;
      }
      n = k;
    }
    return n;
  }

  private static void feed(MessageDigest d, FSDataInputStream in, long n, byte[] buf) throws IOException {
    long left = n;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) {
        throw new java.io.EOFException("The file ended " + left + " bytes early while it was fingerprinted.");
      }
      d.update(buf, 0, r);
      left -= r;
    }
  }
}
