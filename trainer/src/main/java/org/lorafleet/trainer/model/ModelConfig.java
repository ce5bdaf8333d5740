package org.lorafleet.trainer.model;

/**
 * The shape and numerics of a decoder-only checkpoint, read from its {@code config.json} by
 * {@link ModelConfigReader}. One record for both families; fields a family does not use hold the
 * value that makes the shared code right (e.g. {@code kvHeads == heads} for GPT-2).
 *
 * @param modelType the {@code model_type} string as written in config.json (gpt2, llama, qwen2, mistral)
 * @param intermediate MLP inner size (GPT-2 {@code n_inner}, 4·hidden when null)
 * @param normEps epsilon of LayerNorm (GPT-2) or RMSNorm (Llama)
 * @param ropeTheta RoPE base; unused for GPT-2
 * @param slidingWindow attention window in tokens, or 0 when attention is full
 */
public record ModelConfig(
    Architecture architecture,
    String modelType,
    int vocabSize,
    int hidden,
    int layers,
    int heads,
    int kvHeads,
    int headDim,
    int intermediate,
    int maxPositions,
    double normEps,
    double ropeTheta,
    boolean tieWordEmbeddings,
    int slidingWindow) {

  public ModelConfig {
    require(vocabSize > 0, "vocab_size must be positive");
    require(hidden > 0, "the hidden size must be positive");
    require(layers > 0, "the number of layers must be positive");
    require(heads > 0 && kvHeads > 0, "head counts must be positive");
    require(heads % kvHeads == 0, "num_attention_heads (" + heads + ") must be a multiple of num_key_value_heads (" + kvHeads + ")");
    require(headDim > 0, "head_dim must be positive");
    require(headDim % 2 == 0 || architecture == Architecture.GPT2, "head_dim must be even for RoPE");
    require(intermediate > 0, "the MLP inner size must be positive");
    require(normEps > 0, "the normalisation epsilon must be positive");
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException("Invalid model config: " + what + ".");
    }
  }

  /** Rows of the query projection output ([N, heads·headDim]). */
  public int qDim() {
    return heads * headDim;
  }

  /** Rows of each key/value projection output ([N, kvHeads·headDim]). */
  public int kvDim() {
    return kvHeads * headDim;
  }

  /** Refuses sequences the model cannot attend over exactly as transformers would. */
  public void checkSequenceLength(int seqLen) {
    if (architecture == Architecture.GPT2 && seqLen > maxPositions) {
      throw new IllegalArgumentException("Sequence length " + seqLen + " exceeds the model's n_positions ("
          + maxPositions + "); lower data.max_seq_len.");
    }
    if (slidingWindow > 0 && seqLen > slidingWindow) {
      throw new IllegalArgumentException("Sequence length " + seqLen + " exceeds the model's sliding_window ("
          + slidingWindow + "), and sliding-window attention is not implemented; lower data.max_seq_len to at most "
          + slidingWindow + ".");
    }
  }
}
