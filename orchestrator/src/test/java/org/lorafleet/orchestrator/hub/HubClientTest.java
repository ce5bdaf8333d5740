package org.lorafleet.orchestrator.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.trainer.testsupport.SharedModels;

/** {@link HubClient} against {@link FakeHub} serving the real stories260K folder. */
class HubClientTest {

  private static final String REPO = "lorafleet-test/stories260K";
  /** What a run needs of stories260K (its LICENSE and README.md are left on the Hub). */
  private static final List<String> NEEDED = List.of("config.json", "generation_config.json", "model.safetensors",
      "tokenizer.json", "tokenizer_config.json");

  @TempDir
  Path tmp;

  private Path source;
  private FakeHub hub;
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private final PrintStream progress = new PrintStream(log, true, StandardCharsets.UTF_8);

  @BeforeEach
  void start() {
    source = SharedModels.model("stories260K");
    for (String f : NEEDED) {
      assertTrue(Files.isRegularFile(source.resolve(f)), "the test model " + source + " lacks " + f);
    }
    hub = new FakeHub().addRepo(REPO, source);
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private HubClient client(String... extra) {
    Map<String, String> env = new HashMap<>();
    env.put("HF_ENDPOINT", hub.endpoint() + "/");
    env.put("HF_HOME", tmp.resolve("hf-home").toString()); // no token file of the machine's user
    env.put("HF_HUB_CACHE", tmp.resolve("cache").toString());
    for (int i = 0; i < extra.length; i += 2) {
      env.put(extra[i], extra[i + 1]);
    }
    return new HubClient(HubEnvironment.fromEnv(env));
  }

  private HubSnapshot download(HubClient client) {
    return client.snapshot(HubModelId.parse("hf://" + REPO), progress);
  }

  private Path repoDir() {
    return tmp.resolve("cache").resolve("models--lorafleet-test--stories260K");
  }

  @Test
  void downloadBuildsTheHuggingFaceCacheLayout() throws IOException {
    HubSnapshot snap = download(client());

    assertEquals(FakeHub.COMMIT, snap.commit());
    assertEquals(REPO, snap.repo());
    assertEquals("main", snap.revision());
    assertEquals(repoDir().resolve("snapshots").resolve(FakeHub.COMMIT), snap.dir());
    assertEquals(FakeHub.COMMIT, Files.readString(repoDir().resolve("refs/main")));
    for (String f : NEEDED) {
      Path link = snap.dir().resolve(f);
      String etag = FakeHub.etag(f, Files.readAllBytes(source.resolve(f)));
      assertTrue(Files.isSymbolicLink(link), f + " should be a symlink into blobs/");
      assertEquals(Path.of("../../blobs/" + etag), Files.readSymbolicLink(link));
      assertTrue(Files.isRegularFile(repoDir().resolve("blobs").resolve(etag)));
      assertArrayEquals(Files.readAllBytes(source.resolve(f)), Files.readAllBytes(link), f + " differs");
    }
    assertEquals(64, FakeHub.etag("model.safetensors", new byte[0]).length(), "LFS blobs are named by sha256");
    assertFalse(Files.exists(snap.dir().resolve("README.md")), "files a run does not need are not fetched");
    try (Stream<Path> blobs = Files.list(repoDir().resolve("blobs"))) {
      assertEquals(NEEDED.size(), blobs.filter(p -> !p.toString().endsWith(".incomplete")).count());
    }
    String out = log.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("model.safetensors") && out.contains("MB/s") && out.contains("ETA"), out);
  }

  @Test
  void aSecondCallDownloadsNothing() {
    HubClient client = client();
    download(client);
    hub.resetCounts();
    HubSnapshot again = download(client);
    assertEquals(FakeHub.COMMIT, again.commit());
    assertEquals(1, hub.apiRequests.get(), "only the revision is resolved again");
    assertEquals(0, hub.resolveRequests.get());
    assertEquals(0, hub.blobRequests.get());
  }

  @Test
  void offlineUsesTheCacheWithoutAnyRequest() throws IOException {
    HubSnapshot online = download(client());
    hub.resetCounts();
    HubSnapshot offline = client("HF_HUB_OFFLINE", "1").snapshot(HubModelId.parse(REPO), progress);
    assertEquals(0, hub.totalRequests());
    assertEquals(online, offline);
    assertArrayEquals(Files.readAllBytes(source.resolve("model.safetensors")),
        Files.readAllBytes(offline.dir().resolve("model.safetensors")));
    // a commit sha with a snapshot needs no ref
    HubSnapshot byCommit = client("HF_HUB_OFFLINE", "true")
        .snapshot(HubModelId.parse(REPO + "@" + FakeHub.COMMIT), progress);
    assertEquals(online.dir(), byCommit.dir());
  }

  @Test
  void offlineWithAnEmptyCacheFailsClearly() {
    HubException e = assertThrows(HubException.class,
        () -> client("HF_HUB_OFFLINE", "yes").snapshot(HubModelId.parse(REPO), progress));
    assertTrue(e.getMessage().contains("is not in the cache at " + repoDir())
        && e.getMessage().contains("HF_HUB_OFFLINE is set"), e.getMessage());
    assertEquals(0, hub.totalRequests());
  }

  @Test
  void aGatedRepoNeedsTheToken() {
    hub.gate("hf_secret");
    HubException none = assertThrows(HubException.class, () -> download(client()));
    assertTrue(none.getMessage().contains("gated or private") && none.getMessage().contains("HF_TOKEN"),
        none.getMessage());
    HubException wrong = assertThrows(HubException.class, () -> download(client("HF_TOKEN", "hf_wrong")));
    assertTrue(wrong.getMessage().contains("the token was refused"), wrong.getMessage());

    HubSnapshot snap = download(client("HF_TOKEN", "hf_secret"));
    assertTrue(Files.isRegularFile(snap.dir().resolve("model.safetensors")));
  }

  @Test
  void theTokenFileOfHfHomeIsUsed() throws IOException {
    hub.gate("hf_from_file");
    Files.createDirectories(tmp.resolve("hf-home"));
    Files.writeString(tmp.resolve("hf-home/token"), "hf_from_file\n");
    assertTrue(Files.isRegularFile(download(client()).dir().resolve("config.json")));
  }

  @Test
  void anUnknownRepoIsA404WithTheEndpoint() {
    HubException e = assertThrows(HubException.class,
        () -> client().snapshot(HubModelId.parse("nobody/missing"), progress));
    assertTrue(e.getMessage().contains("no model nobody/missing (or revision main) on " + hub.endpoint()),
        e.getMessage());
    HubException rev = assertThrows(HubException.class,
        () -> client().snapshot(HubModelId.parse(REPO + "@v9"), progress));
    assertTrue(rev.getMessage().contains("revision v9"), rev.getMessage());
  }

  @Test
  void anUnreachableHubNamesTheEndpoint() {
    String endpoint = hub.endpoint();
    hub.close();
    HubException e = assertThrows(HubException.class, () -> download(client("HF_ENDPOINT", endpoint)));
    assertTrue(e.getMessage().contains("Could not reach") && e.getMessage().contains(endpoint), e.getMessage());
  }

  @Test
  void corruptedBytesAreRejectedAndLeaveNothingBehind() throws IOException {
    String sha = FakeHub.etag("model.safetensors", Files.readAllBytes(source.resolve("model.safetensors")));
    hub.corrupt("model.safetensors");
    HubException e = assertThrows(HubException.class, () -> download(client()));
    assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains(sha)
        && e.getMessage().contains("SHA-256 is "), e.getMessage());
    assertFalse(Files.exists(repoDir().resolve("blobs").resolve(sha)));
    assertFalse(Files.exists(repoDir().resolve("blobs").resolve(sha + ".incomplete")));
    assertFalse(Files.exists(repoDir().resolve("snapshots").resolve(FakeHub.COMMIT).resolve("model.safetensors"),
        java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(repoDir().resolve("refs/main")), "a failed download records no ref");

    hub.corrupt(null);
    hub.resetCounts();
    HubSnapshot snap = download(client());
    assertTrue(hub.blobRequests.get() > 0, "the retry downloads the file anew");
    assertArrayEquals(Files.readAllBytes(source.resolve("model.safetensors")),
        Files.readAllBytes(snap.dir().resolve("model.safetensors")));
  }

  @Test
  void aCutDownloadResumesWithARangeRequest() throws IOException {
    hub.cutOnce("model.safetensors", 300_000);
    HubSnapshot snap = download(client());
    // the client resumes from what reached it: up to the 300,000 bytes sent before the connection dropped
    // (a reset may discard the last of them in flight)
    assertEquals(1, hub.ranges.size(), "ranges asked: " + hub.ranges);
    long from = Long.parseLong(hub.ranges.get(0).replaceAll("bytes=(\\d+)-", "$1"));
    assertTrue(from > 0 && from <= 300_000, "ranges asked: " + hub.ranges);
    assertArrayEquals(Files.readAllBytes(source.resolve("model.safetensors")),
        Files.readAllBytes(snap.dir().resolve("model.safetensors")));
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("resuming"), log.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aPartialFileOfAnEarlierRunIsResumed() throws IOException {
    byte[] weights = Files.readAllBytes(source.resolve("model.safetensors"));
    String sha = FakeHub.etag("model.safetensors", weights);
    Path part = repoDir().resolve("blobs").resolve(sha + ".incomplete");
    Files.createDirectories(part.getParent());
    Files.write(part, Arrays.copyOf(weights, 1000));
    HubSnapshot snap = download(client());
    assertEquals(List.of("bytes=1000-"), hub.ranges);
    assertArrayEquals(weights, Files.readAllBytes(snap.dir().resolve("model.safetensors")));
    assertFalse(Files.exists(part));
  }

  @Test
  void shardedWeightsFollowTheIndexAndNestedNamesGetDeeperLinks() throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("config.json", "{\"model_type\":\"llama\"}".getBytes(StandardCharsets.UTF_8));
    files.put("model.safetensors.index.json", ("{\"metadata\":{},\"weight_map\":{\"a\":\"model-00001-of-00002"
        + ".safetensors\",\"b\":\"parts/model-00002-of-00002.safetensors\",\"c\":\"model-00001-of-00002.safetensors\"}}")
        .getBytes(StandardCharsets.UTF_8));
    files.put("model-00001-of-00002.safetensors", new byte[] {1, 2, 3});
    files.put("parts/model-00002-of-00002.safetensors", new byte[] {4, 5, 6, 7});
    files.put("pytorch_model.bin", new byte[] {9});
    hub.addRepo("org/sharded", files);
    HubSnapshot snap = client().snapshot(HubModelId.parse("org/sharded"), progress);
    Path nested = snap.dir().resolve("parts/model-00002-of-00002.safetensors");
    assertEquals(Path.of("../../../blobs/" + FakeHub.etag("parts/x.safetensors", new byte[] {4, 5, 6, 7})),
        Files.readSymbolicLink(nested));
    assertArrayEquals(new byte[] {4, 5, 6, 7}, Files.readAllBytes(nested));
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(snap.dir().resolve("model-00001-of-00002.safetensors")));
    assertFalse(Files.exists(snap.dir().resolve("pytorch_model.bin")));
  }

  @Test
  void onlySafetensorsWeightsAreAccepted() {
    HubException e = assertThrows(HubException.class,
        () -> HubClient.neededFiles("org/old", Set.of("config.json", "pytorch_model.bin")));
    assertTrue(e.getMessage().contains("only safetensors weights are supported; the repo lists pytorch_model.bin"),
        e.getMessage());
    hub.addRepo("org/old", Map.of("config.json", new byte[] {'{', '}'}, "pytorch_model.bin", new byte[] {1}));
    HubException served = assertThrows(HubException.class,
        () -> client().snapshot(HubModelId.parse("org/old"), progress));
    assertTrue(served.getMessage().contains("only safetensors"), served.getMessage());
    assertEquals(0, hub.resolveRequests.get());
  }

  @Test
  void hubIdsAreParsedAndLocalFoldersWin() {
    assertEquals(new HubModelId("org/name", "v1.0"), HubModelId.parse("hf://org/name@v1.0"));
    assertEquals(new HubModelId("org/name", "main"), HubModelId.parse("hf://org/name"));
    assertEquals(new HubModelId("Org-1/na_me.2", "main"), HubModelId.parse("Org-1/na_me.2"));
    assertEquals(new HubModelId("org/name", "refs/pr/1"), HubModelId.parse("org/name@refs/pr/1"));
    assertEquals("hf://org/name@main", HubModelId.parse("org/name").uri());

    assertTrue(HubModelId.looksLikeHubId("hf://org/name@v1"));
    assertTrue(HubModelId.looksLikeHubId("org/name"));
    assertTrue(HubModelId.looksLikeHubId("org/name@main"));
    assertFalse(HubModelId.looksLikeHubId("src/test"), "an existing local folder (relative to the module) wins");
    assertFalse(HubModelId.looksLikeHubId(tmp.toString()));
    assertFalse(HubModelId.looksLikeHubId("models/llama/7b"));
    assertFalse(HubModelId.looksLikeHubId("hdfs://nn/models/x"));
    assertFalse(HubModelId.looksLikeHubId("./org/name"));
    assertFalse(HubModelId.looksLikeHubId("name"));
    assertFalse(HubModelId.looksLikeHubId(""));

    for (String bad : List.of("hf://", "name", "a/b/c", "org/na me", "org/name@", "org/-name", "org/na--me",
        "org/../x", "/name", "hf://org/name@bad rev", "org/name@../x")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HubModelId.parse(bad), bad);
      assertTrue(e.getMessage().contains(bad.isEmpty() ? "empty" : "'" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void theEnvironmentFollowsHuggingfaceHub() {
    HubEnvironment defaults = HubEnvironment.fromEnv(Map.of("HF_HOME", tmp.toString()));
    assertEquals("https://huggingface.co", defaults.endpoint());
    assertNull(defaults.token());
    assertFalse(defaults.offline());
    assertEquals(tmp.resolve("hub"), defaults.cacheDir());

    HubEnvironment set = HubEnvironment.fromEnv(Map.of("HF_ENDPOINT", "https://mirror.example//", "HF_TOKEN", "hf_x",
        "HF_HUB_OFFLINE", "ON", "HF_HUB_CACHE", tmp.resolve("c").toString(), "HF_HOME", tmp.toString()));
    assertEquals("https://mirror.example", set.endpoint());
    assertEquals("hf_x", set.token());
    assertTrue(set.offline());
    assertEquals(tmp.resolve("c"), set.cacheDir());
    assertFalse(set.toString().contains("hf_x"), "the token is never printed");
    assertFalse(HubEnvironment.fromEnv(Map.of("HF_HOME", tmp.toString(), "HF_HUB_OFFLINE", "0")).offline());
  }
}
