package org.lorafleet.ps.auth;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;

/**
 * A fresh P-256 key and a self-signed X.509 v3 certificate for the given host names and IP
 * addresses, made with the JDK alone (DER written here, ECDSA from the JDK): the TLS identity of one
 * job's parameter server when the config asks for {@code tls_cert: auto}. Workers trust exactly this
 * certificate, shipped to them with the job, so no CA is involved. RFC 5280 §4.1 for the layout.
 *
 * @param certificatePem the certificate, PEM
 * @param privateKeyPem the private key, PEM PKCS#8
 */
public record SelfSignedCertificate(String certificatePem, String privateKeyPem) {

  private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")
      .withZone(ZoneOffset.UTC);

  /**
   * Makes a certificate valid from one hour ago for {@code validity}, naming every entry of {@code
   * hosts} (IP literals as IP addresses, anything else as a DNS name) as a subject alternative name.
   */
  public static SelfSignedCertificate create(List<String> hosts, Duration validity) {
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("A certificate needs at least one host name or address.");
    }
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair keys = g.generateKeyPair();
      byte[] ecdsaWithSha256 = der(0x30, oid(1, 2, 840, 10045, 4, 3, 2));
      byte[] name = der(0x30, der(0x31, der(0x30, oid(2, 5, 4, 3), der(0x0c, utf8("lorafleet parameter server")))));
      Instant now = Instant.now();
      byte[] validityDer = der(0x30, der(0x17, ascii(UTC_TIME.format(now.minus(Duration.ofHours(1))))),
          der(0x17, ascii(UTC_TIME.format(now.plus(validity)))));
      byte[] serial = der(0x02, new BigInteger(64, new SecureRandom()).add(BigInteger.ONE).toByteArray());
      byte[] tbs = der(0x30,
          der(0xa0, der(0x02, new byte[] {2})), // [0] version v3
          serial, ecdsaWithSha256, name, validityDer, name,
          keys.getPublic().getEncoded(), // SubjectPublicKeyInfo, DER already
          der(0xa3, der(0x30, der(0x30, oid(2, 5, 29, 17), der(0x04, subjectAltNames(hosts))))));
      Signature sig = Signature.getInstance("SHA256withECDSA");
      sig.initSign(keys.getPrivate());
      sig.update(tbs);
      byte[] signature = sig.sign(); // DER Ecdsa-Sig-Value already
      byte[] bitString = new byte[signature.length + 1]; // leading 0: no unused bits
      System.arraycopy(signature, 0, bitString, 1, signature.length);
      byte[] cert = der(0x30, tbs, ecdsaWithSha256, der(0x03, bitString));
      return new SelfSignedCertificate(pem("CERTIFICATE", cert), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("This JVM cannot make a P-256 key or ECDSA signature: " + e.getMessage(), e);
    }
  }

  private static byte[] subjectAltNames(List<String> hosts) {
    ByteArrayOutputStream names = new ByteArrayOutputStream();
    for (String h : hosts) {
      byte[] ip = ipLiteral(h);
      names.writeBytes(ip != null ? der(0x87, ip) : der(0x82, ascii(h))); // [7] iPAddress, [2] dNSName
    }
    return der(0x30, names.toByteArray());
  }

  /** The address bytes when {@code host} is an IPv4 or IPv6 literal (no lookup), else null. */
  private static byte[] ipLiteral(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    boolean literal = h.matches("[0-9.]+") && h.chars().filter(c -> c == '.').count() == 3 || h.contains(":");
    if (!literal) {
      return null;
    }
    try {
      return InetAddress.getByName(h).getAddress(); // a literal is parsed, never resolved
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("'" + host + "' is not a valid IP address.", e);
    }
  }

  private static byte[] oid(int... arcs) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(40 * arcs[0] + arcs[1]);
    for (int i = 2; i < arcs.length; i++) {
      int v = arcs[i];
      int groups = 1;
      for (int t = v >>> 7; t != 0; t >>>= 7) {
        groups++;
      }
      for (int k = groups - 1; k >= 0; k--) { // base 128, high bit set on all but the last
        b.write(((v >>> (7 * k)) & 0x7f) | (k > 0 ? 0x80 : 0));
      }
    }
    return der(0x06, b.toByteArray());
  }

  /** One DER element: tag, definite length, then the parts concatenated. */
  private static byte[] der(int tag, byte[]... parts) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      body.writeBytes(p);
    }
    int n = body.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    if (n < 128) {
      out.write(n);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
      out.write(0x80 | bytes);
      for (int k = bytes - 1; k >= 0; k--) {
        out.write(n >>> (8 * k));
      }
    }
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
