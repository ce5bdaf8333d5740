package org.lorafleet.orchestrator.train;

import java.io.PrintStream;
import org.lorafleet.ps.snapshot.ServerSnapshot;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.model.CausalLm;

/**
 * What a training run that fails still writes, so that its result is not lost: a checkpoint and the
 * adapter of the newest published version. Each is attempted on its own; what fails here is added
 * to the run's failure as suppressed and printed, never thrown instead of the original cause.
 */
final class FailureOutputs {

  private FailureOutputs() {}

  /** @param k optimizer steps per server version (local-sgd: local_steps), for the messages */
  static void save(ServerSnapshot last, int k, long startVersion, long totalUpdates, LoraAdapter adapter, CausalLm model,
      JobCheckpointer checkpointer, JobOutputs outputs, PrintStream out, RuntimeException cause) {
    long step = last.version() * k;
    if (last.version() <= startVersion) {
      out.println("The run failed before any step was applied; there is no new adapter to save.");
      return;
    }
    try {
      checkpointer.write(last); // resume: auto continues from here
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
      out.println("ERROR: the checkpoint of step " + step + " could not be written either: "
          + Causes.chain(e));
    }
    try {
      adapter.setParameters(last.weights());
      String dir = outputs.writeAdapter(adapter, model);
      out.printf("Training failed at step %d of %d; the adapter of step %d was written to %s so the run's result is "
          + "not lost.%n", step, totalUpdates * k, step, dir);
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
      out.println("ERROR: the adapter of step " + step + " could not be written either: " + Causes.chain(e));
    }
  }
}
