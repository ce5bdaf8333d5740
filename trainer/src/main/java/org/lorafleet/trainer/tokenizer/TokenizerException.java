package org.lorafleet.trainer.tokenizer;

/** A tokenizer cannot be loaded or used; the message names the tokenizer file and the problem. */
public class TokenizerException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public TokenizerException(String message) {
    super(message);
  }

  public TokenizerException(String message, Throwable cause) {
    super(message, cause);
  }
}
