package org.lorafleet.orchestrator.config;

import java.util.Locale;

/**
 * Section {@code parameter_server}: the server the driver starts for the workers.
 *
 * @param bind {@code host:port} to listen on (IPv6 as {@code [::1]:0}); port 0 picks a free port;
 *     default {@code 127.0.0.1:0} (this machine only; use {@code 0.0.0.0:0} on a cluster)
 * @param advertise {@code host} or {@code host:port} executors connect to; default null (the driver's
 *     address and the bound port)
 * @param auth {@code token} (default, and the only one: workers present a token derived from the job
 *     secret); {@code none} is refused with an explanation
 * @param secret the job secret, at least 16 characters; default null (a random one per job). It never
 *     leaves the driver: executors get only a worker token derived from it
 * @param tlsCert PEM certificate chain for TLS; default null. Set both tlsCert and tlsKey, or neither;
 *     or {@code auto}: a self-signed certificate made per job for the address executors use, trusted by
 *     that job's workers only (tlsKey then stays unset)
 * @param tlsKey PEM private key for TLS; default null
 * @param maxMessageMb largest gRPC message in MiB, in [1, 2047]; default 64
 * @param tensorChannelPort port of the tensor channel (pushes and pulls as raw float32 over TCP, on the
 *     bind host; workers fall back to gRPC if they cannot reach it): 0 = any free port (default), -1 =
 *     off; never offered with TLS
 * @param insecure allow a bind off loopback without TLS (worker tokens and tensors then cross the
 *     network in clear); default false, so such a bind is refused
 */
public record ParameterServerConfig(String bind, String advertise, Auth auth, String secret, String tlsCert,
    String tlsKey, int maxMessageMb, int tensorChannelPort, boolean insecure) {

  static final String SECTION = "parameter_server";
  /** {@code tls_cert} value asking for a self-signed certificate made per job. */
  public static final String AUTO = "auto";

  /** How workers authenticate to the server. */
  public enum Auth implements YamlNamed {
    TOKEN, NONE;

    @Override
    public String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public ParameterServerConfig {
    Checks c = new Checks(SECTION);
    if (c.notBlank("bind", bind)) {
      c.check(port(bind) >= 0, "bind", "must be host:port with a port in [0, 65535], e.g. 0.0.0.0:0 (got '" + bind + "')");
    }
    if (advertise != null) {
      c.check(!advertise.isBlank() && (!hasPort(advertise) || port(advertise) >= 0), "advertise",
          "must be host or host:port with a port in [0, 65535] (got '" + advertise + "')");
    }
    c.check(auth != null, "auth", "is required");
    // "none" used to be accepted and then ignored (workers authenticated anyway): refuse it by name
    c.check(auth != Auth.NONE, "auth", "none is not supported: workers always authenticate, with a token derived from "
        + "the job secret (a random one per job unless secret is set); remove the key or use token");
    if (secret != null) {
      c.check(secret.length() >= 16, "secret", "must be at least 16 characters long (got " + secret.length() + ")");
    }
    c.check(tlsCert != null || tlsKey == null, "tls_cert", "must be set when parameter_server.tls_key is set");
    if (AUTO.equals(tlsCert)) {
      c.check(tlsKey == null, "tls_key", "must be unset with tls_cert: auto (the key is made with the certificate)");
    } else {
      c.check(tlsKey != null || tlsCert == null, "tls_key", "must be set when parameter_server.tls_cert is set");
    }
    c.nullOrNotBlank("tls_cert", tlsCert);
    c.nullOrNotBlank("tls_key", tlsKey);
    c.between("max_message_mb", maxMessageMb, 1, 2047);
    c.between("tensor_channel_port", tensorChannelPort, -1, 65535);
    if (bind != null && port(bind) >= 0) {
      c.check(isLoopback(host(bind)) || tlsCert != null || insecure, "bind", "is off loopback ('" + bind + "') without TLS: "
          + "worker tokens and adapter tensors would cross the network in clear. Set tls_cert: auto (a certificate "
          + "made per job), or tls_cert and tls_key, or insecure: true on a network you trust");
    }
    c.done();
  }

  /** Whether the server speaks TLS with a certificate made for this job ({@code tls_cert: auto}). */
  public boolean autoTls() {
    return AUTO.equals(tlsCert);
  }

  /** The host part of {@code bind}, without IPv6 brackets. */
  public String bindHost() {
    return host(bind);
  }

  /** The host part of {@code advertise} (the whole value when it has no port), or null when unset. */
  public String advertiseHost() {
    return advertise == null ? null : hasPort(advertise) ? host(advertise) : advertise;
  }

  /** The port of {@code advertise}, or 0 when unset or without a port (executors use the bound port). */
  public int advertisePort() {
    return advertise != null && hasPort(advertise) ? Math.max(port(advertise), 0) : 0;
  }

  /** The port part of {@code bind} (0 = any free port). */
  public int bindPort() {
    return port(bind);
  }

  /** Whether {@code bind} only accepts connections from this machine. */
  public boolean isLoopback() {
    return isLoopback(host(bind));
  }

  /** Like the generated one, but never shows the secret. */
  @Override
  public String toString() {
    return "ParameterServerConfig[bind=" + bind + ", advertise=" + advertise + ", auth=" + auth
        + ", secret=" + (secret == null ? "null" : "<redacted>") + ", tlsCert=" + tlsCert + ", tlsKey=" + tlsKey
        + ", maxMessageMb=" + maxMessageMb + ", tensorChannelPort=" + tensorChannelPort + ", insecure=" + insecure + "]";
  }

  static ParameterServerConfig read(ConfigNode n) {
    String bind = n.string("bind", "127.0.0.1:0");
    String advertise = n.string("advertise", null);
    Auth auth = n.choice("auth", Auth.TOKEN, Auth.class);
    String secret = n.string("secret", null);
    String tlsCert = n.string("tls_cert", null);
    String tlsKey = n.string("tls_key", null);
    int maxMessageMb = n.integer("max_message_mb", 64);
    int tensorChannelPort = n.integer("tensor_channel_port", 0);
    boolean insecure = n.bool("insecure", false);
    return n.attempt(() -> new ParameterServerConfig(bind, advertise, auth, secret, tlsCert, tlsKey, maxMessageMb,
        tensorChannelPort, insecure));
  }

  private static boolean hasPort(String address) {
    return address.startsWith("[") ? address.contains("]:") : address.indexOf(':') >= 0
        && address.indexOf(':') == address.lastIndexOf(':');
  }

  private static String host(String address) {
    int colon = address.lastIndexOf(':');
    String h = colon < 0 ? address : address.substring(0, colon);
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  /** The port, or -1 when {@code address} is not host:port with a valid port. */
  private static int port(String address) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || !hasPort(address) || host(address).isBlank()) {
      return -1;
    }
    try {
      int p = Integer.parseInt(address.substring(colon + 1));
      return p >= 0 && p <= 65535 ? p : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }
}
