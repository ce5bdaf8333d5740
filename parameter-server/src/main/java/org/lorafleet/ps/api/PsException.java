package org.lorafleet.ps.api;

/**
 * A call the parameter server refused or could not complete. Both client implementations throw it
 * with the same {@link #status()} and {@link #reason()}, so callers handle one exception type.
 */
public final class PsException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final PsStatus status;
  private final Refusal reason;

  public PsException(Refusal reason, String message) {
    this(reason.status(), reason, message, null);
  }

  public PsException(PsStatus status, Refusal reason, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.reason = reason;
  }

  public PsStatus status() {
    return status;
  }

  public Refusal reason() {
    return reason;
  }

  @Override
  public String toString() {
    return "PsException[" + status + "/" + reason + "]: " + getMessage();
  }
}
