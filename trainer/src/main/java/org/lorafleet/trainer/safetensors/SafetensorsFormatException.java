package org.lorafleet.trainer.safetensors;

/**
 * A safetensors file is malformed or cannot be read as asked; the message names the file and what
 * is wrong with it.
 */
public class SafetensorsFormatException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public SafetensorsFormatException(String message) {
    super(message);
  }

  public SafetensorsFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
