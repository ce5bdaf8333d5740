package org.lorafleet.trainer.model;

/**
 * The shape and numerics of a decoder-only checkpoint, read from its {@code config.json} by
 * {@link HfModelConfigReader}. One record for every family; fields a family does not use hold the
 * value that makes the shared code right (e.g. {@code kvHeads == heads} for GPT-2).
 *
 * @param modelType the {@code model_type} string as written in config.json (gpt2, llama, qwen3, ...)
 * @param intermediate MLP inner size (GPT-2 {@code n_inner}, 4·hidden when null)
 * @param maxPositions {@code max_position_embeddings} (GPT-2 {@code n_positions})
 * @param normEps epsilon of LayerNorm (GPT-2) or RMSNorm (the rotary families)
 * @param decoder the rotary families' variant (RoPE, norms, windows); null for GPT-2
 */
public record HfModelConfig(
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
    boolean tieWordEmbeddings,
    DecoderSpec decoder) {

  public HfModelConfig {
    require(vocabSize > 0, "vocab_size must be positive");
    require(hidden > 0, "the hidden size must be positive");
    require(layers > 0, "the number of layers must be positive");
    require(heads > 0 && kvHeads > 0, "head counts must be positive");
    require(heads % kvHeads == 0, "num_attention_heads (" + heads + ") must be a multiple of num_key_value_heads (" + kvHeads + ")");
    require(headDim > 0, "head_dim must be positive");
    require(intermediate > 0, "the MLP inner size must be positive");
    require(normEps > 0, "the normalisation epsilon must be positive");
    require((architecture == Architecture.GPT2) == (decoder == null), "only GPT-2 has no rotary decoder spec");
    require(decoder == null || decoder.layerTypes().size() == layers, "layer_types must have one entry per layer ("
        + layers + ")");
    if (decoder != null) {
      for (RopeParameters r : decoder.rope().values()) {
        require(r.rotaryDim() <= headDim, "RoPE rotates " + r.rotaryDim() + " values of a head of " + headDim);
      }
    }
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
  }
}
