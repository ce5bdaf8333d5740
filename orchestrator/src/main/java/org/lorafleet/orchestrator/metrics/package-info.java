/**
 * Run metrics outside metrics.jsonl: TensorBoard event files, written in pure Java (no TensorFlow or
 * protobuf library). {@link org.lorafleet.orchestrator.metrics.TensorBoardWriter} writes scalar
 * events in TFRecord framing; {@link org.lorafleet.orchestrator.metrics.MetricsToTensorBoard} turns
 * metrics.jsonl lines (train steps and evaluations) into such scalars, live or from a finished file;
 * {@link org.lorafleet.orchestrator.metrics.TensorBoardRuns} names the run folders of a job and of a
 * sweep's trials so that one {@code tensorboard --logdir} compares them.
 */
package org.lorafleet.orchestrator.metrics;
