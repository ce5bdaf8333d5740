package org.lorafleet.orchestrator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lorafleet.trainer.model.BaseDType;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.model.LoadOptions;
import org.lorafleet.trainer.nn.LoraLinear;
import org.lorafleet.trainer.quant.Quantization;

/**
 * Two Spark tasks running at once in one executor JVM (local[2]: the driver's JVM is the executor)
 * hold one copy of the frozen base, in every precision and quantised form: both get replicas over
 * the very same weight objects, and the JVM loaded the model once per form.
 */
class BaseModelsSharingTest {

  private static final String MODEL = Path.of("../examples/models/tiny-llama").toAbsolutePath().normalize().toString();
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("lorafleet-base-sharing-test")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** Both tasks wait for each other before loading, so the two loads really race. */
  private static final CyclicBarrier BOTH_TASKS = new CyclicBarrier(2);

  /** Runs in a task: the identity of every frozen weight the task's replica uses, and the task's thread. */
  private static final class FrozenIdentities implements Function<Integer, String> {
    private final LoadOptions options;

    FrozenIdentities(LoadOptions options) {
      this.options = options;
    }

    @Override
    public String call(Integer task) throws Exception {
      BOTH_TASKS.await(60, TimeUnit.SECONDS);
      CausalLm replica = BaseModels.replica(MODEL, options);
      StringBuilder ids = new StringBuilder(Thread.currentThread().getName()).append('|');
      for (LoraLinear l : replica.linears().values()) {
        ids.append(System.identityHashCode(l.frozen())).append(',');
        ids.append(l.frozen().form()).append(';');
      }
      return ids.toString();
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"AUTO, NONE", "BFLOAT16, NONE", "AUTO, INT8", "AUTO, NF4"})
  void twoTasksInOneExecutorShareOneBase(BaseDType dtype, Quantization quantize) {
    LoadOptions options = new LoadOptions(dtype, quantize);
    int loadedBefore = BaseModels.loadedCount();
    List<String> perTask = new JavaSparkContext(spark.sparkContext()).parallelize(List.of(0, 1), 2)
        .map(new FrozenIdentities(options)).collect();

    assertEquals(2, perTask.size());
    Set<String> threads = new HashSet<>();
    Set<String> weights = new HashSet<>();
    for (String t : perTask) {
      threads.add(t.substring(0, t.indexOf('|')));
      weights.add(t.substring(t.indexOf('|') + 1));
    }
    assertEquals(2, threads.size(), "the two tasks ran on two executor threads at once: " + threads);
    assertEquals(1, weights.size(), "both tasks use the same frozen weight objects");
    assertEquals(loadedBefore + 1, BaseModels.loadedCount(), "the JVM loaded the model once for " + options.label());
    String forms = weights.iterator().next();
    String expected = quantize == Quantization.NONE ? (dtype == BaseDType.BFLOAT16 ? "bfloat16" : "float32")
        : quantize.configName();
    assertTrue(forms.contains("," + expected + ";"), "weights held as " + expected + ": " + forms);
  }
}
