/**
 * Distributed training on Spark: the driver's job procedure ({@link org.lorafleet.orchestrator.train.TrainJob}),
 * the plan shipped to workers, and the worker loop that runs in each barrier task.
 */
package org.lorafleet.orchestrator.train;
