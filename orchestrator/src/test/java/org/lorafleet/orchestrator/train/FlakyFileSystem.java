package org.lorafleet.orchestrator.train;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system under the scheme {@code flaky:}, whose file creations under a checkpoint
 * step folder fail while {@link #FAILURES_LEFT} is positive: a real Hadoop {@code FileSystem} (the
 * job's code paths are the production ones) with injected I/O errors, standing in for a transient
 * HDFS fault. Register with {@code fs.flaky.impl} and {@code fs.flaky.impl.disable.cache=true}.
 */
public final class FlakyFileSystem extends RawLocalFileSystem {

  static final AtomicInteger FAILURES_LEFT = new AtomicInteger();
  static final AtomicInteger FAILED = new AtomicInteger();
  static final String MESSAGE = "injected I/O error (the data node went away)";

  @Override
  public URI getUri() {
    return URI.create("flaky:///");
  }

  @Override
  public String getScheme() {
    return "flaky";
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
      short replication, long blockSize, Progressable progress) throws IOException {
    maybeFail(f);
    return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
  }

  @Override
  public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
      Progressable progress) throws IOException {
    maybeFail(f);
    return super.create(f, overwrite, bufferSize, replication, blockSize, progress);
  }

  private static void maybeFail(Path f) throws IOException {
    if (f.toString().contains("step-") && FAILURES_LEFT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      FAILED.incrementAndGet();
      throw new IOException(MESSAGE + ": " + f);
    }
  }
}
