package org.lorafleet.orchestrator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What Spark's event log (spark.eventLog.enabled) says about a finished application: which executors ran
 * the successful tasks of the training's barrier stage, and where each executor ran.
 */
record EventLog(Map<String, String> executorHosts, List<String> barrierTaskExecutors, int barrierStages) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DAEMON = Pattern.compile("Started daemon with process name: (\\d+)@(\\S+)");

  /** Reads the only event log in {@code dir}. */
  static EventLog readOnly(Path dir) {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(Files::isRegularFile).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (files.size() != 1) {
      throw new AssertionError("Expected one Spark event log in " + dir + ", found " + files);
    }
    return read(files.get(0));
  }

  static EventLog read(Path file) {
    Map<String, String> hosts = new TreeMap<>();
    List<Integer> barrierStages = new ArrayList<>();
    List<JsonNode> taskEnds = new ArrayList<>();
    try (Stream<String> lines = Files.lines(file)) {
      for (String line : (Iterable<String>) lines::iterator) {
        JsonNode e = JSON.readTree(line);
        switch (e.path("Event").asText()) {
          case "SparkListenerExecutorAdded" ->
              hosts.put(e.path("Executor ID").asText(), e.path("Executor Info").path("Host").asText());
          case "SparkListenerStageCompleted" -> {
            JsonNode info = e.path("Stage Info");
            boolean barrier = false;
            for (JsonNode rdd : info.path("RDD Info")) {
              barrier |= rdd.path("Barrier").asBoolean(false);
            }
            if (barrier && !info.has("Failure Reason")) {
              barrierStages.add(info.path("Stage ID").asInt());
            }
          }
          case "SparkListenerTaskEnd" -> taskEnds.add(e);
          default -> { }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read Spark event log " + file + ".", e);
    }
    List<String> executors = new ArrayList<>();
    for (JsonNode t : taskEnds) {
      if (barrierStages.contains(t.path("Stage ID").asInt())
          && "Success".equals(t.path("Task End Reason").path("Reason").asText())) {
        executors.add(t.path("Task Info").path("Executor ID").asText());
      }
    }
    return new EventLog(hosts, executors, barrierStages.size());
  }

  /** The process id an executor's log reports ("Started daemon with process name: PID@host"), or -1. */
  static long executorPid(String executorLog) {
    Matcher m = DAEMON.matcher(executorLog);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }
}
