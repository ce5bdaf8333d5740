package org.lorafleet.orchestrator.hub;

/**
 * A model could not be fetched from (or found in the cache of) the Hugging Face Hub. The message is
 * a full sentence meant for the user: what failed, for which repo, and what to do about it.
 */
public final class HubException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public HubException(String message) {
    super(message);
  }

  public HubException(String message, Throwable cause) {
    super(message, cause);
  }
}
