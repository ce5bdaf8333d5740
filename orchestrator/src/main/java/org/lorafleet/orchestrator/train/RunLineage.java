package org.lorafleet.orchestrator.train;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.lorafleet.orchestrator.checkpoint.Checkpoint;
import org.lorafleet.orchestrator.checkpoint.CheckpointStore;
import org.lorafleet.orchestrator.config.JobConfig;
import org.lorafleet.orchestrator.io.ContentDigest;

/**
 * Which run a job continues, written into every checkpoint it makes: the run id (new at a fresh
 * start, the checkpoint's own when resuming, so a run resumed any number of times stays one lineage),
 * the fingerprint that a later resume must match, and the tokens trained before this session.
 *
 * @param runId run lineage id
 * @param fingerprint {@link JobConfig#fingerprint()} plus the content digests of the data
 * @param tokensBefore tokens the run trained before the checkpoint it resumes from (0 when fresh)
 */
record RunLineage(String runId, Map<String, String> fingerprint, long tokensBefore) {

  /**
   * The job's fingerprint: its config part and a digest of the train and eval files' contents, so that
   * data changed under the same path is noticed. Blocks reading the data files (a sample of large ones).
   */
  static Map<String, String> fingerprint(JobConfig cfg, Configuration hadoop) {
    Map<String, String> f = new LinkedHashMap<>(cfg.fingerprint());
    f.put("data.train (content)", ContentDigest.of(cfg.data().train(), hadoop));
    if (cfg.data().eval() != null) {
      f.put("data.eval (content)", ContentDigest.of(cfg.data().eval(), hadoop));
    }
    return f;
  }

  /**
   * The lineage this session continues, with the checkpoint dir cleared of other lineages: any step
   * folder of another run, or of this run past the resume point, is set aside (not deleted).
   */
  static RunLineage start(Map<String, String> fingerprint, Checkpoint resume, CheckpointStore store, PrintStream out) {
    String runId = resume == null ? UUID.randomUUID().toString() : resume.state().runId();
    long from = resume == null ? -1 : resume.state().step();
    int moved = store.setAside(runId, from);
    if (moved > 0) {
      out.println("Set aside " + moved + " checkpoint(s) of another run" + (resume == null ? "" : " or past step " + from)
          + " under " + store.location() + "/" + CheckpointStore.SUPERSEDED + "/ (kept, never resumed from here).");
    }
    return new RunLineage(runId, fingerprint, resume == null ? 0 : resume.state().tokens());
  }
}
