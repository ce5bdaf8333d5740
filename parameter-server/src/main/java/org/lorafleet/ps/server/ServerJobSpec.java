package org.lorafleet.ps.server;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.optim.AdamWSettings;
import org.lorafleet.math.optim.LrSchedule;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.Aggregation;
import org.lorafleet.ps.api.UpdateMode;

/**
 * Everything a parameter server needs to run one training job. Build it with {@link #builder}.
 *
 * @param jobId job identifier, sent by every client call; letters, digits, {@code . _ -}
 * @param secret the job's secret (printable ASCII, at least 16 characters): never printed and never sent;
 *     callers present tokens derived from it ({@link org.lorafleet.ps.auth.JobTokens})
 * @param expectedWorkers how many distinct workers take part; a sync step or local-sgd round is
 *     complete when that many have pushed
 * @param stepTimeout how long a sync step or local-sgd round waits, from its first push, for the
 *     remaining workers before it fails
 * @param staleness async only: the largest accepted current − base version
 * @param aggregation local-sgd only: {@code mean} or {@code product}
 * @param maxGradNorm global-norm clipping threshold; ≤ 0 disables clipping
 * @param initialTensors the trained tensors in their canonical order (copied)
 * @param resumeOptimizer optimizer state to resume from, or null
 * @param startStep version (and step) to start from; 0 for a fresh job
 */
public record ServerJobSpec(String jobId, String secret, UpdateMode mode, int expectedWorkers, Duration stepTimeout,
    long staleness, Aggregation aggregation, AdamWSettings adamW, LrSchedule lrSchedule, double maxGradNorm,
    Map<String, FloatTensor> initialTensors, AdamW.State resumeOptimizer, long startStep) {

  public ServerJobSpec {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(aggregation, "aggregation");
    Objects.requireNonNull(adamW, "adamW");
    Objects.requireNonNull(lrSchedule, "lrSchedule");
    Objects.requireNonNull(stepTimeout, "stepTimeout");
    if (jobId == null || !jobId.matches("[A-Za-z0-9._-]{1,128}")) {
      throw new IllegalArgumentException("Job id '" + jobId
          + "' is invalid: use 1 to 128 letters, digits, '.', '_' or '-'.");
    }
    if (secret == null || secret.length() < 16 || !secret.matches("[\\x21-\\x7e]+")) {
      throw new IllegalArgumentException("The job secret must be at least 16 printable ASCII characters without "
          + "spaces; use ServerJobSpec.randomSecret() to make one.");
    }
    if (expectedWorkers < 1) {
      throw new IllegalArgumentException("A job needs at least one worker, got " + expectedWorkers + ".");
    }
    if (stepTimeout.isNegative() || stepTimeout.isZero()) {
      throw new IllegalArgumentException("The step timeout must be positive, got " + stepTimeout + ".");
    }
    if (staleness < 0) {
      throw new IllegalArgumentException("Staleness must be >= 0, got " + staleness + ".");
    }
    if (Double.isNaN(maxGradNorm) || Double.isInfinite(maxGradNorm)) {
      throw new IllegalArgumentException("max_grad_norm must be a finite number (<= 0 disables clipping), got "
          + maxGradNorm + ".");
    }
    if (initialTensors == null || initialTensors.isEmpty()) {
      throw new IllegalArgumentException("A job needs at least one tensor to train.");
    }
    if (startStep < 0) {
      throw new IllegalArgumentException("The start step must be >= 0, got " + startStep + ".");
    }
    Map<String, FloatTensor> copy = new LinkedHashMap<>();
    for (Map.Entry<String, FloatTensor> e : initialTensors.entrySet()) {
      if (e.getKey() == null || e.getKey().isEmpty()) {
        throw new IllegalArgumentException("Tensor names must not be empty.");
      }
      for (float x : e.getValue().data()) {
        if (!Float.isFinite(x)) {
          throw new IllegalArgumentException("Initial tensor '" + e.getKey() + "' holds a non-finite value.");
        }
      }
      copy.put(e.getKey(), e.getValue().copy());
    }
    initialTensors = Collections.unmodifiableMap(copy);
    if (resumeOptimizer != null) {
      for (Map.Entry<String, float[]> e : resumeOptimizer.firstMoment().entrySet()) {
        FloatTensor t = initialTensors.get(e.getKey());
        if (t == null || t.size() != e.getValue().length) {
          throw new IllegalArgumentException("The optimizer state to resume from has moments for '" + e.getKey()
              + "' that match no tensor of the job (or not its size).");
        }
      }
    }
    if (mode == UpdateMode.LOCAL_SGD && aggregation == Aggregation.PRODUCT) {
      LoraPairs.find(initialTensors); // validates pair shapes
    }
  }

  /** A fresh 256-bit secret, base64url without padding (43 characters). */
  public static String randomSecret() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  public static Builder builder(String jobId, String secret, Map<String, FloatTensor> initialTensors) {
    return new Builder(jobId, secret, initialTensors);
  }

  @Override
  public String toString() {
    return "ServerJobSpec[jobId=" + jobId + ", mode=" + mode.configName() + ", workers=" + expectedWorkers
        + ", stepTimeout=" + stepTimeout + ", staleness=" + staleness + ", aggregation=" + aggregation.configName()
        + ", tensors=" + initialTensors.size() + ", startStep=" + startStep + ", secret=<hidden>]";
  }

  /** Builder with the defaults: sync, one worker, 60 s step timeout, staleness 2, mean aggregation. */
  public static final class Builder {
    private final String jobId;
    private final String secret;
    private final Map<String, FloatTensor> initialTensors;
    private UpdateMode mode = UpdateMode.SYNC;
    private int expectedWorkers = 1;
    private Duration stepTimeout = Duration.ofSeconds(60);
    private long staleness = 2;
    private Aggregation aggregation = Aggregation.MEAN;
    private AdamWSettings adamW = AdamWSettings.withWeightDecay(0.0);
    private LrSchedule lrSchedule = LrSchedule.constant(2e-4);
    private double maxGradNorm = 1.0;
    private AdamW.State resumeOptimizer;
    private long startStep;

    private Builder(String jobId, String secret, Map<String, FloatTensor> initialTensors) {
      this.jobId = jobId;
      this.secret = secret;
      this.initialTensors = initialTensors;
    }

    public Builder mode(UpdateMode v) {
      mode = v;
      return this;
    }

    public Builder expectedWorkers(int v) {
      expectedWorkers = v;
      return this;
    }

    public Builder stepTimeout(Duration v) {
      stepTimeout = v;
      return this;
    }

    public Builder staleness(long v) {
      staleness = v;
      return this;
    }

    public Builder aggregation(Aggregation v) {
      aggregation = v;
      return this;
    }

    public Builder adamW(AdamWSettings v) {
      adamW = v;
      return this;
    }

    public Builder lrSchedule(LrSchedule v) {
      lrSchedule = v;
      return this;
    }

    public Builder maxGradNorm(double v) {
      maxGradNorm = v;
      return this;
    }

    /** Resume from an optimizer state at a given step (e.g. from a checkpoint). */
    public Builder resume(AdamW.State optimizer, long step) {
      resumeOptimizer = optimizer;
      startStep = step;
      return this;
    }

    public ServerJobSpec build() {
      return new ServerJobSpec(jobId, secret, mode, expectedWorkers, stepTimeout, staleness, aggregation, adamW,
          lrSchedule, maxGradNorm, initialTensors, resumeOptimizer, startStep);
    }
  }
}
