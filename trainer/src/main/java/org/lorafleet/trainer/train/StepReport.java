package org.lorafleet.trainer.train;

/** One optimizer step as seen by the user: mean loss before the update, tokens, norm, learning rate. */
public record StepReport(long step, double loss, long tokens, double gradNorm, double lr) {}
