package org.lorafleet.trainer.checkpoint;

/**
 * A checkpoint folder is incomplete or malformed, or lacks something that was asked for; the message
 * names the folder or file and what is wrong.
 */
public class CheckpointException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
