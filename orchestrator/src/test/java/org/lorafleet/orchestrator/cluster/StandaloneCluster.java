package org.lorafleet.orchestrator.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Spark standalone cluster on loopback made of real processes, as docs/cluster.md starts one: a
 * Master and {@code workers} Workers (1 core, 3 GB each) on the Spark runtime's jars. Starting blocks
 * until every Worker registered; closing ends them and the executors they started.
 */
final class StandaloneCluster implements AutoCloseable {

  final String masterUrl;
  final List<ChildProcess> workers;
  private final ChildProcess master;

  private StandaloneCluster(String masterUrl, ChildProcess master, List<ChildProcess> workers) {
    this.masterUrl = masterUrl;
    this.master = master;
    this.workers = workers;
  }

  static StandaloneCluster start(Path dir, int workers) throws IOException {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Map<String, String> env = new HashMap<>(ClusterFixtures.sparkEnv(conf));
    // What Spark's sbin/ scripts export (load-spark-env.sh); the Worker needs it to build executor commands.
    env.put("SPARK_SCALA_VERSION", "2.13");
    int port = ClusterFixtures.freePort();
    String url = "spark://127.0.0.1:" + port;
    ChildProcess master = ChildProcess.start("Spark master", ClusterFixtures.sparkJvm("512m",
        "org.apache.spark.deploy.master.Master", List.of(), List.of("--host", "127.0.0.1", "--port",
            String.valueOf(port), "--webui-port", "0")), env, dir, dir.resolve("master.log"));
    List<ChildProcess> ws = new ArrayList<>();
    StandaloneCluster cluster = new StandaloneCluster(url, master, ws);
    try {
      master.awaitLog("I have been elected leader", Duration.ofMinutes(1));
      for (int i = 0; i < workers; i++) {
        Path work = Files.createDirectories(dir.resolve("worker-" + i));
        ws.add(ChildProcess.start("Spark worker " + i, ClusterFixtures.sparkJvm("512m",
            "org.apache.spark.deploy.worker.Worker", List.of(), List.of("--host", "127.0.0.1", "--cores", "1",
                "--memory", "3g", "--work-dir", work.toString(), "--webui-port", "0", url)),
            env, work, dir.resolve("worker-" + i + ".log")));
      }
      for (ChildProcess w : ws) {
        w.awaitLog("Successfully registered with master", Duration.ofMinutes(1));
      }
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** The executor JVMs the Workers run now (children of the Worker processes). */
  List<ProcessHandle> executors() {
    List<ProcessHandle> out = new ArrayList<>();
    for (ChildProcess w : workers) {
      ProcessHandle.of(w.pid()).ifPresent(h -> h.descendants()
          .filter(d -> d.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
          .forEach(out::add));
    }
    return out;
  }

  @Override
  public void close() {
    workers.forEach(ChildProcess::close);
    master.close();
  }
}
