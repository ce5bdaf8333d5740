package org.lorafleet.orchestrator.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Fetches the files a training run needs from a Hugging Face Hub repo into the shared cache
 * ({@link HubCache}) and returns the snapshot folder, as {@code huggingface_hub.snapshot_download}
 * would with an allow-list. Protocol (as the Hub and huggingface_hub speak it):
 * <ul>
 *   <li>{@code GET /api/models/<repo>/revision/<rev>}: JSON {@code sha} (the commit) and
 *       {@code siblings[].rfilename} (the files of that commit);</li>
 *   <li>{@code HEAD /<repo>/resolve/<commit>/<file>}: metadata without the body. LFS files answer 302 to a
 *       CDN with {@code X-Linked-Etag} (the file's sha256) and {@code X-Linked-Size}; other files answer 200
 *       with {@code ETag} (git blob sha1). {@code X-Repo-Commit} names the commit. Relative redirects (renamed
 *       repos) are followed for the metadata; an absolute one is the download URL (pre-signed for GET only, so
 *       it is not HEADed);</li>
 *   <li>{@code GET} of the download URL, with {@code Range: bytes=<n>-} to resume (206 appends, 200 restarts).</li>
 * </ul>
 * The token goes only to the endpoint's own origin, never to the CDN a redirect names. Not thread-safe per
 * blob across processes that are not Java (Python's filelock is flock-based); see {@link HubCache#lock}.
 */
public final class HubClient {

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
  static final String CONFIG = "config.json";
  static final String WEIGHTS = "model.safetensors";
  static final String WEIGHTS_INDEX = "model.safetensors.index.json";
  static final List<String> OPTIONAL_FILES = List.of("generation_config.json", "tokenizer.json",
      "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model", "vocab.json", "merges.txt",
      "added_tokens.json", "chat_template.jinja");

  private final HubEnvironment env;
  private final HubCache cache;
  private final HubHttp hub;
  private final BlobDownload downloads;
  private final ObjectMapper json = new ObjectMapper();

  public HubClient(HubEnvironment env) {
    // Redirects are followed by hand: the Hub's headers are on the redirect itself, and the token must not
    // follow a redirect to another host.
    this(env, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
        .followRedirects(HttpClient.Redirect.NEVER).build());
  }

  public HubClient(HubEnvironment env, HttpClient http) {
    this.env = env;
    this.cache = new HubCache(env.cacheDir());
    this.hub = new HubHttp(env, http);
    this.downloads = new BlobDownload(hub);
  }

  public HubCache cache() {
    return cache;
  }

  /**
   * The cached snapshot of {@code id} with every file a run needs, downloading what is missing (nothing
   * when all is cached; no request at all when {@code HF_HUB_OFFLINE} is set).
   *
   * @param progress where per-file progress lines go, or null for none
   * @throws HubException if the repo, revision or a file cannot be had; the message says why and what to do
   */
  public HubSnapshot snapshot(HubModelId id, PrintStream progress) {
    PrintStream out = progress != null ? progress : new PrintStream(OutputStream.nullOutputStream());
    return env.offline() ? offline(id) : online(id, out);
  }

  private HubSnapshot offline(HubModelId id) {
    Optional<String> commit = cache.resolveOffline(id.repo(), id.revision());
    List<String> missing = new ArrayList<>();
    if (commit.isPresent()) {
      for (String f : List.of(CONFIG, WEIGHTS_INDEX)) {
        if (!f.equals(WEIGHTS_INDEX) || !cache.hasFile(id.repo(), commit.get(), WEIGHTS)) {
          if (!cache.hasFile(id.repo(), commit.get(), f)) {
            missing.add(f.equals(WEIGHTS_INDEX) ? WEIGHTS : f);
          } else if (f.equals(WEIGHTS_INDEX)) {
            shards(id, commit.get(), null).stream().filter(s -> !cache.hasFile(id.repo(), commit.get(), s))
                .forEach(missing::add);
          }
        }
      }
    }
    if (commit.isEmpty() || !missing.isEmpty()) {
      throw new HubException("Model " + id + " is not in the cache at " + cache.repoDir(id.repo())
          + " and HF_HUB_OFFLINE is set" + (commit.isEmpty() ? "" : " (snapshot " + commit.get() + " lacks "
          + String.join(", ", missing) + ")") + "; unset HF_HUB_OFFLINE to download it, or use a local folder.");
    }
    return new HubSnapshot(cache.snapshotDir(id.repo(), commit.get()), id.repo(), id.revision(), commit.get());
  }

  private HubSnapshot online(HubModelId id, PrintStream out) {
    JsonNode info = hub.getJson(hub.resolve("api/models/" + id.repo() + "/revision/" + HubHttp.encode(id.revision())), id);
    String commit = info.path("sha").asText("");
    if (!COMMIT.matcher(commit).matches()) {
      throw new HubException("The Hub at " + env.endpoint() + " gave no commit sha for " + id + " (got '" + commit
          + "').");
    }
    Set<String> listed = new LinkedHashSet<>();
    info.path("siblings").forEach(s -> listed.add(s.path("rfilename").asText()));
    List<String> files = neededFiles(id.repo(), listed);
    int fetched = 0;
    for (String f : files) {
      fetched += fetch(id, commit, f, out) ? 1 : 0;
    }
    if (files.contains(WEIGHTS_INDEX)) {
      for (String shard : shards(id, commit, listed)) {
        fetched += fetch(id, commit, shard, out) ? 1 : 0;
      }
    }
    cache.writeRef(id.repo(), id.revision(), commit);
    Path dir = cache.snapshotDir(id.repo(), commit);
    if (fetched == 0) {
      out.println(id + " (commit " + commit.substring(0, 12) + ") is already in the cache: " + dir);
    }
    return new HubSnapshot(dir, id.repo(), id.revision(), commit);
  }

  /**
   * The files a run needs out of those a commit lists: config.json, generation and tokenizer files when
   * present, and the safetensors weights (model.safetensors, which the loader prefers, else the index; its
   * shards are read from it once it is downloaded).
   */
  static List<String> neededFiles(String repo, Set<String> listed) {
    if (!listed.contains(CONFIG)) {
      throw new HubException("The repo " + repo + " lists no " + CONFIG + "; it is not a transformers model"
          + " this tool can train.");
    }
    List<String> files = new ArrayList<>(List.of(CONFIG));
    OPTIONAL_FILES.stream().filter(listed::contains).forEach(files::add);
    if (listed.contains(WEIGHTS)) {
      files.add(WEIGHTS);
    } else if (listed.contains(WEIGHTS_INDEX)) {
      files.add(WEIGHTS_INDEX);
    } else {
      List<String> other = listed.stream().filter(f -> f.matches(".*\\.(bin|pt|pth|ckpt|h5|msgpack|gguf|safetensors)"))
          .toList();
      throw new HubException("Model " + repo + ": only safetensors weights are supported; the repo lists "
          + (other.isEmpty() ? "no weights file" : String.join(", ", other))
          + " (a model.safetensors or model.safetensors.index.json is needed).");
    }
    return files;
  }

  /** The shard names the cached index's weight_map points to, checked against the listed files when given. */
  private List<String> shards(HubModelId id, String commit, Set<String> listed) {
    Path index = cache.snapshotFile(id.repo(), commit, WEIGHTS_INDEX);
    TreeSet<String> shards = new TreeSet<>();
    try {
      json.readTree(index.toFile()).path("weight_map").forEach(n -> shards.add(n.asText()));
    } catch (IOException e) {
      throw new HubException("The weights index " + index + " of " + id + " is not valid JSON: " + e.getMessage(), e);
    }
    for (String s : shards) {
      cache.snapshotFile(id.repo(), commit, s); // refuses names that would leave the snapshot
      if (listed != null && !listed.contains(s)) {
        throw new HubException("The weights index of " + id + " names the shard " + s + ", which the repo does not"
            + " list at commit " + commit + ".");
      }
    }
    if (shards.isEmpty()) {
      throw new HubException("The weights index " + WEIGHTS_INDEX + " of " + id + " has an empty weight_map.");
    }
    return List.copyOf(shards);
  }

  /** Puts {@code file} of the commit in its snapshot; true if bytes were downloaded. */
  private boolean fetch(HubModelId id, String commit, String file, PrintStream out) {
    if (cache.hasFile(id.repo(), commit, file)) {
      return false;
    }
    URI resolve = hub.resolve(id.repo() + "/resolve/" + commit + "/" + HubHttp.encodePath(file));
    HubHttp.Exchange<Void> head = hub.call("HEAD", resolve, null, HttpResponse.BodyHandlers.discarding(), false, id);
    if (head.notFollowed() == null && head.last().statusCode() / 100 != 2) {
      throw hub.failure(head.last(), id, file);
    }
    // Like huggingface_hub: the LFS sha256 (X-Linked-Etag) names the blob, else the ETag; both may be W/"…".
    String linked = head.first("X-Linked-Etag");
    String etag = HubHttp.normalizeEtag(linked != null ? linked : head.first("ETag"));
    if (etag == null) {
      throw new HubException("The Hub at " + env.endpoint() + " sent no ETag for " + file + " of " + id
          + ", so it cannot be stored in the cache.");
    }
    String servedCommit = head.first("X-Repo-Commit");
    if (servedCommit != null && !servedCommit.equals(commit)) {
      throw new HubException("The Hub served " + file + " of " + id + " from commit " + servedCommit + " instead of "
          + commit + "; run again.");
    }
    String sizeText = head.first("X-Linked-Size");
    if (sizeText == null && head.notFollowed() == null) {
      sizeText = head.last().headers().firstValue("Content-Length").orElse(null);
    }
    long size = sizeText == null ? -1 : Long.parseLong(sizeText.trim());
    String sha256 = linked != null && SHA256.matcher(etag).matches() ? etag : null;
    URI source = head.notFollowed() != null ? head.notFollowed() : head.last().uri();
    boolean downloaded = false;
    HubCache.BlobLock lock = cache.lock(id.repo(), etag); // another JVM may be fetching the same blob
    try {
      if (!Files.isRegularFile(cache.blob(id.repo(), etag))) {
        Path part = cache.incomplete(id.repo(), etag);
        downloads.download(id, file, source, part, size, sha256, out);
        cache.placeBlob(id.repo(), etag, part);
        downloaded = true;
      }
      cache.link(id.repo(), commit, file, etag);
    } finally {
      lock.close();
    }
    return downloaded;
  }

}
