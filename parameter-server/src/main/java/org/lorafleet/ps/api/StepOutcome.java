package org.lorafleet.ps.api;

/**
 * What one applied update did, for logs and metrics.
 *
 * @param step the step (sync, async: optimizer step; local-sgd: round) that was applied; it was
 *     computed on version {@code step} in sync and local-sgd
 * @param version the version the update published ({@code step + 1} in sync and local-sgd)
 * @param meanLoss Σ lossSum / Σ tokens over the pushes the update combined
 * @param tokens Σ tokens
 * @param gradNormBeforeClip global L2 norm of the mean gradient before clipping; NaN in local-sgd
 * @param lr learning rate used; NaN in local-sgd (workers apply their own schedule)
 * @param workers number of pushes combined
 * @param applyMillis server time spent combining and applying the update
 */
public record StepOutcome(long step, long version, double meanLoss, long tokens, double gradNormBeforeClip,
    double lr, int workers, double applyMillis) {}
