package org.lorafleet.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lorafleet.orchestrator.cli.Outcome.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.orchestrator.hub.FakeHub;
import org.lorafleet.trainer.testsupport.SharedModels;

/**
 * {@code model.path} by Hub id through the public CLI, against a Hub on loopback serving stories260K: train
 * downloads into the huggingface_hub cache layout and records the commit; generate then runs offline from
 * the cache with no request; offline with an empty cache fails with a message saying what to do. The Hub
 * settings go in as system properties, which override the environment as {@code -DHF_ENDPOINT=…} would.
 */
class HubModelCliTest {

  private static final String REPO_ID = "lorafleet-test/stories260K";
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final String[] PROPERTIES = {"HF_ENDPOINT", "HF_HOME", "HF_HUB_CACHE", "HF_HUB_OFFLINE", "HF_TOKEN"};
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;
  private FakeHub hub;
  private final Map<String, String> saved = new HashMap<>();

  @BeforeEach
  void start() {
    hub = new FakeHub().addRepo(REPO_ID, SharedModels.model("stories260K"));
    for (String p : PROPERTIES) {
      saved.put(p, System.getProperty(p));
    }
    System.setProperty("HF_ENDPOINT", hub.endpoint());
    System.setProperty("HF_HOME", tmp.resolve("hf-home").toString()); // no token of the machine's user
    System.setProperty("HF_HUB_CACHE", tmp.resolve("cache").toString());
    System.clearProperty("HF_HUB_OFFLINE");
    System.clearProperty("HF_TOKEN");
  }

  @AfterEach
  void stop() {
    hub.close();
    saved.forEach((k, v) -> {
      if (v == null) {
        System.clearProperty(k);
      } else {
        System.setProperty(k, v);
      }
    });
  }

  @Test
  void trainByHubIdThenGenerateOfflineFromTheCache() throws IOException {
    Path out = tmp.resolve("out");
    Outcome train = run("train", "-c", REPO.resolve("configs/real-model.yaml").toString(),
        "--set", "model.path=" + REPO_ID, "--set", "output.dir=" + out, "--set", "train.max_steps=3",
        "--set", "train.eval_every=0", "--set", "train.warmup_steps=0", "--set", "train.lr=4e-3",
        "--set", "distributed.workers=1",
        "--set", "checkpoint.every_steps=0", "--set", "spark.master=local[2]",
        "--set", "data.train=" + REPO.resolve("examples/data/debian-descriptions/train.jsonl"),
        "--set", "data.eval=" + REPO.resolve("examples/data/debian-descriptions/eval.jsonl"));
    assertEquals(0, train.code(), train.err() + train.out());

    Path snapshot = tmp.resolve("cache/models--lorafleet-test--stories260K/snapshots/" + FakeHub.COMMIT);
    assertTrue(Files.isSymbolicLink(snapshot.resolve("model.safetensors")), "huggingface_hub's layout: links to blobs");
    assertEquals(FakeHub.COMMIT, Files.readString(tmp.resolve("cache/models--lorafleet-test--stories260K/refs/main"))
        .trim());

    JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
    assertEquals(FakeHub.COMMIT, summary.path("model").path("commit").asText(), summary.toPrettyString());
    assertEquals(REPO_ID, summary.path("model").path("hub_id").asText());
    assertEquals(3, summary.get("steps").asInt());
    JsonNode adapterConfig = JSON.readTree(out.resolve("adapter/adapter_config.json").toFile());
    assertEquals(REPO_ID, adapterConfig.get("base_model_name_or_path").asText(), "PEFT loads the base by its Hub id");
    assertTrue(Files.readString(out.resolve("config.yaml")).contains(REPO_ID), "config.yaml keeps the Hub id");

    // Offline: the cache serves generate without a single request to the Hub.
    System.setProperty("HF_HUB_OFFLINE", "1");
    int before = hub.totalRequests();
    Outcome gen = run("generate", "--model", REPO_ID, "--prompt", "Once upon a time", "--max-new-tokens", "8");
    assertEquals(0, gen.code(), gen.err());
    assertTrue(gen.out().contains("Once upon a time"), gen.out());
    assertEquals(before, hub.totalRequests(), "no request while HF_HUB_OFFLINE is set");

    // Offline with nothing cached: a clear error naming the cache and the way out.
    System.setProperty("HF_HUB_CACHE", tmp.resolve("empty-cache").toString());
    Outcome missing = run("generate", "--model", REPO_ID, "--prompt", "x", "--max-new-tokens", "1");
    assertNotEquals(0, missing.code());
    assertTrue(missing.err().contains("not in the cache") && missing.err().contains("HF_HUB_OFFLINE"), missing.err());
    assertTrue(!missing.err().contains("\tat "), "no stack trace:\n" + missing.err());
  }
}
