package org.lorafleet.orchestrator.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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
  private static final int MAX_REDIRECTS = 10;
  private static final int ATTEMPTS = 3;

  private final HubEnvironment env;
  private final HubCache cache;
  private final HttpClient http;
  private final URI endpoint;
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
    this.http = http;
    this.endpoint = URI.create(env.endpoint() + "/");
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
    JsonNode info = getJson(endpoint.resolve("api/models/" + id.repo() + "/revision/" + encode(id.revision())), id);
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
    URI resolve = endpoint.resolve(id.repo() + "/resolve/" + commit + "/" + encodePath(file));
    Exchange<Void> head = call("HEAD", resolve, null, HttpResponse.BodyHandlers.discarding(), false, id);
    if (head.notFollowed() == null && head.last().statusCode() / 100 != 2) {
      throw failure(head.last(), id, file);
    }
    // Like huggingface_hub: the LFS sha256 (X-Linked-Etag) names the blob, else the ETag; both may be W/"…".
    String linked = head.first("X-Linked-Etag");
    String etag = normalizeEtag(linked != null ? linked : head.first("ETag"));
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
        download(id, file, source, part, size, sha256, out);
        cache.placeBlob(id.repo(), etag, part);
        downloaded = true;
      }
      cache.link(id.repo(), commit, file, etag);
    } finally {
      lock.close();
    }
    return downloaded;
  }

  private JsonNode getJson(URI uri, HubModelId id) {
    Exchange<String> r = call("GET", uri, null, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8), true, id);
    if (r.last().statusCode() != 200) {
      throw failure(r.last(), id, null);
    }
    try {
      return json.readTree(r.last().body());
    } catch (IOException e) {
      throw new HubException("The Hub at " + env.endpoint() + " answered " + uri + " with something that is not JSON.",
          e);
    }
  }

  /** The answers of one request and the redirects taken; {@code notFollowed} is an absolute redirect not taken. */
  record Exchange<T>(HttpResponse<T> last, List<HttpResponse<?>> hops, URI notFollowed) {
    /** A header from the first answer that has it: the Hub's own, before any CDN's. */
    String first(String name) {
      return hops.stream().map(h -> h.headers().firstValue(name).orElse(null)).filter(v -> v != null).findFirst()
          .orElse(null);
    }
  }

  /** Sends a request, following 3xx answers with a Location: relative ones always, absolute ones if asked. */
  <T> Exchange<T> call(String method, URI uri, String range, HttpResponse.BodyHandler<T> handler,
      boolean followAbsolute, HubModelId id) {
    List<HttpResponse<?>> hops = new ArrayList<>();
    URI current = uri;
    for (int i = 0; i <= MAX_REDIRECTS; i++) {
      HttpResponse<T> r = sendOnce(method, current, range, handler, id);
      hops.add(r);
      Optional<String> location = r.headers().firstValue("Location");
      if (r.statusCode() / 100 != 3 || r.statusCode() == 304 || location.isEmpty()) {
        return new Exchange<>(r, hops, null);
      }
      if (r.body() instanceof InputStream in) {
        closeQuietly(in);
      }
      URI target = URI.create(location.get().trim());
      URI next = current.resolve(target);
      if (target.getHost() != null && !followAbsolute) {
        return new Exchange<>(r, hops, next);
      }
      current = next;
    }
    throw new HubException("The Hub at " + env.endpoint() + " redirected " + uri + " more than " + MAX_REDIRECTS
        + " times.");
  }

  private <T> HttpResponse<T> sendOnce(String method, URI uri, String range, HttpResponse.BodyHandler<T> handler,
      HubModelId id) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
        .method(method, HttpRequest.BodyPublishers.noBody()).header("User-Agent", "lorafleet; java/"
        + Runtime.version().feature());
    if (env.token() != null && sameOrigin(uri)) {
      b.header("Authorization", "Bearer " + env.token());
    }
    if (range != null) {
      b.header("Range", range);
    }
    try {
      return http.send(b.build(), handler);
    } catch (IOException e) {
      throw new HubException("Could not reach the Hugging Face Hub at " + env.endpoint() + " for " + id + " ("
          + e + "); check the network and HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use the cache only.", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubException("Interrupted while talking to the Hub at " + env.endpoint() + " for " + id + ".", e);
    }
  }

  /** A user-facing error for a non-success answer; X-Error-Code is the Hub's reason when it gives one. */
  HubException failure(HttpResponse<?> r, HubModelId id, String file) {
    int status = r.statusCode();
    String code = r.headers().firstValue("X-Error-Code").orElse("");
    String detail = r.headers().firstValue("X-Error-Message").map(m -> " (" + m + ")").orElse("");
    if (code.equals("EntryNotFound") || (status == 404 && file != null && code.isEmpty())) {
      return new HubException("The model " + id.repo() + " at revision " + id.revision() + " has no file " + file
          + " on " + env.endpoint() + detail + ".");
    }
    if (code.equals("RepoNotFound") || code.equals("RevisionNotFound") || status == 404) {
      return new HubException("There is no model " + id.repo() + " (or revision " + id.revision() + ") on "
          + env.endpoint() + detail + (status == 401 ? "; if it is private, set HF_TOKEN to a token with access."
          : "; check the id and the revision."));
    }
    if (status == 401 || status == 403 || code.equals("GatedRepo")) {
      return new HubException("The model " + id.repo() + " is gated or private" + (env.token() == null
          ? ": set HF_TOKEN to a token with access (the Hub answered HTTP " + status + ")."
          : " and the token was refused (HTTP " + status + "): set HF_TOKEN to a token with access, and accept the"
          + " model's terms on its page if it is gated."));
    }
    return new HubException("The Hub at " + env.endpoint() + " answered HTTP " + status + " for " + r.uri() + detail
        + (status == 429 || status >= 500 ? "; try again later." : "."));
  }

  private boolean sameOrigin(URI uri) {
    return uri.getScheme().equalsIgnoreCase(endpoint.getScheme()) && uri.getHost() != null
        && uri.getHost().equalsIgnoreCase(endpoint.getHost()) && uri.getPort() == endpoint.getPort();
  }

  /** Strips a weak-validator {@code W/} prefix and the quotes from an ETag header. */
  static String normalizeEtag(String value) {
    if (value == null) {
      return null;
    }
    String v = value.trim();
    if (v.startsWith("W/")) {
      v = v.substring(2);
    }
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    return v.isEmpty() ? null : v;
  }

  /** Percent-encodes a path segment (RFC 3986 unreserved characters stay), as huggingface_hub's quote(safe=""). */
  static String encode(String segment) {
    StringBuilder sb = new StringBuilder();
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-_.~".indexOf(c) >= 0) {
        sb.append(c);
      } else {
        sb.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
      }
    }
    return sb.toString();
  }

  private static String encodePath(String file) {
    List<String> parts = new ArrayList<>();
    for (String p : file.split("/")) {
      parts.add(encode(p));
    }
    return String.join("/", parts);
  }

  static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // the body of a redirect or an abandoned download; nothing is lost
    }
  }

  /**
   * Downloads {@code source} into {@code part}, resuming what an earlier run left there and retrying a broken
   * transfer from where it stopped (up to ATTEMPTS times); then checks the size and, for LFS files, the sha256.
   */
  private void download(HubModelId id, String file, URI source, Path part, long size, String sha256,
      PrintStream out) {
    Progress progress = new Progress(out, file, size);
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
        Exchange<InputStream> r = call("GET", source, have > 0 ? "bytes=" + have + "-" : null,
            HttpResponse.BodyHandlers.ofInputStream(), true, id);
        int status = r.last().statusCode();
        // 206 continues at `have` (Content-Range "bytes <have>-<end>/<total>"); 200 is the whole file again;
        // 416 means the partial file is longer than the blob: it is not ours, so start over.
        boolean append = status == 206 && have > 0
            && r.last().headers().firstValue("Content-Range").orElse("").startsWith("bytes " + have + "-");
        if (status == 416 || (status == 206 && !append)) {
          closeQuietly(r.last().body());
          delete(part);
          digest = null;
          continue;
        }
        if (status != 200 && status != 206) {
          closeQuietly(r.last().body());
          throw failure(r.last(), id, file);
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
      throw new HubException("Downloading " + file + " of " + id + " from " + env.endpoint() + " failed " + ATTEMPTS
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

  private static String describe(Exception e) {
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

  /**
   * One file's progress line: name, bytes done/total, MB/s and ETA. On a terminal the line is redrawn in
   * place (\r) a few times a second; otherwise (logs, tests) one line when the file starts and one when it ends.
   */
  private static final class Progress {
    private final PrintStream out;
    private final String file;
    private final long total;
    private final boolean live = System.console() != null;
    private long startNanos;
    private long startBytes;
    private long lastDraw;

    Progress(PrintStream out, String file, long total) {
      this.out = out;
      this.file = file;
      this.total = total;
    }

    void begin(long have) {
      startNanos = System.nanoTime();
      startBytes = have;
      lastDraw = startNanos;
      if (live) {
        out.print("\r" + line(have));
      } else {
        out.println(line(have) + (have > 0 ? "  resuming" : "  starting"));
      }
    }

    void update(long done) {
      long now = System.nanoTime();
      if (live && now - lastDraw > 200_000_000L) {
        out.print("\r" + line(done));
        lastDraw = now;
      }
    }

    void end(long done) {
      out.print((live ? "\r" : "") + line(done) + "  done" + System.lineSeparator());
    }

    void broken(long done, Exception e, boolean retrying) {
      out.print((live ? "\r" : "") + line(done) + "  interrupted (" + describe(e) + ")"
          + (retrying ? ", resuming" : "") + System.lineSeparator());
    }

    private String line(long done) {
      double seconds = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
      double rate = (done - startBytes) / seconds;
      String eta = total < 0 || rate <= 0 ? "?" : clock((total - done) / rate);
      return String.format(Locale.ROOT, "%s  %s / %s  %.1f MB/s  ETA %s   ", file, bytes(done),
          total < 0 ? "?" : bytes(total), rate / 1e6, eta);
    }

    private static String bytes(long n) {
      return n < 1000 ? n + " B" : n < 1_000_000 ? String.format(Locale.ROOT, "%.1f kB", n / 1e3)
          : n < 1_000_000_000 ? String.format(Locale.ROOT, "%.1f MB", n / 1e6)
          : String.format(Locale.ROOT, "%.2f GB", n / 1e9);
    }

    private static String clock(double seconds) {
      long s = Math.round(seconds);
      return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
          : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
  }
}
