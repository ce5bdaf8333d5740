/**
 * LoRA sweeps: a sweep file ({@link org.lorafleet.orchestrator.config.SweepFile}) becomes trials
 * ({@link org.lorafleet.orchestrator.sweep.SweepPlan}, grid or seeded random values), which
 * {@link org.lorafleet.orchestrator.sweep.SweepRunner} runs as training jobs in one Spark application,
 * {@code parallel} at a time, with optional early stopping by asynchronous successive halving
 * ({@link org.lorafleet.orchestrator.sweep.Asha}). State is saved after every run so an interrupted
 * sweep resumes; results are a leaderboard (CSV, JSON) and a self-contained HTML report.
 */
package org.lorafleet.orchestrator.sweep;
