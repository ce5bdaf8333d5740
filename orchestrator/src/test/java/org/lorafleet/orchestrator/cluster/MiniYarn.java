package org.lorafleet.orchestrator.cluster;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * A real HDFS (MiniDFSCluster, one DataNode) and YARN (MiniYARNCluster, one NodeManager) in this JVM, and
 * the Hadoop conf dir a submitting process points HADOOP_CONF_DIR at. Container directories and logs are
 * kept after applications end so tests can look inside them.
 */
final class MiniYarn implements AutoCloseable {

  private final MiniDFSCluster hdfs;
  private final MiniYARNCluster yarn;
  private final Path confDir;

  private MiniYarn(MiniDFSCluster hdfs, MiniYARNCluster yarn, Path confDir) {
    this.hdfs = hdfs;
    this.yarn = yarn;
    this.confDir = confDir;
  }

  static MiniYarn start(Path base) throws IOException {
    Configuration conf = new YarnConfiguration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.resolve("hdfs").toString());
    MiniDFSCluster hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    hdfs.waitActive();
    conf.set("fs.defaultFS", hdfs.getFileSystem().getUri().toString());
    conf.set("yarn.scheduler.capacity.root.queues", "default");
    conf.set("yarn.scheduler.capacity.root.default.capacity", "100");
    conf.set("yarn.scheduler.capacity.root.default.maximum-capacity", "100");
    // ND4J keeps tensors off-heap: YARN's memory checks would kill executors whose RSS exceeds the request
    // on a machine that many containers share; the tests size memoryOverhead but do not rely on the checks.
    conf.setBoolean("yarn.nodemanager.pmem-check-enabled", false);
    conf.setBoolean("yarn.nodemanager.vmem-check-enabled", false);
    conf.setInt("yarn.minicluster.yarn.nodemanager.resource.memory-mb", 8192); // MiniYARNCluster's NM: 4096 else
    conf.setInt("yarn.nodemanager.resource.cpu-vcores", 4);
    conf.setInt("yarn.scheduler.minimum-allocation-mb", 256);
    conf.setInt("yarn.scheduler.maximum-allocation-mb", 4096);
    conf.setInt("yarn.resourcemanager.am.max-attempts", 2); // jobs ask for 1 (spark.yarn.maxAppAttempts), the AM-kill test for 2
    conf.setFloat("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", 99.9f);
    conf.setInt("yarn.nodemanager.delete.debug-delay-sec", 600);
    MiniYARNCluster yarn = new MiniYARNCluster("lorafleet-yarn-it", 1, 1, 1);
    try {
      yarn.init(conf);
      yarn.start();
    } catch (RuntimeException e) {
      hdfs.shutdown();
      throw e;
    }
    System.out.println("MiniYARNCluster resources: "
        + yarn.getResourceManager().getResourceScheduler().getClusterResource());
    Path confDir = Files.createDirectories(base.resolve("hadoop-conf"));
    Configuration client = new Configuration(yarn.getConfig());
    // A test-only topology class MiniDFSCluster sets; the submitting JVM does not have it on its classpath.
    client.unset("net.topology.node.switch.mapping.impl");
    for (String file : List.of("core-site.xml", "yarn-site.xml")) {
      try (OutputStream out = Files.newOutputStream(confDir.resolve(file))) {
        client.writeXml(out);
      }
    }
    return new MiniYarn(hdfs, yarn, confDir);
  }

  FileSystem fs() throws IOException {
    return hdfs.getFileSystem();
  }

  /** hdfs://host:port/path */
  String uri(String path) throws IOException {
    return fs().makeQualified(new org.apache.hadoop.fs.Path(path)).toString();
  }

  Path confDir() {
    return confDir;
  }

  /** Every container's working directory that holds {@code relative} (kept by the debug delay). */
  List<Path> containersHolding(String relative) {
    List<Path> out = new ArrayList<>();
    for (Path c : find(yarn.getTestWorkDir().toPath(), "container_", true)) {
      try (Stream<Path> s = Files.walk(c, 4)) {
        if (s.anyMatch(p -> c.relativize(p).toString().replace('\\', '/').matches(relative))) {
          out.add(c);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** The log files (stdout, stderr) of every container, for failure messages and checks. */
  List<Path> containerLogs() {
    List<Path> logs = new ArrayList<>();
    for (Path c : find(yarn.getTestWorkDir().toPath(), "container_", false)) {
      for (String f : List.of("stdout", "stderr")) {
        if (Files.isRegularFile(c.resolve(f))) {
          logs.add(c.resolve(f));
        }
      }
    }
    return logs;
  }

  String containerLogTails(int lines) {
    StringBuilder b = new StringBuilder();
    for (Path p : containerLogs()) {
      b.append("== ").append(p).append('\n').append(ChildProcess.tail(p, lines)).append('\n');
    }
    return b.toString();
  }

  /** Directories named container_* under {@code root}: in the NM's local dirs (work dirs) or log dirs. */
  private static List<Path> find(Path root, String prefix, boolean workDirs) {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isDirectory).filter(p -> p.getFileName().toString().startsWith(prefix))
          .filter(p -> workDirs == p.toString().contains("localDir")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    yarn.stop();
    hdfs.shutdown();
  }
}
