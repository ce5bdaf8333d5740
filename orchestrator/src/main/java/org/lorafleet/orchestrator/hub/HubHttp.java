package org.lorafleet.orchestrator.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The Hub's HTTP side: requests with the token (sent only to the endpoint's own origin, never to a CDN a
 * redirect names), redirects followed by hand (the Hub's headers are on the redirect itself), and the Hub's
 * error answers turned into messages that say what to do. Every call blocks.
 */
final class HubHttp {

  private static final int MAX_REDIRECTS = 10;

  private final HubEnvironment env;
  private final HttpClient http;
  private final URI endpoint;
  private final ObjectMapper json = new ObjectMapper();

  HubHttp(HubEnvironment env, HttpClient http) {
    this.env = env;
    this.http = http;
    this.endpoint = URI.create(env.endpoint() + "/");
  }

  /** {@code path} (already percent-encoded) against the endpoint. */
  URI resolve(String path) {
    return endpoint.resolve(path);
  }

  String endpointName() {
    return env.endpoint();
  }

  JsonNode getJson(URI uri, HubModelId id) {
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

  static String encodePath(String file) {
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

}
