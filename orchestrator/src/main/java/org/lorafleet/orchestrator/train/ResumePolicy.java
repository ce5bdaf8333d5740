package org.lorafleet.orchestrator.train;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.lorafleet.orchestrator.checkpoint.Checkpoint;
import org.lorafleet.orchestrator.checkpoint.CheckpointStore;
import org.lorafleet.orchestrator.config.CheckpointConfig;
import org.lorafleet.orchestrator.config.JobConfig;

/**
 * Which checkpoint a job starts from: {@code --resume PATH}, else checkpoint.resume (auto: the
 * newest valid one, corrupt ones reported and skipped; never; or a path). A checkpoint written with
 * a different model, LoRA shape, data (paths or contents), batch layout, update rule, schedule or seed
 * is refused unless forced, naming the keys.
 */
final class ResumePolicy {

  private ResumePolicy() {}

  /** @return the checkpoint to resume from, or null for a fresh start */
  static Checkpoint choose(JobConfig cfg, Map<String, String> fingerprint, TrainJob.Options opts, CheckpointStore store,
      Configuration hadoop, PrintStream out) {
    CheckpointConfig.Resume r = cfg.checkpoint().resume();
    Checkpoint c;
    if (opts.resumeFrom() != null) {
      c = CheckpointStore.loadFrom(opts.resumeFrom(), hadoop);
    } else if (r.mode() == CheckpointConfig.Resume.Mode.PATH) {
      c = CheckpointStore.loadFrom(r.path(), hadoop);
    } else if (r.mode() == CheckpointConfig.Resume.Mode.NEVER) {
      return null;
    } else {
      c = store.latestValid(out::println).orElse(null);
    }
    if (c == null) {
      return null;
    }
    List<String> diffs = JobConfig.fingerprintMismatches(c.state().fingerprint(), fingerprint);
    if (!diffs.isEmpty()) {
      String msg = "Checkpoint " + c.location() + " was written with a different config: " + String.join("; ", diffs)
          + ".";
      if (!opts.force()) {
        throw new IllegalArgumentException(msg + " Refusing to resume; use --force to resume anyway, or "
            + "checkpoint.resume: never (or another checkpoint.dir) to start afresh.");
      }
      out.println("WARNING: " + msg + " Resuming anyway (--force).");
    }
    out.println("Resuming from " + c.location() + " at step " + c.state().step() + ".");
    return c;
  }
}
