package org.lorafleet.orchestrator.data;

import java.io.Serializable;
import java.net.URI;
import java.util.Locale;

/**
 * One input file.
 *
 * @param key     the normalized URI ({@code scheme://authority/path}) that matches the file however
 *                Spark spells it
 * @param display the name used in messages: the plain path for local files, the URI otherwise
 * @param kind    how its rows are read
 * @param eval    true for files of {@code data.eval}
 */
record InputFile(String key, String display, Kind kind, boolean eval) implements Serializable {

  enum Kind {
    /** JSON lines: one object per non-blank line. */
    JSON,
    /** Plain text: one row per non-blank line (format text only). */
    TEXT,
    /** Parquet: one row per record. */
    PARQUET
  }

  /** {@code "file:line"} for line-based files, {@code "file:row N"} for Parquet (both 1-based). */
  String where(long line) {
    return kind == Kind.PARQUET ? display + ":row " + line : display + ":" + line;
  }

  /** The kind a file name implies, after any compression suffix; null if none. */
  static Kind kindOf(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (String codec : new String[] {".gz", ".bz2", ".deflate", ".zst", ".lz4", ".snappy"}) {
      if (n.endsWith(codec) && !n.endsWith(".parquet" + codec)) {
        n = n.substring(0, n.length() - codec.length());
        break;
      }
    }
    if (n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")) {
      return Kind.JSON;
    }
    if (n.endsWith(".parquet")) {
      return Kind.PARQUET;
    }
    if (n.endsWith(".txt") || n.endsWith(".text")) {
      return Kind.TEXT;
    }
    return null;
  }

  /** The comparable form of a file URI: {@code file:/a} and {@code file:///a} give the same key. */
  static String key(URI uri) {
    String scheme = uri.getScheme() == null ? "file" : uri.getScheme();
    String authority = uri.getAuthority() == null ? "" : uri.getAuthority();
    return scheme + "://" + authority + uri.getPath();
  }

  /** How a file is named in messages. */
  static String display(URI uri) {
    return uri.getScheme() == null || "file".equals(uri.getScheme()) ? uri.getPath() : uri.toString();
  }
}
