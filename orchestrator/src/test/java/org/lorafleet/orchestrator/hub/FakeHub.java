package org.lorafleet.orchestrator.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A Hugging Face Hub on loopback, speaking the protocol huggingface_hub uses:
 * {@code GET /api/models/<repo>/revision/<rev>} (sha + siblings), {@code HEAD|GET /<repo>/resolve/<rev>/<file>}
 * answering 302 to a relative {@code /blobs/<key>} with {@code X-Repo-Commit} and {@code ETag} (the git blob sha1),
 * plus {@code X-Linked-Etag} (sha256) and {@code X-Linked-Size} for {@code *.safetensors} (the Hub's LFS files), and
 * {@code /blobs/<key>} with Range support, standing in for the CDN. Switches: gating by token, corrupting one
 * file's bytes, cutting one download after N bytes once. Counts requests by kind.
 */
public final class FakeHub implements AutoCloseable {

  /** The commit every repo's {@code main} resolves to. */
  public static final String COMMIT = "3f1c2a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a";

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final Map<String, Map<String, byte[]>> repos = new ConcurrentHashMap<>();
  /** Blob key (the ETag a resolve answer names) to its repo and file. */
  private final Map<String, String[]> blobs = new ConcurrentHashMap<>();

  private volatile String gatedToken;
  private volatile String corruptFile;
  private volatile String cutFile;
  private volatile long cutAfter;
  private boolean closed;

  final AtomicInteger apiRequests = new AtomicInteger();
  final AtomicInteger resolveRequests = new AtomicInteger();
  final AtomicInteger blobRequests = new AtomicInteger();
  /** The Range header of every blob request that had one. */
  final List<String> ranges = new CopyOnWriteArrayList<>();

  public FakeHub() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(threads);
    server.start();
  }

  /** Serves every regular file of {@code folder} as repo {@code repo}. */
  public FakeHub addRepo(String repo, Path folder) {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(folder)) {
      for (Path p : list.filter(Files::isRegularFile).toList()) {
        files.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return addRepo(repo, files);
  }

  /** Serves {@code files} (name, which may hold '/', to bytes) as repo {@code repo}. */
  FakeHub addRepo(String repo, Map<String, byte[]> files) {
    repos.put(repo, Map.copyOf(files));
    files.forEach((name, bytes) -> blobs.put(etag(name, bytes), new String[] {repo, name}));
    return this;
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Requires {@code Authorization: Bearer <token>} for the API and resolve URLs; null opens the repos again. */
  void gate(String token) {
    gatedToken = token;
  }

  /** Serves {@code file} with one byte flipped (its headers still give the true digest); null stops. */
  void corrupt(String file) {
    corruptFile = file;
  }

  /** The next download of {@code file} sends only its first {@code bytes} bytes and then drops the connection. */
  void cutOnce(String file, long bytes) {
    cutAfter = bytes;
    cutFile = file;
  }

  public int totalRequests() {
    return apiRequests.get() + resolveRequests.get() + blobRequests.get();
  }

  void resetCounts() {
    apiRequests.set(0);
    resolveRequests.set(0);
    blobRequests.set(0);
    ranges.clear();
  }

  /** The key a file is stored under in the cache: sha256 for LFS (*.safetensors) files, git's blob sha1 otherwise. */
  static String etag(String name, byte[] bytes) {
    if (name.endsWith(".safetensors")) {
      return hex("SHA-256", bytes);
    }
    byte[] header = ("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[header.length + bytes.length];
    System.arraycopy(header, 0, all, 0, header.length);
    System.arraycopy(bytes, 0, all, header.length, bytes.length);
    return hex("SHA-1", all);
  }

  static String hex(String algorithm, byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      server.stop(0);
      threads.shutdownNow();
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      List<String> parts = new ArrayList<>();
      for (String raw : ex.getRequestURI().getRawPath().substring(1).split("/")) {
        parts.add(URLDecoder.decode(raw, StandardCharsets.UTF_8));
      }
      if (parts.size() == 2 && parts.get(0).equals("blobs")) {
        blobRequests.incrementAndGet();
        serveBlob(ex, parts.get(1));
      } else if (parts.size() == 6 && parts.get(0).equals("api") && parts.get(1).equals("models")
          && parts.get(4).equals("revision")) {
        apiRequests.incrementAndGet();
        String repo = parts.get(2) + "/" + parts.get(3);
        if (allowed(ex, repo, parts.get(5))) {
          StringBuilder json = new StringBuilder("{\"id\":\"" + repo + "\",\"sha\":\"" + COMMIT + "\",\"siblings\":[");
          String sep = "";
          for (String name : repos.get(repo).keySet()) {
            json.append(sep).append("{\"rfilename\":\"").append(name).append("\"}");
            sep = ",";
          }
          send(ex, 200, json.append("]}").toString());
        }
      } else if (parts.size() >= 5 && parts.get(2).equals("resolve")) {
        resolveRequests.incrementAndGet();
        String repo = parts.get(0) + "/" + parts.get(1);
        String file = String.join("/", parts.subList(4, parts.size()));
        if (allowed(ex, repo, parts.get(3))) {
          byte[] bytes = repos.get(repo).get(file);
          if (bytes == null) {
            ex.getResponseHeaders().set("X-Error-Code", "EntryNotFound");
            send(ex, 404, "Entry not found");
            return;
          }
          String key = etag(file, bytes);
          ex.getResponseHeaders().set("X-Repo-Commit", COMMIT);
          ex.getResponseHeaders().set("ETag", "\"" + key + "\"");
          if (file.endsWith(".safetensors")) {
            ex.getResponseHeaders().set("ETag", "W/\"" + hex("SHA-1", bytes) + "\""); // not the blob name
            ex.getResponseHeaders().set("X-Linked-Etag", "\"" + key + "\"");
            ex.getResponseHeaders().set("X-Linked-Size", Long.toString(bytes.length));
          }
          ex.getResponseHeaders().set("Location", "/blobs/" + key);
          ex.sendResponseHeaders(302, -1);
        }
      } else {
        send(ex, 404, "Not found");
      }
    } catch (IOException e) {
      // the client went away, or a cut download: nothing to answer
    }
  }

  /** Answers 404/401/403 (with the Hub's X-Error-Code) unless the repo and revision exist and access is allowed. */
  private boolean allowed(HttpExchange ex, String repo, String revision) throws IOException {
    if (!repos.containsKey(repo)) {
      ex.getResponseHeaders().set("X-Error-Code", "RepoNotFound");
      send(ex, 404, "Repository not found");
      return false;
    }
    String token = gatedToken;
    if (token != null) {
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (auth == null || !auth.equals("Bearer " + token)) {
        ex.getResponseHeaders().set("X-Error-Code", "GatedRepo");
        send(ex, auth == null ? 401 : 403, "Access to model " + repo + " is restricted.");
        return false;
      }
    }
    if (!revision.equals("main") && !revision.equals(COMMIT)) {
      ex.getResponseHeaders().set("X-Error-Code", "RevisionNotFound");
      send(ex, 404, "Revision not found");
      return false;
    }
    return true;
  }

  private void serveBlob(HttpExchange ex, String key) throws IOException {
    String[] where = blobs.get(key);
    if (where == null) {
      send(ex, 404, "No such blob");
      return;
    }
    byte[] bytes = repos.get(where[0]).get(where[1]).clone();
    if (where[1].equals(corruptFile)) {
      bytes[bytes.length / 2] ^= 0x5a;
    }
    long start = 0;
    String range = ex.getRequestHeaders().getFirst("Range");
    if (range != null) {
      ranges.add(range);
      start = Long.parseLong(range.substring("bytes=".length(), range.indexOf('-')));
      if (start >= bytes.length) {
        ex.getResponseHeaders().set("Content-Range", "bytes */" + bytes.length);
        send(ex, 416, "");
        return;
      }
      ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (bytes.length - 1) + "/" + bytes.length);
    }
    int status = range != null ? 206 : 200;
    long length = bytes.length - start;
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.getResponseHeaders().set("Content-Length", Long.toString(length));
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, length);
    OutputStream body = ex.getResponseBody();
    if (where[1].equals(cutFile)) {
      cutFile = null;
      body.write(bytes, (int) start, (int) Math.min(cutAfter, length));
      body.flush();
      return; // closing now, short of Content-Length, drops the connection
    }
    body.write(bytes, (int) start, (int) length);
  }

  private static void send(HttpExchange ex, int status, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", status == 200 ? "application/json" : "text/plain");
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    ex.getResponseBody().write(body);
  }
}
