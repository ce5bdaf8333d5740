package org.lorafleet.orchestrator.hub;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A model on the Hugging Face Hub: repo id {@code org/name} and a revision (branch, tag or commit;
 * {@code main} by default). Written {@code hf://org/name@revision}, or bare {@code org/name[@revision]}.
 *
 * @param repo {@code org/name}
 * @param revision a branch, tag or commit sha
 */
public record HubModelId(String repo, String revision) {

  public static final String SCHEME = "hf://";
  public static final String DEFAULT_REVISION = "main";

  private static final Pattern PART = Pattern.compile("[A-Za-z0-9._-]+");
  // Branches and tags may hold '/', e.g. the Hub's pull-request refs "refs/pr/1".
  private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9._/-]+");
  private static final int MAX_REPO_LENGTH = 96 * 2 + 1;

  public HubModelId {
    checkRepo(repo, repo);
    checkRevision(revision, repo + "@" + revision);
  }

  /**
   * Whether a model location names a Hub repo rather than a folder: always for {@code hf://…};
   * for a bare string, when it has no scheme, exactly one '/' (before any '@revision') and is not
   * an existing local directory (a local folder wins, so {@code data/model} next to the job stays local).
   */
  public static boolean looksLikeHubId(String path) {
    if (path == null || path.isBlank()) {
      return false;
    }
    if (path.startsWith(SCHEME)) {
      return true;
    }
    if (path.contains("://") || path.contains(":") || path.contains("\\")
        || path.startsWith("/") || path.startsWith(".") || path.startsWith("~")) {
      return false;
    }
    int at = path.indexOf('@');
    String repo = at < 0 ? path : path.substring(0, at);
    int slash = repo.indexOf('/');
    if (slash <= 0 || slash != repo.lastIndexOf('/') || slash == repo.length() - 1) {
      return false;
    }
    try {
      return !Files.isDirectory(Path.of(path));
    } catch (InvalidPathException e) {
      return true; // not a usable local path at all; parse() will say what is wrong with it as an id
    }
  }

  /** Parses {@code hf://org/name[@revision]} or {@code org/name[@revision]}; the revision defaults to main. */
  public static HubModelId parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("A Hugging Face model id is empty; write it as org/name or hf://org/name@revision.");
    }
    String s = text.startsWith(SCHEME) ? text.substring(SCHEME.length()) : text;
    // Repo ids never hold '@', so the first one starts the revision.
    int at = s.indexOf('@');
    String repo = at < 0 ? s : s.substring(0, at);
    String revision = at < 0 ? DEFAULT_REVISION : s.substring(at + 1);
    checkRepo(repo, text);
    checkRevision(revision, text);
    return new HubModelId(repo, revision);
  }

  /** The {@code hf://org/name@revision} form. */
  public String uri() {
    return SCHEME + repo + "@" + revision;
  }

  @Override
  public String toString() {
    return uri();
  }

  private static void checkRepo(String repo, String text) {
    if (repo == null || repo.isEmpty()) {
      throw new IllegalArgumentException("'" + text + "' is not a Hugging Face model id: the repo (org/name) is empty.");
    }
    String[] parts = repo.split("/", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new IllegalArgumentException("'" + text + "' is not a Hugging Face model id: the repo must be org/name"
          + " with exactly one '/'.");
    }
    for (String p : parts) {
      if (!PART.matcher(p).matches()) {
        throw new IllegalArgumentException("'" + text + "' is not a Hugging Face model id: '" + p
            + "' may only hold letters, digits, '-', '_' and '.'.");
      }
      // The Hub forbids these; "--" would also make the cache folder name models--org--name ambiguous.
      if (p.contains("--") || p.contains("..") || p.startsWith("-") || p.startsWith(".")
          || p.endsWith("-") || p.endsWith(".")) {
        throw new IllegalArgumentException("'" + text + "' is not a Hugging Face model id: '" + p
            + "' may not contain '--' or '..' nor start or end with '-' or '.'.");
      }
    }
    if (repo.length() > MAX_REPO_LENGTH) {
      throw new IllegalArgumentException("'" + text + "' is not a Hugging Face model id: it is too long.");
    }
  }

  private static void checkRevision(String revision, String text) {
    if (revision == null || revision.isEmpty()) {
      throw new IllegalArgumentException("'" + text + "' has an empty revision after '@'; write org/name@main,"
          + " a tag or a commit sha, or leave out the '@'.");
    }
    if (!REVISION.matcher(revision).matches() || revision.contains("..") || revision.startsWith("/")
        || revision.endsWith("/")) {
      throw new IllegalArgumentException("'" + text + "' has an invalid revision '" + revision
          + "': use letters, digits, '-', '_', '.' and '/' (e.g. main, v1.0, refs/pr/1 or a commit sha).");
    }
  }
}
