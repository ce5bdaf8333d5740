/**
 * Run metrics outside metrics.jsonl: TensorBoard event files, written in pure Java (no TensorFlow or
 * protobuf library). {@link org.lorafleet.orchestrator.metrics.TensorBoardWriter} writes scalar
 * events in TFRecord framing; {@link org.lorafleet.orchestrator.metrics.MetricsToTensorBoard} turns
 * metrics.jsonl lines (train steps and evaluations) into such scalars, live or from a finished file.
 * A job's events go to {@code <output>/tensorboard/}; a sweep's trials are jobs under
 * {@code <sweep>/trials/<id>/}, so {@code tensorboard --logdir <sweep>/trials} shows one run per trial.
 */
package org.lorafleet.orchestrator.metrics;
