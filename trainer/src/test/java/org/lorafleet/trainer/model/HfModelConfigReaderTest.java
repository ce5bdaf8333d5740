package org.lorafleet.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/**
 * config.json shapes of this year's small models (written here from their published hyper-parameters,
 * abridged to the keys that matter) map onto the right family, RoPE variant and layer layout.
 */
class HfModelConfigReaderTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static HfModelConfig read(String json) throws Exception {
    JsonNode node = JSON.readTree(json.replace('\'', '"'));
    return HfModelConfigReader.read(node, "config.json");
  }

  @Test
  void llama32WithLlama3RopeScaling() throws Exception {
    HfModelConfig c = read("{'model_type':'llama','hidden_size':2048,'intermediate_size':8192,'head_dim':64,"
        + "'num_attention_heads':32,'num_key_value_heads':8,'num_hidden_layers':16,'vocab_size':128256,"
        + "'max_position_embeddings':131072,'rms_norm_eps':1e-5,'rope_theta':500000.0,'tie_word_embeddings':true,"
        + "'rope_scaling':{'factor':32.0,'high_freq_factor':4.0,'low_freq_factor':1.0,"
        + "'original_max_position_embeddings':8192,'rope_type':'llama3'},'hidden_act':'silu'}");
    assertEquals(Architecture.LLAMA, c.architecture());
    RopeParameters r = c.decoder().rope().get(LayerType.FULL);
    assertEquals("llama3", r.type());
    assertEquals(500_000, r.theta());
    assertEquals(32, r.factor());
    assertEquals(8192, r.originalMaxPositions());
    assertEquals(64, r.rotaryDim());
    assertEquals(Collections.nCopies(16, LayerType.FULL), c.decoder().layerTypes());
  }

  @Test
  void qwen3WithExplicitHeadDimAndNoSlidingWindow() throws Exception {
    HfModelConfig c = read("{'model_type':'qwen3','hidden_size':1024,'intermediate_size':3072,'head_dim':128,"
        + "'num_attention_heads':16,'num_key_value_heads':8,'num_hidden_layers':28,'vocab_size':151936,"
        + "'max_position_embeddings':40960,'max_window_layers':28,'rms_norm_eps':1e-6,'rope_scaling':null,"
        + "'rope_theta':1000000,'sliding_window':null,'use_sliding_window':false,'tie_word_embeddings':true}");
    assertTrue(c.decoder().qkNorm());
    assertEquals(128, c.headDim());
    assertEquals(16 * 128, c.qDim());
    assertEquals(1.0 / Math.sqrt(128), c.decoder().attentionScale(), 1e-15);
    assertEquals(0, c.decoder().slidingWindow());
    assertEquals(1e6, c.decoder().rope().get(LayerType.FULL).theta());
  }

  @Test
  void qwen2SlidesOnlyFromMaxWindowLayersWhenEnabled() throws Exception {
    String base = "{'model_type':'qwen2','hidden_size':64,'intermediate_size':128,'num_attention_heads':4,"
        + "'num_key_value_heads':2,'num_hidden_layers':4,'vocab_size':100,'sliding_window':8,'max_window_layers':2";
    assertEquals(0, read(base + ",'use_sliding_window':false}").decoder().slidingWindow());
    HfModelConfig on = read(base + ",'use_sliding_window':true}");
    assertEquals(java.util.List.of(LayerType.FULL, LayerType.FULL, LayerType.SLIDING, LayerType.SLIDING),
        on.decoder().layerTypes());
    assertEquals(8, on.decoder().slidingWindow());
  }

  @Test
  void gemma3TextWithLayerTypesAndTwoBases() throws Exception {
    StringBuilder types = new StringBuilder();
    for (int i = 0; i < 18; i++) {
      types.append(i > 0 ? "," : "").append((i + 1) % 6 == 0 ? "'full_attention'" : "'sliding_attention'");
    }
    HfModelConfig c = read("{'model_type':'gemma3_text','_sliding_window_pattern':6,'attn_logit_softcapping':null,"
        + "'final_logit_softcapping':null,'head_dim':256,'hidden_activation':'gelu_pytorch_tanh','hidden_size':640,"
        + "'intermediate_size':2048,'layer_types':[" + types + "],'max_position_embeddings':32768,"
        + "'num_attention_heads':4,'num_hidden_layers':18,'num_key_value_heads':1,'query_pre_attn_scalar':256,"
        + "'rms_norm_eps':1e-6,'rope_local_base_freq':10000.0,'rope_scaling':null,'rope_theta':1000000.0,"
        + "'sliding_window':512,'vocab_size':262144}");
    assertEquals(Architecture.GEMMA3, c.architecture());
    assertEquals(Math.sqrt(640), c.decoder().embeddingScale(), 1e-12);
    assertEquals(1.0 / 16, c.decoder().attentionScale(), 1e-15);
    assertEquals(DecoderSpec.Activation.GELU_TANH, c.decoder().activation());
    assertEquals(15, c.decoder().layerTypes().stream().filter(t -> t == LayerType.SLIDING).count());
    assertEquals(1e4, c.decoder().rope().get(LayerType.SLIDING).theta());
    assertEquals(1e6, c.decoder().rope().get(LayerType.FULL).theta());
    assertTrue(c.tieWordEmbeddings());
  }

  /** gemma-3-4b-it style: a sparse text_config on Gemma3TextConfig's defaults; linear scaling on global layers. */
  @Test
  void multimodalGemma3ReadsItsTextTower() throws Exception {
    HfModelConfig c = read("{'model_type':'gemma3','text_config':{'hidden_size':2560,'intermediate_size':10240,"
        + "'model_type':'gemma3_text','num_hidden_layers':34,'rope_scaling':{'factor':8.0,'rope_type':'linear'},"
        + "'sliding_window':1024},'vision_config':{'model_type':'siglip_vision_model'}}");
    assertEquals(Architecture.GEMMA3, c.architecture());
    assertEquals(262_208, c.vocabSize());
    assertEquals(8, c.heads());
    assertEquals(4, c.kvHeads());
    assertEquals(256, c.headDim());
    assertEquals(34, c.layers());
    assertEquals(LayerType.FULL, c.decoder().layerType(5));
    assertEquals(LayerType.SLIDING, c.decoder().layerType(6));
    RopeParameters global = c.decoder().rope().get(LayerType.FULL);
    assertEquals("linear", global.type());
    assertEquals(8, global.factor());
    assertEquals(1e6, global.theta());
    assertEquals("default", c.decoder().rope().get(LayerType.SLIDING).type());
    assertEquals(1e4, c.decoder().rope().get(LayerType.SLIDING).theta());
  }

  @Test
  void phi3With128kLongropeUnderItsOldName() throws Exception {
    StringBuilder shortF = new StringBuilder();
    StringBuilder longF = new StringBuilder();
    for (int i = 0; i < 48; i++) {
      shortF.append(i > 0 ? "," : "").append(1 + i / 100.0);
      longF.append(i > 0 ? "," : "").append(1 + i);
    }
    HfModelConfig c = read("{'model_type':'phi3','hidden_size':3072,'intermediate_size':8192,"
        + "'max_position_embeddings':131072,'original_max_position_embeddings':4096,'num_attention_heads':32,"
        + "'num_hidden_layers':32,'num_key_value_heads':32,'rms_norm_eps':1e-5,'rope_theta':10000.0,"
        + "'rope_scaling':{'type':'su','short_factor':[" + shortF + "],'long_factor':[" + longF + "]},"
        + "'sliding_window':262144,'tie_word_embeddings':false,'vocab_size':32064,'resid_pdrop':0.0}");
    assertEquals(Architecture.PHI3, c.architecture());
    assertTrue(c.decoder().fusedProjections());
    RopeParameters r = c.decoder().rope().get(LayerType.SLIDING);
    assertEquals("longrope", r.type());
    assertEquals(32, r.factor(), 1e-12);
    assertEquals(4096, r.originalMaxPositions());
    assertEquals(Math.sqrt(1 + Math.log(32) / Math.log(4096)), r.frequencies(10).attentionFactor(), 1e-12);
  }

  @Test
  void mistralSlidesOnEveryLayer() throws Exception {
    HfModelConfig c = read("{'model_type':'mistral','hidden_size':4096,'intermediate_size':14336,"
        + "'max_position_embeddings':32768,'num_attention_heads':32,'num_hidden_layers':32,'num_key_value_heads':8,"
        + "'rms_norm_eps':1e-5,'rope_theta':10000.0,'sliding_window':4096,'vocab_size':32000}");
    assertEquals(Collections.nCopies(32, LayerType.SLIDING), c.decoder().layerTypes());
    assertEquals(4096, c.decoder().slidingWindow());
  }

  /** Precedence rules of transformers 5.17's config classes and rope standardisation. */
  @Test
  void precedenceAsTransformersResolvesIt() throws Exception {
    String small = "'hidden_size':64,'intermediate_size':128,'num_attention_heads':4,'num_hidden_layers':2,"
        + "'num_key_value_heads':2,'vocab_size':100,'max_position_embeddings':256";
    // Mistral and Phi-3 ignore layer_types: every layer slides once a window is set
    HfModelConfig mistral = read("{'model_type':'mistral'," + small + ",'sliding_window':8,"
        + "'layer_types':['full_attention','full_attention']}");
    assertEquals(Collections.nCopies(2, LayerType.SLIDING), mistral.decoder().layerTypes());
    // Llama never slides
    HfModelConfig llama = read("{'model_type':'llama'," + small + ",'sliding_window':8}");
    assertEquals(0, llama.decoder().slidingWindow());
    // a non-empty rope_scaling wins over rope_parameters; the section's partial_rotary_factor over the top level
    HfModelConfig both = read("{'model_type':'phi3'," + small + ",'partial_rotary_factor':0.5,"
        + "'rope_parameters':{'rope_type':'default','rope_theta':500.0,'partial_rotary_factor':0.75},"
        + "'rope_scaling':{'rope_type':'default','rope_theta':700.0}}");
    assertEquals(700.0, both.decoder().rope().get(LayerType.FULL).theta());
    assertEquals(8, both.decoder().rope().get(LayerType.FULL).rotaryDim()); // 16 × 0.5 (rope_scaling has none)
    // Phi-3's original context is its own key (default 4096), never the section's
    HfModelConfig phi = read("{'model_type':'phi3'," + small.replace("256", "131072") + ",'rope_scaling':{'type':"
        + "'longrope','original_max_position_embeddings':8192,'short_factor':[1,1,1,1,1,1,1,1],"
        + "'long_factor':[2,2,2,2,2,2,2,2]}}");
    assertEquals(4096, phi.decoder().rope().get(LayerType.FULL).originalMaxPositions());
    // Gemma 3 per-layer-type sections: a missing sliding base is rope_local_base_freq
    HfModelConfig gemma = read("{'model_type':'gemma3_text'," + small + ",'head_dim':16,'rope_local_base_freq':"
        + "50000.0,'layer_types':['sliding_attention','full_attention'],'sliding_window':4,'rope_parameters':"
        + "{'full_attention':{'rope_type':'linear','factor':8.0,'rope_theta':1000000.0},"
        + "'sliding_attention':{'rope_type':'default'}}}");
    assertEquals(50_000.0, gemma.decoder().rope().get(LayerType.SLIDING).theta());
    assertEquals("linear", gemma.decoder().rope().get(LayerType.FULL).type());
    // multimodal Gemma 3 ties by its outer config and applies no logit soft cap
    HfModelConfig mm = read("{'model_type':'gemma3','tie_word_embeddings':true,'text_config':{'model_type':"
        + "'gemma3_text','tie_word_embeddings':false,'final_logit_softcapping':30.0}}");
    assertTrue(mm.tieWordEmbeddings());
    assertEquals(0, mm.decoder().finalSoftcap());
  }

  @Test
  void refusalsNameTheKey() {
    String gemma = "{'model_type':'gemma3_text','final_logit_softcapping':-1}";
    assertTrue(assertThrows(IllegalArgumentException.class, () -> read(gemma)).getMessage()
        .contains("'final_logit_softcapping' = -1"));
    String yarn = "{'model_type':'llama','hidden_size':64,'intermediate_size':128,'num_attention_heads':4,"
        + "'num_hidden_layers':1,'vocab_size':100,'rope_scaling':{'rope_type':'llama3','factor':8}}";
    assertTrue(assertThrows(IllegalArgumentException.class, () -> read(yarn)).getMessage()
        .contains("low_freq_factor"));
    String phi = "{'model_type':'phi3','hidden_size':64,'intermediate_size':128,'num_attention_heads':4,"
        + "'num_hidden_layers':1,'vocab_size':100,'resid_pdrop':0.1}";
    assertTrue(assertThrows(IllegalArgumentException.class, () -> read(phi)).getMessage()
        .contains("'resid_pdrop' = 0.1"));
    String bidirectional = "{'model_type':'gemma3_text','use_bidirectional_attention':true}";
    assertTrue(assertThrows(IllegalArgumentException.class, () -> read(bidirectional)).getMessage()
        .contains("'use_bidirectional_attention' = true"));
  }
}
