package org.lorafleet.trainer.lora;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.model.Architecture;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.nn.LoraGradients;
import org.lorafleet.trainer.nn.LoraLinear;
import org.lorafleet.trainer.nn.Nd;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The trainable LoRA tensors of one model, keyed by their PEFT file names, in model order.
 *
 * <p>The heap arrays ({@link #parameters()}) are the source of truth that the optimizer updates in
 * place; {@link #attachTo} copies them into native arrays the model reads, and {@link #syncToModel}
 * refreshes those copies after each optimizer step.
 */
public final class LoraAdapter {

  private final LoraSettings settings;
  private final List<String> modules;
  private final Map<String, FloatTensor> params; // PEFT key → tensor
  private final Map<String, INDArray> attached = new LinkedHashMap<>();

  LoraAdapter(LoraSettings settings, List<String> modules, Map<String, FloatTensor> params) {
    this.settings = settings;
    this.modules = List.copyOf(modules);
    this.params = params;
  }

  /**
   * A fresh adapter as PEFT initialises one: A kaiming-uniform with a = √5 (that is U(±1/√in)),
   * B zero, so the adapted model starts equal to the base. All randomness flows from {@code seed}.
   */
  public static LoraAdapter initialise(CausalLm model, LoraSettings settings, long seed) {
    checkFanInFanOut(model, settings);
    List<String> modules = TargetMatcher.select(model.linears().keySet(), settings);
    SplittableRandom rng = new SplittableRandom(seed);
    Map<String, FloatTensor> params = new LinkedHashMap<>();
    for (String m : modules) {
      LoraLinear layer = model.linears().get(m);
      float bound = (float) (1.0 / Math.sqrt(layer.in()));
      float[] a = new float[settings.r() * layer.in()];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
      }
      params.put(PeftNames.a(m), new FloatTensor(new long[] {settings.r(), layer.in()}, a));
      params.put(PeftNames.b(m), FloatTensor.zeros(layer.out(), settings.r()));
    }
    return new LoraAdapter(settings, modules, params);
  }

  /** Builds an adapter from given tensors (PEFT keys), checking that every target has both factors of the right shape. */
  public static LoraAdapter fromTensors(CausalLm model, LoraSettings settings, Map<String, FloatTensor> tensors,
      String source) {
    checkFanInFanOut(model, settings);
    List<String> modules = TargetMatcher.select(model.linears().keySet(), settings);
    Map<String, FloatTensor> params = new LinkedHashMap<>();
    for (String m : modules) {
      LoraLinear layer = model.linears().get(m);
      params.put(PeftNames.a(m), require(tensors, PeftNames.a(m), source, settings.r(), layer.in()));
      params.put(PeftNames.b(m), require(tensors, PeftNames.b(m), source, layer.out(), settings.r()));
    }
    for (String key : tensors.keySet()) {
      if (!params.containsKey(key)) {
        throw new IllegalArgumentException(source + " holds tensor '" + key
            + "', which belongs to no layer its target_modules select in this model.");
      }
    }
    return new LoraAdapter(settings, modules, params);
  }

  private static FloatTensor require(Map<String, FloatTensor> tensors, String key, String source, long d0, long d1) {
    FloatTensor t = tensors.get(key);
    if (t == null) {
      throw new IllegalArgumentException(source + " has no tensor '" + key + "'.");
    }
    if (t.rank() != 2 || t.dim(0) != d0 || t.dim(1) != d1) {
      throw new IllegalArgumentException("Tensor '" + key + "' in " + source + " has shape " + t.shapeString()
          + " but the model needs [" + d0 + ", " + d1 + "].");
    }
    return t.copy();
  }

  private static void checkFanInFanOut(CausalLm model, LoraSettings s) {
    boolean conv1d = model.config().architecture() == Architecture.GPT2;
    if (s.fanInFanOut() != null && s.fanInFanOut() != conv1d) {
      throw new IllegalArgumentException("fan_in_fan_out = " + s.fanInFanOut() + " does not fit a "
          + model.config().modelType() + " model, whose weights are stored " + (conv1d ? "[in, out]" : "[out, in]")
          + "; set it to " + conv1d + " or leave it out.");
    }
  }

  public LoraSettings settings() {
    return settings;
  }

  /** Targeted module names in model order. */
  public List<String> modules() {
    return modules;
  }

  /** The live trainable tensors (PEFT keys); the optimizer updates these arrays in place. */
  public Map<String, FloatTensor> parameters() {
    return Collections.unmodifiableMap(params);
  }

  /** A deep copy of the tensors, e.g. for a checkpoint or a comparison. */
  public Map<String, FloatTensor> copyOfParameters() {
    Map<String, FloatTensor> copy = new LinkedHashMap<>();
    params.forEach((k, v) -> copy.put(k, v.copy()));
    return copy;
  }

  /** Replaces the values of every parameter (same names and shapes), e.g. with a parameter-server version. */
  public void setParameters(Map<String, FloatTensor> values) {
    for (Map.Entry<String, FloatTensor> e : params.entrySet()) {
      FloatTensor v = values.get(e.getKey());
      if (v == null || !v.sameShape(e.getValue())) {
        throw new IllegalArgumentException("New adapter values lack '" + e.getKey() + "' " + e.getValue().shapeString()
            + (v == null ? "." : " (got " + v.shapeString() + ")."));
      }
      System.arraycopy(v.data(), 0, e.getValue().data(), 0, v.size());
    }
    syncToModel();
  }

  /** Makes the model's layers use this adapter (copies the tensors into native arrays). */
  public void attachTo(CausalLm model) {
    attached.clear();
    for (String m : modules) {
      INDArray a = Nd.of(params.get(PeftNames.a(m)));
      INDArray b = Nd.of(params.get(PeftNames.b(m)));
      attached.put(PeftNames.a(m), a);
      attached.put(PeftNames.b(m), b);
      model.linears().get(m).attach(a, b, settings.scaling(), settings.dropout());
    }
  }

  /** Copies the heap tensors into the attached native arrays (after an optimizer step). */
  public void syncToModel() {
    attached.forEach((key, arr) -> {
      FloatTensor t = params.get(key);
      arr.assign(Nd.of(t));
    });
  }

  /** Gradients of one backward pass as PEFT-keyed tensors, zeros for a layer that got none. */
  public Map<String, FloatTensor> gradients(LoraGradients g) {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    for (String m : modules) {
      FloatTensor a = g.a(m);
      FloatTensor b = g.b(m);
      out.put(PeftNames.a(m), a != null ? a : FloatTensor.zeros(params.get(PeftNames.a(m)).shape()));
      out.put(PeftNames.b(m), b != null ? b : FloatTensor.zeros(params.get(PeftNames.b(m)).shape()));
    }
    return out;
  }
}
